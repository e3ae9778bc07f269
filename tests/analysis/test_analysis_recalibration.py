"""Calibration-aware replicates in the analysis and report layers, on the bundled survey (raked to households,
persons by sex and age, persons by stratum)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from floorsim.indicators import Total, estimate
from floorsim.simulations.analysis import frame_replicates
from floorsim.simulations.analysis.uncertainty import survey_recalibration
from floorsim.simulations.reports.sampling import survey_uncertainty
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.model import Survey


@pytest.fixture(scope="module")
def survey() -> Survey:
    return load_bundled_survey()


def _frame(survey: Survey, weights: np.ndarray | None = None) -> pd.DataFrame:
    """A person frame of the survey: every person carries the household weight (``results.person_frame``)."""
    index = survey.person_household_index
    households = survey.households
    w = households["weight"].to_numpy() if weights is None else weights
    return pd.DataFrame({
        "household_id": households["household_id"].to_numpy()[index], "weight": w[index],
        "stratum": households["stratum"].to_numpy()[index], "psu": households["psu"].to_numpy()[index],
        "age": survey.persons["age"].to_numpy(), "welfare_baseline": np.ones(index.size),
    })


def test_the_60_plus_count_is_fixed_by_calibration_so_its_se_collapses(survey):
    frame = _frame(survey)
    older = (frame["age"] >= 60).to_numpy(np.float64)
    recalibration, status = survey_recalibration(frame, survey)
    assert status == "recalibrated"
    plain = frame_replicates(frame, replicates=60, seed=4)
    calibrated = frame_replicates(frame, replicates=60, seed=4, recalibration=recalibration)
    # 60 is a bound of the margins' age groups: persons aged 60+ are a sum of calibrated sex x age cells.
    assert estimate(Total(older), replicates=plain).se > 1000
    assert estimate(Total(older), replicates=calibrated).se < 1.0
    # Young rural persons in even-numbered PSUs: no margin fixes them, so their SE stays (re-calibration does not
    # zero every variance).
    rural_young = ((frame["age"] < 30) & frame["stratum"].str.endswith("rural")).to_numpy(np.float64)
    assert estimate(Total(rural_young * (frame["psu"] % 2 == 0)), replicates=calibrated).se > 100


def test_status_is_none_without_a_record_and_not_met_when_weights_moved(survey):
    frame = _frame(survey)
    plain_survey = replace(survey, metadata=replace(survey.metadata, calibration=None))
    assert survey_recalibration(frame, plain_survey) == (None, "none")
    assert survey_recalibration(frame, None) == (None, "none")
    moved = _frame(survey, survey.households["weight"].to_numpy() * 1.02)  # e.g. reweighted to another year
    assert survey_recalibration(moved, survey) == (None, "not_met")


def test_survey_uncertainty_recalibrates_and_says_so(survey):
    frame = _frame(survey)
    with_record = survey_uncertainty(frame, replicates=20, seed=1, survey=survey)
    without = survey_uncertainty(frame, replicates=20, seed=1)
    assert with_record.description["calibration"] == "recalibrated"
    assert with_record.description["recalibrated_to"] == (
        "raking to households; persons by sex and age; persons by stratum")
    assert without.description["calibration"] == "none" and without.description["recalibrated_to"] is None
    # Without a recorded calibration the replicates are the plain Rao-Wu bootstrap, bit for bit.
    plain = frame_replicates(frame, replicates=20, seed=1)
    np.testing.assert_array_equal(without.replicates.weights(3), plain.weights(3))
    # With it, replicate r is replicate r of the plain bootstrap times its households' adjustments g_rh.
    kept = plain.weights(3) > 0
    g = with_record.replicates.weights(3)[kept] / plain.weights(3)[kept]
    per_household = pd.Series(g).groupby(frame["household_id"].to_numpy()[kept]).agg(["min", "max"])
    np.testing.assert_allclose(per_household["min"], per_household["max"], rtol=1e-12)


def test_the_method_section_says_whether_replicates_were_re_calibrated(survey):
    from floorsim.simulations.reports.labels import get_labels
    from floorsim.simulations.reports.method import _calibration_note

    labels = get_labels("en")
    frame = _frame(survey)
    recalibrated = _calibration_note(survey_uncertainty(frame, replicates=5, seed=1, survey=survey), labels)
    assert "every replicate is re-calibrated to the same margins" in recalibrated
    assert "(raking to households; persons by sex and age; persons by stratum)" in recalibrated
    plain = _calibration_note(survey_uncertainty(frame, replicates=5, seed=1), labels)
    assert plain == labels["method.calibration_none"]
    moved = _frame(survey, survey.households["weight"].to_numpy() * 1.02)
    assert _calibration_note(survey_uncertainty(moved, replicates=5, seed=1, survey=survey), labels) == labels[
        "method.calibration_not_met"]
    linearised = _calibration_note(survey_uncertainty(frame, replicates=0, survey=survey), labels)
    assert linearised == labels["method.calibration_linearization"]
