"""Persons collapsed to households: the compact frame every replicated statistic of a run is computed on.

In a run every member of a household carries the household's weight and its welfare per capita, so a statistic of
welfare (poverty, Gini, Theil, Palma, deciles, gains) over persons equals the same statistic over households
weighted by w_h × n_h (n_h members): a sum over members of identical terms is one term times n_h, and a sorted
statistic sees the same weighted distribution (its ties merged). The compact frame has one row per household:

    weight_h        = Σ_{i in h} w_i                      (= w_h n_h: persons the household stands for)
    welfare_<s>     = y_h                                  (identical for every member; checked)
    amount_<p>_<s>  = Σ_{i in h} a_i / n_h                 (so weight × amount = Σ_i w_i a_i, every total kept)
    recipients_<p>_<s> = #{i in h: a_i > 0} / n_h          (so weight × it = Σ_i w_i 1[a_i > 0], beneficiaries)
    persons_h       = n_h, household_weight_h = w_h, stratum and psu of the household

and replicate weights collapse the same way (``floorsim.indicators.ReplicateWeights.collapsed``): replicate r weighs the
household Σ_{i in h} w_ri. Every figure of the headline and the decile tables is then computed on H rows instead
of n persons (about 5.5 times fewer on the bundled survey), with the same result to rounding (tested to 1e-10
against the person frame). Figures by person attribute (age group, sex: coverage, targeting, by group) keep the
person frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .frame import (
    AMOUNT_PREFIX,
    HOUSEHOLD_ID,
    HOUSEHOLD_WEIGHT,
    PSU,
    STRATUM,
    WELFARE_PREFIX,
    amount_column,
    household_codes,
    programmes_in,
    scenarios_in,
    weights_of,
)
from .unknown_members import FLAG, UNKNOWN

PERSONS = "persons"
RECIPIENTS_PREFIX = "recipients_"
# recipients_any_<scenario>: the share of a compact row's persons receiving at least one programme (amount > 0)
RECIPIENTS_ANY_PREFIX = "recipients_any_"
# members_<variable>=<value>: how many of a compact row's persons are in a person group (age group, sex); only in
# compact frames built from a run's household results (``household_compact_frame``), where no person frame exists
MEMBERS_PREFIX = "members_"


def recipients_column(programme: str, scenario: str) -> str:
    """``recipients_<programme>_<scenario>``: the share of a compact row's persons with an amount > 0."""
    return f"{RECIPIENTS_PREFIX}{programme}_{scenario}"


def first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """The first row of each of ``count`` groups coded 0 … count − 1."""
    first = np.full(count, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size, dtype=np.int64)[::-1]  # the last write wins: the first row
    return first


def recipients_any_column(scenario: str) -> str:
    """``recipients_any_<scenario>``: the share of a compact row's persons receiving at least one programme."""
    return f"{RECIPIENTS_ANY_PREFIX}{scenario}"


def members_column(variable: str, value: str) -> str:
    """``members_<variable>=<value>``: persons of a compact row in the group ``variable = value``."""
    return f"{MEMBERS_PREFIX}{variable}={value}"


def member_groups(frame: pd.DataFrame, variable: str) -> dict[str, np.ndarray]:
    """``{value: persons of each row in the group}`` from a compact frame's ``members_<variable>=<value>`` columns
    (in column order); empty when the frame has none."""
    prefix = f"{MEMBERS_PREFIX}{variable}="
    return {str(c)[len(prefix):]: frame[c].to_numpy(np.float64) for c in frame.columns if str(c).startswith(prefix)}


