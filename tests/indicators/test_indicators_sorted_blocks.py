"""Rank statistics over replicates from one sort (``floorsim/indicators/sorted_blocks.py``) against the one-replicate-at-a-time
path: ``Generic(function)`` applies the plain function (``gini``, ``weighted_quantile``, ``palma``,
``quintile_share_ratio``, ``fgt``, ``watts``: they equal laeken) to each replicate's weights, sorting every time.

The data make the hard cases frequent: small integer values (many ties, zeros), replicates that drop PSUs (zero
weights), dense replicate weights with explicit zeros, domains of one observation, and blocks of one replicate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorsim.indicators import (
    FGT, FullSample, Generic, Gini, IndicatorError, Palma, Quantile, QuintileShareRatio, Recalibration,
    RelativeLine, SurveyDesign, Watts, fgt, gini, palma, quintile_share_ratio, rao_wu_bootstrap, recalibrate,
    survey_replicates, watts, weighted_quantile,
)
from floorsim.indicators._sorted import shared_sorted
from floorsim.indicators.sorted_blocks import SortedBlock, evaluate_members, gathered_rows

QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.8, 0.9, 1.0)


def _or_nan(function):
    """The plain function, nan where it refuses (an empty or weightless replicate), as ``Generic`` records it."""
    def wrapped(*args):
        try:
            return function(*args)
        except IndicatorError:
            return math.nan
    return wrapped


def _line_poverty(function, share: float, extra=()):
    """Poverty against share × the replicate's own median of the same values, one replicate at a time."""
    def one(y, w):
        return function(y, w, share * weighted_quantile(y, w, 0.5), *extra)
    return one


def _pairs(y: np.ndarray, domain: np.ndarray | None):
    """(batched statistic, one-at-a-time reference) for every rank statistic of ``y`` over ``domain``."""
    line = RelativeLine(y, 0.6, domain=domain)
    pairs = [
        (Gini(y, domain), Generic(gini, y, domain=domain)),
        (Palma(y, domain), Generic(palma, y, domain=domain)),
        (QuintileShareRatio(y, domain), Generic(quintile_share_ratio, y, domain=domain)),
    ]
    pairs += [(Quantile(y, q, domain), Generic(weighted_quantile, y, domain=domain, q=q)) for q in QUANTILES]
    if (y[domain if domain is not None else slice(None)] > 0).all():  # fgt() and watts() refuse a line <= 0
        pairs += [(FGT(y, line, a, domain), Generic(_line_poverty(fgt, 0.6, (a,)), y, domain=domain))
                  for a in (0, 1, 2)]
        pairs.append((Watts(y, line, domain), Generic(_line_poverty(watts, 0.6), y, domain=domain)))
    return pairs


def _assert_equal_to_reference(y, domain, weights, label: str) -> None:
    for fast, slow in _pairs(y, domain):
        np.testing.assert_allclose(fast.evaluate(weights), slow.evaluate(weights), rtol=1e-12, atol=1e-13,
                                   equal_nan=True, err_msg=f"{label}: {type(fast).__name__}")


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.integers(0, 6), min_size=1, max_size=40),
    data=st.data(),
)
def test_every_replicate_equals_the_function_on_its_weights(values, data) -> None:
    y = np.array(values, dtype=float) * 100.0
    n = y.size
    strata = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    psu = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))) + 10 * strata
    base = np.array(data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), dtype=float)
    dense = np.array(data.draw(st.lists(st.integers(0, 3), min_size=3 * n, max_size=3 * n)), dtype=float)
    one = data.draw(st.integers(0, n - 1))
    domains = [None, np.arange(n) == one, (np.arange(n) % 2) == 0]  # everybody, one observation, half
    weight_sets = {"survey replicates with zeros": survey_replicates(base, dense.reshape(n, 3), "bootstrap")}
    design = SurveyDesign.from_arrays(base, strata=strata, psu=psu, lonely_psu="certainty")
    weight_sets["bootstrap (PSUs dropped)"] = rao_wu_bootstrap(design, 6, seed=data.draw(st.integers(0, 99)))
    weight_sets["full sample"] = FullSample(base)
    for label, weights in weight_sets.items():
        for domain in domains:
            _assert_equal_to_reference(y, domain, weights, label)  # zeros among the values
            _assert_equal_to_reference(y + 100.0, domain, weights, label)  # positive: poverty measures too


