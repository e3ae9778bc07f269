"""Text of the single-household explanation for any front end (terminal, web): values, money, verdicts, reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from floorsim.simulations.explain.household_file import HOUSEHOLD_ID
from floorsim.simulations.explain.report import Factor, Verdict


def format_value(value: Any) -> str:
    """One value for display: yes/no, numbers without float noise, scales as ``0+: 0 · 70+: 20``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        if value and all(isinstance(row, dict) and "threshold" in row for row in value):
            return " · ".join(
                f"{format_value(row['threshold'])}+: {format_value(row.get('amount', row.get('rate')))}"
                for row in value
            )
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        distinct = {json.dumps(item, sort_keys=True, default=str) for item in value.values()}
        if len(value) > 1 and len(distinct) == 1:
            return f"all {format_value(next(iter(value.values())))}"
        return " · ".join(f"{key} {format_value(item)}" for key, item in value.items())
    return str(value)


def format_factor_values(factor: Factor) -> str:
    """A factor's values; ranges of months when they change within the period."""
    if len(factor.values) == 1:
        return format_value(factor.values[0]["value"])
    return "; ".join(f"{run['period']}: {format_value(run['value'])}" for run in factor.values)


def format_money(amount: float) -> str:
    """An amount in currency units with two decimals and thousands separators: ``1,234.50``."""
    return f"{amount:,.2f}"


def format_verdicts(verdicts: Sequence[Verdict], currency: str) -> list[str]:
    """One line per distinct verdict, naming together the members it applies to (``tomas, rosa: not paid — ...``);
    month ranges are shown when the verdict changes within the period."""
    show_period = len(verdicts) > len({verdict.member for verdict in verdicts})
    groups: dict[str, list[str]] = {}
    for verdict in verdicts:
        anonymous = Verdict(**{**asdict(verdict), "member": HOUSEHOLD_ID})
        text = format_verdict(anonymous, currency, show_period)
        groups.setdefault(text, []).append(verdict.member)
    lines = []
    for text, members in groups.items():
        named = [member for member in members if member != HOUSEHOLD_ID]
        if named and show_period:
            period, _, rest = text.partition(": ")
            lines.append(f"{period}: {', '.join(named)}: {rest}")
        else:
            lines.append(f"{', '.join(named)}: {text}" if named else text)
    return lines


def format_verdict(verdict: Verdict, currency: str, show_period: bool = False) -> str:
    """``ana: paid 80.00 USD — yes: Meets the SAII old-age conditions...`` and the like."""
    who = f"{verdict.member}: " if verdict.member != HOUSEHOLD_ID else ""
    when = f"{verdict.period}: " if show_period else ""
    if verdict.status == "not_in_force":
        return f"{when}{who}{verdict.note}"
    if verdict.status == "paid":
        head = f"{when}{who}paid {format_money(verdict.amount)} {currency} a {verdict.amount_per}"
    else:
        head = f"{when}{who}not paid"
    if not verdict.because:
        return head if verdict.status == "paid" else f"{head} (no yes/no condition in the formula: see its inputs)"
    return f"{head} — " + "; ".join(format_reason(item) for item in verdict.because)


def format_reason(item: dict) -> str:
    """``no: <label of a yes/no variable>``, ``<label> = 0``, or ``<parameter path> = <value>``."""
    if item["kind"] == "parameter":
        return f"{item['name']} = {format_value(item['value'])}"
    if isinstance(item["value"], bool):
        return f"{'yes' if item['value'] else 'no'}: {item['label']}"
    return f"{item['label']} = {format_value(item['value'])}"
