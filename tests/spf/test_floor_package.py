"""The social protection floor reform package: parameters, host adapters, and amounts worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
import yaml
from openfisca_core.simulations import SimulationBuilder

from openfisca_core import periods

from floorsim.country_packages.social_protection_floor import (
    ADMINISTRATIVE_COST,
    COMPONENTS,
    HOUSEHOLD_TOTAL,
    PARAMETERS_DIR,
    FloorError,
    FloorHost,
    FloorReform,
    Inputs,
    floor_parameters,
)
from floorsim.simulations.design.spf_hosts import DOTTED_PATH, SocialProtectionFloor, SocialProtectionFloorError
from floorsim.simulations.design.spf_scenarios import levels, only, poverty_line_amount, set_parameters
from floorsim.simulations import Microsimulation
from floorsim.simulations.errors import ChunkError
from floorsim.simulations.engine.reforms import find_parameter
from floorsim.simulations.engine.scenarios import baseline_system, import_reform_class, scenario_system
from floorsim.surveys import load_survey
from floorsim.surveys.model import Survey, SurveyMetadata
from tests.conftest import make_tiny_survey
from tests.spf.floor_hosts import write_description

ROOT = Path(__file__).resolve().parents[2]
START = "2025-01-01"
LINE = 50.0  # explicit poverty line used for hand calculations (USD per person per month)
# The ILO's child benefit is for ages 0-5; several hand calculations below pay children up to 14 instead.
CHILD_15 = set_parameters("child_15", START, {"social_protection_floor.child.age_limit": 15})
# Timor-Leste's births per woman aged 15-49, floor block of its floorsim.yaml (derived from cited figures there).
TL_BIRTHS_PER_WOMAN = 0.129017


def run(survey, *scenario_steps, year=2025, country="timor_leste"):
    scenarios = {"baseline": None}
    scenarios.update({f"s{i}": list(steps) for i, steps in enumerate(scenario_steps)})
    return Microsimulation(country, survey, year, backend="sequential").run(scenarios)


def change(results, name, transfers="social_transfers"):
    return results.scenario(name).household[transfers] - results.scenario("baseline").household[transfers]


# ----- parameters -----


def test_every_parameter_is_documented_with_a_reference():
    leaves = [p for p in floor_parameters().get_descendants() if hasattr(p, "values_list")]
    assert len(leaves) == 19  # 18 rules and poverty_line.host, the host's national line the host side sets
    for parameter in leaves:
        assert parameter.description, parameter.name
        assert parameter.metadata.get("reference"), parameter.name
        assert parameter.metadata.get("documentation"), parameter.name


def test_the_defaults_are_the_ilo_levels_and_say_where_they_come_from():
    node = floor_parameters()("2025-01-01")
    # World Bank (2022), describing the ILO costing (a secondary source): children 0-5 at 25% of the line; severe
    # disability and old age (65+) at 100%; maternity 100% for four months (also ILO Policy Paper 15).
    assert (node.child.share, node.child.minimum_age, node.child.age_limit) == (0.25, 0, 6)
    assert (node.maternity.share, node.maternity.months) == (1, 4)
    assert (node.maternity.minimum_age, node.maternity.maximum_age) == (15, 49)
    assert node.disability.share == 1 and node.old_age.share == 1
    assert node.old_age.minimum_age == 65 and node.old_age.minimum_age_women == 65
    for component in ("child", "disability", "old_age"):
        references = yaml.safe_load(Path(PARAMETERS_DIR, component, "share.yaml").read_text())["metadata"]["reference"]
        assert any("SECONDARY SOURCE" in reference["title"] for reference in references), component
    # The orphan level was not found: 0, a required user choice, with the record of where it was looked for.
    assert node.orphan.share == 0
    text = yaml.safe_load(Path(PARAMETERS_DIR, "orphan", "share.yaml").read_text())["metadata"]["documentation"]
    assert "USERS MUST CHOOSE IT" in text and "looked for" in text
    # Administrative costs: a parameter, 0 by default, in the calculator's words; births per woman: the host's.
    assert node.administrative_cost_share == 0 and node.phase_in == 1 and node.maternity.births_per_woman == 0
    admin = yaml.safe_load(Path(PARAMETERS_DIR, "administrative_cost_share.yaml").read_text())
    assert "without administrative costs" in admin["metadata"]["reference"][0]["title"]


def test_floor_parameters_are_added_under_their_node_and_transfers_are_replaced():
    system = scenario_system("timor_leste", (DOTTED_PATH,))
    assert find_parameter(system.parameters, "social_protection_floor.child.share")("2025-06-01") == 0.25
    # The host's births per woman, from the floor block of its floorsim.yaml, from 2015.
    births = find_parameter(system.parameters, "social_protection_floor.maternity.births_per_woman")
    assert (births("2014-12-31"), births("2025-06-01")) == (0, TL_BIRTHS_PER_WOMAN)
    assert "social_protection_floor" not in baseline_system("timor_leste").parameters.children
    for name in COMPONENTS.values():
        assert name in system.variables and name not in baseline_system("timor_leste").variables
    assert "with the social protection floor" in system.variables["social_transfers"].label
    assert system.floor_inputs["orphan"].startswith("social_protection_floor_orphan")


def test_floor_applied_twice_is_refused():
    with pytest.raises(SocialProtectionFloorError, match="applied twice"):
        scenario_system("timor_leste", (DOTTED_PATH, DOTTED_PATH))


# ----- hosts and adapters -----


def test_host_is_recognised_from_the_system_and_unknown_packages_are_refused():
    class Elsewhere(type(baseline_system("timor_leste"))):
        pass

    with pytest.raises(SocialProtectionFloorError, match="matches no floorsim.yaml"):
        SocialProtectionFloor(Elsewhere())

    class ExplicitHost(SocialProtectionFloor):
        host = "timor_leste"

    assert "social_protection_floor_old_age_pension" in ExplicitHost(Elsewhere()).variables


def test_adapter_errors_name_the_field():
    class Wrong(SocialProtectionFloor):
        adapter: ClassVar[dict] = {"inputs": {"age": "agee"}}

    with pytest.raises(SocialProtectionFloorError, match="inputs.age names 'agee'"):
        Wrong(baseline_system("timor_leste"))

    class NoAge(SocialProtectionFloor):
        adapter: ClassVar[dict] = {"inputs": {"age": None}}  # overrides the age derived from floorsim.yaml

    with pytest.raises(SocialProtectionFloorError, match="needs the persons' age"):
        NoAge(baseline_system("timor_leste"))

    class BadSex(SocialProtectionFloor):
        adapter: ClassVar[dict] = {"inputs": {"age": "age", "sex": {"variable": "sex", "female": "woman"}}}

    with pytest.raises(SocialProtectionFloorError, match="'woman' is not a value of 'sex'"):
        BadSex(baseline_system("timor_leste"))


# ----- amounts by hand on the tiny survey (explicit line of USD 50) -----


@pytest.fixture(scope="module")
def tiny_results():
    survey = make_tiny_survey()
    chosen = levels(START, child=0.2, disability=1.0, old_age=0.5, maternity=0.0)
    return run(survey, [DOTTED_PATH, poverty_line_amount(LINE, START), chosen, CHILD_15])


def test_tiny_survey_floor_amounts_by_hand(tiny_results):
    # h1: 72 and 65 (old age, 0.5 x 50 = 25 a month each), 8 (child, 0.2 x 50 = 10): 60 a month
    # h2: 35 unable to work (WG 3: disability, 50), 2 (child, 10): 60
    # h3: 59 (WG 1) nothing, 84 (WG 2: old age 25; not severe): 25
    # h4: 40 (WG 2) nothing, 10 (child, 10): 10
    expected = np.array([60.0, 60.0, 25.0, 10.0]) * 12
    np.testing.assert_allclose(change(tiny_results, "s0"), expected, rtol=1e-6)
    cost = tiny_results.comparison("s0")["total_cost"]["change"]
    assert cost == pytest.approx(float(np.dot(expected, [100, 200, 50, 300])), rel=1e-6)


def test_default_floor_by_hand_on_the_tiny_survey():
    survey = make_tiny_survey()
    results = run(survey, [DOTTED_PATH, poverty_line_amount(LINE, START)])
    # ILO levels, line USD 50. h1: 72 and 65 (old age, 50 each), 8 (too old for the child benefit): 100 a month.
    # h2: 35, woman WG 3 (disability 50; woman aged 15-49: expected births r, maternity r x 50 x 4 a year),
    # 2 (child, 25% = 12.5). h3: 59 (WG 1) nothing, 84 (old age 50). h4: 40 (WG 2, man) and 10: nothing.
    maternity = TL_BIRTHS_PER_WOMAN * LINE * 4
    expected = np.array([100 * 12, 62.5 * 12 + maternity, 50 * 12, 0.0])
    np.testing.assert_allclose(change(results, "s0"), expected, rtol=1e-6)


def small_survey(ages, sexes, severity=None) -> Survey:
    n = len(ages)
    households = pd.DataFrame(
        {"household_id": [1], "weight": [10.0], "region": ["Dili"], "urban": [True], "consumption": [100.0]}
    )
    persons = pd.DataFrame(
        {
            "person_id": np.arange(1, n + 1),
            "household_id": [1] * n,
            "age": ages,
            "sex": sexes,
            "relationship": ["head"] + ["other_relative"] * (n - 1),
            "disability_severity": severity or [0] * n,
            "pregnant": [False] * n,
            "in_school": [False] * n,
        }
    )
    return Survey(households, persons, SurveyMetadata(name="small", country="TLS", reference_year=2025, synthetic=True))


def test_maternity_from_births_women_pension_age_and_phase_in():
    survey = small_survey([30, 0, 62, 62, 50, 14], ["female", "male", "female", "male", "female", "female"])
    rate = set_parameters("births", START, {"social_protection_floor.maternity.births_per_woman": 0.25,
                                            "social_protection_floor.child.share": 0})
    steps = [DOTTED_PATH, poverty_line_amount(LINE, START), rate]
    pension = set_parameters("women", START, {"social_protection_floor.old_age.minimum_age_women": 60})
    half = set_parameters("half", START, {"social_protection_floor.phase_in": 0.5})
    results = run(survey, steps, [*steps, pension], [*steps, pension, half])
    # Only the woman aged 30 is of childbearing age (15-49): 0.25 expected births x 100% of the line x 4 months.
    # Nothing for the child aged 0 (the benefit goes to mothers), the woman aged 50 or the girl aged 14.
    maternity = 0.25 * LINE * 4
    # (OpenFisca computes in float32: twelve monthly amounts summed agree to about 1e-6.)
    assert change(results, "s0")[0] == pytest.approx(maternity, rel=1e-5)
    women = 12 * LINE  # the woman aged 62 (women from 60); the man aged 62 waits until 65
    assert change(results, "s1")[0] == pytest.approx(maternity + women, rel=1e-5)
    assert change(results, "s2")[0] == pytest.approx((maternity + women) / 2, rel=1e-5)


def test_explicit_line_zero_uses_the_national_line_of_the_engine(tiny_results):
    survey = make_tiny_survey()
    results = run(survey, [DOTTED_PATH, levels(START, child=1.0), CHILD_15, only("child", START)])
    # h4 has one child (aged 10): twelve months of one poverty line, the line the engine measures poverty with.
    assert change(results, "s0")[3] / 12 == pytest.approx(results.poverty_line, rel=1e-6)
    assert results.poverty_line != pytest.approx(46.37)  # moved from 2014 prices with the CPI


def test_orphan_input_and_administrative_cost_on_one_household():
    system = scenario_system(
        "timor_leste",
        (DOTTED_PATH, poverty_line_amount(LINE, START),
         set_parameters("orphans", START, {"social_protection_floor.orphan.share": 1.0,
                                           "social_protection_floor.child.share": 0.2,
                                           "social_protection_floor.child.age_limit": 15,
                                           "social_protection_floor.old_age.share": 0,
                                           "social_protection_floor.maternity.share": 0,
                                           "social_protection_floor.administrative_cost_share": 0.05})),
    )
    situation = {
        "persons": {
            "gran": {"age": {"2025-03": 70}},
            "orphan": {"age": {"2025-03": 9}, "social_protection_floor_orphan": {"2025-03": True}},
            "teen": {"age": {"2025-03": 15}, "social_protection_floor_orphan": {"2025-03": True}},
        },
        "households": {"h": {"heads": ["gran"], "other_members": ["orphan", "teen"]}},
    }
    simulation = SimulationBuilder().build_from_entities(system, situation)
    orphan = simulation.calculate("social_protection_floor_orphan_benefit", "2025-03")
    np.testing.assert_allclose(orphan, [0, LINE, 0])  # the 15-year-old is past the age limit
    total = simulation.calculate(HOUSEHOLD_TOTAL, "2025-03")
    assert total[0] == pytest.approx(LINE + 0.2 * LINE)  # orphan benefit on top of the child benefit
    assert simulation.calculate(ADMINISTRATIVE_COST, "2025-03")[0] == pytest.approx(0.05 * total[0])
    transfers = simulation.calculate("social_transfers", "2025-03")[0]
    host = SimulationBuilder().build_from_entities(baseline_system("timor_leste"), situation_without_floor(situation))
    assert transfers == pytest.approx(host.calculate("social_transfers", "2025-03")[0] + total[0])


def situation_without_floor(situation):
    persons = {
        name: {key: value for key, value in values.items() if not key.startswith("social_protection_floor")}
        for name, values in situation["persons"].items()
    }
    return {"persons": persons, "households": situation["households"]}


def test_floor_variables_are_returned_by_the_engine_and_zero_where_the_floor_is_absent():
    # Variables only the floor reform defines can be requested; the baseline (no floor) returns zeros for them.
    steps = [DOTTED_PATH, poverty_line_amount(LINE, START), levels(START, child=0.2, old_age=0.5), CHILD_15]
    results = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(
        {"baseline": None, "floor": steps}, variables=[COMPONENTS["child"], COMPONENTS["old_age"]]
    )
    ages = make_tiny_survey().persons["age"].to_numpy()
    for variable in (COMPONENTS["child"], COMPONENTS["old_age"]):
        np.testing.assert_array_equal(results.scenario("baseline").person[variable], 0.0)
    # Twelve months of the share of the line: ages 8, 2 and 10 are children; 72, 65 and 84 are at least 65.
    np.testing.assert_allclose(results.scenario("floor").person[COMPONENTS["child"]], 12 * 0.2 * LINE * (ages < 15))
    np.testing.assert_allclose(results.scenario("floor").person[COMPONENTS["old_age"]], 12 * 0.5 * LINE * (ages >= 65))


@pytest.mark.parametrize("backend", ["sequential", "loky"])
def test_a_survey_column_feeds_an_input_only_the_floor_defines(tmp_path, backend):
    # The host has no orphanhood variable; floorsim.yaml maps a survey column to the floor's own input. Scenarios
    # without the floor ignore it. (The column used is in_school, standing in for an orphanhood column.)
    spec = write_description(tmp_path, "tl_orphans", {"social_protection_floor_orphan": "in_school"})
    survey = make_tiny_survey()
    steps = [DOTTED_PATH, poverty_line_amount(LINE, START), levels(START, orphan=1.0), only("orphan", START)]
    results = Microsimulation(str(spec), survey, 2025, backend=backend, n_jobs=2, chunk_size=2).run(
        {"baseline": None, "floor": steps}, variables=[COMPONENTS["orphan"]]
    )
    expected = 12 * LINE * (survey.persons["in_school"].to_numpy() & (survey.persons["age"].to_numpy() < 15))
    assert expected.sum() == 2 * 12 * LINE  # two of the tiny survey's children are flagged
    np.testing.assert_allclose(results.scenario("floor").person[COMPONENTS["orphan"]], expected)
    np.testing.assert_array_equal(results.scenario("baseline").person[COMPONENTS["orphan"]], 0.0)
    # The households' transfers rise by their members' orphan benefits, and by nothing else.
    by_household = np.bincount(survey.person_household_index, weights=expected, minlength=len(survey.households))
    np.testing.assert_allclose(change(results, "floor"), by_household, rtol=1e-6)


def test_component_alone_switches_the_others_off(tiny_results):
    survey = make_tiny_survey()
    chosen = levels(START, child=0.2, disability=1.0, old_age=0.5)
    results = run(survey, [DOTTED_PATH, poverty_line_amount(LINE, START), chosen, CHILD_15, only("child", START)])
    np.testing.assert_allclose(change(results, "s0"), np.array([10.0, 10.0, 0.0, 10.0]) * 12, rtol=1e-6)
    with pytest.raises(ValueError, match="unknown floor component"):
        only("pension", START)


# ----- the country template on the eusilc survey -----


@pytest.fixture(scope="module")
def eusilc():
    return load_survey(ROOT / "tests/fixtures/eusilc/eusilc.parquet", mapping=ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml")


def test_template_without_a_line_amount_says_what_to_set(eusilc):
    with pytest.raises(ChunkError, match="social_protection_floor.poverty_line.amount"):
        run(eusilc, [DOTTED_PATH, only("old_age", "2017-01-01")], year=2017, country="country_template")


def test_template_old_age_pension_on_eusilc_by_hand(eusilc):
    baseline = Microsimulation("country_template", eusilc, 2017, backend="sequential").run({"baseline": None})
    line = round(baseline.poverty_line, 2)  # the template's relative line of this run, chosen as the floor's line
    start = "2017-01-01"
    steps = [DOTTED_PATH, poverty_line_amount(line, start),
             only("old_age", start)]
    results = run(eusilc, steps, year=2017, country="country_template")
    # Birth dates are 1 July of (2005 - survey age): in 2017 a person is age + 11 until June and age + 12 from July,
    # so the pension (from 65) is paid 12 months from survey age 54, and 6 months at survey age 53.
    age = eusilc.persons["age"].to_numpy()
    months = np.where(age >= 54, 12, np.where(age == 53, 6, 0))
    weights = eusilc.households["weight"].to_numpy()[eusilc.person_household_index]
    expected = float(np.sum(weights * months * line))
    cost = results.comparison("s0")["total_cost"]["change"]
    assert cost == pytest.approx(expected, rel=1e-6)
    assert results.comparison("s0")["poverty_headcount"]["change"] < 0


# ----- the host side gives the floor its host as plain data; the package needs nothing from floorsim -----


def inflation(year: int) -> float:
    """Timor-Leste's annual inflation rate of ``year``, read from country/cpi_inflation.yaml."""
    path = ROOT / "floorsim/country_packages/timor_leste/parameters/country/cpi_inflation.yaml"
    values = yaml.safe_load(path.read_text())["values"]
    return float(next(item["value"] for date, item in values.items() if str(date).startswith(f"{year}-")))


