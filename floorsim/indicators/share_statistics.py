"""Palma and S80/S20 as replicable statistics on observations sorted once.

``Generic(palma, y)`` calls the function once per replicate, and the function sorts the data every time. Here the
domain's observations are sorted once (``_sorted.shared_sorted``) and every replicate is computed from blocks of
replicate weights in that order (``sorted_blocks``), with the formulas of ``inequality.palma`` (the
piecewise-linear Lorenz curve at 0.4 and 0.9, zero-weight observations left out) and
``inequality.quintile_share_ratio`` (totals at or below the Eurostat 20 % quantile and strictly above the 80 %
one). Undefined replicates (a bottom share <= 0, an empty top fifth) give nan, as ``Generic`` does. No
linearisation: use replicate weights.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray, as_float_array
from .rank_statistics import _SortedStatistic
from .sorted_blocks import SortedBlock

PALMA_SHARES = np.array([0.4, 0.9])


class Palma(_SortedStatistic):
    """Palma ratio (1 − L(0.9)) / L(0.4) of a domain (``inequality.palma``), one sort for every replicate."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        super().__init__(as_float_array(values, "values"), domain, label)

    def _of_block(self, block: SortedBlock, prepared: None) -> FloatArray:
        curve = block.lorenz(PALMA_SHARES)
        bottom_40, up_to_90 = curve[:, 0], curve[:, 1]
        return np.where(bottom_40 > 0, (1.0 - up_to_90) / bottom_40, np.nan)


class QuintileShareRatio(_SortedStatistic):
    """S80/S20 of a domain (``inequality.quintile_share_ratio``): Σ w x above Q_0.8 over Σ w x at or below Q_0.2,
    one sort for every replicate."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        super().__init__(as_float_array(values, "values"), domain, label)

    def _of_block(self, block: SortedBlock, prepared: None) -> FloatArray:
        x, weights, values = block.values, block.weights, block.cumulative_values
        q20, q80 = block.quantile(0.2), block.quantile(0.8)
        result = np.full(block.size, np.nan)
        defined = np.flatnonzero(~np.isnan(q20))
        # Observations 0 … bottom − 1 are at or below Q_0.2; top … m − 1 strictly above Q_0.8 (x is sorted).
        bottom = np.searchsorted(x, q20[defined], side="right")
        top = np.searchsorted(x, q80[defined], side="right")
        for r, b, t in zip(defined, bottom, top):
            if not (weights[r, t:] > 0).any():
                continue  # nobody strictly above Q_0.8: the top fifth is empty
            bottom_total = values[r, b - 1]
            if bottom_total > 0:
                result[r] = (values[r, -1] - values[r, t - 1]) / bottom_total
        return result
