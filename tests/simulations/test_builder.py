"""Simulations built from arrays equal those built through OpenFisca's documented SimulationBuilder path."""

from __future__ import annotations

import numpy as np
from openfisca_core import periods

from simulations.engine.builder import build_simulation
from simulations.engine.chunks import make_chunks
from simulations.engine.countries import load_country, tax_benefit_system_class
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
