"""Why a programme pays or does not pay a member: the decisive yes/no factors of its formula (or its declared
``conditions``), and the note when no rule is in force at the date."""

from __future__ import annotations

from typing import Any

from openfisca_core.periods import Period
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.tracers import TraceNode
from openfisca_core.variables import Variable

from floorsim.simulations.engine.countries import CountrySpec, Programme
from floorsim.simulations.explain.household_file import HOUSEHOLD_ID, HouseholdInputs
from floorsim.simulations.explain.situation import GroupMembership
from floorsim.simulations.explain.trace import plain_value


def _is_bool(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(item, bool) for item in items)


def _is_number(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items)


class ProgrammeContext:
    """What the analysis of one programme needs to know about the household and the system.

    The programme's *members* are those of its variable's entity: the persons, the household, or the groups of
    another group entity (e.g. ``foyer_fiscal_1``, ``foyer_fiscal_2``: ``groups``).
    """

    def __init__(
        self,
        system: TaxBenefitSystem,
        spec: CountrySpec,
        household: HouseholdInputs,
        programme: Programme,
        groups: tuple[GroupMembership, ...] = (),
    ):
        self.system = system
        self.spec = spec
        self.persons = [person.name for person in household.persons]
        self.programme = programme
        self.groups = {membership.entity: membership for membership in groups}
        self.programme_entity = self.entity_of(programme.variable)  # the variable's, whatever floorsim.yaml says

    def entity_of(self, variable: str) -> str:
        return self.system.get_variable(variable, check_existence=True).entity.key

    def members(self) -> list[str]:
        if self.programme_entity == self.spec.person_entity:
            return self.persons
        if self.programme_entity in self.groups:
            return self.groups[self.programme_entity].ids
        return [HOUSEHOLD_ID]

    def relevant(self, variable: str, value: list, member: int) -> list:
        """The values of ``variable`` that concern member ``member`` of the programme's entity: a person's own, the
        members' of a group, the group's of a person; everything else of the household."""
        if not isinstance(value, list):
            return [value]
        entity, programme = self.entity_of(variable), self.programme_entity
        if entity == self.spec.person_entity:
            if programme == self.spec.person_entity:
                return [value[member]]
            if programme in self.groups:  # the persons of the group
                membership = self.groups[programme]
                key = membership.keys[member]
                return [v for name, v in zip(self.persons, value) if membership.person_group[name] == key]
            return value
        if entity == programme:
            return [value[member]] if member < len(value) else value[:1]
        if entity in self.groups:
            membership = self.groups[entity]
            if programme == self.spec.person_entity:  # the person's group
                return [value[membership.keys.index(membership.person_group[self.persons[member]])]]
            return value
        return value[:1]

    def label(self, kind: str, name: str) -> str:
        if kind == "variable":
            return str(self.system.get_variable(name, check_existence=True).label or name)
        return name

    def by_member(self, kind: str, name: str, value: Any) -> Any:
        """A traced value as shown: ``{person: value}`` for person variables, ``{group: value}`` for variables of
        another group entity with several groups in the household, one value otherwise."""
        if kind == "variable" and isinstance(value, list):
            entity = self.entity_of(name)
            if entity == self.spec.person_entity and len(value) == len(self.persons):
                return dict(zip(self.persons, value))
            if entity in self.groups and len(value) == len(self.groups[entity].keys) > 1:
                return dict(zip(self.groups[entity].ids, value))
            if len(value) == 1:
                return value[0]
        return value


def decisive_factors(ctx: ProgrammeContext, root: TraceNode, member: int, paid: bool, conditions: dict[str, list]) -> list[dict]:
    """The yes/no factors behind a verdict: declared conditions if any, else the formula's direct boolean inputs
    (true ones when paid, false ones when not); when nothing boolean is false, the numeric inputs that are zero
    (looking one level into those that are variables)."""

    def item(kind: str, name: str, value: Any) -> dict:
        return {"kind": kind, "name": name, "label": ctx.label(kind, name), "value": value}

    if conditions:
        found = []
        for name, value in conditions.items():
            values = ctx.relevant(name, value, member)
            holds = any(bool(v) for v in values)
            if holds == paid:
                found.append(item("variable", name, holds))
        if found or paid:
            return found
        # Every declared condition holds yet nothing is paid (e.g. a one-off payment outside its month): say why
        # from the formula itself.

    def falsy(values: list) -> bool:
        return all(not v for v in values)

    def look(node: TraceNode, levels: int) -> list[dict]:
        variables = {child.name: plain_value(child.value) for child in node.children}
        parameters = {parameter.name: plain_value(parameter.value) for parameter in node.parameters}
        if paid:
            return [
                item("variable", name, True)
                for name, value in variables.items()
                if _is_bool(value) and any(ctx.relevant(name, value, member))
            ]
        found = [
            item("variable", name, False)
            for name, value in variables.items()
            if _is_bool(value) and falsy(ctx.relevant(name, value, member))
        ]
        found += [item("parameter", name, False) for name, value in parameters.items() if value is False]
        if found:
            return found
        found = [
            item("parameter", name, value) for name, value in parameters.items() if _is_number(value) and value == 0
        ]
        for child in node.children:
            value = variables[child.name]
            if _is_number(value) and falsy(ctx.relevant(child.name, value, member)):
                deeper = look(child, levels - 1) if levels > 1 else []
                found += deeper or [item("variable", child.name, 0)]
        return found

    return look(root, 2)


def no_rule_note(variable: Variable, period: Period) -> str:
    """Why no formula of ``variable`` applies in ``period``: its rules ended, or have not started yet."""
    starts = sorted(variable.formulas.keys())
    first = starts[0] if starts else None
    if variable.end is not None and str(period.start) > str(variable.end):
        return f"no rule in force: the rules of {variable.name} ended on {variable.end}"
    if first and str(period.start) < first:
        return f"no rule in force: the rules of {variable.name} start on {first}"
    return "no rule in force at this date"
