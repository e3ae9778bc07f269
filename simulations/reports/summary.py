"""The headline comparison of a reform against the baseline: rows for the terminal and ``summary.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from simulations.engine.provenance import provenance
from surveys.atomic import write_text_atomic
from simulations.engine.results import Results

SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class Row:
    """One headline figure: a key in the results, a label with its unit, and how to print it."""

    key: str
    label: str
    kind: str  # "money", "count", "rate" or "index"


def headline_rows(results: Results, comparison: dict[str, dict[str, float]] | None = None) -> list[Row]:
    """The figures shown in the headline table, programmes first.

    Given the ``comparison``, programmes that pay nothing in both scenarios (not in force that year) are left out.
    """
    currency = results.spec.currency
    rows: list[Row] = []
    for key, programme in results.spec.programmes.items():
        if comparison is not None and not any(comparison[f"{key}_cost"][side] for side in ("baseline", "reform")):
            continue
        unit = "persons" if programme.entity == "person" else "households"
        rows.append(Row(f"{key}_cost", f"{programme.label}: cost ({currency} million/year)", "money"))
        rows.append(Row(f"{key}_beneficiaries", f"{programme.label}: beneficiaries ({unit})", "count"))
    rows += [
        Row("total_cost", f"All cash transfers: cost ({currency} million/year)", "money"),
        Row("poverty_headcount", "Poverty headcount, national line (% of persons)", "rate"),
        Row("poor_persons", "Persons in poverty", "count"),
        Row("poverty_gap", "Poverty gap index (% of the line)", "rate"),
        Row("gini", "Gini of welfare per capita (x100)", "index"),
    ]
    return rows


def format_value(value: float, kind: str, change: bool = False) -> str:
    """A figure as printed: money in millions (2 decimals), counts rounded, rates and Gini in points (2 decimals)."""
    sign = "+" if change else ""
    if kind == "money":
        return f"{value / 1e6:{sign},.2f}"
    if kind == "count":
        return f"{value:{sign},.0f}"
    return f"{100 * value:{sign}.2f}"


def summary_document(results: Results, reform: str, survey_path: str | Path | None) -> dict:
    """The content of ``summary.json``: headline figures (raw units: currency/year, fractions) and provenance."""
    comparison = results.comparison(reform)
    return {
        "baseline": "baseline",
        "reform": reform,
        "period": results.year,
        "currency": results.spec.currency,
        "units": {
            "*_cost": f"{results.spec.currency} per year",
            "*_beneficiaries": "persons (person programmes) or households (household programmes)",
            "poverty_headcount": "fraction of persons with welfare per capita below the national line",
            "poverty_gap": "FGT(1), fraction of the line",
            "gini": "Gini coefficient of welfare per capita, person-weighted (0-1)",
        },
        "headline": comparison,
        "provenance": provenance(results, survey_path),
    }


def summary_json(document: dict) -> str:
    """The text of ``summary.json`` for a ``summary_document``."""
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_summary(results: Results, reform: str, out: str | Path, survey_path: str | Path | None = None) -> Path:
    """Write ``summary.json`` into the folder ``out`` atomically and return its path."""
    document = summary_document(results, reform, survey_path)
    return write_text_atomic(Path(out) / SUMMARY_FILE, summary_json(document))
