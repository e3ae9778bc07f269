"""Replicable statistics: their full-sample values equal the plain indicator functions, domains restrict them,
their linearised variables are the derivatives of the estimator with respect to the weights, and their
replicate evaluation equals the plain function applied to each replicate's weights.
"""

from __future__ import annotations

from functools import partial

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorsim.indicators import (
    FGT, FullSample, Generic, Gini, IndicatorError, Mean, Proportion, Quantile, Ratio, RelativeLine, SurveyDesign,
    Total, Watts, atkinson, fgt, gini, rao_wu_bootstrap, watts, weighted_quantile,
)
from floorsim.indicators.sorted_blocks import SortedBlock
from tests.indicators.design_samples import lognormal_sample


# Log-normal welfare with uniform weights: _data(seed, n=400) -> (values, weights).
_data = partial(lognormal_sample, n=400, mu=7.0, sigma=0.7, weights=(1.0, 90.0))


# --- textbook examples ----------------------------------------------------------------------------------------


def test_fgt_and_watts_textbook_example() -> None:
    # Four people with incomes 1, 2, 3, 4 and a line of 3 (the classic classroom case, e.g. Coudouel, Hentschel
    # & Wodon 2002, Poverty Measurement and Analysis, PRSP Sourcebook ch. 1):
    # poor: 1 and 2, gaps (3-1)/3 = 2/3 and (3-2)/3 = 1/3.
    y, w = [1.0, 2.0, 3.0, 4.0], [1.0] * 4
    assert FGT(y, 3.0, 0).value(w) == pytest.approx(2 / 4, abs=1e-15)
    assert FGT(y, 3.0, 1).value(w) == pytest.approx((2 / 3 + 1 / 3) / 4, abs=1e-15)  # 0.25
    assert FGT(y, 3.0, 2).value(w) == pytest.approx(((2 / 3) ** 2 + (1 / 3) ** 2) / 4, abs=1e-15)  # 5/36
    # Watts: (ln(3/1) + ln(3/2)) / 4 = ln(4.5) / 4 = 0.376019...
    assert Watts(y, 3.0).value(w) == pytest.approx(math.log(4.5) / 4, abs=1e-15)
    # The same with weights 2, 1, 1, 1 (person 1 counted twice): P1 = (2 * 2/3 + 1/3) / 5 = 1/3.
    assert FGT(y, 3.0, 1).value([2, 1, 1, 1]) == pytest.approx(1 / 3, abs=1e-15)


def test_relative_line_fgt_hand_computed() -> None:
    # Values 10, 20, 30, 40, 50 with equal weights: median 30, line 0.6 * 30 = 18, so only 10 is poor:
    # P0 = 1/5, P1 = (18 - 10) / 18 / 5 = 4/45.
    y, w = [50.0, 10.0, 40.0, 20.0, 30.0], [1.0] * 5
    line = RelativeLine(y, 0.6)
    assert line.value(w) == pytest.approx(18.0, abs=1e-12)
    assert FGT(y, line, 0).value(w) == pytest.approx(0.2, abs=1e-15)
    assert FGT(y, line, 1).value(w) == pytest.approx(4 / 45, abs=1e-15)
    # A line at 60 % of the mean (30) is 18 as well.
    assert RelativeLine(y, 0.6, "mean").value(w) == pytest.approx(18.0, abs=1e-12)


# --- full-sample values equal the plain functions -------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_values_equal_the_plain_indicator_functions(seed: int) -> None:
    y, w = _data(seed)
    line = 0.6 * weighted_quantile(y, w, 0.5)
    for alpha in (0.0, 1.0, 2.0, 0.5):
        assert FGT(y, line, alpha).value(w) == pytest.approx(fgt(y, w, line, alpha), rel=1e-13)
        assert FGT(y, RelativeLine(y, 0.6), alpha).value(w) == pytest.approx(fgt(y, w, line, alpha), rel=1e-12)
    assert Watts(y, line).value(w) == pytest.approx(watts(y, w, line), rel=1e-13)
    assert Watts(y, RelativeLine(y, 0.6)).value(w) == pytest.approx(watts(y, w, line), rel=1e-12)
    assert Gini(y).value(w) == pytest.approx(gini(y, w), rel=1e-13)
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert Quantile(y, q).value(w) == weighted_quantile(y, w, q)
    assert Total(y).value(w) == pytest.approx(float(np.sum(w * y)), rel=1e-14)
    assert Mean(y).value(w) == pytest.approx(float(np.sum(w * y) / np.sum(w)), rel=1e-14)
    assert Generic(atkinson, y, epsilon=1.0).value(w) == pytest.approx(atkinson(y, w, 1.0), rel=1e-14)


