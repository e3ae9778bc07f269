"""Shared fixtures: a tiny hand-made survey whose results can be worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from floorsim.surveys.model import Survey, SurveyMetadata


def make_tiny_survey(reference_year: int = 2025) -> Survey:
    """Four households, nine persons; written so that SAII results can be computed by hand.

    h1 (weight 100): head 72, spouse 65, grandchild 8       -> two old-age pensioners (one aged 70-79)
    h2 (weight 200): head 35 unable to work (WG 3), child 2 -> one invalidity pensioner
    h3 (weight 50):  head 59, spouse 84                     -> one pensioner aged 80+
    h4 (weight 300): head 40 (WG 2), child 10               -> nobody
    """
    households = pd.DataFrame(
        {
            "household_id": [1, 2, 3, 4],
            "weight": [100.0, 200.0, 50.0, 300.0],
            "region": ["Dili", "Baucau", "Ainaro", "Dili"],
            "urban": [True, False, False, True],
            "consumption": [150.0, 80.0, 120.0, 300.0],
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": [11, 12, 13, 21, 22, 31, 32, 41, 42],
            "household_id": [1, 1, 1, 2, 2, 3, 3, 4, 4],
            "age": [72, 65, 8, 35, 2, 59, 84, 40, 10],
            "sex": ["male", "female", "female", "female", "male", "male", "female", "male", "female"],
            "relationship": ["head", "spouse", "other_relative", "head", "child", "head", "spouse", "head", "child"],
            "disability_severity": [0, 0, 0, 3, 0, 1, 2, 2, 0],
            "pregnant": [False] * 9,
            "in_school": [False, False, True, False, False, False, False, False, True],
        }
    )
    metadata = SurveyMetadata(name="tiny", country="TLS", reference_year=reference_year, synthetic=True)
    return Survey(households, persons, metadata)


@pytest.fixture
def tiny_survey() -> Survey:
    return make_tiny_survey()
