"""Weighted totals and counts in float64: programme cost, beneficiaries, population."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, values_and_weights
from .errors import IndicatorError


def weighted_total(values: ArrayLike, weights: ArrayLike) -> float:
    """Population total of ``values``: sum_i w_i x_i, accumulated in float64.

    OpenFisca returns float32 arrays, which hold about 7 significant digits: summed in float32, a national
    benefit bill of billions loses whole currency units (2**24 + 1 is not a float32). Both arrays are
    converted to float64 before multiplying and summing.

    Args:
        values: amount per observation (for example a benefit in currency per year per household).
        weights: survey weights (>= 0): how many population units each observation represents.

    Returns:
        The total in the unit of ``values`` times the unit of the weights (e.g. currency per year for the
        whole population).

    Zero and negative values are ordinary amounts (negative ones, such as taxes, reduce the total).

    Raises:
        IndicatorError: invalid values/weights (lengths differ, non-finite, weights < 0 or summing to 0).
    """
    x, w = values_and_weights(values, weights)
    return float(np.sum(w * x))


def weighted_count(condition: ArrayLike, weights: ArrayLike) -> float:
    """Number of population units meeting ``condition``: sum_i w_i 1[condition_i], in float64.

    Args:
        condition: one boolean per observation (for example ``benefit > 0`` for beneficiaries). Numeric
            arrays are accepted only if every entry is 0 or 1, so that a count is never silently turned into
            a weighted sum of amounts.
        weights: survey weights (>= 0).

    Returns:
        The weighted count, in the unit of the weights (persons or households represented).

    Raises:
        IndicatorError: ``condition`` not boolean (nor 0/1), or invalid weights / lengths as for
            ``weighted_total``.
    """
    raw = np.asarray(condition)
    if raw.dtype != np.bool_:
        flags = as_float_array(raw, "condition")
        if not np.isin(flags, (0.0, 1.0)).all():
            raise IndicatorError(
                "condition must be boolean (or 0/1); got other numbers. To total amounts use weighted_total."
            )
        raw = flags
    flags, w = values_and_weights(raw, weights)
    return float(np.sum(w[flags == 1.0]))