def test_domains_equal_the_functions_on_the_subset() -> None:
    y, w = _data(3)
    region = np.random.default_rng(3).integers(0, 3, y.size)
    national_line = 0.6 * weighted_quantile(y, w, 0.5)
    for r in range(3):
        d = region == r
        assert FGT(y, national_line, 1, d).value(w) == pytest.approx(fgt(y[d], w[d], national_line, 1), rel=1e-13)
        # The line is national (no domain on it), the headcount regional.
        assert FGT(y, RelativeLine(y, 0.6), 0, d).value(w) == pytest.approx(
            fgt(y[d], w[d], national_line, 0), rel=1e-13
        )
        assert Gini(y, d).value(w) == pytest.approx(gini(y[d], w[d]), rel=1e-13)
        assert Quantile(y, 0.5, d).value(w) == weighted_quantile(y[d], w[d], 0.5)
        assert Mean(y, d).value(w) == pytest.approx(np.average(y[d], weights=w[d]), rel=1e-13)
        assert Total(y, d).value(w) == pytest.approx(float(w[d] @ y[d]), rel=1e-13)


def test_ratio_proportion_and_compositions_hand_computed() -> None:
    y, x, w = [1.0, 2.0, 3.0], [2.0, 2.0, 4.0], [1.0, 2.0, 1.0]
    # Σ w y = 1 + 4 + 3 = 8, Σ w x = 2 + 4 + 4 = 10
    assert Ratio(y, x).value(w) == pytest.approx(0.8, abs=1e-15)
    assert Proportion([True, False, True]).value(w) == pytest.approx(0.5, abs=1e-15)
    assert (Total(y) - Total(x)).value(w) == pytest.approx(-2.0, abs=1e-15)
    assert (Total(y) / Total(x)).value(w) == pytest.approx(0.8, abs=1e-15)
    assert (100 * Total(y)).value(w) == pytest.approx(800.0, abs=1e-12)


# --- replicate evaluation -------------------------------------------------------------------------------------


def test_replicate_values_equal_plain_functions_on_each_replicate() -> None:
    y, w = _data(4, n=300)
    rng = np.random.default_rng(4)
    strata, psu = rng.integers(0, 4, y.size), rng.integers(0, 10, y.size)
    reps = rao_wu_bootstrap(SurveyDesign.from_arrays(w, strata, psu), replicates=12, seed=9)
    line = RelativeLine(y, 0.5)
    stats = {
        "gini": (Gini(y), lambda wr: gini(y, wr)),
        "median": (Quantile(y, 0.5), lambda wr: weighted_quantile(y, wr, 0.5)),
        "p2": (FGT(y, line, 2), lambda wr: fgt(y, wr, 0.5 * weighted_quantile(y, wr, 0.5), 2)),
        "watts": (Watts(y, line), lambda wr: watts(y, wr, 0.5 * weighted_quantile(y, wr, 0.5))),
        "mean": (Mean(y), lambda wr: np.average(y, weights=wr)),
    }
    for name, (stat, plain) in stats.items():
        expected = [plain(reps.weights(r)) for r in range(reps.n_sets)]
        np.testing.assert_allclose(stat.evaluate(reps), expected, rtol=1e-12, err_msg=name)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(0, 6), min_size=1, max_size=25),
    data=st.data(),
    q=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]),
)
def test_sorted_quantile_with_zero_weights_equals_weighted_quantile(values, data, q) -> None:
    # Small integer values and weights make ties and exact hits of q W frequent; zero weights play the PSUs a
    # bootstrap replicate did not draw.
    x = np.sort(np.array(values, dtype=float))
    w = np.array(data.draw(st.lists(st.integers(0, 3), min_size=x.size, max_size=x.size)), dtype=float)
    if w.sum() == 0:
        w[data.draw(st.integers(0, x.size - 1))] = 1.0
    assert SortedBlock(x, w[None, :]).quantile(q)[0] == weighted_quantile(x, w, q)


def test_full_sample_is_a_weight_set_of_one() -> None:
    y, w = _data(5, n=50)
    assert FGT(y, 900.0, 1).evaluate(FullSample(w)).shape == (1,)


# --- linearised variables are derivatives ---------------------------------------------------------------------


def _numerical_derivative(stat, w: np.ndarray, k: int, step: float = 1e-4) -> float:
    """Central difference of the estimate with respect to weight k (a relative step of the weight)."""
    h = step * w[k]
    up, down = w.copy(), w.copy()
    up[k] += h
    down[k] -= h
    return (stat.value(up) - stat.value(down)) / (2 * h)


@pytest.mark.parametrize(
    "make",
    [
        lambda y, d: Total(y, d),
        lambda y, d: Mean(y, d),
        lambda y, d: Ratio(y, np.sqrt(y), d),
        lambda y, d: FGT(y, 1000.0, 1, d),
        lambda y, d: FGT(y, 1000.0, 2, d),
        lambda y, d: Watts(y, 1000.0, d),
        lambda y, d: Gini(y, d),
        lambda y, d: Gini(y, d) - Mean(np.log(y), d),
        lambda y, d: Total(y, d) / Total(np.ones_like(y), None),
    ],
    ids=["total", "mean", "ratio", "fgt1", "fgt2", "watts", "gini", "difference", "quotient"],
)
def test_influence_is_the_derivative_with_respect_to_each_weight(make) -> None:
    y, w = _data(6, n=60)
    domain = np.arange(y.size) % 3 != 0
    stat = make(y, domain)
    design = SurveyDesign.from_arrays(w)
    z = stat.influence(design)
    # The derivative exists where no value sits exactly at the line (ranks do not change for a tiny step).
    for k in range(y.size):
        assert z[k] == pytest.approx(_numerical_derivative(stat, w, k), rel=1e-5, abs=1e-9 * (abs(z).max() + 1))


