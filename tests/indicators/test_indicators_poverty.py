"""Poverty measures: hand-computed cases and brute-force expansion with integer weights.

The expansion tests replicate each row w_i times and evaluate the textbook unweighted formula written
out here, element by element, so a mistake in how weights enter our functions cannot cancel out.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from floorsim.indicators import IndicatorError, fgt, relative_median_poverty_gap, watts

# Values 50, 80, 100, 150 and a line of 100: 50 and 80 are poor, 100 (exactly at the line) is not.
VALUES = [50.0, 80.0, 100.0, 150.0]
LINE = 100.0


def test_fgt_unit_weights_hand_computed() -> None:
    w = [1.0, 1.0, 1.0, 1.0]
    # P0 = 2 poor / 4 = 0.5
    assert fgt(VALUES, w, LINE, alpha=0) == pytest.approx(0.5, abs=1e-15)
    # gaps (100-50)/100 = 0.5 and (100-80)/100 = 0.2; P1 = (0.5 + 0.2) / 4 = 0.175
    assert fgt(VALUES, w, LINE, alpha=1) == pytest.approx(0.175, abs=1e-15)
    # P2 = (0.5^2 + 0.2^2) / 4 = (0.25 + 0.04) / 4 = 0.0725
    assert fgt(VALUES, w, LINE, alpha=2) == pytest.approx(0.0725, abs=1e-15)


def test_fgt_weighted_hand_computed() -> None:
    w = [3.0, 1.0, 2.0, 2.0]  # W = 8
    # P0 = (3 + 1) / 8 = 0.5
    assert fgt(VALUES, w, LINE, 0) == pytest.approx(0.5, abs=1e-15)
    # P1 = (3 * 0.5 + 1 * 0.2) / 8 = 1.7 / 8 = 0.2125
    assert fgt(VALUES, w, LINE, 1) == pytest.approx(0.2125, abs=1e-15)
    # P2 = (3 * 0.25 + 1 * 0.04) / 8 = 0.79 / 8 = 0.09875
    assert fgt(VALUES, w, LINE, 2) == pytest.approx(0.09875, abs=1e-15)
    # P0.5 = (3 * sqrt(0.5) + sqrt(0.2)) / 8
    assert fgt(VALUES, w, LINE, 0.5) == pytest.approx((3 * math.sqrt(0.5) + math.sqrt(0.2)) / 8, rel=1e-14)


def test_someone_exactly_at_the_line_is_not_poor() -> None:
    assert fgt([100.0], [1.0], 100.0) == 0.0
    assert fgt([np.nextafter(100.0, 0.0)], [1.0], 100.0) == 1.0


def test_zero_and_negative_values_have_gaps_of_one_and_above_one() -> None:
    # gap of 0 is (100 - 0) / 100 = 1; gap of -50 is (100 + 50) / 100 = 1.5; P1 = (1 + 1.5) / 2 = 1.25
    assert fgt([0.0, -50.0], [1.0, 1.0], 100.0, alpha=1) == pytest.approx(1.25, abs=1e-15)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 2.0, 3.7])
@pytest.mark.parametrize("seed", [0, 1])
def test_fgt_matches_brute_force_expansion(alpha: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(9.0, 0.8, size=300)
    w = rng.integers(0, 7, size=300)
    line = float(np.median(x))
    expanded = np.repeat(x, w)
    expected = math.fsum(((line - y) / line) ** alpha if y < line else 0.0 for y in expanded) / expanded.size
    assert fgt(x, w, line, alpha) == pytest.approx(expected, rel=1e-12)


def test_per_observation_line_hand_computed() -> None:
    # Both have 50; lines 40 and 100: only the second is poor, with gap 0.5.
    # P0 = 1/2 = 0.5, P1 = 0.5 / 2 = 0.25
    assert fgt([50.0, 50.0], [1.0, 1.0], [40.0, 100.0], 0) == 0.5
    assert fgt([50.0, 50.0], [1.0, 1.0], [40.0, 100.0], 1) == 0.25


def test_per_observation_line_is_the_population_weighted_mix_of_regional_rates() -> None:
    rng = np.random.default_rng(2)
    x = rng.lognormal(9.0, 0.6, size=400)
    w = rng.uniform(1, 50, size=400)
    region = rng.integers(0, 3, size=400)
    regional_lines = np.array([6000.0, 8000.0, 11000.0])
    combined = fgt(x, w, regional_lines[region], alpha=2)
    mix = (
        sum(w[region == r].sum() * fgt(x[region == r], w[region == r], regional_lines[r], alpha=2) for r in range(3))
        / w.sum()
    )
    assert combined == pytest.approx(mix, rel=1e-12)


def test_watts_hand_computed() -> None:
    # Values 50, 100, 200 with weights 1, 1, 2 (W = 4), line 100: only 50 is poor.
    # Watts = 1 * ln(100 / 50) / 4 = ln(2) / 4
    assert watts([50.0, 100.0, 200.0], [1.0, 1.0, 2.0], 100.0) == pytest.approx(math.log(2) / 4, rel=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_watts_matches_brute_force_expansion(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(9.0, 0.8, size=300)
    w = rng.integers(0, 7, size=300)
    line = float(np.quantile(x, 0.3))
    expanded = np.repeat(x, w)
    expected = math.fsum(math.log(line / y) for y in expanded if y < line) / expanded.size
    assert watts(x, w, line) == pytest.approx(expected, rel=1e-12)


def test_watts_refuses_nonpositive_values_and_counts_them() -> None:
    with pytest.raises(IndicatorError, match=r"values is <= 0 in 2 entries at positions 1, 3"):
        watts([50.0, 0.0, 80.0, -5.0], [1.0, 1.0, 1.0, 1.0], 100.0)


def test_watts_drop_removes_nonpositive_observations_and_their_lines() -> None:
    # After dropping 0 and -5: values 50, 80 with lines 100, 200, weights 1, 3 (W = 4).
    # Watts = (1 * ln(100/50) + 3 * ln(200/80)) / 4
    expected = (math.log(2.0) + 3 * math.log(2.5)) / 4
    result = watts([50.0, 0.0, 80.0, -5.0], [1.0, 9.0, 3.0, 9.0], [100.0, 1.0, 200.0, 1.0], nonpositive="drop")
    assert result == pytest.approx(expected, rel=1e-15)


def test_relative_median_poverty_gap_hand_computed() -> None:
    # Line 100: poor are 20, 40, 60, 80 (200 is not). Unit weights: target 0.5 * 4 = 2 is an exact hit at
    # the 2nd poor value -> median (40 + 60) / 2 = 50; gap (100 - 50) / 100 = 0.5.
    x = [200.0, 60.0, 20.0, 80.0, 40.0]
    assert relative_median_poverty_gap(x, [1.0] * 5, 100.0) == 0.5
    # Poor weights (20:1, 40:3, 60:1, 80:1), W_poor = 6, target 3; cumulative 1, 4 -> median 40; gap 0.6.
    assert relative_median_poverty_gap(x, [1.0, 1.0, 1.0, 1.0, 3.0], 100.0) == pytest.approx(0.6, abs=1e-15)


def test_relative_median_poverty_gap_is_nan_when_nobody_is_poor() -> None:
    assert math.isnan(relative_median_poverty_gap([150.0, 200.0], [1.0, 1.0], 100.0))
    # A poor observation with zero weight represents nobody.
    assert math.isnan(relative_median_poverty_gap([50.0, 200.0], [0.0, 1.0], 100.0))


def test_relative_median_poverty_gap_needs_a_single_line() -> None:
    with pytest.raises(IndicatorError, match="one poverty line"):
        relative_median_poverty_gap([50.0, 200.0], [1.0, 1.0], [100.0, 100.0])


def test_poverty_measures_ignore_the_unit_of_weights() -> None:
    rng = np.random.default_rng(7)
    x = rng.lognormal(9.0, 0.8, size=200)
    w = rng.uniform(1, 900, size=200)
    line = float(np.median(x))
    for measure in (lambda ww: fgt(x, ww, line, 1.5), lambda ww: watts(x, ww, line)):
        assert measure(w / 1000.0) == pytest.approx(measure(w), rel=1e-12)


def test_poverty_measures_are_scale_invariant_in_values_and_line() -> None:
    rng = np.random.default_rng(8)
    x = rng.lognormal(9.0, 0.8, size=200)
    w = rng.uniform(1, 900, size=200)
    line = float(np.median(x))
    # Converting currency (x 7.5, an exact binary fraction keeps y < z comparisons unchanged) changes nothing.
    assert fgt(7.5 * x, w, 7.5 * line, 2) == pytest.approx(fgt(x, w, line, 2), rel=1e-12)
    assert watts(7.5 * x, w, 7.5 * line) == pytest.approx(watts(x, w, line), rel=1e-12)
    assert relative_median_poverty_gap(7.5 * x, w, 7.5 * line) == pytest.approx(
        relative_median_poverty_gap(x, w, line), rel=1e-12
    )
