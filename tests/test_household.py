"""``floorsim household``: one household through every programme of the Timor-Leste package, with explanations.

Expected amounts are worked out by hand from the parameters in floorsim/country_packages/timor_leste/parameters/benefits:
SAII base amount (saii/amount.yaml) 20 from 2008-01-01, 30 from 2010, 50 from 2022, 57 from 2023, 60 from 2024; age
supplement (saii/age_supplement.yaml) +20 at 70-79 and +40 from 80, from 2024 only; old-age minimum age 60; the SAII
formula starts in January 2008 (variables/saii.py); from 2024 any regular monthly earnings exclude
(saii/work_income_excludes.yaml). Bolsa da Mãe: USD 5 per child before 2024, 8 (below age 15) from 2024, at
most 3 children, for households at or under USD 1.25 x 365 / 12 = 38.02 per person a month. Jerasaun Foun: USD 15
for a pregnant woman, 20 per child under 3, paid in Ainaro from July 2022 to December 2023.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from floorsim.simulations.explain import household as single_household
from floorsim.simulations.cli import app
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.explain.household import HouseholdError, load_household, simulate_household

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "household_example.yaml"


def household_json(*args: str) -> dict:
    result = runner.invoke(app, ["household", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def programme(report: dict, name: str, scenario: str = "baseline") -> dict:
    return report["scenarios"][scenario]["programmes"][name]


def factor(programme_result: dict, name: str) -> dict:
    (found,) = [item for item in programme_result["factors"] if item["name"] == name]
    return found


# ----- amounts -----


def test_72_year_old_in_march_2024_gets_base_amount_plus_age_supplement():
    report = household_json("--person", "name=ana,age=72", "--period", "2024-03")
    assert report["period"] == "2024-03" and report["period_unit"] == "month"
    saii = programme(report, "saii")
    assert saii["amounts"] == {"ana": 80.0}  # 60 (base from 2024-01-01) + 20 (aged 70-79, from 2024)
    assert saii["applies"] is True
    # A person alone in a household (default municipality Dili, consumption 0): no child, no other scheme pays.
    assert report["scenarios"]["baseline"]["total"] == 80.0


def test_same_person_in_december_2007_is_before_the_saii_existed():
    report = household_json("--person", "name=ana,age=72", "--period", "2007-12")
    saii = programme(report, "saii")
    assert saii["amount"] == 0.0
    (verdict,) = saii["verdicts"]
    assert verdict["status"] == "not_in_force"
    assert "2008-01-01" in verdict["note"]  # the SAII formula starts in January 2008 (first payment backdated)
    assert report["scenarios"]["baseline"]["total"] == 0.0


def test_65_year_old_in_january_2008_gets_20():
    # Issue 19 item 1: the first payment was backdated to the start of 2008, at USD 20 a month (amount.yaml).
    report = household_json("--person", "name=ana,age=65", "--period", "2008-01")
    saii = programme(report, "saii")
    assert saii["amounts"] == {"ana": 20.0}
    assert report["scenarios"]["baseline"]["total"] == 20.0


def test_year_2008_sums_the_twelve_months_paid_at_20():
    report = household_json("--person", "name=ana,age=65", "--period", "2008")
    saii = programme(report, "saii")
    assert saii["amount"] == pytest.approx(12 * 20)  # January to December 2008 at USD 20, no age supplement
    statuses = [(verdict["period"], verdict["status"], verdict["amount"]) for verdict in saii["verdicts"]]
    assert statuses == [("2008-01 to 2008-12", "paid", 20.0)]


def test_65_year_old_earning_300_a_month_gets_nothing_in_march_2024():
    # Issue 19 item 3: from 2024 the social pension cannot be combined with income from work (any amount).
    report = household_json("--person", "name=ana,age=65,regular_monthly_earnings=300", "--period", "2024-03")
    assert programme(report, "saii")["amounts"] == {"ana": 0.0}
    assert report["scenarios"]["baseline"]["total"] == 0.0
    without_earnings = household_json("--person", "name=ana,age=65", "--period", "2024-03")
    assert programme(without_earnings, "saii")["amounts"] == {"ana": 60.0}


def test_same_earnings_in_2023_do_not_exclude():
    # Before 2024 the rule applied to new pensioners only, which the model cannot tell apart: not applied.
    report = household_json("--person", "name=ana,age=65,regular_monthly_earnings=300", "--period", "2023-03")
    assert programme(report, "saii")["amounts"] == {"ana": 57.0}  # 60 - 3 (release of 11 January 2024)


def test_year_2024_for_a_72_year_old():
    report = household_json("--person", "age=72", "--period", "2024")
    assert programme(report, "saii")["amount"] == pytest.approx(12 * 80)
    assert report["amounts_are"] == "sum over the months of the year"


def test_date_of_birth_moves_the_age_supplement_to_the_month_after_the_birthday():
    # Born 15 July 1954: age on the first day of the month is 69 until July 2024 and 70 from August 2024.
    report = household_json("--person", "name=joao,date_of_birth=1954-07-15", "--period", "2024")
    saii = programme(report, "saii")
    assert saii["amount"] == pytest.approx(7 * 60 + 5 * (60 + 20))
    age_runs = factor(saii, "age")["values"]
    assert age_runs == [
        {"period": "2024-01 to 2024-07", "value": {"joao": 69}},
        {"period": "2024-08 to 2024-12", "value": {"joao": 70}},
    ]


def test_example_household_in_may_2023_gets_three_schemes():
    report = household_json(str(EXAMPLE), "--period", "2023-05")
    amounts = {name: item["amount"] for name, item in report["scenarios"]["baseline"]["programmes"].items()}
    assert amounts["saii"] == 57.0  # maria, 72: USD 57 from 2023, no age supplement before 2024
    # 150 / 4 persons = 37.50 <= 38.02 a month: poor; tomas (1, below school age) and rosa (8, in school) count.
    assert amounts["bolsa_da_mae"] == 2 * 5.0
    # Ainaro is covered from July 2022: ana pregnant (15) and tomas under 3 (20).
    assert amounts["bolsa_da_mae_jerasaun_foun"] == 15.0 + 20.0
    assert programme(report, "bolsa_da_mae_jerasaun_foun")["amounts"] == {
        "maria": 0.0, "ana": 15.0, "tomas": 20.0, "rosa": 0.0
    }
    assert amounts["covid_household_transfer"] == 0.0 and amounts["year_end_payment_2022"] == 0.0
    assert report["scenarios"]["baseline"]["total"] == pytest.approx(57 + 10 + 35)


def test_example_household_in_march_2024_after_the_2024_changes():
    report = household_json(str(EXAMPLE), "--period", "2024-03")
    amounts = {name: item["amount"] for name, item in report["scenarios"]["baseline"]["programmes"].items()}
    assert amounts["saii"] == 60.0 + 20.0
    assert amounts["bolsa_da_mae"] == 2 * 8.0  # both children below secondary-cycle age (15)
    assert amounts["bolsa_da_mae_jerasaun_foun"] == 0.0  # repealed: not in force from 2024
    jf = programme(report, "bolsa_da_mae_jerasaun_foun")
    assert factor(jf, "bolsa_da_mae_jerasaun_foun_covered")["values"] == [{"period": "2024-03", "value": False}]
    reasons = [(item["kind"], item["name"], item["value"]) for verdict in jf["verdicts"] for item in verdict["because"]]
    assert ("variable", "bolsa_da_mae_jerasaun_foun_covered", False) in reasons


def test_a_rich_household_gets_no_bolsa_da_mae_and_is_told_why():
    report = household_json(
        "--person", "age=40", "--person", "age=8,in_school=true", "--household", "household_consumption=1000",
        "--period", "2024-03",
    )
    bdm = programme(report, "bolsa_da_mae")
    assert bdm["amount"] == 0.0
    (verdict,) = bdm["verdicts"]
    assert verdict["status"] == "not_paid"
    assert [item["name"] for item in verdict["because"]] == ["bolsa_da_mae_vulnerable"]
    assert factor(bdm, "household_consumption")["values"][0]["value"] == 1000


def test_every_programme_of_the_country_description_is_reported():
    report = household_json("--person", "age=30", "--period", "2025-03")
    assert list(report["scenarios"]["baseline"]["programmes"]) == list(load_country("timor_leste").programmes)


# ----- explanations -----


def test_explanation_shows_the_age_condition_with_its_values():
    report = household_json("--person", "name=ana,age=72", "--person", "name=kid,age=5", "--period", "2024-03")
    saii = programme(report, "saii")
    assert saii["amounts"] == {"ana": 80.0, "kid": 0.0}
    eligible = factor(saii, "saii_old_age_eligible")
    assert eligible["depth"] == 1 and eligible["values"][0]["value"] == {"ana": True, "kid": False}
    age = factor(saii, "age")
    assert age["parent"] == "saii_old_age_eligible" and age["values"][0]["value"] == {"ana": 72, "kid": 5}
    minimum = factor(saii, "benefits.saii.old_age_minimum_age")
    assert minimum["kind"] == "parameter" and minimum["parent"] == "saii_old_age_eligible"
    assert minimum["values"][0]["value"] == 60
    verdicts = {verdict["member"]: verdict for verdict in saii["verdicts"]}
    assert verdicts["ana"]["status"] == "paid" and verdicts["ana"]["amount"] == 80.0
    assert [item["name"] for item in verdicts["ana"]["because"]] == ["saii_old_age_eligible"]
    assert verdicts["kid"]["status"] == "not_paid"
    assert "saii_old_age_eligible" in [item["name"] for item in verdicts["kid"]["because"]]


def test_age_supplement_scale_appears_in_the_explanation():
    report = household_json("--person", "age=72", "--period", "2024-03")
    supplement = factor(programme(report, "saii"), "benefits.saii.age_supplement")
    assert supplement["values"][0]["value"] == [
        {"threshold": 0, "amount": 0}, {"threshold": 70, "amount": 20}, {"threshold": 80, "amount": 40}
    ]


def test_terminal_output_has_the_table_and_the_explanation():
    result = runner.invoke(
        app, ["household", "--person", "name=ana,age=72", "--person", "name=kid,age=5", "--period", "2024-03"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "80.00" in text
    assert "ana: paid 80.00 USD a month" in text
    assert "kid: not paid" in text
    assert "benefits.saii.old_age_minimum_age = 60" in text
    assert "age = ana 72 · kid 5" in text


def test_depth_one_keeps_only_direct_inputs():
    report = household_json("--person", "age=72", "--period", "2024-03", "--depth", "1")
    assert {item["depth"] for item in programme(report, "saii")["factors"]} == {1}


def test_lookup_tables_show_only_the_households_entry():
    report = household_json("--person", "age=30", "--household", "municipality=bobonaro", "--period", "2023-01")
    names = [item["name"] for item in programme(report, "bolsa_da_mae_jerasaun_foun")["factors"]]
    assert "benefits.bolsa_da_mae_jerasaun_foun.coverage.Bobonaro" in names
    assert "benefits.bolsa_da_mae_jerasaun_foun.coverage.Dili" not in names
    assert "benefits.bolsa_da_mae_jerasaun_foun.coverage.*" in names


# ----- reforms -----


def test_reform_is_compared_with_current_legislation(tmp_path):
    reform = tmp_path / "saii_70.yaml"
    reform.write_text("name: saii_70\nchanges:\n  - {parameter: benefits.saii.amount, value: 70, start: 2024-01-01}\n")
    report = household_json("--person", "age=72", "--period", "2024-03", "--reform", str(reform))
    assert programme(report, "saii")["amount"] == 80.0
    assert programme(report, "saii", "saii_70")["amount"] == 70.0 + 20.0
    assert report["changes"]["saii_70"]["programmes"]["saii"] == pytest.approx(10.0)
    assert report["changes"]["saii_70"]["total"] == pytest.approx(10.0)
    table = runner.invoke(app, ["household", "--person", "age=72", "--period", "2024-03", "--reform", str(reform)])
    assert table.exit_code == 0 and "saii_70" in table.output and "90.00" in table.output


def test_reform_with_unknown_parameter_fails_cleanly(tmp_path):
    reform = tmp_path / "typo.yaml"
    reform.write_text("name: typo\nchanges:\n  - {parameter: benefits.saii.amont, value: 70, start: 2024-01-01}\n")
    result = runner.invoke(app, ["household", "--person", "age=72", "--reform", str(reform)])
    assert result.exit_code == 2
    assert "did you mean benefits.saii.amount" in result.output
    assert "Traceback" not in result.output


# ----- input errors -----


def test_unknown_input_name_fails_with_suggestions_and_the_list_of_inputs():
    result = runner.invoke(app, ["household", "--person", "agee=72"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert message.startswith("floorsim: error:")
    assert "unknown input 'agee'" in message and "did you mean age?" in message
    for name in ("date_of_birth", "disability_severity", "in_school", "pregnant", "sex"):
        assert name in message
    assert "Traceback" not in result.output


def test_unknown_input_in_a_file_names_the_file_and_person(tmp_path):
    path = tmp_path / "family.yaml"
    path.write_text(
        "household:\n  municipalty: Ainaro\n"
        "persons:\n  - {name: maria, age: 70}\n  - {name: rosa, age: 8, in_shcool: true}\n"
    )
    result = runner.invoke(app, ["household", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "person 2 (rosa): unknown input 'in_shcool'; did you mean in_school?" in message
    assert "household: unknown input 'municipalty'; did you mean municipality?" in message
    assert "family.yaml" in message


def test_value_of_the_wrong_type_names_person_and_field():
    result = runner.invoke(app, ["household", "--person", "age=72", "--person", "age=five"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "person 2, field 'age'" in message and "integer" in message


def test_unknown_enum_value_lists_the_possible_ones():
    result = runner.invoke(app, ["household", "--person", "age=7", "--household", "municipality=Atlantis"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "field 'municipality'" in message and "Ainaro" in message and "Viqueque" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--person", "age=72", "--period", "2024-13"], "invalid period '2024-13'"),
        (["--person", "age"], "expected NAME=VALUE"),
        ([], "give a FILE or at least one --person"),
        (["no_such_household.yaml"], "household file not found"),
        (["--person", "age=72,role=head", "--person", "age=70,role=head"], "at most 1 'head'"),
        (["--person", "name=a,age=1", "--person", "name=a,age=2"], "distinct"),
        (["--person", "age=72", "--depth", "0"], "depth must be at least 1"),
        # age has a formula (from date_of_birth): given for one person only, the other would silently be aged 0.
        (["--person", "age=72", "--person", "date_of_birth=2020-01-01"], "give it for every person or for none"),
        (["--person", "age=72", "--country", "atlantis"], "unknown country 'atlantis'"),
    ],
)
def test_bad_input_gives_a_one_line_reason_and_exit_2(args, expected):
    result = runner.invoke(app, ["household", *args])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output


# ----- the Python API -----


def test_roles_and_case_insensitive_enum_values():
    household = load_household(
        "timor_leste", persons=["name=kid,age=4", "name=mum,age=30,role=head"], household=["municipality=ainaro"]
    )
    assert household.inputs == {"municipality": "Ainaro"}
    report = simulate_household("timor_leste", household, "2024-03")
    assert report.roles == {"kid": "member", "mum": "head"}
    first_is_head = simulate_household("timor_leste", load_household("timor_leste", persons=["age=4", "age=30"]))
    assert first_is_head.roles == {"person_1": "head", "person_2": "member"}


def test_the_file_period_is_used_unless_overridden(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text("period: 2008-01\npersons:\n  - {age: 72}\n")
    household = load_household("timor_leste", path)
    assert simulate_household("timor_leste", household).period == "2008-01"
    assert simulate_household("timor_leste", household, "2024-03").scenario("baseline").total == 80.0


def test_default_period_is_this_month_capped_at_the_latest_legislation_year():
    system = single_household.scenario_system("timor_leste", ())
    assert str(single_household.default_period(system, datetime.date(2020, 5, 10))) == "2020-05"
    far = single_household.default_period(system, datetime.date(2100, 3, 1))
    assert far.start.month == 3 and 2024 <= far.start.year < 2100


def test_declared_conditions_state_the_verdict(monkeypatch):
    spec = load_country("timor_leste")
    bdm = spec.programmes["bolsa_da_mae"].model_copy(update={"conditions": ["bolsa_da_mae_vulnerable", "bolsa_da_mae_eligible_child"]})
    patched = spec.model_copy(update={"programmes": {"bolsa_da_mae": bdm}})
    monkeypatch.setattr(single_household, "load_country", lambda country: patched)
    household = load_household("timor_leste", persons=["age=40", "age=8,in_school=true"])
    result = simulate_household("timor_leste", household, "2024-03").scenario("baseline").programmes
    (bdm_result,) = result
    assert bdm_result.amount == 8.0 and bdm_result.conditions == bdm.conditions
    (verdict,) = bdm_result.verdicts
    # Without declared conditions only the household-level flag would be named; with them both are.
    assert [item["name"] for item in verdict.because] == ["bolsa_da_mae_vulnerable", "bolsa_da_mae_eligible_child"]

    wrong = spec.programmes["bolsa_da_mae"].model_copy(update={"conditions": ["no_such_variable"]})
    monkeypatch.setattr(
        single_household, "load_country", lambda country: spec.model_copy(update={"programmes": {"bdm": wrong}})
    )
    with pytest.raises(HouseholdError, match="unknown condition variable 'no_such_variable'"):
        simulate_household("timor_leste", household, "2024-03")


def test_inputs_left_to_their_defaults_are_reported():
    report = household_json("--person", "age=72", "--period", "2024-03")
    # Bolsa da Mãe's poverty test read household_consumption, which was not given: its default (0) was used.
    assert report["defaults_used"]["household_consumption"] == 0
    assert report["defaults_used"]["municipality"] == "Dili"
    assert "age" not in report["defaults_used"] and "date_of_birth" not in report["defaults_used"]
    given = household_json(
        "--person", "age=72", "--household", "household_consumption=100,municipality=Ainaro", "--period", "2024-03"
    )
    assert "household_consumption" not in given["defaults_used"] and "municipality" not in given["defaults_used"]
    nobody_aged = household_json("--person", "sex=male", "--period", "2024-03")
    assert nobody_aged["defaults_used"]["date_of_birth"] == "1970-01-01"


def test_any_package_with_a_floorsim_yaml_works_roles_by_age():
    # The PyPI country template (floorsim/country_packages/country_template/floorsim.yaml): roles adult/child, adults from
    # adult_age 18; basic income EUR 600 a month from age 18 since December 2016 (the template's own parameters).
    report = household_json(
        "--country", "country_template", "--person", "name=a,birth=1980-05-01",
        "--person", "name=b,birth=1985-01-01", "--person", "name=c,birth=2015-01-01", "--period", "2017-03",
    )
    assert [(person["name"], person["role"]) for person in report["household"]["persons"]] == [
        ("a", "adult"), ("b", "adult"), ("c", "child")
    ]
    assert programme(report, "basic_income")["amounts"] == {"a": 600.0, "b": 600.0, "c": 0.0}
    assert list(report["scenarios"]["baseline"]["programmes"]) == list(load_country("country_template").programmes)


def test_declared_conditions_that_all_hold_without_payment_fall_back_to_the_formula(monkeypatch):
    spec = load_country("timor_leste")
    covid = spec.programmes["covid_household_transfer"].model_copy(update={"conditions": ["covid_household_transfer_eligible"]})
    monkeypatch.setattr(
        single_household, "load_country", lambda country: spec.model_copy(update={"programmes": {"covid": covid}})
    )
    household = load_household("timor_leste", persons=["age=40"])
    (result,) = simulate_household("timor_leste", household, "2020").scenario("baseline").programmes
    assert result.amount == 2 * 100.0  # April and May 2020
    summary = [(v.period, v.status, [item["name"] for item in v.because]) for v in result.verdicts]
    assert summary == [
        ("2020-01 to 2020-03", "not_in_force", []),
        ("2020-04 to 2020-05", "paid", ["covid_household_transfer_eligible"]),
        ("2020-06 to 2020-12", "not_paid", ["benefits.covid_household_transfer.month_covered"]),
    ]
