"""Domains and sorted observations: the helpers the rank-based and poverty estimators share.

A domain is a boolean array (True for the observations of a group); ``_Sorted`` holds a domain's observations
sorted by value, on which quantiles, the Gini and poverty with an estimated line are computed replicate by
replicate; ``_density_at`` is the kernel density their linearisations need.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray
from .errors import IndicatorError
from .quantiles import weighted_quantile
from .weightsets import IntArray

_HIT_TOLERANCE = 1e-12  # as in quantiles.py: relative tolerance of an exact hit of q W


def _domain(domain: ArrayLike | None, n: int) -> np.ndarray | None:
    """The domain as a boolean array of length n (None: everybody)."""
    if domain is None:
        return None
    mask = np.asarray(domain)
    if mask.dtype != np.bool_:
        raise IndicatorError("domain must be a boolean array (True for the observations in the group).")
    if mask.shape != (n,):
        raise IndicatorError(f"domain must have one entry per observation ({n}); got shape {mask.shape}.")
    return mask


def _in_domain(mask: np.ndarray | None, n: int) -> FloatArray:
    return np.ones(n) if mask is None else mask.astype(np.float64)


class _Sorted:
    """The domain's observations sorted by value (stable), computed once per statistic."""

    def __init__(self, values: FloatArray, mask: np.ndarray | None) -> None:
        idx = np.arange(values.size) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            raise IndicatorError("the domain is empty: no observation belongs to it.")
        order = np.argsort(values[idx], kind="stable")
        self.indices: IntArray = idx[order].astype(np.int64)
        self.values: FloatArray = values[self.indices]


def _quantile_of_sorted(x: FloatArray, w: FloatArray, q: float) -> float:
    """Eurostat weighted quantile (as ``weighted_quantile``) of sorted x with weights w that may contain zeros.

    Zero weights (PSUs not drawn in a replicate) are skipped through the cumulative sums: the first positive
    weight is the first index where C > 0, and the value following an exact hit is the first index where C
    increases again.
    """
    cumulative = np.cumsum(w)
    total = cumulative[-1]
    if not total > 0:
        return math.nan
    first = int(np.searchsorted(cumulative, 0.0, side="right"))
    if q == 0.0:
        return float(x[first])
    if q == 1.0:
        return float(x[np.flatnonzero(w > 0)[-1]])
    target, tolerance = q * total, _HIT_TOLERANCE * total
    k = min(max(int(np.searchsorted(cumulative, target - tolerance, side="left")), first), x.size - 1)
    if abs(cumulative[k] - target) <= tolerance:
        following = int(np.searchsorted(cumulative, cumulative[k], side="right"))
        return float((x[k] + x[following if following < x.size else k]) / 2.0)
    return float(x[k])


def _density_at(values: FloatArray, weights: FloatArray, at: float) -> float:
    """Weighted Gaussian kernel density of ``values`` at ``at``, Silverman's rule-of-thumb bandwidth."""
    total = weights.sum()
    mean = weights @ values / total
    sd = math.sqrt(max(weights @ (values - mean) ** 2 / total, 0.0))
    q25, q75 = weighted_quantile(values, weights, [0.25, 0.75])
    spread = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    if not spread > 0:
        raise IndicatorError("cannot estimate a density for the linearisation: the values do not vary.")
    h = 0.9 * spread * np.count_nonzero(weights > 0) ** (-0.2)
    u = (at - values) / h
    return float(weights @ np.exp(-0.5 * u * u) / (total * h * math.sqrt(2.0 * math.pi)))

