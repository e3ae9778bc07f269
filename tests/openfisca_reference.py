"""The reference path of OpenFisca's documentation for building a simulation from survey data.

Used by the test that checks floorsim's array path against it (tests/simulations/test_builder.py) and by the
benchmark that measures floorsim against plain openfisca-core (tests/benchmarks/test_engine_benchmark.py).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.engine.countries import CountrySpec
from surveys.model import Survey


def openfisca_input(variable, values):
    """Inputs as OpenFisca's own API takes them: enum member names through ``Enum.encode``."""
    if variable.value_type is Enum:
        return variable.possible_values.encode(np.asarray(values, dtype=str))
    return values


def documented_builder_simulation(system: TaxBenefitSystem, spec: CountrySpec, survey: Survey, period) -> Simulation:
    """``SimulationBuilder`` (declare_person_entity, declare_entity, join_with_persons), then ``set_input`` for the
    period: "Building a simulation from data" in OpenFisca's documentation."""
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", survey.persons["person_id"].to_numpy())
    households = builder.declare_entity("household", survey.households["household_id"].to_numpy())
    roles = np.where(survey.persons["relationship"] == "head", "head", "member")
    builder.join_with_persons(households, survey.persons["household_id"].to_numpy(), roles)
    simulation = builder.build(system)
    for entity, table in (("person", survey.persons), ("household", survey.households)):
        for variable, column in spec.inputs.get(entity, {}).items():
            simulation.set_input(variable, period, openfisca_input(system.get_variable(variable), table[column.column].to_numpy()))
    return simulation
