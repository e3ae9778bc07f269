"""Calibration (reweighting) of household weights to population margins.

Calibration (Deville & Särndal 1992, "Calibration estimators in survey sampling", JASA 87(418); Deville, Särndal &
Sautory 1993, "Generalized raking procedures in survey sampling", JASA 88(423)) finds weights ``w = d · g`` close
to the initial weights ``d`` such that the weighted totals of calibration variables hit known population totals::

    X' w = t        with  g_i = F(x_i' λ)

where ``X`` has one row per household and one column per calibration total, ``t`` the targets, and ``F`` the
inverse derivative of the chosen distance:

- ``"linear"`` (chi-square distance; the GREG weights): ``F(u) = 1 + u``. Solved in one step:
  ``λ = (X' D X)⁻¹ (t − X' d)`` with ``D = diag(d)``. Weights can be negative.
- ``"raking"`` (multiplicative, Kullback–Leibler distance): ``F(u) = exp(u)``; on categorical margins it gives the
  same weights as iterative proportional fitting, and keeps weights positive.
- ``"logit"`` (bounded): ``F(u) = [L(U−1) + U(1−L) e^{Au}] / [(U−1) + (1−L) e^{Au}]`` with
  ``A = (U−L)/((1−L)(U−1))``, so ``L < g < U``.

With ``bounds=(L, U)``, ``"linear"`` becomes truncated linear (``g = clip(1 + u, L, U)``) and ``"raking"``
truncated raking (``g = clip(e^u, L, U)``). ``λ`` is found by damped Newton steps with a Moore–Penrose solve (so
redundant margins, e.g. households by region and the household total, are fine); iterations stop when every
total is within ``tol`` relative error (absolute for targets below 1).

Persons margins are met by **integrated household weighting**: a household's row of ``X`` counts its members in
each category, so every member carries the household's weight (Lemaître & Dufour 1987). Hand-written with numpy
rather than taken from a library: the Python candidates checked (samplics 0.6) do not enforce weight bounds, have
no logit distance and calibrate units to their own categories only, not households to person counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

# The margins and the calibration matrix of a survey live in margins.py; imported here, where they were defined
# first, so that ``from floorsim.surveys.calibration import Margin, calibration_matrix`` keeps working.
from floorsim.surveys.margins import CalibrationError, Level, Margin, Total, calibration_matrix
from floorsim.surveys.model import Survey

__all__ = ["METHODS", "CalibrationError", "CalibrationResult", "Level", "Margin", "Total", "calibrate_survey",
           "calibrate_weights", "calibration_matrix"]

METHODS = ("raking", "linear", "logit")


@dataclass(frozen=True)
class CalibrationResult:
    """Calibrated weights and diagnostics.

    Attributes:
        weights: calibrated weights ``w = d · g`` (float64).
        g: adjustment factors ``w / d``.
        iterations: Newton steps taken.
        max_relative_error: largest ``|X'w − t| / max(|t|, 1)`` at the end.
        margins: one row per calibration total: ``margin``, ``category``, ``target``, ``initial`` (``X'd``),
            ``calibrated`` (``X'w``) and ``relative_error``.
        method, bounds: as requested.
    """

    weights: np.ndarray
    g: np.ndarray
    iterations: int
    max_relative_error: float
    margins: pd.DataFrame
    method: str
    bounds: tuple[float, float] | None


def calibrate_weights(
    X: np.ndarray,
    initial: np.ndarray,
    totals: np.ndarray,
    *,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
    names: Sequence[tuple[str, str]] | None = None,
) -> CalibrationResult:
    """Calibrate ``initial`` weights so that ``X' w = totals`` (see the module docstring for the distances).

    Args:
        X: calibration matrix, one row per unit and one column per total (float64, finite).
        initial: initial weights ``d`` (> 0).
        totals: targets ``t``, one per column of ``X``.
        method: ``"raking"``, ``"linear"`` or ``"logit"``.
        bounds: ``(L, U)`` bounds on ``g = w / d`` with ``0 <= L <= 1 <= U``; required for ``"logit"`` (where
            ``L < 1 < U``), optional for the others (truncation).
        tol: convergence tolerance on the relative error of every total.
        max_iter: maximum number of Newton steps.
        names: ``(margin, category)`` of each column, for diagnostics and errors.

    Raises:
        CalibrationError: inputs malformed, margins infeasible (a category with no sample unit, totals no weights
            can reach, targets outside what the bounds allow), or no convergence in ``max_iter`` steps; the
            error's ``field`` names the margin.
    """
    X = np.asarray(X, dtype=np.float64)
    d = np.asarray(initial, dtype=np.float64)
    t = np.asarray(totals, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    n, k = X.shape
    names = list(names) if names is not None else [(f"column {j}", "") for j in range(k)]
    _check_inputs(X, d, t, method, bounds, names)
    _check_feasible(X, d, t, method, bounds, names)

    distance = _Distance(method, bounds)
    scale = np.maximum(np.abs(t), 1.0)
    lam = np.zeros(k)
    iterations = 0

    def residual(lam: np.ndarray) -> np.ndarray:
        return t - X.T @ (d * distance.g(X @ lam))

    r = residual(lam)
    while np.max(np.abs(r) / scale) > tol:
        if iterations >= max_iter:
            raise _not_converged(r, scale, names, max_iter, bounds)
        u = X @ lam
        hessian = X.T @ ((d * distance.dg(u))[:, None] * X)
        step = np.linalg.lstsq(hessian, r, rcond=None)[0]
        # Damped Newton: halve the step until the residual shrinks (a full step always works for linear).
        norm = np.linalg.norm(r / scale)
        for _ in range(40):
            trial = residual(lam + step)
            if np.all(np.isfinite(trial)) and np.linalg.norm(trial / scale) < norm:
                break
            step = step / 2
        else:
            raise _not_converged(r, scale, names, iterations, bounds, stalled=True)
        lam = lam + step
        r = trial
        iterations += 1

    g = distance.g(X @ lam)
    w = d * g
    table = pd.DataFrame(
        {
            "margin": [m for m, _ in names],
            "category": [c for _, c in names],
            "target": t,
            "initial": X.T @ d,
            "calibrated": X.T @ w,
        }
    )
    table["relative_error"] = (table["calibrated"] - table["target"]).abs() / scale
    return CalibrationResult(
        weights=w,
        g=g,
        iterations=iterations,
        max_relative_error=float(table["relative_error"].max()) if k else 0.0,
        margins=table,
        method=method,
        bounds=None if bounds is None else (float(bounds[0]), float(bounds[1])),
    )


class _Distance:
    """``g = F(u)`` and ``F'(u)`` of a calibration distance, truncated to bounds where asked."""

    def __init__(self, method: str, bounds: tuple[float, float] | None) -> None:
        self.method = method
        self.low, self.high = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
        if method == "logit":
            self.a = (self.high - self.low) / ((1 - self.low) * (self.high - 1))

    def g(self, u: np.ndarray) -> np.ndarray:
        if self.method == "linear":
            return np.clip(1 + u, self.low, self.high)
        if self.method == "raking":
            return np.clip(np.exp(np.minimum(u, 700.0)), self.low, self.high)
        e = np.exp(np.clip(self.a * u, -700.0, 700.0))
        lo, hi = self.low, self.high
        return (lo * (hi - 1) + hi * (1 - lo) * e) / ((hi - 1) + (1 - lo) * e)

    def dg(self, u: np.ndarray) -> np.ndarray:
        if self.method == "linear":
            inside = (1 + u > self.low) & (1 + u < self.high)
            return inside.astype(np.float64)
        if self.method == "raking":
            e = np.exp(np.minimum(u, 700.0))
            return np.where((e > self.low) & (e < self.high), e, 0.0)
        e = np.exp(np.clip(self.a * u, -700.0, 700.0))
        lo, hi = self.low, self.high
        return e * (hi - lo) ** 2 / ((hi - 1) + (1 - lo) * e) ** 2


def _check_inputs(
    X: np.ndarray, d: np.ndarray, t: np.ndarray, method: str, bounds: tuple[float, float] | None,
    names: list[tuple[str, str]],
) -> None:
    if method not in METHODS:
        raise CalibrationError(f"method must be one of {METHODS}, got {method!r}", field="method")
    n, k = X.shape
    if d.shape != (n,) or t.shape != (k,) or len(names) != k:
        raise CalibrationError(
            f"shapes disagree: X is {X.shape}, initial weights {d.shape}, totals {t.shape}, names {len(names)}"
        )
    if not np.all(np.isfinite(X)):
        first_bad = int(np.argmax(~np.isfinite(X).all(axis=0)))
        raise CalibrationError("calibration variables must be finite", field=names[first_bad][0])
    if not np.all(np.isfinite(d) & (d > 0)):
        raise CalibrationError("initial weights must be finite and positive", field="weight",
                               rows=np.flatnonzero(~(np.isfinite(d) & (d > 0))).tolist())
    if not np.all(np.isfinite(t)):
        j = int(np.argmax(~np.isfinite(t)))
        raise CalibrationError(f"target of category {names[j][1]!r} is not finite", field=names[j][0])
    if method == "logit" and bounds is None:
        raise CalibrationError("logit calibration needs bounds (L, U) with 0 <= L < 1 < U", field="bounds")
    if bounds is not None:
        low, high = bounds
        strict = method == "logit"
        if not (0 <= low <= 1 <= high) or (strict and not (low < 1 < high)):
            raise CalibrationError(
                f"bounds must satisfy 0 <= L {'<' if strict else '<='} 1 {'<' if strict else '<='} U, got {bounds}",
                field="bounds",
            )


def _check_feasible(
    X: np.ndarray, d: np.ndarray, t: np.ndarray, method: str, bounds: tuple[float, float] | None,
    names: list[tuple[str, str]],
) -> None:
    """Infeasibility that can be seen before iterating, named by margin and category."""
    positive_weights = method != "linear" or (bounds is not None and bounds[0] > 0)
    for j in range(X.shape[1]):
        column, (margin, category) = X[:, j], names[j]
        if not np.any(column != 0):
            if t[j] != 0:
                raise CalibrationError(
                    f"no sample unit is in category {category!r}, so its target {t[j]:g} cannot be reached",
                    field=margin,
                )
            continue
        if positive_weights and np.all(column >= 0):
            if t[j] <= 0:
                raise CalibrationError(
                    f"category {category!r} has sample units but a target of {t[j]:g}: positive weights cannot"
                    " reach it",
                    field=margin,
                )
            if bounds is not None:
                reach = column @ d
                low, high = bounds[0] * reach, bounds[1] * reach
                if not (low * (1 - 1e-12) <= t[j] <= high * (1 + 1e-12)):
                    raise CalibrationError(
                        f"category {category!r} needs its weights multiplied by {t[j] / reach:.4g} on average,"
                        f" outside the bounds {tuple(bounds)}",
                        field=margin,
                    )
    # Totals no real weights could reach (e.g. two margins of the same units with different grand totals): t must
    # lie in the column space of X'. The least-squares residual of X'w = t shows it.
    w, *_ = np.linalg.lstsq(X.T, t, rcond=None)
    gap = np.abs(X.T @ w - t) / np.maximum(np.abs(t), 1.0)
    if gap.max() > 1e-8:
        worst = np.argsort(-gap)[:2]
        margins = sorted({names[j][0] for j in worst})
        raise CalibrationError(
            f"margins are inconsistent (e.g. they imply different grand totals): {margins} cannot all hold;"
            f" worst category {names[worst[0]][1]!r}",
            field=names[worst[0]][0],
        )


def _not_converged(
    r: np.ndarray, scale: np.ndarray, names: list[tuple[str, str]], steps: int,
    bounds: tuple[float, float] | None, stalled: bool = False,
) -> CalibrationError:
    j = int(np.argmax(np.abs(r) / scale))
    margin, category = names[j]
    hint = f"; the bounds {tuple(bounds)} may be too tight" if bounds is not None else ""
    what = "stalled" if stalled else f"did not converge in {steps} iterations"
    return CalibrationError(
        f"calibration {what}: category {category!r} is off by {abs(r[j]):.6g} ({abs(r[j]) / scale[j]:.3g} relative)"
        f"{hint}",
        field=margin,
    )


# --- Surveys -----------------------------------------------------------------------------------------------------


def calibrate_survey(
    survey: Survey,
    margins: Sequence[Margin | Total],
    *,
    method: str = "raking",
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> tuple[Survey, CalibrationResult]:
    """Calibrate the household weights of ``survey`` to ``margins`` (see :func:`calibrate_weights`).

    Returns:
        A new survey with calibrated household weights (a persons ``weight`` column, if any, is replaced by the
        calibrated household weight: with integrated weighting every member carries it), its metadata's ``extra``
        recording the diagnostics and ``calibration`` the margins, method and bounds (so that replicate weights
        can be re-calibrated to them), and the :class:`CalibrationResult`.
    """
    X, t, names = calibration_matrix(survey, margins)
    result = calibrate_weights(
        X, survey.households["weight"].to_numpy(np.float64), t, method=method, bounds=bounds, tol=tol,
        max_iter=max_iter, names=names,
    )
    households = survey.households.assign(weight=result.weights)
    persons = survey.persons
    if "weight" in persons.columns:
        persons = persons.assign(weight=result.weights[survey.person_household_index])
    extra = {
        **survey.metadata.extra,
        "calibration": {
            "method": method,
            "bounds": list(result.bounds) if result.bounds else None,
            "margins": list(dict.fromkeys(m for m, _ in names)),
            "iterations": result.iterations,
            "max_relative_error": result.max_relative_error,
        },
    }
    # Imported here: recorded_calibration builds on this module's Margin and calibrate_weights.
    from floorsim.surveys.recorded_calibration import calibration_record

    metadata = replace(survey.metadata, extra=extra, calibration=calibration_record(margins, method, result.bounds))
    return Survey(households, persons, metadata, origin=survey.origin), result
