"""The ``floorsim`` command line.

Every command fails with a non-zero exit status and a one-line reason (no traceback) on bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from simulations.countries import load_country
from simulations.engine import BASELINE, Microsimulation
from simulations.errors import FloorsimError
from simulations.reforms import load_reform
from simulations.reports.summary import format_value, headline_rows, write_summary
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
        "  floorsim run --reform country_packages/timor_leste/reforms/saii_increase.yaml --period 2025 --out results"
    )
)
def run(
    country: Annotated[str, typer.Option(help="Country package under country_packages/.")] = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder in floorsim's format (default: the bundled survey).")
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
) -> None:
    """Compare the baseline with one or more reforms on a survey; print the headline and write summary.json."""
    try:
        spec = load_country(country)
        survey_path = survey or BUNDLED_SURVEY
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
        results = simulation.run({BASELINE: None, **{spec_.name: spec_ for spec_ in reforms}})
        for spec_ in reforms:
            folder = out if len(reforms) == 1 else out / spec_.name
            print_headline(results, spec_.name, spec_.label)
            written = write_summary(results, spec_.name, folder, survey_path)
            console.print(f"Wrote {written}")
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


if __name__ == "__main__":
    app()