def test_relative_line_fgt_influence_has_the_line_term_for_alpha_one() -> None:
    # For alpha >= 1, P_alpha is differentiable in the line: d P1 / dz = (P0 - P1) / z (closed form), so the
    # influence of FGT1 with a line at 60 % of the *mean* (differentiable too) is the numerical derivative.
    y, w = _data(7, n=80)
    stat = FGT(y, RelativeLine(y, 0.6, "mean"), 1)
    z = stat.influence(SurveyDesign.from_arrays(w))
    for k in range(0, y.size, 7):
        assert z[k] == pytest.approx(_numerical_derivative(stat, w, k), rel=1e-4, abs=1e-12)


def test_linearised_variables_sum_to_zero_for_scale_free_statistics() -> None:
    # Σ w z = 0 for differentiable estimators invariant to multiplying all weights by a constant (Euler's
    # theorem). (Quantile-based ones are step functions of the weights: for them Σ w z = −(F(Q) − q) / f,
    # of the order of one observation's weight share, not 0.)
    y, w = _data(8)
    design = SurveyDesign.from_arrays(w)
    mean_line = RelativeLine(y, 0.5, "mean")
    for stat in (Mean(y), Gini(y), FGT(y, mean_line, 1), FGT(y, mean_line, 2), Watts(y, mean_line)):
        assert float(w @ stat.influence(design)) == pytest.approx(0.0, abs=1e-12)


def test_generic_statistics_have_no_linearisation() -> None:
    y, w = _data(9, n=30)
    with pytest.raises(IndicatorError, match="replicate"):
        Generic(atkinson, y, epsilon=0.5).influence(SurveyDesign.from_arrays(w))


@pytest.mark.parametrize(
    "call",
    [
        lambda: Mean([1.0, 2.0], domain=[1, 0]),
        lambda: Mean([1.0, 2.0], domain=np.array([True])),
        lambda: Gini([1.0, 2.0], domain=np.array([False, False])),
        lambda: Watts([0.0, 2.0], 1.0),
        lambda: Proportion([0.5, 1.0]),
        lambda: Quantile([1.0, 2.0], 1.5),
        lambda: Total([1.0, 2.0]) - Total([1.0, 2.0, 3.0]),
        lambda: Total([1.0, 2.0]).value([1.0, 1.0, 1.0]),
    ],
)
def test_invalid_statistics_raise(call) -> None:
    with pytest.raises(IndicatorError):
        call()


def test_generic_replicates_and_watts_drop_rule() -> None:
    y, w = _data(10, n=120)
    y[:3] = 0.0
    line = float(np.median(y))
    expected_watts = watts(y, w, line, nonpositive="drop")
    assert Watts(y, line, nonpositive="drop").value(w) == pytest.approx(expected_watts, rel=1e-13)
    rng = np.random.default_rng(10)
    reps = rao_wu_bootstrap(SurveyDesign.from_arrays(w, psu=rng.integers(0, 12, y.size)), replicates=6, seed=1)
    expected = [atkinson(y, reps.weights(r), 0.5, nonpositive="drop") for r in range(6)]
    stat = Generic(atkinson, y, epsilon=0.5, nonpositive="drop")
    np.testing.assert_allclose(stat.evaluate(reps), expected, rtol=1e-13)


# --- composed statistics (floorsim/indicators/estimator.py) ------------------------------------------------------------


def test_difference_and_quotient_by_hand() -> None:
    # y = (1, 2, 3), x = (2, 2, 4), w = (1, 2, 1): Σ w y = 1 + 4 + 3 = 8, Σ w x = 2 + 4 + 4 = 10, Σ w = 4.
    y, x, w = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 4.0]), np.array([1.0, 2.0, 1.0])
    design = SurveyDesign.from_arrays(w)
    assert (Total(y) - Total(x)).value(w) == pytest.approx(8.0 - 10.0, abs=1e-15)
    assert (Total(y) / Total(x)).value(w) == pytest.approx(0.8, abs=1e-15)
    assert (2.5 * Mean(y)).value(w) == pytest.approx(2.5 * 8.0 / 4.0, abs=1e-15)
    # Linearised variables: difference z_a − z_b = y − x; quotient (y − R x) / X with R = 0.8, X = 10.
    np.testing.assert_allclose((Total(y) - Total(x)).influence(design), y - x, atol=1e-15)
    np.testing.assert_allclose((Total(y) / Total(x)).influence(design), (y - 0.8 * x) / 10.0, atol=1e-15)


def test_composed_statistics_refuse_different_samples() -> None:
    three, four = Total(np.ones(3)), Total(np.ones(4))
    with pytest.raises(IndicatorError, match="the two statistics of a difference are defined on different numbers"):
        _ = three - four
    with pytest.raises(IndicatorError, match="numerator and denominator are defined on different numbers"):
        _ = three / four
