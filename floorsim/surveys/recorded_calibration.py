"""The calibration a survey's weights satisfy, recorded in its metadata, and re-applied to replicate weights.

A calibrated survey keeps its margins, distance and bounds in ``SurveyMetadata.calibration`` (plain JSON, written
with the survey's other metadata). From the record, :func:`recorded_system` rebuilds the household-level
calibration matrix ``X`` (one row per household; a persons margin counts the household's members in each
category, so ``X_hc`` = members of household h in class c) and the totals ``t``; :func:`calibrate_replicates`
re-calibrates each row of a matrix of replicate household weights ``D`` (R × H) to the same ``t`` with the same
distance and bounds (Deville & Särndal 1992; for replicate variance of calibrated estimators see Rust & Rao 1996,
"Variance estimation for complex surveys using replication techniques", SMMR 5(3), and Wolter 2007):

    w_r = d_r · F(X λ_r)   with  X' w_r = t,

households a replicate drops (``d_rh = 0``) keep weight 0. The solver is :func:`floorsim.surveys.calibration.calibrate_weights`
itself, so the replicates and the full sample are calibrated by one routine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from floorsim.surveys.calibration import CalibrationError, Margin, Total, _Distance, calibrate_weights, calibration_matrix
from floorsim.surveys.model import Survey


def calibration_record(
    margins: Sequence[Margin | Total], method: str, bounds: tuple[float, float] | None
) -> dict[str, Any]:
    """The JSON form of a calibration, as stored in ``SurveyMetadata.calibration`` (see its docstring)."""
    records: list[dict[str, Any]] = []
    for margin in margins:
        if isinstance(margin, Total):
            records.append(
                {"name": margin.name, "level": margin.level, "target": float(margin.target), "column": margin.column}
            )
            continue
        targets = [
            [*(str(part) for part in (key if isinstance(key, tuple) else (key,))), float(value)]
            for key, value in margin.targets.items()
        ]
        records.append(
            {
                "name": margin.name,
                "level": margin.level,
                "by": list(margin.by),
                "targets": targets,
                "age_groups": list(margin.age_groups) if margin.age_groups else None,
            }
        )
    return {"method": method, "bounds": None if bounds is None else [float(b) for b in bounds], "margins": records}


def margins_from_record(record: Mapping[str, Any]) -> list[Margin | Total]:
    """The margins of a calibration record (inverse of :func:`calibration_record`).

    Raises:
        CalibrationError: the record is malformed; ``field`` names the margin.
    """
    margins: list[Margin | Total] = []
    for item in record.get("margins", []):
        name = str(item.get("name", "?"))
        try:
            if "target" in item:
                margins.append(Total(name, item["level"], float(item["target"]), item.get("column")))
                continue
            width = len(item["by"])
            targets = {
                (tuple(row[:width]) if width > 1 else row[0]): float(row[width]) for row in item["targets"]
            }
            ages = item.get("age_groups")
            margins.append(Margin(name, item["level"], tuple(item["by"]), targets, tuple(ages) if ages else None))
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise CalibrationError(f"malformed calibration record: {error!r}", field=name) from error
    return margins


@dataclass(frozen=True)
class CalibrationSystem:
    """A recorded calibration made concrete for one survey.

    Attributes:
        X: household-level calibration matrix (H × k), rows in the survey's household order.
        totals: the targets t (k,).
        method, bounds: the distance and the bounds on g = w / d, as recorded.
        names: ``(margin, category)`` of each column.
        household_ids: the survey's ``household_id``s, aligned with the rows of X.
    """

    X: np.ndarray
    totals: np.ndarray
    method: str
    bounds: tuple[float, float] | None
    names: list[tuple[str, str]]
    household_ids: np.ndarray

    @property
    def margin_names(self) -> list[str]:
        """The margins, in order, each once."""
        return list(dict.fromkeys(m for m, _ in self.names))


def recorded_system(survey: Survey) -> CalibrationSystem | None:
    """The survey's recorded calibration as ``X``, ``t``, method and bounds; None when it records none."""
    record = survey.metadata.calibration
    if not record:
        return None
    X, totals, names = calibration_matrix(survey, margins_from_record(record))
    bounds = record.get("bounds")
    return CalibrationSystem(
        X=X,
        totals=totals,
        method=str(record.get("method", "raking")),
        bounds=None if bounds is None else (float(bounds[0]), float(bounds[1])),
        names=names,
        household_ids=survey.households["household_id"].to_numpy(),
    )


REPLICATES_PER_BLOCK = 16  # replicates solved together by calibrate_replicates (memory, not results)


