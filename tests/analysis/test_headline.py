"""The one headline definition (``floorsim.simulations.analysis.headline``): point figures and statistics agree, kinds and
labels follow the figures and the run's poverty line.

Two runs: the bundled Timor-Leste survey (a national line moved with the CPI) and the OpenFisca country template
on the EU-SILC fixture (a relative line, 60 % of the median of baseline welfare per capita).
"""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.simulations.analysis import AnalysisError, headline
from floorsim.simulations.analysis.frame import weights_of
from floorsim.simulations.engine.countries import PovertyLine
from floorsim.simulations.reports.labels import ENGLISH, Labels


@pytest.fixture(params=["national", "relative"])
def run(request):
    results = request.getfixturevalue(request.param)
    return results, next(name for name in results.scenarios if name != "baseline")


def test_point_figures_and_statistic_estimates_agree_for_every_key(run):
    results, reform = run
    frame = results.person_frame()
    weights = weights_of(frame)
    line = headline.statistic_line(results, frame)
    for scenario in ("baseline", reform):
        points = results.headline(scenario)
        statistics = headline.headline_statistics(results, frame, scenario, line, replicated=False)
        assert set(points) <= set(statistics)
        for key, value in points.items():
            assert statistics[key].value(weights) == pytest.approx(value, rel=1e-9, abs=1e-9), (scenario, key)


def test_poverty_figures_by_hand(run):
    """Headcount, gap and persons in poverty recomputed from household arrays with plain numpy."""
    results, reform = run
    households = results.households
    persons = households["weight"] * households["size"]
    line = results.poverty_line
    for scenario in ("baseline", reform):
        y = results.welfare_per_capita(scenario)
        figures = headline.point_figures(results, scenario)
        poor = y < line
        assert figures["poverty_headcount"] == pytest.approx(persons[poor].sum() / persons.sum(), rel=1e-12)
        assert figures["poor_persons"] == pytest.approx(persons[poor].sum(), rel=1e-9)
        gap = np.where(poor, 1 - y / line, 0.0)
        assert figures["poverty_gap"] == pytest.approx((persons * gap).sum() / persons.sum(), rel=1e-12)


def test_relative_line_is_60_percent_of_the_weighted_median(relative):
    """The line by hand: the smallest welfare at which half the person weight is reached (and its neighbour)."""
    y = relative.welfare_per_capita("baseline")
    w = relative.households["weight"] * relative.households["size"]
    order = np.argsort(y, kind="stable")
    cumulative = np.cumsum(w[order]) / w.sum()
    at = int(np.searchsorted(cumulative, 0.5))
    low, high = 0.6 * y[order][at], 0.6 * y[order][min(at + 1, len(y) - 1)]
    assert low - 1e-9 <= relative.poverty_line <= high + 1e-9


def test_programme_figures_are_the_headline_without_poverty(national):
    figures = headline.point_figures(national, "saii_80")
    programmes = headline.programme_figures(national, "saii_80")
    assert programmes == {key: figures[key] for key in programmes}
    assert set(figures) - set(programmes) == {"poverty_headcount", "poverty_gap", "poor_persons", "gini"}
    amounts = national.scenario("saii_80").household[national.spec.transfers_variable]
    assert programmes["total_cost"] == pytest.approx(float(np.sum(amounts * national.households["weight"])), rel=1e-12)


@pytest.mark.parametrize(
    ("key", "kind"),
    [("saii_cost", "money"), ("total_cost", "money"), ("saii_beneficiaries", "count"), ("poor_persons", "count"),
     ("poverty_headcount", "rate"), ("poverty_gap", "rate"), ("squared_poverty_gap", "rate"), ("gini", "index"),
     ("theil", "index"), ("palma", "ratio"), ("s80_s20", "ratio"), ("mean_welfare", "money_month")],
)
def test_figure_kind(key, kind):
    assert headline.figure_kind(key) == kind


def test_figure_kind_refuses_an_unknown_figure():
    with pytest.raises(AnalysisError, match="no headline figure 'headcount'"):
        headline.figure_kind("headcount")


def test_labels_follow_the_line(national, relative):
    labels = Labels()
    headcount = headline.FIGURE_BY_KEY["poverty_headcount"]
    assert headline.figure_label(headcount, national.spec, labels) == "Poverty headcount, national line"
    assert headline.figure_label(headcount, relative.spec, labels) == "Poverty headcount, 60 % of median"
    half = relative.spec.model_copy(update={"poverty_line": PovertyLine(share_of_median=0.5)})
    assert headline.poverty_line_label(half, labels) == "50 % of median"
    assert headline.figure_label(headline.FIGURE_BY_KEY["gini"], relative.spec, labels) == "Gini of welfare per capita"


def test_an_international_line_is_named_with_its_definition(national):
    labels = Labels()
    line = national.spec.poverty_line.model_copy(update={"kind": "international", "definition": "USD 2.15 PPP"})
    international = national.spec.model_copy(update={"poverty_line": line})
    headcount = headline.FIGURE_BY_KEY["poverty_headcount"]
    assert headline.figure_label(headcount, international, labels) == (
        "Poverty headcount, international line (USD 2.15 PPP)"
    )


def test_an_international_line_must_say_which_one():
    with pytest.raises(ValueError, match="international line needs"):
        PovertyLine(parameter="country.poverty_line.international", kind="international")
    with pytest.raises(ValueError, match="international line needs"):
        PovertyLine(share_of_median=0.6, kind="international", definition="USD 2.15 PPP")


def test_every_figure_has_its_labels_in_english():
    for figure in headline.FIGURE_BY_KEY.values():
        assert figure.label in ENGLISH and figure.unit in ENGLISH, figure.key
    assert {"line.national", "line.relative", "indicator.at_line", "indicator.programme_cost",
            "indicator.programme_beneficiaries"} <= set(ENGLISH)
