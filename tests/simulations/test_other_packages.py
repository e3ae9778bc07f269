"""Any installed OpenFisca package through a floorsim.yaml: the PyPI country template on the mapped eusilc survey."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openfisca_core import periods
from openfisca_core.simulations import SimulationBuilder

from floorsim.simulations import Microsimulation, ReformSpec
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.reforms import ParameterChange
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.surveys import load_survey

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def survey():
    return load_survey(ROOT / "tests/fixtures/eusilc/eusilc.parquet", mapping=ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml")


@pytest.fixture(scope="module")
def results(survey):
    more = ReformSpec(name="basic_700", changes=(ParameterChange(parameter="benefits.basic_income", value=700, start="2017-01-01"),))
    return Microsimulation("country_template", survey, 2017, backend="sequential").run({"baseline": None, "basic_700": more})


def test_basic_income_matches_the_rule_by_hand(survey, results):
    # Template rule from December 2016: EUR 600 a month from age 18. Birth dates are set to 1 July of
    # (2005 - age), so in 2017 a person is age + 11 from January and age + 12 from July: adults all year from
    # age 7 in the survey, for six months at age 6.
    age = survey.persons["age"].to_numpy()
    months = np.where(age >= 7, 12, np.where(age == 6, 6, 0))
    assert results.run_info["months"] == "all"  # birth dates: ages change within the year, no segments
    np.testing.assert_array_equal(results.scenario("baseline").person["basic_income"], 600 * months)
    np.testing.assert_array_equal(results.scenario("basic_700").person["basic_income"], 700 * months)
    cost = results.comparison("basic_700")["basic_income_cost"]
    weights = survey.households["weight"].to_numpy()[survey.person_household_index]
    assert cost["change"] == pytest.approx(float(np.sum(weights * 100 * months)))


def test_engine_equals_the_documented_openfisca_path(survey, results):
    spec = load_country("country_template")
    system = baseline_system("country_template")
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", survey.persons["person_id"].to_numpy())
    households = builder.declare_entity("household", survey.households["household_id"].to_numpy())
    is_head = (survey.persons["relationship"] == "head").to_numpy()
    roles = np.where(is_head | (survey.persons["age"].to_numpy() >= 18), "adult", "child")
    builder.join_with_persons(households, survey.persons["household_id"].to_numpy(), roles)
    simulation = builder.build(system)
    birth = np.array([f"{2005 - age}-07-01" for age in survey.persons["age"]], dtype="datetime64[D]")
    simulation.set_input("birth", "ETERNITY", birth)
    for month in periods.period("2017").get_subperiods(periods.DateUnit.MONTH):
        simulation.set_input("salary", month, survey.persons["income_employee"].to_numpy())
    for programme in spec.programmes.values():
        expected = simulation.calculate_add(programme.variable, "2017")
        if programme.entity == "person":
            np.testing.assert_allclose(results.scenario("baseline").person[programme.variable], expected, rtol=1e-6)
        else:
            np.testing.assert_allclose(results.scenario("baseline").household[programme.variable], expected, rtol=1e-6)


def test_relative_poverty_line_is_share_of_baseline_median(results):
    from floorsim.indicators import weighted_quantile

    welfare = results.welfare_per_capita("baseline")
    median = weighted_quantile(welfare, results.person_weight_of_household, 0.5)
    assert results.poverty_line == pytest.approx(0.6 * median)
    # The line is held at its baseline value: a bigger basic income lowers the at-risk rate.
    comparison = results.comparison("basic_700")
    assert comparison["poverty_headcount"]["change"] < 0
