"""The ``floorsim`` command line.

Every command fails with a non-zero exit status and a one-line reason (no traceback) on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from simulations.explain import household as single_household
from simulations.explain import parameters as parameters_browser
from simulations.engine.countries import load_country
from simulations.engine.microsimulation import BASELINE, Microsimulation
from simulations.errors import FloorsimError
from simulations.engine.reforms import load_reform
from simulations.reports.labels import available_languages
from simulations.reports.outputs import describe_outputs, write_outputs
from simulations.reports.summary import format_value, headline_rows
from simulations.reports.tables import DEFAULT_REPLICATES
from surveys.bundled import BUNDLED_SURVEY
from surveys.errors import SurveyError
from surveys.io import read_survey

DEFAULT_COUNTRY = "timor_leste"
DEFAULT_YEAR = 2025
DEFAULT_OUT = Path("floorsim-output")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality).",
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def main() -> None:
    """floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality)."""


@app.command(
    epilog=(
        "Examples:\n\n"
        "  floorsim run\n\n"
        "  floorsim run --reform country_packages/timor_leste/reforms/saii_increase.yaml --period 2025 --out results\n\n"
        "  floorsim run --replicates 500 --seed 7          # more bootstrap replicates for the confidence intervals\n\n"
        "  floorsim run --no-report                        # summary.json and tables only (no workbook, charts, HTML)\n\n"
        "Writes into --out: summary.json, report.html, results.xlsx, tables/*.csv|parquet, charts/*.png|svg "
        "(see docs/cli.md)."
    )
)
def run(
    country: Annotated[str, typer.Option(help="Country package under country_packages/.")] = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path],
        typer.Option(help="Survey folder in floorsim's format, or a data file with --mapping (default: bundled survey)."),
    ] = None,
    mapping: Annotated[
        Optional[Path], typer.Option(help="YAML mapping of a CSV/Parquet/Stata/SPSS survey file (docs/data_model.md).")
    ] = None,
    reform: Annotated[
        Optional[list[Path]],
        typer.Option(help="Reform file (YAML/JSON parameter changes); repeatable. Default: the package's default."),
    ] = None,
    period: Annotated[int, typer.Option(help="Simulated year.")] = DEFAULT_YEAR,
    jobs: Annotated[int, typer.Option(help="Worker processes (-1: all cores; 1: no parallelism).")] = -1,
    chunk_size: Annotated[int, typer.Option(help="Households per chunk.")] = 5_000,
    backend: Annotated[
        str, typer.Option(help="loky (processes on this machine), sequential, or dask (needs --scheduler).")
    ] = "loky",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for stochastic assignments (recorded in provenance).")] = 0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = DEFAULT_OUT,
    replicates: Annotated[
        int,
        typer.Option(
            min=0,
            help="Bootstrap replicates of the survey design for standard errors and 95% confidence intervals "
            "(0: Taylor linearisation).",
        ),
    ] = DEFAULT_REPLICATES,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Write summary.json and the tables only (no workbook, charts, HTML).")
    ] = False,
    language: Annotated[
        str,
        typer.Option(help=f"Language of the labels of the outputs ({', '.join(available_languages())}).")
    ] = "en",
) -> None:
    """Compare the baseline with one or more reforms on a survey; print the headline and write summary.json, tidy
    tables (CSV, Parquet), an Excel workbook, charts (PNG, SVG) and a self-contained HTML report into --out."""
    try:
        spec = load_country(country)
        survey_path = survey or BUNDLED_SURVEY
        if mapping is not None:
            from surveys import read_survey as read_mapped_survey

            data = read_mapped_survey(survey_path, mapping=mapping)
        else:
            data = read_survey(survey_path)
        reform_paths = reform or ([spec.default_reform_path()] if spec.default_reform_path() else [])
        if not reform_paths:
            raise FloorsimError(f"country '{country}' has no default reform; pass --reform FILE")
        reforms = [load_reform(path) for path in reform_paths]
        names = [spec_.name for spec_ in reforms]
        if len(set(names)) != len(names) or BASELINE in names:
            raise FloorsimError(f"reform names must be distinct and not '{BASELINE}': {names}")
        if backend == "loky" and jobs == 1:
            backend = "sequential"
        if backend == "dask" and not scheduler:
            raise FloorsimError("--backend dask needs --scheduler ADDRESS")
        simulation = Microsimulation(
            country,
            data,
            period,
            chunk_size=chunk_size,
            backend=backend,
            n_jobs=jobs,
            seed=seed,
            dask_client=scheduler,
            progress=True,
        )
        if language not in available_languages():
            raise FloorsimError(f"no labels for language '{language}'; available: {', '.join(available_languages())}")
        results = simulation.run({BASELINE: None, **{spec_.name: spec_ for spec_ in reforms}})
        for spec_ in reforms:
            print_headline(results, spec_.name, spec_.label)
        written = write_outputs(
            results, names, out, survey_path=survey_path, replicates=replicates, seed=seed, language=language,
            full=not no_report,
        )
        console.print(f"Wrote into {out}: {escape(describe_outputs(written, out))}", highlight=False)
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None


def print_headline(results, reform: str, label: str) -> None:
    """Print the baseline / reform / change table of one reform."""
    survey = results.metadata
    title = f"{results.spec.label} {results.year}: baseline vs {reform}" + (f" ({label})" if label else "")
    table = Table(title=title, caption=f"Survey: {survey.name}{' (synthetic)' if survey.synthetic else ''}")
    table.add_column("Indicator")
    for column in ("Baseline", "Reform", "Change"):
        table.add_column(column, justify="right")
    comparison = results.comparison(reform)
    for row in headline_rows(results, comparison):
        figures = comparison[row.key]
        table.add_row(
            row.label,
            format_value(figures["baseline"], row.kind),
            format_value(figures["reform"], row.kind),
            format_value(figures["change"], row.kind, change=True),
        )
    console.print(table)


# ----- floorsim household: every programme for one household ("single window") -----


@app.command(
    "household",
    epilog=(
        "Examples:\n\n"
        "  floorsim household --person age=72 --period 2024-03\n\n"
        "  floorsim household --person age=30,pregnant=true --person age=1 --household municipality=Ainaro "
        "--period 2023-05\n\n"
        "  floorsim household examples/household_example.yaml --period 2024\n\n"
        "  floorsim household examples/household_example.yaml --period 2025-03 "
        "--reform country_packages/timor_leste/reforms/saii_increase.yaml --json"
    ),
)
def household_command(
    file: Annotated[
        Optional[Path],
        typer.Argument(help="Household file (YAML/JSON): 'persons' with their inputs, 'household' inputs, 'period'."),
    ] = None,
    person: Annotated[
        Optional[list[str]],
        typer.Option("--person", help="A person as NAME=VALUE pairs, e.g. age=67,sex=male; repeatable."),
    ] = None,
    household: Annotated[
        Optional[list[str]],
        typer.Option("--household", help="Household inputs as NAME=VALUE pairs, e.g. municipality=Ainaro."),
    ] = None,
    country: Annotated[str, typer.Option(help="Country package under country_packages/.")] = DEFAULT_COUNTRY,
    period: Annotated[
        Optional[str],
        typer.Option(
            help="Month (2025-03), or year (2025: amounts summed over its months). Default: the file's period, "
            "else the current month of the latest year the package has legislation for."
        ),
    ] = None,
    reform: Annotated[
        Optional[list[Path]], typer.Option(help="Reform file (YAML/JSON) to compare with; repeatable.")
    ] = None,
    depth: Annotated[
        int, typer.Option(help="How far down the formulas the explanation goes (1: the direct inputs).")
    ] = single_household.DEFAULT_DEPTH,
    brief: Annotated[bool, typer.Option("--brief", help="Amounts and verdicts only, without the details.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Amounts under every programme of a country package for one household, and why each does or does not apply."""
    try:
        described = single_household.load_household(country, file, person or (), household or ())
        report = single_household.simulate_household(country, described, period, reform or (), depth)
    except FloorsimError as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    print_household(report, details=not brief)


