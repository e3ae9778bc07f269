"""Replicate weights collapsed to groups (``ReplicateWeights.collapsed``) and the entropy family from weighted sums
(``GeneralizedEntropy``, ``Atkinson``): each against a second method — the per-observation replicate weights and
the per-replicate functions ``generalized_entropy`` / ``atkinson`` (which equal laeken and ineq)."""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.indicators import (
    Atkinson,
    GeneralizedEntropy,
    Generic,
    Gini,
    IndicatorError,
    Recalibration,
    SurveyDesign,
    atkinson,
    generalized_entropy,
    rao_wu_bootstrap,
    recalibrate,
    survey_replicates,
)


def _households(seed: int = 4):
    """60 households of 1-6 members in 12 PSUs of 3 strata; members repeat their household's weight and value."""
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 7, 60)
    household = np.repeat(np.arange(60), size)
    psu = np.repeat(np.arange(60) // 5, size)
    stratum = np.repeat((np.arange(60) // 5) % 3, size)
    weight = np.repeat(rng.uniform(10, 40, 60), size)
    value = np.repeat(rng.lognormal(4, 0.8, 60), size)
    return household, psu, stratum, weight, value


def _rows(replicates, n):
    source = replicates.at(np.arange(n))
    return np.array([source.row(r) for r in range(source.n_sets)])


def test_collapsed_factor_weights_are_the_sums_of_members() -> None:
    household, psu, stratum, weight, value = _households()
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 25, 9)
    collapsed = replicates.collapsed(household)
    by_person = _rows(replicates, weight.size)
    expected = np.stack([np.bincount(household, weights=row) for row in by_person])
    np.testing.assert_allclose(_rows(collapsed, 60), expected, rtol=1e-13)
    first = np.unique(household, return_index=True)[1]
    np.testing.assert_allclose(collapsed.sums(value[first]), replicates.sums(value), rtol=1e-12)
    # sorted statistics see the same weighted distribution: the Gini of every replicate is unchanged
    np.testing.assert_allclose(Gini(value[first]).evaluate(collapsed), Gini(value).evaluate(replicates), rtol=1e-10)


def test_collapsed_recalibrated_weights_carry_the_members() -> None:
    household, psu, stratum, weight, value = _households(7)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 20, 2)
    # a calibration that scales every replicate back to the full-sample total of households (a plain ratio)
    first = np.unique(household, return_index=True)[1]
    target = weight[first].sum()
    recalibration = Recalibration.from_units(household, lambda d: d * (target / d.sum(axis=1, keepdims=True)),
                                             "ratio to households")
    calibrated = recalibrate(replicates, recalibration)
    collapsed = calibrated.collapsed(household)
    members = np.bincount(household).astype(float)
    np.testing.assert_allclose(_rows(collapsed, 60), calibrated.matrix * members, rtol=1e-13)
    np.testing.assert_allclose(collapsed.sums(value[first]), calibrated.sums(value), rtol=1e-12)


def test_collapsed_survey_weights_and_refusals() -> None:
    household = np.array([0, 0, 1, 2, 2, 2])
    matrix = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 0.0], [2.0, 1.0], [2.0, 1.0], [2.0, 1.0]])
    shipped = survey_replicates(np.array([1.5, 1.5, 2, 1, 1, 1]), matrix, "bootstrap")
    collapsed = shipped.collapsed(household)
    np.testing.assert_array_equal(collapsed.matrix, [[2.0, 3.0, 6.0], [4.0, 0.0, 3.0]])
    np.testing.assert_array_equal(collapsed.base_weights, [3.0, 2.0, 3.0])
    unequal = survey_replicates(np.ones(6), matrix + np.arange(6)[:, None], "bootstrap")
    with pytest.raises(IndicatorError, match="different replicate weights"):
        unequal.collapsed(household)
    design = SurveyDesign.from_arrays(np.ones(6), psu=[0, 1, 2, 3, 4, 5])
    with pytest.raises(IndicatorError, match="different PSUs"):
        rao_wu_bootstrap(design, 5, 1).collapsed(household)
    with pytest.raises(IndicatorError, match="every group present"):
        shipped.collapsed(np.array([0, 0, 2, 2, 2, 2]))


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0, 0.5])
def test_generalized_entropy_from_sums_equals_the_function_in_every_replicate(alpha: float) -> None:
    household, psu, stratum, weight, value = _households(11)
    value = value.copy()
    value[:4] = 0.0  # dropped, as with nonpositive="drop"
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 30, 5)
    fast = GeneralizedEntropy(value, alpha, nonpositive="drop").evaluate(replicates)
    slow = Generic(generalized_entropy, value, alpha=alpha, nonpositive="drop").evaluate(replicates)
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_atkinson_from_sums_equals_the_function_in_every_replicate(epsilon: float) -> None:
    household, psu, stratum, weight, value = _households(12)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 30, 6)
    domain = stratum != 1
    fast = Atkinson(value, epsilon, domain=domain).evaluate(replicates)
    slow = Generic(atkinson, value, epsilon=epsilon, domain=domain).evaluate(replicates)
    np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_theil_by_hand() -> None:
    """Two persons with 1 and 3 (weights 1): μ = 2, T = ½ (½ ln ½ + 3/2 ln 3/2) = 0.1308120..."""
    theil = GeneralizedEntropy([1.0, 3.0], 1.0).value(np.ones(2))
    assert theil == pytest.approx(0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)), rel=1e-14)
    with pytest.raises(IndicatorError, match="undefined for values <= 0"):
        GeneralizedEntropy([0.0, 3.0], 1.0, nonpositive="raise")


