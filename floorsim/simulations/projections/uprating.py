"""Declarative uprating: which index each parameter follows, applied as a reform generated for each year.

A parameter declares the index it follows in its YAML metadata (``metadata: {uprating: prices}``); the
assumptions file may override it (``indexation: {path: {rule, justification}}``). Rules:

- ``prices``: moved with the CPI; ``wages``: moved with the wage index;
- ``none``: held at its nominal value; ``schedule``: the law's (or the reform's) own dated values are the path and
  nothing is added. Both add no change; the difference is what the user states about the law.

For a projection year ``Y`` and a parameter following index ``I``: if a value is legislated in ``Y`` (its start
date falls in ``Y``), it is kept. Otherwise the value ``v`` in force on 1 January of ``Y``, legislated in year
``L``, becomes ``v × I(Y) / I(max(L, B))`` from 1 January of ``Y`` until the day before the next legislated change
within ``Y`` (or 31 December), where ``B`` is the indexation base year (by default the year before the
projection): values in force in ``B`` are the law as it stands, and indexation starts the year after. The changes
of a year form one :class:`ReformSpec` stacked on each scenario, so the engine needs no change; a reform's own
values count as legislated, so a reform's new amount is indexed from the year after it starts.

Only single-valued parameters can be uprated this way (a reform's parameter change reaches leaf parameters, not
the brackets of a scale); only amounts in a currency may follow prices or wages.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import walk
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.projections.assumptions import RULES, Assumptions, series_value
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, find_parameter

METADATA_KEY = "uprating"
INDEXED = ("prices", "wages")


@dataclass(frozen=True)
class UpratingRule:
    """The index one parameter follows, and where that was decided."""

    parameter: str
    rule: str
    origin: str  # "parameter metadata" or "assumptions file"
    justification: str = ""


def metadata_rules(system: TaxBenefitSystem) -> dict[str, UpratingRule]:
    """Rules declared in the country package's parameter metadata (``uprating:``)."""
    rules = {}
    for node in walk(system.parameters):
        if isinstance(node, ParameterNode):
            continue
        declared = (getattr(node, "metadata", None) or {}).get(METADATA_KEY)
        if declared is None:
            continue
        if declared not in RULES:
            raise ProjectionError(
                f"parameter '{node.name}': metadata {METADATA_KEY}: {declared!r} is not one of {', '.join(RULES)}"
            )
        if isinstance(node, ParameterScale) and declared in INDEXED:
            raise ProjectionError(
                f"parameter '{node.name}': metadata {METADATA_KEY}: {declared}: the brackets of a scale cannot be "
                "uprated by a parameter-change reform yet; declare 'none'"
            )
        note = str((node.metadata or {}).get(f"{METADATA_KEY}_note", "")).strip()
        rules[node.name] = UpratingRule(node.name, declared, "parameter metadata", note)
    return rules


def uprating_rules(system: TaxBenefitSystem, assumptions: Assumptions) -> dict[str, UpratingRule]:
    """Every parameter's rule: the assumptions file's ``indexation`` over the parameters' metadata.

    Raises:
        ProjectionError: an unknown parameter, or ``prices``/``wages`` for a scale or a non-monetary parameter,
            naming the assumptions file and the field.
    """
    rules = metadata_rules(system)
    for path, override in assumptions.indexation.items():
        field = f"{assumptions.where}: indexation.{path}"
        node = _node(system, path)
        if node is None:
            try:
                find_parameter(system.parameters, path)
            except FloorsimError as error:
                raise ProjectionError(f"{field}: {error}") from None
        if override.rule in INDEXED:
            if isinstance(node, ParameterScale):
                raise ProjectionError(
                    f"{field}: {override.rule}: the brackets of a scale cannot be uprated by a parameter-change "
                    "reform yet (floorsim/simulations/reforms.find_parameter reaches single-valued parameters only); use none"
                )
            unit = str((node.metadata or {}).get("unit", ""))
            if not unit.startswith("currency"):
                raise ProjectionError(
                    f"{field}: {override.rule}: only amounts in a currency can follow prices or wages; "
                    f"'{path}' has unit {unit or 'none'!r}"
                )
        rules[path] = UpratingRule(path, override.rule, "assumptions file", override.justification)
    for rule in rules.values():
        if rule.rule in INDEXED and rule.origin == "parameter metadata":
            unit = str((_node(system, rule.parameter).metadata or {}).get("unit", ""))
            if not unit.startswith("currency"):
                raise ProjectionError(
                    f"parameter '{rule.parameter}': metadata {METADATA_KEY}: {rule.rule}: only amounts in a currency "
                    f"can follow prices or wages (unit {unit or 'none'!r})"
                )
    return dict(sorted(rules.items()))


