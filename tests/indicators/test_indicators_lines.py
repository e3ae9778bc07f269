"""Poverty lines: relative (per scenario or anchored), international ($/day at PPP), uprated; hand-computed."""

from __future__ import annotations

import math

import pytest

from floorsim.indicators import IndicatorError, international_line, relative_line, relative_lines, uprated_line


def test_relative_line_of_the_median_hand_computed() -> None:
    # Weights 1, 1, 1, 1, 1 over 100..500: W = 5, q W = 2.5, first C_k >= 2.5 is k = 3 (value 300), no exact hit.
    assert relative_line([300, 100, 500, 200, 400], [1] * 5, 0.6) == pytest.approx(0.6 * 300, abs=1e-12)
    # Four equal weights: C_2 = 2 = 0.5 W exactly, so the median averages 200 and 300: 250; 50 % of it is 125.
    assert relative_line([100, 200, 300, 400], [1] * 4, 0.5) == pytest.approx(125.0, abs=1e-12)


def test_relative_line_of_the_mean_hand_computed() -> None:
    # Weighted mean (3 * 100 + 1 * 500) / 4 = 200; 40 % of it is 80.
    assert relative_line([100, 500], [3, 1], 0.4, statistic="mean") == pytest.approx(80.0, abs=1e-12)


def test_relative_lines_per_scenario_or_anchored_at_the_baseline() -> None:
    welfare = {"baseline": [100, 200, 300], "reform": [200, 300, 400]}
    w = [1, 1, 1]
    # medians 200 and 300
    assert relative_lines(welfare, w, 0.5, anchor="scenario") == pytest.approx({"baseline": 100.0, "reform": 150.0})
    assert relative_lines(welfare, w, 0.5, anchor="baseline") == pytest.approx({"baseline": 100.0, "reform": 100.0})
    with pytest.raises(IndicatorError, match="baseline"):
        relative_lines({"reform": [1, 2]}, [1, 1], anchor="baseline")
    with pytest.raises(IndicatorError, match="anchor"):
        relative_lines(welfare, w, anchor="median")  # type: ignore[arg-type]


def test_international_line_hand_computed() -> None:
    # $2.15 a day x 10 LCU per PPP$ x prices up 20 % since the PPP year x 365 / 12 days a month
    # = 2.15 * 10 * 1.2 * 30.416666... = 25.8 * 30.416666... = 784.75
    assert international_line(2.15, 10.0, 1.2) == pytest.approx(784.75, rel=1e-14)
    # Without price change, $1 a day at 1 LCU per $ is 365 / 12 a month.
    assert international_line(1.0, 1.0) == pytest.approx(365 / 12, rel=1e-15)


def test_uprated_line() -> None:
    assert uprated_line(100.0, 1.07) == pytest.approx(107.0, rel=1e-15)


@pytest.mark.parametrize(
    "call",
    [
        lambda: international_line(-1.0, 10.0),
        lambda: international_line(2.15, 0.0),
        lambda: international_line(2.15, 10.0, math.nan),
        lambda: uprated_line(100.0, 0.0),
        lambda: relative_line([1.0, 2.0], [1, 1], 0.0),
        lambda: relative_line([-1.0, -2.0], [1, 1], 0.6),
        lambda: relative_line([1.0, 2.0], [1, 1], 0.6, statistic="mode"),  # type: ignore[arg-type]
    ],
)
def test_invalid_line_arguments_raise(call) -> None:
    with pytest.raises(IndicatorError):
        call()
