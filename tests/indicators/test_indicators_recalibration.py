"""Calibration-aware replicates (``floorsim.indicators.recalibrate``) against a hand-written re-raked bootstrap.

The independent computation: for each Rao–Wu replicate, household weights are raked by textbook iterative
proportional fitting (IPF) to two household-level margins (region, and households with / without an older
person), a different algorithm from the Newton solver floorsim uses; every person then carries its household's
re-raked weight, and the bootstrap variance is (1/R) Σ_r (θ_r − θ̂)².
"""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.indicators import (
    IndicatorError,
    Recalibration,
    SurveyDesign,
    Total,
    estimate,
    jackknife,
    rao_wu_bootstrap,
    recalibrate,
)
from floorsim.surveys.recorded_calibration import CalibrationSystem, calibrate_replicates

REGIONS = 2


def _survey(seed: int = 11):
    """60 households in 2 regions (= strata) of 6 PSUs each, 1-5 persons each; raked weights and margins."""
    rng = np.random.default_rng(seed)
    households = 60
    region = np.repeat(np.arange(REGIONS), households // REGIONS)
    psu = np.repeat(np.arange(12), 5)
    size = rng.integers(1, 6, households)
    ages = [rng.integers(0, 90, s) for s in size]
    older = np.array([int((a >= 60).any()) for a in ages])
    design_weight = rng.uniform(80, 120, households)
    # Household-level indicator columns: region 0, region 1, with an older person, without.
    X = np.column_stack([region == 0, region == 1, older == 1, older == 0]).astype(float)
    totals = np.array([3300.0, 2900.0, 2000.0, 4200.0])
    weights = _ipf(X, design_weight, totals)
    unit = np.repeat(np.arange(households), size)
    return {
        "X": X, "totals": totals, "weights": weights, "unit": unit, "psu": psu[unit], "stratum": region[unit],
        "age": np.concatenate(ages), "person_weight": weights[unit],
    }


def _ipf(X: np.ndarray, d: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Textbook IPF over the two margins (columns 0-1 and 2-3), households with d = 0 staying at 0."""
    w = d.astype(float).copy()
    for _ in range(500):
        for block in (slice(0, 2), slice(2, 4)):
            current = X[:, block].T @ w
            w = w * (X[:, block] @ (totals[block] / current))
    return w


def _recalibration(s) -> Recalibration:
    system = CalibrationSystem(s["X"], s["totals"], "raking", None, [("m", str(j)) for j in range(4)],
                               np.arange(len(s["weights"])))
    return Recalibration.from_units(s["unit"], lambda D: calibrate_replicates(system, D), "raking to m")


def _design(s) -> SurveyDesign:
    return SurveyDesign.from_arrays(s["person_weight"], strata=s["stratum"], psu=s["psu"])


def test_recalibrated_bootstrap_equals_hand_written_re_raked_bootstrap():
    s = _survey()
    plain = rao_wu_bootstrap(_design(s), 50, seed=7)
    calibrated = recalibrate(plain, _recalibration(s))
    first = np.unique(s["unit"], return_index=True)[1]
    for r in range(plain.n_sets):
        d = plain.weights(r)[first]
        hand = _ipf(s["X"], d, s["totals"])
        np.testing.assert_allclose(calibrated.weights(r), hand[s["unit"]], rtol=1e-7)
    # The SE of a statistic not fixed by the margins (persons aged 60+) from the hand-raked replicates.
    older = (s["age"] >= 60).astype(float)
    full = float(s["person_weight"] @ older)
    hand_values = [(_ipf(s["X"], plain.weights(r)[first], s["totals"])[s["unit"]]) @ older for r in range(50)]
    hand_se = np.sqrt(np.mean((np.array(hand_values) - full) ** 2))
    got = estimate(Total(older), replicates=calibrated)
    assert got.se == pytest.approx(hand_se, rel=1e-6)
    assert got.se < estimate(Total(older), replicates=plain).se


def test_totals_fixed_by_the_margins_have_no_variance_after_recalibration():
    s = _survey()
    in_region0 = (s["stratum"] == 0).astype(float) / np.bincount(s["unit"])[s["unit"]]  # households of region 0
    plain = rao_wu_bootstrap(_design(s), 40, seed=3)
    calibrated = recalibrate(plain, _recalibration(s))
    assert estimate(Total(in_region0), replicates=calibrated).se < 1e-5 * 3300
    assert estimate(Total(in_region0), replicates=plain).se > 10.0


def test_paired_change_uses_the_same_recalibrated_weights():
    s = _survey()
    rng = np.random.default_rng(5)
    base = rng.uniform(0, 100, s["unit"].size)
    reform = base + (s["age"] >= 60) * 30.0
    calibrated = recalibrate(rao_wu_bootstrap(_design(s), 40, seed=2), _recalibration(s))
    change = estimate(Total(reform) - Total(base), replicates=calibrated)
    # By hand: the change's replicate values are the replicate totals of reform − base on the same weights.
    values = np.array([calibrated.weights(r) @ (reform - base) for r in range(40)])
    hand = np.sqrt(np.mean((values - s["person_weight"] @ (reform - base)) ** 2))
    assert change.se == pytest.approx(hand, rel=1e-10)


def test_jackknife_units_dropped_stay_at_zero_and_the_rest_meets_the_margins():
    s = _survey()
    calibrated = recalibrate(jackknife(_design(s)), _recalibration(s))
    assert calibrated.method == "JKn" and calibrated.calibration == "raking to m"
    first = np.unique(s["unit"], return_index=True)[1]
    for r in range(calibrated.n_sets):
        w = calibrated.weights(r)
        dropped = jackknife(_design(s)).weights(r) == 0
        assert dropped.any() and np.all(w[dropped] == 0)
        np.testing.assert_allclose(s["X"].T @ w[first], s["totals"], rtol=1e-8)


def test_recalibrate_refuses_mismatched_units_and_unequal_members():
    s = _survey()
    plain = rao_wu_bootstrap(_design(s), 5, seed=1)
    with pytest.raises(IndicatorError, match="observations"):
        recalibrate(plain, Recalibration.from_units(s["unit"][:-1], lambda D: D, "x"))
    uneven = s["person_weight"].copy()
    second = int(np.flatnonzero(np.diff(s["unit"]) == 0)[0]) + 1  # the second member of a household of 2 or more
    uneven[second] += 1.0  # ... no longer carries its household's weight
    design = SurveyDesign.from_arrays(uneven, strata=s["stratum"], psu=s["psu"])
    with pytest.raises(IndicatorError, match="different replicate weights"):
        recalibrate(rao_wu_bootstrap(design, 5, seed=1), _recalibration(s))
    with pytest.raises(IndicatorError, match="unit codes"):
        Recalibration.from_units(np.array([0.5, 1.0]), lambda D: D, "x")
