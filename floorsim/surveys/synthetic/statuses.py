"""Administrative statuses of a synthetic survey (certified poverty, disability certificates, pension receipt, ...).

A profile's ``statuses`` section (``docs/country_profile.md``, "Administrative statuses") lists, in order, status
columns of the data model (``floorsim/surveys/model.py``) with their level (household or person), their values, a default,
and rules: the first rule whose conditions a unit meets gives the probability of each value (the rest of the
probability goes to the default); a unit no rule matches takes the default. Conditions use what the generator
already knows (ages, sex, area, region, disability severity, welfare relative to the line, orphanhood, household
structure) and the statuses defined earlier in the list.

Within each rule's cell the draw is *exact*: units are ranked by one uniform random number each and the values are
given out along the weighted ranks, so that the weighted share of each value in the cell equals its probability to
within one unit's weight (the same principle as the generator's other calibrated draws). Statuses are drawn after
every other column, from the same random generator, so a profile without statuses keeps its survey unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import (
    DEPRIVATION_COUNT_RANGE,
    DISABILITY_CERTIFICATES,
    OPTIONAL_HOUSEHOLD_COLUMNS,
    OPTIONAL_PERSON_COLUMNS,
    POVERTY_CERTIFICATES,
)
from floorsim.surveys.synthetic.profile import Status, StatusCondition
from floorsim.surveys.synthetic.targets import Targets

OLDER_AGE = 60  # ``older_only_household``: every member is at least this old
PROBABILITY_TOLERANCE = 1e-9

# The data-model columns a profile may generate as statuses (level -> column -> dtype). Columns the generator
# draws elsewhere (orphan, gave_birth, weights, ...) are not statuses.
STATUS_COLUMNS: dict[str, dict[str, str]] = {
    "household": {name: OPTIONAL_HOUSEHOLD_COLUMNS[name]
                  for name in ("poverty_certificate", "deprivation_count", "especially_difficult_commune")},
    "person": {name: OPTIONAL_PERSON_COLUMNS[name]
               for name in ("no_supporter", "hiv", "community_care", "disability_certificate", "monthly_pension")},
}
ALLOWED_VALUES: dict[str, tuple[Any, ...]] = {
    "poverty_certificate": POVERTY_CERTIFICATES,
    "disability_certificate": DISABILITY_CERTIFICATES,
    "deprivation_count": tuple(range(DEPRIVATION_COUNT_RANGE[0], DEPRIVATION_COUNT_RANGE[1] + 1)),
}


def check_statuses(targets: Targets, source: str) -> None:
    """Refuse a ``statuses`` section the generator could not draw, naming the field and the rule.

    Rules: the name is a status column of the data model at that level; values have the column's type (and its
    allowed values); the default and every probability key are among the values; probabilities lie in [0, 1]
    and sum to at most 1 in each rule; person conditions appear only in person statuses; ``statuses`` conditions
    name statuses defined earlier (a household status may only use household ones); a line is given when a rule
    uses ``below_line`` or ``welfare_ratio``; regions exist.

    Raises:
        SurveyError: naming the profile file, ``statuses.<name>...`` and the rule broken.
    """
    defined: dict[str, str] = {}
    has_line = targets.poverty_line is not None or targets.split_poverty_lines
    for name, status in targets.statuses.items():
        where = f"statuses.{name}"

        def fail(message: str, field: str = where) -> None:
            raise SurveyError(message, source=source, field=field)

        columns = STATUS_COLUMNS[status.level]
        if name not in columns:
            fail(f"not a {status.level} status column of the data model; one of {sorted(columns)}")
        dtype = columns[name]
        for k, value in enumerate(status.values):
            if not _has_type(value, dtype):
                fail(f"value {value!r} is not a {dtype}", f"{where}.values[{k}]")
            if name in ALLOWED_VALUES and value not in ALLOWED_VALUES[name]:
                fail(f"value {value!r} is not one of {list(ALLOWED_VALUES[name])}", f"{where}.values[{k}]")
            if name == "monthly_pension" and not (np.isfinite(value) and value >= 0):
                fail("amounts must be finite and non-negative", f"{where}.values[{k}]")
        if len(set(map(repr, status.values))) != len(status.values):
            fail("values must be distinct", f"{where}.values")
        if not _among(status.default, status.values):
            fail(f"default {status.default!r} is not one of the values", f"{where}.default")
        for k, rule in enumerate(status.rules):
            at = f"{where}.rules[{k}]"
            for key, probability in rule.probabilities.items():
                if not _among(key, status.values):
                    fail(f"{key!r} is not one of the values {status.values}", f"{at}.probabilities")
                if not 0.0 <= probability <= 1.0:
                    fail(f"probability of {key!r} must lie in [0, 1], got {probability}", f"{at}.probabilities")
            if sum(rule.probabilities.values()) > 1.0 + PROBABILITY_TOLERANCE:
                fail("probabilities add up to more than 1", f"{at}.probabilities")
            _check_condition(rule.when, status.level, defined, has_line, targets, fail, f"{at}.when")
        for k, target in enumerate(status.targets):
            if not _among(target.value_of_status, status.values):
                fail(f"{target.value_of_status!r} is not one of the values", f"{where}.targets[{k}].value_of_status")
            if target.ages is not None and status.level == "household":
                fail("ages apply to person statuses only", f"{where}.targets[{k}].ages")
        defined[name] = status.level


def _check_condition(condition: StatusCondition, level: str, defined: dict[str, str], has_line: bool,
                     targets: Targets, fail, at: str) -> None:
    if level == "household":
        for field in StatusCondition.PERSON_ONLY:
            if getattr(condition, field) is not None:
                fail(f"'{field}' is a person condition: a household status cannot use it", f"{at}.{field}")
    if (condition.below_line is not None or condition.welfare_ratio is not None) and not has_line:
        fail("'below_line' and 'welfare_ratio' need a poverty line in welfare.poverty_line", at)
    for region in condition.regions or []:
        if region not in targets.region_population:
            fail(f"unknown region {region!r}", f"{at}.regions")
    for other in condition.statuses:
        if other not in defined:
            fail(f"status '{other}' is not defined earlier in the list", f"{at}.statuses.{other}")
        if level == "household" and defined[other] == "person":
            fail(f"a household status cannot depend on the person status '{other}'", f"{at}.statuses.{other}")


def _has_type(value: Any, dtype: str) -> bool:
    if dtype == "bool":
        return isinstance(value, bool)
    if dtype == "int64":
        return isinstance(value, int) and not isinstance(value, bool)
    if dtype == "float64":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _among(value: Any, values: list[Any]) -> bool:
    """``value in values`` without True == 1 (a bool key must match a bool value)."""
    return any(type(value) is type(v) and value == v or (
        isinstance(value, (int, float)) and isinstance(v, (int, float)) and not isinstance(value, bool)
        and not isinstance(v, bool) and value == v) for v in values)


def draw_statuses(
    rng: np.random.Generator, households: pd.DataFrame, persons: pd.DataFrame, size: np.ndarray,
    weights: np.ndarray, targets: Targets,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every status of the profile, in its order: ``(household columns, person columns)`` by name.

    ``households`` holds the generator's columns (``urban``, ``region``, welfare); ``persons`` its own (``hh``,
    ``age``, ``female``, ``disability_severity``, ``orphan``). One uniform per unit and status.
    """
    household_facts = household_facts_of(households, persons, size, targets)
    hh = persons["hh"].to_numpy()
    person_facts = {name: values[hh] for name, values in household_facts.items()}
    person_facts.update(age=persons["age"].to_numpy(), female=persons["female"].to_numpy(bool),
                        disability_severity=persons["disability_severity"].to_numpy(),
                        orphan=persons["orphan"].to_numpy(bool))
    drawn: dict[str, dict[str, np.ndarray]] = {"household": {}, "person": {}}
    person_weight = weights[hh]
    for name, status in targets.statuses.items():
        person_level = status.level == "person"
        facts = person_facts if person_level else household_facts
        known = {**drawn["household"], **({k: v[hh] for k, v in drawn["household"].items()} if person_level else {}),
                 **drawn["person"]}
        u = rng.random(len(persons) if person_level else len(households))
        starts = rng.random(len(status.rules))
        drawn[status.level][name] = draw_status(status, facts, known, u, person_weight if person_level else weights,
                                                starts)
    return drawn["household"], drawn["person"]


