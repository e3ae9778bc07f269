"""``floorsim run``: a baseline and one or more reforms on a survey (or the baseline alone: ``--baseline-only``,
the diagnostic of current law); the headline table and the outputs.

Before anything is simulated or written, the run checks that the survey's money is in the package's currency
(else ``--convert RATE`` or the mapping's ``metadata.conversion`` must say how to convert it, and the conversion is
recorded in the provenance) and that the period is one the package covers (``floorsim.simulations.analysis.covered_years``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_OUT, DEFAULT_YEAR, CountryOption, JobsOption, YearOption
from floorsim.simulations.cli.terminal import (console, member_lines, print_baseline, print_headline, progress_wanted,
                                      reported_errors)
from floorsim.simulations.cli.options import DEFAULT_TABLE_FORMATS, CsvDialectOption, TableFormatsOption
from floorsim.simulations.reports.comparison import comparison_text_rows
from floorsim.simulations.reports.tabular import check_formats, parse_formats
from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.analysis.unknown_members import unknown_member_record
from floorsim.simulations.design.spf_scenarios import on_the_run_line
from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.engine.provenance import record_simulated_year
from floorsim.simulations.engine.scenarios import resolve_reform
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.reports.labels import Labels, available_languages, get_labels
from floorsim.simulations.reports.outputs import describe_outputs, write_outputs
from floorsim.simulations.projections.simulated_year import check_period_covered, parse_population_year, simulated_year
from floorsim.simulations.reports.tables import DEFAULT_REPLICATES
from floorsim.simulations.regression.settings import resolve_survey
from floorsim.surveys.bundled import BUNDLED_SURVEY
from floorsim.surveys import load_survey
from floorsim.surveys.model import Survey
from floorsim.surveys.readers import convert_currency


@app.command(
    epilog=(
        "Examples:\n\n"
        "  floorsim run\n\n"
        "  floorsim run --reform saii_increase --period 2025 --out results   # a reform shipped with the package\n\n"
        "  floorsim run --replicates 500 --seed 7          # more bootstrap replicates for the confidence intervals\n\n"
        "  floorsim run --no-report                        # summary.json and tables only (no workbook, charts, HTML)\n\n"
        "  floorsim run --period 2025 --population-year survey   # the survey's own population (no reweighting)\n\n"
        "  floorsim run --baseline-only                    # current law alone: the diagnostic of an ABND\n\n"
        "  floorsim run --survey hh.csv --mapping hh.yaml --convert 0.000043   # survey money x rate = package's\n\n"
        "  floorsim run --survey census_folder --stream    # a survey larger than memory, one row group at a time\n\n"
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
        typer.Option(help="Reform: a YAML/JSON file of parameter changes, a reform shipped with the package (e.g. "
                     "saii_increase), spf (the ILO floor) or module:Class; repeatable. Default: the package's default "
                     "(none: a baseline-only run)."),
    ] = None,
    baseline_only: Annotated[
        bool,
        typer.Option("--baseline-only", help="Current law alone (no reform): poverty, inequality, cost and coverage "
                     "of today's programmes with confidence intervals."),
    ] = False,
    convert: Annotated[
        Optional[float],
        typer.Option(help="Convert the survey's money into the package's currency: units of the package's currency "
                     "per unit of the survey's (recorded in the provenance)."),
    ] = None,
    period: YearOption = DEFAULT_YEAR,
    jobs: JobsOption = -1,
    chunk_size: Annotated[Optional[int], typer.Option(help="Households per chunk (default: chosen from the survey's size).")] = None,
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
    formats: TableFormatsOption = DEFAULT_TABLE_FORMATS,
    csv_dialect: CsvDialectOption = "default",
    stream: Annotated[
        Optional[bool],
        typer.Option("--stream/--no-stream",
                     help="Stream a survey folder one row group at a time, holding only households in memory (for "
                     "surveys larger than memory; the same figures). Default: stream folders of more than "
                     f"{STREAM_ABOVE_PERSONS:,} persons."),
    ] = None,
) -> None:
    """Compare the baseline with one or more reforms on a survey (or report the baseline alone); print the headline
    and write summary.json, tidy tables (CSV, Parquet), an Excel workbook, charts (PNG, SVG) and a self-contained
    HTML report into --out."""
    with reported_errors():
        phases = Phases(show=progress_wanted())  # timed into summary.json (provenance.phase_timings); shown on a terminal, not under -q
        spec = load_country(country)
        if baseline_only and reform:
            raise FloorsimError("--baseline-only runs current law alone: give no --reform")
        check_period_covered(spec, period)
        table_formats = parse_formats(formats)
        check_formats(table_formats, csv_dialect)
        survey_path = survey or resolve_survey(spec) or BUNDLED_SURVEY  # the country's bundled survey first
        with phases.phase("reading the survey"):
            data = in_package_currency(open_survey(survey_path, mapping, stream), spec, convert)
            year = simulated_year(spec, data, period, parse_population_year(population_year))
        reform_paths = [] if baseline_only else (
            reform or ([spec.default_reform_path()] if spec.default_reform_path() else []))
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
            progress=progress_wanted(),
        )
        labels = get_labels(language)  # a one-line LanguageError naming the languages with a catalogue
        prices = year.macro.price_context(period, year.survey.metadata.reference_year) if year.macro else None
        line = prices.poverty_line if prices is not None else None
        reforms = [  # the floor pays shares of the line the run measures poverty with (spf_scenarios.on_the_run_line)
            dataclasses.replace(spec_, steps=tuple(on_the_run_line(spec_.steps, line, f"{period}-01-01")))
            for spec_ in reforms
        ]
        with phases.phase("simulation", display=False):  # the engine shows its own bar (chunks done)
            results = simulation.run({BASELINE: None, **{spec_.name: spec_ for spec_ in reforms}})
        results = record_simulated_year(results, year.population, year.cost_denominators, prices)
        results = record_survey_facts(results, data)
        for spec_ in reforms:
            print_headline(results, spec_.name, spec_.label, labels)
        if len(reforms) > 1:
            print_comparison(results, names, labels)
        if not reforms:
            print_baseline(results, labels)
        print_unknown_members(results.provenance.get("unknown_age_sex"), spec.currency, labels)
        written = write_outputs(
            results, names, out, replicates=replicates, seed=seed, language=language,
            full=not no_report, formats=table_formats, csv_dialect=csv_dialect, phases=phases,
        )
        console.print(escape(labels.text("cli.wrote", out=out, files=describe_outputs(written, out, labels))),
                      highlight=False)


# Above this many persons a survey folder is streamed by default: in memory, a run of a million persons peaks
# under 1 GB and the peak grows with the persons (docs/PERFORMANCE.md, "End to end").
STREAM_ABOVE_PERSONS = 1_500_000


def open_survey(path: Path, mapping: Path | None, stream: bool | None):
    """The survey of a run: read into memory (:func:`floorsim.surveys.load_survey`), or opened to be streamed one
    row group at a time (:class:`floorsim.surveys.streamed.StreamedSurvey`, households only in memory) with
    ``--stream``, and by default for a survey folder of more than :data:`STREAM_ABOVE_PERSONS` persons.

    Raises:
        FloorsimError: ``--stream`` with a data file and its mapping (only a survey folder in floorsim's format can
            be streamed: write one with ``floorsim survey FILE --mapping MAPPING --write FOLDER``).
    """
    from floorsim.surveys.io import HOUSEHOLDS_FILE, PERSONS_FILE

    folder = mapping is None and path.is_dir() and (path / HOUSEHOLDS_FILE).is_file() and (path / PERSONS_FILE).is_file()
    if stream and not folder:
        raise FloorsimError(
            f"--stream: {path} is not a survey folder in floorsim's format (households.parquet and persons.parquet); "
            "only such a folder can be streamed: write one with `floorsim survey FILE --mapping MAPPING --write FOLDER`"
        )
    if stream is None and folder:
        stream = _persons_in_folder(path / PERSONS_FILE) > STREAM_ABOVE_PERSONS
    if stream:
        from floorsim.surveys.streamed import StreamedSurvey

        return StreamedSurvey.open(path)
    return load_survey(path, mapping=mapping)


def _persons_in_folder(persons_file: Path) -> int:
    """Rows of a survey folder's persons file, from its Parquet footer (nothing else is read); 0 if unreadable (the
    in-memory reader then says what is wrong)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(persons_file).metadata.num_rows)
    except (pa.ArrowInvalid, OSError):
        return 0


