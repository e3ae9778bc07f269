"""The person frame: microsimulation output as one tidy row per person, the input of every analysis table.

Columns (money in the currency of the run; amounts of the simulated year):

===============================  ===========================================================================
column                           meaning
===============================  ===========================================================================
``household_id``                 household of the person (any hashable label)
``weight``                       person weight: persons represented (float >= 0); indicators are person-weighted
``household_weight``             optional: household weight (households represented), used to count
                                 beneficiary *households*; default: the ``weight`` of the household's first row
``stratum``, ``psu``             optional: sampling stratum and primary sampling unit, for standard errors;
                                 without ``psu`` households are the PSUs, without ``stratum`` there is one stratum
``welfare_<scenario>``           welfare per person per month under the scenario (each person carries the
                                 household's per-capita or per-adult-equivalent welfare; ``results.py``:
                                 observed consumption − baseline transfers + scenario transfers)
``amount_<programme>_<scenario>``  annual amount of the programme attributed to the person under the scenario
                                 (currency per year): a person-level benefit is the person's own amount; a
                                 household-level benefit A_h is split over the members by
                                 :func:`attribute_household_amounts` (equal shares when members carry the
                                 household weight), so that Σ_i weight_i × amount_i equals the household-level
                                 total Σ_h w_h A_h exactly
any other column                 grouping variables: ``sex``, ``age``, ``age_group``, ``region``, ``urban``,
                                 ``disability_severity``, ``household_type`` ... (used by ``by=`` arguments and
                                 by the coverage rules, which read ``age``, ``sex``, ``disability_severity``
                                 and ``relationship``)
===============================  ===========================================================================

A person *receives* a programme when their attributed amount is > 0; with equal shares every member of a
recipient household receives a household-level benefit, which is how ASPIRE counts beneficiaries of household
transfers ("individuals living in a household where at least one member receives").

Scenario and programme names may contain underscores; the tables take them as explicit arguments (or from
:func:`scenarios_in` / :func:`programmes_in`, which resolve ``amount_<programme>_<scenario>`` against the
scenarios found in ``welfare_`` columns, preferring the longest matching scenario name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from floorsim.indicators import LonelyPsuRule, Recalibration, SurveyDesign
from floorsim.surveys.recorded_calibration import CalibrationSystem, calibrate_replicates

from .errors import AnalysisError

HOUSEHOLD_ID = "household_id"
WEIGHT = "weight"
HOUSEHOLD_WEIGHT = "household_weight"
STRATUM = "stratum"
PSU = "psu"
WELFARE_PREFIX = "welfare_"
AMOUNT_PREFIX = "amount_"
MONTHS_PER_YEAR = 12.0


def welfare_column(scenario: str) -> str:
    """``welfare_<scenario>``."""
    return f"{WELFARE_PREFIX}{scenario}"


def amount_column(programme: str, scenario: str) -> str:
    """``amount_<programme>_<scenario>``."""
    return f"{AMOUNT_PREFIX}{programme}_{scenario}"


def scenarios_in(frame: pd.DataFrame) -> list[str]:
    """Scenario names, from the ``welfare_<scenario>`` columns (in column order)."""
    return [str(c)[len(WELFARE_PREFIX) :] for c in frame.columns if str(c).startswith(WELFARE_PREFIX)]


def programmes_in(frame: pd.DataFrame) -> list[str]:
    """Programme names, from the ``amount_<programme>_<scenario>`` columns (in order of first appearance)."""
    scenarios = sorted(scenarios_in(frame), key=len, reverse=True)
    found: list[str] = []
    for column in map(str, frame.columns):
        if not column.startswith(AMOUNT_PREFIX):
            continue
        for scenario in scenarios:
            suffix = f"_{scenario}"
            if column.endswith(suffix) and len(column) > len(AMOUNT_PREFIX) + len(suffix):
                name = column[len(AMOUNT_PREFIX) : -len(suffix)]
                if name not in found:
                    found.append(name)
                break
    return found


def require_columns(frame: pd.DataFrame, columns: Sequence[str], purpose: str) -> None:
    """Raise ``AnalysisError`` naming the missing columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"{purpose} needs the person-frame column(s) {missing}; the frame has {list(frame.columns)}."
        )


def weights_of(frame: pd.DataFrame) -> np.ndarray:
    """Person weights as float64, checked (finite, >= 0, positive total)."""
    require_columns(frame, [WEIGHT], "every table")
    w = frame[WEIGHT].to_numpy(np.float64)
    if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
        raise AnalysisError("the weight column must be finite, >= 0 and have a positive total.")
    return w


def welfare_of(frame: pd.DataFrame, scenario: str) -> np.ndarray:
    """``welfare_<scenario>`` as float64 (monthly, per person)."""
    column = welfare_column(scenario)
    require_columns(frame, [column], f"scenario {scenario!r}")
    values = frame[column].to_numpy(np.float64)
    if not np.isfinite(values).all():
        raise AnalysisError(f"{column} has missing or infinite values.")
    return values


