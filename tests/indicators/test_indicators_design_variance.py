"""Design-based variances computed by hand: linearisation, the jackknife, BRR, shipped replicate weights,
single-PSU strata, and the Rao–Wu bootstrap's construction.

The tiny stratified sample used throughout (strata A and B, PSUs a1..a3 and b1, b2):

    PSU   persons (y, w)            PSU total t = Σ w y     weight Σ w
    a1    (10, 2), (20, 2)          60                      4
    a2    (30, 1)                   30                      1
    a3    (5, 4)                    20                      4
    b1    (40, 3)                   120                     3
    b2    (10, 3), (20, 3)          90                      6

Total Y = 320, N = 18.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from floorsim.indicators import (
    IndicatorError,
    Mean,
    SurveyDesign,
    Total,
    brr,
    estimate,
    estimate_table,
    jackknife,
    linearized_variance,
    rao_wu_bootstrap,
    replicate_values,
    survey_replicates,
)

Y = np.array([10.0, 20.0, 30.0, 5.0, 40.0, 10.0, 20.0])
W = np.array([2.0, 2.0, 1.0, 4.0, 3.0, 3.0, 3.0])
STRATUM = np.array(["A", "A", "A", "A", "B", "B", "B"])
PSU = np.array(["a1", "a1", "a2", "a3", "b1", "b2", "b2"])


@pytest.fixture
def design() -> SurveyDesign:
    return SurveyDesign.from_arrays(W, STRATUM, PSU)


def test_linearised_variance_of_a_total_by_hand(design: SurveyDesign) -> None:
    # Stratum A: PSU totals 60, 30, 20, mean 110/3; squared deviations (70/3)^2 + (20/3)^2 + (50/3)^2 = 7800/9;
    #   times n_h/(n_h - 1) = 3/2 gives 1300.
    # Stratum B: totals 120, 90, mean 105; squared deviations 225 + 225 = 450; times 2/1 gives 900.
    # v = 2200.
    assert Total(Y).value(design) == pytest.approx(320.0, abs=1e-12)
    assert linearized_variance(design, Y) == pytest.approx(2200.0, rel=1e-14)
    result = estimate(Total(Y), design=design)
    assert result.se == pytest.approx(math.sqrt(2200.0), rel=1e-14)
    # 95 % interval: 320 ± 1.959964 * 46.9042
    assert result.ci_low == pytest.approx(320 - 1.959963984540054 * math.sqrt(2200), rel=1e-12)
    assert result.method == "linearization"


def test_jackknife_of_a_total_and_a_mean_by_hand(design: SurveyDesign) -> None:
    reps = jackknife(design)
    assert reps.method == "JKn" and reps.n_sets == 5
    # Replicate totals (the dropped PSU's stratum reweighted by n_h / (n_h - 1)):
    #   drop a1: 1.5 * (30 + 20) + 210 = 285;  drop a2: 1.5 * 80 + 210 = 330;  drop a3: 1.5 * 90 + 210 = 345;
    #   drop b1: 110 + 2 * 90 = 290;           drop b2: 110 + 2 * 120 = 350.
    # and replicate sizes N: 1.5 * 5 + 9 = 16.5; 1.5 * 8 + 9 = 21; 1.5 * 5 + 9 = 16.5; 9 + 12 = 21; 9 + 6 = 15.
    totals = np.array([285.0, 330.0, 345.0, 290.0, 350.0])
    sizes = np.array([16.5, 21.0, 16.5, 21.0, 15.0])
    np.testing.assert_allclose(Total(Y).evaluate(reps), totals, rtol=1e-14)
    c = np.array([2 / 3, 2 / 3, 2 / 3, 1 / 2, 1 / 2])  # (n_h - 1) / n_h
    # v(total) = 2/3 (35^2 + 10^2 + 25^2) + 1/2 (30^2 + 30^2) = 1300 + 900 = 2200: the linearised value, as it
    # must be for a total.
    assert estimate(Total(Y), replicates=reps).se ** 2 == pytest.approx(2200.0, rel=1e-13)
    means = totals / sizes
    expected = float(np.sum(c * (means - 320.0 / 18.0) ** 2))
    assert estimate(Mean(Y), replicates=reps).se ** 2 == pytest.approx(expected, rel=1e-13)


def test_unstratified_jackknife_is_jk1() -> None:
    # One stratum of 3 PSUs with totals 60, 30, 20 (sizes 4, 1, 4): replicates 1.5 * (50, 80, 90).
    design = SurveyDesign.from_arrays(W[:4], psu=PSU[:4])
    reps = jackknife(design)
    assert reps.method == "JK1"
    np.testing.assert_allclose(Total(Y[:4]).evaluate(reps), [75.0, 120.0, 135.0], rtol=1e-14)
    # (n - 1)/n Σ (θ_j − θ̂)^2 = 2/3 (35^2 + 10^2 + 25^2) = 1300
    assert estimate(Total(Y[:4]), replicates=reps).se ** 2 == pytest.approx(1300.0, rel=1e-13)


def test_brr_and_fay_equal_linearisation_for_a_total() -> None:
    # Three strata of two PSUs: v = Σ_h (t_h1 − t_h2)^2 for BRR with full orthogonal balance.
    y = np.array([3.0, 5.0, 2.0, 7.0, 1.0, 4.0, 6.0])
    w = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 2.0])
    strata = np.array([0, 0, 1, 1, 2, 2, 2])
    psu = np.array([0, 1, 0, 1, 0, 1, 1])
    design = SurveyDesign.from_arrays(w, strata, psu)
    # PSU totals: (3, 10), (2, 7), (3, 4 + 12 = 16) -> differences 7, 5, 13 -> v = 49 + 25 + 169 = 243
    expected = 243.0
    assert linearized_variance(design, y) == pytest.approx(expected, rel=1e-14)
    for rho in (0.0, 0.5):
        reps = brr(design, fay_rho=rho)
        assert reps.n_sets == 4  # the smallest Hadamard order above 3 strata
        assert estimate(Total(y), replicates=reps).se ** 2 == pytest.approx(expected, rel=1e-13)
    with pytest.raises(IndicatorError, match="2 PSUs"):
        brr(SurveyDesign.from_arrays(W, STRATUM, PSU))


def test_shipped_replicate_weights_use_their_method_formula(design: SurveyDesign) -> None:
    reps = jackknife(design)
    matrix = np.column_stack([reps.weights(r) for r in range(reps.n_sets)])  # n x R, as a survey ships them
    shipped = survey_replicates(W, matrix, "JKn", rscales=reps.rscales)
    assert estimate(Mean(Y), replicates=shipped).se == pytest.approx(estimate(Mean(Y), replicates=reps).se, rel=1e-13)
    # JK1 from one stratum: c = (R - 1)/R.
    single = jackknife(SurveyDesign.from_arrays(W[:4], psu=PSU[:4]))
    matrix1 = np.column_stack([single.weights(r) for r in range(3)])
    assert estimate(Total(Y[:4]), replicates=survey_replicates(W[:4], matrix1, "JK1")).se ** 2 == pytest.approx(1300.0)
    # Bootstrap: c = 1/R; with replicate totals 300 and 340 around 320: (400 + 400) / 2 = 400.
    boot = np.column_stack([W * 300 / 320, W * 340 / 320])
    assert estimate(Total(Y), replicates=survey_replicates(W, boot, "bootstrap")).se ** 2 == pytest.approx(400.0)
    # Fay: c = 1 / (R (1 − ρ)^2) = 1 / (2 * 0.25) = 2, times Σ (θ_r − θ̂)^2 = 800 -> 1600.
    fay = survey_replicates(W, boot, "Fay", fay_rho=0.5)
    assert estimate(Total(Y), replicates=fay).se ** 2 == pytest.approx(1600.0)
    # scale overrides c: 1 × 800.
    assert estimate(Total(Y), replicates=survey_replicates(W, boot, "bootstrap", scale=1.0)).se ** 2 == pytest.approx(
        800.0
    )
    # Centring: replicate totals 300 and 360. Around the estimate 320: (20^2 + 40^2) / 2 = 1000; around their
    # mean 330 (mse=False): (30^2 + 30^2) / 2 = 900.
    skewed = np.column_stack([W * 300 / 320, W * 360 / 320])
    assert estimate(Total(Y), replicates=survey_replicates(W, skewed, "bootstrap")).se ** 2 == pytest.approx(1000.0)
    centred = survey_replicates(W, skewed, "bootstrap", mse=False)
    assert estimate(Total(Y), replicates=centred).se ** 2 == pytest.approx(900.0)
    with pytest.raises(IndicatorError, match="rscales"):
        survey_replicates(W, matrix, "JKn")
    with pytest.raises(IndicatorError, match="shape"):
        survey_replicates(W, matrix.T, "JK1")


def test_single_psu_strata_rules() -> None:
    # Stratum C has one PSU (c1), stratum D one PSU (d1).
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    w = np.ones(5)
    strata = np.array(["A", "A", "C", "D", "A"])
    psu = np.array([1, 2, 3, 4, 3])  # PSU label 3 in A and in C: nested, so two different PSUs
    with pytest.raises(IndicatorError, match="single PSU"):
        SurveyDesign.from_arrays(w, strata, psu)
    certainty = SurveyDesign.from_arrays(w, strata, psu, lonely_psu="certainty")
    # Only stratum A contributes: PSU totals 1, 2, 5 (mean 8/3): (25 + 4 + 49)/9 * 3/2 = 13
    assert certainty.n_psu == 5
    assert linearized_variance(certainty, y) == pytest.approx(13.0, rel=1e-14)
    reps = rao_wu_bootstrap(certainty, replicates=5, seed=1)
    lone = certainty.psu_index[[2, 3]]
    np.testing.assert_array_equal(reps.factors[:, lone], 1.0)  # type: ignore[index]
    pooled = SurveyDesign.from_arrays(w, strata, psu, lonely_psu="pool")
    # A as before (13) plus the pooled stratum {3, 4}: (3 - 3.5)^2 + (4 - 3.5)^2 = 0.5, times 2 -> 1
    assert pooled.stratum_labels == ("A", "pooled")
    assert linearized_variance(pooled, y) == pytest.approx(14.0, rel=1e-14)
    with pytest.raises(IndicatorError, match="at least two"):
        SurveyDesign.from_arrays(w[:4], ["A", "A", "A", "C"], [1, 2, 3, 4], lonely_psu="pool")


def test_rao_wu_bootstrap_construction() -> None:
    # Stratum 0 has 4 PSUs, stratum 1 has 2: each replicate draws 3 and 1 PSUs with replacement.
    w = np.ones(12)
    strata = np.repeat([0, 1], [8, 4])
    psu = np.repeat([0, 1, 2, 3, 0, 1], 2)
    design = SurveyDesign.from_arrays(w, strata, psu)
    reps = rao_wu_bootstrap(design, replicates=500, seed=42)
    factors = reps.factors
    assert factors is not None and factors.shape == (500, 6)
    # factor = n_h / (n_h − 1) × multiplicity, multiplicities summing to n_h − 1 in each stratum.
    multiplicity_0 = factors[:, :4] / (4 / 3)
    multiplicity_1 = factors[:, 4:] / 2
    np.testing.assert_allclose(multiplicity_0, np.round(multiplicity_0), atol=1e-12)
    np.testing.assert_allclose(multiplicity_0.sum(axis=1), 3.0)
    np.testing.assert_allclose(multiplicity_1.sum(axis=1), 1.0)
    # Each stratum keeps its total weight in every replicate (Σ_j factor = n_h).
    np.testing.assert_allclose(factors[:, :4].sum(axis=1), 4.0)
    # Each PSU is drawn with probability 1/n_h per draw: E[factor] = 1.
    assert np.abs(factors.mean(axis=0) - 1).max() < 0.12
    # Same seed, same replicates; another seed, other replicates.
    np.testing.assert_array_equal(rao_wu_bootstrap(design, 500, seed=42).factors, factors)
    assert not np.array_equal(rao_wu_bootstrap(design, 500, seed=43).factors, factors)
    with pytest.raises(IndicatorError, match="seed"):
        rao_wu_bootstrap(design, 10)
    # A replicate weight is the base weight times its PSU's factor.
    np.testing.assert_allclose(reps.weights(7), w * factors[7][design.psu_index])


def test_bootstrap_variance_of_a_total_is_unbiased_for_the_linearised_one(design: SurveyDesign) -> None:
    # Rao & Wu (1988): with m_h = n_h − 1 the bootstrap variance of a total has expectation equal to the
    # with-replacement formula (2200 here). With 20,000 replicates the Monte Carlo error is about 1 %.
    reps = rao_wu_bootstrap(design, replicates=20_000, seed=3)
    assert estimate(Total(Y), replicates=reps).se ** 2 == pytest.approx(2200.0, rel=0.05)


def test_design_validation() -> None:
    with pytest.raises(IndicatorError, match="one entry per observation"):
        SurveyDesign.from_arrays(W, STRATUM[:3], PSU)
    with pytest.raises(IndicatorError, match="missing"):
        SurveyDesign.from_arrays(W, [None, "A", "A", "A", "B", "B", "B"], PSU)
    with pytest.raises(IndicatorError, match=">= 0"):
        SurveyDesign.from_arrays(-W, STRATUM, PSU)
    with pytest.raises(IndicatorError, match="design"):
        estimate(Total(Y))


def test_pooled_single_psu_strata_are_resampled_together() -> None:
    # Strata C and D have one PSU each; pooled, they form one stratum of 2 PSUs: each replicate draws one of
    # them and doubles it, so the pooled factors are (2, 0) or (0, 2).
    w = np.ones(6)
    design = SurveyDesign.from_arrays(w, ["A", "A", "A", "C", "D", "A"], [1, 2, 3, 4, 5, 3], lonely_psu="pool")
    reps = rao_wu_bootstrap(design, replicates=50, seed=8)
    pooled = reps.factors[:, design.psu_index[[3, 4]]]  # type: ignore[index]
    assert set(map(tuple, pooled.tolist())) == {(2.0, 0.0), (0.0, 2.0)}
    np.testing.assert_allclose(reps.factors[:, design.psu_index[[0, 1, 2]]].sum(axis=1), 3.0)  # type: ignore[index]


def test_a_replicate_without_the_domain_gives_a_nan_se() -> None:
    # The domain lives in one PSU of a 2-PSU stratum: the jackknife replicate dropping that PSU leaves the
    # domain empty, its mean is undefined, and so is the replicate SE (never a silently wrong number).
    y = np.array([1.0, 2.0, 3.0, 4.0])
    design = SurveyDesign.from_arrays(np.ones(4), psu=[1, 1, 2, 2])
    result = estimate(Mean(y, np.array([True, False, False, False])), replicates=jackknife(design))
    assert result.estimate == 1.0 and math.isnan(result.se)


def test_several_variables_at_once_and_table_from_a_mapping(design: SurveyDesign) -> None:
    # Columns are independent problems: Y gives 2200 (above), 2Y four times that, and a constant 1 per person
    # gives PSU totals equal to the PSU weights (A: 4, 1, 4; B: 3, 6):
    # A: mean 3, (1 + 4 + 1) * 3/2 = 9;  B: mean 4.5, (2.25 + 2.25) * 2 = 9;  v = 18.
    both = linearized_variance(design, np.column_stack([Y, 2 * Y, np.ones(7)]))
    np.testing.assert_allclose(both, [2200.0, 8800.0, 18.0], rtol=1e-14)
    table = estimate_table({"total": Total(Y), "persons": Total(np.ones(7))}, design=design)
    assert table["indicator"].tolist() == ["total", "persons"]
    assert table["se"].tolist() == pytest.approx([math.sqrt(2200.0), math.sqrt(18.0)])
    reps = jackknife(design)
    np.testing.assert_allclose(replicate_values(Total(Y), reps), [285.0, 330.0, 345.0, 290.0, 350.0])


def test_mean_of_an_empty_domain_is_undefined_not_an_error():
    from floorsim.indicators import Mean, estimate

    design = SurveyDesign.from_arrays(np.ones(6), strata=np.array([1, 1, 1, 2, 2, 2]), psu=np.arange(6))
    result = estimate(Mean(np.arange(6.0), domain=np.zeros(6, dtype=bool)), design=design)
    assert np.isnan(result.estimate) and np.isnan(result.se)
