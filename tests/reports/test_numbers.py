"""The one number formatter (``floorsim.simulations.reports.numbers``): styles, figure kinds by medium, parameter values."""

from __future__ import annotations

import math

import pytest

from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.numbers import format_figure, format_number, format_parameter_value, shown_unit


@pytest.mark.parametrize(
    ("value", "style", "change", "text"),
    [
        (24_592_080.2, "money_millions", False, "24.59"),
        (-1_234_567.0, "money_millions", True, "-1.23"),
        (1_234_567.4, "count", False, "1,234,567"),
        (0.418, "percent", False, "41.8%"),
        (-0.0241, "percent2", True, "-2.41"),
        (-0.0241, "percent_pp", True, "-2.41 pp"),
        (0.4183, "points", False, "41.83"),
        (0.31234, "fraction6", False, "0.312340"),
        (-1e-9, "money_month", True, "+0.00"),  # no "-0.00"
        (math.inf, "count", False, "∞"),
    ],
)
def test_styles(value, style, change, text):
    assert format_number(value, style, change=change) == text


def test_missing_values_and_language_separators():
    assert format_number(float("nan"), "count") == "\u2013"
    assert format_number(None, "count", missing="(absent)") == "(absent)"
    assert format_number(1234567.891, "money_month", Labels("pt")) == "1\u00a0234\u00a0567,89"  # CLDR pt_TL (as pt_PT)


@pytest.mark.parametrize(
    ("kind", "table", "report", "audit", "snapshot"),
    [
        ("money", "12.35", "12.35", "12,345,678", "12,345,678.00"),
        ("count", "12,345,678", "12,345,678", "12,345,678", "12,345,678.00"),
    ],
)
def test_money_and_counts_on_every_medium(kind, table, report, audit, snapshot):
    value = 12_345_678.0
    for medium, text in (("table", table), ("report", report), ("audit", audit), ("snapshot", snapshot)):
        assert format_figure(value, kind, medium) == text, medium


def test_rates_and_indices_on_every_medium():
    assert format_figure(0.25, "rate", "table") == "25.00"
    assert format_figure(0.25, "rate", "report") == "25.00%"
    assert format_figure(0.25, "rate", "audit") == "25.00%"
    assert format_figure(-0.0125, "rate", "audit", change=True) == "-1.25 pp"
    assert format_figure(0.25, "rate", "snapshot") == "0.250000"
    assert format_figure(0.3456, "index", "table") == "34.56"
    assert format_figure(0.3456, "index", "audit") == "0.3456"


def test_parameter_values():
    assert format_parameter_value(True) == "yes" and format_parameter_value(False) == "no"
    assert format_parameter_value(None) == "—"
    assert format_parameter_value(60.0) == "60" and format_parameter_value(1234.5) == "1,234.5"
    assert format_parameter_value(0.1 + 0.2) == "0.3"
    scale = [{"threshold": 0, "amount": 0.0}, {"threshold": 70, "amount": 20.0}]
    assert format_parameter_value(scale) == "0+: 0 · 70+: 20"
    assert format_parameter_value({"urban": 10, "rural": 5}) == "urban 10, rural 5"


def test_shown_units():
    labels = Labels()
    assert shown_unit("money", "USD/year", labels, "USD") == "USD million/year"
    assert shown_unit("index", "index (0-1)", labels, "USD") == "index (0-1), x100"
    assert shown_unit("rate", "% of persons", labels, "USD") == "% of persons"
