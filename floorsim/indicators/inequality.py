"""Inequality measures on weighted arrays.

Three families live here:

* rank-based: ``gini`` (Eurostat's weighted formula, as in laeken), ``concentration_coefficient``;
* share-based: ``quintile_share_ratio`` (S80/S20 by Eurostat's cut-point rule), and the Lorenz-curve
  measures ``lorenz``, ``quantile_shares`` and ``palma``; the concentration curve ``concentration_curve``;
* the additively decomposable / welfare-based: ``generalized_entropy`` (Shorrocks 1980) and ``atkinson``
  (Atkinson 1970), which need strictly positive values.

All results are fractions (a Gini of 0.2649, not 26.49). Every measure here is invariant to multiplying the
values by a positive constant, and to multiplying all weights by a positive constant.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    FloatArray,
    NonPositivePolicy,
    as_float_array,
    as_parameter,
    positive_mask,
    values_and_weights,
)
from .errors import IndicatorError
from .quantiles import weighted_quantile


def gini(values: ArrayLike, weights: ArrayLike) -> float:
    """Weighted Gini coefficient, Eurostat EU-SILC formula (the one ``laeken::gini`` computes).

    Sort by value, x_(1) <= ... <= x_(n), with weights w_i, cumulative weights C_i = w_1 + ... + w_i,
    W = sum_i w_i and total T = sum_i w_i x_i. Eurostat's formula is

        G = [ 2 * sum_i w_i x_i C_i  -  sum_i w_i^2 x_i ] / (W T)  -  1,

    computed here in the algebraically identical form G = sum_i w_i x_i (2 C_i - w_i - W) / (W T), which
    avoids subtracting two numbers close to 1. Each person is ranked at the midpoint of their own weight,
    (C_i - w_i / 2) / W, so the result equals the weighted mean absolute difference over twice the mean,
    sum_ij w_i w_j |x_i - x_j| / (2 W^2 mu), and does not depend on how tied values are ordered. There is
    no finite-sample correction (no n / (n - 1) factor); see docs/indicators.md for the variants other
    packages use, which differ from this one in the 4th decimal of G (2nd-3rd of G x 100) on EU-SILC data.

    Args:
        values: income or consumption per observation, any unit (the Gini has none).
        weights: survey weights (>= 0).

    Returns:
        A fraction: 0 is perfect equality, values approach 1 as one person holds everything.

    Zero values are ordinary values. Negative values are accepted (as by Eurostat and laeken) but the
    total must be positive; with negative values G can exceed 1.

    Raises:
        IndicatorError: invalid values/weights, or a total sum_i w_i x_i <= 0.
    """
    x, w = values_and_weights(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cumulative = np.cumsum(w)
    total_weight = cumulative[-1]
    total = _positive_total(x, w, "the Gini coefficient")
    return float(np.sum(w * x * (2.0 * cumulative - w - total_weight)) / (total_weight * total))


def concentration_coefficient(values: ArrayLike, weights: ArrayLike, ranking: ArrayLike) -> float:
    """Concentration coefficient of ``values`` when people are ranked by ``ranking``.

        C = (2 / T) * sum_i w_i x_i F_i  -  1 = sum_i w_i x_i (2 F_i - 1) / T,   T = sum_i w_i x_i,

    where F_i is i's fractional rank in the weighted distribution of ``ranking`` taken at the midpoint of
    their weight, F_i = (W_below + W_tied / 2) / W, and people with equal ``ranking`` share one midpoint (so
    the order of ties cannot change the result). With ``ranking = values`` this is exactly the Eurostat Gini
    above; typical use is a benefit (``values``) ranked by pre-transfer income (``ranking``): negative C means
    the benefit is concentrated among the poor (Kakwani 1977 for the concept).

    Args:
        values: the variable whose concentration is measured (benefit, tax, income), any unit.
        weights: survey weights (>= 0).
        ranking: the welfare variable that orders people (any unit; only its order matters).

    Returns:
        A number in [-1, 1] when all values are >= 0.

    Zero and negative values are accepted; the total sum_i w_i x_i must not be zero (with a negative total,
    the sign of C refers to the concentration of the negative amounts).

    Raises:
        IndicatorError: invalid values/weights, ``ranking`` not finite or of another length, or a zero total.
    """
    x, w = values_and_weights(values, weights)
    rank_by = as_float_array(ranking, "ranking")
    if rank_by.size != x.size:
        raise IndicatorError(f"ranking must have one value per observation; got {rank_by.size} for {x.size} values.")
    total = float(np.sum(w * x))
    if total == 0.0:
        raise IndicatorError("the concentration coefficient is undefined when the weighted total of values is 0.")
    # Midpoint rank of each distinct ranking value, shared by everyone tied at it.
    distinct, group = np.unique(rank_by, return_inverse=True)
    group_weight = np.bincount(group, weights=w, minlength=distinct.size)
    total_weight = float(np.sum(group_weight))
    midpoint = (np.cumsum(group_weight) - group_weight / 2.0) / total_weight
    fractional_rank = midpoint[group]
    return float(np.sum(w * x * (2.0 * fractional_rank - 1.0)) / total)


def quintile_share_ratio(values: ArrayLike, weights: ArrayLike) -> float:
    """Income quintile share ratio S80/S20, Eurostat EU-SILC definition (``laeken::qsr`` 0.5.2).

    With q20 and q80 the 20 % and 80 % weighted quantiles (``weighted_quantile``, Eurostat definition):

        S80/S20 = sum_{i: x_i > q80} w_i x_i  /  sum_{i: x_i <= q20} w_i x_i

    the total of those strictly above q80 over the total of those at or below q20: Eurostat's "ratio of total
    income received by the top quintile to that received by the bottom quintile", with each quintile
    delimited by a quantile cut-point. (Older laeken versions divided the two groups' weighted *means*
    instead; on the laeken eusilc data that gives 3.971415 against the published 3.970004 reproduced here.)
    Because the cut-points assign every observation whole to one side, the groups hold only approximately
    20 % of the weight each, so the result differs slightly from ``quantile_shares(..., n=5)``, which splits
    the population exactly.

    Args:
        values: income or consumption per observation, any unit (the ratio has none).
        weights: survey weights (>= 0).

    Returns:
        A ratio, >= 1 in practice (3.97 means the top fifth receives 3.97 times the bottom fifth's total).

    Zero and negative values are ordinary values, but the bottom group's total must be positive.

    Raises:
        IndicatorError: invalid values/weights, an empty top group (more than 20 % of the weight at the
            maximum value), or a bottom-quintile total <= 0.
    """
    x, w = values_and_weights(values, weights)
    q20, q80 = weighted_quantile(x, w, [0.2, 0.8])
    bottom = x <= q20
    top = x > q80
    if not np.sum(w[top]) > 0:
        raise IndicatorError(
            "quintile_share_ratio: nobody is strictly above the 80 % quantile (the top fifth of the weight "
            "shares one value), so the top quintile is empty."
        )
    bottom_total = np.sum(w[bottom] * x[bottom])
    if not bottom_total > 0:
        raise IndicatorError(
            f"quintile_share_ratio: the bottom quintile's total is {bottom_total:g} (<= 0), so the ratio is "
            "undefined or meaningless."
        )
    return float(np.sum(w[top] * x[top]) / bottom_total)


def lorenz(values: ArrayLike, weights: ArrayLike, points: int | ArrayLike = 11) -> tuple[FloatArray, FloatArray]:
    """Lorenz curve ordinates: the share of the total held by the poorest fraction p of the population.

    Sort by value; the curve joins (0, 0) and the points (C_i / W, S_i / T) by straight lines, where
    C_i = w_1 + ... + w_i, S_i = w_1 x_1 + ... + w_i x_i, W = C_n and T = S_n. Linear pieces mean that an
    observation's weight is spread evenly along p, so L(p) at a p falling inside someone's weight counts the
    right fraction of that person's value; the order of tied values does not matter.

    Args:
        values: income or consumption per observation, any unit.
        weights: survey weights (>= 0).
        points: an integer k >= 2 for k equally spaced population shares 0, 1/(k-1), ..., 1 (default 11:
            every 10 %), or an array of population shares in [0, 1].

    Returns:
        ``(p, L)``: population shares and the Lorenz ordinates L(p) (fractions; L(0) = 0, L(1) = 1).

    Zero values are ordinary; negative values are accepted (the curve then dips below 0) but the total
    must be positive.

    Raises:
        IndicatorError: invalid values/weights, a total <= 0, or invalid ``points``.
    """
    x, w = values_and_weights(values, weights)
    p = _population_shares(points)
    return p, _lorenz_at(x, w, p, "the Lorenz curve")


def concentration_curve(
    values: ArrayLike, weights: ArrayLike, ranking: ArrayLike, points: int | ArrayLike = 11
) -> tuple[FloatArray, FloatArray]:
    """Concentration curve of ``values`` (e.g. a benefit) when people are ranked by ``ranking`` (e.g. welfare):
    the share of the total of ``values`` received by the fraction p of the population ranked lowest.

    Group people by distinct ``ranking`` value, in increasing order; the curve joins (0, 0) and the points
    (C_g / W, S_g / T) by straight lines, where C_g is the weight and S_g the weighted total of ``values`` of
    groups 1..g, W = C_last, T = S_last. Those tied in ``ranking`` share one straight piece, so the order of ties
    does not matter, and 1 − 2 × (area under the curve) equals :func:`concentration_coefficient` (which ranks
    ties at their common midpoint). With ``ranking = values`` it is the Lorenz curve (:func:`lorenz`). A curve
    above the diagonal means the poorest receive more than their population share (Kakwani 1977).

    Args:
        values: the amounts whose concentration is shown (benefit, tax, income), any unit.
        weights: survey weights (>= 0).
        ranking: the welfare variable that orders people (only its order matters).
        points: an integer k >= 2 for k equally spaced population shares, or an array of shares in [0, 1].

    Returns:
        ``(p, C)``: population shares and ordinates (fractions of the total; C(0) = 0, C(1) = 1).

    Raises:
        IndicatorError: invalid values/weights/points, ``ranking`` not finite or of another length, or a zero
            total of values.
    """
    x, w = values_and_weights(values, weights)
    rank_by = as_float_array(ranking, "ranking")
    if rank_by.size != x.size:
        raise IndicatorError(f"ranking must have one value per observation; got {rank_by.size} for {x.size} values.")
    p = _population_shares(points)
    if float(np.sum(w * x)) == 0.0:
        raise IndicatorError("the concentration curve is undefined when the weighted total of values is 0.")
    distinct, group = np.unique(rank_by, return_inverse=True)
    group_weight = np.bincount(group, weights=w, minlength=distinct.size)
    group_value = np.bincount(group, weights=w * x, minlength=distinct.size)
    keep = group_weight > 0  # np.interp needs strictly increasing abscissae
    cumulative_weight = np.concatenate(([0.0], np.cumsum(group_weight[keep])))
    cumulative_value = np.concatenate(([0.0], np.cumsum(group_value[keep])))
    return p, np.interp(p, cumulative_weight / cumulative_weight[-1], cumulative_value / cumulative_value[-1])


def quantile_shares(values: ArrayLike, weights: ArrayLike, n: int = 10) -> FloatArray:
    """Share of the total held by each of ``n`` equal-population groups, poorest first.

        share_k = L(k / n) - L((k - 1) / n),   k = 1..n,

    with L the Lorenz curve of ``lorenz``. Each group holds exactly 1/n of the weight: an observation whose
    weight straddles a boundary is split between the two groups in proportion (not assigned whole by a
    quantile cut-point, which is what ``quintile_share_ratio`` does to follow Eurostat).

    Args:
        values: income or consumption per observation, any unit.
        weights: survey weights (>= 0).
        n: number of groups (10 for deciles, 5 for quintiles), >= 1.

    Returns:
        A float64 array of ``n`` fractions summing to 1.

    Zero and negative values as in ``lorenz``.

    Raises:
        IndicatorError: invalid values/weights, a total <= 0, or ``n`` not a positive integer.
    """
    x, w = values_and_weights(values, weights)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise IndicatorError(f"n must be a positive integer number of groups; got {n!r}.")
    boundaries = np.linspace(0.0, 1.0, int(n) + 1)
    return np.diff(_lorenz_at(x, w, boundaries, "quantile shares"))


def palma(values: ArrayLike, weights: ArrayLike) -> float:
    """Palma ratio (Palma 2011; Cobham & Sumner 2013): top 10 % share over bottom 40 % share.

        Palma = (1 - L(0.9)) / L(0.4)

    with L the Lorenz curve of ``lorenz`` (groups split exactly at 10 % / 40 % of the weight).

    Args:
        values: income or consumption per observation, any unit (the ratio has none).
        weights: survey weights (>= 0).

    Returns:
        A ratio (1.0 means the richest tenth holds as much as the poorest four tenths).

    Zero and negative values are accepted, but the bottom 40 % must hold a positive share.

    Raises:
        IndicatorError: invalid values/weights, a total <= 0, or a bottom-40 % share <= 0.
    """
    x, w = values_and_weights(values, weights)
    bottom_40, up_to_90 = _lorenz_at(x, w, np.array([0.4, 0.9]), "the Palma ratio")
    if not bottom_40 > 0:
        raise IndicatorError(
            f"palma: the bottom 40 % holds a share of {bottom_40:g} (<= 0), so the ratio is undefined."
        )
    return float((1.0 - up_to_90) / bottom_40)


def generalized_entropy(
    values: ArrayLike, weights: ArrayLike, alpha: float, nonpositive: NonPositivePolicy = "raise"
) -> float:
    """Generalised entropy index GE(alpha) (Shorrocks 1980; Cowell 2011).

    With mu = sum_i w_i x_i / W and r_i = x_i / mu:

        GE(alpha) = [ (1/W) sum_i w_i r_i^alpha - 1 ] / (alpha (alpha - 1))   for alpha not 0 or 1
        GE(1)     = (1/W) sum_i w_i r_i ln r_i        (Theil T index)
        GE(0)     = -(1/W) sum_i w_i ln r_i           (mean log deviation, Theil L)

    GE(2) is half the squared coefficient of variation (with the population variance).

    Args:
        values: income or consumption per observation, any unit (GE has none).
        weights: survey weights (>= 0).
        alpha: sensitivity parameter, any finite real; lower values weight the bottom more.
        nonpositive: rule for values <= 0. ``"raise"`` (default) refuses them with their count;
            ``"drop"`` removes those observations and their weights from the population first. The rule is
            applied for every alpha, even where the formula would tolerate zeros (alpha > 0), so that the
            whole GE family (and Atkinson) is always computed on the same population.

    Returns:
        A non-negative number (0 is perfect equality); unbounded above.

    Raises:
        IndicatorError: invalid values/weights or alpha, or values <= 0 with ``nonpositive="raise"``.
    """
    x, w = values_and_weights(values, weights)
    a = as_parameter(alpha, "alpha")
    keep = positive_mask(x, w, nonpositive, f"the generalised entropy index GE({a:g})")
    x, w = x[keep], w[keep]
    total_weight = np.sum(w)
    relative = x / (np.sum(w * x) / total_weight)
    if a == 0.0:
        return float(-np.sum(w * np.log(relative)) / total_weight)
    if a == 1.0:
        return float(np.sum(w * relative * np.log(relative)) / total_weight)
    return float((np.sum(w * relative**a) / total_weight - 1.0) / (a * (a - 1.0)))


def atkinson(values: ArrayLike, weights: ArrayLike, epsilon: float, nonpositive: NonPositivePolicy = "raise") -> float:
    """Atkinson inequality index A(epsilon) (Atkinson 1970): 1 - equally distributed equivalent / mean.

    With mu = sum_i w_i x_i / W:

        A(eps) = 1 - [ (1/W) sum_i w_i x_i^(1 - eps) ]^(1 / (1 - eps)) / mu   for eps != 1
        A(1)   = 1 - exp( (1/W) sum_i w_i ln x_i ) / mu                       (1 - geometric / arithmetic mean)

    computed on x_i / mu so that large incomes cannot overflow the power. A(0) = 0.

    Args:
        values: income or consumption per observation, any unit (A has none).
        weights: survey weights (>= 0).
        epsilon: inequality aversion, >= 0.
        nonpositive: rule for values <= 0, as in ``generalized_entropy`` (``"raise"`` or ``"drop"``), for
            every epsilon so that results across epsilon share one population.

    Returns:
        A fraction in [0, 1): the share of total income that could be given up, with the rest shared
        equally, for the same social welfare.

    Raises:
        IndicatorError: invalid values/weights, epsilon < 0, or values <= 0 with ``nonpositive="raise"``.
    """
    x, w = values_and_weights(values, weights)
    eps = as_parameter(epsilon, "epsilon", minimum=0.0)
    keep = positive_mask(x, w, nonpositive, f"the Atkinson index A({eps:g})")
    x, w = x[keep], w[keep]
    total_weight = np.sum(w)
    relative = x / (np.sum(w * x) / total_weight)
    if eps == 1.0:
        return float(1.0 - np.exp(np.sum(w * np.log(relative)) / total_weight))
    power_mean = (np.sum(w * relative ** (1.0 - eps)) / total_weight) ** (1.0 / (1.0 - eps))
    return float(1.0 - power_mean)


def _positive_total(x: FloatArray, w: FloatArray, measure: str) -> float:
    """Weighted total sum w x, refused unless positive (shares and the Gini divide by it)."""
    total = float(np.sum(w * x))
    if not total > 0:
        raise IndicatorError(
            f"{measure} needs a positive weighted total of values; got {total:g}. "
            "Check the sign convention of the values."
        )
    return total


def _lorenz_at(x: FloatArray, w: FloatArray, p: FloatArray, measure: str) -> FloatArray:
    """Evaluate the piecewise-linear Lorenz curve at population shares ``p``."""
    _positive_total(x, w, measure)
    # Zero-weight observations would repeat a node; np.interp wants strictly increasing abscissae.
    positive = w > 0
    x, w = x[positive], w[positive]
    order = np.argsort(x, kind="stable")
    cumulative_weight = np.concatenate(([0.0], np.cumsum(w[order])))
    cumulative_value = np.concatenate(([0.0], np.cumsum(w[order] * x[order])))
    # Divide by the last cumulative sums (not separately computed totals) so the curve ends at exactly (1, 1).
    return np.interp(p, cumulative_weight / cumulative_weight[-1], cumulative_value / cumulative_value[-1])


def _population_shares(points: int | ArrayLike) -> FloatArray:
    """Turn ``points`` (a count, or explicit shares) into validated population shares in [0, 1]."""
    if isinstance(points, (int, np.integer)) and not isinstance(points, bool):
        if points < 2:
            raise IndicatorError(f"points must be at least 2 (the two ends of the curve); got {points}.")
        return np.linspace(0.0, 1.0, int(points))
    shares = as_float_array(points, "points")
    outside = (shares < 0) | (shares > 1)
    if outside.any():
        raise IndicatorError(f"points must be population shares in [0, 1]; got {shares[outside][:5].tolist()}.")
    return shares
