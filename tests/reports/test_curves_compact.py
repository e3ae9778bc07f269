"""The ``curves`` table on households (the report's compact frame) equals the person-frame table to 1e-12: on the
bundled survey (baseline and reform, every programme) and on a small hand-made frame where different households tie
in welfare and a household's members receive different amounts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis.compact import compact_frame
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
