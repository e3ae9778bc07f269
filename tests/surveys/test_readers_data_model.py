"""The data model's optional columns and income-based welfare, on which the readers rely."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import Survey, SurveyError, SurveyMetadata, load_survey, write_survey
from floorsim.surveys.model import HOUSEHOLD_COLUMNS, income_components, required_household_columns
from tests.conftest import make_tiny_survey


def income_survey(**household_changes) -> Survey:
    tiny = make_tiny_survey()
    households = tiny.households.drop(columns="consumption").assign(income=[150.0, -20.0, 120.0, 300.0])
    households = households.assign(**household_changes)
    metadata = dataclasses.replace(tiny.metadata, welfare_concept="income", welfare_definition="disposable income")
    return Survey(households, tiny.persons, metadata, origin="income.parquet")


def test_required_columns_follow_the_welfare_concept():
    assert required_household_columns("consumption") == HOUSEHOLD_COLUMNS
    assert "income" in required_household_columns("income")
    assert "consumption" not in required_household_columns("income")


def test_income_based_welfare():
    survey = income_survey()
    assert survey.welfare_column == "income"
    np.testing.assert_allclose(survey.welfare(), [150.0, -20.0, 120.0, 300.0])  # negative income is legal
    np.testing.assert_allclose(survey.welfare_per_capita(), [50.0, -10.0, 60.0, 150.0])
    with pytest.raises(SurveyError, match="welfare_per_capita") as caught:
        survey.consumption_per_capita()
    assert caught.value.field == "consumption"
    assert survey.metadata.welfare_unit == "USD per household per month"


def test_consumption_survey_welfare_is_consumption(tiny_survey):
    np.testing.assert_allclose(tiny_survey.welfare(), tiny_survey.households["consumption"])
    np.testing.assert_allclose(tiny_survey.welfare_per_capita(), tiny_survey.consumption_per_capita())


def test_income_survey_needs_its_income_column():
    tiny = make_tiny_survey()
    with pytest.raises(SurveyError) as caught:
        Survey(tiny.households, tiny.persons, dataclasses.replace(tiny.metadata, welfare_concept="income"))
    assert caught.value.field == "income"


def test_unknown_welfare_concept():
    with pytest.raises(SurveyError) as caught:
        SurveyMetadata(name="x", country="TLS", reference_year=2020, welfare_concept="wealth")
    assert caught.value.field == "welfare_concept"


def test_adult_equivalents():
    survey = income_survey(adult_equivalents=[2.0, 1.5, 1.5, 1.5])
    np.testing.assert_allclose(survey.welfare_per_adult_equivalent(), [75.0, -20 / 1.5, 80.0, 200.0])
    with pytest.raises(SurveyError) as caught:
        income_survey(adult_equivalents=[2.0, 0.0, 1.5, 1.5])
    assert (caught.value.field, caught.value.rows) == ("adult_equivalents", [2])
    with pytest.raises(SurveyError, match="adult_equivalents"):
        income_survey().welfare_per_adult_equivalent()


@pytest.mark.parametrize(
    ("table", "column", "values", "rows"),
    [
        ("persons", "employment_status", ["employed", "retired"] + ["inactive"] * 7, [12]),
        ("persons", "weight", [1.0, 1.0, -1.0] + [1.0] * 6, [13]),
        ("persons", "income_wages", [0.0, np.inf] + [0.0] * 7, [12]),
        ("households", "income_rent", [0.0, 0.0, np.inf, 0.0], [3]),
        ("households", "weight", [100.0, np.inf, 50.0, 300.0], [2]),
        ("households", "income", [1.0, 2.0, np.inf, 3.0], [3]),
    ],
)
def test_optional_column_rules_name_rows(table, column, values, rows):
    tiny = make_tiny_survey()
    households, persons = tiny.households, tiny.persons
    if table == "persons":
        persons = persons.assign(**{column: values})
    else:
        households = households.assign(**{column: values})
    with pytest.raises(SurveyError) as caught:
        Survey(households, persons, tiny.metadata, origin="t.parquet")
    assert (caught.value.field, caught.value.rows) == (column, rows)


def test_psu_must_lie_in_one_stratum():
    tiny = make_tiny_survey()
    households = tiny.households.assign(stratum=["a", "a", "b", "b"], psu=[1, 2, 2, 3])
    with pytest.raises(SurveyError) as caught:
        Survey(households, tiny.persons, tiny.metadata)
    assert (caught.value.field, caught.value.rows) == ("psu", [2])


def test_given_person_weights_are_used():
    tiny = make_tiny_survey()
    weights = np.arange(1.0, 10.0)
    survey = Survey(tiny.households, tiny.persons.assign(weight=weights), tiny.metadata)
    np.testing.assert_allclose(survey.person_weight, weights)
    np.testing.assert_allclose(tiny.person_weight, [100, 100, 100, 200, 200, 50, 50, 300, 300])


def test_income_components_are_float_and_round_trip(tmp_path):
    tiny = make_tiny_survey()
    persons = tiny.persons.assign(income_wages=np.arange(9), employment_status="inactive")
    households = tiny.households.assign(income_rent=[1, 2, 3, 4])
    metadata = dataclasses.replace(tiny.metadata, reference_period="2024-01/2024-12", equivalence_scale="OECD")
    survey = Survey(households, persons, metadata)
    assert income_components(survey.persons) == ["income_wages"]
    assert str(survey.persons["income_wages"].dtype) == "float64"
    again = load_survey(write_survey(survey, tmp_path / "s"))
    pd.testing.assert_frame_equal(again.persons, survey.persons)
    pd.testing.assert_frame_equal(again.households, survey.households)
    assert again.metadata == metadata
