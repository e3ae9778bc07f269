"""A validation report of a survey: sizes, weighted totals, missing values and warnings.

Errors (rules of the data model) stop a survey from being built at all; this report is for what is legal but
suspicious and worth a look before simulating: implausible household sizes and ages, zero or negative welfare,
extreme values and extreme weights. It is what the ``floorsim survey`` command prints.

Every number is plain Python (``int``, ``float``, ``str``, ``list``, ``dict``), so the report serialises to JSON
or YAML as it is. Money is per month in the survey's currency; "weighted" means summed with household weights for
household figures and with :attr:`Survey.person_weight` for person figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from floorsim.indicators import weighted_quantile
from floorsim.surveys.model import Survey, income_components

# Thresholds of the warnings. They flag, never change, data; each is stated in the warning's text.
MAX_PLAUSIBLE_HOUSEHOLD_SIZE = 20
MAX_PLAUSIBLE_AGE = 100
MIN_HEAD_AGE = 15
# welfare per capita above 20 x the weighted median over persons (floorsim.indicators.weighted_quantile, Eurostat's
# definition), or below 1/20 of it
EXTREME_WELFARE_RATIO = 20.0
EXTREME_WEIGHT_RATIO = 10.0  # a household weight above 10 x the median weight, or below 1/10 of it
PREGNANCY_AGES = (10, 55)
MIN_SCHOOL_AGE = 3
MIN_WORKING_AGE = 5
AGE_GROUPS = (0, 5, 15, 25, 45, 65)  # lower bounds of the age groups of the report, in years
EXAMPLE_IDS = 10


def describe_survey(survey: Survey) -> dict[str, Any]:
    """Summarise ``survey`` and list its warnings.

    Returns:
        A dict with keys ``survey`` (metadata), ``sizes`` (counts, weighted counts, design), ``totals``
        (weighted welfare and income components, per month), ``distributions`` (weighted persons by sex, age group,
        employment status; weighted households by size), ``missing`` (missing values per column, for columns
        outside the model, which the model does not check) and ``warnings``: a list of
        ``{"rule", "field", "count", "ids"}`` with at most 10 example ids (household or person ids).
    """
    households = survey.households
    weight = households["weight"].to_numpy(np.float64)
    person_weight = survey.person_weight
    size = survey.household_size
    report: dict[str, Any] = {
        "survey": _metadata(survey),
        "sizes": _sizes(survey, weight, person_weight, size),
        "totals": _totals(survey, weight, person_weight),
        "distributions": _distributions(survey, weight, person_weight, size),
        "missing": _missing(survey),
        "warnings": survey_warnings(survey),
    }
    return report


def survey_warnings(survey: Survey) -> list[dict[str, Any]]:
    """Suspicious but legal data in ``survey``: one entry per rule that some rows break (see module constants)."""
    households, persons = survey.households, survey.persons
    hh_ids = households["household_id"].to_numpy()
    person_ids = persons["person_id"].to_numpy()
    age = persons["age"].to_numpy()
    size = survey.household_size
    welfare = survey.welfare()
    per_capita = survey.welfare_per_capita()
    weight = households["weight"].to_numpy(np.float64)
    concept = survey.welfare_column
    found: list[dict[str, Any]] = []

    def flag(rule: str, field: str, mask: np.ndarray, ids: np.ndarray) -> None:
        if mask.any():
            found.append(
                {"rule": rule, "field": field, "count": int(mask.sum()), "ids": ids[mask][:EXAMPLE_IDS].tolist()}
            )

    flag(f"household with more than {MAX_PLAUSIBLE_HOUSEHOLD_SIZE} members", "household_id",
         size > MAX_PLAUSIBLE_HOUSEHOLD_SIZE, hh_ids)
    flag(f"person older than {MAX_PLAUSIBLE_AGE} years", "age", age > MAX_PLAUSIBLE_AGE, person_ids)
    is_head = (persons["relationship"] == "head").to_numpy()
    flag(f"household head younger than {MIN_HEAD_AGE}", "age", is_head & (age < MIN_HEAD_AGE), person_ids)
    adults = np.bincount(survey.person_household_index, weights=age >= MIN_HEAD_AGE, minlength=len(households))
    flag(f"household without a member aged {MIN_HEAD_AGE} or more", "household_id", adults == 0, hh_ids)
    flag(f"household with zero {concept}", concept, welfare == 0, hh_ids)
    flag(f"household with negative {concept}", concept, welfare < 0, hh_ids)
    positive = per_capita > 0
    if positive.any():
        median = weighted_quantile(per_capita[positive], (weight * size)[positive], 0.5)
        flag(
            f"{concept} per capita more than {EXTREME_WELFARE_RATIO:g} times the weighted median ({median:.2f})",
            concept, per_capita > EXTREME_WELFARE_RATIO * median, hh_ids,
        )
        flag(
            f"{concept} per capita below 1/{EXTREME_WELFARE_RATIO:g} of the weighted median ({median:.2f})",
            concept, positive & (per_capita < median / EXTREME_WELFARE_RATIO), hh_ids,
        )
    median_weight = float(np.median(weight))
    flag(f"household weight more than {EXTREME_WEIGHT_RATIO:g} times the median weight ({median_weight:.2f})",
         "weight", weight > EXTREME_WEIGHT_RATIO * median_weight, hh_ids)
    flag(f"household weight below 1/{EXTREME_WEIGHT_RATIO:g} of the median weight ({median_weight:.2f})",
         "weight", weight < median_weight / EXTREME_WEIGHT_RATIO, hh_ids)
    pregnant = persons["pregnant"].to_numpy()
    flag("pregnant male", "pregnant", pregnant & (persons["sex"] == "male").to_numpy(), person_ids)
    low, high = PREGNANCY_AGES
    flag(f"pregnant person aged under {low} or over {high}", "pregnant", pregnant & ((age < low) | (age > high)),
         person_ids)
    if "gave_birth" in persons.columns:  # births in the last 12 months: women of childbearing age only
        births = persons["gave_birth"].to_numpy(bool)
        flag("gave birth, male", "gave_birth", births & (persons["sex"] == "male").to_numpy(), person_ids)
        flag(f"gave birth, aged under {low} or over {high}", "gave_birth", births & ((age < low) | (age > high)),
             person_ids)
    flag(f"in school under age {MIN_SCHOOL_AGE}", "in_school", persons["in_school"].to_numpy() & (age < MIN_SCHOOL_AGE),
         person_ids)
    if "employment_status" in persons.columns:
        employed = (persons["employment_status"] == "employed").to_numpy()
        flag(f"employed under age {MIN_WORKING_AGE}", "employment_status", employed & (age < MIN_WORKING_AGE),
             person_ids)
    return found


def _metadata(survey: Survey) -> dict[str, Any]:
    meta = survey.metadata
    return {
        "name": meta.name,
        "country": meta.country,
        "reference_year": meta.reference_year,
        "reference_period": meta.reference_period,
        "currency": meta.currency,
        "welfare_concept": meta.welfare_concept,
        "welfare_unit": meta.welfare_unit,
        "synthetic": meta.synthetic,
        "origin": survey.origin,
    }


def _sizes(survey: Survey, weight: np.ndarray, person_weight: np.ndarray, size: np.ndarray) -> dict[str, Any]:
    households = survey.households
    return {
        "households": len(households),
        "persons": len(survey.persons),
        "weighted_households": float(weight.sum()),
        "weighted_persons": float(person_weight.sum()),
        "mean_household_size_weighted": float(np.sum(weight * size) / weight.sum()),
        "largest_household": int(size.max()),
        "regions": int(households["region"].nunique()),
        "strata": int(households["stratum"].nunique()) if "stratum" in households.columns else None,
        "psus": int(households["psu"].nunique()) if "psu" in households.columns else None,
    }


def _totals(survey: Survey, weight: np.ndarray, person_weight: np.ndarray) -> dict[str, Any]:
    """Weighted totals per month (float64 sums), and the weighted mean welfare per capita over persons."""
    welfare = survey.welfare()
    per_capita = survey.welfare_per_capita()[survey.person_household_index]
    components = {
        f"households.{name}": float(np.sum(weight * survey.households[name].to_numpy(np.float64)))
        for name in income_components(survey.households)
    }
    components.update(
        {
            f"persons.{name}": float(np.sum(person_weight * survey.persons[name].to_numpy(np.float64)))
            for name in income_components(survey.persons)
        }
    )
    return {
        "welfare": float(np.sum(weight * welfare)),
        "welfare_per_capita_mean": float(np.sum(person_weight * per_capita) / person_weight.sum()),
        "income_components": components,
    }


def _distributions(
    survey: Survey, weight: np.ndarray, person_weight: np.ndarray, size: np.ndarray
) -> dict[str, dict[str, float]]:
    persons = survey.persons
    edges = [*AGE_GROUPS, np.inf]
    labels = [f"{lo}-{int(hi) - 1}" if np.isfinite(hi) else f"{lo}+" for lo, hi in zip(edges[:-1], edges[1:])]
    age_group = pd.cut(persons["age"], bins=edges, right=False, labels=labels)
    out = {
        "persons_by_sex": _weighted_counts(persons["sex"], person_weight),
        "persons_by_age_group": _weighted_counts(age_group.astype(str), person_weight, order=labels),
        "households_by_size": _weighted_counts(pd.Series(size), weight),
        "persons_by_region": _weighted_counts(
            survey.households["region"].to_numpy()[survey.person_household_index], person_weight
        ),
    }
    if "employment_status" in persons.columns:
        out["persons_by_employment_status"] = _weighted_counts(persons["employment_status"], person_weight)
    return out


def _weighted_counts(values: Any, weights: np.ndarray, order: list[str] | None = None) -> dict[str, float]:
    sums = pd.Series(weights).groupby(pd.Series(np.asarray(values)).astype(str).to_numpy()).sum()
    keys = order if order is not None else sorted(sums.index, key=_natural)
    return {str(key): float(sums.get(key, 0.0)) for key in keys}


def _natural(key: str) -> tuple[int, float | str]:
    try:
        return (0, float(key))
    except ValueError:
        return (1, key)


def _missing(survey: Survey) -> dict[str, int]:
    out = {}
    for table_name, table in (("households", survey.households), ("persons", survey.persons)):
        for name in table.columns:
            count = int(table[name].isna().sum())
            if count:
                out[f"{table_name}.{name}"] = count
    return out

