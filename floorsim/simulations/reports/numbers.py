"""The one number formatter of every reader-facing output: terminal tables, ``summary``-based reports, the web
pages, the ``floorsim diff`` Markdown and the golden-snapshot table.

Figures travel in raw units (currency per year, counts, fractions such as 0.418) and are turned into text here
only. A *style* says how (scale, decimals, suffix); a *figure kind* (``floorsim.simulations.analysis.headline.figure_kind``:
``money``, ``count``, ``rate``, ``index``, ``ratio``, ``money_month``) is shown in the style its *medium* uses:

==========  ==================================================================================================
medium      styles
==========  ==================================================================================================
``table``   CLI headline table and web pages, where the unit is in the row label: money in millions
            (2 decimals), counts, rates and indices in points (x100, 2 decimals)
``report``  HTML report: as ``table`` but rates carry ``%`` (changes are percentage points, no sign of unit)
``audit``   ``floorsim diff`` Markdown: money and counts in units, rates in % (changes in ``pp``), Gini raw
            (4 decimals)
``snapshot`` golden-snapshot table: money and counts with cents, rates and indices raw (6 decimals)
==========  ==================================================================================================

Parameter values (scales, booleans, amounts) are written by :func:`format_parameter_value`: booleans as
``yes``/``no`` everywhere.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal, format_percent

from floorsim.simulations.reports.labels import Labels

MISSING = "\u2013"  # en dash: an undefined figure (NaN) in a table
NOT_IN_FORCE = "—"  # em dash: a parameter without a value on that date, a figure a version does not have
BRACKET_AMOUNT_KEYS = ("amount", "rate", "average_rate", "base")


@dataclass(frozen=True)
class Style:
    """How one kind of number is written: ``value × scale`` with ``decimals`` decimals, then ``suffix``
    (``change_suffix`` for signed changes)."""

    scale: float
    decimals: int
    suffix: str = ""
    change_suffix: str = ""


STYLES: dict[str, Style] = {
    "money_millions": Style(1e-6, 2),  # currency/year shown in millions
    "money": Style(1.0, 0),  # currency, whole units
    "money_month": Style(1.0, 2),  # currency per person per month
    "decimal2": Style(1.0, 2),  # any amount or count with two decimals
    "count": Style(1.0, 0),
    "percent0": Style(100.0, 0, "%"),  # a share such as a take-up rate: 85%
    "percent": Style(100.0, 1, "%"),  # fraction as %, 1 decimal; a change is in points (no suffix)
    "percent2": Style(100.0, 2, "%"),
    "percent_pp": Style(100.0, 2, "%", " pp"),  # fraction as %, a change as "+1.23 pp"
    "points": Style(100.0, 2),  # fraction x100 without a sign of unit (the unit is in the label)
    "points1": Style(100.0, 1),
    "index": Style(100.0, 2),  # Gini-like index (0-1) shown x100
    "fraction4": Style(1.0, 4),  # a fraction as is
    "fraction6": Style(1.0, 6),
    "ratio": Style(1.0, 2),
}

Medium = Literal["table", "report", "audit", "snapshot"]
FIGURE_STYLES: dict[str, dict[str, str]] = {
    "table": {"money": "money_millions", "count": "count", "rate": "points", "index": "index", "ratio": "ratio",
              "money_month": "money_month"},
    "report": {"money": "money_millions", "count": "count", "rate": "percent2", "index": "index", "ratio": "ratio",
               "money_month": "money_month"},
    "audit": {"money": "money", "count": "count", "rate": "percent_pp", "index": "fraction4", "ratio": "ratio",
              "money_month": "money_month"},
    "snapshot": {"money": "decimal2", "count": "decimal2", "rate": "fraction6", "index": "fraction6",
                 "ratio": "fraction6", "money_month": "decimal2"},
}


def format_number(
    value: float | None, style: str, labels: Labels | None = None, change: bool = False, missing: str = MISSING
) -> str:
    """A number as a reader sees it (raw units in, text out), in the CLDR conventions of ``labels``' language
    (Babel: decimal and group separators, percent sign; ``1,234.50`` in English, ``1234,50`` in Portuguese,
    ``1 234,50`` in French).

    ``style`` is a key of :data:`STYLES` (e.g. ``money_millions``: 24592080.2 → ``24.59``; ``percent2``:
    0.418 → ``41.80%``). ``change`` adds a sign (``+``/``-``) and uses the style's change suffix. A value that
    rounds to zero is written without a minus (no ``-0.00``). ``None`` or NaN gives ``missing``; infinities
    give ``∞``. Rounding is Python's (correctly rounded, half to even, on the binary value) before Babel writes
    the rounded value, so every language shows the same digits.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    value = float(value)
    if math.isinf(value):
        return ("-" if value < 0 else "+" if change else "") + "∞"
    rule = STYLES[style]
    scaled = round(value * rule.scale, rule.decimals)
    if scaled == 0:
        scaled = 0.0
    digits = "#,##0" + ("." + "0" * rule.decimals if rule.decimals else "")
    locale = Locale.parse((labels or Labels()).locale)
    percent = rule.suffix == "%" and not change
    if percent:  # the locale's percent pattern (sign and spacing: ``41,80 %`` in French) with the style's decimals
        pattern = locale.percent_formats[None].pattern.replace("#,##0", digits, 1)
        return format_percent(Decimal(repr(scaled)) / 100, format=pattern, locale=locale)
    pattern = f"+{digits};-{digits}" if change else digits
    # The Decimal of the rounded float's shortest repr keeps exactly the digits rounded above.
    text = format_decimal(Decimal(repr(scaled)), format=pattern, locale=locale)
    return text + (rule.change_suffix if change else rule.suffix)