def amounts_of(frame: pd.DataFrame, programmes: Sequence[str], scenario: str) -> np.ndarray:
    """Annual attributed amounts, one column per programme: an (n, len(programmes)) float64 array."""
    columns = [amount_column(p, scenario) for p in programmes]
    require_columns(frame, columns, f"scenario {scenario!r}")
    values = frame[columns].to_numpy(np.float64) if columns else np.zeros((len(frame), 0))
    if not np.isfinite(values).all():
        raise AnalysisError(f"amount columns of scenario {scenario!r} have missing or infinite values.")
    return values


def household_codes(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """0-based household code of each row and the number of households."""
    require_columns(frame, [HOUSEHOLD_ID], "household counts")
    ids = frame[HOUSEHOLD_ID]
    if pd.api.types.is_integer_dtype(ids.dtype) and ids.is_monotonic_increasing:
        # members of a household next to each other (the engine's frame): the codes are the count of id changes,
        # the same codes as factorize (order of first appearance) without hashing n ids
        values = ids.to_numpy()
        codes = np.zeros(values.size, dtype=np.intp)
        np.cumsum(values[1:] != values[:-1], out=codes[1:])
        return codes, int(codes[-1]) + 1 if codes.size else 0
    codes, uniques = pd.factorize(ids, sort=False)
    if (codes < 0).any():
        raise AnalysisError("household_id is missing for some persons.")
    return codes, len(uniques)


def household_weights(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(household code of each row, weight of each household): ``household_weight`` or the first member's weight."""
    codes, count = household_codes(frame)
    column = HOUSEHOLD_WEIGHT if HOUSEHOLD_WEIGHT in frame.columns else WEIGHT
    per_row = frame[column].to_numpy(np.float64)
    first = np.full(count, -1, dtype=np.int64)
    rows = np.arange(len(frame))[::-1]
    first[codes[::-1]] = rows  # the last write wins: the first row of each household
    return codes, per_row[first]


def design_from_frame(frame: pd.DataFrame, lonely_psu: LonelyPsuRule = "raise") -> SurveyDesign:
    """The sampling design of a person frame: ``weight``, ``stratum`` (optional) and ``psu`` (default: households)."""
    strata = frame[STRATUM].to_numpy() if STRATUM in frame.columns else None
    psu = frame[PSU].to_numpy() if PSU in frame.columns else frame[HOUSEHOLD_ID].to_numpy()
    return SurveyDesign.from_arrays(weights_of(frame), strata=strata, psu=psu, lonely_psu=lonely_psu)


def frame_recalibration(frame: pd.DataFrame, system: CalibrationSystem, tol: float = 1e-6) -> Recalibration:
    """The survey's recorded calibration (``floorsim.surveys.recorded_calibration``) on a person frame's households.

    Persons carry their household's weight; the calibration units are the frame's households (codes of
    :func:`household_codes`) with their rows of the household-level calibration matrix X (for a persons margin,
    the number of members of the household in each class).

    Raises:
        AnalysisError: a household of the frame is not in the survey, or the frame's household weights do not
            meet the recorded totals within ``tol`` (relative): then they were not calibrated to these margins
            (e.g. reweighted to another year's population) and re-calibrating replicates to them would be wrong.
    """
    codes, count = household_codes(frame)
    _, weights = household_weights(frame)
    ids = pd.unique(frame[HOUSEHOLD_ID])
    position = pd.Index(system.household_ids).get_indexer(ids)
    if (position < 0).any():
        raise AnalysisError(f"{int((position < 0).sum())} households of the frame are not in the calibrated survey.")
    # the frame's households in the survey's order (a run on the whole survey): X as it is, not an 85 MB copy
    same = len(position) == len(system.household_ids) and bool((position == np.arange(len(position))).all())
    X = system.X if same else system.X[position]
    gap = np.abs(X.T @ weights - system.totals) / np.maximum(np.abs(system.totals), 1.0)
    if gap.size and gap.max() > tol:
        worst = system.names[int(np.argmax(gap))]
        raise AnalysisError(
            f"the frame's weights do not meet the survey's calibration margin {worst[0]!r} (category {worst[1]!r}:"
            f" relative gap {gap.max():.3g}); they were not calibrated to it."
        )
    local = CalibrationSystem(X, system.totals, system.method, system.bounds, system.names, np.asarray(ids))
    description = f"{system.method} to {'; '.join(system.margin_names)}"
    return Recalibration.from_units(codes, lambda D: calibrated_on_one_blas_thread(local, D), description)


def calibrated_on_one_blas_thread(system: CalibrationSystem, household_weights: np.ndarray) -> np.ndarray:
    """``calibrate_replicates`` with BLAS limited to one thread. Its matrix products are small and many; BLAS
    threads that wait for busy cores made it 5× slower on this project's 2-core machine under load (200 replicates
    of 4,000 households: 16.9 s with two threads, 3.1 s with one), and the result does not depend on it."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return calibrate_replicates(system, household_weights)


def attribute_household_amounts(
    household_amounts: ArrayLike,
    household_ids: ArrayLike,
    person_household_ids: ArrayLike,
    person_weights: ArrayLike,
    household_weights: ArrayLike | None = None,
) -> np.ndarray:
    """Spread household amounts over members so that person-weighted totals equal household-weighted ones.

        a_i = A_h × w_h / Σ_{j in h} w_j     (i in household h)

    so Σ_{i in h} w_i a_i = w_h A_h exactly. When every member carries the household weight (w_i = w_h, the
    engine's default) this is the equal split a_i = A_h / n_h; without ``household_weights`` the equal split
    is used whatever the person weights.

    Args:
        household_amounts: one amount per household (e.g. annual benefit), aligned with ``household_ids``.
        household_ids: the households' ids.
        person_household_ids: household id of each person.
        person_weights: person weights w_i.
        household_weights: household weights w_h aligned with ``household_ids`` (optional).

    Returns:
        One amount per person (float64).
    """
    amounts = np.asarray(household_amounts, dtype=np.float64)
    ids, person_ids = np.asarray(household_ids), np.asarray(person_household_ids)
    if ids.shape == person_ids.shape and np.array_equal(ids, person_ids):
        # one row per household, in order (a compact frame): no index of a million ids to build
        increasing = ids.dtype.kind in "iu" and bool(np.all(ids[1:] > ids[:-1]))  # unique without hashing
        if ids.size != amounts.size or not (increasing or pd.Index(ids).is_unique):
            raise AnalysisError("household_ids must be unique and aligned with household_amounts.")
        position = np.arange(ids.size)
    else:
        index = pd.Index(ids)
        if index.size != amounts.size or not index.is_unique:
            raise AnalysisError("household_ids must be unique and aligned with household_amounts.")
        position = index.get_indexer(person_ids)
    if (position < 0).any():
        raise AnalysisError(f"{int((position < 0).sum())} persons belong to households not in household_ids.")
    w = np.asarray(person_weights, dtype=np.float64)
    if household_weights is None:
        members = np.bincount(position, minlength=amounts.size).astype(np.float64)
        return amounts[position] / members[position]
    hw = np.asarray(household_weights, dtype=np.float64)
    member_weight = np.bincount(position, weights=w, minlength=amounts.size)
    if (member_weight[position] <= 0).any():
        raise AnalysisError("a household's members have zero total weight; cannot attribute its amount.")
    return amounts[position] * hw[position] / member_weight[position]


def _column_values(values: ArrayLike) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A column's values without its index: a Series or extension array as it is stored (text stays Arrow
    text, not n Python strings), anything else as a numpy array."""
    if isinstance(values, pd.Series):
        return values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values
    return np.asarray(values)


def build_person_frame(
    household_id: ArrayLike,
    weight: ArrayLike,
    welfare: Mapping[str, ArrayLike],
    amounts: Mapping[tuple[str, str], ArrayLike] | None = None,
    *,
    household_weight: ArrayLike | None = None,
    stratum: ArrayLike | None = None,
    psu: ArrayLike | None = None,
    groups: Mapping[str, ArrayLike] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assemble and check a person frame from person-aligned arrays.

    Args:
        household_id, weight: one entry per person.
        welfare: ``{scenario: welfare per person per month}``.
        amounts: ``{(programme, scenario): annual amount attributed to each person}`` (use
            :func:`attribute_household_amounts` for household-level programmes).
        household_weight, stratum, psu: optional design columns, one entry per person.
        groups: grouping columns (``sex``, ``age``, ``region`` ...), one entry per person.

    Returns:
        The person frame (see the module docstring).
    """
    columns: dict[str, ArrayLike] = {HOUSEHOLD_ID: household_id, WEIGHT: weight}
    for name, values in (("household_weight", household_weight), (STRATUM, stratum), (PSU, psu)):
        if values is not None:
            columns[name] = values
    for scenario, values in welfare.items():
        columns[welfare_column(scenario)] = values
    for (programme, scenario), values in (amounts or {}).items():
        if scenario not in welfare:
            raise AnalysisError(f"amounts for scenario {scenario!r}, which has no welfare; scenarios: {list(welfare)}.")
        columns[amount_column(programme, scenario)] = values
    if groups is not None:
        for name in groups:
            if name in columns:
                raise AnalysisError(f"group column {name!r} clashes with a reserved person-frame column.")
            columns[str(name)] = groups[name]
    columns = {name: _column_values(values) for name, values in columns.items()}
    lengths = {name: len(values) for name, values in columns.items()}
    n = lengths[HOUSEHOLD_ID]
    wrong = {name: size for name, size in lengths.items() if size != n}
    if wrong:
        raise AnalysisError(f"every column needs one entry per person ({n}); got {wrong}.")
    frame = pd.DataFrame(columns)
    weights_of(frame)
    for scenario in welfare:
        welfare_of(frame, scenario)
    return frame