def household_compact_frame(
    household_id: np.ndarray,
    household_weight: np.ndarray,
    size: np.ndarray,
    welfare: dict[str, np.ndarray],
    amounts: dict[tuple[str, str], np.ndarray],
    recipients: dict[tuple[str, str], np.ndarray],
    recipients_any: dict[str, np.ndarray],
    design: dict[str, np.ndarray] | None = None,
    attributes: dict[str, np.ndarray] | None = None,
    members: dict[str, dict[str, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """The compact frame of a run built from household-level results, without any person frame (a streamed run
    has none): the frame :func:`compact_frame` gives from the person frame (the module docstring), and more.

    Args (one value per household, H):
        household_id, household_weight (w_h), size (n_h > 0): the households.
        welfare: ``{scenario: y_h}``, welfare per capita per month.
        amounts: ``{(programme, scenario): A_h}``, the household's annual total of the programme (the sum over
            members of a person programme; a household programme's amount); the frame holds A_h / n_h.
        recipients: ``{(programme, scenario): r_h}``, members receiving it (a household programme: n_h when
            A_h > 0); the frame holds r_h / n_h.
        recipients_any: ``{scenario: members receiving at least one programme}``; held as a share of n_h.
        design: ``stratum`` and ``psu`` of each household, when the survey has them.
        attributes: other household columns kept as they are (``region``, ``urban``).
        members: ``{variable: {value: persons of the household in the group}}`` (age group, sex), held as
            ``members_<variable>=<value>`` columns (:func:`member_groups` reads them back).
    """
    n = np.asarray(size, dtype=np.float64)
    if (n <= 0).any():
        raise AnalysisError("every household of a compact frame needs at least one member.")
    w = np.asarray(household_weight, dtype=np.float64)
    data: dict[str, np.ndarray] = {HOUSEHOLD_ID: np.asarray(household_id), "weight": w * n, PERSONS: n,
                                   HOUSEHOLD_WEIGHT: w}
    data.update(design or {})
    for scenario, values in welfare.items():
        data[f"{WELFARE_PREFIX}{scenario}"] = np.asarray(values, dtype=np.float64)
    # A programme paying nobody (not in force in the year: four of Timor-Leste's six in 2025) shares one read-only
    # array of zeros for its columns: at 1.8 million households, 15 MB saved per column.
    zeros = np.zeros(n.size)
    zeros.flags.writeable = False

    def per_person(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        return values / n if values.any() else zeros

    for (programme, scenario), values in amounts.items():
        data[f"{AMOUNT_PREFIX}{programme}_{scenario}"] = per_person(values)
        data[recipients_column(programme, scenario)] = per_person(recipients[(programme, scenario)])
    for scenario, values in recipients_any.items():
        data[recipients_any_column(scenario)] = np.asarray(values, dtype=np.float64) / n
    data.update(attributes or {})
    for variable, groups in (members or {}).items():
        for value, counts in groups.items():
            data[members_column(variable, value)] = np.asarray(counts, dtype=np.float64)
    # the arrays as they are, one block each: a consolidated copy would double the frame's memory while it is built
    # (about 600 MB at 1.8 million households)
    return pd.DataFrame(data, copy=False)


def compact_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The person frame collapsed to one row per household (see the module docstring), and the household code
    of every person (rows of the compact frame, in order of first appearance).

    Raises:
        AnalysisError: members of a household carry different weights or welfare (then the collapse would not be
            exact; use the person frame).
    """
    codes, count = household_codes(frame)
    first = first_rows(codes, count)
    weights = weights_of(frame)
    if not np.array_equal(weights[first][codes], weights):
        raise AnalysisError("members of a household carry different weights: the frame cannot be collapsed.")
    members = np.bincount(codes, minlength=count).astype(np.float64)
    data: dict[str, np.ndarray] = {
        HOUSEHOLD_ID: frame[HOUSEHOLD_ID].to_numpy()[first],
        "weight": np.bincount(codes, weights=weights, minlength=count),
        PERSONS: members,
    }
    if HOUSEHOLD_WEIGHT in frame.columns:
        data[HOUSEHOLD_WEIGHT] = frame[HOUSEHOLD_WEIGHT].to_numpy(np.float64)[first]
    for column in (STRATUM, PSU):
        if column in frame.columns:
            values = frame[column].to_numpy()
            if not np.array_equal(values[first][codes], values):
                raise AnalysisError(f"members of a household lie in different {column}s: cannot collapse.")
            data[column] = values[first]
    for column in frame.columns:
        if column.startswith(WELFARE_PREFIX):
            values = frame[column].to_numpy(np.float64)
            if not np.array_equal(values[first][codes], values):
                raise AnalysisError(f"{column} differs within a household: the frame cannot be collapsed.")
            data[column] = values[first]
        elif column.startswith(AMOUNT_PREFIX):
            values = frame[column].to_numpy(np.float64)
            data[column] = np.bincount(codes, weights=values, minlength=count) / members
            receives = (values > 0).astype(np.float64)
            data[RECIPIENTS_PREFIX + column[len(AMOUNT_PREFIX):]] = (
                np.bincount(codes, weights=receives, minlength=count) / members)
    for scenario in scenarios_in(frame):
        columns = [amount_column(p, scenario) for p in programmes_in(frame)]
        columns = [c for c in columns if c in frame.columns]
        if columns:
            receives_any = (frame[columns].to_numpy(np.float64) > 0).any(axis=1).astype(np.float64)
            data[recipients_any_column(scenario)] = np.bincount(codes, weights=receives_any, minlength=count) / members
    return pd.DataFrame(data), codes


Collapse = tuple[pd.DataFrame, np.ndarray]  # what compact_frame returns: the compact frame, each person's row


def compact_of(frame: pd.DataFrame, collapsed: Collapse | None = None) -> Collapse:
    """``collapsed`` when the caller built it once for several tables of the same person frame (a report: the
    estimate, decile and by-group tables), else :func:`compact_frame` of ``frame``."""
    return collapsed if collapsed is not None else compact_frame(frame)


def recipients_of(frame: pd.DataFrame, amounts: np.ndarray, programmes: list[str], scenario: str) -> np.ndarray:
    """Share of each row's persons receiving each programme (n, programmes): the compact frame's
    ``recipients_<p>_<s>`` columns, or 1[amount > 0] on a person frame."""
    columns = [recipients_column(p, scenario) for p in programmes]
    if all(column in frame.columns for column in columns) and columns:
        return frame[columns].to_numpy(np.float64)
    return (amounts > 0).astype(np.float64)



def member_shares(codes: np.ndarray, members: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The share of each household's members in a person group: s_h = #{i in h: mask_i} / n_h (H,).

    On the compact frame (weight W_h = w_h n_h) a person-group total is a household total with the share as a
    fractional domain: Σ_i w_i 1[i in g] v_h = Σ_h W_h s_h v_h for any v constant within the household (its
    welfare, its gain), and the same with replicate weights, so every by-group figure is exact on H rows."""
    return np.bincount(codes, weights=np.asarray(mask, dtype=np.float64), minlength=members.size) / members


def person_group_counts(parts, n_households: int, edges: Sequence[float], labels: Sequence[str]
                        ) -> dict[str, dict[str, np.ndarray]]:
    """Members of each household by age group (``labels``: ages in [edges[k], edges[k + 1]), as the person frame's
    ``age_group``, ``engine.results.AGE_GROUP_EDGES``) and by sex: ``{"age_group": {label: counts}, "sex": {value: counts}}``,
    each array of ``n_households`` floats (exact integers). ``parts`` yields (household code of each person,
    persons with ``age``, ``sex`` and optionally ``age_sex_unknown``); persons of unknown age and sex count in no
    age group and in the sex ``"unknown"`` (``analysis.unknown_members``). Groups nobody is in are left out."""
    ages = np.zeros((len(labels), n_households))
    sexes: dict[str, np.ndarray] = {}
    for codes, persons in parts:
        codes = np.asarray(codes, dtype=np.int64)
        unknown = (persons[FLAG].to_numpy(bool) if FLAG in persons.columns
                   else np.zeros(codes.size, dtype=bool))
        age = persons["age"].to_numpy(np.float64)
        group = np.searchsorted(np.asarray(edges, dtype=np.float64), age, side="right") - 1
        known = ~unknown & (group >= 0) & (group < len(labels))
        ages += np.bincount(group[known] * n_households + codes[known],
                            minlength=ages.size).reshape(ages.shape)
        inverse, values = pd.factorize(persons["sex"])  # codes of the stored text, no n Python strings
        inverse = np.where(unknown, len(values), inverse)
        for k, value in enumerate([*map(str, values), UNKNOWN]):
            hit = inverse == k
            if not hit.any():
                continue
            counts = np.bincount(codes[hit], minlength=n_households).astype(np.float64)
            sexes[value] = sexes[value] + counts if value in sexes else counts
    return {"age_group": {label: ages[k] for k, label in enumerate(labels) if ages[k].any()},
            "sex": dict(sorted(sexes.items()))}
