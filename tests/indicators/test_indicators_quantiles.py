"""weighted_quantile: hand-computed cases, and independent references.

For integer weights, replicating each row ``w_i`` times gives unit-weight data on which Eurostat's rule is
the textbook one (Hyndman & Fan's type 2): with j = n q, average the j-th and (j+1)-th values when j is whole,
else take the ceil(j)-th. The test computes that in exact rational arithmetic, so exact hits are found
exactly, and also checks numpy's ``averaged_inverted_cdf`` (type 2) away from hits; at hits k/n numpy's own
float product n * q can miss the whole number. For real-valued weights, numpy's weighted ``inverted_cdf``
agrees wherever no cumulative weight hits q W exactly (which random real weights never do).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from floorsim.indicators import weighted_quantile


def test_unit_weights_hand_computed() -> None:
    # Sorted 1, 2, 3, 4; cumulative weights 1, 2, 3, 4 of W = 4.
    x, w = [3.0, 1.0, 4.0, 2.0], [1.0, 1.0, 1.0, 1.0]
    # q = 0.5: target 2 is hit exactly at the 2nd value -> average of 2nd and 3rd = (2 + 3) / 2 = 2.5.
    assert weighted_quantile(x, w, 0.5) == 2.5
    # q = 0.3: target 1.2; first cumulative >= 1.2 is 2 (value 2); no exact hit -> 2.
    assert weighted_quantile(x, w, 0.3) == 2.0


def test_weighted_hand_computed() -> None:
    # Values 10, 20, 30 with weights 1, 2, 1: cumulative 1, 3, 4, W = 4.
    x, w = [10.0, 20.0, 30.0], [1.0, 2.0, 1.0]
    # q = 0.25: target 1 = C_1 exactly -> (10 + 20) / 2 = 15.
    assert weighted_quantile(x, w, 0.25) == 15.0
    # q = 0.5: target 2; first C >= 2 is C_2 = 3 (value 20), not exact -> 20.
    assert weighted_quantile(x, w, 0.5) == 20.0
    # q = 0.75: target 3 = C_2 exactly -> (20 + 30) / 2 = 25.
    assert weighted_quantile(x, w, 0.75) == 25.0
    # q = 0.8: target 3.2 -> first C >= 3.2 is C_3 = 4 (value 30).
    assert weighted_quantile(x, w, 0.8) == 30.0


def test_end_points_are_minimum_and_maximum() -> None:
    x, w = [5.0, -2.0, 7.0, 0.0], [0.5, 3.0, 0.25, 1.0]
    assert weighted_quantile(x, w, 0.0) == -2.0
    assert weighted_quantile(x, w, 1.0) == 7.0


def test_scalar_q_gives_float_and_array_q_gives_array_of_same_shape() -> None:
    x, w = [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]
    assert isinstance(weighted_quantile(x, w, 0.5), float)
    result = weighted_quantile(x, w, np.array([[0.1, 0.5], [0.9, 1.0]]))
    assert isinstance(result, np.ndarray)
    assert result.shape == (2, 2)
    # Per-entry values: 0.1 -> target 0.3 -> 1; 0.5 -> 1.5 -> 2; 0.9 -> 2.7 -> 3; 1.0 -> max 3.
    np.testing.assert_array_equal(result, [[1.0, 2.0], [3.0, 3.0]])


def _type_2_on_replicated_rows(expanded: np.ndarray, p: Fraction) -> float:
    """Eurostat's unweighted rule in exact rational arithmetic, on a sorted list of n unit-weight values.

    j = n p: if j is a whole number (and 0 < p < 1) average the j-th and (j+1)-th values, otherwise take the
    ceil(j)-th; p = 0 and p = 1 give the minimum and maximum.
    """
    ordered = np.sort(expanded)
    n = ordered.size
    if p == 0:
        return float(ordered[0])
    if p == 1:
        return float(ordered[-1])
    j = n * p
    if j.denominator == 1:
        return float((ordered[int(j) - 1] + ordered[int(j)]) / 2)
    return float(ordered[math.ceil(j) - 1])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_integer_weights_match_type_2_on_replicated_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(9.0, 0.7, size=60), 0)  # rounding makes ties
    w = rng.integers(1, 6, size=60)
    total = int(w.sum())
    expanded = np.repeat(x, w)
    # Every exact hit k / total that can occur, computed exactly as fractions for the reference.
    hits = [Fraction(k, total) for k in range(total + 1)]
    expected = [_type_2_on_replicated_rows(expanded, p) for p in hits]
    np.testing.assert_array_equal(weighted_quantile(x, w, [float(p) for p in hits]), expected)
    # Arbitrary probabilities (never exact hits): the exact rule and numpy's type 2 agree with us.
    probs = rng.uniform(0, 1, size=50)
    expected = [_type_2_on_replicated_rows(expanded, Fraction(p)) for p in probs]
    np.testing.assert_array_equal(weighted_quantile(x, w, probs), expected)
    np.testing.assert_array_equal(
        weighted_quantile(x, w, probs), np.quantile(expanded, probs, method="averaged_inverted_cdf")
    )


@pytest.mark.parametrize("seed", [3, 4])
def test_real_weights_match_numpy_weighted_inverted_cdf(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(1000.0, 300.0, size=500)
    w = rng.uniform(0.5, 900.0, size=500)
    probs = np.linspace(0.01, 0.99, 99)
    expected = np.quantile(x, probs, weights=w, method="inverted_cdf")
    np.testing.assert_array_equal(weighted_quantile(x, w, probs), expected)


def test_decimal_weights_find_the_exact_hit_that_binary_rounding_hides() -> None:
    # Ten weights of 0.1 represent the same population as ten weights of 1. The median of 1..10 is then
    # an exact hit at 5 -> (5 + 6) / 2 = 5.5, although 0.1 summed five times is not 0.5 of the float sum.
    x = np.arange(1.0, 11.0)
    assert weighted_quantile(x, np.full(10, 0.1), 0.5) == 5.5
    assert weighted_quantile(x, np.ones(10), 0.5) == 5.5


def test_zero_weight_observation_is_never_the_next_value() -> None:
    # Population: value 1 (weight 1) and value 3 (weight 1); value 2 has weight 0 and represents nobody.
    # Replicating rows gives [1, 3], whose type-2 median is (1 + 3) / 2 = 2 (not (1 + 2) / 2 = 1.5).
    assert weighted_quantile([1.0, 2.0, 3.0], [1.0, 0.0, 1.0], 0.5) == 2.0
    assert np.quantile([1.0, 3.0], 0.5, method="averaged_inverted_cdf") == 2.0


def test_order_and_weight_scale_do_not_matter() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 20, size=200).astype(float)
    w = rng.integers(1, 4, size=200).astype(float)
    probs = np.linspace(0, 1, 41)
    reference = weighted_quantile(x, w, probs)
    permutation = rng.permutation(200)
    np.testing.assert_array_equal(weighted_quantile(x[permutation], w[permutation], probs), reference)
    np.testing.assert_array_equal(weighted_quantile(x, 1000.0 * w, probs), reference)


def test_float32_input_is_read_as_float64() -> None:
    # 16777217 = 2**24 + 1 is not a float32; as float64 input the maximum must come back exactly.
    x64 = np.array([16777217.0, 3.0, 1.0])
    assert weighted_quantile(x64, np.ones(3, dtype=np.float32), 1.0) == 16777217.0
    x32 = np.array([0.1, 0.7, 0.3], dtype=np.float32)
    assert weighted_quantile(x32, np.ones(3), 0.5) == float(np.float32(0.3))
