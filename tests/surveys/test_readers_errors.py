"""Every malformed file, mapping or value is a SurveyError naming the file, the field, the row ids and the rule."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from floorsim.surveys import SurveyError, load_survey

# Three households, five persons, in one file; amounts are annual.
ROWS = pd.DataFrame(
    {
        "hh": [1, 1, 2, 3, 3],
        "pid": [11, 12, 21, 31, 32],
        "w": [100.0, 100.0, 50.0, 80.0, 80.0],
        "reg": ["A", "A", "B", "B", "B"],
        "urb": ["U", "U", "R", "R", "R"],
        "age": [40, 38, 70, 30, 2],
        "sex": [1, 2, 2, 1, 2],
        "rel": [1, 2, 1, 1, 3],
        "wage": [12000.0, 6000.0, np.nan, 2400.0, np.nan],
        "pension": [0.0, 0.0, 3600.0, 0.0, 0.0],
        "job": ["work", "home", "retired", "work", "child"],
    }
)
MAPPING = {
    "metadata": {"name": "tiny", "country": "TLS", "reference_year": 2024, "currency": "USD",
                 "welfare_concept": "consumption"},
    "households": {
        "household_id": "hh",
        "weight": "w",
        "region": "reg",
        "urban": {"column": "urb", "recode": {"U": True, "R": False}},
        "consumption": {"household_total": ["wage", "pension"], "fill_missing": 0, "per": "year"},
    },
    "persons": {
        "person_id": "pid",
        "household_id": "hh",
        "age": "age",
        "sex": {"column": "sex", "recode": {1: "male", 2: "female"}},
        "relationship": {"column": "rel", "recode": {1: "head", 2: "spouse", 3: "child"}},
        "disability_severity": {"constant": 0},
        "pregnant": {"constant": False},
        "in_school": {"constant": False},
        "employment_status": {
            "column": "job",
            "recode": {"work": "employed"},
            "other": "inactive",
        },
        "income_wages": {"column": "wage", "per": "year", "fill_missing": 0},
    },
}


def write_csv(tmp_path: Path, rows: pd.DataFrame = ROWS, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    rows.to_csv(path, index=False)
    return path


def mapping_with(change) -> dict:
    mapping = copy.deepcopy(MAPPING)
    change(mapping)
    return mapping


def error_of(path, mapping) -> SurveyError:
    with pytest.raises(SurveyError) as caught:
        load_survey(path, mapping=mapping)
    return caught.value


def test_the_valid_file_reads(tmp_path):
    survey = load_survey(write_csv(tmp_path), mapping=MAPPING)
    np.testing.assert_allclose(survey.households["consumption"], [1500.0, 300.0, 200.0])
    assert survey.households["urban"].tolist() == [True, False, False]
    assert survey.persons["employment_status"].tolist() == ["employed", "inactive", "inactive", "employed", "inactive"]
    np.testing.assert_allclose(survey.persons["income_wages"], [1000.0, 500.0, 0.0, 200.0, 0.0])


def test_absent_column_names_mapping_key_and_file(tmp_path):
    path = write_csv(tmp_path)
    error = error_of(path, mapping_with(lambda m: m["persons"].update(age="age_years")))
    assert error.field == "persons.age"
    assert error.source == str(path)
    assert "age_years" in error.rule and "does not have" in error.rule


def test_expressions_are_column_names_never_code(tmp_path):
    error = error_of(write_csv(tmp_path), mapping_with(lambda m: m["households"].update(consumption="wage + pension")))
    assert error.field == "households.consumption"
    assert "'wage + pension'" in error.rule


def test_unknown_code_names_rows(tmp_path):
    rows = ROWS.assign(sex=[1, 2, 9, 1, 2])
    error = error_of(write_csv(tmp_path, rows), MAPPING)
    assert error.field == "persons.sex.recode"
    assert error.rows == [21]
    assert "['9']" in error.rule


def test_value_outside_model_categories_without_recode(tmp_path):
    rows = ROWS.assign(job=["employed", "home", "retired", "employed", "child"])
    error = error_of(
        write_csv(tmp_path, rows), mapping_with(lambda m: m["persons"].update(employment_status={"column": "job"}))
    )
    assert error.field == "persons.employment_status"
    assert error.rows == [12, 21, 32]


def test_non_numeric_money_names_rows(tmp_path):
    rows = ROWS.assign(pension=["0", "0", "lots", "0", "0"])
    error = error_of(write_csv(tmp_path, rows), MAPPING)
    # The bad value sits in person 21's row: household_total reads person rows, and says so.
    assert error.field == "households.consumption"
    assert error.rows == [21]
    assert "not numbers" in error.rule and "lots" in error.rule and "person ids" in error.rule


def test_non_finite_money_names_rows(tmp_path):
    rows = ROWS.assign(wage=[12000.0, np.inf, np.nan, 2400.0, np.nan])
    error = error_of(write_csv(tmp_path, rows), MAPPING)
    assert error.field == "households.consumption"
    assert error.rows == [1]
    assert "finite" in error.rule


def test_missing_values_need_fill_missing(tmp_path):
    rows = ROWS.assign(age=[40, np.nan, 70, 30, np.nan])
    error = error_of(write_csv(tmp_path, rows), MAPPING)
    assert (error.field, error.rows) == ("persons.age", [12, 32])
    assert "fill_missing" in error.rule
    filled = load_survey(
        write_csv(tmp_path, rows, "filled.csv"),
        mapping=mapping_with(lambda m: m["persons"].update(age={"column": "age", "fill_missing": 0})),
    )
    assert filled.persons["age"].tolist() == [40, 0, 70, 30, 0]


def test_fractional_ages_are_rejected(tmp_path):
    error = error_of(write_csv(tmp_path, ROWS.assign(age=[40, 38.5, 70, 30, 2])), MAPPING)
    assert (error.field, error.rows) == ("persons.age", [12])
    assert "whole numbers" in error.rule


def test_household_variable_must_agree_across_members(tmp_path):
    rows = ROWS.assign(w=[100.0, 101.0, 50.0, 80.0, 80.0])
    error = error_of(write_csv(tmp_path, rows), MAPPING)
    assert (error.field, error.rows) == ("households.weight", [1])


def test_unreadable_booleans_name_rows(tmp_path):
    error = error_of(
        write_csv(tmp_path), mapping_with(lambda m: m["households"].update(urban={"column": "urb"}))
    )
    assert error.field == "households.urban"
    assert error.rows == [1, 2, 3]  # household ids (urb holds U/R, not true/false)


@pytest.mark.parametrize(
    ("rows", "field", "ids", "rule"),
    [
        (ROWS.assign(pid=[11, 11, 21, 31, 32]), "person_id", [11], "unique"),
        (ROWS.assign(w=[0.0, 0.0, 50.0, 80.0, 80.0]), "weight", [1], "positive"),
        (ROWS.assign(age=[40, 38, 170, 30, 2]), "age", [21], "between 0 and 120"),
        (ROWS.assign(rel=[1, 1, 1, 1, 3]), "relationship", [1], "exactly one head"),
        (ROWS.assign(wage=[-12000.0, 0.0, np.nan, 2400.0, np.nan]), "consumption", [1], "non-negative"),
    ],
)
def test_data_model_rules_name_file_field_and_ids(tmp_path, rows, field, ids, rule):
    path = write_csv(tmp_path, rows)
    error = error_of(path, MAPPING)
    assert (error.field, error.rows) == (field, ids)
    assert rule in error.rule
    assert str(path) in str(error)


def two_files(tmp_path: Path, households: pd.DataFrame, persons: pd.DataFrame) -> dict[str, Path]:
    return {
        "households": write_csv(tmp_path, households, "households.csv"),
        "persons": write_csv(tmp_path, persons, "persons.csv"),
    }


def test_two_file_orphans_and_empty_households(tmp_path):
    households = ROWS.drop_duplicates("hh")[["hh", "w", "reg", "urb"]]
    persons = ROWS.drop(columns=["w", "reg", "urb"])
    assert len(load_survey(two_files(tmp_path, households, persons), mapping=MAPPING)) == 3
    error = error_of(two_files(tmp_path, households, persons.assign(hh=[1, 1, 2, 3, 4])), MAPPING)
    assert (error.field, error.rows) == ("household_id", [32])
    assert "belongs to no household" in error.rule
    extra = pd.concat([households, pd.DataFrame({"hh": [5], "w": [1.0], "reg": ["C"], "urb": ["U"]})])
    error = error_of(two_files(tmp_path, extra, persons), MAPPING)
    assert (error.field, error.rows) == ("household_id", [5])
    assert "no members" in error.rule
    error = error_of(two_files(tmp_path, pd.concat([households, households.iloc[[1]]]), persons), MAPPING)
    assert (error.field, error.rows) == ("households.household_id", [2])


def test_mapping_file_errors_name_the_mapping_and_key(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(mapping_with(lambda m: m["persons"]["sex"].update(recod={1: "male"}))))
    error = error_of(write_csv(tmp_path), path)
    assert error.source == str(path)
    assert error.field == "persons.sex.recod"
    path.write_text("households: [unclosed")
    assert "not valid YAML" in error_of(write_csv(tmp_path), path).rule
    assert "not found" in error_of(write_csv(tmp_path), tmp_path / "absent.yaml").rule


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("survey.xlsx", b"whatever", "unknown file type"),
        ("survey.parquet", b"not parquet", "cannot be read as a parquet file"),
        ("survey.dta", b"not stata", "cannot be read as a stata file"),
        ("survey.sav", b"not spss", "cannot be read as a spss file"),
    ],
)
def test_unreadable_files(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_bytes(content)
    error = error_of(path, MAPPING)
    assert rule in error.rule
    assert error.source == str(path)


def test_absent_file_and_missing_mapping(tmp_path):
    assert "not found" in error_of(tmp_path / "nowhere.csv", MAPPING).rule
    with pytest.raises(SurveyError, match="mapping"):
        load_survey(write_csv(tmp_path))  # a plain file is not a floorsim folder: it needs a mapping
    with pytest.raises(SurveyError, match="needs a mapping"):
        load_survey({"households": "a.csv", "persons": "b.csv"})


def test_a_failed_read_writes_nothing(tmp_path):
    path = write_csv(tmp_path, ROWS.assign(sex=[1, 2, 9, 1, 2]))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    error_of(path, MAPPING)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