def household_facts_of(households: pd.DataFrame, persons: pd.DataFrame, size: np.ndarray,
                       targets: Targets) -> dict[str, np.ndarray]:
    """What household conditions look at: urban, region, welfare per capita / line, household structure."""
    urban = households["urban"].to_numpy(bool)
    facts = {"urban": urban, "region": households["region"].to_numpy()}
    if targets.poverty_line is not None or targets.split_poverty_lines:
        line = (np.full(len(households), targets.poverty_line) if targets.poverty_line is not None
                else np.where(urban, targets.poverty_line_urban, targets.poverty_line_rural))
        facts["welfare_ratio"] = households[targets.welfare_concept].to_numpy(np.float64) / size / line
    hh = persons["hh"].to_numpy()
    youngest = np.full(len(households), np.iinfo(np.int64).max)
    np.minimum.at(youngest, hh, persons["age"].to_numpy(np.int64))
    facts["living_alone"] = size == 1
    facts["older_only_household"] = youngest >= OLDER_AGE
    return facts


def rule_cell(condition: StatusCondition, facts: dict[str, np.ndarray], known: dict[str, np.ndarray]) -> np.ndarray:
    """Which units meet every condition of ``condition`` (``facts`` and ``known`` at the status's level)."""
    n = len(facts["urban"])
    cell = np.ones(n, bool)
    if condition.ages is not None:
        low, high = condition.ages
        age = facts["age"]
        cell &= (age >= low) & (age <= (high if high is not None else np.iinfo(np.int64).max))
    if condition.sex is not None:
        cell &= facts["female"] == (condition.sex == "female")
    if condition.disability_severity is not None:
        cell &= np.isin(facts["disability_severity"], condition.disability_severity)
    for flag in ("orphan", "urban", "living_alone", "older_only_household"):
        wanted = getattr(condition, flag)
        if wanted is not None:
            cell &= facts[flag] == wanted
    if condition.regions is not None:
        cell &= np.isin(facts["region"], condition.regions)
    if condition.below_line is not None:
        cell &= (facts["welfare_ratio"] <= 1.0) == condition.below_line  # "at or below" the line (Decree 07/2021)
    if condition.welfare_ratio is not None:
        low, high = condition.welfare_ratio
        ratio = facts["welfare_ratio"]
        cell &= (ratio >= (low if low is not None else -np.inf)) & (ratio <= (high if high is not None else np.inf))
    for other, allowed in condition.statuses.items():
        cell &= pd.Series(known[other]).isin(allowed).to_numpy()
    return cell


