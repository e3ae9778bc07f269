"""Parameter units and values as text, for any front end (``floorsim params``, the web app, report tables).

Plain functions of plain values: no OpenFisca, so the report layer can present recorded parameter changes with
them.
"""

from __future__ import annotations

import re

# The key read as a bracket's value when a scale is shown as ``threshold+: value`` (the first one it has).
_BRACKET_VALUE_KEYS = ("amount", "rate", "average_rate", "base")


def format_unit(unit: str | None) -> str:
    """``currency-USD`` → ``USD``, ``/1`` → ``ratio``; other units as written."""
    if not unit:
        return ""
    unit = re.sub(r"currency-([A-Z]{3})", r"\1", unit)
    return "ratio" if unit == "/1" else unit


def format_parameter_value(value: object) -> str:
    """A parameter value for display: scales as ``0+: 0 · 70+: 20``, booleans as yes/no, ``—`` when not in force."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        parts = []
        for row in value:
            amount = next((row[key] for key in _BRACKET_VALUE_KEYS if key in row), None)
            parts.append(f"{format_parameter_value(row['threshold'])}+: {format_parameter_value(amount)}")
        return " · ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{key} {format_parameter_value(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:,.6g}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
