"""``floorsim spf``: the social protection floor costed the ILO way on a survey, guarantee by guarantee."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_YEAR, CountryOption, JobsOption, YearOption
from floorsim.simulations.cli.terminal import console, progress_wanted, reported_errors
from floorsim.simulations.reports.numbers import format_figure, format_number
from floorsim.simulations.reports.tables import DEFAULT_REPLICATES
from floorsim.surveys import load_survey
from floorsim.surveys.atomic import staged_folder
from floorsim.simulations.regression.settings import resolve_survey
from floorsim.surveys.bundled import BUNDLED_SURVEY


@app.command(
    "spf",
    epilog=(
        "Examples:\n\n"
        "  floorsim spf\n\n"
        "  floorsim spf --period 2025 --out results/spf\n\n"
        "  floorsim spf --country country_template --survey my_survey.parquet "
        "--mapping my_mapping.yaml --period 2017 --reform my_floor_line.yaml\n\n"
        "Writes into --out: spf.csv and spf.json (the table, notes and the floor's inputs)."
    ),
)
def spf_command(
    country: CountryOption = DEFAULT_COUNTRY,
    survey: Annotated[Optional[Path], typer.Option(help="Survey folder, or data file with --mapping.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="YAML mapping of a survey data file.")] = None,
    period: YearOption = DEFAULT_YEAR,
    reform: Annotated[
        Optional[list[Path]],
        typer.Option(help="Parameter changes applied after the floor (levels, a poverty line amount); repeatable."),
    ] = None,
    replicates: Annotated[
        int, typer.Option(min=0, help="Bootstrap replicates for the confidence intervals (0: linearisation).")
    ] = DEFAULT_REPLICATES,
    seed: Annotated[int, typer.Option(help="Seed of the replicates.")] = 0,
    jobs: JobsOption = 1,
    out: Annotated[Optional[Path], typer.Option(help="Folder for spf.csv and spf.json.")] = None,
) -> None:
    """Cost the ILO social protection floor on a survey: each guarantee's beneficiaries, cost (money, % of GDP, %
    of government expenditure), what current programmes already pay the same people (the gap), and its poverty
    and Gini impact with confidence intervals; the floor's total."""
    from floorsim.simulations.analysis.phases import Phases
    from floorsim.simulations.design.spf_costing import cost_floor
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import resolve_reform

    with reported_errors():
        phases = Phases(show=progress_wanted())  # shown on a terminal (not under -q); timings in spf.json
        spec = load_country(country)
        with phases.phase("reading the survey"):
            data = load_survey(survey or resolve_survey(spec) or BUNDLED_SURVEY, mapping=mapping)
        steps = [resolve_reform(path, spec) for path in reform or []]
        costing = cost_floor(country, data, period, steps=steps, jobs=jobs, replicates=replicates, seed=seed,
                             phases=phases)
        if out is not None:
            with phases.phase("writing the outputs"), staged_folder(out, merge=True) as staging:
                costing.table.to_csv(staging / "spf.csv", index=False)
                (staging / "spf.json").write_text(json.dumps(costing.as_json(), indent=2, default=str))
    print_costing(costing)
    if out is not None:
        console.print(f"Wrote {out / 'spf.csv'} and {out / 'spf.json'}", highlight=False)


def _interval(row, indicator: str, kind: str) -> str:
    """``change [low, high]`` of a poverty/Gini change, in the headline's style."""
    change = format_figure(row[f"{indicator}_change"], kind, change=True)
    low = format_figure(row[f"{indicator}_ci_low"], kind, change=True)
    high = format_figure(row[f"{indicator}_ci_high"], kind, change=True)
    return f"{change} [{low}, {high}]"


def print_costing(costing) -> None:
    """The ILO-style table of the floor."""
    results = costing.results
    currency = results.spec.currency
    title = f"{results.spec.label} {results.year}: the social protection floor (ILO levels, shares of the poverty line)"
    caption = [f"Survey: {results.metadata.name}{' (synthetic)' if results.metadata.synthetic else ''}; "
               f"poverty line {results.poverty_line:,.2f} {currency} per person per month; changes against current "
               "law with 95% confidence intervals."] + costing.notes
    table = Table(title=title, caption="\n".join(escape(line) for line in caption))
    headers = ("Guarantee", "Beneficiaries", f"Cost ({currency} m)", "% GDP", "% gov. exp.",
               f"Existing ({currency} m)", f"Gap ({currency} m)", "Poverty (pp)", "Gini (pts)")
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right", no_wrap=index == 0)
    for _, row in costing.table.iterrows():
        table.add_row(
            str(row["guarantee"]).replace("_", " "),
            format_figure(row["beneficiaries"], "count"),
            format_figure(row["cost"], "money"),
            format_number(row["cost_share_gdp"], "percent2"),
            format_number(row["cost_share_expenditure"], "percent2"),
            format_figure(row["existing_benefits"], "money"),
            format_figure(row["gap"], "money"),
            _interval(row, "poverty_headcount", "rate"),
            _interval(row, "gini", "index"),
        )
    console.print(table)
