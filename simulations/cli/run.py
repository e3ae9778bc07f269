"""``floorsim run``: a baseline and one or more reforms on a survey; the headline table and the outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from simulations.cli.app import app
from simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_OUT, DEFAULT_YEAR, CountryOption, JobsOption, YearOption
from simulations.cli.terminal import console, reported_errors
from simulations.engine.countries import load_country
from simulations.engine.microsimulation import BASELINE, Microsimulation
from simulations.engine.provenance import record_simulated_year
from simulations.engine.scenarios import resolve_reform
from simulations.errors import FloorsimError
from simulations.reports.labels import available_languages
from simulations.reports.outputs import describe_outputs, write_outputs
from simulations.reports.numbers import format_figure
from simulations.projections.simulated_year import parse_population_year, simulated_year
from simulations.reports.summary import headline_rows, year_facts
from simulations.reports.tables import DEFAULT_REPLICATES
from surveys.bundled import BUNDLED_SURVEY
from surveys import load_survey


@app.command(
    epilog=(
        "Examples:\n\n"
        "  floorsim run\n\n"
        "  floorsim run --reform country_packages/timor_leste/reforms/saii_increase.yaml --period 2025 --out results\n\n"
        "  floorsim run --replicates 500 --seed 7          # more bootstrap replicates for the confidence intervals\n\n"
        "  floorsim run --no-report                        # summary.json and tables only (no workbook, charts, HTML)\n\n"
        "  floorsim run --period 2025 --population-year survey   # the survey's own population (no reweighting)\n\n"
        "Writes into --out: summary.json, report.html, results.xlsx, tables/*.csv|parquet, charts/*.png|svg "
        "(see docs/cli.md)."
    )
)
def run(
    country: CountryOption = DEFAULT_COUNTRY,
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
    period: YearOption = DEFAULT_YEAR,
    jobs: JobsOption = -1,
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
    population_year: Annotated[
        Optional[str],
        typer.Option(
            help="Population the survey is weighted to: 'survey' (its own weights) or a year of the country's "
            "population projection. Default: the simulated year where a projection covers it, else the survey's.",
        ),
    ] = None,
) -> None:
    """Compare the baseline with one or more reforms on a survey; print the headline and write summary.json, tidy
    tables (CSV, Parquet), an Excel workbook, charts (PNG, SVG) and a self-contained HTML report into --out."""
    with reported_errors():
        spec = load_country(country)
        survey_path = survey or BUNDLED_SURVEY
        data = load_survey(survey_path, mapping=mapping)
        year = simulated_year(spec, data, period, parse_population_year(population_year))
        reform_paths = reform or ([spec.default_reform_path()] if spec.default_reform_path() else [])
        if not reform_paths:
            raise FloorsimError(f"country '{country}' has no default reform; pass --reform FILE")
        reforms = [resolve_reform(path, spec) for path in reform_paths]
        names = [spec_.name for spec_ in reforms]
        if len(set(names)) != len(names) or BASELINE in names:
            raise FloorsimError(f"reform names must be distinct and not '{BASELINE}': {names}")
        if backend == "loky" and jobs == 1:
            backend = "sequential"
        if backend == "dask" and not scheduler:
            raise FloorsimError("--backend dask needs --scheduler ADDRESS")
        simulation = Microsimulation(
            country,
            year.survey,
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
        prices = year.macro.price_context(period, year.survey.metadata.reference_year) if year.macro else None
        results = record_simulated_year(results, year.population, year.cost_denominators, prices)
        for spec_ in reforms:
            print_headline(results, spec_.name, spec_.label)
        written = write_outputs(
            results, names, out, replicates=replicates, seed=seed, language=language,
            full=not no_report,
        )
        console.print(f"Wrote into {out}: {escape(describe_outputs(written, out))}", highlight=False)


def print_headline(results, reform: str, label: str) -> None:
    """Print the baseline / reform / change table of one reform."""
    survey = results.metadata
    title = f"{results.spec.label} {results.year}: baseline vs {reform}" + (f" ({label})" if label else "")
    caption = [f"Survey: {survey.name}{' (synthetic)' if survey.synthetic else ''}"]
    caption += year_facts(results.provenance, results.spec.currency)
    table = Table(title=title, caption="\n".join(escape(line) for line in caption))
    table.add_column("Indicator")
    for column in ("Baseline", "Reform", "Change"):
        table.add_column(column, justify="right")
    comparison = results.comparison(reform)
    for row in headline_rows(results, comparison):
        figures = comparison[row.key]
        table.add_row(
            row.label,
            format_figure(figures["baseline"], row.kind),
            format_figure(figures["reform"], row.kind),
            format_figure(figures["change"], row.kind, change=True),
        )
    console.print(table)