def in_package_currency(survey: Survey, spec: CountrySpec, rate: float | None) -> Survey:
    """The survey with money in the package's currency: as it is when the currencies match; converted at ``rate``
    (``--convert``) when they differ; otherwise a one-line error saying how to convert."""
    currency = survey.metadata.currency
    if rate is not None:
        if currency == spec.currency:
            raise FloorsimError(f"--convert {rate}: the survey is already in {currency}, the currency of country "
                                f"'{spec.name}'; drop --convert")
        return convert_currency(survey, spec.currency, rate,
                                f"--convert {rate} (command line): {spec.currency} per {currency}")
    if currency != spec.currency:
        raise FloorsimError(
            f"the survey {survey.origin} is in {currency} but country '{spec.name}' computes in {spec.currency}; "
            f"pass --convert RATE ({spec.currency} per {currency}) or give metadata.conversion in the mapping"
        )
    return survey


def record_survey_facts(results, survey: Survey):
    """``results`` with what the run must say about its survey recorded in the provenance: a currency conversion
    (from, to, rate, source), how a household-level file was turned into persons, and the persons of unknown age
    and sex with the person benefits they receive (``floorsim.simulations.analysis.unknown_members``)."""
    record = dict(results.provenance)
    for key in ("currency_conversion", "household_level"):
        if key in survey.metadata.extra:
            record[key] = survey.metadata.extra[key]
    unknown = unknown_member_record(results)
    if unknown is not None:
        record["unknown_age_sex"] = unknown
    return dataclasses.replace(results, provenance=record)


def print_unknown_members(record: dict | None, currency: str, labels: Labels | None = None) -> None:
    """Say how many persons have unknown age and sex, and which person benefits reach them (``labels``' language;
    the lines: ``cli.terminal.member_lines``)."""
    for line in member_lines(record, currency, labels):
        console.print(escape(line), highlight=False)


def print_comparison(results, reforms: list[str], labels: Labels | None = None) -> None:
    """Print every option side by side with the baseline (``floorsim.simulations.reports.comparison``)."""
    labels = labels or get_labels()
    header, rows = comparison_text_rows(results, reforms, labels)
    table = Table(title=labels.text("cli.options_compared", country=results.spec.label, year=results.year))
    for index, title in enumerate(header):
        table.add_column(escape(title), justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
