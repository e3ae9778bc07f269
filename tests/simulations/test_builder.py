"""Simulations built from arrays equal those built through OpenFisca's documented SimulationBuilder path."""

from __future__ import annotations

import numpy as np
from openfisca_core import periods

from floorsim.simulations.engine.builder import build_simulation
from floorsim.simulations.engine.chunks import make_chunks
from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class
from tests.conftest import make_tiny_survey
from tests.openfisca_reference import documented_builder_simulation


def test_array_path_equals_documented_builder_path():
    spec = load_country("timor_leste")
    system = tax_benefit_system_class(spec)()
    survey = make_tiny_survey()
    period = periods.period(2025)
    (chunk,) = make_chunks(survey, spec, system, chunk_size=100)
    ours = build_simulation(system, spec, chunk, period)
    theirs = documented_builder_simulation(system, spec, survey, period)

    ours_households, theirs_households = ours.populations["household"], theirs.populations["household"]
    np.testing.assert_array_equal(ours.persons.ids, theirs.persons.ids)
    np.testing.assert_array_equal(ours_households.ids, theirs_households.ids)
    np.testing.assert_array_equal(ours_households.members_entity_id, theirs_households.members_entity_id)
    assert [role.key for role in ours_households.members_role] == [role.key for role in theirs_households.members_role]
    np.testing.assert_array_equal(ours_households.members_position, theirs_households.members_position)
    for variable in ("saii", "household_saii", "social_transfers", "age", "unable_to_work"):
        np.testing.assert_array_equal(
            ours.calculate_add(variable, period) if variable != "age" else ours.calculate(variable, "2025-06"),
            theirs.calculate_add(variable, period) if variable != "age" else theirs.calculate(variable, "2025-06"),
        )
    # The head role is where the survey says: persons 11, 21, 31, 41.
    heads = [pid for pid, role in zip(ours.persons.ids, ours_households.members_role) if role.key == "head"]
    assert heads == [11, 21, 31, 41]


def test_reference_gets_exactly_the_engines_inputs():
    """The plain-OpenFisca reference of the benchmark is fed what the engine feeds: every input array, stored as
    OpenFisca stores it, equal element by element — consumption included, at the simulated year's prices."""
    from floorsim.simulations.engine.prices import price_context
    from tests.benchmarks.scaled_survey import scaled_survey

    spec = load_country("timor_leste")
    system = tax_benefit_system_class(spec)()
    survey = scaled_survey(2_000)
    uprating = price_context(system, spec, 2025, survey.metadata.reference_year).consumption_uprating
    assert uprating > 1.1  # 2015 survey prices to 2025: the factor the old reference forgot matters
    (chunk,) = make_chunks(survey, spec, system, chunk_size=len(survey.households), money_uprating=uprating)
    january = periods.period("2025-01")
    ours = build_simulation(system, spec, chunk, periods.period(2025))
    theirs = documented_builder_simulation(system, spec, survey, periods.period(2025), uprating)
    for name in [*chunk.person_inputs, *chunk.household_inputs]:
        np.testing.assert_array_equal(
            ours.get_holder(name).get_array(january), theirs.get_holder(name).get_array(january), err_msg=name
        )
    consumption = theirs.get_holder("household_consumption").get_array(january)
    expected = (survey.households["consumption"].to_numpy() * uprating).astype(np.float32)
    np.testing.assert_array_equal(consumption, expected)
