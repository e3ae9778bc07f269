"""Household-level files through a mapping: generated ids, persons implied by household size, currency conversion.

Every expected value is written out by hand from the small file below.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import load_survey
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.mapping import load_mapping
from floorsim.surveys.model import UNKNOWN_MEMBER_AGE, UNKNOWN_MEMBER_SEX
from floorsim.surveys.readers import convert_currency

# Three households, no ids: sizes 3, 1 and 2; the head's age and sex coded 1 male / 2 female.
FILE = pd.DataFrame({
    "hhsize": [3, 1, 2],
    "head_age": [45, 70, 33],
    "head_sex": [1, 2, 2],
    "head_disab": [0, 3, 1],
    "province": ["Dili", "Baucau", "Dili"],
    "area": [1, 0, 1],
    "cons_year": [3600.0, 960.0, 2400.0],  # annual household consumption
    "wt": [100.0, 120.0, 90.0],
})
MAPPING = {
    "metadata": {"name": "hh_file", "country": "TLS", "reference_year": 2014, "currency": "USD",
                 "welfare_concept": "consumption"},
    "households": {"household_id": {"generate": "row_number"}, "weight": "wt", "region": "province",
                   "urban": "area", "consumption": {"column": "cons_year", "per": "year"}},
    "members": {"size": "hhsize",
                "head": {"age": "head_age", "sex": {"column": "head_sex", "recode": {1: "male", 2: "female"}},
                         "disability_severity": "head_disab"}},
}


@pytest.fixture(params=["csv", "parquet", "dta"])
def household_file(request, tmp_path):
    path = tmp_path / f"households.{request.param}"
    if request.param == "csv":
        FILE.to_csv(path, index=False)
    elif request.param == "parquet":
        FILE.to_parquet(path, index=False)
    else:
        FILE.to_stata(path, write_index=False)
    return path


def test_household_file_without_ids_becomes_heads_and_members_of_unknown_age(household_file):
    survey = load_survey(household_file, mapping=MAPPING)
    assert survey.households["household_id"].tolist() == [1, 2, 3]  # the file's row numbers
    assert survey.household_size.tolist() == [3, 1, 2]
    persons = survey.persons
    assert persons["person_id"].tolist() == [1, 2, 3, 4, 5, 6]
    assert persons["household_id"].tolist() == [1, 1, 1, 2, 3, 3]
    assert persons["relationship"].tolist() == ["head", "other_relative", "other_relative", "head", "head",
                                                "other_relative"]
    assert persons["age_sex_unknown"].tolist() == [False, True, True, False, False, True]
    assert persons["age"].tolist() == [45, UNKNOWN_MEMBER_AGE, UNKNOWN_MEMBER_AGE, 70, 33, UNKNOWN_MEMBER_AGE]
    assert persons["sex"].tolist() == ["male", UNKNOWN_MEMBER_SEX, UNKNOWN_MEMBER_SEX, "female", "female",
                                       UNKNOWN_MEMBER_SEX]
    # The head's disability comes from its column; members of unknown age have none recorded.
    assert persons["disability_severity"].tolist() == [0, 0, 0, 3, 1, 0]
    # Per-capita welfare divides the household's monthly consumption by its size: 300/3, 80/1, 200/2.
    np.testing.assert_allclose(survey.welfare_per_capita(), [100.0, 80.0, 100.0])
    record = survey.metadata.extra["household_level"]
    assert record["members_of_unknown_age_and_sex"] == 3
    assert record["not_observed"] == ["pregnant", "in_school"]  # disability was given for the head


def test_placeholder_age_is_neither_child_nor_elder():
    # The documented promise: no child rule (below 18, or 24 for students) and no old-age rule (50 and over).
    assert 24 < UNKNOWN_MEMBER_AGE < 50


@pytest.mark.parametrize(
    "column, values, words, field, rows",
    [
        ("hhsize", [3, 0, 2], r"household size must be a whole number >= 1", "members.size", [2]),
        ("head_sex", [1, 2, 9], r"code\(s\) \['9'\]", "members.head.sex.recode", [3]),
    ],
)
def test_bad_values_name_the_key_and_households(tmp_path, column, values, words, field, rows):
    path = tmp_path / "households.csv"
    FILE.assign(**{column: values}).to_csv(path, index=False)
    with pytest.raises(SurveyError, match=words) as error:
        load_survey(path, mapping=MAPPING)
    assert error.value.field == field
    assert error.value.rows == rows


@pytest.mark.parametrize(
    "change, field, words",
    [
        (lambda m: m["members"]["head"].pop("sex"), "members.head.sex", "head's ['sex']"),
        (lambda m: m.update(persons={"age": "head_age"}), "persons", "instead of persons"),
        (lambda m: m["households"].update(region={"generate": "row_number"}), "households.region",
         "generate is only available"),
        (lambda m: m["members"]["head"].update(weight="wt"), "members.head.weight", "the head's variables are"),
        (lambda m: m.update(checks={"household_size": "hhsize"}), "checks.household_size", "members.size"),
    ],
)
def test_mapping_errors_name_the_key(change, field, words):
    mapping = copy.deepcopy(MAPPING)
    change(mapping)
    with pytest.raises(SurveyError) as error:
        load_mapping(mapping)
    assert error.value.field == field
    assert words in str(error.value)


def test_mapping_conversion_multiplies_money_and_is_recorded(tmp_path):
    path = tmp_path / "households.csv"
    FILE.to_csv(path, index=False)
    mapping = copy.deepcopy(MAPPING)
    mapping["metadata"]["currency"] = "IDR"
    mapping["metadata"]["conversion"] = {"currency": "USD", "rate": 0.5, "source": "test rate"}
    survey = load_survey(path, mapping=mapping)
    assert survey.metadata.currency == "USD"
    # 3600/12 × 0.5, 960/12 × 0.5, 2400/12 × 0.5
    np.testing.assert_allclose(survey.households["consumption"], [150.0, 40.0, 100.0])
    assert survey.metadata.extra["currency_conversion"] == {
        "from": "IDR", "to": "USD", "rate": 0.5, "source": "mapping metadata.conversion: test rate"}
    with pytest.raises(SurveyError, match="already converted from IDR to USD"):
        convert_currency(survey, "EUR", 2.0, "again")


def test_conversion_scales_a_money_calibration_total_but_not_counts(tmp_path):
    path = tmp_path / "households.csv"
    FILE.to_csv(path, index=False)
    survey = load_survey(path, mapping=MAPPING)
    calibration = {"method": "linear", "bounds": None, "margins": [
        {"name": "spending", "level": "household", "target": 1000.0, "column": "consumption"},
        {"name": "households", "level": "household", "target": 310.0, "column": "one"}]}
    survey.metadata = survey.metadata.__class__(**{**survey.metadata.__dict__, "calibration": calibration})
    converted = convert_currency(survey, "EUR", 0.9, "test")
    targets = [margin["target"] for margin in converted.metadata.calibration["margins"]]
    assert targets == [pytest.approx(900.0), 310.0]
    assert calibration["margins"][0]["target"] == 1000.0  # the original record is left alone
