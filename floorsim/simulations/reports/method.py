"""The method section of a report: welfare concept, poverty line and price uprating, take-up, uncertainty."""

from __future__ import annotations

from collections.abc import Sequence

from floorsim.simulations.engine.results import Results
from floorsim.simulations.reports.labels import ENGLISH, Labels
from floorsim.simulations.reports.numbers import format_number
from floorsim.simulations.reports.sampling import Uncertainty


def _take_up(results: Results, programmes: Sequence[str]) -> list[tuple[str, float, str]]:
    """(programme label, baseline take-up rate, rate parameter) of the programmes drawn with take-up, as the engine
    recorded them when it ran (``run_info["take_up_rates"]``)."""
    spec = results.spec
    rates = results.run_info.get("take_up_rates", {}).get("baseline", {})
    return [
        (spec.programmes[key].label, float(rates[key]), spec.programmes[key].take_up)
        for key in programmes
        if spec.programmes[key].take_up and key in rates
    ]


def method_notes(results: Results, uncertainty: Uncertainty, programmes: Sequence[str], labels: Labels) -> list[str]:
    """The method section: welfare concept, poverty line and price uprating, take-up, uncertainty."""
    meta, spec = results.metadata, results.spec
    prices = results.prices
    notes = [
        labels.text(
            "method.welfare", welfare_concept=_welfare_concept(meta.welfare_concept, labels),
            welfare_definition=meta.welfare_definition or "-",
            year=results.year,
        )
    ]
    line = format_number(results.poverty_line, "money_month", labels)
    if spec.poverty_line.share_of_median is None:
        notes.append(
            labels.text(
                "method.poverty_line_national", base_value=format_number(prices.poverty_line_base_value, "money_month", labels), currency=spec.currency,
                base_date=prices.poverty_line_base_date, year=results.year, line=line,
                reference_year=meta.reference_year,
                uprating=format_number(prices.consumption_uprating, "fraction4", labels),
            )
        )
    else:
        notes.append(
            labels.text("method.poverty_line_relative", line=line, currency=spec.currency,
                        share=format_number(spec.poverty_line.share_of_median, "percent0", labels))
        )
    moved = meta.extra.get("projection")
    if moved:  # the survey was moved to the simulated year before the run (floorsim run's population year)
        notes.append(
            labels.text(
                "method.survey_moved", survey_year=moved["survey_reference_year"], year=moved["year"],
                population_year=moved["population_year"],
                money_factor=format_number(moved["money_factor"], "fraction4", labels),
            )
        )
    if prices.notes:
        notes.append(labels.text("method.price_notes", notes="; ".join(labels.recorded(note) for note in prices.notes)))
    take_up = _take_up(results, programmes)
    if take_up:
        items = ", ".join(
            labels.text("method.take_up_item", programme=name, rate=format_number(rate, "percent0", labels),
                        parameter=parameter)
            for name, rate, parameter in take_up
        )
        notes.append(labels.text("method.take_up", programmes=items, seed=results.run_info.get("seed", 0)))
    else:
        notes.append(labels["method.take_up_none"])
    if uncertainty.replicates is not None:
        notes.append(
            labels.text("method.uncertainty_replicates", replicates=uncertainty.replicates.n_sets,
                        strata=uncertainty.strata, psus=uncertainty.psus, seed=uncertainty.seed)
        )
    else:
        notes.append(labels.text("method.uncertainty_linearization", strata=uncertainty.strata, psus=uncertainty.psus))
    notes.append(_calibration_note(uncertainty, labels))
    if uncertainty.lonely_strata:
        notes.append(
            labels.text("method.lonely_psu", count=uncertainty.lonely_strata,
                        treatment=labels[f"method.lonely_psu.{uncertainty.lonely_rule}"])
        )
    notes.append(labels["method.indicators"])
    return notes


def _calibration_note(uncertainty: Uncertainty, labels: Labels) -> str:
    """Whether the replicates were re-calibrated to the survey's margins, and to which (or why not)."""
    if uncertainty.replicates is None:
        key = "method.calibration_linearization" if uncertainty.calibration != "none" else "method.calibration_none"
        return labels[key]
    if uncertainty.calibration == "recalibrated":
        return labels.text("method.calibration_replicates",
                           margins=labels.recorded(uncertainty.replicates.calibration or "-"))
    return labels[f"method.calibration_{uncertainty.calibration}"]


def _welfare_concept(concept: str, labels: Labels) -> str:
    """The survey's welfare concept (``consumption``, ``income``) in the report's language; as recorded otherwise."""
    key = f"welfare.{concept}"
    return labels[key] if key in ENGLISH else concept
