"""One programme for one household over a period: amounts per member, verdicts and explaining factors.

Evaluated at each month for monthly programmes (the year for yearly ones) with the tracer on; consecutive months
with the same verdict or value are merged into ranges.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from openfisca_core.errors import VariableNotFoundError
from openfisca_core.indexed_enums import Enum as OpenFiscaEnum
from openfisca_core.periods import DateUnit, Period
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec, Programme
from floorsim.simulations.explain.household_file import HouseholdError, HouseholdInputs
from floorsim.simulations.explain.json_values import jsonable
from floorsim.simulations.explain.period import condition_period, months_of
from floorsim.simulations.explain.reasons import ProgrammeContext, decisive_factors, no_rule_note
from floorsim.simulations.explain.report import Factor, ProgrammeResult, Verdict
from floorsim.simulations.explain.situation import GroupMembership, build_simulation, resolve_group_roles, resolve_roles
from floorsim.simulations.explain.trace import TracedItem, flatten_trace, plain_value, trace_names, with_tracer

DEFAULT_DEPTH = 2  # how far down the formulas an explanation goes by default


def _runs(labels: list[str], items: list[Any]) -> list[tuple[str, Any]]:
    """Consecutive equal items merged: ``[("2024-01 to 2024-03", item), ...]``."""
    result: list[tuple[str, str, Any]] = []
    for label, item in zip(labels, items):
        if result and result[-1][2] == item:
            result[-1] = (result[-1][0], label, item)
        else:
            result.append((label, label, item))
    return [(first if first == last else f"{first} to {last}", item) for first, last, item in result]


def analyse_programme(
    system: TaxBenefitSystem,
    spec: CountrySpec,
    household: HouseholdInputs,
    period: Period,
    name: str,
    programme: Programme,
    depth: int = DEFAULT_DEPTH,
    roles: dict[str, str] | None = None,
    groups: tuple[GroupMembership, ...] | None = None,
) -> ProgrammeResult:
    """Amounts of one programme for the household over ``period``, with the factors and verdicts explaining them
    (``roles``: by person name, default :func:`resolve_roles`; ``groups``: the other group entities, default
    :func:`resolve_group_roles`).

    A programme whose variable belongs to another group entity (a tax household's deduction) has one amount per
    group; the household's amount is their sum, as a run adds them up per household."""
    try:
        variable = system.get_variable(programme.variable, check_existence=True)
    except VariableNotFoundError:
        raise HouseholdError(
            f"programme '{name}' of floorsim.yaml names an unknown variable '{programme.variable}'"
        ) from None
    conditions = list(getattr(programme, "conditions", None) or [])
    for condition in conditions:
        if condition not in system.variables:
            raise HouseholdError(
                f"programme '{name}' of floorsim.yaml lists an unknown condition variable '{condition}'"
            )
    if groups is None or roles is None:
        roles = roles if roles is not None else resolve_roles(system, spec, household, period)
        groups = resolve_group_roles(system, spec, household, roles)
    ctx = ProgrammeContext(system, spec, household, programme, groups)
    simulation = with_tracer(build_simulation(system, spec, household, period, roles, groups))

    # Evaluation points: each month for monthly programmes; the year for yearly ones (a twelfth for a month).
    if variable.definition_period == DateUnit.YEAR:
        points = [(period.this_year, 1.0 if period.unit == DateUnit.YEAR else 1 / 12)]
    elif variable.definition_period == DateUnit.MONTH:
        points = [(month, 1.0) for month in months_of(period)]
    else:
        points = [(period, 1.0)]

    members = ctx.members()
    read: set[str] = set()
    labels: list[str] = []
    amounts = np.zeros(len(members), dtype=np.float64)
    member_verdicts: list[list[tuple]] = [[] for _ in members]
    factor_order: list[tuple[str, str]] = []
    factor_meta: dict[tuple[str, str], TracedItem] = {}
    factor_values: dict[tuple[str, str], list[Any]] = {}
    for index, (point, weight) in enumerate(points):
        label = str(point) if weight == 1.0 else f"{point} / 12"
        labels.append(label)
        values = np.asarray(simulation.calculate(programme.variable, point), dtype=np.float64) * weight
        root = simulation.tracer.trees[-1]
        condition_values = {c: plain_value(simulation.calculate(c, condition_period(system, c, point))) for c in conditions}
        amounts += values
        in_force = variable.get_formula(point) is not None
        for member in range(len(members)):
            amount = round(float(values[member]), 6)
            if not in_force:
                verdict = ("not_in_force", amount, (), no_rule_note(variable, point))
            else:
                paid = amount != 0
                because = decisive_factors(ctx, root, member, paid, condition_values)
                keys = tuple(json.dumps(reason, sort_keys=True) for reason in because)
                verdict = ("paid" if paid else "not_paid", amount, keys, "")
            member_verdicts[member].append(verdict)
        read.update(trace_names(root))
        for traced in flatten_trace(root, depth):
            key = (traced.kind, traced.name)
            if key not in factor_meta:
                factor_meta[key] = traced
                factor_order.append(key)
                factor_values[key] = [None] * len(points)
            factor_values[key][index] = ctx.by_member(traced.kind, traced.name, traced.value)
        for condition, value in condition_values.items():
            key = ("variable", condition)
            if key not in factor_meta:
                factor_meta[key] = TracedItem("variable", condition, 1, None, value)
                factor_order.append(key)
                factor_values[key] = [None] * len(points)
            if factor_values[key][index] is None:
                factor_values[key][index] = ctx.by_member("variable", condition, value)

    factors = []
    for key in factor_order:
        traced = factor_meta[key]
        runs = [(label, value) for label, value in zip(labels, factor_values[key]) if value is not None]
        merged = _runs([label for label, _ in runs], [value for _, value in runs])
        factors.append(
            Factor(
                kind=traced.kind,
                name=traced.name,
                label=ctx.label(traced.kind, traced.name),
                depth=traced.depth,
                parent=traced.parent,
                entity=ctx.entity_of(traced.name) if traced.kind == "variable" else None,
                values=[{"period": label, "value": value} for label, value in merged],
            )
        )

    verdicts = []
    for member, name_ in enumerate(members):
        for label, (status, amount, because, note) in _runs(labels, member_verdicts[member]):
            verdicts.append(
                Verdict(
                    period=label,
                    member=name_,
                    status=status,
                    amount=amount,
                    amount_per="year" if variable.definition_period == DateUnit.YEAR else "month",
                    because=[json.loads(text) for text in because],
                    note=note,
                )
            )
    by_member = {member: round(float(amount), 6) for member, amount in zip(members, amounts)}
    total = round(float(amounts.sum()), 6)
    return ProgrammeResult(
        name=name,
        label=programme.label,
        variable=programme.variable,
        entity=programme.entity,
        amount=total,
        amounts=by_member,
        applies=total != 0,
        verdicts=verdicts,
        factors=factors,
        defaults_used=_defaults_used(system, spec, household, read, groups),
        conditions=conditions,
    )

def _defaults_used(
    system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, read: set[str],
    groups: tuple[GroupMembership, ...] = (),
) -> dict:
    """Pure inputs (no formula) among the variables ``read``, not given for every member: name → default value."""
    keys = {membership.entity: membership.keys for membership in groups}
    result = {}
    for name in sorted(read):
        variable = system.variables.get(name)
        if variable is None or variable.formulas:
            continue
        entity = variable.entity.key
        if entity == spec.person_entity:
            given = all(name in person.inputs for person in household.persons)
        elif entity in keys:
            inputs = household.groups.get(entity, {})
            given = all(name in inputs.get(key, {}) for key in keys[entity])
        else:
            given = name in household.inputs
        if not given:
            default = variable.default_value
            result[name] = default.name if isinstance(default, OpenFiscaEnum) else jsonable(default)
    return result
