"""Report tables on households (the report's compact frame) equal the person-frame tables: the ``curves`` table to
1e-12 on the bundled survey (baseline and reform, every programme) and on a small hand-made frame where different
households tie in welfare and a household's members receive different amounts; the ``targeting`` table (household
receipt, the poor as target) to 1e-10 relative, with a by-hand check, and on persons when the target varies within
a household."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis.compact import compact_frame
from floorsim.simulations.analysis.frame import welfare_of
from floorsim.simulations.analysis.targeting import targeting_table
from floorsim.simulations.reports.curves import CURVE_COLUMNS, curves_table


def _assert_same(by_persons: pd.DataFrame, by_households: pd.DataFrame) -> None:
    keys = [column for column in CURVE_COLUMNS if column != "share"]
    pd.testing.assert_frame_equal(by_households[keys], by_persons[keys])
    np.testing.assert_allclose(by_households["share"], by_persons["share"], rtol=0, atol=1e-12)


def test_curves_on_households_equal_the_person_frame(bundled_results):
    frame = bundled_results.person_frame()
    programmes = list(bundled_results.spec.programmes)
    scenarios = ["baseline", "saii_increase"]
    by_persons = curves_table(frame, scenarios, programmes)
    by_households = curves_table(frame, scenarios, programmes, collapsed=compact_frame(frame))
    _assert_same(by_persons, by_households)
    assert (by_persons["curve"] == "concentration").sum() >= 101  # at least one programme's curve compared


def test_curves_on_households_with_ties_across_households():
    # households 1 and 3 tie in welfare (10), 2 and 4 tie (20); amounts differ between members
    frame = pd.DataFrame({
        "household_id": [1, 1, 2, 3, 3, 3, 4, 4],
        "weight": [2.0, 2.0, 1.5, 3.0, 3.0, 3.0, 0.5, 0.5],
        "welfare_baseline": [10.0, 10.0, 20.0, 10.0, 10.0, 10.0, 20.0, 20.0],
        "welfare_reform": [12.0, 12.0, 20.0, 11.0, 11.0, 11.0, 25.0, 25.0],
        "amount_cash_baseline": [0.0, 4.0, 0.0, 1.0, 0.0, 2.0, 0.0, 6.0],
        "amount_cash_reform": [3.0, 4.0, 1.0, 1.0, 0.0, 2.0, 5.0, 6.0],
    })
    by_persons = curves_table(frame, ["baseline", "reform"], ["cash"], points=11)
    by_households = curves_table(frame, ["baseline", "reform"], ["cash"], points=11, collapsed=compact_frame(frame))
    _assert_same(by_persons, by_households)
    # by hand, baseline concentration: welfare 10 holds weight 4 + 9 = 13 of 15.5 and receives 2×4 + 3×3 = 17 of
    # 17 + 0.5 × 6 = 20; the curve at p = 0.8 (< 13/15.5) lies on the first straight piece: 0.8 × 15.5 / 13 × 17 / 20
    row = by_households[(by_households["curve"] == "concentration") & (by_households["side"] == "baseline")]
    assert row["share"].iloc[8] == pytest.approx(0.8 * 15.5 / 13 * 17 / 20, abs=1e-15)


def _assert_close(by_persons: pd.DataFrame, by_households: pd.DataFrame) -> None:
    assert list(by_households.columns) == list(by_persons.columns)
    pd.testing.assert_frame_equal(by_households[["scenario", "programme"]], by_persons[["scenario", "programme"]])
    for column in by_persons.columns[2:]:
        first, second = by_persons[column].to_numpy(float), by_households[column].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(first), np.isnan(second))
        assert (np.abs(first - second) <= 1e-10 * np.abs(first))[~np.isnan(first)].all(), column


def test_targeting_on_households_equals_the_person_frame(bundled_results):
    frame = bundled_results.person_frame()
    programmes = list(bundled_results.spec.programmes)
    poor = welfare_of(frame, "baseline") < float(bundled_results.poverty_line)
    scenarios = ["baseline", "saii_increase"]
    by_persons = targeting_table(frame, scenarios, programmes, poor, receipt="household")
    by_households = targeting_table(frame, scenarios, programmes, poor, receipt="household",
                                    collapsed=compact_frame(frame))
    _assert_close(by_persons, by_households)
    assert (by_persons["beneficiaries"] > 0).any() and (by_persons["leakage"] > 0).any()


def _small_frame() -> pd.DataFrame:
    # household 1 (2 persons of weight 10) poor, one member paid 120; household 2 (3 of weight 5) not poor,
    # nobody paid at baseline, one member paid 60 in the reform; household 3 (1 of weight 20) poor, unpaid
    return pd.DataFrame({
        "household_id": [1, 1, 2, 2, 2, 3],
        "weight": [10.0, 10.0, 5.0, 5.0, 5.0, 20.0],
        "welfare_baseline": [30.0, 30.0, 90.0, 90.0, 90.0, 20.0],
        "welfare_reform": [40.0, 40.0, 95.0, 95.0, 95.0, 20.0],
        "amount_cash_baseline": [120.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "amount_cash_reform": [120.0, 0.0, 60.0, 0.0, 0.0, 0.0],
    })


def test_targeting_on_households_by_hand():
    frame = _small_frame()
    poor = frame["welfare_baseline"].to_numpy() < 50
    table = targeting_table(frame, ["baseline", "reform"], ["cash"], poor, receipt="household",
                            collapsed=compact_frame(frame))
    _assert_close(targeting_table(frame, ["baseline", "reform"], ["cash"], poor, receipt="household"), table)
    reform = table[(table["scenario"] == "reform") & (table["programme"] == "cash")].iloc[0]
    # poor: 20 + 20 = 40 persons; beneficiaries (household receipt): 20 + 15 = 35, of whom 20 poor;
    # spending 10 × 120 + 5 × 60 = 1500, of which 300 outside the poor
    assert reform["target_population"] == 40.0 and reform["beneficiaries"] == 35.0
    assert reform["inclusion_error"] == pytest.approx(15 / 35, abs=1e-15)
    assert reform["exclusion_error"] == pytest.approx(20 / 40, abs=1e-15)
    assert reform["leakage"] == pytest.approx(300 / 1500, abs=1e-15)


def test_targeting_keeps_persons_when_the_target_varies_within_a_household():
    frame = _small_frame()
    target = np.array([True, False, False, False, False, True])  # one member of household 1 only
    table = targeting_table(frame, ["reform"], ["cash"], target, receipt="household", collapsed=compact_frame(frame))
    pd.testing.assert_frame_equal(table, targeting_table(frame, ["reform"], ["cash"], target, receipt="household"))
    # target 10 + 20 = 30 persons, of whom the household-1 member (10) lives with a recipient
    assert table["exclusion_error"].iloc[0] == pytest.approx(20 / 30, abs=1e-15)