def format_date(value: str | datetime.date, labels: Labels | None = None) -> str:
    """A date (``datetime.date`` or ISO ``YYYY-MM-DD``) in the long form of ``labels``' language (Babel, CLDR):
    ``December 4, 2026``, ``4 de dezembro de 2026``, ``4 décembre 2026``."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return babel_format_date(value, format="long", locale=(labels or Labels()).locale)


def figure_style(kind: str, medium: Medium = "table") -> str:
    """The style a headline figure of ``kind`` is shown in on ``medium`` (:data:`FIGURE_STYLES`)."""
    return FIGURE_STYLES[medium][kind]


def format_figure(
    value: float | None,
    kind: str,
    medium: Medium = "table",
    labels: Labels | None = None,
    change: bool = False,
    missing: str = MISSING,
) -> str:
    """A headline figure (raw units) of ``kind`` as text on ``medium``: :func:`format_number` in
    :func:`figure_style`."""
    return format_number(value, figure_style(kind, medium), labels, change, missing)


def shown_unit(kind: str, unit: str, labels: Labels, currency: str) -> str:
    """The unit of a figure of ``kind`` as shown in ``table`` and ``report`` styles, from the unit of its raw
    value: money in millions per year, indices x100, other units unchanged."""
    if kind == "money":
        return labels.text("unit.money_millions", currency=currency)
    if kind == "index":
        return f"{unit}, x100"
    return unit


def format_unit(unit: str | None) -> str:
    """A parameter's unit as a reader sees it: ``currency-USD`` → ``USD``, ``/1`` → ``ratio``; others as written."""
    if not unit:
        return ""
    unit = re.sub(r"currency-([A-Z]{3})", r"\1", unit)
    return "ratio" if unit == "/1" else unit


def format_parameter_value(value: object, labels: Labels | None = None) -> str:
    """A parameter value: scales as ``0+: 0 · 70+: 20``, booleans as yes/no (translated), ``—`` when not in force,
    numbers with the language's separators and without float noise (6 significant digits, Python's ``g``;
    ``1,234.5`` in English, ``1234,5`` in Portuguese)."""
    labels = labels or Labels()
    if value is None:
        return NOT_IN_FORCE
    if isinstance(value, bool):
        return labels.gettext("yes") if value else labels.gettext("no")
    if isinstance(value, list):
        parts = []
        for row in value:
            amount = next((row[key] for key in BRACKET_AMOUNT_KEYS if key in row), None)
            parts.append(f"{format_parameter_value(row['threshold'], labels)}+: "
                         f"{format_parameter_value(amount, labels)}")
        return " · ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{key} {format_parameter_value(item, labels)}" for key, item in value.items())
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.6g}"
        if "e" in text:  # beyond 6 digits before or after the point: scientific notation, as Python writes it
            return text
        return format_decimal(Decimal(text), format="#,##0.######", locale=labels.locale)
    if isinstance(value, (int, float)):
        return format_decimal(int(value), format="#,##0", locale=labels.locale)
    return str(value)
