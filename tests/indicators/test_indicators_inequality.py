"""Inequality measures against closed forms, hand computations and second methods written out here.

Second methods used: the weighted mean absolute difference for the Gini, brute-force midpoint ranks for the
concentration coefficient, sorted replicated rows for quantile shares, Theil and MLD computed directly,
half the squared coefficient of variation for GE(2), the weighted geometric mean (scipy) for Atkinson(1),
and the Atkinson-GE identity.
"""

from __future__ import annotations

from functools import partial

import math

import numpy as np
import pytest
from scipy import stats

from floorsim.indicators import (
    IndicatorError,
    atkinson,
    concentration_coefficient,
    generalized_entropy,
    gini,
    lorenz,
    palma,
    quantile_shares,
    quintile_share_ratio,
)
from tests.indicators.design_samples import lognormal_sample


# Log-normal welfare with uniform weights: _sample(seed) -> (values, weights), 250 of each.
_sample = partial(lognormal_sample, n=250, mu=9.0, sigma=0.75, weights=(0.5, 900.0))


# --- Gini ------------------------------------------------------------------------------------------


def test_gini_hand_computed() -> None:
    # 1, 2, 3, 4: pairwise |differences| 1, 2, 3, 1, 2, 1 sum to 10 (20 over ordered pairs); mean 2.5.
    # G = 20 / (2 * 4^2 * 2.5) = 20 / 80 = 0.25
    assert gini([4.0, 1.0, 3.0, 2.0], [1.0] * 4) == pytest.approx(0.25, abs=1e-15)
    # One person of four holds everything: G = (n - 1) / n = 0.75
    assert gini([0.0, 0.0, 1.0, 0.0], [1.0] * 4) == pytest.approx(0.75, abs=1e-15)
    # Perfect equality.
    assert gini([5.0, 5.0, 5.0], [1.0, 2.0, 3.0]) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("a", "b", "wa", "wb"), [(1.0, 3.0, 1.0, 1.0), (10.0, 50.0, 3.0, 1.0), (0.0, 7.0, 0.2, 5.0), (2.0, 2.5, 900, 1)]
)
def test_gini_two_point_closed_form(a: float, b: float, wa: float, wb: float) -> None:
    # For a two-point distribution with population shares pa, pb: G = pa * pb * (b - a) / mean.
    pa, pb = wa / (wa + wb), wb / (wa + wb)
    expected = pa * pb * (b - a) / (pa * a + pb * b)
    assert gini([b, a], [wb, wa]) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gini_equals_weighted_mean_absolute_difference(seed: int) -> None:
    x, w = _sample(seed)
    x = np.round(x, -2)  # ties
    pairwise = np.sum(np.outer(w, w) * np.abs(x[:, None] - x[None, :]))
    mean = np.sum(w * x) / np.sum(w)
    expected = pairwise / (2 * np.sum(w) ** 2 * mean)
    assert gini(x, w) == pytest.approx(expected, rel=1e-12)


def test_gini_with_integer_weights_equals_gini_of_replicated_rows() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(9.0, 0.75, size=100)
    w = rng.integers(1, 5, size=100)
    assert gini(x, w) == pytest.approx(gini(np.repeat(x, w), np.ones(int(w.sum()))), rel=1e-12)


def test_gini_is_the_trapezoid_area_above_the_lorenz_curve() -> None:
    # G = 1 - sum_k (p_k - p_{k-1}) (L_k + L_{k-1}), evaluated at the Lorenz curve's own nodes.
    x, w = _sample(4)
    nodes = np.concatenate(([0.0], np.cumsum(w[np.argsort(x)]) / np.sum(w)))
    nodes[-1] = 1.0
    _, ordinates = lorenz(x, w, points=nodes)
    area = np.sum(np.diff(nodes) * (ordinates[1:] + ordinates[:-1]))
    assert gini(x, w) == pytest.approx(1.0 - area, rel=1e-12)


def test_gini_invariances() -> None:
    x, w = _sample(5)
    reference = gini(x, w)
    assert gini(3.7 * x, w) == pytest.approx(reference, rel=1e-13)
    assert gini(x, w / 123.0) == pytest.approx(reference, rel=1e-13)
    permutation = np.random.default_rng(5).permutation(x.size)
    assert gini(x[permutation], w[permutation]) == pytest.approx(reference, rel=1e-13)
    # Adding a constant to everybody lowers the Gini.
    assert gini(x + 1000.0, w) < reference


