"""Bad input to every indicator raises IndicatorError with a message that names the problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from floorsim.indicators import (
    IndicatorError,
    atkinson,
    concentration_coefficient,
    fgt,
    generalized_entropy,
    gini,
    lorenz,
    palma,
    quantile_shares,
    quintile_share_ratio,
    relative_median_poverty_gap,
    watts,
    weighted_quantile,
    weighted_total,
)

# Every public measure as a function of (values, weights), with a valid line or parameter filled in.
MEASURES: dict[str, Callable[[Any, Any], Any]] = {
    "weighted_quantile": lambda x, w: weighted_quantile(x, w, 0.5),
    "fgt": lambda x, w: fgt(x, w, 100.0, 1),
    "watts": lambda x, w: watts(x, w, 100.0),
    "relative_median_poverty_gap": lambda x, w: relative_median_poverty_gap(x, w, 100.0),
    "gini": gini,
    "quintile_share_ratio": quintile_share_ratio,
    "quantile_shares": quantile_shares,
    "palma": palma,
    "generalized_entropy": lambda x, w: generalized_entropy(x, w, 2),
    "atkinson": lambda x, w: atkinson(x, w, 1),
    "lorenz": lorenz,
    "concentration_coefficient": lambda x, w: concentration_coefficient(x, w, np.arange(len(w))),
    "weighted_total": weighted_total,
}

GOOD_X = [50.0, 80.0, 120.0, 200.0, 300.0]
GOOD_W = [1.0, 2.0, 1.0, 1.0, 1.0]


def test_indicator_error_is_a_value_error() -> None:
    assert issubclass(IndicatorError, ValueError)


@pytest.mark.parametrize("name", MEASURES)
def test_valid_input_is_accepted(name: str) -> None:
    # Guards the error tests below: each failure must come from the one bad argument.
    MEASURES[name](GOOD_X, GOOD_W)


@pytest.mark.parametrize("name", MEASURES)
@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        (GOOD_X, GOOD_W[:4], r"same length; got 5 values and 4 weights"),
        ([50.0, np.nan, 120.0, np.inf, 300.0], GOOD_W, r"values is NaN or infinite in 2 entries at positions 1, 3"),
        (GOOD_X, [1.0, 1.0, np.nan, 1.0, 1.0], r"weights is NaN or infinite in 1 entry at position 2"),
        (GOOD_X, [1.0, -1.0, 1.0, 1.0, 1.0], r"weights is below zero in 1 entry at position 1"),
        (GOOD_X, [0.0] * 5, r"weights sum to zero"),
        ([], [], r"values is empty"),
        (np.ones((5, 2)), np.ones(5), r"one-dimensional array; got shape \(5, 2\)"),
        (["a", "b", "c", "d", "e"], GOOD_W, r"values must be numeric"),
        (["50", "80", "120", "200", "300"], GOOD_W, r"values must be numeric; got text"),
        (GOOD_X, [object(), 1.0, 1.0, 1.0, 1.0], r"weights must be numeric; could not convert"),
    ],
)
def test_bad_values_or_weights(name: str, values: Any, weights: Any, message: str) -> None:
    with pytest.raises(IndicatorError, match=message):
        MEASURES[name](values, weights)


@pytest.mark.parametrize(
    "call",
    [
        lambda: fgt(GOOD_X, GOOD_W, 0.0),
        lambda: fgt(GOOD_X, GOOD_W, -10.0),
        lambda: watts(GOOD_X, GOOD_W, float("nan")),
        lambda: relative_median_poverty_gap(GOOD_X, GOOD_W, float("inf")),
    ],
)
def test_line_must_be_positive_and_finite(call: Callable[[], Any]) -> None:
    with pytest.raises(IndicatorError, match="line must be a positive finite number"):
        call()


def test_per_observation_line_checks() -> None:
    with pytest.raises(IndicatorError, match="one value per observation; got 2 lines for 5 values"):
        fgt(GOOD_X, GOOD_W, [100.0, 100.0])
    with pytest.raises(IndicatorError, match=r"line is <= 0 in 1 entry at position 4"):
        fgt(GOOD_X, GOOD_W, [100.0, 100.0, 100.0, 100.0, 0.0])
    with pytest.raises(IndicatorError, match="line must be a number"):
        fgt(GOOD_X, GOOD_W, "100")


def test_parameters_are_checked() -> None:
    with pytest.raises(IndicatorError, match="alpha must be >= 0; got -1"):
        fgt(GOOD_X, GOOD_W, 100.0, alpha=-1)
    with pytest.raises(IndicatorError, match=r"epsilon must be >= 0; got -0\.5"):
        atkinson(GOOD_X, GOOD_W, -0.5)
    with pytest.raises(IndicatorError, match="alpha must be a number; got the text"):
        generalized_entropy(GOOD_X, GOOD_W, "2")  # type: ignore[arg-type]
    with pytest.raises(IndicatorError, match="alpha must be finite"):
        generalized_entropy(GOOD_X, GOOD_W, float("inf"))
    with pytest.raises(IndicatorError, match="nonpositive must be 'raise' or 'drop'"):
        generalized_entropy(GOOD_X, GOOD_W, 1, nonpositive="clip")  # type: ignore[arg-type]
    with pytest.raises(IndicatorError, match=r"q must lie in \[0, 1\].*got \[20.0\]"):
        weighted_quantile(GOOD_X, GOOD_W, 20)
    with pytest.raises(IndicatorError, match="n must be a positive integer"):
        quantile_shares(GOOD_X, GOOD_W, n=0)
    with pytest.raises(IndicatorError, match="n must be a positive integer"):
        quantile_shares(GOOD_X, GOOD_W, n=2.5)  # type: ignore[arg-type]
    with pytest.raises(IndicatorError, match="points must be at least 2"):
        lorenz(GOOD_X, GOOD_W, points=1)
    with pytest.raises(IndicatorError, match=r"points must be population shares in \[0, 1\]"):
        lorenz(GOOD_X, GOOD_W, points=[0.5, 1.5])
    with pytest.raises(IndicatorError, match="ranking must have one value per observation"):
        concentration_coefficient(GOOD_X, GOOD_W, [1.0, 2.0])


def test_ratio_measures_refuse_meaningless_denominators() -> None:
    with pytest.raises(IndicatorError, match="bottom quintile's total is 0"):
        quintile_share_ratio([0.0, 0.0, 5.0, 6.0, 7.0], [1.0] * 5)
    with pytest.raises(IndicatorError, match="nobody is strictly above the 80 % quantile"):
        quintile_share_ratio([1.0, 2.0, 9.0, 9.0, 9.0], [1.0] * 5)
    with pytest.raises(IndicatorError, match="bottom 40 % holds a share of 0"):
        palma([0.0, 0.0, 5.0, 6.0, 7.0], [1.0] * 5)
    with pytest.raises(IndicatorError, match="weighted total of values is 0"):
        concentration_coefficient([1.0, -1.0], [1.0, 1.0], [1.0, 2.0])
