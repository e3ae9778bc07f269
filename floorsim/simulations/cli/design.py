"""``floorsim variants`` and ``floorsim solve``: grids of reform variants, and the parameter value that meets a target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_YEAR, CountryOrConfigOption, JobsOption, YearOption
from floorsim.simulations.cli.terminal import console, progress_wanted, reported_errors
from floorsim.simulations.reports.numbers import format_figure


@app.command(
    "variants",
    epilog=(
        "Examples:\n\n"
        "  floorsim variants my_grid.yaml\n\n"
        "  floorsim variants my_grid.yaml --out results/grid --jobs 2"
    ),
)
def variants_command(
    grid: Annotated[
        Path, typer.Argument(help="Variant grid (YAML): base scenario, parameters with lists of values, GDP parameter.")
    ],
    out: Annotated[
        Path, typer.Option(help="Folder for variants.csv, variants.json and the frontier chart (PNG and SVG).")
    ] = Path("floorsim-variants"),
    jobs: JobsOption = -1,
    chunk_size: Annotated[
        Optional[int], typer.Option(help="Households per chunk (default: the survey split evenly between workers).")
    ] = None,
) -> None:
    """Run every variant of a grid against one baseline in one pass; print and write the comparison and frontier."""
    from floorsim.simulations.analysis.phases import Phases
    from floorsim.simulations.design import variants as variant_grids

    from floorsim.surveys.atomic import check_output_folder

    with reported_errors(OSError):  # an unwritable or foreign --out is one line too, found before the runs
        check_output_folder(out, "variants.json")
        phases = Phases(show=progress_wanted())  # shown on a terminal (not under -q), timed into variants.json
        outcome = variant_grids.run_grid(variant_grids.load_grid(grid), jobs=jobs, chunk_size=chunk_size,
                                         phases=phases)
        written = outcome.write(out)
    print_variants(outcome)
    console.print(f"Wrote {', '.join(str(path) for path in written.values())}")


def print_variants(outcome) -> None:
    """The comparison table of a variant grid: cost, coverage, poverty and inequality per variant."""
    results = outcome.results
    gdp = outcome.gdp
    caption = f"Survey: {results.metadata.name}. Changes against the baseline; * efficient (cost-poverty frontier)."
    if gdp is not None:
        caption += f" GDP: {gdp.parameter} {gdp.value / 1e6:,.0f} million" + (f" ({gdp.note})" if gdp.note else "")
    table = Table(title=f"{results.spec.label} {results.year}: {outcome.grid.label or outcome.grid.name}",
                  caption=escape(caption))
    table.add_column("Variant", no_wrap=True)
    table.add_column("Parameters", overflow="fold")
    for column in (f"Cost ({results.spec.currency} m)", "% GDP", "Beneficiaries", "Poverty (pp)", "Gini (pts)"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in outcome.table.itertuples(index=False):
        table.add_row(
            f"{row.variant}{' *' if row.efficient else ''}",
            escape(row.label.replace(", ", "\n")),
            format_figure(row.total_cost, "money"),
            "" if row.cost_pct_gdp != row.cost_pct_gdp else f"{row.cost_pct_gdp:.2f}",
            format_figure(row.beneficiaries, "count"),
            format_figure(row.poverty_headcount_change, "rate", change=True),
            format_figure(row.gini_change, "index", change=True),
        )
    console.print(table)




@app.command(
    "solve",
    epilog=(
        "Examples:\n\n"
        "  floorsim solve --parameter social_protection_floor.child.share --low 0 --high 1 "
        "--target cost-share-of-gdp=0.01 --base floorsim.country_packages.social_protection_floor.SocialProtectionFloor\n\n"
        "  floorsim solve --parameter benefits.universal_child_grant.amount --low 0 --high 100 "
        "--target poverty-change=-0.02 --base my_child_grant.yaml\n\n"
        "  floorsim solve --parameter benefits.saii.amount --low 0 --high 60 "
        "--target budget-neutral-with=my_child_grant.yaml\n\n"
        "  floorsim solve --parameter social_protection_floor.old_age.minimum_age --low 55 --high 80 --integer "
        "--target cost-share-of-gdp=0.02 --base floorsim.country_packages.social_protection_floor.SocialProtectionFloor "
        "--base my_levels.yaml --json"
    ),
)
def solve_command(
    parameter: Annotated[str, typer.Option(help="Dotted path of the parameter to solve for.")],
    low: Annotated[float, typer.Option(help="Lower end of the search range.")],
    high: Annotated[float, typer.Option(help="Upper end of the search range.")],
    target: Annotated[
        str,
        typer.Option(
            help="cost-share-of-gdp=FRACTION | cost=AMOUNT (per year) | poverty-change=FRACTION (e.g. -0.02) | "
            "budget-neutral-with=REFORM (a file or Reform class added to the scenario; total cost 0)."
        ),
    ],
    base: Annotated[
        Optional[list[str]],
        typer.Option(help="Reform applied before the parameter change (file or Reform class path); repeatable."),
    ] = None,
    baseline: Annotated[
        Optional[list[str]], typer.Option(help="Reform of the comparison baseline (default: the law); repeatable.")
    ] = None,
    country: CountryOrConfigOption = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder or file (default: the bundled survey).")
    ] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping (YAML) for a survey file.")] = None,
    period: YearOption = DEFAULT_YEAR,
    start: Annotated[
        Optional[str], typer.Option(help="Date the solved value takes effect (default: 1 January of the period).")
    ] = None,
    points: Annotated[int, typer.Option(help="Parameter values evaluated per engine run (1: plain bisection).")] = 3,
    xtol: Annotated[
        Optional[float], typer.Option(help="Tolerance on the parameter (default: 1e-4 of the range).")
    ] = None,
    ftol: Annotated[Optional[float], typer.Option(help="Stop when |metric - target| is within this.")] = None,
    integer: Annotated[bool, typer.Option("--integer", help="The parameter takes whole values (e.g. an age).")] = False,
    max_runs: Annotated[int, typer.Option(help="Most engine runs before giving up.")] = 40,
    gdp_parameter: Annotated[
        Optional[str], typer.Option(help="GDP parameter path (default: country.gdp.non_oil, then country.gdp.nominal).")
    ] = None,
    gdp_scale: Annotated[
        Optional[float], typer.Option(help="Multiplier from the GDP parameter to currency units (default: metadata).")
    ] = None,
    jobs: JobsOption = -1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Find the value of a parameter that meets a target, by bracketing and bisection (several points per run)."""
    import datetime

    from floorsim.simulations.analysis.phases import Phases
    from floorsim.simulations.design import solve as solver
    from floorsim.simulations.design import variants as variant_grids

    with reported_errors():
        goal = solver.parse_target(target)
        try:
            start_date = datetime.date.fromisoformat(start) if start else None
        except ValueError:
            raise solver.SolveError(f"--start takes a date YYYY-MM-DD, got '{start}'") from None
        phases = Phases(show=progress_wanted())  # one phase per engine run; timings in the --json output
        with phases.phase("reading the survey"):
            data = variant_grids.load_survey_for(survey, mapping)
        simulation = variant_grids.make_simulation(country, data, period, jobs=jobs)
        solution = solver.solve(
            simulation, parameter, low, high, goal, base=base or (), baseline=baseline or (), start=start_date,
            points=points, xtol=xtol, ftol=ftol, max_runs=max_runs, integer=integer,
            gdp=variant_grids.GDPSetting(parameter=gdp_parameter, scale=gdp_scale), phases=phases,
        )
    if as_json:
        typer.echo(json.dumps({"target_description": goal.describe(), **solution.to_dict()}, indent=2))
        return
    table = Table(title=f"{parameter}: {goal.describe()}", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    table.add_row("Solution", f"{solution.value:.6g}")
    table.add_row(f"{solution.metric} at the solution", f"{solution.metric_value:.6g} (target {solution.target:g})")
    table.add_row("Residual", f"{solution.residual:.3g}")
    table.add_row("Bracket", f"[{solution.bracket[0]:.6g}, {solution.bracket[1]:.6g}] (tolerance ±{solution.tolerance:.3g})")
    table.add_row("Engine runs", f"{solution.iterations} ({len(solution.evaluations)} values evaluated)")
    table.add_row("Converged", "yes" if solution.converged else "no")
    for note in solution.notes:
        table.add_row("Note", escape(note))
    console.print(table)
