"""describe_survey: figures worked out by hand on the tiny survey, and each warning triggered on purpose."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import Survey, describe_survey
from floorsim.surveys.describe import survey_warnings
from tests.conftest import make_tiny_survey


def test_figures_of_the_tiny_survey(tiny_survey):
    report = describe_survey(tiny_survey)
    sizes = report["sizes"]
    assert (sizes["households"], sizes["persons"]) == (4, 9)
    assert sizes["weighted_households"] == 650.0
    assert sizes["weighted_persons"] == 100 * 3 + 200 * 2 + 50 * 2 + 300 * 2
    assert sizes["mean_household_size_weighted"] == pytest.approx(1400 / 650)
    assert (sizes["strata"], sizes["psus"], sizes["regions"]) == (None, None, 3)
    totals = report["totals"]
    assert totals["welfare"] == 100 * 150 + 200 * 80 + 50 * 120 + 300 * 300
    assert totals["welfare_per_capita_mean"] == pytest.approx(127_000 / 1400)
    assert report["distributions"]["persons_by_sex"] == {"female": 750.0, "male": 650.0}
    assert report["distributions"]["households_by_size"] == {"2": 550.0, "3": 100.0}
    assert report["distributions"]["persons_by_age_group"]["65+"] == 100 + 100 + 50  # ages 72, 65, 84
    assert report["survey"]["welfare_unit"] == "USD per household per month"
    assert report["missing"] == {}
    assert report["warnings"] == []
    json.dumps(report)  # plain Python values only


def suspicious_survey() -> Survey:
    tiny = make_tiny_survey()
    big = pd.DataFrame(
        {
            "person_id": np.arange(500, 521),
            "household_id": 5,
            "age": [12] + [30] * 20,
            "sex": "female",
            "relationship": ["head"] + ["other_relative"] * 20,
            "disability_severity": 0,
            "pregnant": False,
            "in_school": False,
        }
    )
    persons = pd.concat([tiny.persons, big], ignore_index=True)
    persons.loc[persons["person_id"] == 31, "age"] = 105
    persons.loc[persons["person_id"] == 11, "pregnant"] = True  # a man
    persons.loc[persons["person_id"] == 22, "in_school"] = True  # aged 2
    households = pd.concat(
        [
            tiny.households,
            pd.DataFrame({"household_id": [5], "weight": [100_000.0], "region": ["Dili"], "urban": [True],
                          "consumption": [0.0]}),
        ],
        ignore_index=True,
    )
    return Survey(households, persons, tiny.metadata)


def test_each_warning_names_its_rows():
    found = {w["rule"].split(" (")[0]: w for w in survey_warnings(suspicious_survey())}
    assert found["household with more than 20 members"]["ids"] == [5]
    assert found["person older than 100 years"]["ids"] == [31]
    assert found["household head younger than 15"]["ids"] == [500]
    assert found["household with zero consumption"]["ids"] == [5]
    assert found["household weight more than 10 times the median weight"]["ids"] == [5]
    assert found["pregnant male"]["ids"] == [11]
    assert found["in school under age 3"]["ids"] == [22]
    assert found["pregnant male"]["count"] == 1
    assert "household without a member aged 15 or more" not in found  # household 5 has adults


def test_warnings_of_income_surveys_and_report_shape():
    tiny = make_tiny_survey()
    households = tiny.households.drop(columns="consumption").assign(income=[150.0, -5.0, 120.0, 300.0])
    survey = Survey(households, tiny.persons, replace(tiny.metadata, welfare_concept="income"))
    report = describe_survey(survey)
    rules = [w["rule"] for w in report["warnings"]]
    assert "household with negative income" in rules
    assert set(report) == {"survey", "sizes", "totals", "distributions", "missing", "warnings"}


def test_extreme_welfare_is_measured_against_the_weighted_median_over_persons():
    # Per-capita consumption of the tiny survey, household 4 made rich: 50 (3 persons x weight 100), 40 (2 x 200),
    # 60 (2 x 50), 2000 (2 x 300). Sorted, the person weights are 400 | 300 | 100 | 600 of 1,400: the cumulative
    # weight reaches exactly half (700) at 50, so the median is (50 + 60) / 2 = 55 (Eurostat's definition, as in
    # floorsim.indicators.weighted_quantile), and only household 4 lies above 20 x 55 = 1,100.
    tiny = make_tiny_survey()
    households = tiny.households.assign(consumption=[150.0, 80.0, 120.0, 4000.0])
    found = survey_warnings(Survey(households, tiny.persons, tiny.metadata))
    assert [(w["rule"], w["ids"]) for w in found] == [
        ("consumption per capita more than 20 times the weighted median (55.00)", [households["household_id"][3]])
    ]