def print_household(report: single_household.HouseholdReport, details: bool = True) -> None:
    """The single-window table (amounts and verdicts per programme) and, with ``details``, the explanation trees."""
    baseline, reforms = report.scenarios[0], report.scenarios[1:]
    per = "a month" if report.period_unit == "month" else "over the year (sum of the months)"

    def listing(values: dict) -> str:
        return ", ".join(f"{key} {single_household.format_value(value)}" for key, value in values.items())

    people = ", ".join(
        f"{p.name} ({', '.join(filter(None, [report.roles[p.name], listing(p.inputs)]))})"
        for p in report.household.persons
    )
    caption = f"Persons: {people}."
    if report.household.inputs:
        caption += f" Household: {listing(report.household.inputs)}."
    if report.defaults_used:
        caption += f"\nNot given (for some or all persons), so defaults were used: {listing(report.defaults_used)}."
    table = Table(
        title=f"{report.country_label}, {report.period}: one household, amounts in {report.currency} {per}",
        caption=escape(caption),
    )
    table.add_column("Programme")
    table.add_column("Baseline" if reforms else "Amount", justify="right")
    for scenario in reforms:
        table.add_column(scenario.name, justify="right")
        table.add_column("Change", justify="right")
    table.add_column("Why", overflow="fold")
    fmt = single_household.format_money
    for index, programme in enumerate(baseline.programmes):
        cells = [f"{escape(programme.label)}\n[dim]{programme.name}[/dim]", fmt(programme.amount)]
        why = _verdict_lines(programme, report)
        for scenario in reforms:
            changed = scenario.programmes[index]
            cells += [fmt(changed.amount), fmt(changed.amount - programme.amount)]
            if changed.amount != programme.amount:
                base_lines = set(_verdict_lines(programme, report))
                why += [
                    f"[bold]{escape(scenario.name)}[/bold]: {line}"
                    for line in _verdict_lines(changed, report)
                    if line not in base_lines
                ]
        table.add_row(*cells, "\n".join(why))
    total = ["[bold]Total[/bold]", f"[bold]{fmt(baseline.total)}[/bold]"]
    for scenario in reforms:
        total += [f"[bold]{fmt(scenario.total)}[/bold]", f"[bold]{fmt(scenario.total - baseline.total)}[/bold]"]
    table.add_row(*total, "")
    console.print(table)
    if not details:
        return
    for scenario in report.scenarios:
        for index, programme in enumerate(scenario.programmes):
            if scenario is not baseline and programme.amount == baseline.programmes[index].amount:
                continue
            console.print()
            console.print(_explanation_tree(programme, scenario.name if scenario is not baseline else "", report))


