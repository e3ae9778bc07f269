"""``floorsim project``: multi-year cost and impact projections from an assumptions file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, CountryOption
from floorsim.simulations.cli.terminal import console, progress_wanted, reported_errors
from floorsim.simulations.engine.microsimulation import BASELINE


@app.command(
    "project",
    epilog=(
        "Examples:\n\n"
        "  floorsim project                                # the package's assumptions (timor_leste: 2025-2035)\n\n"
        "  floorsim project --reform saii_increase --reform universal_child_grant --out projection\n\n"
        "  floorsim project my_assumptions.yaml --reform my_reform.yaml"
    ),
)
def project_command(
    assumptions: Annotated[
        Optional[Path],
        typer.Argument(help="Assumptions file (YAML): population, macro path, indexation, take-up. Default: the "
                       "country package's own (its projections/ folder).", show_default=False),
    ] = None,
    reform: Annotated[
        Optional[list[str]],
        typer.Option(help="Reform: a YAML/JSON file, or a reform shipped with the package by name (e.g. "
                     "saii_increase); repeatable. Default: the assumptions file's reforms."),
    ] = None,
    country: CountryOption = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder (default: the file's survey, else the bundled survey).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes for each year's engine run (1: no parallelism).")] = 1,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("floorsim-projection"),
) -> None:
    """Project cost (money, % of GDP, % of government expenditure), beneficiaries, poverty and Gini of the baseline
    and reforms for every year of an assumptions file; write a tidy table (CSV, Parquet), an Excel workbook and a
    chart of cost paths."""
    from floorsim.simulations.analysis.phases import Phases
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import resolve_reform
    from floorsim.simulations.errors import FloorsimError
    from floorsim.simulations.projections import project, write_outputs
    from floorsim.simulations.projections.assumptions import load_assumptions
    from floorsim.simulations.projections.simulated_year import country_assumptions
    from floorsim.simulations.projections.outputs import FILES

    from floorsim.surveys.atomic import check_output_folder

    with reported_errors(OSError):
        check_output_folder(out, FILES)  # before the years are simulated
        spec = load_country(country)
        chosen = load_assumptions(assumptions) if assumptions is not None else country_assumptions(spec)
        if chosen is None:
            raise FloorsimError(f"country '{spec.name}' has no projection assumptions ({spec.folder}/projections/"
                                "*.yaml): give an assumptions file")
        reforms = None
        if reform:  # files or names of the package's reforms, like floorsim run --reform
            reforms = {named.name: named for named in (resolve_reform(value, load_country(chosen.country))
                                                       for value in reform)}
        phases = Phases(show=progress_wanted())  # shown on a terminal (not under -q); in provenance.json
        result = project(chosen, reforms, survey=survey, backend="sequential" if jobs == 1 else "loky", n_jobs=jobs,
                         phases=phases)
        with phases.phase("writing the outputs"):
            written = write_outputs(result, out)
    costs, extra = result.pivot("cost_pct_gdp"), result.pivot("additional_cost_pct_gdp")
    table = Table(title=f"{result.assumptions.label or result.assumptions.name}: cost of all transfers, % of GDP "
                  "(additional cost over the baseline)")
    table.add_column("Year")
    for scenario in costs.columns:
        table.add_column(scenario, justify="right")
    for year in costs.index:
        table.add_row(str(year), *(f"{costs.at[year, s]:.2f}" + ("" if s == BASELINE else f" (+{extra.at[year, s]:.2f})")
                                   for s in costs.columns))
    checks = result.cross_checks
    expected = checks.dropna(subset=["within_tolerance"])
    table.caption = (
        f"Cross-checks with the aggregate (RAP) method: {int(expected['within_tolerance'].sum())} of {len(expected)} "
        f"within tolerance, {len(checks) - len(expected)} not expected to agree (see cross_checks.csv). "
        f"Wrote {len(written)} files to {out}"
    )
    console.print(table)
