"""Domains and sorted observations: the helpers the rank-based and poverty estimators share.

A domain is a boolean array (True for the observations of a group); ``_Sorted`` holds a domain's observations
sorted by value, on which quantiles, the Gini and poverty with an estimated line are computed replicate by
replicate (one sort shared by every statistic of the same values and domain: ``shared_sorted``);
``_density_at`` is the kernel density their linearisations need.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray
from .errors import IndicatorError
from .quantiles import weighted_quantile
from .weightsets import IntArray

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
    """The domain's observations sorted by value (stable), computed once and shared.

    Build it with :func:`shared_sorted`: statistics of the same values and domain (the Gini, the median, the
    Palma ratio of one welfare vector) then share one sort, and register themselves in ``members`` so that one
    pass over blocks of replicate weights computes all of them (``sorted_blocks.evaluate_members``).
    """

    def __init__(self, values: FloatArray, mask: np.ndarray | None) -> None:
        idx = np.arange(values.size) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            raise IndicatorError("the domain is empty: no observation belongs to it.")
        order = np.argsort(values[idx], kind="stable")
        self.n = int(values.size)
        self.indices: IntArray = idx[order].astype(np.int64)
        self.values: FloatArray = values[self.indices]
        # Held weakly: a statistic nobody refers to any more is not computed again.
        self.members: weakref.WeakSet[Any] = weakref.WeakSet()
        self.busy: set[int] = set()  # members being prepared for a pass (sorted_blocks.evaluate_members)

    def holds(self, values: FloatArray, mask: np.ndarray | None) -> bool:
        """Whether this is the sorted order of ``values`` over ``mask``: the same observations, the same values."""
        size = values.size if mask is None else int(np.count_nonzero(mask))
        if values.size != self.n or size != self.indices.size:
            return False
        if mask is not None and not mask[self.indices].all():
            return False
        return bool(np.array_equal(values[self.indices], self.values))


# The sorted orders alive, by (observations, domain size, sum of the domain's values); checked with ``holds``.
_SHARED: weakref.WeakValueDictionary[tuple[int, int, float], _Sorted] = weakref.WeakValueDictionary()


def shared_sorted(values: FloatArray, mask: np.ndarray | None) -> _Sorted:
    """The sorted order of ``values`` over ``mask``: the one already built for the same values and domain if a
    statistic still holds it (so it is sorted once), else a new one."""
    inside = values if mask is None else values[mask]
    key = (int(values.size), int(inside.size), float(inside.sum()))
    held = _SHARED.get(key)
    if held is not None and held.holds(values, mask):
        return held
    made = _Sorted(values, mask)
    _SHARED[key] = made
    return made


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

