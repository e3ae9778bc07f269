"""Reform tables with standard errors: estimates equal the plain tables, changes are paired, and replicate SEs
equal the textbook replicate formula applied to the plain functions on each replicate's weights."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis import (
    AnalysisError,
    build_person_frame,
    by_group_estimates,
    cost_table,
    design_from_frame,
    distribution_estimates,
    distribution_table,
    frame_replicates,
    headline_estimates,
    relative_line_statistics,
)
from floorsim.indicators import FGT, fgt, gini, weighted_quantile
from tests.analysis.conftest import PROGRAMMES, one_row
from tests.indicators.design_samples import clustered_sample

LINE = 60.0



def test_headline_estimates_equal_plain_values_and_jackknife_by_hand(frame: pd.DataFrame) -> None:
    reps = frame_replicates(frame, method="jackknife")
    assert reps.n_sets == 4  # two strata of two households
    table = headline_estimates(frame, "baseline", ["reform"], line=LINE, programmes=PROGRAMMES, replicates=reps)
    w = frame["weight"].to_numpy()
    base, reform = frame["welfare_baseline"].to_numpy(), frame["welfare_reform"].to_numpy()
    # Levels are the plain functions' values, changes their differences.
    assert one_row(table, indicator="poverty_headcount", scenario="baseline", measure="level")["estimate"] == pytest.approx(0.5)
    assert one_row(table, indicator="poverty_headcount", scenario="reform", measure="level")["estimate"] == pytest.approx(
        400 / 1400
    )
    change = one_row(table, indicator="poverty_gap", scenario="reform", measure="change")
    assert change["estimate"] == pytest.approx(fgt(reform, w, LINE, 1) - fgt(base, w, LINE, 1))
    assert one_row(table, indicator="pension_cost", scenario="reform", measure="level")["estimate"] == 60_000
    # The JKn variance of the Gini change, recomputed from each replicate's weights with the plain gini():
    # Σ_r (n_h − 1)/n_h (θ_r − θ̂)^2 with n_h = 2.
    full = gini(reform, w) - gini(base, w)
    thetas = np.array([gini(reform, reps.weights(r)) - gini(base, reps.weights(r)) for r in range(4)])
    expected = math.sqrt(float(np.sum(0.5 * (thetas - full) ** 2)))
    gini_change = one_row(table, indicator="gini", scenario="reform", measure="change")
    assert gini_change["se"] == pytest.approx(expected, rel=1e-12)
    assert gini_change["method"] == "JKn"


def test_linearised_se_of_a_cost_by_hand(frame: pd.DataFrame) -> None:
    table = headline_estimates(
        frame, "baseline", ["reform"], line=LINE, programmes=PROGRAMMES, design=design_from_frame(frame)
    )
    cost = one_row(table, indicator="pension_cost", scenario="reform", measure="level")
    # PSU (household) totals of the reform pension: Dili h1 = 100 * 480 = 48,000, h4 = 0 ->
    # 2 * (24,000^2 + 24,000^2) = 2.304e9; Baucau h2 = 0, h3 = 50 * 240 = 12,000 -> 2 * 2 * 6,000^2 = 1.44e8.
    assert cost["se"] == pytest.approx(math.sqrt(2.448e9), rel=1e-12)
    # The change in cost: per-household changes Dili 48,000 - 12,000 = 36,000 and 0; Baucau 0 and 12,000 - 6,000.
    change = one_row(table, indicator="pension_cost", scenario="reform", measure="change")
    assert change["se"] == pytest.approx(math.sqrt(2 * 2 * 18_000**2 + 2 * 2 * 3_000**2), rel=1e-12)
    assert cost["estimate"] == cost_table(frame, ["reform"], ["pension"])["cost"].iloc[0]


def test_distribution_estimates_match_the_distribution_table(frame: pd.DataFrame) -> None:
    reps = frame_replicates(frame, method="jackknife")
    estimates = distribution_estimates(frame, "baseline", ["reform"], n_groups=2, replicates=reps)
    table = distribution_table(frame, "baseline", ["reform"], n_groups=2)
    for decile in ("1", "2", "all"):
        plain = table[table["decile"] == decile].iloc[0]
        for indicator in ("mean_gain", "relative_gain", "winners", "losers"):
            assert one_row(estimates, decile=decile, indicator=indicator)["estimate"] == pytest.approx(plain[indicator])


def test_by_group_estimates_use_domains(frame: pd.DataFrame) -> None:
    y = frame["welfare_baseline"].to_numpy()
    table = by_group_estimates(
        frame, "sex", lambda d: {"headcount": FGT(y, LINE, 0, d)}, design=design_from_frame(frame)
    )
    assert table.set_index("sex")["estimate"].to_dict() == pytest.approx(
        {"female": 400 / 750, "male": 300 / 650, "all": 0.5}
    )
    assert list(table.columns[:2]) == ["sex", "indicator"]


def test_relative_lines_anchored_or_per_scenario(frame: pd.DataFrame) -> None:
    anchored = relative_line_statistics(frame, ["baseline", "reform"], share=0.6, statistic="median", anchor="baseline")
    assert anchored["baseline"] is anchored["reform"]
    w = frame["weight"].to_numpy()
    # Baseline median 85 (see test_halves_of_baseline_welfare): line 51. Reform welfare 40 (400), 70 (300),
    # 120 (100), 190 (600): C = 700 at 70 exactly, median (70 + 120)/2 = 95, line 57.
    assert anchored["reform"].value(w) == pytest.approx(51.0)
    per_scenario = relative_line_statistics(
        frame, ["baseline", "reform"], share=0.6, statistic="median", anchor="scenario"
    )
    assert per_scenario["reform"].value(w) == pytest.approx(57.0)
    table = headline_estimates(frame, "baseline", ["reform"], line=per_scenario, design=design_from_frame(frame))
    reform = frame["welfare_reform"].to_numpy()
    assert one_row(table, indicator="poverty_headcount", scenario="reform", measure="level")["estimate"] == pytest.approx(
        fgt(reform, w, 57.0, 0)
    )
    with pytest.raises(AnalysisError, match="no poverty line"):
        headline_estimates(frame, "baseline", ["reform"], line={"baseline": 50.0}, design=design_from_frame(frame))


def test_bootstrap_and_linearisation_agree_on_a_simulated_survey() -> None:
    sample = clustered_sample(seed=5, strata=25, psus=10, households=10)
    reform = sample.welfare + np.where(sample.welfare < 350, 40.0, 0.0)
    grant = np.where(sample.welfare < 350, 480.0, 0.0)
    frame = build_person_frame(
        sample.household,
        sample.weight,
        {"baseline": sample.welfare, "reform": reform},
        {("grant", "baseline"): np.zeros(reform.size), ("grant", "reform"): grant},
        stratum=sample.stratum,
        psu=sample.psu,
    )
    line = 0.6 * weighted_quantile(sample.welfare, sample.weight, 0.5)
    boot = headline_estimates(
        frame,
        "baseline",
        ["reform"],
        line=line,
        programmes=["grant"],
        replicates=frame_replicates(frame, replicates=500, seed=7),
    )
    linear = headline_estimates(
        frame, "baseline", ["reform"], line=line, programmes=["grant"], design=design_from_frame(frame)
    )
    merged = boot.merge(linear, on=["indicator", "scenario", "measure"], suffixes=("_boot", "_lin"))
    merged = merged[merged["se_lin"] > 0]
    np.testing.assert_allclose(merged["estimate_boot"], merged["estimate_lin"], rtol=1e-12)
    # 500 replicates: ~3 % Monte Carlo error; 20 % leaves room for the nonlinear ones.
    np.testing.assert_allclose(merged["se_boot"], merged["se_lin"], rtol=0.2)
