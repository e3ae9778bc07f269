"""The OpenFisca simulation of one household: each person's role, and the inputs set for every month of the period.

Built with OpenFisca's documented builder (``SimulationBuilder.build_from_entities``): speed is irrelevant for one
household.
"""

from __future__ import annotations

from typing import Any

from openfisca_core.errors import SituationParsingError
from openfisca_core.periods import DateUnit, Period
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from simulations.engine.countries import CountrySpec
from simulations.explain.household_file import (
    HOUSEHOLD_ID,
    HouseholdError,
    HouseholdInputs,
    check_role_counts,
    household_entity,
)
from simulations.explain.period import condition_period, months_of


def resolve_roles(
    system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, period: Period
) -> dict[str, str]:
    """Each person's role: the one given; else the head role for the first person when nobody was given it; else
    the adult member role (if the package has one, ``adult_member_role`` in floorsim.yaml) for persons whose ``age``
    at the start of ``period`` is at least ``adult_age``, and the member role for the others."""
    roles = {person.name: person.role for person in household.persons}
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
) -> Simulation:
    """A simulation of the household with its inputs set for every month of ``period`` (documented builder path);
    ``roles`` by person name (default: :func:`resolve_roles`)."""
    group_entity = household_entity(system, spec)
    plural_role = {role.key: role.plural or role.key for role in group_entity.flattened_roles}
    roles = roles if roles is not None else resolve_roles(system, spec, household, period)

    def values(inputs: dict[str, Any]) -> dict:
        result = {}
        for name, value in inputs.items():
            variable = system.get_variable(name, check_existence=True)
            result[name] = {key: value for key in _input_periods(variable, period)}
        return result

    group: dict[str, Any] = {}
    for person in household.persons:
        group.setdefault(plural_role[roles[person.name]], []).append(person.name)
    group.update(values(household.inputs))
    situation = {
        system.person_entity.plural: {person.name: values(person.inputs) for person in household.persons},
        group_entity.plural: {HOUSEHOLD_ID: group},
    }
    try:
        return SimulationBuilder().build_from_entities(system, situation)
    except SituationParsingError as error:
        raise HouseholdError(f"OpenFisca refused the household: {error.error}") from None
