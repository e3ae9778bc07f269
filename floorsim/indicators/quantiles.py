"""Weighted quantiles by the Eurostat EU-SILC definition (the one the R package laeken implements)."""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray, values_and_weights
from .errors import IndicatorError

# A cumulative weight counts as hitting the target q*W exactly when it is within this fraction of W.
# laeken compares floating-point shares with ==, so weights that are exact in decimal but not in binary
# (ten weights of 0.1) miss a hit that exact arithmetic would find, and the result then depends on the
# unit the weights are expressed in. A relative tolerance of 1e-12 removes that artefact while staying
# far below any real difference in cumulative weight (one person in a population of a trillion).
_HIT_TOLERANCE = 1e-12


@overload
def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: float) -> float: ...


@overload
def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: ArrayLike) -> FloatArray: ...


def weighted_quantile(values: ArrayLike, weights: ArrayLike, q: float | ArrayLike) -> float | FloatArray:
    """Weighted quantile(s) of ``values``: the Eurostat step function on the weighted CDF.

    Sort the observations by value, x_(1) <= ... <= x_(n), with weights w_(i), cumulative weights
    C_i = w_(1) + ... + w_(i) and total W = C_n. For 0 < q < 1 let k be the first i with C_i >= q W; then

        Q(q) = (x_(k) + x_(k+1)) / 2   if C_k = q W  (the CDF steps exactly at q: average with the next value)
        Q(q) = x_(k)                   otherwise,

    and Q(0) = x_(1) (minimum), Q(1) = x_(n) (maximum). This is Eurostat's definition for EU-SILC (the
    weighted form of Hyndman and Fan's type 2) as implemented by ``laeken::weightedQuantile`` (Alfons &
    Templ 2013); it is not numpy's default interpolated percentile. "Exactly" is tested with a relative
    tolerance of 1e-12 of W, see ``_HIT_TOLERANCE``.

    Args:
        values: one value per observation, in any unit; the result is in the same unit.
        weights: survey weights (>= 0). Observations with weight 0 represent nobody and are ignored,
            so they can never be "the next value" averaged in at an exact hit.
        q: probability or array of probabilities in [0, 1] (0.5 is the median, not 50).

    Returns:
        A float for a scalar ``q``, else a float64 array with the shape of ``q``.

    Zero and negative values are ordinary values here: quantiles are defined for any real numbers.

    Raises:
        IndicatorError: invalid values/weights (see the package docstring) or ``q`` outside [0, 1].
    """
    x, w = values_and_weights(values, weights)
    probs = _as_probabilities(q)

    positive = w > 0
    x, w = x[positive], w[positive]
    order = np.argsort(x, kind="stable")
    x_sorted = x[order]
    cumulative = np.cumsum(w[order])
    total = cumulative[-1]  # the same rounding as the cumulative sums, so C_n == W exactly
    last = x_sorted.size - 1

    target = probs.ravel() * total
    tolerance = _HIT_TOLERANCE * total
    k = np.minimum(np.searchsorted(cumulative, target - tolerance, side="left"), last)
    exact_hit = np.abs(cumulative[k] - target) <= tolerance
    following = np.minimum(k + 1, last)
    result = np.where(exact_hit, (x_sorted[k] + x_sorted[following]) / 2.0, x_sorted[k])
    # The end points are the extremes by definition, whatever the tolerance says about tiny end weights.
    result = np.where(probs.ravel() == 0.0, x_sorted[0], result)
    result = np.where(probs.ravel() == 1.0, x_sorted[last], result)

    if np.ndim(q) == 0:
        return float(result[0])
    return result.reshape(probs.shape)


def _as_probabilities(q: float | ArrayLike) -> FloatArray:
    """Validate quantile probabilities: numeric, finite, within [0, 1], at least one."""
    try:
        probs = np.asarray(q, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise IndicatorError(f"q must be a probability or an array of probabilities; got {q!r}.") from exc
    if probs.size == 0:
        raise IndicatorError("q is empty; give at least one probability.")
    outside = ~np.isfinite(probs) | (probs < 0) | (probs > 1)
    if outside.any():
        bad = probs[outside].ravel()[:5].tolist()
        raise IndicatorError(f"q must lie in [0, 1] (write 0.2 for the 20th percentile, not 20); got {bad}.")
    return probs
