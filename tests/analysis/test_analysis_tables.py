"""Every reform table on the hand-made frame of conftest.py, each figure worked out in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis import (
    AnalysisError,
    Contingency,
    adequacy_table,
    benefit_cost_table,
    by_group,
    cost_table,
    coverage_table,
    difference_from_baseline,
    distribution_table,
    incidence_table,
    marginal_contributions,
    marginal_contributions_from_frame,
    poverty_and_inequality,
    sdg_contingencies,
    targeting_table,
    welfare_groups,
)
from floorsim.indicators import fgt
from tests.analysis.conftest import PROGRAMMES, one_row

LINE = 60.0



# --- distribution --------------------------------------------------------------------------------------------


def test_halves_of_baseline_welfare(frame: pd.DataFrame) -> None:
    # Sorted baseline welfare 30 (400 persons), 50 (300), 120 (100), 200 (600): the cumulative weight hits
    # 700 = half of 1,400 exactly at 50, so the median is (50 + 120) / 2 = 85: households 2 and 1 below.
    assert welfare_groups(frame, "baseline", 2).tolist() == [1, 1, 1, 1, 1, 2, 2, 2, 2]


def test_distribution_table_by_halves_hand_computed(frame: pd.DataFrame) -> None:
    table = distribution_table(frame, "baseline", ["reform"], PROGRAMMES, n_groups=2)
    low, high, total = one_row(table, decile="1"), one_row(table, decile="2"), one_row(table, decile="all")
    # Poorer half: 400 persons at 30 -> 40 and 300 at 50 -> 70.
    assert low["persons"] == 700 and low["population_share"] == 0.5
    assert low["mean_welfare_baseline"] == pytest.approx(27_000 / 700)
    assert low["mean_welfare"] == pytest.approx(37_000 / 700)
    assert low["mean_gain"] == pytest.approx(10_000 / 700)
    assert low["relative_gain"] == pytest.approx(10_000 / 27_000)
    # Richer half: 100 at 120 (unchanged), 600 at 200 -> 190: total change -6,000.
    assert high["mean_gain"] == pytest.approx(-6_000 / 700)
    assert high["relative_gain"] == pytest.approx(-6_000 / 132_000)
    # Shares of the national gain 4,000 and of reform spending 120,000 (108,000 to the poorer half).
    assert low["gain_share"] == pytest.approx(2.5) and high["gain_share"] == pytest.approx(-1.5)
    assert low["spending"] == pytest.approx(108_000) and low["spending_share"] == pytest.approx(0.9)
    # Winners and losers: all 700 of the poorer half gain; 600 lose and 100 are unchanged in the richer half.
    assert (low["winners"], low["losers"], low["unchanged"]) == (1.0, 0.0, 0.0)
    assert high["losers"] == pytest.approx(6 / 7) and high["unchanged"] == pytest.approx(1 / 7)
    assert total["winners"] == 0.5 and total["mean_gain"] == pytest.approx(4_000 / 1_400)
    assert list(table["decile"].cat.categories) == ["1", "2", "all"]


def test_winner_threshold(frame: pd.DataFrame) -> None:
    # Gains are +20 (household 1), +10 (2), 0 (3), -10 (4). An absolute threshold of 15 leaves only
    # household 1 (300 persons) a winner and nobody a loser; a relative threshold of 30 % of baseline
    # welfare: +20 > 15 (30 % of 50), +10 > 9, -10 not below -60 -> winners 700, no losers.
    absolute = one_row(distribution_table(frame, "baseline", ["reform"], threshold=15.0, n_groups=2), decile="all")
    assert absolute["winners"] == pytest.approx(300 / 1400) and absolute["losers"] == 0.0
    relative = distribution_table(frame, "baseline", ["reform"], threshold=0.3, threshold_kind="relative", n_groups=2)
    assert one_row(relative, decile="all")["winners"] == 0.5 and one_row(relative, decile="all")["losers"] == 0.0
    with pytest.raises(AnalysisError):
        distribution_table(frame, "baseline", ["reform"], threshold=-1.0)


def test_distribution_by_group_uses_national_halves(frame: pd.DataFrame) -> None:
    table = distribution_table(frame, "baseline", ["reform"], PROGRAMMES, n_groups=2, by="sex")
    # Women of the poorer half: persons 1, 2 (household 1, 100 each) and 3 (household 2, 200): gain
    # (100 * 20 * 2 + 200 * 10) / 400 = 15; their population share is of the nation: 400 / 1400.
    women_low = one_row(table, sex="female", decile="1")
    assert women_low["mean_gain"] == pytest.approx(15.0)
    assert women_low["population_share"] == pytest.approx(400 / 1400)
    assert set(table["decile"].astype(str)) == {"1", "2", "all"}


# --- cost --------------------------------------------------------------------------------------------------------


def test_cost_table_hand_computed(frame: pd.DataFrame) -> None:
    table = cost_table(frame, ["baseline", "reform"], PROGRAMMES, gdp=1e6, government_expenditure=4e5)
    pension = one_row(table, scenario="reform", programme="pension")
    # 100 * 240 + 100 * 240 + 50 * 240 = 60,000; 250 persons in 2 households (100 + 50).
    assert pension["cost"] == 60_000
    assert pension["cost_share_gdp"] == pytest.approx(0.06) and pension["cost_share_expenditure"] == pytest.approx(0.15)
    assert pension["beneficiaries"] == 250 and pension["beneficiary_households"] == 150
    assert pension["cost_per_beneficiary"] == 240 and pension["cost_per_beneficiary_household"] == 400
    grant = one_row(table, scenario="reform", programme="child_grant")
    # Equals the household-level total: 100 * 120 + 200 * 240 = 60,000.
    assert grant["cost"] == pytest.approx(60_000)
    assert grant["beneficiaries"] == 700 and grant["beneficiary_households"] == 300
    total = one_row(table, scenario="reform", programme="total")
    # Anyone receiving something: household 1 (300), household 2 (400), person 6 (50); households 1, 2, 3.
    assert total["cost"] == pytest.approx(120_000)
    assert total["beneficiaries"] == 750 and total["beneficiary_households"] == 350
    base = one_row(table, scenario="baseline", programme="pension")
    assert base["cost"] == 18_000 and base["beneficiaries"] == 150
    assert np.isnan(one_row(table, scenario="baseline", programme="child_grant")["cost_per_beneficiary"])
    change = difference_from_baseline(table, "baseline", ["programme"], ["cost", "beneficiaries"])
    assert one_row(change, programme="pension")["cost"] == 42_000
    assert one_row(change, programme="total")["beneficiaries"] == 600


def test_household_weight_column_counts_households(frame: pd.DataFrame) -> None:
    frame["household_weight"] = frame["weight"] / 2
    pension = one_row(cost_table(frame, ["reform"], ["pension"]), programme="pension")
    assert pension["beneficiary_households"] == 75 and pension["cost"] == 60_000


# --- coverage and adequacy -------------------------------------------------------------------------------------


def _contingencies() -> list[Contingency]:
    return sdg_contingencies(
        pensionable_age=65,
        poverty_line=LINE,
        vulnerability_line=150.0,
        programmes={"older_persons": ["pension"], "children": ["child_grant"], "severe_disability": ["pension"]},
    )


def test_sdg_coverage_hand_computed(frame: pd.DataFrame) -> None:
    table = coverage_table(frame, ["baseline", "reform"], PROGRAMMES, _contingencies(), by="sex")

    def coverage(scenario: str, name: str, sex: str = "all") -> pd.Series:
        return one_row(table, scenario=scenario, contingency=name, sex=sex)

    # Children under 15: persons 2 (100), 4 (200), 8 (300); households 1 and 2 receive the grant.
    assert coverage("reform", "children")["population"] == 600
    assert coverage("reform", "children")["coverage"] == 0.5
    assert coverage("reform", "children", "female")["coverage"] == 0.25  # 100 of 400
    assert coverage("reform", "children", "male")["coverage"] == 1.0  # 200 of 200
    # 65 and over: persons 0, 1 (100 each), 6 (50): all have a pension in the reform, 150 of 250 before.
    assert coverage("reform", "older_persons")["coverage"] == 1.0
    assert coverage("baseline", "older_persons")["coverage"] == pytest.approx(0.6)
    # Severe disability (WG 3): person 3 only, without a pension.
    assert coverage("reform", "severe_disability")["population"] == 200
    assert coverage("reform", "severe_disability")["coverage"] == 0.0
    # Mothers of newborns: person 3 (woman, 35, head of household 2 where person 4 is aged 0), with the grant.
    assert coverage("reform", "mothers_of_newborns")["population"] == 200
    assert coverage("reform", "mothers_of_newborns")["coverage"] == 1.0
    # The poor (baseline welfare < 60): households 1 and 2, 700 persons; in the baseline only household 1
    # (its head's pension) receives anything.
    assert coverage("reform", "poor")["coverage"] == 1.0
    assert coverage("baseline", "poor")["coverage"] == pytest.approx(300 / 700)
    # The vulnerable (60 <= welfare < 150): household 3 (100 persons), covered through person 6's pension.
    assert coverage("reform", "vulnerable")["population"] == 100
    assert coverage("reform", "vulnerable")["coverage"] == 1.0


def test_custom_contingency_from_a_column(frame: pd.DataFrame) -> None:
    frame["in_dili"] = frame["stratum"] == "Dili"
    table = coverage_table(frame, ["reform"], PROGRAMMES, [Contingency("dili", "in_dili")])
    # Dili: households 1 (300 persons, covered) and 4 (600, not).
    assert one_row(table, contingency="dili")["coverage"] == pytest.approx(300 / 900)
    with pytest.raises(AnalysisError, match="boolean"):
        coverage_table(frame, ["reform"], PROGRAMMES, [Contingency("bad", "age")])


def test_adequacy_hand_computed(frame: pd.DataFrame) -> None:
    table = adequacy_table(frame, ["reform"], PROGRAMMES, LINE)
    pension = one_row(table, programme="pension")
    # 60,000 a year to 250 persons: 240 each; monthly 5,000 against 250 * 60 = 15,000 of line and
    # 100 * 70 + 100 * 70 + 50 * 120 = 20,000 of welfare.
    assert pension["mean_benefit"] == 240
    assert pension["benefit_to_line"] == pytest.approx(1 / 3)
    assert pension["benefit_to_welfare"] == pytest.approx(0.25)
    grant = one_row(table, programme="child_grant")
    # 5,000 a month over 700 persons: line 42,000; welfare 300 * 70 + 400 * 40 = 37,000.
    assert grant["benefit_to_line"] == pytest.approx(5_000 / 42_000)
    assert grant["benefit_to_welfare"] == pytest.approx(5_000 / 37_000)


# --- incidence and targeting --------------------------------------------------------------------------------------


def test_incidence_by_halves_hand_computed(frame: pd.DataFrame) -> None:
    table = incidence_table(frame, ["reform"], PROGRAMMES, ranking="baseline", n_groups=2)
    low = one_row(table, programme="pension", quintile="1")
    # Pension money: 48,000 to the poorer half (household 1), 12,000 to the richer (person 6).
    assert low["benefit_share"] == pytest.approx(0.8)
    assert low["beneficiary_share"] == pytest.approx(0.8)  # 200 of 250 persons
    assert low["coverage"] == pytest.approx(200 / 700)
    grant_high = one_row(table, programme="child_grant", quintile="2")
    assert grant_high["benefit_share"] == 0.0 and grant_high["coverage"] == 0.0
    assert table.groupby(["programme"])["benefit_share"].sum().to_dict() == pytest.approx(
        {"pension": 1, "child_grant": 1, "total": 1}
    )


def test_targeting_errors_hand_computed(frame: pd.DataFrame) -> None:
    poor = frame["welfare_baseline"].to_numpy() < LINE  # households 1 and 2: 700 persons
    table = targeting_table(frame, ["reform"], PROGRAMMES, poor)
    pension = one_row(table, programme="pension")
    # 250 beneficiaries, 50 of them (person 6) not poor: inclusion 0.2; 500 of the 700 poor without a
    # pension: exclusion 5/7; 12,000 of the 60,000 to the non-poor: leakage 0.2.
    assert pension["inclusion_error"] == pytest.approx(0.2)
    assert pension["exclusion_error"] == pytest.approx(5 / 7)
    assert pension["leakage"] == pytest.approx(0.2)
    grant = one_row(table, programme="child_grant")
    assert (grant["inclusion_error"], grant["exclusion_error"], grant["leakage"]) == (0.0, 0.0, 0.0)
    total = one_row(table, programme="total")
    assert total["inclusion_error"] == pytest.approx(50 / 750)
    assert total["leakage"] == pytest.approx(12_000 / 120_000)
    frame["poor"] = poor
    assert targeting_table(frame, ["reform"], PROGRAMMES, "poor").equals(table)


# --- efficiency and marginal contributions -------------------------------------------------------------------------


def test_benefit_cost_ratio_hand_computed(frame: pd.DataFrame) -> None:
    table = benefit_cost_table(frame, "baseline", ["reform"], PROGRAMMES, LINE)
    reform = one_row(table, scenario="reform")
    # Baseline monthly gap 300 * 10 + 400 * 30 = 15,000 (180,000 a year); reform 400 * 20 = 8,000 (96,000).
    # Spending 18,000 -> 120,000. BCR = 84,000 / 102,000.
    assert reform["poverty_gap"] == pytest.approx(96_000)
    assert reform["gap_reduction"] == pytest.approx(84_000)
    assert reform["additional_spending"] == pytest.approx(102_000)
    assert reform["benefit_cost_ratio"] == pytest.approx(84 / 102)


def test_marginal_contributions_hand_computed(frame: pd.DataFrame) -> None:
    # Without the child grant: household 1 loses 40 / 12 a month each (70 -> 66.67), household 2 loses 10.
    frame["welfare_no_grant"] = frame["welfare_reform"] - frame["amount_child_grant_reform"] / 12
    table = marginal_contributions_from_frame(
        frame, "reform", {"child_grant": "no_grant"}, poverty_and_inequality(LINE)
    )
    headcount = one_row(table, indicator="headcount")
    # Household 2 is poor with or without it (40 and 30 < 60): no effect on the headcount (400 / 1400).
    assert headcount["with_all"] == pytest.approx(400 / 1400) and headcount["marginal_contribution"] == 0.0
    gap = one_row(table, indicator="poverty_gap")
    # Gap 400 * (20/60) / 1400 with it, 400 * (30/60) / 1400 without: contribution 400 * (1/6) / 1400.
    assert gap["marginal_contribution"] == pytest.approx(400 / 6 / 1400)
    direct = marginal_contributions(
        frame["weight"],
        frame["welfare_reform"],
        {"child_grant": frame["welfare_no_grant"]},
        {"p1": lambda y, w: fgt(y, w, LINE, 1)},
    )
    assert direct.iloc[0]["marginal_contribution"] == pytest.approx(gap["marginal_contribution"])


# --- by group ------------------------------------------------------------------------------------------------------


def test_by_group_with_a_national_line(frame: pd.DataFrame) -> None:
    table = by_group(frame, "sex", lambda f: fgt(f["welfare_baseline"], f["weight"], LINE), total=True)
    # Women: persons 1, 2 (100 each, poor), 3 (200, poor), 6 (50), 8 (300): 400 of 750 poor.
    # Men: persons 0 (100, poor), 4 (200, poor), 5 (50), 7 (300): 300 of 650. Everybody: 700 of 1,400.
    assert table.set_index("sex")["value"].to_dict() == pytest.approx(
        {"female": 400 / 750, "male": 300 / 650, "all": 0.5}
    )
    several = by_group(frame, ["stratum", "sex"], lambda f: {"persons": f["weight"].sum(), "n": len(f)})
    assert one_row(several, stratum="Dili", sex="female")["persons"] == 500  # persons 1, 2 (100 each) and 8 (300)
    assert list(several.columns) == ["stratum", "sex", "persons", "n"]
    rows = by_group(frame, "stratum", lambda f: pd.DataFrame({"k": [1, 2]}))
    assert len(rows) == 4 and list(rows.columns) == ["stratum", "k"]


def test_missing_columns_are_named(frame: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="welfare_other"):
        distribution_table(frame, "baseline", ["other"])
    with pytest.raises(AnalysisError, match="amount_bonus_reform"):
        cost_table(frame, ["reform"], ["bonus"])
    with pytest.raises(AnalysisError, match="region"):
        by_group(frame, "region", len)
