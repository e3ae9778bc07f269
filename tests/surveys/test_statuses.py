"""Administrative statuses of a synthetic survey (profile ``statuses``; floorsim/surveys/synthetic/statuses.py) and the bundled
Viet Nam survey: shares recomputed from the written files against the profile's published figures (read straight
from the YAML), the Decree 07/2021 rule checked household by household, systematic draws by hand, determinism, no
change to the columns drawn before, the data model's checks, and one-line errors for bad status entries."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.surveys.bundled import VIET_NAM_HOUSEHOLDS, VIET_NAM_PROFILE, VIET_NAM_SURVEY
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import read_survey_folder
from floorsim.surveys.model import Survey, is_money_column
from floorsim.surveys.readers.currency import convert_currency
from floorsim.surveys.synthetic import generate_survey, load_targets
from floorsim.surveys.synthetic.profile import Status
from floorsim.surveys.synthetic.statuses import draw_status

SMALL = 800  # households: enough for every calibration cell, fast


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(VIET_NAM_PROFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bundled() -> Survey:
    return read_survey_folder(VIET_NAM_SURVEY)


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return pd.read_csv(VIET_NAM_SURVEY / "calibration_report.csv")


def write(tmp_path: Path, profile: dict, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def household_frame(survey: Survey) -> pd.DataFrame:
    """Households with their size counted from the persons file (not the model's helper)."""
    size = survey.persons.groupby("household_id").size().rename("size")
    return survey.households.join(size, on="household_id")


def test_bundled_survey_is_viet_nam_income_in_vnd(bundled: Survey) -> None:
    meta = bundled.metadata
    assert (meta.country, meta.currency, meta.welfare_concept, meta.synthetic) == ("VNM", "VND", "income", True)
    assert len(bundled) == VIET_NAM_HOUSEHOLDS
    assert meta.extra["statuses"].split(", ")[:2] == ["deprivation_count", "poverty_certificate"]


def test_certified_shares_equal_the_published_2022_shares(bundled: Survey, raw: dict, report: pd.DataFrame) -> None:
    hh = bundled.households
    w = hh["weight"].to_numpy()
    targets = {t["value_of_status"]: t["value"] for t in raw["statuses"]["poverty_certificate"]["targets"]}
    assert targets == {"poor": 0.0403, "near_poor": 0.0349}  # MoLISA's 2022 review, as the sources note says
    for value, target in targets.items():
        achieved = w[(hh["poverty_certificate"] == value).to_numpy()].sum() / w.sum()
        # Within 0.02 points: the draw is exact up to one household's weight (about 1/5,000 of the total).
        assert achieved == pytest.approx(target, abs=2e-4), value
        row = report.loc[report["figure"] == f"share of households with poverty_certificate = {value}"]
        assert row["target"].item() == target and row["achieved"].item() == pytest.approx(achieved, rel=1e-9)


def test_certificates_follow_decree_07_household_by_household(bundled: Survey, raw: dict) -> None:
    hh = household_frame(bundled)
    lines = raw["welfare"]["poverty_line"]  # 2,000,000 urban, 1,500,000 rural VND per person per month
    line = np.where(hh["urban"], lines["urban"], lines["rural"])
    below = hh["income"].to_numpy() / hh["size"].to_numpy() <= line
    deprived = hh["deprivation_count"].to_numpy() >= 3
    expected = np.where(below & deprived, "poor", np.where(below, "near_poor", "none"))
    assert (hh["poverty_certificate"].to_numpy() == expected).all()
    assert hh["deprivation_count"].between(0, 12).all()


def test_pension_receipt_among_older_persons_and_amounts(bundled: Survey, raw: dict) -> None:
    persons = bundled.persons.merge(bundled.households[["household_id", "weight"]], on="household_id")
    older = persons[persons["age"] >= 60]
    receiving = older["weight"][older["monthly_pension"] > 0].sum() / older["weight"].sum()
    assert receiving == pytest.approx(0.235, abs=0.003)  # 23.5% of persons aged 60+ in 2019
    assert set(persons["monthly_pension"].unique()) == {0.0, 3e6, 6e6}
    assert (persons.loc[persons["age"] < 60, "monthly_pension"] == 0).all()
    assert is_money_column("monthly_pension")


def test_disability_certificates_only_for_washington_group_severity_2_and_3(bundled: Survey) -> None:
    persons = bundled.persons
    certified = persons["disability_certificate"] != "none"
    assert persons.loc[certified, "disability_severity"].isin([2, 3]).all()
    severe3 = persons[persons["disability_severity"] == 3]
    # Rule 1 of the profile: 60% of severity 3 certified especially severe (weighted, systematic draw).
    w = bundled.households.set_index("household_id")["weight"].loc[severe3["household_id"]].to_numpy()
    share = w[(severe3["disability_certificate"] == "especially_severe").to_numpy()].sum() / w.sum()
    assert share == pytest.approx(0.60, abs=0.01)


def test_statuses_sit_where_their_rules_put_them(bundled: Survey) -> None:
    persons = bundled.persons.merge(bundled.households, on="household_id")
    assert not persons.loc[persons["urban"], "especially_difficult_commune"].any()
    assert not persons.loc[persons["region"] == "Red River Delta", "especially_difficult_commune"].any()
    children_without_support = persons[persons["no_supporter"] & (persons["age"] < 18)]
    assert len(children_without_support) and children_without_support["orphan"].all()
    cared = persons[persons["community_care"]]
    assert cared["no_supporter"].all() and (cared["poverty_certificate"] == "poor").all()
    assert (cared["age"] >= 60).all()
    adults = persons[persons["age"].between(15, 49)]
    hiv = adults["weight"][adults["hiv"]].sum() / adults["weight"].sum()
    assert hiv == pytest.approx(0.0044, abs=3e-4)  # adult prevalence 0.44% (2009)


def test_bundled_survey_is_what_floorsim_synth_writes(tmp_path: Path, bundled: Survey) -> None:
    out = tmp_path / "again"
    result = CliRunner().invoke(app, ["synth", str(VIET_NAM_PROFILE), "--out", str(out), "--households",
                                      str(VIET_NAM_HOUSEHOLDS), "--seed", "1"])
    assert result.exit_code == 0, result.output
    again = read_survey_folder(out)
    pd.testing.assert_frame_equal(again.households, bundled.households)
    pd.testing.assert_frame_equal(again.persons, bundled.persons)
    assert (out / "calibration_report.csv").read_bytes() == (VIET_NAM_SURVEY / "calibration_report.csv").read_bytes()


def test_same_seed_same_statuses_other_seed_others() -> None:
    targets = load_targets(VIET_NAM_PROFILE)
    first, second = generate_survey(targets, 5, SMALL), generate_survey(targets, 5, SMALL)
    pd.testing.assert_frame_equal(first.persons, second.persons)
    pd.testing.assert_frame_equal(first.households, second.households)
    other = generate_survey(targets, 6, SMALL)
    assert not np.array_equal(first.households["deprivation_count"], other.households["deprivation_count"])


def test_statuses_change_no_column_drawn_before(tmp_path: Path, raw: dict) -> None:
    without = copy.deepcopy(raw)
    del without["statuses"]
    plain = generate_survey(write(tmp_path, without), 7, SMALL)
    full = generate_survey(VIET_NAM_PROFILE, 7, SMALL)
    pd.testing.assert_frame_equal(full.households[plain.households.columns], plain.households)
    pd.testing.assert_frame_equal(full.persons[plain.persons.columns], plain.persons)
    assert "poverty_certificate" not in plain.households and "monthly_pension" not in plain.persons


def test_systematic_draw_by_hand() -> None:
    status = Status.model_validate({"level": "household", "values": ["a", "b", "c"], "default": "c",
                                    "rules": [{"probabilities": {"a": 0.25, "b": 0.5}, "source": "x"}]})
    facts = {"urban": np.zeros(4, bool)}
    u = np.array([0.9, 0.1, 0.5, 0.3])  # order by u: units 1, 3, 2, 0
    weight = np.array([1.0, 1.0, 1.0, 1.0])
    # start 0.5: ranks (0 + 0.5) / 4 = 0.125, 0.375, 0.625, 0.875 -> a below 0.25, b below 0.75, c the rest.
    drawn = draw_status(status, facts, {}, u, weight, np.array([0.5]))
    assert drawn.tolist() == ["c", "a", "b", "b"]
    # Unequal weights, start 0: ranks 0, 3/6, 4/6, 5/6 (unit 1 weighs 3): a, b, b, c.
    weight = np.array([1.0, 3.0, 1.0, 1.0])
    drawn = draw_status(status, facts, {}, u, weight, np.array([0.0]))
    assert drawn.tolist() == ["c", "a", "b", "b"]
    drawn = draw_status(status, facts, {}, u, weight, np.array([0.99]))
    # Ranks (0 + 2.97) / 6 = 0.495, (3 + 0.99) / 6 = 0.665, (4.99) / 6 = 0.832, (5.99) / 6 = 0.998.
    assert drawn.tolist() == ["c", "b", "c", "b"]


def test_data_model_refuses_bad_status_values(bundled: Survey) -> None:
    hh, persons = bundled.households.copy(), bundled.persons.copy()
    first = hh["household_id"].iloc[0]
    for column, value, message in (("poverty_certificate", "rich", "poverty_certificate must be one of"),
                                   ("deprivation_count", 13, "deprivation_count must be 0-12")):
        broken = hh.copy()
        broken.loc[0, column] = value
        with pytest.raises(SurveyError, match=message) as caught:
            Survey(broken, persons, bundled.metadata)
        assert caught.value.rows == [first]
    broken = persons.copy()
    broken.loc[0, "monthly_pension"] = -1.0
    with pytest.raises(SurveyError, match="monthly_pension must be finite and non-negative"):
        Survey(hh, broken, bundled.metadata)
    broken = persons.copy()
    broken.loc[0, "disability_certificate"] = "partial"
    with pytest.raises(SurveyError, match="disability_certificate must be one of"):
        Survey(hh, broken, bundled.metadata)


def test_currency_conversion_converts_pensions(bundled: Survey) -> None:
    converted = convert_currency(bundled, "USD", 0.00004, "test rate")
    expected = bundled.persons["monthly_pension"].to_numpy() * 0.00004
    np.testing.assert_allclose(converted.persons["monthly_pension"].to_numpy(), expected)
    assert converted.persons["monthly_pension"].max() == pytest.approx(240.0)  # 6,000,000 VND x 0.00004


def _status(raw: dict, name: str) -> dict:
    return raw["statuses"][name]


BAD = [
    ("unknown column", lambda r: r["statuses"].__setitem__("wealth", {"level": "household", "values": [True, False],
                                                                      "default": False}),
     "statuses.wealth", "not a household status column"),
    ("wrong level", lambda r: _status(r, "hiv").__setitem__("level", "household"), "statuses.hiv",
     "not a household status column"),
    ("value not allowed", lambda r: _status(r, "poverty_certificate")["values"].append("rich"),
     "statuses.poverty_certificate.values", "'rich' is not one of"),
    ("value of the wrong type", lambda r: _status(r, "hiv")["values"].append("yes"), "statuses.hiv.values",
     "is not a bool"),
    ("probabilities above 1", lambda r: _status(r, "hiv")["rules"][0]["probabilities"].__setitem__(True, 1.5),
     "statuses.hiv.rules[0].probabilities", "must lie in"),
    ("probabilities add up to more than 1",
     lambda r: _status(r, "monthly_pension")["rules"][0]["probabilities"].__setitem__(3000000, 0.9),
     "statuses.monthly_pension.rules[0].probabilities", "add up to more than 1"),
    ("unknown value in probabilities",
     lambda r: _status(r, "poverty_certificate")["rules"][0]["probabilities"].__setitem__("destitute", 0.1),
     "statuses.poverty_certificate.rules[0].probabilities", "'destitute' is not one of the values"),
    ("person condition in a household status",
     lambda r: _status(r, "deprivation_count")["rules"][0]["when"].__setitem__("ages", [60, None]),
     "statuses.deprivation_count.rules[0].when.ages", "person condition"),
    ("status used before it is defined",
     lambda r: _status(r, "deprivation_count")["rules"][0]["when"].__setitem__("statuses",
                                                                              {"poverty_certificate": ["poor"]}),
     "statuses.deprivation_count.rules[0].when.statuses.poverty_certificate", "not defined earlier"),
    ("unknown region", lambda r: _status(r, "especially_difficult_commune")["rules"][0]["when"].__setitem__(
        "regions", ["Atlantis"]), "statuses.especially_difficult_commune.rules[0].when.regions", "unknown region"),
    ("not found without an assumption", lambda r: _status(r, "hiv")["rules"][1].pop("assumption"),
     "statuses.hiv.rules.1", "needs an 'assumption:'"),
    ("unknown source", lambda r: _status(r, "hiv")["rules"][0].__setitem__("source", "unaids_2030"),
     "statuses.hiv.rules[0]", "unknown source 'unaids_2030'"),
    ("default not among the values", lambda r: _status(r, "hiv").__setitem__("default", None),
     "statuses.hiv.default", "is not one of the values"),
]


@pytest.mark.parametrize("case, change, field, message", BAD, ids=[case for case, _, _, _ in BAD])
def test_bad_status_entries_are_one_line_cli_errors(tmp_path: Path, raw: dict, case, change, field, message):
    broken = copy.deepcopy(raw)
    change(broken)
    path = write(tmp_path, broken)
    out = tmp_path / "never"
    result = CliRunner().invoke(app, ["synth", str(path), "--out", str(out), "--households", "600"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert field in lines[0] and message in lines[0] and str(path) in lines[0], lines[0]
    assert not out.exists()