def test_gini_does_not_depend_on_the_order_of_ties() -> None:
    # Same multiset of (value, weight) pairs, tied values listed in opposite orders.
    first = gini([1.0, 2.0, 2.0, 5.0], [1.0, 3.0, 0.5, 2.0])
    second = gini([1.0, 2.0, 2.0, 5.0], [1.0, 0.5, 3.0, 2.0])
    assert first == pytest.approx(second, rel=1e-15)


def test_gini_refuses_a_nonpositive_total() -> None:
    with pytest.raises(IndicatorError, match="positive weighted total"):
        gini([-5.0, 2.0], [1.0, 1.0])


# --- concentration coefficient ---------------------------------------------------------------------


def test_concentration_coefficient_hand_computed() -> None:
    # Incomes 1, 2, 3 (unit weights) have midpoint ranks 1/6, 1/2, 5/6. A benefit of 10 to the poorest:
    # C = 10 * (2/6 - 1) / 10 = -2/3.
    assert concentration_coefficient([10.0, 0.0, 0.0], [1.0] * 3, [1.0, 2.0, 3.0]) == pytest.approx(-2 / 3)
    # Tied ranking: both share the midpoint 1/2, so C = 0 whatever the values.
    assert concentration_coefficient([4.0, 0.0], [1.0, 1.0], [5.0, 5.0]) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_concentration_coefficient_equals_covariance_with_brute_force_ranks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.exponential(100.0, size=200) * (rng.uniform(size=200) < 0.4)  # a benefit, many zeros
    ranking = np.round(rng.lognormal(9.0, 0.7, size=200), -3)  # ties in the ranking variable
    w = rng.uniform(1.0, 50.0, size=200)
    total_weight = w.sum()
    below = (ranking[None, :] < ranking[:, None]) * w[None, :]
    tied = (ranking[None, :] == ranking[:, None]) * w[None, :]
    rank = (below.sum(axis=1) + tied.sum(axis=1) / 2) / total_weight
    mean = np.sum(w * x) / total_weight
    covariance = np.sum(w * (x - mean) * (rank - np.sum(w * rank) / total_weight)) / total_weight
    assert concentration_coefficient(x, w, ranking) == pytest.approx(2 * covariance / mean, rel=1e-12)


def test_concentration_coefficient_ranked_by_itself_is_the_gini() -> None:
    x, w = _sample(6)
    x = np.round(x, -3)  # many ties: the two functions treat them differently but must agree
    assert concentration_coefficient(x, w, x) == pytest.approx(gini(x, w), rel=1e-12)
    assert concentration_coefficient(x, w, -x) == pytest.approx(-gini(x, w), rel=1e-12)


# --- quintile share ratio, shares, Palma, Lorenz ---------------------------------------------------


def test_quintile_share_ratio_hand_computed() -> None:
    # 1..10, unit weights: q20 target 2 is an exact hit -> (2 + 3) / 2 = 2.5; q80 -> (8 + 9) / 2 = 8.5.
    # Bottom x <= 2.5: 1 + 2 = 3. Top x > 8.5: 9 + 10 = 19. S80/S20 = 19 / 3.
    assert quintile_share_ratio(np.arange(1.0, 11.0), np.ones(10)) == pytest.approx(19 / 3, rel=1e-15)


def test_quintile_share_ratio_weighted_hand_computed() -> None:
    # Values 1, 2, 3, 4, 5 with weights 1, 1, 1, 1, 1 plus value 100 with weight 0: ignored everywhere.
    # q20: target 1 exact at the 1st value -> (1 + 2) / 2 = 1.5; q80: target 4 exact -> (4 + 5) / 2 = 4.5.
    # Bottom total 1, top total 5: S80/S20 = 5.
    assert quintile_share_ratio([5.0, 100.0, 1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]) == 5.0