def _verdict_lines(programme: single_household.ProgrammeResult, report: single_household.HouseholdReport) -> list[str]:
    return [escape(line) for line in single_household.format_verdicts(programme.verdicts, report.currency)]


def _explanation_tree(programme, scenario: str, report: single_household.HouseholdReport) -> Tree:
    shown = programme.amounts.get(single_household.HOUSEHOLD_ID, programme.amounts)
    amounts = f"{single_household.format_value(shown)} {report.currency}"
    under = f" under {scenario}" if scenario else ""
    tree = Tree(f"[bold]{escape(programme.label)}[/bold]{escape(under)}: {programme.variable} = {escape(amounts)}")
    parents = {0: tree}
    for factor in programme.factors:
        parent = parents.get(factor.depth - 1, tree)
        text = f"{escape(factor.name)} = [bold]{escape(single_household.format_factor_values(factor))}[/bold]"
        if factor.kind == "variable" and factor.label != factor.name:
            text += f"  [dim]{escape(factor.label)}[/dim]"
        parents[factor.depth] = parent.add(text)
    return tree


# ----- floorsim params: browse the parameter tree -----


@app.command(
    "params",
    epilog=(
        "Examples:\n\n"
        "  floorsim params benefits.saii\n\n"
        "  floorsim params benefits.saii.amount --history\n\n"
        "  floorsim params benefits --date 2023-06-01\n\n"
        "  floorsim params --search 'poverty line' --json"
    ),
)
def params_command(
    path: Annotated[
        Optional[str], typer.Argument(help="Dotted path in the parameter tree, e.g. benefits.saii (default: all).")
    ] = None,
    country: Annotated[str, typer.Option(help="Country package under country_packages/.")] = DEFAULT_COUNTRY,
    date: Annotated[
        Optional[str], typer.Option(help="Date of the values shown: YYYY-MM-DD, YYYY-MM or YYYY. Default: today.")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="Every dated value with its reference.")] = False,
    search: Annotated[
        Optional[str], typer.Option(help="Words to find in parameter names and descriptions (all must match).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Browse a country package's parameters: values at a date, units, references, history; search them."""
    try:
        if history and search:
            raise FloorsimError("give --history or --search, not both")
        from simulations.engine.scenarios import baseline_system

        load_country(country)
        parameters = baseline_system(country).parameters
        when = parameters_browser.parse_date(date)
        if history:
            rows = parameters_browser.history(parameters, path)
        elif search is not None:
            entries = parameters_browser.search(parameters, search, when, path)
        else:
            entries = parameters_browser.list_subtree(parameters, path, when)
    except FloorsimError as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    if history:
        if as_json:
            data = {"country": country, "path": path or "", "history": [row.to_dict() for row in rows]}
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        else:
            print_parameter_history(rows, path or "")
        return
    if as_json:
        data = {"country": country, "date": when.isoformat(), "path": path or "", "search": search,
                "entries": [entry.to_dict() for entry in entries]}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    elif search is None and len(entries) == 1 and entries[0].kind != "node":
        print_parameter(entries[0], when)
    else:
        title = f"Parameters matching '{search}'" if search is not None else f"Parameters under {path or 'the root'}"
        print_parameter_table(entries, f"{title} ({country}, values on {when.isoformat()})")


def _reference_lines(references: list, short: bool = False) -> str:
    """References as bullet lines: the title (a terminal link to the source) and, unless ``short``, the address;
    ``short`` also cuts long titles."""
    lines = []
    for reference in references:
        title = reference.title if not short or len(reference.title) <= 70 else reference.title[:69] + "…"
        title = escape(title)
        if reference.href:
            address = "" if short else f" ({escape(reference.href)})"
            lines.append(f"• [link={reference.href}]{title}[/link]{address}")
        else:
            lines.append(f"• {title}")
    return "\n".join(lines)


def print_parameter(entry: parameters_browser.ParameterEntry, when) -> None:
    """One parameter or scale: description, value at the date, unit, number of values, references, documentation."""
    table = Table(title=f"{entry.path}", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    value = parameters_browser.format_parameter_value(entry.value)
    since = f" (since {entry.since})" if entry.since else " (not in force on this date)"
    table.add_row("Description", escape(entry.description))
    table.add_row(f"Value on {when.isoformat()}", escape(value + since))
    table.add_row("Unit", escape(parameters_browser.format_unit(entry.unit)))
    table.add_row("Dated values", f"{entry.values_count} (see --history)")
    table.add_row("References", _reference_lines(entry.references))
    if entry.documentation:
        table.add_row("Documentation", escape(entry.documentation))
    console.print(table)


def print_parameter_table(entries: list, title: str) -> None:
    """Folders, parameters and scales, one row each: value (unit, since when, how many dated values), description
    and reference titles (terminal links)."""
    table = Table(title=title, caption="Full references and documentation: floorsim params PATH (or --json)")
    table.add_column("Parameter", overflow="fold", ratio=3)
    table.add_column("Value", overflow="fold", ratio=2)
    table.add_column("Description and references", ratio=4)
    for entry in entries:
        if entry.kind == "node":
            table.add_row(f"[bold]{escape(entry.path)}[/bold]", "", f"[dim]{escape(entry.description)}[/dim]")
            continue
        unit = parameters_browser.format_unit(entry.unit)
        separator = "\n" if entry.kind == "scale" else " "
        value = escape(parameters_browser.format_parameter_value(entry.value) + (f"{separator}{unit}" if unit else ""))
        since = f"since {entry.since}" if entry.since else "not in force"
        value += f"\n[dim]{since} · {entry.values_count} value{'s' if entry.values_count != 1 else ''}[/dim]"
        text = escape(entry.description)
        if entry.references:
            text += "\n[dim]" + _reference_lines(entry.references, short=True) + "[/dim]"
        table.add_row(escape(entry.path), value, text)
    if not entries:
        table.caption = "nothing found"
    console.print(table)


def print_parameter_history(rows: list, path: str) -> None:
    """Every dated value (of every parameter under ``path``) with its references."""
    several = len({row.path for row in rows}) > 1
    table = Table(title=f"History of {path or 'every parameter'}")
    if several:
        table.add_column("Parameter", overflow="fold")
    table.add_column("From")
    table.add_column("Value", justify="right")
    table.add_column("References")
    for row in rows:
        references = _reference_lines(row.references)
        if not row.own_reference and references:
            references = "[dim](the parameter's references)[/dim]\n" + references
        cells = [row.start, escape(parameters_browser.format_parameter_value(row.value)), references]
        table.add_row(*([escape(row.path)] if several else []), *cells)
    console.print(table)


# ----- floorsim diff: what a change to a country package does (regression testing, docs/regression_testing.md) -----


@app.command(
    "diff",
    epilog=(
        "Examples:\n\n"
        "  floorsim diff origin/main HEAD\n\n"
        "  floorsim diff HEAD . --period 2024,2025 --out diff-report\n\n"
        "  floorsim diff old_copy/timor_leste country_packages/timor_leste --json\n\n"
        "  floorsim diff origin/main HEAD --fail-if 'total_cost:rel>0.05' --fail-if 'poverty_headcount:abs>0.005'"
    ),
)
def diff_command(
    old: Annotated[str, typer.Argument(help="Old version: a git revision (e.g. origin/main) or a folder with the package.")],
    new: Annotated[
        str, typer.Argument(help="New version: a git revision (e.g. HEAD) or a folder ('.' for the working tree).")
    ],
    country: Annotated[
        str, typer.Option(help="Country package under country_packages/, or path of its floorsim.yaml.")
    ] = DEFAULT_COUNTRY,
    period: Annotated[
        Optional[list[str]], typer.Option(help="Simulated year; repeatable or comma-separated (2024,2025).")
    ] = None,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder in floorsim's format (default: the bundled survey).")
    ] = None,
    out: Annotated[Optional[Path], typer.Option(help="Folder to write diff.md and diff.json to.")] = None,
    fail_if: Annotated[
        Optional[list[str]],
        typer.Option(
            "--fail-if",
            help="Exit with status 1 when a figure's change exceeds a threshold: FIGURE:rel>X (relative to the old "
            "value) or FIGURE:abs>X (figure units; rates as fractions); repeatable.",
        ),
    ] = None,
    repo: Annotated[
        Optional[Path], typer.Option(help="Git repository of the revisions (default: the one holding this folder).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes for each version's run (1: sequential).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown.")] = False,
) -> None:
    """Compare two versions of a country package: parameters and variables changed, and the impact on the survey."""
    from simulations.regression import diff as package_diff
    from simulations.reports.atomic import write_text_atomic

    try:
        periods = [int(part) for item in (period or [str(DEFAULT_YEAR)]) for part in item.split(",") if part.strip()]
    except ValueError:
        errors.print(f"floorsim: error: --period takes years, e.g. 2025 or 2024,2025; got {period}", markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        report = package_diff.run_diff(
            old, new, country=country, periods=periods, survey=survey, repo=repo, jobs=jobs, fail_if=fail_if or ()
        )
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    markdown = package_diff.render_markdown(report)
    document = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out / "diff.md", markdown)
        write_text_atomic(out / "diff.json", document + "\n")
    typer.echo(document if as_json else markdown, nl=as_json)
    if report["failed"]:
        breached = [f"{row['threshold']} in {row['period']}" for row in report["thresholds"] if row["breached"]]
        errors.print(f"floorsim: thresholds breached: {', '.join(breached)}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)


# ----- floorsim golden: check or regenerate the golden aggregates (tests/golden/) -----


@app.command(
    "golden",
    epilog=(
        "Examples:\n\n"
        "  floorsim golden\n\n"
        "  floorsim golden --update\n\n"
        "  floorsim golden --update --year 2024 --year 2025"
    ),
)
def golden_command(
    country: Annotated[
        str, typer.Option(help="Country package under country_packages/, or path of its floorsim.yaml.")
    ] = DEFAULT_COUNTRY,
    update: Annotated[bool, typer.Option("--update", help="Regenerate the snapshot instead of checking it.")] = False,
    snapshot: Annotated[
        Optional[Path], typer.Option(help="Snapshot file (default: tests/golden/<country>.json).")
    ] = None,
    year: Annotated[
        Optional[list[int]], typer.Option(help="Reference year for --update; repeatable (default: the snapshot's).")
    ] = None,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder (default: the country's bundled survey).")
    ] = None,
) -> None:
    """Check the headline figures of the baseline and every library reform against the committed snapshot."""
    from simulations.regression import golden

    code = golden.run(country, update=update, snapshot=snapshot, years=year, survey=survey)
    if code:
        raise typer.Exit(code=code)


# ----- floorsim variants: a grid of reform variants run together, compared, and the cost-poverty frontier -----


@app.command(
    "variants",
    epilog=(
        "Examples:\n\n"
        "  floorsim variants country_packages/social_protection_floor/examples/child_benefit_grid.yaml\n\n"
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
    jobs: Annotated[int, typer.Option(help="Worker processes (-1: all cores; 1: no parallelism).")] = -1,
    chunk_size: Annotated[
        Optional[int], typer.Option(help="Households per chunk (default: the survey split evenly between workers).")
    ] = None,
) -> None:
    """Run every variant of a grid against one baseline in one pass; print and write the comparison and frontier."""
    from simulations.design import variants as variant_grids

    try:
        outcome = variant_grids.run_grid(variant_grids.load_grid(grid), jobs=jobs, chunk_size=chunk_size)
        written = outcome.write(out)
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
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
            format_value(row.total_cost, "money"),
            "" if row.cost_pct_gdp != row.cost_pct_gdp else f"{row.cost_pct_gdp:.2f}",
            format_value(row.beneficiaries, "count"),
            format_value(row.poverty_headcount_change, "rate", change=True),
            format_value(row.gini_change, "rate", change=True),
        )
    console.print(table)


# ----- floorsim solve: the parameter value that meets a cost, budget-neutrality or poverty target -----


@app.command(
    "solve",
    epilog=(
        "Examples:\n\n"
        "  floorsim solve --parameter social_protection_floor.child.share --low 0 --high 1 "
        "--target cost-share-of-gdp=0.01 --base country_packages.social_protection_floor.SocialProtectionFloor\n\n"
        "  floorsim solve --parameter benefits.universal_child_grant.amount --low 0 --high 100 "
        "--target poverty-change=-0.02 --base country_packages/timor_leste/reforms/universal_child_grant.yaml\n\n"
        "  floorsim solve --parameter benefits.saii.amount --low 0 --high 60 "
        "--target budget-neutral-with=country_packages/timor_leste/reforms/universal_child_grant.yaml\n\n"
        "  floorsim solve --parameter social_protection_floor.old_age.minimum_age --low 55 --high 80 --integer "
        "--target cost-share-of-gdp=0.02 --base country_packages.social_protection_floor.SocialProtectionFloor "
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
    country: Annotated[
        str, typer.Option(help="Country package under country_packages/, or path of its floorsim.yaml.")
    ] = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder or file (default: the bundled survey).")
    ] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping (YAML) for a survey file.")] = None,
    period: Annotated[int, typer.Option(help="Simulated year.")] = DEFAULT_YEAR,
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
    jobs: Annotated[int, typer.Option(help="Worker processes (-1: all cores; 1: no parallelism).")] = -1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Find the value of a parameter that meets a target, by bracketing and bisection (several points per run)."""
    import datetime

    from simulations.design import solve as solver
    from simulations.design import variants as variant_grids

    try:
        goal = solver.parse_target(target)
        try:
            start_date = datetime.date.fromisoformat(start) if start else None
        except ValueError:
            raise solver.SolveError(f"--start takes a date YYYY-MM-DD, got '{start}'") from None
        data = variant_grids.load_survey_for(survey, mapping)
        simulation = variant_grids.make_simulation(country, data, period, jobs=jobs)
        solution = solver.solve(
            simulation, parameter, low, high, goal, base=base or (), baseline=baseline or (), start=start_date,
            points=points, xtol=xtol, ftol=ftol, max_runs=max_runs, integer=integer,
            gdp=variant_grids.GDPSetting(parameter=gdp_parameter, scale=gdp_scale),
        )
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
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

# ----- floorsim project: multi-year cost and impact projections -----


@app.command(
    "project",
    epilog=(
        "Examples:\n\n"
        "  floorsim project country_packages/timor_leste/projections/assumptions_2025_2035.yaml\n\n"
        "  floorsim project country_packages/timor_leste/projections/assumptions_2025_2035.yaml "
        "--reform country_packages/timor_leste/reforms/saii_increase.yaml "
        "--reform country_packages/timor_leste/reforms/universal_child_grant.yaml --out projection"
    ),
)
def project_command(
    assumptions: Annotated[
        Path, typer.Argument(help="Assumptions file (YAML): population, macro path, indexation, take-up.")
    ],
    reform: Annotated[
        Optional[list[Path]],
        typer.Option(help="Reform file (YAML/JSON); repeatable. Default: the assumptions file's reforms."),
    ] = None,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder (default: the file's survey, else the bundled survey).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes for each year's engine run (1: no parallelism).")] = 1,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("floorsim-projection"),
) -> None:
    """Project cost (money, % of GDP, % of government expenditure), beneficiaries, poverty and Gini of the baseline
    and reforms for every year of an assumptions file; write a tidy table (CSV, Parquet), an Excel workbook and a
    chart of cost paths."""
    from simulations.projections import project, write_outputs

    try:
        result = project(
            assumptions, reform or None, survey=survey, backend="sequential" if jobs == 1 else "loky", n_jobs=jobs
        )
        written = write_outputs(result, out)
    except (FloorsimError, SurveyError, OSError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
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


@app.command(
    "survey",
    epilog=(
        "Examples:\n\n"
        "  floorsim survey\n\n"
        "  floorsim survey tests/fixtures/eusilc/eusilc.parquet --mapping surveys/examples/eusilc_mapping.yaml "
        "--country country_template\n\n"
        "  floorsim survey my_survey_folder --json"
    ),
)
def survey_command(
    path: Annotated[
        Optional[Path], typer.Argument(help="Survey folder, or a data file with --mapping (default: the bundled survey).")
    ] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="YAML mapping of a CSV/Parquet/Stata/SPSS file.")] = None,
    country: Annotated[
        str, typer.Option(help="Country package whose inputs the survey must provide (checked, listed).")
    ] = DEFAULT_COUNTRY,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Describe and validate a survey: sizes, weighted totals, distributions, missing values, warnings, and the
    columns a country package needs that the survey lacks."""
    from surveys import describe_survey
    from surveys import read_survey as read_any_survey

    try:
        spec = load_country(country)
        data = read_any_survey(path or BUNDLED_SURVEY, mapping=mapping) if mapping else read_survey(path or BUNDLED_SURVEY)
        report = describe_survey(data)
        tables = {"person": set(data.persons.columns), "household": set(data.households.columns)}
        gaps = [
            f"{country} input '{variable}' needs {entity} column '{column.column}'"
            for entity, inputs in spec.inputs.items()
            for variable, column in inputs.items()
            if column.column not in tables[entity]
        ]
        report["country_inputs"] = {"country": country, "missing_columns": gaps}
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        return
    print_survey_report(report)


def print_survey_report(report: dict) -> None:
    """The survey report as terminal tables."""
    meta, sizes = report["survey"], report["sizes"]
    title = f"Survey {meta['name']} ({meta['country']}, {meta['reference_year']})" + (
        " - SYNTHETIC" if meta.get("synthetic") else ""
    )
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in sizes.items():
        shown = f"{value:,.2f}" if isinstance(value, float) and abs(value - round(value)) > 1e-3 else f"{value:,.0f}"
        table.add_row(key.replace("_", " "), shown if isinstance(value, (int, float)) else str(value))
    table.add_row("welfare", f"{meta['welfare_concept']} ({meta['welfare_unit']})")
    console.print(table)
    for name, distribution in report["distributions"].items():
        part = Table(title=name.replace("_", " ") + " (weighted)")
        part.add_column("category")
        part.add_column("weighted count", justify="right")
        for category, count in distribution.items():
            part.add_row(str(category), f"{count:,.0f}")
        console.print(part)
    missing = report.get("missing") or {}
    console.print(f"Missing values: {missing if missing else 'none'}")
    gaps = report["country_inputs"]["missing_columns"]
    console.print(f"Columns the {report['country_inputs']['country']} package needs and the survey lacks: " + ("; ".join(gaps) if gaps else "none"))
    warnings = report.get("warnings") or []
    console.print(f"Warnings: {len(warnings)}")
    for warning in warnings:
        if isinstance(warning, dict):
            examples = ", ".join(str(i) for i in warning.get("ids", [])[:5])
            text = f"{warning.get('rule')} [{warning.get('field')}]: {warning.get('count')} (e.g. ids {examples})"
        else:
            text = str(warning)
        console.print(f"  - {text}", markup=False, highlight=False)


# ----- floorsim serve: the workshop web app -----


@app.command(
    "serve",
    epilog=(
        "Examples:\n\n"
        "  floorsim serve                                   # http://127.0.0.1:8000 (this machine only)\n\n"
        "  floorsim serve --port 8080 --period 2024\n\n"
        "  floorsim serve --survey my_survey_folder --host 0.0.0.0   # reachable from the network: see docs/web_app.md"
    ),
)
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    country: Annotated[str, typer.Option(help="Default country package under country_packages/.")] = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder offered besides the bundled survey (default: bundled only).")
    ] = None,
    period: Annotated[int, typer.Option(help="Default simulated year.")] = DEFAULT_YEAR,
    jobs: Annotated[int, typer.Option(min=1, help="Worker processes of the engine (1: no parallelism).")] = 2,
) -> None:
    """Start the web app (pages and JSON API, see docs/web_app.md): browse parameters, run reforms, compare saved
    variants, download the workbook and report, check a household's entitlements."""
    try:
        from simulations.web import serve

        load_country(country)
        if survey is not None and not survey.is_dir():
            raise FloorsimError(f"survey folder not found: {survey}")
        serve(host=host, port=port, country=country, survey=survey, period=period, n_jobs=jobs)
    except (FloorsimError, SurveyError) as error:
        errors.print(f"floorsim: error: {error}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None


if __name__ == "__main__":
    app()
