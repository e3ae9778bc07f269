"""The report on the household results alone (``Results.compact_frame``, the route of every in-memory run with a
fixed line or replicates, and of every streamed run) against the person frame (the second method): the same tables.

The person-frame report is built as before the household route existed: the person frame, the design drawn from its
persons (``survey_uncertainty``), every table from it (by-group and coverage masks on persons)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis.compact import compact_frame
from floorsim.simulations.reports import build_report
from floorsim.simulations.reports.sampling import household_uncertainty, survey_uncertainty

REFORM = "saii_increase"


def _assert_tables_equal(expected: dict[str, pd.DataFrame], actual: dict[str, pd.DataFrame], rel: float) -> None:
    assert list(expected) == list(actual)
    for name, table in expected.items():
        other = actual[name]
        assert list(table.columns) == list(other.columns), name
        assert table.shape == other.shape, name
        for column in table.columns:
            left, right = table[column], other[column]
            if pd.api.types.is_numeric_dtype(left) and not pd.api.types.is_bool_dtype(left):
                np.testing.assert_allclose(right.to_numpy(float), left.to_numpy(float), rtol=rel, atol=1e-9,
                                           equal_nan=True, err_msg=f"{name}.{column}")
            else:
                assert left.astype(str).tolist() == right.astype(str).tolist(), f"{name}.{column}"


def test_household_results_give_the_compact_frame_of_the_person_frame(bundled_results):
    """Built from household sums, recipient counts and member counts, the compact frame equals the one collapsed
    from the person frame, column by column; its members by age group and sex are the person frame's counts per
    household, its region the members' region."""
    persons = bundled_results.person_frame()
    expected, codes = compact_frame(persons)
    actual = bundled_results.compact_frame()
    for column in expected.columns:
        if expected[column].dtype.kind == "f":
            np.testing.assert_allclose(actual[column], expected[column], rtol=1e-12, atol=1e-9, err_msg=column)
        else:
            assert np.array_equal(actual[column].to_numpy(), expected[column].to_numpy()), column
    for variable in ("age_group", "sex"):
        counts = pd.crosstab(codes, persons[variable].astype(str))
        for value in counts.columns:
            assert np.array_equal(actual[f"members_{variable}={value}"].to_numpy(), counts[value].to_numpy())
    assert (actual["region"].to_numpy() == persons["region"].astype(str).to_numpy()[np.unique(codes, return_index=True)[1]]).all()


@pytest.mark.parametrize("replicates", [0, 20])
def test_the_household_route_gives_the_person_frame_tables(bundled_results, replicates):
    """Every table of the report (headline, poverty, inequality, cost, deciles, coverage, targeting, by group,
    parameters, curves) equals the person frame's to 1e-9, with bootstrap replicates re-calibrated to the survey's
    margins (the bundled survey records its calibration) and with linearisation."""
    survey = bundled_results.survey
    persons = bundled_results.person_frame()
    by_persons = build_report(bundled_results, REFORM, frame=persons, replicates=replicates, seed=3,
                              uncertainty=survey_uncertainty(bundled_results.design_frame(), replicates, 3, survey))
    by_households = build_report(bundled_results, REFORM, replicates=replicates, seed=3)
    assert by_households.summary["uncertainty"] == by_persons.summary["uncertainty"]
    if replicates:
        assert by_persons.summary["uncertainty"]["calibration"] == "recalibrated"
    _assert_tables_equal(by_persons.tables, by_households.tables, 1e-9)


def test_household_uncertainty_collapses_the_person_replicates(bundled_results):
    """The households' replicate weights, drawn and re-calibrated as households then standing for their members,
    are the person replicates summed over each household's members."""
    frame = bundled_results.compact_frame()
    survey = bundled_results.survey
    households = household_uncertainty(frame, 10, 5, survey).replicates
    persons = survey_uncertainty(bundled_results.design_frame(), 10, 5, survey).replicates
    codes = survey.person_household_index
    for replicate in (0, 9):
        summed = np.bincount(codes, weights=persons.weights(replicate), minlength=len(frame))
        np.testing.assert_allclose(households.weights(replicate), summed, rtol=1e-12)


def test_replicates_beyond_the_memory_budget_are_not_recalibrated(bundled_results, monkeypatch):
    """Beyond ``MAX_RECALIBRATED_WEIGHTS`` replicate weights (R × households) the replicates stay the plain Rao–Wu
    ones, the status says why and the method section says the standard errors of calibrated totals are
    overstated; at the budget they are re-calibrated as always."""
    from floorsim.simulations.reports import sampling
    from floorsim.simulations.reports.labels import Labels
    from floorsim.simulations.reports.method import _calibration_note

    survey = bundled_results.survey
    design = bundled_results.design_frame()
    budget = 10 * len(survey.households)
    monkeypatch.setattr(sampling, "_RECENT", [])
    monkeypatch.setattr(sampling, "MAX_RECALIBRATED_WEIGHTS", budget)
    assert survey_uncertainty(design, 10, 1, survey).calibration == "recalibrated"
    monkeypatch.setattr(sampling, "_RECENT", [])
    monkeypatch.setattr(sampling, "MAX_RECALIBRATED_WEIGHTS", budget - 1)
    plain = survey_uncertainty(design, 10, 1, survey)
    assert plain.calibration == "too_large"
    drawn = sampling.rao_wu_bootstrap(plain.design, 10, 1)
    np.testing.assert_array_equal(plain.replicates.weights(3), drawn.weights(3))
    assert "too large for every replicate" in _calibration_note(plain, Labels())