def test_lorenz_hand_computed() -> None:
    # Values 1 and 3, equal weights: nodes (0, 0), (0.5, 0.25), (1, 1); linear in between.
    p, curve = lorenz([3.0, 1.0], [1.0, 1.0], points=[0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(curve, [0.0, 0.125, 0.25, 0.625, 1.0], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(p, [0.0, 0.25, 0.5, 0.75, 1.0])
    p, curve = lorenz([3.0, 1.0], [1.0, 1.0], points=3)
    np.testing.assert_array_equal(p, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(curve, [0.0, 0.25, 1.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("groups", [5, 10, 20])
def test_quantile_shares_match_sorted_replicated_rows(groups: int) -> None:
    rng = np.random.default_rng(groups)
    x = np.round(rng.lognormal(9.0, 0.8, size=60), 0)
    w = rng.multinomial(200, np.full(60, 1 / 60))  # integer weights summing to 200, some zero
    expanded = np.sort(np.repeat(x, w))
    expected = expanded.reshape(groups, -1).sum(axis=1) / expanded.sum()
    np.testing.assert_allclose(quantile_shares(x, w, n=groups), expected, rtol=1e-12)


def test_quantile_shares_split_a_straddling_observation() -> None:
    # Values 1, 2, 3 with unit weights, two halves: the boundary at 1.5 persons cuts the value 2 in half.
    # Bottom half holds 1 + 0.5 * 2 = 2 of 6, top half 0.5 * 2 + 3 = 4 of 6.
    np.testing.assert_allclose(quantile_shares([1.0, 2.0, 3.0], [1.0] * 3, n=2), [1 / 3, 2 / 3], rtol=1e-15)


def test_palma_hand_computed() -> None:
    # 1..9 and 20, unit weights: bottom 40 % = 1 + 2 + 3 + 4 = 10, top 10 % = 20 -> Palma = 2.
    assert palma([1, 2, 3, 4, 5, 6, 7, 8, 9, 20], [1.0] * 10) == pytest.approx(2.0, rel=1e-14)


def test_palma_matches_replicated_rows() -> None:
    rng = np.random.default_rng(11)
    x = rng.lognormal(9.0, 0.8, size=40)
    w = rng.multinomial(100, np.full(40, 1 / 40))
    expanded = np.sort(np.repeat(x, w))  # 100 people: bottom 40 and top 10 are whole people
    assert palma(x, w) == pytest.approx(expanded[-10:].sum() / expanded[:40].sum(), rel=1e-12)


# --- generalised entropy and Atkinson --------------------------------------------------------------


def test_generalized_entropy_hand_computed() -> None:
    # Values 1 and 4, equal weights, mean 2.5, relative incomes 0.4 and 1.6.
    # GE(2) = ((0.16 + 2.56) / 2 - 1) / 2 = 0.18 (= CV^2 / 2 = (2.25 / 6.25) / 2)
    assert generalized_entropy([1.0, 4.0], [1.0, 1.0], 2) == pytest.approx(0.18, rel=1e-14)
    # GE(0) = -(ln 0.4 + ln 1.6) / 2 = -ln(0.64) / 2
    assert generalized_entropy([1.0, 4.0], [1.0, 1.0], 0) == pytest.approx(-math.log(0.64) / 2, rel=1e-14)
    # GE(1) = (0.4 ln 0.4 + 1.6 ln 1.6) / 2
    expected = (0.4 * math.log(0.4) + 1.6 * math.log(1.6)) / 2
    assert generalized_entropy([1.0, 4.0], [1.0, 1.0], 1) == pytest.approx(expected, rel=1e-14)


def test_ge1_is_theil_from_income_shares_and_ge0_is_mean_log_deviation() -> None:
    x, w = _sample(12)
    mean = np.average(x, weights=w)
    shares = w * x / np.sum(w * x)
    theil = math.fsum(shares * np.log(x / mean))  # Theil T = sum_i s_i ln(x_i / mean)
    mld = math.log(mean) - np.average(np.log(x), weights=w)  # ln(arithmetic mean) - ln(geometric mean)
    assert generalized_entropy(x, w, 1) == pytest.approx(theil, rel=1e-12)
    assert generalized_entropy(x, w, 0) == pytest.approx(mld, rel=1e-12)


def test_ge2_is_half_the_squared_coefficient_of_variation() -> None:
    x, w = _sample(13)
    mean = np.average(x, weights=w)
    variance = np.average((x - mean) ** 2, weights=w)
    assert generalized_entropy(x, w, 2) == pytest.approx(variance / mean**2 / 2, rel=1e-12)


@pytest.mark.parametrize("limit", [0.0, 1.0])
def test_ge_special_cases_are_the_limits_of_the_general_formula(limit: float) -> None:
    x, w = _sample(14)
    near = 0.5 * (generalized_entropy(x, w, limit - 1e-5) + generalized_entropy(x, w, limit + 1e-5))
    assert generalized_entropy(x, w, limit) == pytest.approx(near, rel=1e-8)


@pytest.mark.parametrize("alpha", [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0])
def test_ge_matches_brute_force_expansion(alpha: float) -> None:
    rng = np.random.default_rng(15)
    x = rng.lognormal(9.0, 0.8, size=150)
    w = rng.integers(0, 6, size=150)
    y = np.repeat(x, w)
    mean = math.fsum(y) / y.size
    if alpha == 0:
        expected = -math.fsum(math.log(v / mean) for v in y) / y.size
    elif alpha == 1:
        expected = math.fsum(v / mean * math.log(v / mean) for v in y) / y.size
    else:
        expected = (math.fsum((v / mean) ** alpha for v in y) / y.size - 1) / (alpha * (alpha - 1))
    assert generalized_entropy(x, w, alpha) == pytest.approx(expected, rel=1e-11)


def test_atkinson_hand_computed() -> None:
    # Values 1 and 4, equal weights, mean 2.5.
    # A(1): geometric mean 2 -> 1 - 2 / 2.5 = 0.2; A(2): harmonic mean 2 / (1 + 1/4) = 1.6 -> 1 - 1.6/2.5 = 0.36
    assert atkinson([1.0, 4.0], [1.0, 1.0], 1) == pytest.approx(0.2, rel=1e-14)
    assert atkinson([1.0, 4.0], [1.0, 1.0], 2) == pytest.approx(0.36, rel=1e-14)
    assert atkinson([1.0, 4.0], [1.0, 1.0], 0) == pytest.approx(0.0, abs=1e-15)


def test_atkinson_one_is_one_minus_geometric_over_arithmetic_mean() -> None:
    x, w = _sample(16)
    expected = 1 - stats.gmean(x, weights=w) / np.average(x, weights=w)
    assert atkinson(x, w, 1) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("epsilon", [0.5, 1.5, 2.0, 3.0])
def test_atkinson_matches_its_identity_with_generalised_entropy(epsilon: float) -> None:
    # mean of r^(1-eps) = 1 + eps (eps - 1) GE(1 - eps), so A(eps) = 1 - [1 + eps (eps - 1) GE(1 - eps)]^(1/(1-eps))
    x, w = _sample(17)
    ge = generalized_entropy(x, w, 1 - epsilon)
    expected = 1 - (1 + epsilon * (epsilon - 1) * ge) ** (1 / (1 - epsilon))
    assert atkinson(x, w, epsilon) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_atkinson_matches_brute_force_expansion(epsilon: float) -> None:
    rng = np.random.default_rng(18)
    x = rng.lognormal(9.0, 0.8, size=150)
    w = rng.integers(0, 6, size=150)
    y = np.repeat(x, w)
    mean = math.fsum(y) / y.size
    ede = (math.fsum(v ** (1 - epsilon) for v in y) / y.size) ** (1 / (1 - epsilon))
    assert atkinson(x, w, epsilon) == pytest.approx(1 - ede / mean, rel=1e-11)


def test_log_based_measures_refuse_nonpositive_values_with_their_count() -> None:
    x = [0.0, 10.0, -3.0, 20.0, 0.0]
    w = [1.0] * 5
    with pytest.raises(IndicatorError, match=r"values is <= 0 in 3 entries at positions 0, 2, 4\..*nonpositive='drop'"):
        generalized_entropy(x, w, 0)
    with pytest.raises(IndicatorError, match=r"GE\(2\).*3 entries"):
        generalized_entropy(x, w, 2)  # refused for every alpha, so all GE(alpha) share one population
    with pytest.raises(IndicatorError, match=r"Atkinson index A\(0.5\).*3 entries"):
        atkinson(x, w, 0.5)


def test_drop_computes_on_the_positive_values_only() -> None:
    x = [0.0, 10.0, -3.0, 20.0, 40.0]
    w = [5.0, 1.0, 7.0, 2.0, 1.0]
    kept_x, kept_w = [10.0, 20.0, 40.0], [1.0, 2.0, 1.0]
    assert generalized_entropy(x, w, 0.5, nonpositive="drop") == generalized_entropy(kept_x, kept_w, 0.5)
    assert atkinson(x, w, 1, nonpositive="drop") == atkinson(kept_x, kept_w, 1)


def test_drop_with_nothing_left_is_an_error() -> None:
    with pytest.raises(IndicatorError, match="no observation with a positive weight is left"):
        atkinson([0.0, 5.0], [1.0, 0.0], 1, nonpositive="drop")


@pytest.mark.parametrize(
    "measure",
    [
        lambda x, w: generalized_entropy(x, w, -0.5),
        lambda x, w: generalized_entropy(x, w, 1),
        lambda x, w: atkinson(x, w, 2.5),
        lambda x, w: palma(x, w),
        lambda x, w: quintile_share_ratio(x, w),
        lambda x, w: quantile_shares(x, w, 7),
        lambda x, w: lorenz(x, w, 9)[1],
    ],
)
def test_scale_invariance_in_values_and_weights(measure) -> None:  # type: ignore[no-untyped-def]
    x, w = _sample(19)
    reference = np.asarray(measure(x, w))
    # 4.0 is an exact binary factor, so quantile cut-points move with the data and nobody changes group.
    np.testing.assert_allclose(measure(4.0 * x, w), reference, rtol=1e-12)
    np.testing.assert_allclose(measure(x, w * 0.001), reference, rtol=1e-12)
