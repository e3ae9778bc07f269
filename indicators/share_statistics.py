"""Palma and S80/S20 as replicable statistics on observations sorted once.

``Generic(palma, y)`` calls the function once per replicate, and the function sorts the data every time. Here the
domain's observations are sorted once (``_Sorted``, stable); each replicate only gathers its weights in that order
and takes cumulative sums, with the formulas of ``inequality.palma`` (the piecewise-linear Lorenz curve at 0.4 and
0.9, zero-weight observations left out) and ``inequality.quintile_share_ratio`` (totals at or below the Eurostat
20 % quantile and strictly above the 80 % one). Undefined replicates (a bottom share <= 0, an empty top fifth)
give nan, as ``Generic`` does. No linearisation: use replicate weights.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _quantile_of_sorted
from ._validation import FloatArray, as_float_array
from .rank_statistics import _SortedStatistic
from .weightsets import WeightSet, map_rows

PALMA_SHARES = np.array([0.4, 0.9])


def _palma_of_sorted(x: FloatArray, w: FloatArray) -> float:
    """(1 − L(0.9)) / L(0.4) of sorted x with weights w (zeros allowed), as ``inequality.palma``."""
    positive = w > 0
    weight = np.cumsum(w[positive])
    value = np.cumsum(w[positive] * x[positive])
    if weight.size == 0 or not value[-1] > 0:
        return math.nan
    curve = np.interp(PALMA_SHARES, np.concatenate(([0.0], weight / weight[-1])),
                      np.concatenate(([0.0], value / value[-1])))
    bottom_40, up_to_90 = curve
    return float((1.0 - up_to_90) / bottom_40) if bottom_40 > 0 else math.nan


def _quintile_ratio_of_sorted(x: FloatArray, w: FloatArray) -> float:
    """Σ w x above q80 / Σ w x at or below q20 of sorted x, as ``inequality.quintile_share_ratio``."""
    q20, q80 = _quantile_of_sorted(x, w, 0.2), _quantile_of_sorted(x, w, 0.8)
    if math.isnan(q20):
        return math.nan
    bottom = int(np.searchsorted(x, q20, side="right"))
    top = int(np.searchsorted(x, q80, side="right"))
    if not w[top:].sum() > 0:
        return math.nan
    bottom_total = float(w[:bottom] @ x[:bottom])
    return float(w[top:] @ x[top:]) / bottom_total if bottom_total > 0 else math.nan


class Palma(_SortedStatistic):
    """Palma ratio of a domain (``inequality.palma``), one sort for every replicate."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        super().__init__(as_float_array(values, "values"), domain, label)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        x = self._sorted.values
        return map_rows(weights.at(self._sorted.indices), lambda w, r: _palma_of_sorted(x, w))


class QuintileShareRatio(_SortedStatistic):
    """S80/S20 of a domain (``inequality.quintile_share_ratio``), one sort for every replicate."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        super().__init__(as_float_array(values, "values"), domain, label)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        x = self._sorted.values
        return map_rows(weights.at(self._sorted.indices), lambda w, r: _quintile_ratio_of_sorted(x, w))