def calibrate_replicates(
    system: CalibrationSystem, household_weights: np.ndarray, tol: float = 1e-8, max_iter: int = 100
) -> np.ndarray:
    """Re-calibrate every row of ``household_weights`` (R × H replicate weights) to the system's totals.

    All replicates are solved together: λ is an (R × k) array and each Newton step computes the R Hessians
    X' diag(d_r F'(X λ_r)) X as one matrix product with the products of pairs of columns of X, and solves them
    with one batched solve. Redundant margins (persons by age and persons by stratum count the same people) are
    first reduced to linearly independent columns of X: the dropped totals follow from the kept ones (the full
    sample's calibration checked that t is consistent), and X λ spans the same adjustments. Steps are halved,
    replicate by replicate, until each residual shrinks, as in :func:`floorsim.surveys.calibration.calibrate_weights`.
    Households a replicate drops (d_rh = 0) keep 0, because w = d · g. A replicate that does not converge (or
    whose Hessian is singular) is solved again by ``calibrate_weights`` itself, whose error says which margin
    cannot be met. ``tol`` is the relative error allowed on every total (1e-8: far below any standard error).

    Raises:
        CalibrationError: a replicate cannot meet the margins (e.g. it drops every unit of a category); the
            message names the replicate and the margin.
    """
    D = np.asarray(household_weights, dtype=np.float64)
    columns = _independent_columns(system.X)
    X, t = np.ascontiguousarray(system.X[:, columns]), system.totals[columns]
    distance = _Distance(system.method, system.bounds)  # the very g and g' of calibrate_weights
    scale = np.maximum(np.abs(t), 1.0)
    pairs = _column_pairs(X)
    calibrated = np.empty_like(D)
    # Replicates are solved independently (steps, halving and stopping are per row): blocks of rows give the same
    # result while the solver's R × H temporaries stay small (300 MB each for 200 replicates of a million persons).
    for start in range(0, D.shape[0], REPLICATES_PER_BLOCK):
        rows = slice(start, start + REPLICATES_PER_BLOCK)
        calibrated[rows] = _calibrate_block(system, X, t, distance, scale, pairs, D[rows], tol, max_iter, start)
    return calibrated


def _calibrate_block(
    system: CalibrationSystem, X: np.ndarray, t: np.ndarray, distance: _Distance, scale: np.ndarray,
    pairs: _ColumnPairs, D: np.ndarray, tol: float, max_iter: int, first: int,
) -> np.ndarray:
    """``calibrate_replicates`` on the rows ``D`` (replicates ``first``, ``first`` + 1, ...)."""
    lam = np.zeros((D.shape[0], X.shape[1]))
    residual = t - (D * distance.g(lam @ X.T)) @ X
    active = np.flatnonzero(np.max(np.abs(residual) / scale, axis=1) > tol)
    for _ in range(max_iter):
        if active.size == 0:
            break
        try:
            step = _newton_steps(pairs, D[active] * distance.dg(lam[active] @ X.T), residual[active])
        except np.linalg.LinAlgError:
            break  # a singular Hessian: the reference solver below takes these replicates
        norm = np.linalg.norm(residual[active] / scale, axis=1)
        pending = np.ones(active.size, dtype=bool)
        for _ in range(40):
            rows = active[pending]
            trial = t - (D[rows] * distance.g((lam[rows] + step[pending]) @ X.T)) @ X
            better = np.all(np.isfinite(trial), axis=1) & (np.linalg.norm(trial / scale, axis=1) < norm[pending])
            lam[rows[better]] += step[pending][better]
            residual[rows[better]] = trial[better]
            pending[np.flatnonzero(pending)[better]] = False
            if not pending.any():
                break
            step[pending] /= 2
        active = active[~pending]  # a replicate whose step never helps stalls: left to the reference solver
        active = active[np.max(np.abs(residual[active]) / scale, axis=1) > tol]
    calibrated = D * distance.g(lam @ X.T)
    for r in np.flatnonzero(np.max(np.abs(residual) / scale, axis=1) > tol):
        calibrated[r] = _reference_solution(system, D[r], tol, max_iter, first + int(r))
    return calibrated


def _independent_columns(X: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns of X (greedy, in column order)."""
    gram = X.T @ X
    kept: list[int] = []
    for j in range(X.shape[1]):
        trial = [*kept, j]
        if np.linalg.matrix_rank(gram[np.ix_(trial, trial)]) == len(trial):
            kept.append(j)
    return np.asarray(kept, dtype=np.int64)


@dataclass(frozen=True)
class _ColumnPairs:
    """Products x_hi x_hj of the pairs (i <= j) of columns of X that are ever both non-zero, for the Hessians."""

    products: np.ndarray  # H × pairs
    first: np.ndarray
    second: np.ndarray
    k: int


def _column_pairs(X: np.ndarray) -> _ColumnPairs:
    first, second = np.triu_indices(X.shape[1])
    co_occur = ((X != 0).T.astype(np.float64) @ (X != 0).astype(np.float64))[first, second] > 0
    first, second = first[co_occur], second[co_occur]
    # Gathering rows of a C-ordered X' is contiguous, so far faster than gathering columns of X.
    Xt = np.ascontiguousarray(X.T)
    return _ColumnPairs((Xt[first] * Xt[second]).T, first, second, X.shape[1])


def _newton_steps(pairs: _ColumnPairs, c: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """Newton steps H_r⁻¹ r_r with H_r = X' diag(c_r) X for every replicate r (rows of ``c``)."""
    entries = c @ pairs.products
    hessians = np.zeros((c.shape[0], pairs.k, pairs.k))
    hessians[:, pairs.first, pairs.second] = entries
    hessians[:, pairs.second, pairs.first] = entries
    return np.linalg.solve(hessians, residual[:, :, None])[:, :, 0]


def _reference_solution(system: CalibrationSystem, d: np.ndarray, tol: float, max_iter: int, r: int) -> np.ndarray:
    """One replicate calibrated by ``calibrate_weights`` on its kept households (the others stay at 0)."""
    kept = d > 0
    try:
        result = calibrate_weights(
            system.X[kept], d[kept], system.totals, method=system.method, bounds=system.bounds, tol=tol,
            max_iter=max_iter, names=system.names,
        )
    except CalibrationError as error:
        raise CalibrationError(f"replicate {r}: {error.rule}", field=error.field) from error
    weights = np.zeros_like(d)
    weights[kept] = result.weights
    return weights