def draw_status(status: Status, facts: dict[str, np.ndarray], known: dict[str, np.ndarray], u: np.ndarray,
                weight: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """One status for every unit: the first matching rule's exact draw in its cell, the default elsewhere.

    Systematic sampling in each cell: units sorted by ``u`` get the values in the rule's order along their
    weighted ranks ``r_i = (weight of the units before i + start x w_i) / cell weight`` (``start`` in [0, 1), one
    per rule): value k goes to ``r`` in ``[p_1 + ... + p_(k-1), p_1 + ... + p_k)``, the default to the rest. The
    weighted share of each value is then its probability to within one unit's weight, and its expectation is
    exactly the probability even in a cell of a few units.
    """
    result = np.empty(len(u), dtype=object)
    result[:] = status.default
    free = np.ones(len(u), bool)
    for rule, start in zip(status.rules, starts):
        cell = np.flatnonzero(rule_cell(rule.when, facts, known) & free)
        free[cell] = False
        if not len(cell) or not rule.probabilities:
            continue
        order = cell[np.argsort(u[cell], kind="stable")]
        w = weight[order]
        rank = (np.cumsum(w) - w + start * w) / w.sum()
        bounds = np.cumsum(list(rule.probabilities.values()))
        which = np.searchsorted(bounds, rank, side="right")
        chosen = np.array(list(rule.probabilities.keys()) + [status.default], dtype=object)
        result[order] = chosen[which]
    return result


def status_rows(survey, targets: Targets) -> list[tuple[str, float, float, str]]:
    """Calibration-report rows: each rule's probabilities against the weighted shares in its cell, and each
    published ``targets`` share against the survey's."""
    hh_table, persons = survey.households, survey.persons
    index = survey.person_household_index
    size = survey.household_size
    generator_persons = pd.DataFrame({"hh": index, "age": persons["age"].to_numpy()})
    household_facts = household_facts_of(hh_table, generator_persons, size, targets)
    person_facts = {name: values[index] for name, values in household_facts.items()}
    person_facts.update(age=persons["age"].to_numpy(), female=(persons["sex"] == "female").to_numpy(),
                        disability_severity=persons["disability_severity"].to_numpy(),
                        orphan=persons["orphan"].to_numpy(bool))
    household_known = {n: hh_table[n].to_numpy() for n in STATUS_COLUMNS["household"] if n in hh_table.columns}
    person_known = {**{n: v[index] for n, v in household_known.items()},
                    **{n: persons[n].to_numpy() for n in STATUS_COLUMNS["person"] if n in persons.columns}}
    rows: list[tuple[str, float, float, str]] = []
    for name, status in targets.statuses.items():
        person_level = status.level == "person"
        facts, known = (person_facts, person_known) if person_level else (household_facts, household_known)
        weight = survey.person_weight if person_level else hh_table["weight"].to_numpy()
        values = known[name]
        free = np.ones(len(values), bool)
        for k, rule in enumerate(status.rules):
            cell = rule_cell(rule.when, facts, known) & free
            free &= ~cell
            for value, probability in rule.probabilities.items():
                achieved = float(np.sum(weight * cell * _equal(values, value)) / np.sum(weight * cell)) \
                    if cell.any() else np.nan
                rows.append((f"{name} = {value}, rule {k + 1}", probability, achieved, "drawn in the rule's cell"))
        for target in status.targets:
            base = np.ones(len(values), bool)
            if target.ages is not None:
                low, high = target.ages
                age = facts["age"]
                base = (age >= low) & (age <= (high if high is not None else np.iinfo(np.int64).max))
            unit = "persons" if person_level else "households"
            ages = "" if target.ages is None else f" aged {target.ages[0]}" + (
                "+" if target.ages[1] is None else f"-{target.ages[1]}")
            achieved = float(np.sum(weight * base * _equal(values, target.value_of_status)) / np.sum(weight * base))
            rows.append((f"share of {unit}{ages} with {name} = {target.value_of_status}", float(target.value),
                         achieved, "follows from the rules"))
    return rows


def _equal(values: np.ndarray, value: Any) -> np.ndarray:
    return np.asarray(values == value, dtype=bool) if not isinstance(value, float) else np.isclose(
        values.astype(np.float64), value)