def test_prefetched_totals_equal_totals_evaluated_one_by_one() -> None:
    """A table's totals in blocks of columns (``batched.prefetch_totals``) against each statistic evaluated alone on
    fresh objects; a block width of 2 forces several blocks."""
    from floorsim.indicators import FGT, Mean, Proportion, Ratio, Total, batched

    household, psu, stratum, weight, value = _households(21)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 40, 8)
    domain = stratum == 2

    def make():
        shared = Total(value)
        return [shared, Mean(value, domain), FGT(value, 60.0, 1), Proportion(value > 50), Ratio(value, value ** 0.5),
                Mean(value) - Mean(value, domain), shared * 2.0]

    alone = [stat.evaluate(replicates) for stat in make()]
    batched_stats = make()
    original = batched.BLOCK_VALUES
    try:
        batched.BLOCK_VALUES = 2 * weight.size
        assert batched.prefetch_totals(batched_stats, replicates) == 13  # 1 + 2 + 2 + 2 + 2 + 4: the shared total counted once
    finally:
        batched.BLOCK_VALUES = original
    for stat, expected in zip(batched_stats, alone):
        np.testing.assert_allclose(stat.evaluate(replicates), expected, rtol=1e-12)
    assert batched.prefetch_totals(batched_stats, replicates) == 0  # all cached now


def test_palma_and_s80_s20_sorted_once_equal_the_functions_in_every_replicate() -> None:
    """Against ``Generic(palma)`` / ``Generic(quintile_share_ratio)`` (the functions equal laeken), with ties (members
    of a household share a value) and replicates that drop PSUs (zero weights)."""
    from floorsim.indicators import Palma, QuintileShareRatio, palma, quintile_share_ratio

    household, psu, stratum, weight, value = _households(31)
    replicates = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 40, 3)
    assert (_rows(replicates, weight.size) == 0).any()
    domain = stratum != 0
    for fast, function in ((Palma, palma), (QuintileShareRatio, quintile_share_ratio)):
        for where in (None, domain):
            np.testing.assert_allclose(fast(value, domain=where).evaluate(replicates),
                                       Generic(function, value, domain=where).evaluate(replicates), rtol=1e-10)
            assert fast(value, domain=where).value(weight) == pytest.approx(
                function(value if where is None else value[where], weight if where is None else weight[where]),
                rel=1e-12)


def test_sums_of_rows_equal_sums_of_columns_in_every_storage() -> None:
    household, psu, stratum, weight, value = _households(41)
    factors = rao_wu_bootstrap(SurveyDesign.from_arrays(weight, strata=stratum, psu=psu), 15, 2)
    first = np.unique(household, return_index=True)[1]
    target = weight[first].sum()
    recalibration = Recalibration.from_units(household, lambda d: d * (target / d.sum(axis=1, keepdims=True)), "r")
    units = recalibrate(factors, recalibration)
    dense = survey_replicates(weight, _rows(factors, weight.size).T, "bootstrap")
    rows = np.stack([value, value ** 2, (value > 60).astype(float)])
    for replicates, data in ((factors, rows), (units, rows), (dense, rows),
                             (units.collapsed(household), rows[:, first])):
        np.testing.assert_allclose(replicates.sums_of_rows(data), replicates.sums(np.ascontiguousarray(data.T)),
                                   rtol=1e-12)
