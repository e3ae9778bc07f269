"""End to end: ``floorsim run`` with no survey argument runs on the bundled survey and writes summary.json.

Expected figures are computed a second way, directly from the survey table with pandas and the 2025 rules as
published (USD 60 a month from age 60 or for adults unable to work, +20 at 70-79, +40 at 80+), not by the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from indicators import fgt
from surveys.bundled import BUNDLED_SURVEY, generate_bundled_survey, load_bundled_survey
from surveys.io import survey_hash


def saii_2025_by_hand(persons: pd.DataFrame, base: float = 60.0) -> np.ndarray:
    age = persons["age"].to_numpy()
    eligible = (age >= 60) | ((age >= 18) & (persons["disability_severity"].to_numpy() >= 3))
    supplement = np.select([age >= 80, age >= 70], [40.0, 20.0], 0.0)
    return np.where(eligible, 12 * (base + supplement), 0.0)


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    completed = subprocess.run(
        [sys.executable, "-m", "simulations.cli", "run", "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "baseline vs saii_increase" in completed.stdout
    return json.loads((out / "summary.json").read_text())


def test_saii_cost_and_beneficiaries_match_a_direct_calculation(summary):
    survey = load_bundled_survey()
    weights = survey.person_weight
    baseline = saii_2025_by_hand(survey.persons)
    reform = saii_2025_by_hand(survey.persons, base=80.0)
    headline = summary["headline"]
    assert headline["saii_cost"]["baseline"] == pytest.approx(float(np.sum(weights * baseline)), rel=1e-9)
    assert headline["saii_cost"]["reform"] == pytest.approx(float(np.sum(weights * reform)), rel=1e-9)
    assert headline["saii_beneficiaries"]["baseline"] == pytest.approx(float(np.sum(weights * (baseline > 0))), rel=1e-9)


def test_poverty_matches_a_direct_calculation(summary):
    survey = load_bundled_survey()
    prices = summary["provenance"]["prices"]
    line = prices["poverty_line_per_person_per_month"]
    gain = saii_2025_by_hand(survey.persons, 80.0) - saii_2025_by_hand(survey.persons)
    household_gain = pd.Series(gain).groupby(survey.person_household_index).sum().to_numpy() / 12
    consumption = survey.households["consumption"].to_numpy() * prices["consumption_uprating"]
    size = survey.household_size
    before = (consumption / size)[survey.person_household_index]
    after = ((consumption + household_gain) / size)[survey.person_household_index]
    headline = summary["headline"]
    assert headline["poverty_headcount"]["baseline"] == pytest.approx(fgt(before, survey.person_weight, line), abs=1e-12)
    assert headline["poverty_headcount"]["reform"] == pytest.approx(fgt(after, survey.person_weight, line), abs=1e-12)
    assert headline["poverty_headcount"]["change"] < 0


def test_summary_provenance_identifies_the_bundled_survey(summary):
    provenance = summary["provenance"]
    assert provenance["survey"]["sha256"] == survey_hash(BUNDLED_SURVEY)
    assert provenance["survey"]["synthetic"] is True
    assert provenance["period"] == 2025
    assert provenance["run"]["seed"] == 0


def test_bundled_survey_is_what_the_generator_makes():
    """The committed files are the generator's output for the recorded seed: nothing was edited by hand."""
    committed, fresh = load_bundled_survey(), generate_bundled_survey()
    pd.testing.assert_frame_equal(committed.households, fresh.households)
    pd.testing.assert_frame_equal(committed.persons, fresh.persons)
    assert committed.metadata == fresh.metadata
