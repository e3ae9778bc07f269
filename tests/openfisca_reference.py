"""The reference path of OpenFisca's documentation for building a simulation from survey data.

Used by the test that checks floorsim's array path against it (tests/simulations/test_builder.py) and by the
benchmark that measures floorsim against plain openfisca-core (tests/benchmarks/test_engine_benchmark.py).

The reference gets exactly the engine's inputs: the survey's columns as ``floorsim.yaml`` maps them, scaled, and
money columns moved to the simulated year's prices with the engine's factor (``money_uprating``, the CPI of the
year over that of the survey's year). ``tests/simulations/test_builder.py`` checks the stored input arrays equal
the engine's, element by element.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit, Period
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.surveys.model import Survey, is_money_column


def openfisca_input(variable, values):
    """Inputs as OpenFisca's own API takes them: enum member names through ``Enum.encode``."""
    if variable.value_type is Enum:
        return variable.possible_values.encode(np.asarray(values, dtype=str))
    return values


def reference_inputs(spec: CountrySpec, survey: Survey, money_uprating: float = 1.0) -> dict[str, dict[str, np.ndarray]]:
    """``{entity: {variable: values}}``: each mapped survey column times its scale, money columns also times
    ``money_uprating`` (what a user moving survey consumption to the simulated year's prices writes)."""
    inputs: dict[str, dict[str, np.ndarray]] = {}
    for entity, table in (("person", survey.persons), ("household", survey.households)):
        inputs[entity] = {}
        for variable, column in spec.inputs.get(entity, {}).items():
            if column.convert is not None:
                raise NotImplementedError(f"reference inputs: conversion {column.convert} of '{variable}'")
            values = table[column.column].to_numpy()
            factor = column.scale * (money_uprating if is_money_column(column.column) else 1.0)
            inputs[entity][variable] = values * factor if factor != 1.0 else values
    return inputs


def _built_from_arrays(system: TaxBenefitSystem, survey: Survey) -> Simulation:
    """``SimulationBuilder`` (declare_person_entity, declare_entity, join_with_persons) from the survey's arrays."""
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", survey.persons["person_id"].to_numpy())
    households = builder.declare_entity("household", survey.households["household_id"].to_numpy())
    roles = np.where(survey.persons["relationship"] == "head", "head", "member")
    builder.join_with_persons(households, survey.persons["household_id"].to_numpy(), roles)
    return builder.build(system)


def documented_builder_simulation(
    system: TaxBenefitSystem, spec: CountrySpec, survey: Survey, period, money_uprating: float = 1.0
) -> Simulation:
    """``SimulationBuilder`` (declare_person_entity, declare_entity, join_with_persons), then ``set_input`` for the
    period: "Building a simulation from data" in OpenFisca's documentation."""
    simulation = _built_from_arrays(system, survey)
    for entity, inputs in reference_inputs(spec, survey, money_uprating).items():
        for variable, values in inputs.items():
            simulation.set_input(variable, period, openfisca_input(system.get_variable(variable), values))
    return simulation


def one_month_simulation(
    system: TaxBenefitSystem, spec: CountrySpec, survey: Survey, month: Period, money_uprating: float = 1.0
) -> Simulation:
    """The same simulation with monthly inputs set for ``month`` only: what an OpenFisca user who knows that the
    rules do not change within the year writes before calculating that one month and multiplying by twelve."""
    simulation = _built_from_arrays(system, survey)
    for entity, inputs in reference_inputs(spec, survey, money_uprating).items():
        for variable, values in inputs.items():
            definition = system.get_variable(variable)
            period = month if definition.definition_period == DateUnit.MONTH else month.this_year
            simulation.set_input(variable, period, openfisca_input(definition, values))
    return simulation