def test_many_replicates_in_many_blocks_on_recalibrated_household_weights() -> None:
    """Households of 1-6 members (ties in welfare) with replicates re-calibrated per household and collapsed to
    one row per household (observations carrying several persons' weight): the third storage form."""
    rng = np.random.default_rng(5)
    size = rng.integers(1, 7, 400)
    household = np.repeat(np.arange(400), size)
    psu = np.repeat(np.arange(400) // 8, size)
    stratum = np.repeat((np.arange(400) // 8) % 5, size)
    weight = np.repeat(rng.uniform(10, 40, 400), size)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 30, 11)
    target = weight[np.unique(household, return_index=True)[1]].sum()
    recalibration = Recalibration.from_units(household, lambda d: d * (target / d.sum(axis=1, keepdims=True)),
                                             "ratio to households")
    collapsed = recalibrate(replicates, recalibration).collapsed(household)
    welfare = np.round(rng.lognormal(6, 0.7, 400), -1)  # rounded: tied households
    _assert_equal_to_reference(welfare, None, collapsed, "recalibrated and collapsed")
    _assert_equal_to_reference(welfare, welfare > np.median(welfare), collapsed, "recalibrated, rich half")


def test_results_do_not_depend_on_block_size_or_threads() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 50, 900).astype(float)
    weights = rng.uniform(1, 9, 900)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weights, psu=np.arange(900) // 9), 23, 4)
    results = []
    for block_values, threads in ((1 << 21, 1), (900, 1), (900 * 5, 2), (1, 3)):  # one block … one row per block
        gini_, median, palma_ = Gini(y), Quantile(y, 0.5), Palma(y)
        first = evaluate_members(gini_._sorted, replicates, gini_, block_values, threads)
        results.append(np.concatenate([first, median.evaluate(replicates), palma_.evaluate(replicates)]))
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])


def test_statistics_of_the_same_values_share_one_sort_and_one_pass() -> None:
    rng = np.random.default_rng(3)
    y = rng.lognormal(5, 1, 500)
    weights = rng.uniform(1, 9, 500)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weights, psu=np.arange(500) // 5), 12, 8)
    gini_, palma_, decile = Gini(y), Palma(y.copy()), Quantile(list(y), 0.1)
    assert gini_._sorted is palma_._sorted is decile._sorted
    assert Gini(y, domain=y > 100)._sorted is not gini_._sorted  # another domain: another order
    assert Gini(y + 1.0)._sorted is not gini_._sorted  # other values
    gini_.evaluate(replicates)
    # The pass that computed the Gini left the Palma ratio and the decile in their caches ...
    held = [result for weights_, result in palma_._cache if weights_ is replicates]
    assert len(held) == 1
    # ... equal to computing them afresh, one replicate at a time.
    np.testing.assert_allclose(held[0], Generic(palma, y).evaluate(replicates), rtol=1e-12)
    np.testing.assert_allclose(decile.evaluate(replicates), Generic(weighted_quantile, y, q=0.1).evaluate(replicates),
                               rtol=1e-12)


def test_a_line_on_other_values_joins_the_pass_and_a_line_on_the_same_values_is_ready_first() -> None:
    rng = np.random.default_rng(6)
    base = rng.lognormal(5, 0.8, 600)
    reform = base + np.where(rng.random(600) < 0.3, 40.0, 0.0)
    weights = rng.uniform(1, 9, 600)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weights, psu=np.arange(600) // 6), 15, 1)
    anchored = RelativeLine(base, 0.6)
    for y, line, share_of in ((reform, anchored, base), (base, RelativeLine(base, 0.5), base)):
        statistics = [Gini(y), FGT(y, line, 0), FGT(y, line, 2)]
        values = [s.evaluate(replicates) for s in statistics]
        expected_lines = [line.factor * weighted_quantile(share_of, replicates.weights(r), 0.5) for r in range(15)]
        for alpha, value in zip((0, 2), values[1:]):
            expected = [fgt(y, replicates.weights(r), z, alpha) for r, z in enumerate(expected_lines)]
            np.testing.assert_allclose(value, expected, rtol=1e-12)
        np.testing.assert_allclose(values[0], [gini(y, replicates.weights(r)) for r in range(15)], rtol=1e-12)


