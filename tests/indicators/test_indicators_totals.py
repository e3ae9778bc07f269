"""weighted_total and weighted_count: hand cases, exact float64 accumulation of float32 input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from floorsim.indicators import IndicatorError, weighted_count, weighted_total


def test_weighted_total_hand_computed() -> None:
    # 2 * 10 + 3 * (-4) + 0.5 * 6 = 20 - 12 + 3 = 11
    assert weighted_total([10.0, -4.0, 6.0], [2.0, 3.0, 0.5]) == 11.0


def test_float32_input_is_summed_in_float64() -> None:
    # 2**24 + 1 = 16777217 is not representable in float32; a float32 accumulator returns 16777216.
    values = np.array([2.0**24, 1.0], dtype=np.float32)
    weights = np.ones(2, dtype=np.float32)
    assert weighted_total(values, weights) == 16777217.0
    assert weighted_count(np.array([True, True]), np.array([2.0**24, 1.0], dtype=np.float32)) == 16777217.0


def test_weighted_total_matches_exact_summation() -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 5000, size=100_000).astype(np.float32)
    weights = rng.uniform(50, 1500, size=100_000).astype(np.float32)
    # A float32 product of two float32 numbers is exact in float64 (24 + 24 significant bits < 53), so
    # fsum over the float64 products is the correctly rounded total.
    exact = math.fsum(values.astype(np.float64) * weights.astype(np.float64))
    assert weighted_total(values, weights) == pytest.approx(exact, rel=1e-13)


def test_weighted_count_hand_computed() -> None:
    # Beneficiaries are the 1st and 3rd: 2.5 + 4 = 6.5 persons.
    assert weighted_count(np.array([True, False, True]), [2.5, 1.0, 4.0]) == 6.5
    assert weighted_count([1, 0, 1], [2.5, 1.0, 4.0]) == 6.5
    assert weighted_count([False, False], [1.0, 1.0]) == 0.0


def test_weighted_count_refuses_amounts() -> None:
    with pytest.raises(IndicatorError, match="condition must be boolean"):
        weighted_count([250.0, 0.0, 1.0], [1.0, 1.0, 1.0])


def test_weighted_count_checks_lengths() -> None:
    with pytest.raises(IndicatorError, match="same length"):
        weighted_count([True, False], [1.0, 1.0, 1.0])
