"""The aggregate (RAP-style) cost of universal age-based schemes, and its cross-check with the microsimulation.

The ILO Rapid Assessment Protocol costs a universal scheme as *projected eligible population × take-up ×
benefit*. For an age-based scheme with monthly amount ``a_m(age)`` (base amount plus any age supplement, month by
month, from the scenario's indexed parameters) and eligible ages ``minimum_age <= age < age_limit``::

    cost_RAP(Y) = take_up × Σ_groups N_g × (1 / n_g) Σ_{age in g} eligible(age) × Σ_{m=1..12} a_m(age)

where ``N_g`` is the projected population of age group ``g`` (the assumptions' population file) and single ages
are spread evenly within a group (the RAP convention; the open last group is valued at its lower bound). The
microsimulated cost is ``Σ_persons w_i × amount_i`` over the persons in the eligible ages (the engine's annual
amounts after take-up draws), so a component paid outside those ages (e.g. the invalidity pension below the
old-age minimum age) is excluded explicitly and reported as ``excluded_cost``.

Where they must agree: when the eligible ages start and end at group boundaries and amounts change only at group
boundaries, calibration makes ``Σ w_i`` over each group equal to ``N_g``, so with take-up 1 the two costs are the
same sum up to float32 rounding in OpenFisca (relative 1e-6). With take-up below 1 the microsimulation draws who
takes up, which adds sampling noise of relative standard deviation
``sqrt(p (1 - p) Σ (w_i e_i)²) / (p Σ w_i e_i)`` (``e_i``: entitlement); the check allows 4 such deviations.

Where they need not: when an age limit or a supplement threshold falls inside a group (e.g. a child grant below
age 6 and the group 5-9), the microsimulation uses the survey's own (reweighted) ages within the group and the
RAP formula an even spread. ``aggregate_cost_survey_ages`` recomputes the formula with the survey's within-group
age distribution instead: it equals the microsimulation (take-up 1), which shows the whole difference comes from
that one assumption.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import pandas as pd
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.projections.assumptions import Assumptions, CrossCheckSpec
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.population import PopulationProjection
from floorsim.simulations.engine.reforms import find_parameter
from floorsim.simulations.engine.results import Results

NOISE_DEVIATIONS = 4.0


def _number(system: TaxBenefitSystem, value: str | int | None, instant: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, int):
        return float(value)
    found = find_parameter(system.parameters, value)(instant)
    return default if found is None else float(found)


def _scale(system: TaxBenefitSystem, path: str):
    return reduce(lambda node, part: node.children[part] if hasattr(node, "children") else getattr(node, part),
                  path.split("."), system.parameters)


def monthly_rules(system: TaxBenefitSystem, check: CrossCheckSpec, year: int) -> list[tuple]:
    """``(amount, supplement scale or None, low age, high age)`` in force on the first day of each month."""
    amount_parameter = find_parameter(system.parameters, check.amount)
    scale = _scale(system, check.age_supplement) if check.age_supplement else None
    rules = []
    for month in range(1, 13):
        instant = f"{year}-{month:02d}-01"
        rules.append((
            float(amount_parameter(instant) or 0.0),
            scale(instant) if scale is not None else None,
            _number(system, check.minimum_age, instant, -np.inf),
            _number(system, check.age_limit, instant, np.inf),
        ))
    return rules


def annual_amounts(rules: list[tuple], ages: np.ndarray) -> np.ndarray:
    """Annual entitlement (sum of the 12 monthly amounts of ``monthly_rules``) at each age; 0 if not eligible."""
    ages = np.asarray(ages, dtype=np.float64)
    total = np.zeros(len(ages))
    for amount, scale, low, high in rules:
        monthly = np.full(len(ages), amount)
        if scale is not None:
            monthly = monthly + np.asarray(scale.calc(ages), dtype=np.float64)
        total += np.where((ages >= low) & (ages < high), monthly, 0.0)
    return total


def eligible_ages(rules: list[tuple]) -> tuple[float, float]:
    """The widest ``[low, high)`` eligible age range over the months of the year."""
    return min(rule[2] for rule in rules), max(rule[3] for rule in rules)


def check_cross_checks(assumptions: Assumptions, system: TaxBenefitSystem, programmes: dict) -> None:
    """Unknown programmes or parameter paths in ``cross_checks``, named by file and field."""
    for position, check in enumerate(assumptions.cross_checks):
        field = f"{assumptions.where}: cross_checks[{position}]"
        if check.programme not in programmes:
            raise ProjectionError(f"{field}.programme: '{check.programme}' is not a programme of the country "
                                  f"(programmes: {', '.join(programmes)})")
        for key in ("amount", "minimum_age", "age_limit"):
            value = getattr(check, key)
            if isinstance(value, str):
                try:
                    find_parameter(system.parameters, value)
                except FloorsimError as error:
                    raise ProjectionError(f"{field}.{key}: {error}") from None
        if check.age_supplement:
            try:
                _scale(system, check.age_supplement).brackets  # noqa: B018 - a scale has brackets
            except (AttributeError, KeyError):
                raise ProjectionError(f"{field}.age_supplement: '{check.age_supplement}' is not a scale of the "
                                      "country package") from None


def cross_check_rows(
    results: Results,
    scenario: str,
    system: TaxBenefitSystem,
    population: PopulationProjection,
    assumptions: Assumptions,
    take_up_rates: dict[str, float],
) -> list[dict]:
    """One row per cross-check of ``scenario`` in the year of ``results`` (rows where nothing is paid are left out)."""
    year = results.year
    survey = results.survey
    if survey is None:
        raise ProjectionError("cross-checks need person-level results (an in-memory survey)")
    ages = survey.persons["age"].to_numpy(np.float64)
    weights = results.households["weight"][survey.person_household_index]
    rows = []
    for check in assumptions.cross_checks:
        programme = results.spec.programmes[check.programme]
        if programme.entity != results.spec.person_entity:
            raise ProjectionError(f"{assumptions.where}: cross_checks: '{check.programme}' is not paid to persons")
        received = results.scenario(scenario).person[programme.variable]
        rules = monthly_rules(system, check, year)
        low, high = eligible_ages(rules)
        in_range = (ages >= low) & (ages < high)
        micro = float(np.sum(weights * received * in_range, dtype=np.float64))
        excluded = float(np.sum(weights * received * ~in_range, dtype=np.float64))
        micro_beneficiaries = float(np.sum(weights * ((received > 0) & in_range)))
        rate = take_up_rates.get(check.programme, 1.0)
        top = int(max(ages.max(initial=0), population.groups[-1].low))
        by_age = annual_amounts(rules, np.arange(top + 1))  # integer ages, as surveyed
        entitlement = by_age[ages.astype(np.int64)]
        # RAP: even spread of single ages within each group.
        aggregate = aggregate_beneficiaries = survey_ages = 0.0
        for group in population.groups:
            annual = by_age[list(group.ages())]
            count = population.group_total(year, group.label)
            aggregate += rate * count * float(annual.mean())
            aggregate_beneficiaries += rate * count * float((annual > 0).mean())
            members = (ages >= group.low) & ((ages <= group.high) if group.high is not None else True)
            if members.any():
                survey_ages += rate * count * float(np.average(entitlement[members], weights=weights[members]))
        if micro == 0 and aggregate == 0:
            continue
        spread = np.sqrt(rate * (1 - rate) * np.sum((weights * entitlement) ** 2))
        noise = float(spread / (rate * np.sum(weights * entitlement))) if rate > 0 and entitlement.any() else 0.0
        difference = (micro - aggregate) / aggregate if aggregate else float("nan")
        within = None
        if check.tolerance is not None:
            within = bool(abs(micro - aggregate) <= (check.tolerance + NOISE_DEVIATIONS * noise) * abs(aggregate))
        rows.append(
            {
                "year": year,
                "scenario": scenario,
                "programme": check.programme,
                "label": check.label,
                "eligible_ages": _ages_text(low, high),
                "microsimulated_cost": micro,
                "aggregate_cost": aggregate,
                "relative_difference": difference,
                "aggregate_cost_survey_ages": survey_ages,
                "microsimulated_beneficiaries": micro_beneficiaries,
                "aggregate_beneficiaries": aggregate_beneficiaries,
                "excluded_cost": excluded,
                "take_up": rate,
                "take_up_noise_sd": noise,
                "tolerance": check.tolerance,
                "within_tolerance": within,
                "excluded": check.excluded,
                "explanation": check.explanation or check.tolerance_justification or "",
            }
        )
    return rows


def _ages_text(low: float, high: float) -> str:
    first = "0" if np.isinf(low) else f"{low:g}"
    return f"{first}+" if np.isinf(high) else f"{first}-{high - 1:g}"


def cross_check_frame(rows: list[dict]) -> pd.DataFrame:
    columns = [
        "year", "scenario", "programme", "label", "eligible_ages", "microsimulated_cost", "aggregate_cost",
        "relative_difference", "aggregate_cost_survey_ages", "microsimulated_beneficiaries", "aggregate_beneficiaries",
        "excluded_cost", "take_up", "take_up_noise_sd", "tolerance", "within_tolerance", "excluded", "explanation",
    ]
    return pd.DataFrame(rows, columns=columns)