def test_host_line_by_year_is_the_2014_line_moved_with_the_cpi():
    line = scenario_system("timor_leste", (DOTTED_PATH,)).parameters.social_protection_floor.poverty_line.host
    # country/poverty_line/national.yaml: USD 46.37 from 2014, in 2014 prices; the CPI levels stop in 2014, later
    # years chain the annual inflation rates: line_Y = 46.37 × Π_{t=2015..Y} (1 + π_t). Each year from 1 January.
    expected = 46.37
    assert line("2014-01-01") == pytest.approx(expected, rel=1e-12)
    for year in range(2015, 2021):
        expected *= 1 + inflation(year)
        assert line(f"{year}-01-01") == pytest.approx(expected, rel=1e-12)
        assert line(f"{year}-12-31") == pytest.approx(expected, rel=1e-12)
    assert line("2025-06-01") == pytest.approx(58.92, abs=0.005)  # docs/social_protection_floor.md
    assert line("1990-01-01") == 0  # before the price index starts: no line in that year's prices


def test_floor_reform_applies_to_a_host_described_by_hand_without_floorsim():
    host = FloorHost(name="timor_leste", person_entity="person", household_entity="household",
                     transfers_variable="social_transfers", currency="USD",
                     inputs=Inputs(age="age", sex={"variable": "sex", "female": "female"}),
                     poverty_lines={"2024-01-01": 40.0, "2025-01-01": 50.0})

    class HandMade(FloorReform):
        floor_host = host

    system = HandMade(baseline_system("timor_leste"))
    line = system.parameters.social_protection_floor.poverty_line.host
    assert (line("2023-06-01"), line("2024-06-01"), line("2030-01-01")) == (0, 40.0, 50.0)
    assert "social_protection_floor_disability_severity" in system.variables  # no host variable named: default
    assert system.variables["social_protection_floor_child_benefit"].unit == "currency-USD"
    simulation = SimulationBuilder().build_from_entities(system, {
        "persons": {"a": {"age": {"2025-03": 70}, "sex": {"2025-03": "female"}}},
        "households": {"h": {"heads": ["a"]}},
    })
    simulation.tax_benefit_system.parameters.social_protection_floor.old_age.share.update(
        start=periods.instant("2025-01-01"), value=1.0
    )
    assert simulation.calculate("social_protection_floor_old_age_pension", "2025-03")[0] == pytest.approx(50.0)


def test_floor_reform_without_a_host_says_which_class_to_use():
    with pytest.raises(FloorError, match="floorsim.simulations.design.spf_hosts.SocialProtectionFloor"):
        FloorReform(baseline_system("timor_leste"))


def test_the_former_dotted_path_names_the_same_reform():
    former = "floorsim.country_packages.social_protection_floor.SocialProtectionFloor"
    assert import_reform_class(former) is SocialProtectionFloor
    assert DOTTED_PATH == "floorsim.simulations.design.spf_hosts.SocialProtectionFloor"
    assert import_reform_class(DOTTED_PATH) is SocialProtectionFloor
