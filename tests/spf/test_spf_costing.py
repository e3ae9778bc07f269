"""floorsim spf and its pieces: the ILO-style table against hand sums, births as defined, the adapter derived from
a package's declared inputs, named reforms for floorsim run, and the profile cross-check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.country_packages.social_protection_floor import BIRTHS, COMPONENTS
from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.simulations.design.spf_calculator import FloorLevels, aggregate_cost
from floorsim.simulations.design.spf_costing import FLOOR, cost_floor
from floorsim.simulations.design.spf_hosts import DOTTED_PATH, derived_inputs, load_adapter
from floorsim.simulations.design.spf_scenarios import poverty_line_amount, set_parameters
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.scenarios import NamedReform, baseline_system, make_scenario, resolve_reform, scenario_system
from floorsim.simulations.errors import ReformError
from floorsim.surveys.bundled import load_bundled_survey
from tests.conftest import make_tiny_survey
from tests.spf.floor_hosts import write_description

ROOT = Path(__file__).resolve().parents[2]
TL_BIRTHS_PER_WOMAN = 0.129017


@pytest.fixture(scope="module")
def costing():
    return cost_floor("timor_leste", load_bundled_survey(), 2025, replicates=0)


def test_table_rows_equal_sums_over_persons(costing):
    results, table = costing.results, costing.table.set_index("guarantee")
    weight = results.households["weight"][results.survey.person_household_index]
    floor = results.scenario(FLOOR).person
    for key, variable in COMPONENTS.items():
        assert table.loc[key, "cost"] == pytest.approx(float(np.dot(weight, floor[variable])), rel=1e-12)
    # Components cumulate: the total row is their sum, and the engine's change in transfers is the same money.
    assert table.loc["total", "cost"] == pytest.approx(table.loc[list(COMPONENTS), "cost"].sum(), rel=1e-12)
    assert table.loc["total", "cost"] == pytest.approx(results.comparison(FLOOR)["total_cost"]["change"], rel=1e-6)
    gdp = results.provenance["cost_denominators"]["gdp"]["value"]
    assert table.loc["total", "cost_share_gdp"] == pytest.approx(table.loc["total", "cost"] / gdp, rel=1e-12)
    # Every guarantee with ILO levels pays on Timor-Leste; the orphan level is a user choice (0).
    assert (table.loc[["child", "maternity", "disability", "old_age"], "cost"] > 0).all()
    assert table.loc["orphan", "cost"] == 0


def test_each_level_on_the_bundled_survey(costing):
    results, table = costing.results, costing.table.set_index("guarantee")
    line = results.poverty_line  # the national line of 2025 (the floor's and the engine's, checked elsewhere)
    persons = results.survey.persons
    weight = results.households["weight"][results.survey.person_household_index]
    age, female = persons["age"].to_numpy(), (persons["sex"] == "female").to_numpy()
    severe = persons["disability_severity"].to_numpy() == 3
    # Independent hand sums: children 0-5 at 25% of the line, severe disability and 65+ at 100%, twelve months;
    # maternity 100% for four months per expected birth (0.129017 per woman aged 15-49).
    assert table.loc["child", "cost"] == pytest.approx(weight[age <= 5].sum() * 0.25 * line * 12, rel=1e-6)
    assert table.loc["disability", "cost"] == pytest.approx(weight[severe].sum() * line * 12, rel=1e-6)
    assert table.loc["old_age", "cost"] == pytest.approx(weight[age >= 65].sum() * line * 12, rel=1e-6)
    births = weight[female & (age >= 15) & (age <= 49)].sum() * TL_BIRTHS_PER_WOMAN
    assert table.loc["maternity", "beneficiaries"] == pytest.approx(births, rel=1e-6)
    assert table.loc["maternity", "cost"] == pytest.approx(births * line * 4, rel=1e-6)
    # Age boundaries: 5 is a child and 6 is not; 64 is not old and 65 is; 49 may give birth and 50 may not.
    floor = results.scenario(FLOOR).person
    assert (floor[COMPONENTS["child"]][age == 5] > 0).all() and (floor[COMPONENTS["child"]][age == 6] == 0).all()
    assert (floor[COMPONENTS["old_age"]][age == 64] == 0).all() and (floor[COMPONENTS["old_age"]][age == 65] > 0).all()
    births_input = floor[BIRTHS] / 12
    assert (births_input[female & (age == 49)] > 0).all() and (births_input[female & (age == 50)] == 0).all()


def test_gap_view_sets_current_benefits_against_the_floor(costing):
    results, table = costing.results, costing.table.set_index("guarantee")
    weight = results.households["weight"][results.survey.person_household_index]
    saii = results.scenario("baseline").person["saii"]
    age = results.survey.persons["age"].to_numpy()
    pension = results.scenario(FLOOR).person[COMPONENTS["old_age"]]
    # The SAII (USD 60 a month in 2025) already pays every person aged 65+ at least the floor's pension.
    assert table.loc["old_age", "existing_benefits"] == pytest.approx(
        float(np.dot(weight, np.minimum(pension, saii))), rel=1e-9)
    assert table.loc["old_age", "gap"] == pytest.approx(0, abs=1.0)
    assert (saii[age >= 65] >= pension[age >= 65]).all()
    assert table.loc["child", "gap"] == table.loc["child", "cost"]  # no current child benefit
    assert table.loc["total", "gap"] == pytest.approx(table.loc[list(COMPONENTS), "gap"].sum(), rel=1e-9)


def test_impacts_have_intervals_around_the_headline(costing):
    results, table = costing.results, costing.table.set_index("guarantee")
    headline = results.comparison(FLOOR)
    assert table.loc["total", "poverty_headcount_change"] == pytest.approx(headline["poverty_headcount"]["change"])
    assert table.loc["total", "gini_change"] == pytest.approx(headline["gini"]["change"])
    for key in ("child", "old_age", "total"):
        row = table.loc[key]
        assert row["poverty_headcount_ci_low"] < row["poverty_headcount_change"] < row["poverty_headcount_ci_high"] < 0


def test_calculator_reproduces_the_microsimulation_to_1e_6(costing):
    results, table = costing.results, costing.table.set_index("guarantee")
    system = scenario_system("timor_leste", make_scenario("f", [DOTTED_PATH]).steps)
    levels = FloorLevels.from_parameters(system.get_parameters_at_instant, "2025-12-31")
    calculator = aggregate_cost(results.survey, levels, results.poverty_line).table
    for key in COMPONENTS:
        assert table.loc[key, "cost"] == pytest.approx(calculator.loc[key, "annual_cost"], rel=1e-6, abs=1e-6)
    assert table.loc["maternity", "beneficiaries"] == pytest.approx(calculator.loc["maternity", "eligible"], rel=1e-6)


def test_profile_cross_check_against_the_census_margins():
    """The bundled survey is made from a profile (floorsim/surveys/data/profiles/timor_leste.yaml): the floor's simulated
    beneficiaries on the survey's own population equal the profile's census and birth figures."""
    profile = yaml.safe_load((ROOT / "floorsim/surveys/data/profiles/timor_leste.yaml").read_text())
    survey = load_bundled_survey()
    margins = next(m for m in survey.metadata.calibration["margins"] if m["name"] == "persons by sex and age")
    older = sum(target for _, group, target in margins["targets"] if group in ("65-69", "70-74", "75+"))
    children = sum(target for _, group, target in margins["targets"] if group == "0-4")
    results = Microsimulation("timor_leste", survey, 2015, backend="sequential").run(
        {"baseline": None, "floor": [DOTTED_PATH]}, variables=[*COMPONENTS.values(), BIRTHS])
    weight = results.households["weight"][survey.person_household_index]
    floor = results.scenario("floor").person
    assert float(np.dot(weight, floor[COMPONENTS["old_age"]] > 0)) == pytest.approx(older, rel=1e-6)
    assert float(np.dot(weight, floor[COMPONENTS["child"]] > 0)) > children  # 0-4 and the 5-year-olds
    births = float(np.dot(weight, floor[BIRTHS] / 12))
    expected = profile["fertility"]["births_per_1000"]["value"] / 1000 * sum(t for *_, t in margins["targets"])
    assert births == pytest.approx(expected, rel=1e-5)  # the birth rate of the profile x its population


def test_births_from_the_survey_column_when_the_package_maps_it(tmp_path):
    """A package description (written here) mapping the data model's gave_birth column to the floor's births input:
    the maternity benefit is paid to exactly the women who gave birth."""
    spec = write_description(tmp_path, "tl_births", {"social_protection_floor_gave_birth": "gave_birth"})
    survey = make_tiny_survey()
    gave_birth = np.zeros(len(survey.persons), bool)
    gave_birth[3] = True  # the woman aged 35 of household 2
    survey = type(survey)(survey.households, survey.persons.assign(gave_birth=gave_birth), survey.metadata)
    only_maternity = set_parameters("m", "2025-01-01", {f"social_protection_floor.{c}.share": 0
                                                        for c in ("child", "disability", "old_age")})
    results = Microsimulation(str(spec), survey, 2025, backend="sequential").run(
        {"baseline": None, "floor": [DOTTED_PATH, poverty_line_amount(50, "2025-01-01"), only_maternity]},
        variables=[COMPONENTS["maternity"]])
    np.testing.assert_allclose(results.scenario("floor").person[COMPONENTS["maternity"]], 50 * 4 * gave_birth,
                               rtol=1e-6)


def test_adapter_is_derived_from_declared_inputs():
    system = baseline_system("timor_leste")
    derived = derived_inputs(load_country("timor_leste"), system)
    assert derived == {"age": "age", "sex": {"variable": "sex", "female": "female"},
                       "disability_severity": "disability_severity"}
    adapter, origin = load_adapter(None, load_country("timor_leste"), system)
    assert origin.endswith("floorsim.yaml (floor)")
    assert adapter.births_per_woman.values[next(iter(adapter.births_per_woman.values))] == TL_BIRTHS_PER_WOMAN
    # The country template feeds age to a birth date: derivation finds its age variable by name instead.
    template = baseline_system("country_template")
    assert derived_inputs(load_country("country_template"), template) == {"age": "age"}


def test_a_generated_package_description_needs_no_adapter(tmp_path):
    """A package description with no floor block and no hosts/ file (as a generated package has): the floor finds
    its inputs from the data-model columns the description feeds, and has no births per woman."""
    spec_path = write_description(tmp_path, "generated", {}, drop=("floor",))
    adapter, origin = load_adapter(None, load_country(str(spec_path)), baseline_system("timor_leste"))
    assert origin.startswith("derived from") and adapter.inputs.age == "age"
    assert adapter.inputs.sex.variable == "sex" and adapter.births_per_woman is None


def test_named_reforms_resolve():
    spec = load_country("timor_leste")
    assert resolve_reform("spf", spec).steps == (DOTTED_PATH,)
    assert resolve_reform("floorsim.simulations.design.spf_hosts:SocialProtectionFloor", spec).steps == (DOTTED_PATH,)
    shipped = resolve_reform("saii_increase", spec)
    assert isinstance(shipped, NamedReform) and shipped.steps[0].changes[0].parameter == "benefits.saii.amount"
    with pytest.raises(ReformError, match="saii_increase"):
        resolve_reform("no_such_reform", spec)


def test_cli_run_with_the_floor_writes_the_report(tmp_path, costing):
    """`run --reform spf` pays the floor as shares of the line the run measures poverty with (the projection's,
    like `floorsim spf`), so its cost and poverty change equal the costing table's total, a separate computation."""
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--reform", "spf", "--out", str(out), "--jobs", "1",
                                      "--replicates", "0"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    total = costing.table.set_index("guarantee").loc["total"]
    # rel 1e-7: OpenFisca keeps money in float32, and the run's total comes from the household transfers total while
    # the table adds the persons' floor components (measured gap 8e-9)
    assert summary["headline"]["total_cost"]["change"] == pytest.approx(total["cost"], rel=1e-7)
    assert summary["headline"]["poverty_headcount"]["change"] == pytest.approx(total["poverty_headcount_change"],
                                                                               abs=1e-12)
    assert (out / "report.html").is_file() and (out / "results.xlsx").is_file()