def test_gathered_rows_equal_the_rows_in_every_storage() -> None:
    rng = np.random.default_rng(8)
    household = np.repeat(np.arange(20), 3)
    weights = rng.uniform(1, 5, 20)[household]
    factor_form = rao_wu_bootstrap(SurveyDesign.from_arrays(weights, psu=household // 2), 7, 2)
    dense = survey_replicates(weights, rng.integers(0, 3, (60, 7)).astype(float), "bootstrap")
    recalibration = Recalibration.from_units(household, lambda d: d * 2.0, "doubled")
    scaled = recalibrate(factor_form, recalibration).collapsed(np.arange(60) // 3)
    indices = rng.permutation(20)
    for replicates in (factor_form, dense, scaled, FullSample(weights[:20])):
        source = replicates.at(indices)
        rows = np.array([source.row(r) for r in range(source.n_sets)])
        np.testing.assert_array_equal(gathered_rows(source, 0, source.n_sets), rows)
        np.testing.assert_array_equal(gathered_rows(source, 1, source.n_sets), rows[1:])


def test_block_by_hand() -> None:
    # x = 10, 20, 30, 40; replicate 0: weights 1, 0, 2, 1 (C = 1, 1, 3, 4; S = 10, 10, 70, 110);
    # replicate 1: 0, 0, 0, 0 (no weight); replicate 2: 1, 1, 1, 1.
    block = SortedBlock(np.array([10.0, 20.0, 30.0, 40.0]),
                        np.array([[1.0, 0.0, 2.0, 1.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]))
    # Median, replicate 0: target 2, first C >= 2 is C_3 = 3 -> 30; replicate 2: target 2 = C_2 -> (20 + 30) / 2.
    np.testing.assert_array_equal(block.quantile(0.5), [30.0, np.nan, 25.0])
    # q = 0.25, replicate 0: target 1 = C_1 exactly -> average with the next value of positive weight (30).
    assert block.quantile(0.25)[0] == 20.0
    with np.errstate(invalid="ignore"):
        g = block.gini()
    # Gini, replicate 2: Σ_ij |x_i − x_j| / (2 n² μ) = 200 / (2 · 16 · 25) = 0.25.
    assert g[2] == pytest.approx(0.25, abs=1e-15)
    # Lorenz of replicate 0 at 0.5: C/W = .25, .75 at x = 20 (S/T = 10/110), 30 (70/110): 10/110 + .5 · 60/110.
    assert block.lorenz(np.array([0.5]))[0, 0] == pytest.approx(40.0 / 110.0, rel=1e-15)
    # Headcount below 25 (x = 10, 20): replicate 0 weighs 1, replicate 2 weighs 2.
    np.testing.assert_array_equal(block.sums_below(np.array([25.0, 25.0, 25.0]), lambda k, z: None), [1.0, 0.0, 2.0])


def test_the_shared_order_is_only_reused_for_the_same_values_and_domain() -> None:
    y = np.array([3.0, 1.0, 2.0, 1.0])
    order = shared_sorted(y, None)
    assert shared_sorted(y.copy(), None) is order
    assert shared_sorted(y, np.array([True, True, True, True])) is order  # the same observations
    assert shared_sorted(y, np.array([True, True, True, False])) is not order
    assert shared_sorted(np.array([3.0, 1.0, 1.0, 2.0]), None) is not order  # same sum, other values
    np.testing.assert_array_equal(order.indices, [1, 3, 2, 0])  # stable
