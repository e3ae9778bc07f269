"""The OpenFisca simulation of one household: each person's role, and the inputs set for every month of the period.

Built with OpenFisca's documented builder (``SimulationBuilder.build_from_entities``): speed is irrelevant for one
household. Group entities other than the household (a tax household) are filled by the rules a survey's are
(``floorsim/simulations/engine/entities.py``: membership within the household, roles from a role given per person or from
relationships), so that one household is explained as a run simulates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.errors import SituationParsingError
from openfisca_core.periods import DateUnit, Period
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.engine.entities import (
    check_groups,
    household_roles_by_relationship,
    member_roles,
    other_group_entities,
)
from floorsim.simulations.explain.household_file import (
    DEFAULT_GROUP,
    HOUSEHOLD_ID,
    HouseholdError,
    HouseholdInputs,
    PersonInputs,
    check_role_counts,
    group_id,
    household_entity,
)
from floorsim.simulations.explain.period import condition_period, months_of


@dataclass(frozen=True)
class GroupMembership:
    """The groups of one group entity other than the household (e.g. ``foyer_fiscal``) in the household.

    Attributes:
        entity: the entity's key.
        keys: the groups, by the key persons gave (``"1"`` when nobody said), in order of their first member.
        person_group: person name → key of their group; person_role: person name → role key in it.
    """

    entity: str
    keys: tuple[str, ...]
    person_group: dict[str, str]
    person_role: dict[str, str]

    def group_id(self, key: str) -> str:
        """The group's id in the simulation and in the explainer's output, e.g. ``foyer_fiscal_1``."""
        return group_id(self.entity, key)

    @property
    def ids(self) -> list[str]:
        return [self.group_id(key) for key in self.keys]

    def members(self, key: str) -> list[str]:
        return [name for name, group in self.person_group.items() if group == key]


def resolve_roles(
    system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, period: Period
) -> dict[str, str]:
    """Each person's role: the one given; else the head role for the first person when nobody was given it; else
    the adult member role (if the package has one, ``adult_member_role`` in floorsim.yaml) for persons whose ``age``
    at the start of ``period`` is at least ``adult_age``, and the member role for the others."""
    roles = {person.name: person.role for person in household.persons}
    # A relationship given without a role: the household role a survey person of that relationship gets.
    by_relationship = household_roles_by_relationship(spec) or {"head": spec.head_role}
    for person in household.persons:
        if roles[person.name] is None and person.relationship is not None:
            if person.relationship in by_relationship:
                roles[person.name] = by_relationship[person.relationship]
            elif spec.household_roles:
                roles[person.name] = spec.member_role
    if spec.head_role not in roles.values():
        first = next((name for name, role in roles.items() if role is None), None)
        if first is not None:
            roles[first] = spec.head_role
    adult_role = getattr(spec, "adult_member_role", None)
    age = system.variables.get("age")
    if adult_role and None in roles.values() and age is not None and age.entity.key == spec.person_entity:
        provisional = {name: role or spec.member_role for name, role in roles.items()}
        simulation = build_simulation(system, spec, household, period, provisional)
        ages = simulation.calculate("age", condition_period(system, "age", months_of(period)[0]))
        adult_age = getattr(spec, "adult_age", 18)
        for (name, role), years in zip(list(roles.items()), ages):
            if role is None:
                roles[name] = adult_role if years >= adult_age else spec.member_role
    resolved = {name: role or spec.member_role for name, role in roles.items()}
    check_role_counts(household_entity(system, spec), resolved)
    return resolved


def _relationship(person: PersonInputs, role: str, spec: CountrySpec) -> str | None:
    """The person's relationship to the head: as given, else read back from their household role (the head role;
    a role ``household_roles`` gives to one relationship only); ``None`` when unknown."""
    if person.relationship is not None:
        return person.relationship
    if role == spec.head_role:
        return "head"
    matches = [relationship for relationship, key in spec.household_roles.items() if key == role]
    return matches[0] if len(matches) == 1 else None


def resolve_group_roles(
    system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, roles: dict[str, str]
) -> tuple[GroupMembership, ...]:
    """Membership and roles of every group entity other than the household (``roles``: household roles by person).

    A person is in the group they name (``foyer_fiscal: 2``), else in group ``1``. Their role is the one they give
    (``foyer_fiscal_role``); else, when floorsim.yaml reads the entity's roles from relationships (``roles``,
    ``default_role``), the role of their relationship (given, or read back from their household role), exactly as
    for a survey (:func:`floorsim.simulations.engine.entities.member_roles`). When it reads them from a survey column,
    each person must give the role.

    Raises:
        ScenarioError: floorsim.yaml and the package's entities disagree (:func:`check_groups`).
        HouseholdError: a person has no role in an entity, or a group has more persons in a role than it allows.
    """
    check_groups(system, spec)
    persons = household.persons
    names = [person.name for person in persons]
    relationship = np.array([_relationship(person, roles[person.name], spec) for person in persons], dtype=object)
    result = []
    for entity in other_group_entities(system, spec):
        group_spec = spec.groups[entity]
        keys = [person.groups.get(entity, DEFAULT_GROUP) for person in persons]
        given = np.array([person.group_roles.get(entity) for person in persons], dtype=object)
        if group_spec.role_column is not None:
            found = member_roles(group_spec, relationship, given)
        else:
            found = np.where(given != None, given, member_roles(group_spec, relationship, None))  # noqa: E711
        missing = [name for name, role in zip(names, found) if not role]
        if missing:
            raise HouseholdError(
                f"{', '.join(missing)}: no role in {entity}: give {entity}_role for each person (floorsim.yaml reads "
                f"the roles of {entity} from the survey column '{group_spec.role_column}')"
            )
        membership = GroupMembership(
            entity=entity,
            keys=tuple(dict.fromkeys(keys)),  # in order of their first member, as a survey's groups are numbered
            person_group=dict(zip(names, keys)),
            person_role={name: str(role) for name, role in zip(names, found)},
        )
        group_entity = _group_entity(system, entity)
        for key in membership.keys:
            check_role_counts(group_entity, {name: membership.person_role[name] for name in membership.members(key)},
                              unit=f"{entity} '{key}'")
        result.append(membership)
    return tuple(result)


def _group_entity(system: TaxBenefitSystem, key: str):
    return next(entity for entity in system.group_entities if entity.key == key)


def _role_lists(entity, person_roles: dict[str, str], where: str) -> dict[str, list[str]]:
    """Persons by role as OpenFisca's situation format lists them: under each role's plural, with a role's sub-roles
    filled in order (the first person listed under ``declarants`` is the ``declarant_principal``)."""
    result: dict[str, list[str]] = {}
    for role in entity.roles:
        if role.subroles:
            holders = [[name for name, key in person_roles.items() if key == sub.key] for sub in role.subroles]
            held = [bool(names) for names in holders]
            if held != sorted(held, reverse=True):  # a later sub-role without the earlier ones
                first = role.subroles[held.index(False)].key
                raise HouseholdError(f"{where}: a '{role.subroles[held.index(True, held.index(False))].key}' needs a "
                                     f"'{first}' first (OpenFisca fills the sub-roles of '{role.key}' in order)")
            listed = [name for names in holders for name in names]
        else:
            listed = [name for name, key in person_roles.items() if key == role.key]
        if listed:
            result[role.plural or role.key] = listed
    return result

def _input_periods(variable: Variable, period: Period) -> list[str]:
    months = months_of(period)
    if variable.definition_period == DateUnit.ETERNITY:
        return ["ETERNITY"]
    if variable.definition_period == DateUnit.YEAR:
        return sorted({str(month.this_year) for month in months})
    if variable.definition_period == DateUnit.MONTH:
        return [str(month) for month in months]
    return [str(period)]


def build_simulation(
    system: TaxBenefitSystem,
    spec: CountrySpec,
    household: HouseholdInputs,
    period: Period,
    roles: dict[str, str] | None = None,
    groups: tuple[GroupMembership, ...] | None = None,
) -> Simulation:
    """A simulation of the household with its inputs set for every month of ``period`` (documented builder path);
    ``roles`` by person name (default: :func:`resolve_roles`), the other group entities' ``groups`` (default:
    :func:`resolve_group_roles`)."""
    group_entity = household_entity(system, spec)
    roles = roles if roles is not None else resolve_roles(system, spec, household, period)
    groups = groups if groups is not None else resolve_group_roles(system, spec, household, roles)

    def values(inputs: dict[str, Any]) -> dict:
        result = {}
        for name, value in inputs.items():
            variable = system.get_variable(name, check_existence=True)
            result[name] = {key: value for key in _input_periods(variable, period)}
        return result

    group: dict[str, Any] = _role_lists(group_entity, dict(roles), "the household")
    group.update(values(household.inputs))
    situation = {
        system.person_entity.plural: {person.name: values(person.inputs) for person in household.persons},
        group_entity.plural: {HOUSEHOLD_ID: group},
    }
    for membership in groups:
        entity = _group_entity(system, membership.entity)
        inputs = household.groups.get(membership.entity, {})
        situation[entity.plural] = {
            membership.group_id(key): {
                **_role_lists(entity, {name: membership.person_role[name] for name in membership.members(key)},
                              f"{membership.entity} '{key}'"),
                **values(inputs.get(key, {})),
            }
            for key in membership.keys
        }
    try:
        return SimulationBuilder().build_from_entities(system, situation)
    except SituationParsingError as error:
        raise HouseholdError(f"OpenFisca refused the household: {error.error}") from None
