"""The mapping format: validation of the file, and each transformation checked on hand-computed values."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import SurveyError, load_mapping, load_survey
from floorsim.surveys.mapping import PER_MONTH, canonical_code

ROOT = Path(__file__).resolve().parents[2]

BASE = {
    "metadata": {"name": "t", "country": "TLS", "reference_year": 2024, "currency": "USD",
                 "welfare_concept": "consumption"},
    "households": {
        "household_id": "hh",
        "weight": "w",
        "region": "reg",
        "urban": {"constant": True},
        "consumption": {"column": "food", "per": "week"},
    },
    "persons": {
        "person_id": "pid",
        "household_id": "hh",
        "age": "age",
        "sex": "sex",
        "relationship": {"derive": "head_oldest", "others": "other_relative"},
        "disability_severity": {"constant": 0},
        "pregnant": {"constant": False},
        "in_school": {"constant": False},
    },
}
HOUSEHOLDS = pd.DataFrame({"hh": [1, 2], "w": [10.0, 20.0], "reg": [3, 4], "food": [12.0, 6.0],
                           "rent": [100.0, 0.0], "tax": [10.0, 5.0]})
PERSONS = pd.DataFrame(
    {
        "pid": [101, 102, 103, 201],
        "hh": [1, 1, 1, 2],
        "age": [30, 60, 60, 25],
        "sex": ["female", "male", "female", "male"],
        "wage": [100.0, 200.0, np.nan, 50.0],
    }
)


def changed(change) -> dict:
    mapping = copy.deepcopy(BASE)
    change(mapping)
    return mapping


def read(tmp_path: Path, mapping: dict, households: pd.DataFrame = HOUSEHOLDS, persons: pd.DataFrame = PERSONS):
    households.to_csv(tmp_path / "h.csv", index=False)
    persons.to_parquet(tmp_path / "p.parquet", index=False)
    return load_survey({"households": tmp_path / "h.csv", "persons": tmp_path / "p.parquet"}, mapping=mapping)


def test_example_mapping_is_valid():
    mapping = load_mapping(ROOT / "floorsim" / "surveys" / "examples" / "eusilc_mapping.yaml")
    assert mapping.metadata.welfare_concept == "income"
    assert mapping.households["income"].source == "difference"
    assert mapping.persons["sex"].recode == {"female": "female", "male": "male", "1": "male", "2": "female"}


@pytest.mark.parametrize(
    ("value", "code"),
    [(1, "1"), (1.0, "1"), ("1", "1"), (" 2.0 ", "2"), (np.int32(3), "3"), (2.5, "2.5"), (True, "true"),
     ("female", "female"), (np.float64(4.0), "4")],
)
def test_canonical_code_lets_one_mapping_serve_every_format(value, code):
    assert canonical_code(value) == code


def test_per_month_factors():
    assert PER_MONTH == pytest.approx({"year": 1 / 12, "quarter": 1 / 3, "month": 1.0, "week": 52 / 12,
                                       "day": 365 / 12})


def test_units_scale_and_region_codes(tmp_path):
    survey = read(tmp_path, BASE)
    # Weekly food: 12 per week is 12 * 52 / 12 = 52 per month.
    np.testing.assert_allclose(survey.households["consumption"], [52.0, 26.0])
    assert survey.households["region"].tolist() == ["3", "4"]  # numeric codes become text without ".0"
    scaled = read(tmp_path, changed(lambda m: m["households"].update(
        consumption={"column": "food", "per": "year", "scale": 1000})))
    np.testing.assert_allclose(scaled.households["consumption"], [1000.0, 500.0])


def test_sum_difference_household_total_and_fill_missing(tmp_path):
    consumption = {
        "difference": [{"sum": ["food", "rent", {"household_total": ["wage"]}]}, "tax", 1],
        "fill_missing": 0,
    }
    survey = read(tmp_path, changed(lambda m: m["households"].update(consumption=consumption)))
    # h1: 12 + 100 + (100 + 200 + 0) - 10 - 1 = 401; h2: 6 + 0 + 50 - 5 - 1 = 50.
    np.testing.assert_allclose(survey.households["consumption"], [401.0, 50.0])


def test_household_total_without_fill_missing_is_an_error(tmp_path):
    mapping = changed(lambda m: m["households"].update(consumption={"household_total": ["wage"]}))
    with pytest.raises(SurveyError) as caught:
        read(tmp_path, mapping)
    assert (caught.value.field, caught.value.rows) == ("households.consumption", [1])


def test_clip_recode_other_and_income_components(tmp_path):
    def change(m):
        m["persons"]["age"] = {"column": "age", "clip": [None, 59]}
        m["persons"]["sex"] = {"column": "sex", "recode": {"female": "female"}, "other": "male"}
        m["persons"]["income_wages"] = {"column": "wage", "fill_missing": 0, "per": "year"}

    survey = read(tmp_path, changed(change))
    assert survey.persons["age"].tolist() == [30, 59, 59, 25]
    assert survey.persons["sex"].tolist() == ["female", "male", "female", "male"]
    np.testing.assert_allclose(survey.persons["income_wages"], [100 / 12, 200 / 12, 0.0, 50 / 12])
    assert str(survey.persons["income_wages"].dtype) == "float64"


def test_derived_head_is_the_oldest_with_ties_to_the_lowest_id(tmp_path):
    survey = read(tmp_path, BASE)
    # Persons 102 and 103 are both 60: the lower id, 102, is head.
    assert survey.persons["relationship"].tolist() == ["other_relative", "head", "other_relative", "head"]
    lowest = read(tmp_path, changed(lambda m: m["persons"].update(
        relationship={"derive": "head_lowest_person_id", "others": "child"})))
    assert lowest.persons["relationship"].tolist() == ["head", "child", "child", "head"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda m: m["persons"].pop("age"), "persons.age", "must say where"),
        (lambda m: m["persons"].update(height="h"), "persons.height", "not a variable"),
        (lambda m: m["persons"].update(income_Bad="x"), "persons.income_Bad", "not a variable"),
        (lambda m: m["households"].update(weight={"column": "w", "constant": 1}), "households.weight",
         "exactly one source"),
        (lambda m: m["households"].update(weight={"product": ["w", 2]}), "households.weight.product", "unknown key"),
        (lambda m: m["households"].update(weight={"sum": ["w", {"eval": "w*2"}]}), "households.weight.sum.1.eval",
         "unknown key"),
        (lambda m: m["persons"].update(age={"household_total": ["age"]}), "persons.age", "household variables"),
        (lambda m: m["persons"].update(sex={"derive": "head_oldest", "others": "x"}), "persons.sex", "relationship"),
        (lambda m: m["persons"]["relationship"].pop("others"), "persons.relationship", "others"),
        (lambda m: m["households"]["consumption"].update(per="fortnight"), "households.consumption.per", "year"),
        (lambda m: m["households"].update(weight={"column": "w", "clip": [5, 1]}), "households.weight", "lowest"),
        (lambda m: m["metadata"].update(welfare_concept="wealth"), "metadata.welfare_concept", "consumption"),
        (lambda m: m["metadata"].update(welfare_concept="income"), "households.income", "must say where"),
        (lambda m: m.update(version=2), "version", "1"),
        (lambda m: m.update(layout="wide"), "layout", "unknown key"),
    ],
)
def test_mapping_rules_name_the_key(change, field, words):
    with pytest.raises(SurveyError) as caught:
        load_mapping(changed(change))
    assert caught.value.field == field
    assert words in caught.value.rule


def test_derived_others_must_be_a_relationship(tmp_path):
    mapping = changed(lambda m: m["persons"].update(relationship={"derive": "head_oldest", "others": "cousin"}))
    with pytest.raises(SurveyError) as caught:
        read(tmp_path, mapping)
    assert caught.value.field == "persons.relationship.others"


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(SurveyError, match="top level") as caught:
        load_mapping(path)
    assert caught.value.source == str(path)
