"""Simulated beneficiaries and spending against administrative figures (``docs/validation.md``).

The figures live beside the country package (``validation/administrative_figures.yaml``), each with its source.
``python -m floorsim.simulations.regression.validation [COUNTRY]`` runs the engine on the survey the package declares for its
regression checks (``regression.survey`` in its ``floorsim.yaml``) for every year that has a figure, and prints the
Markdown table that ``docs/validation.md`` holds; a test checks that the document is up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import yaml

from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.microsimulation import Microsimulation
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.regression.settings import bundled_survey
from floorsim.surveys import load_survey
from floorsim.surveys.model import Survey

FIGURES_FILE = Path("validation") / "administrative_figures.yaml"


def administrative_figures(country: str) -> pd.DataFrame:
    """The country's administrative figures as a table (programme, year, measure, unit, value, note, source)."""
    spec = load_country(country)
    raw = yaml.safe_load((spec.folder / FIGURES_FILE).read_text(encoding="utf-8"))["figures"]
    table = pd.DataFrame(raw)
    table["source"] = [entry["source"]["title"] for entry in raw]
    table["note"] = table.get("note", pd.Series([None] * len(table))).fillna("")
    return table


def validation_table(country: str, survey: Survey) -> pd.DataFrame:
    """Administrative figures with the simulated value of the same measure on ``survey`` and the ratio."""
    figures = administrative_figures(country)
    simulated = []
    for year in sorted(figures["year"].unique()):
        results = Microsimulation(country, survey, int(year), backend="sequential").run({"baseline": None})
        for row in figures[figures["year"] == year].itertuples():
            if row.measure == "spending":
                simulated.append((row.Index, results.programme_cost("baseline", row.programme)))
            else:
                simulated.append((row.Index, results.programme_beneficiaries("baseline", row.programme)))
    figures["simulated"] = pd.Series(dict(simulated))
    figures["simulated_over_reported"] = figures["simulated"] / figures["value"]
    return figures


def markdown_table(table: pd.DataFrame) -> str:
    """The validation table as Markdown (numbers rounded for reading)."""
    lines = [
        "| programme | year | measure | reported | simulated | simulated / reported | note | source |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for row in table.itertuples():
        unit = row.unit.split(" per ")[0] if row.measure == "spending" else row.unit  # "USD per year" → "USD"
        lines.append(
            f"| {row.programme} | {row.year} | {row.measure} ({unit}) | {row.value:,.0f} | {row.simulated:,.0f} | "
            f"{row.simulated_over_reported:.2f} | {row.note} | {row.source} |"
        )
    return "\n".join(lines) + "\n"


def bundled_validation_table(country: str) -> pd.DataFrame:
    """:func:`validation_table` on the survey the country declares for its regression checks."""
    folder = bundled_survey(country)
    if folder is None:
        raise FloorsimError(f"country '{country}' declares no survey (regression.survey in its floorsim.yaml)")
    return validation_table(country, load_survey(folder))


if __name__ == "__main__":
    sys.stdout.write(markdown_table(bundled_validation_table(sys.argv[1] if len(sys.argv) > 1 else "timor_leste")))
