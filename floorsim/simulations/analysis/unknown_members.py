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

if TYPE_CHECKING:
    from floorsim.simulations.engine.results import Results
    from floorsim.surveys.model import Survey

UNKNOWN = "unknown"
FLAG = "age_sex_unknown"


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
    extra = survey.metadata.extra.get("household_level") or {}
    return {
        "persons": int(mask.sum()),
        "weighted_persons": float(np.sum(weight[mask], dtype=np.float64)),
        "share_of_persons": float(np.sum(weight[mask], dtype=np.float64) / np.sum(weight, dtype=np.float64)),
        "placeholder_age": extra.get("placeholder_age"),
        "placeholder_sex": extra.get("placeholder_sex"),
        "not_observed": list(extra.get("not_observed", [])),
        "person_benefits": paid,
    }