def test_cli_spf_prints_and_writes(tmp_path, costing):
    out = tmp_path / "spf"
    result = CliRunner().invoke(app, ["spf", "--out", str(out), "--replicates", "0"])
    assert result.exit_code == 0, result.output
    assert "old age" in result.output and "births per woman" in result.output
    document = json.loads((out / "spf.json").read_text())
    rows = {row["guarantee"]: row for row in document["rows"]}
    assert rows["total"]["cost"] == pytest.approx(costing.table.set_index("guarantee").loc["total", "cost"], rel=1e-9)
    assert (out / "spf.csv").read_text().startswith("guarantee,beneficiaries,cost")


def test_cli_spf_on_the_template_without_births_says_what_to_set(tmp_path):
    result = CliRunner().invoke(app, [
        "spf", "--country", "country_template", "--survey", str(ROOT / "tests/fixtures/eusilc/eusilc.parquet"),
        "--mapping", str(ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml"), "--period", "2017",
        "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "floorsim: error:" in result.output and not (tmp_path / "o").exists()


def test_the_floor_table_on_the_country_template_with_the_eusilc_mapping():
    """The template (a fictional country, relative line, no sex or disability variables) over the eusilc survey:
    the user gives the line and switches maternity off (the template has no births figure); the old-age row is the
    hand count of tests/spf/test_floor_package.py (birth dates of 1 July (2005 - survey age): 12 months of pension
    from survey age 54, 6 at 53)."""
    from floorsim.surveys import load_survey

    survey = load_survey(ROOT / "tests/fixtures/eusilc/eusilc.parquet",
                         mapping=ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml")
    line = round(Microsimulation("country_template", survey, 2017, backend="sequential")
                 .run({"baseline": None}).poverty_line, 2)
    steps = [poverty_line_amount(line, "2017-01-01"),
             set_parameters("no_births", "2017-01-01", {"social_protection_floor.maternity.share": 0})]
    table = cost_floor("country_template", survey, 2017, steps=steps, replicates=0).table.set_index("guarantee")
    age = survey.persons["age"].to_numpy()
    weight = survey.households["weight"].to_numpy()[survey.person_household_index]
    months = np.where(age >= 54, 12, np.where(age == 53, 6, 0))
    assert table.loc["old_age", "cost"] == pytest.approx(float(np.sum(weight * months * line)), rel=1e-6)
    assert table.loc["child", "cost"] == 0  # in 2017 everybody is at least 11 (survey of 2005)
    assert np.isnan(table.loc["total", "cost_share_gdp"])  # the template records no GDP
    assert table.loc["old_age", "poverty_headcount_ci_low"] < table.loc["old_age", "poverty_headcount_change"] < 0
