"""``floorsim survey``: describe and validate a survey, and list the columns a country package needs that it lacks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, JsonOption
from floorsim.simulations.cli.terminal import console, reported_errors
from floorsim.simulations.engine.countries import load_country
from floorsim.surveys.bundled import BUNDLED_SURVEY
from floorsim.surveys import load_survey


@app.command(
    "survey",
    epilog=(
        "Examples:\n\n"
        "  floorsim survey\n\n"
        "  floorsim survey my_survey.parquet --mapping my_mapping.yaml "
        "--country country_template\n\n"
        "  floorsim survey my_survey_folder --json\n\n"
        "  floorsim survey census.dta --mapping census.yaml --write census_folder   # then: floorsim run --survey "
        "census_folder --stream"
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
    as_json: JsonOption = False,
    write: Annotated[
        Optional[Path],
        typer.Option(help="Also write the validated survey as a survey folder in floorsim's format (households.parquet "
                     "and persons.parquet in household-aligned row groups): what `floorsim run --stream` reads."),
    ] = None,
) -> None:
    """Describe and validate a survey: sizes, weighted totals, distributions, missing values, warnings, and the
    columns a country package needs that the survey lacks; with --write, save it as a survey folder."""
    from floorsim.surveys import describe_survey

    with reported_errors(OSError):  # --write: a folder of other files, no space, no permission: one line
        spec = load_country(country)
        data = load_survey(path or BUNDLED_SURVEY, mapping=mapping)
        report = describe_survey(data)
        tables = {"person": set(data.persons.columns), "household": set(data.households.columns)}
        gaps = [
            f"{country} input '{variable}' needs {entity} column '{column.column}'"
            for entity, inputs in spec.inputs.items()
            for variable, column in inputs.items()
            if column.column not in tables[entity]
        ]
        report["country_inputs"] = {"country": country, "missing_columns": gaps}
        if write is not None:
            from floorsim.surveys import write_survey

            write_survey(data, write)  # staged, then renamed into place: never a half-written folder
            report["written_to"] = str(write)
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        return
    print_survey_report(report)
    if write is not None:
        console.print(escape(f"Wrote the survey folder {write} (floorsim run --survey {write} --stream)"),
                      highlight=False)


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
        table.add_row(key.replace("_", " "), _size(value))
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


def _size(value: object) -> str:
    """One figure of the sizes table: whole numbers with thousands separators, fractions with two decimals, and
    "not given" for what the survey does not record (strata and PSUs of a survey without a design)."""
    if value is None:
        return "not given"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    return f"{value:,.2f}" if abs(value - round(value)) > 1e-3 else f"{value:,.0f}"
