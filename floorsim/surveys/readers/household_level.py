"""A household-level file (one row per household, no person records) read through a mapping's ``members``.

Many real surveys are distributed as household files: household size, the head's age and sex, region, urban,
income or consumption, weight, and often no ids. floorsim's data model needs persons, so the reader builds the
minimal persons the file implies, and says what it does not know:

- the **head**: relationship ``head``, age and sex from the head columns of ``members.head`` (required), and
  disability, pregnancy, schooling, employment, births and orphanhood where the mapping gives them;
- ``size − 1`` **other members** of unknown age and sex: ``age_sex_unknown`` is true, ``age`` and ``sex`` hold the
  placeholders :data:`floorsim.surveys.model.UNKNOWN_MEMBER_AGE` and :data:`floorsim.surveys.model.UNKNOWN_MEMBER_SEX` (a working
  age, so that no child or old-age rule counts them), relationship ``other_relative``, no disability, not
  pregnant, not at school, not asked about employment (``not_applicable``);
- what no column gives is recorded in ``metadata.extra["household_level"]`` (``not_observed``): schemes that
  depend on it pay nothing to these persons, so their cost from such a file is a lower bound.

Person ids are 1..N in household order (the head first); household ids come from the mapping (a column, or
``generate: row_number``). Welfare per capita divides the household aggregate by ``size`` (the persons built).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.mapping import SurveyMapping
from floorsim.surveys.model import (
    INCOME_COMPONENT_PATTERN,
    OPTIONAL_HOUSEHOLD_COLUMNS,
    OPTIONAL_PERSON_COLUMNS,
    PERSON_COLUMNS,
    UNKNOWN_AGE_SEX,
    UNKNOWN_MEMBER_AGE,
    UNKNOWN_MEMBER_SEX,
    Survey,
    required_household_columns,
)
from floorsim.surveys.readers.expressions import Rows, evaluate
from floorsim.surveys.readers.mapped import (
    ALLOWED_VALUES,
    _check_allowed,
    _convert,
    _evaluate_section,
    _frame,
    survey_metadata,
)

# What a member of unknown age and sex carries for each person variable (nothing is known: "none" / "not asked").
MEMBER_DEFAULTS: dict[str, object] = {
    "relationship": "other_relative",
    "disability_severity": 0,
    "pregnant": False,
    "in_school": False,
    "employment_status": "not_applicable",
    "gave_birth": False,
    "orphan": False,
}
# Person variables with a "none" value when the file gives nothing for anybody (recorded as not observed).
NOT_OBSERVED_DEFAULTS = ("disability_severity", "pregnant", "in_school")


def survey_from_household_rows(mapping: SurveyMapping, table: pd.DataFrame, source: str) -> Survey:
    """Apply a household-level ``mapping`` (one with ``members``) to a table of one row per household.

    Raises:
        SurveyError: naming the file, the mapping key (e.g. ``members.size``), the households' ids and the rule.
    """
    assert mapping.members is not None
    table = table.reset_index(drop=True)
    rows = Rows(table, source, np.arange(len(table)))
    rows.ids = _convert(evaluate(mapping.households["household_id"], "households.household_id", rows), "int64",
                        "households.household_id", rows)
    rows.id_kind = "household ids"
    households = _evaluate_section(mapping, "households", rows, None)

    size = _convert(evaluate(mapping.members.size, "members.size", rows), "int64", "members.size", rows)
    if (size < 1).any():
        raise SurveyError("household size must be a whole number >= 1", source=source, field="members.size",
                          rows=rows.ids_where(size < 1))
    head = _head_values(mapping, rows)

    household_of = np.repeat(np.arange(len(size)), size)
    is_head = np.ones(len(household_of), dtype=bool)
    is_head[1:] = household_of[1:] != household_of[:-1]
    persons: dict[str, np.ndarray] = {
        "person_id": np.arange(1, len(household_of) + 1, dtype=np.int64),
        "household_id": households["household_id"][household_of],
        "age": np.where(is_head, head["age"][household_of], UNKNOWN_MEMBER_AGE).astype(np.int64),
        "sex": np.where(is_head, head["sex"][household_of], UNKNOWN_MEMBER_SEX).astype(object),
        "relationship": np.where(is_head, "head", MEMBER_DEFAULTS["relationship"]).astype(object),
    }
    not_observed = []
    for name, default in MEMBER_DEFAULTS.items():
        if name == "relationship":
            continue
        if name in head:
            persons[name] = np.where(is_head, head[name][household_of], default)
        elif name in NOT_OBSERVED_DEFAULTS:
            persons[name] = np.full(len(household_of), default)
            not_observed.append(name)
    persons[UNKNOWN_AGE_SEX] = ~is_head

    concept = mapping.metadata.welfare_concept
    households_frame = _frame(households, [*required_household_columns(concept), *OPTIONAL_HOUSEHOLD_COLUMNS])
    persons_frame = _frame(persons, [*PERSON_COLUMNS, *OPTIONAL_PERSON_COLUMNS])
    metadata = survey_metadata(mapping)
    metadata.extra["household_level"] = {
        "households": int(len(size)),
        "persons": int(len(household_of)),
        "members_of_unknown_age_and_sex": int((~is_head).sum()),
        "placeholder_age": UNKNOWN_MEMBER_AGE,
        "placeholder_sex": UNKNOWN_MEMBER_SEX,
        "not_observed": not_observed,
    }
    return Survey(households_frame, persons_frame, metadata, origin=source)


def _head_values(mapping: SurveyMapping, rows: Rows) -> dict[str, np.ndarray]:
    """The head's person variables, one value per household row, converted and checked like person columns."""
    assert mapping.members is not None
    types = {**PERSON_COLUMNS, **OPTIONAL_PERSON_COLUMNS}
    values = {}
    for name, spec in mapping.members.head.items():
        key = f"members.head.{name}"
        dtype = types.get(name, "float64" if INCOME_COMPONENT_PATTERN.match(name) else "string")
        converted = _convert(evaluate(spec, key, rows), dtype, key, rows)
        if f"persons.{name}" in ALLOWED_VALUES:
            _check_allowed(converted, f"persons.{name}", spec, rows, field=key)
        values[name] = converted
    return values
