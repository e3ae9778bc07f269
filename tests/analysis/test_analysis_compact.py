"""Persons collapsed to households (``floorsim.simulations.analysis.compact``): every replicated figure of the report equals
the person-frame computation (the second method, kept here) to 1e-10, on the bundled survey (national line,
replicates re-calibrated to the survey's margins) and on the EU-SILC fixture of the country template (a relative
line re-estimated in every replicate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.indicators import rao_wu_bootstrap
from floorsim.simulations.analysis import distribution_estimates, scenario_estimates
from floorsim.simulations.analysis.compact import PERSONS, compact_frame, recipients_column
from floorsim.simulations.analysis.frame import design_from_frame
from floorsim.simulations.analysis.headline import headline_statistics, statistic_line
from floorsim.simulations.analysis.uncertainty import compacted
from floorsim.simulations.reports.sampling import survey_uncertainty

from .conftest import make_frame


def _headline_both_ways(results, reform: str, replicates: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = results.person_frame()
    uncertainty = survey_uncertainty(frame, replicates, 3, results.survey)
    person_line = statistic_line(results, frame)
    by_persons = scenario_estimates(
        frame, "baseline", [reform], lambda s: headline_statistics(results, frame, s, person_line, True),
        replicates=uncertainty.replicates)
    compact, collapsed = compacted(frame, uncertainty.replicates)
    assert len(compact) < len(frame)  # it was collapsed
    compact_line = statistic_line(results, compact)
    by_households = scenario_estimates(
        compact, "baseline", [reform], lambda s: headline_statistics(results, compact, s, compact_line, True),
        replicates=collapsed)
    return by_persons, by_households


def _assert_same(first: pd.DataFrame, second: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(first.drop(columns=["estimate", "se", "ci_low", "ci_high"]),
                                  second.drop(columns=["estimate", "se", "ci_low", "ci_high"]))
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(second[column], first[column], rtol=1e-10, atol=1e-10, err_msg=column)


def test_headline_estimates_on_households_equal_those_on_persons_national_line(national) -> None:
    persons, households = _headline_both_ways(national, "saii_80", 40)
    assert {"theil", "palma", "s80_s20", "gini", "saii_beneficiaries"} <= set(persons["indicator"])
    assert (persons["se"].dropna() > 0).any()
    _assert_same(persons, households)


def test_headline_estimates_on_households_equal_those_on_persons_relative_line(relative) -> None:
    persons, households = _headline_both_ways(relative, "basic_700", 30)
    _assert_same(persons, households)


def test_decile_estimates_on_households_equal_those_on_persons(national) -> None:
    frame = national.person_frame()
    replicates = survey_uncertainty(frame, 30, 5, national.survey).replicates
    compact = distribution_estimates(frame, "baseline", ["saii_80"], replicates=replicates)
    persons = distribution_estimates(frame, "baseline", ["saii_80"], replicates=replicates, compact=False)
    _assert_same(persons, compact)


def test_compact_frame_by_hand() -> None:
    """Household 1 of the hand-made frame: three persons of weight 100, pensions 120, 0, 0 at baseline."""
    frame = make_frame()
    compact, codes = compact_frame(frame)
    assert codes.tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3]
    first = compact.iloc[0]
    assert first["weight"] == 300.0 and first[PERSONS] == 3
    assert first["amount_pension_baseline"] == pytest.approx(40.0)  # (120 + 0 + 0) / 3
    assert first[recipients_column("pension", "baseline")] == pytest.approx(1 / 3)
    assert first[recipients_column("pension", "reform")] == pytest.approx(2 / 3)
    assert first["welfare_reform"] == 70.0
    # totals are kept: Σ weight × amount = Σ person weight × person amount
    assert (compact["weight"] * compact["amount_pension_reform"]).sum() == pytest.approx(
        (frame["weight"] * frame["amount_pension_reform"]).sum())


def test_compact_frame_refuses_welfare_that_differs_within_a_household() -> None:
    frame = make_frame()
    frame.loc[1, "welfare_baseline"] = 51.0
    compact, replicates = compacted(frame, rao_wu_bootstrap(design_from_frame(frame), 10, 1))
    assert compact is frame  # the person frame is used as it is


def test_replicates_recalibrated_in_blocks_equal_one_block(national, monkeypatch) -> None:
    """The bundled survey records its raking: 24 replicates solved in blocks of 5 equal the same solved at once."""
    from floorsim.surveys import recorded_calibration

    frame = national.person_frame()
    monkeypatch.setattr(recorded_calibration, "REPLICATES_PER_BLOCK", 1000)
    whole = survey_uncertainty(frame, 24, 9, national.survey)
    assert whole.calibration == "recalibrated"
    monkeypatch.setattr(recorded_calibration, "REPLICATES_PER_BLOCK", 5)
    blocks = survey_uncertainty(frame, 24, 9, national.survey)
    np.testing.assert_allclose(blocks.replicates.matrix, whole.replicates.matrix, rtol=1e-12)


def test_the_design_and_replicates_are_reused_only_for_the_same_inputs(national) -> None:
    frame = national.person_frame()
    first = survey_uncertainty(frame, 12, 4, national.survey)
    assert survey_uncertainty(frame.copy(), 12, 4, national.survey) is first  # same inputs: drawn once
    assert survey_uncertainty(frame, 12, 5, national.survey) is not first  # another seed
    heavier = frame.assign(weight=frame["weight"] * 1.5, household_weight=frame["household_weight"] * 1.5)
    other = survey_uncertainty(heavier, 12, 4, national.survey)
    np.testing.assert_allclose(other.replicates.base_weights, 1.5 * first.replicates.base_weights)
    assert other.calibration == "not_met" and first.calibration == "recalibrated"


# --- Taylor linearisation (--replicates 0) on households: the design collapsed, PSU totals unchanged ---------------


def _linearised_both_ways(results, reform: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from floorsim.simulations.analysis.uncertainty import compacted_variance

    frame = results.person_frame()
    design = survey_uncertainty(frame, 0, 3, results.survey).design
    person_line = statistic_line(results, frame)
    by_persons = scenario_estimates(
        frame, "baseline", [reform], lambda s: headline_statistics(results, frame, s, person_line, False),
        design=design)
    compact, variance = compacted_variance(frame, {"design": design})
    assert len(compact) < len(frame) and variance["design"].n == len(compact)  # it was collapsed
    compact_line = statistic_line(results, compact)
    by_households = scenario_estimates(
        compact, "baseline", [reform], lambda s: headline_statistics(results, compact, s, compact_line, False),
        **variance)
    return by_persons, by_households


def test_linearised_headline_on_households_equals_persons_national_line(national) -> None:
    # The Gini's influence takes midpoint ranks over tied values, so members merged into one row give the same
    # PSU totals; totals, means, ratios and FGT with a fixed line are linear in household values.
    persons, households = _linearised_both_ways(national, "saii_80")
    assert {"gini", "poverty_headcount", "saii_beneficiaries"} <= set(persons["indicator"])
    assert (persons.loc[persons["indicator"].eq("gini"), "se"] > 0).all()
    _assert_same(persons, households)


def test_linearised_relative_line_is_not_the_same_on_households_so_persons_are_kept(relative) -> None:
    # The median's density bandwidth counts rows (n^-1/5): on households the SE of the headcount differs, which is
    # why the report keeps the person frame for a relative line (compacted_variance(linearisation_exact=False)).
    from floorsim.simulations.analysis.uncertainty import compacted_variance

    persons, households = _linearised_both_ways(relative, "basic_700")
    headcount = persons["indicator"].eq("poverty_headcount")
    np.testing.assert_allclose(households.loc[headcount, "estimate"], persons.loc[headcount, "estimate"], rtol=1e-10)
    assert not np.allclose(households.loc[headcount, "se"], persons.loc[headcount, "se"], rtol=1e-6)
    frame = relative.person_frame()
    kept, _ = compacted_variance(frame, {"design": design_from_frame(frame)}, linearisation_exact=False)
    assert kept is frame


def test_linearised_decile_estimates_on_households_equal_those_on_persons(national) -> None:
    frame = national.person_frame()
    design = survey_uncertainty(frame, 0, 5, national.survey).design
    compact = distribution_estimates(frame, "baseline", ["saii_80"], design=design)
    persons = distribution_estimates(frame, "baseline", ["saii_80"], design=design, compact=False)
    assert (persons["se"] > 0).any()
    _assert_same(persons, compact)


def test_collapsed_design_keeps_psus_and_sums_weights() -> None:
    # Two strata; households of 2 and 1 persons in PSU "a", 1 person in PSU "b"; by hand: weights 2×10, 5, 7.
    from floorsim.indicators import IndicatorError, SurveyDesign

    design = SurveyDesign.from_arrays([10.0, 10.0, 5.0, 7.0], strata=[1, 1, 1, 2], psu=["a", "a", "a", "b"],
                                      lonely_psu="certainty")
    collapsed = design.collapsed(np.array([0, 0, 1, 2]))
    np.testing.assert_array_equal(collapsed.weights, [20.0, 5.0, 7.0])
    np.testing.assert_array_equal(collapsed.psu_index, design.psu_index[[0, 2, 3]])
    np.testing.assert_array_equal(collapsed.certainty, design.certainty)
    with pytest.raises(IndicatorError, match="different PSUs"):
        design.collapsed(np.array([0, 0, 1, 1]))  # rows 2 (PSU a) and 3 (PSU b) in one group


def test_decile_table_on_households_equals_persons(national) -> None:
    # The report's point decile table (reports.tables._deciles) is computed on the compact frame: every column is a
    # weighted sum of household values (or of the mean amount per member, weight w_h n_h), so equal to rounding.
    from floorsim.simulations.analysis import distribution_table

    frame = national.person_frame()
    compact, _ = compact_frame(frame)
    programmes = list(national.spec.programmes)
    persons = distribution_table(frame, "baseline", ["saii_80"], programmes)
    households = distribution_table(compact, "baseline", ["saii_80"], programmes)
    numbers = persons.select_dtypes("number").columns
    assert len(numbers) >= 10 and (persons["spending"] > 0).any()
    pd.testing.assert_frame_equal(persons.drop(columns=numbers), households.drop(columns=numbers))
    np.testing.assert_allclose(households[numbers].to_numpy(float), persons[numbers].to_numpy(float),
                               rtol=1e-10, atol=1e-10)
