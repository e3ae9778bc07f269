"""Lorenz and concentration curves: the points (``floorsim.indicators.lorenz``, ``floorsim.indicators.concentration_curve``) against
hand calculations, the identity Gini = 1 − 2 × area under the Lorenz curve (and the same for the concentration
coefficient), and the report's ``curves`` table against the report's own Gini."""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.indicators import IndicatorError, concentration_coefficient, concentration_curve, gini, lorenz
from floorsim.simulations.analysis.frame import amounts_of, weights_of, welfare_of
from floorsim.simulations.reports.curves import area_under


def test_lorenz_by_hand():
    # 1, 2, 3, 4 (total 10): the poorest quarter holds 1/10, half 3/10, three quarters 6/10
    p, share = lorenz([4.0, 1.0, 3.0, 2.0], [1, 1, 1, 1], 5)
    np.testing.assert_allclose(share, [0.0, 0.1, 0.3, 0.6, 1.0], atol=1e-15)
    # area = 0.25 × (0.05 + 0.2 + 0.45 + 0.8) = 0.375; 1 − 2 × 0.375 = 0.25 = mean |xi − xj| / (2 mean) = 1.25 / 5
    assert area_under(p, share) == pytest.approx(0.375, abs=1e-15)
    assert gini([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1]) == pytest.approx(1 - 2 * 0.375, abs=1e-15)


def test_concentration_curve_by_hand():
    # benefits 1, 1, 0, 2 to persons ranked 1..4 (total 4): cumulative 0.25, 0.5, 0.5, 1
    p, share = concentration_curve([1.0, 1.0, 0.0, 2.0], [1, 1, 1, 1], [10.0, 20.0, 30.0, 40.0], 5)
    np.testing.assert_allclose(share, [0.0, 0.25, 0.5, 0.5, 1.0], atol=1e-15)
    # area 0.25 × (0.125 + 0.375 + 0.5 + 0.75) = 0.4375; C = 1 − 0.875 = 0.125 = sum b (2F − 1) / T by hand:
    # (1 × −0.75 + 1 × −0.25 + 0 + 2 × 0.75) / 4 = 0.125
    assert area_under(p, share) == pytest.approx(0.4375, abs=1e-15)
    assert concentration_coefficient([1.0, 1.0, 0.0, 2.0], [1] * 4, [10.0, 20.0, 30.0, 40.0]) == pytest.approx(0.125)


def test_ties_in_the_ranking_share_one_straight_piece():
    """Persons tied in welfare: the curve does not depend on their order (2 to the first of two tied persons)."""
    _, first = concentration_curve([2.0, 0.0, 0.0, 0.0], [1] * 4, [1.0, 1.0, 2.0, 2.0], 5)
    _, second = concentration_curve([0.0, 2.0, 0.0, 0.0], [1] * 4, [1.0, 1.0, 2.0, 2.0], 5)
    np.testing.assert_allclose(first, [0.0, 0.5, 1.0, 1.0, 1.0], atol=1e-15)
    np.testing.assert_array_equal(first, second)


def test_ranked_by_itself_the_concentration_curve_is_the_lorenz_curve():
    rng = np.random.default_rng(5)
    values, weights = rng.lognormal(3, 1, 300), rng.uniform(0.5, 3, 300)
    np.testing.assert_allclose(concentration_curve(values, weights, values, 51)[1], lorenz(values, weights, 51)[1],
                               atol=1e-14)


def test_gini_and_concentration_coefficient_are_one_minus_twice_the_area():
    """At the curve's nodes (every cumulative weight share) the trapezoids are exact: 1 − 2 A equals the Gini and
    the concentration coefficient to rounding, with weights and ties."""
    rng = np.random.default_rng(11)
    welfare = np.round(rng.lognormal(4, 0.7, 400), 0)  # rounded: many ties
    weights = rng.uniform(1, 50, 400)
    benefit = np.where(welfare < np.median(welfare), rng.uniform(0, 30, 400), 0.0)
    nodes = np.concatenate(([0.0], np.cumsum(np.bincount(np.unique(welfare, return_inverse=True)[1], weights))))
    nodes /= nodes[-1]
    p, share = lorenz(welfare, weights, nodes)
    assert 1 - 2 * area_under(p, share) == pytest.approx(gini(welfare, weights), abs=1e-12)
    p, share = concentration_curve(benefit, weights, welfare, nodes)
    assert 1 - 2 * area_under(p, share) == pytest.approx(concentration_coefficient(benefit, weights, welfare),
                                                         abs=1e-12)
    assert 1 - 2 * area_under(p, share) < 0  # paid to the poorer half: concentrated among the poor


def test_bad_input_is_an_indicator_error():
    with pytest.raises(IndicatorError, match="ranking must have one value per observation"):
        concentration_curve([1.0, 2.0], [1, 1], [1.0], 3)
    with pytest.raises(IndicatorError, match="weighted total of values is 0"):
        concentration_curve([0.0, 0.0], [1, 1], [1.0, 2.0], 3)


def test_report_curves_match_the_reports_gini_and_the_programmes_concentration(bundled_report, bundled_results):
    curves = bundled_report.tables["curves"]
    inequality = bundled_report.tables["inequality"]
    for side in ("baseline", "reform"):
        rows = curves[(curves["curve"] == "lorenz") & (curves["side"] == side)]
        assert len(rows) == 101
        assert rows["share"].iloc[0] == 0.0 and rows["share"].iloc[-1] == pytest.approx(1.0, abs=1e-15)
        assert (np.diff(rows["share"]) >= -1e-15).all()  # a Lorenz curve never falls
        reported = inequality[(inequality["indicator"] == "gini") & (inequality["side"] == side)]["estimate"].iloc[0]
        # 101 points: the trapezoids miss only the curvature between percentiles (< 1e-3 of the Gini)
        assert 1 - 2 * area_under(rows["population_share"], rows["share"]) == pytest.approx(reported, abs=1e-3)
    frame = bundled_results.person_frame(["baseline", "saii_increase"])
    rows = curves[(curves["curve"] == "concentration") & (curves["side"] == "reform") & (curves["programme"] == "saii")]
    paid = amounts_of(frame, ["saii"], "saii_increase")[:, 0]
    expected = concentration_coefficient(paid, weights_of(frame), welfare_of(frame, "baseline"))
    assert 1 - 2 * area_under(rows["population_share"], rows["share"]) == pytest.approx(expected, abs=2e-3)