def _node(system: TaxBenefitSystem, path: str):
    node = system.parameters
    for part in path.split("."):
        children = getattr(node, "children", None)
        if children is None or part not in children:
            return None
        node = children[part]
    return node if isinstance(node, (Parameter, ParameterScale)) else None


@dataclass(frozen=True)
class Indexed:
    """What indexation did to one parameter in one year (for the projection's indexation table)."""

    year: int
    parameter: str
    rule: str
    origin: str
    legislated_value: float | None
    legislated_from: str | None
    base_year: int | None
    factor: float
    value: float | None
    applied: bool
    note: str


def _in_force(parameter: Parameter, instant: str):
    for at in parameter.values_list:  # newest first
        if at.instant_str <= instant:
            return at
    return None


def year_changes(
    system: TaxBenefitSystem,
    rules: dict[str, UpratingRule],
    year: int,
    base_year: int,
    index_level: Callable[[str, int], float],
) -> tuple[list[ParameterChange], list[Indexed]]:
    """Parameter changes indexing ``system`` (a scenario's rules) for ``year``, and a record of each decision."""
    changes: list[ParameterChange] = []
    records: list[Indexed] = []
    first, last = f"{year}-01-01", f"{year}-12-31"
    for path, rule in rules.items():
        if rule.rule not in INDEXED:
            records.append(Indexed(year, path, rule.rule, rule.origin, None, None, None, 1.0, None, False,
                                   "held at its nominal value" if rule.rule == "none"
                                   else "the law's own dated values"))
            continue
        parameter = find_parameter(system.parameters, path)
        at = _in_force(parameter, first)
        if at is None or at.value is None:
            records.append(Indexed(year, path, rule.rule, rule.origin, None, None, None, 1.0, None, False,
                                   "no value in force on 1 January"))
            continue
        value = float(at.value)
        legislated_year = int(at.instant_str[:4])
        if legislated_year >= year:
            records.append(Indexed(year, path, rule.rule, rule.origin, value, at.instant_str, None, 1.0, value, False,
                                   "legislated in this year"))
            continue
        base = max(legislated_year, base_year)
        factor = index_level(rule.rule, year) / index_level(rule.rule, base)
        later = sorted(a.instant_str for a in parameter.values_list if first < a.instant_str <= last)
        stop = (
            datetime.date.fromisoformat(later[0]) - datetime.timedelta(days=1)
            if later
            else datetime.date(year, 12, 31)
        )
        new = value * factor
        applied = value != 0 and factor != 1
        if applied:
            changes.append(ParameterChange(parameter=path, value=new, start=datetime.date(year, 1, 1), stop=stop))
        note = f"indexed from {base} to {year}" + (f", until {stop.isoformat()} (legislated change after)" if later else "")
        records.append(Indexed(year, path, rule.rule, rule.origin, value, at.instant_str, base, factor, new, applied,
                               note if applied else "zero or unchanged: nothing to index"))
    return changes, records


def take_up_changes(assumptions: Assumptions, rate_parameters: dict[str, str], year: int) -> list[ParameterChange]:
    """Take-up rates of ``year`` from the assumptions file's phase-in, as changes of the programmes' rate parameters."""
    changes = []
    for programme, series in assumptions.take_up.items():
        if programme not in rate_parameters:
            raise ProjectionError(
                f"{assumptions.where}: take_up.{programme}: the programme has no take-up rate parameter in the "
                f"country's floorsim.yaml (programmes with one: {', '.join(rate_parameters) or 'none'})"
            )
        changes.append(
            ParameterChange(
                parameter=rate_parameters[programme],
                value=series_value(series, year).value,
                start=datetime.date(year, 1, 1),
                stop=datetime.date(year, 12, 31),
            )
        )
    return changes


def year_reform(name: str, year: int, changes: list[ParameterChange]) -> ReformSpec | None:
    """The reform of one projection year (``None`` when there is nothing to change)."""
    if not changes:
        return None
    return ReformSpec(
        name=f"projection_{year}_{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}",
        label=f"Indexation and take-up of {year} (projection)",
        description="Generated by floorsim.simulations.projections: parameters indexed where no value is legislated for the "
        "year, and the take-up phase-in of the assumptions file.",
        changes=tuple(changes),
    )
