"""Poverty measures on weighted arrays: the FGT family, the Watts index and the relative median poverty gap.

Conventions shared by every function here:

* A person is poor when their value is *strictly below* the line (y < z), as in Eurostat's at-risk-of-poverty
  rate and laeken; someone exactly at the line is not poor.
* Results are fractions, not percentages (0.1444, not 14.44); multiply by 100 for a table.
* ``line`` is in the unit of ``values`` (for example euros per equivalent adult per year). It is either one
  number for everybody or one value per observation (lines that vary by region or household type).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import NonPositivePolicy, as_line, as_parameter, positive_mask, values_and_weights
from .errors import IndicatorError
from .quantiles import weighted_quantile


def fgt(values: ArrayLike, weights: ArrayLike, line: float | ArrayLike, alpha: float = 0.0) -> float:
    """Foster-Greer-Thorbecke poverty index P_alpha (Foster, Greer & Thorbecke 1984), normalised.

        P_alpha = (1 / W) * sum_i w_i * 1[y_i < z_i] * ((z_i - y_i) / z_i) ** alpha,   W = sum_i w_i

    alpha = 0 is the headcount ratio (share of people below the line; the at-risk-of-poverty rate when z is
    60 % of the median), alpha = 1 the poverty gap index, alpha = 2 the squared poverty gap (severity); any
    alpha >= 0 is accepted. For alpha = 0 the poor count 1 each (0 ** 0 is not relied on).

    Args:
        values: welfare per observation (income or consumption, per capita or per adult equivalent).
        weights: survey weights (>= 0), for example persons represented.
        line: poverty line(s) z > 0 in the unit of ``values``: a scalar or one per observation.
        alpha: poverty aversion parameter, >= 0.

    Returns:
        A fraction: P_0 in [0, 1]; for alpha > 0, 0 <= P_alpha and <= 1 unless values are negative.

    Zero and negative values are kept: zero welfare has a normalised gap of exactly 1, and a negative value
    (a loss-making self-employed household, say) a gap above 1, which the formula handles as it stands; drop
    or bottom-code such values first if your methodology says so.

    Raises:
        IndicatorError: invalid values/weights, a line that is not positive and finite (or of the wrong
            length), or alpha < 0.
    """
    x, w = values_and_weights(values, weights)
    z = as_line(line, x.size)
    a = as_parameter(alpha, "alpha", minimum=0.0)
    poor = x < z
    if a == 0.0:
        contribution = poor.astype(np.float64)
    else:
        gap = np.where(poor, (z - x) / z, 0.0)
        contribution = gap**a
    return float(np.sum(w * contribution) / np.sum(w))


def watts(
    values: ArrayLike,
    weights: ArrayLike,
    line: float | ArrayLike,
    nonpositive: NonPositivePolicy = "raise",
) -> float:
    """Watts poverty index (Watts 1968): the mean log shortfall of the poor from the line.

        Watts = (1 / W) * sum_i w_i * 1[y_i < z_i] * ln(z_i / y_i),   W = sum_i w_i

    Args:
        values: welfare per observation, same unit as ``line``.
        weights: survey weights (>= 0).
        line: poverty line(s) z > 0: a scalar or one per observation.
        nonpositive: rule for values <= 0, for which ln(z / y) is undefined (every such value is below any
            positive line, so it always matters). ``"raise"`` (default) refuses them and reports how many
            there are; ``"drop"`` removes those observations, with their weights and lines, from the
            population before computing (so W shrinks too).

    Returns:
        A non-negative number in natural-log units (0.05 is an average log shortfall of 0.05 per person).

    Raises:
        IndicatorError: invalid input as for ``fgt``, or values <= 0 with ``nonpositive="raise"``.
    """
    x, w = values_and_weights(values, weights)
    z = as_line(line, x.size)
    keep = positive_mask(x, w, nonpositive, "the Watts index")
    x, w = x[keep], w[keep]
    if isinstance(z, np.ndarray):
        z = z[keep]
    poor = x < z
    shortfall = np.where(poor, np.log(np.where(poor, z / x, 1.0)), 0.0)
    return float(np.sum(w * shortfall) / np.sum(w))


def relative_median_poverty_gap(values: ArrayLike, weights: ArrayLike, line: float) -> float:
    """Relative median at-risk-of-poverty gap (Eurostat EU-SILC indicator; ``laeken::rmpg``).

        RMPG = (z - m_poor) / z,   m_poor = weighted_quantile of {y_i : y_i < z} at 0.5

    where the median of the poor uses the same Eurostat weighted quantile as everything else. Eurostat and
    laeken publish it in percent with z = 60 % of the national median equivalised income; here it is a
    fraction and the line is given explicitly.

    Args:
        values: welfare per observation, same unit as ``line``.
        weights: survey weights (>= 0).
        line: one poverty line z > 0 (a per-observation line has no single "median relative to the line").

    Returns:
        A fraction, usually in [0, 1] (above 1 if the median poor person has negative welfare). ``nan`` when
        nobody with a positive weight is below the line: the gap of an empty group is undefined, as in laeken.

    Zero and negative values are ordinary values: they enter the median of the poor like any other.

    Raises:
        IndicatorError: invalid values/weights, or a line that is not one positive finite number.
    """
    x, w = values_and_weights(values, weights)
    if np.ndim(line) != 0:
        raise IndicatorError("relative_median_poverty_gap needs one poverty line (a number), not one per observation.")
    z = float(as_line(line, x.size))  # a scalar here: arrays were refused above
    poor = x < z
    if not np.sum(w[poor]) > 0:
        return float("nan")
    median_of_poor = weighted_quantile(x[poor], w[poor], 0.5)
    return (z - median_of_poor) / z
