"""The headline comparison of a reform against the baseline: rows for the terminal and ``summary.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from floorsim.simulations.analysis.headline import (
    FIGURE_BY_KEY,
    baseline_figures,
    figure_label,
    figure_unit,
    poverty_line_label,
    shown_figures,
)
from floorsim.surveys.atomic import write_text_atomic
from floorsim.simulations.engine.results import Results
from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.numbers import format_number, shown_unit

SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class Row:
    """One headline figure: a key in the results, a label with its unit as shown, and its kind
    (``floorsim.simulations.analysis.headline.figure_kind``)."""

    key: str
    label: str
    kind: str


def headline_rows(
    results: Results, comparison: dict[str, dict[str, float]] | None = None, labels: Labels | None = None
) -> list[Row]:
    """The figures shown in the headline table, programmes first, labelled with the run's poverty line and the
    unit they are shown in (``Poverty headcount, 60 % of median (% of persons)``).

    Given the ``comparison``, programmes that pay nothing in both scenarios (not in force that year) are left out.
    """
    labels = labels or Labels()
    spec = results.spec
    rows = []
    for figure in shown_figures(spec, comparison):
        unit = shown_unit(figure.kind, figure_unit(figure, spec, labels), labels, spec.currency)
        rows.append(Row(figure.key, f"{figure_label(figure, spec, labels)} ({unit})", figure.kind))
    return rows


def summary_units(results: Results, labels: Labels | None = None) -> dict[str, str]:
    """The ``units`` of ``summary.json``: what the raw numbers of each figure are, with the run's poverty line, in
    ``labels``' language."""
    labels = labels or Labels()
    line = poverty_line_label(results.spec, labels)
    gap = figure_label(FIGURE_BY_KEY["poverty_gap"], results.spec, labels)
    return {
        "*_cost": labels.text("units.cost", currency=results.spec.currency),
        "*_beneficiaries": labels["units.beneficiaries"],
        "poverty_headcount": labels.text("units.poverty_headcount", line=line),
        "poor_persons": labels.text("units.poor_persons", line=line),
        "poverty_gap": labels.text("units.poverty_gap", gap=gap),
        "gini": labels["units.gini"],
        "total_cost_share_gdp": labels["units.total_cost_share_gdp"],
        "total_cost_share_expenditure": labels["units.total_cost_share_expenditure"],
    }


def year_facts(provenance: dict, currency: str, labels: Labels | None = None) -> list[str]:
    """Sentences stating the population the run stands for (year, persons, source) and the GDP and government
    expenditure its costs are divided by (year, value in millions, source), or why one is not shown; from the
    record the run made (``provenance["population"]``, ``provenance["cost_denominators"]``), its facts written in
    ``labels``' language (``Labels.fact``)."""
    labels = labels or Labels()
    facts = []
    population = provenance.get("population")
    if population:
        source = labels.fact(population.get("source_fact") or population["source"])
        facts.append(labels.text("text.population", year=population["year"], source=source,
                                 persons=format_number(population["persons"], "count", labels)))
    denominators = provenance.get("cost_denominators") or {}
    for name in ("gdp", "government_expenditure"):
        figure = denominators.get(name)
        if figure:
            facts.append(labels.text("text.denominator", name=labels[f"denominator.{name}"], year=figure["year"],
                                     currency=currency, value=format_number(figure["value"], "money_millions", labels),
                                     source=labels.fact(figure.get("source_fact") or figure["source"])))
    notes = denominators.get("note_facts") or denominators.get("notes", [])
    facts += [labels.text("text.denominator_missing", note=labels.fact(note)) for note in notes]
    return facts


def summary_document(results: Results, reform: str | None, labels: Labels | None = None) -> dict:
    """The content of ``summary.json``: headline figures (raw units: currency/year, fractions) and the provenance the
    engine recorded when it ran. ``reform`` None: a baseline-only run (the diagnostic of current law), whose
    ``headline`` has the baseline side only. The ``units`` are written in ``labels``' language."""
    return {
        "baseline": "baseline",
        "reform": reform,
        "baseline_only": reform is None,
        "period": results.year,
        "currency": results.spec.currency,
        "units": summary_units(results, labels),
        "headline": baseline_figures(results) if reform is None else results.comparison(reform),
        "population": results.provenance.get("population"),
        "cost_denominators": results.provenance.get("cost_denominators"),
        "provenance": results.provenance,
    }


def summary_json(document: dict) -> str:
    """The text of ``summary.json`` for a ``summary_document``."""
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def write_summary(results: Results, reform: str | None, out: str | Path) -> Path:
    """Write ``summary.json`` into the folder ``out`` atomically and return its path."""
    document = summary_document(results, reform)
    return write_text_atomic(Path(out) / SUMMARY_FILE, summary_json(document))
