"""Persons of unknown age and sex (the members a household-level survey implies): counted, kept out of age and sex
groups, and watched for the person benefits they receive.

A household-level file gives the head's age and sex and the household size; the other members are built with
``age_sex_unknown`` true and placeholder age and sex (``floorsim.surveys.model.UNKNOWN_MEMBER_AGE``, a working age, so that
no child or old-age rule counts them). Here:

- :func:`with_unknown_age_sex` puts them in the age group and sex ``"unknown"`` of the person frame, so that no
  table by age group or sex counts them as working-age men;
- :func:`unknown_member_record` says how many there are (persons in the survey, and weighted:
  Σ w_h over them) and what each person programme pays them per scenario (Σ w_h × amount, currency per year). A
  person programme paying them follows a rule that does not depend on age (or reads the placeholder), which the
  run prints so that nobody reads it as a fact about children or elders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from floorsim.surveys.model import UNKNOWN_AGE_SEX

if TYPE_CHECKING:
    from floorsim.simulations.engine.results import Results
    from floorsim.surveys.model import Survey

UNKNOWN = "unknown"
FLAG = UNKNOWN_AGE_SEX  # the survey model's column


def unknown_mask(survey: Survey | None) -> np.ndarray | None:
    """For each person of ``survey`` (in its order), whether age and sex are unknown; None when none are."""
    if survey is None or FLAG not in survey.persons.columns:
        return None
    mask = survey.persons[FLAG].to_numpy(bool)
    return mask if mask.any() else None


def with_unknown_age_sex(frame: pd.DataFrame, survey: Survey | None) -> pd.DataFrame:
    """The person frame with ``age_group`` and ``sex`` set to ``"unknown"`` for persons of unknown age and sex
    (rows of the frame are the survey's persons, in order); the frame itself when there are none."""
    mask = unknown_mask(survey)
    if mask is None or len(mask) != len(frame):
        return frame
    frame = frame.copy()
    for column in ("age_group", "sex"):
        if column in frame:
            frame[column] = np.where(mask, UNKNOWN, frame[column].astype(str).to_numpy())
    return frame


def unknown_member_record(results: Results) -> dict | None:
    """``{"persons", "weighted_persons", "share_of_persons", "placeholder_age", "person_benefits": {scenario:
    {programme: currency per year}}}`` for the persons of unknown age and sex; None when the survey has none."""
    survey = results.survey
    if survey is None:
        return _streamed_record(results)
    mask = unknown_mask(survey)
    if mask is None:
        return None
    weight = np.asarray(results.households["weight"], dtype=np.float64)[survey.person_household_index]
    paid: dict[str, dict[str, float]] = {}
    for name, outputs in results.scenarios.items():
        for key, programme in results.spec.programmes.items():
            amounts = outputs.person.get(programme.variable) if programme.entity == "person" else None
            if amounts is None:
                continue
            total = float(np.sum(weight[mask] * np.asarray(amounts, dtype=np.float64)[mask], dtype=np.float64))
            if total > 0:
                paid.setdefault(name, {})[key] = total
    return _record(int(mask.sum()), float(np.sum(weight[mask], dtype=np.float64)),
                   float(np.sum(weight, dtype=np.float64)), paid, survey.metadata.extra)


def _streamed_record(results: Results) -> dict | None:
    """:func:`unknown_member_record` of a streamed run, from the members of unknown age and sex each household has
    and the person amounts summed over them, which the engine's workers send back (``results.UNKNOWN_MEMBERS``,
    ``UNKNOWN_SUM``): the same sums Σ w_h × amount over those persons."""
    from floorsim.simulations.engine.results import UNKNOWN_MEMBERS, UNKNOWN_SUM

    if results.streamed is None or not results.scenarios:
        return None
    first = next(iter(results.scenarios.values())).household
    if UNKNOWN_MEMBERS not in first or not first[UNKNOWN_MEMBERS].any():
        return None
    weight = np.asarray(results.households["weight"], dtype=np.float64)
    counts = first[UNKNOWN_MEMBERS]
    paid: dict[str, dict[str, float]] = {}
    for name, outputs in results.scenarios.items():
        for key, programme in results.spec.programmes.items():
            if programme.entity != "person":
                continue
            total = float(np.sum(weight * outputs.household[f"{UNKNOWN_SUM}{programme.variable}"], dtype=np.float64))
            if total > 0:
                paid.setdefault(name, {})[key] = total
    persons = float(np.sum(weight * np.asarray(results.households["size"], dtype=np.float64), dtype=np.float64))
    return _record(int(counts.sum()), float(np.sum(weight * counts, dtype=np.float64)), persons, paid,
                   results.streamed.metadata.extra)


def _record(persons: int, weighted: float, everybody: float, paid: dict, extra: dict) -> dict:
    """The record of :func:`unknown_member_record`: persons of unknown age and sex, weighted and as a share of the
    weighted persons (``everybody``), the person benefits paid to them, and what the survey's reading said."""
    extra = extra.get("household_level") or {}
    return {
        "persons": persons,
        "weighted_persons": weighted,
        "share_of_persons": weighted / everybody,
        "placeholder_age": extra.get("placeholder_age"),
        "placeholder_sex": extra.get("placeholder_sex"),
        "not_observed": list(extra.get("not_observed", [])),
        "person_benefits": paid,
    }
