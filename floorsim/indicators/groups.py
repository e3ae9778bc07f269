"""Quantile groups (deciles, quintiles) of a weighted distribution."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import values_and_weights
from .errors import IndicatorError
from .quantiles import weighted_quantile


def quantile_groups(values: ArrayLike, weights: ArrayLike, n: int = 10) -> NDArray[np.int64]:
    """Group number 1..n (1 = poorest) of each observation, by the weighted quantiles of ``values``.

    With cut-points Q(k/n), k = 1..n−1, from ``weighted_quantile`` (Eurostat definition):

        group_i = 1 + #{k : y_i > Q(k/n)}

    so a person exactly at a cut-point is in the lower group, and people with equal values (members of one
    household carrying its per-capita welfare) are never split between groups. Groups hold about 1/n of the
    weight each, exactly so only when no weight sits at a cut-point.

    Args:
        values: the ranking variable (e.g. baseline welfare per person).
        weights: the weights that define the population shares (person weights for person-weighted deciles).
        n: number of groups (10 deciles, 5 quintiles), >= 1.

    Returns:
        An int64 array of group numbers in 1..n, aligned with ``values``.
    """
    x, w = values_and_weights(values, weights)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise IndicatorError(f"n must be a positive integer number of groups; got {n!r}.")
    if n == 1:
        return np.ones(x.size, dtype=np.int64)
    cuts = np.atleast_1d(weighted_quantile(x, w, np.arange(1, n) / n))
    return (np.searchsorted(cuts, x, side="left") + 1).astype(np.int64)
