"""Consistency check: with full take-up and no means test, the microsimulated floor costs what the ILO calculator's
aggregate formula (eligible population × benefit × months) gives on the same survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.design.spf_scenarios import levels, only, set_parameters
from floorsim.simulations import Microsimulation
from floorsim.simulations.engine.scenarios import make_scenario, scenario_system
from floorsim.simulations.design.spf_calculator import COMPONENTS, FloorLevels, aggregate_cost, eligible_populations
from floorsim.simulations.design.variants import GDPSetting, compare
from floorsim.surveys.bundled import load_bundled_survey
from tests.conftest import make_tiny_survey

START = "2025-01-01"
# Illustrative levels so that every component with eligible persons pays something (not ILO defaults).
CHOSEN = levels(START, child=0.2, orphan=0.5, maternity=1.0, disability=1.0, old_age=1.0)
ADMIN = set_parameters("admin", START, {"social_protection_floor.administrative_cost_share": 0.04})


def floor_levels(steps, year=2025) -> FloorLevels:
    system = scenario_system("timor_leste", make_scenario("x", steps).steps)
    return FloorLevels.from_parameters(system.get_parameters_at_instant, f"{year}-12-31")


def test_calculator_eligible_populations_by_hand_on_the_tiny_survey():
    survey = make_tiny_survey()
    counts = eligible_populations(survey, floor_levels([DOTTED_PATH, CHOSEN]))
    # weights: h1 100, h2 200, h3 50, h4 300. Children aged 0-5: 2 (h2). Aged 65+: 72, 65 (h1), 84 (h3).
    # Severity 3: the 35-year-old of h2. Women aged 15-49: the same woman of h2, with Timor-Leste's 0.129017
    # expected births per woman (floorsim.yaml). No orphan column.
    births = 200 * 0.129017
    assert counts == pytest.approx({"child": 200, "orphan": 0, "maternity": births, "disability": 200,
                                    "old_age": 250}, rel=1e-12)
    result = aggregate_cost(survey, floor_levels([DOTTED_PATH, CHOSEN]), poverty_line=50)
    assert result.table.loc["child", "annual_cost"] == pytest.approx(200 * 0.2 * 50 * 12)
    assert result.benefits == pytest.approx(12 * 50 * (200 * 0.2 + 200 * 1.0 + 250 * 1.0) + births * 50 * 4)


@pytest.fixture(scope="module")
def bundled():
    return load_bundled_survey()


@pytest.fixture(scope="module")
def microsimulated(bundled):
    """One engine run: the whole floor (with an administrative cost) and each component alone."""
    simulation = Microsimulation("timor_leste", bundled, 2025, backend="sequential")
    scenarios = {"floor": [DOTTED_PATH, CHOSEN, ADMIN]}
    scenarios.update({component: [DOTTED_PATH, CHOSEN, only(component, START)] for component in COMPONENTS})
    table, results, _ = compare(simulation, scenarios, gdp_setting=GDPSetting())
    return table.set_index("variant"), results


def test_microsimulated_cost_equals_the_aggregate_formula(bundled, microsimulated):
    table, results = microsimulated
    calculator = aggregate_cost(bundled, floor_levels([DOTTED_PATH, CHOSEN, ADMIN]), results.poverty_line)
    assert calculator.benefits > 0
    assert table.loc["floor", "cost"] == pytest.approx(calculator.benefits, rel=1e-6)
    assert table.loc["floor", "administrative_cost"] == pytest.approx(calculator.administrative_cost, rel=1e-6)
    assert table.loc["floor", "total_cost"] == pytest.approx(calculator.total, rel=1e-6)


def test_each_component_equals_the_aggregate_formula(bundled, microsimulated):
    table, results = microsimulated
    calculator = aggregate_cost(bundled, floor_levels([DOTTED_PATH, CHOSEN]), results.poverty_line).table
    for component in COMPONENTS:
        assert table.loc[component, "cost"] == pytest.approx(calculator.loc[component, "annual_cost"], rel=1e-6, abs=1e-3)
    # Every component with eligible persons in the survey is exercised (orphans are not recorded in it).
    assert (calculator.drop(index="orphan")["annual_cost"] > 0).all()
    assert calculator.loc["orphan", "eligible"] == 0
    # Components add up to the whole floor: benefits cumulate.
    assert table.loc[list(COMPONENTS), "cost"].sum() == pytest.approx(table.loc["floor", "cost"], rel=1e-6)


def test_the_formula_detects_a_different_population(bundled, microsimulated):
    """The check can fail: the calculator on a survey missing some children no longer matches."""
    table, results = microsimulated
    persons = bundled.persons.copy()
    persons.loc[persons["age"] == 3, "age"] = 30
    altered = type(bundled)(bundled.households, persons, bundled.metadata)
    calculator = aggregate_cost(altered, floor_levels([DOTTED_PATH, CHOSEN]), results.poverty_line).table
    assert table.loc["child", "cost"] != pytest.approx(calculator.loc["child", "annual_cost"], rel=1e-3)


def test_calculator_reads_orphans_when_the_survey_has_them(bundled):
    persons = bundled.persons.assign(orphan=(bundled.persons["age"] == 7).to_numpy())
    survey = type(bundled)(bundled.households, persons, bundled.metadata)
    counts = eligible_populations(survey, floor_levels([DOTTED_PATH, CHOSEN]))
    weights = bundled.households["weight"].to_numpy()[bundled.person_household_index]
    assert counts["orphan"] == pytest.approx(float(np.sum(weights[(bundled.persons["age"] == 7).to_numpy()])))
    assert isinstance(aggregate_cost(survey, floor_levels([DOTTED_PATH, CHOSEN]), 50).table, pd.DataFrame)
