"""Building an OpenFisca ``Simulation`` straight from arrays.

OpenFisca's documented path (``SimulationBuilder.declare_person_entity`` / ``declare_entity`` /
``join_with_persons``) converts ids through Python lists and re-sorts memberships; for survey-sized data that costs
as much as the calculation. Since chunks arrive with persons grouped by household in order, memberships and roles
are assigned here as arrays. ``tests/simulations/test_builder.py`` checks that both paths give the same simulation.
"""

from __future__ import annotations

import numpy as np
from collections.abc import Sequence

from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.periods import DateUnit, Period
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.chunks import ChunkInputs
from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.engine.entities import fill_group, household_role_keys


def build_simulation(
    tax_benefit_system: TaxBenefitSystem,
    spec: CountrySpec,
    chunk: ChunkInputs,
    period: Period,
    months: Sequence[Period] | None = None,
) -> Simulation:
    """A fresh simulation of ``chunk`` with its inputs set for ``period`` (a year: monthly variables get the survey
    value in each of its months, or only in ``months`` when given; yearly and permanent ones get it once).

    ``months`` are the months the caller calculates: with month segments, only the first month of each segment
    (one month a year when no rule changes: 6 ``set_input`` calls per simulation instead of 72). Formulas then see
    the inputs of the months calculated only, which is what segments already assume (rules that depend on the month
    only through dated parameters: ``constant_within_year``).
    """
    populations = tax_benefit_system.instantiate_entities()
    persons = populations[spec.person_entity]
    persons.ids = chunk.person_ids
    persons.count = chunk.n_persons

    households = populations[spec.household_entity]
    households.ids = chunk.household_ids
    households.count = chunk.n_households
    households.members_entity_id = chunk.person_household
    roles = {role.key: role for role in households.entity.flattened_roles}
    by_code = np.array([roles[key] for key in household_role_keys(spec)], dtype=object)
    # The public setter copies roles through a Python list; the array is final, so it is stored as is.
    households._members_role = np.take(by_code, chunk.person_role)  # take: about half the time of by_code[codes]
    for group in chunk.groups:  # the package's other group entities (a tax unit, a family)
        fill_group(populations[group.entity], group)

    simulation = Simulation(tax_benefit_system, populations)
    months = period.get_subperiods(DateUnit.MONTH) if months is None else months
    group_inputs = [group.inputs for group in chunk.groups]  # one value per group (entities.group_input_values)
    for inputs in (chunk.person_inputs, chunk.household_inputs, *group_inputs):
        for name, values in inputs.items():
            if name not in tax_benefit_system.variables:  # an input only some scenario's reform defines
                continue
            variable = tax_benefit_system.variables[name]
            if variable.value_type is Enum:  # encoded to indices by chunks.encode_input in the parent
                values = EnumArray(values, variable.possible_values)
            if variable.definition_period == DateUnit.MONTH:
                # Survey values hold for every month of the year (money is per month in the data model), set
                # month by month so that no package-specific year-to-month rule (divide, dispatch) applies.
                for month in months:
                    simulation.set_input(name, month, values)
            else:
                simulation.set_input(name, period, values)
    return simulation
