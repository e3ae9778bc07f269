"""A full projection 2025-2035 on the bundled survey: calibration, money, poverty line, the tidy table, and the
cross-check of universal schemes with the aggregate (RAP) method, all against figures computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.projections import project
from floorsim.simulations.projections.population import read_population_projection
from floorsim.surveys.bundled import load_bundled_survey
from tests.projections.helpers import POPULATION, raw_assumptions, write_assumptions

YEARS = range(2025, 2036)
# Country package CPI (cpi.yaml 2014 level, cpi_inflation.yaml 2015-2024) and the assumptions file (2025-2035).
CPI_2014 = 141.6758
PUBLISHED = [0.00646, -0.0147, 0.00523, 0.02294, 0.00892, 0.00488, 0.03775, 0.07005, 0.084, 0.021]
PROJECTED = {2025: 0.009, 2026: 0.018, **{year: 0.02 for year in range(2027, 2036)}}


def cpi(year: int) -> float:
    """CPI level by hand: 2014 level chained with every annual rate up to ``year``."""
    level = CPI_2014
    for rate in PUBLISHED[: min(year, 2024) - 2014]:
        level *= 1 + rate
    for y in range(2025, year + 1):
        level *= 1 + PROJECTED[y]
    return level


def person_weights(results) -> np.ndarray:
    return results.households["weight"][results.survey.person_household_index]


def test_calibration_hits_each_years_margins(full_projection):
    population = read_population_projection(POPULATION)
    bounds = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 200]
    for year in YEARS:
        results = full_projection.results[year]
        ages = results.survey.persons["age"]
        groups = pd.cut(ages, bounds, right=False, labels=[g.label for g in population.groups])
        weighted = pd.Series(person_weights(results)).groupby(groups.to_numpy(), observed=False).sum()
        for group in population.groups:
            target = population.group_total(year, group.label)
            assert weighted[group.label] == pytest.approx(target, rel=1e-9), (year, group.label)
    table = full_projection.calibration
    assert sorted(table["year"].unique()) == list(YEARS)
    assert table["relative_error"].max() < 1e-9


def test_ages_are_kept_and_money_moves_with_the_cpi(full_projection):
    survey = load_bundled_survey()
    for year in (2025, 2030, 2035):
        aged = full_projection.results[year].survey
        np.testing.assert_array_equal(aged.persons["age"].to_numpy(), survey.persons["age"].to_numpy())
        assert not np.allclose(aged.households["weight"], survey.households["weight"])
        factor = cpi(year) / cpi(2015)
        np.testing.assert_allclose(aged.households["consumption"], survey.households["consumption"] * factor, rtol=1e-12)
        assert aged.metadata.reference_year == year
        assert aged.metadata.extra["projection"]["survey_reference_year"] == 2015
        macro = full_projection.macro.set_index("year")
        assert macro.at[year, "survey_money_factor"] == pytest.approx(factor, rel=1e-12)


def test_poverty_line_follows_the_projected_cpi(full_projection):
    for year in (2025, 2031, 2035):
        expected = 46.37 * cpi(year) / CPI_2014  # national line of 2014, in 2014 prices
        assert full_projection.results[year].poverty_line == pytest.approx(expected, rel=1e-12)
        assert full_projection.value(year, "baseline", "poverty_line") == pytest.approx(expected, rel=1e-12)


def social_pension_by_hand(year: int, base_amount: float) -> float:
    """RAP formula written out: 12 months x (persons 60-69 x a + persons 70-79 x (a + 20) + persons 80+ x (a + 40))."""
    population = read_population_projection(POPULATION)
    n = {label: population.group_total(year, label) for label in ("60-64", "65-69", "70-74", "75-79", "80+")}
    return 12 * ((n["60-64"] + n["65-69"]) * base_amount + (n["70-74"] + n["75-79"]) * (base_amount + 20)
                 + n["80+"] * (base_amount + 40))


def test_social_pension_projected_cost_matches_the_aggregate_method(full_projection):
    """With calibration to the age groups (60+ included), microsimulated SAII old-age cost = RAP formula."""
    for year in YEARS:
        baseline_amount = 60 * cpi(year) / cpi(2024)  # legislated 2024, indexed to prices from 2025
        reform_amount = 80 * cpi(year) / cpi(2025)  # the reform sets 80 in 2025, indexed from 2026
        results = full_projection.results[year]
        ages = results.survey.persons["age"].to_numpy()
        for scenario, amount in (("baseline", baseline_amount), ("saii_increase", reform_amount)):
            saii = results.scenario(scenario).person["saii"]
            micro = float(np.sum(person_weights(results) * saii * (ages >= 60)))
            assert micro == pytest.approx(social_pension_by_hand(year, amount), rel=1e-6), (year, scenario)
    checks = full_projection.cross_checks
    saii = checks[checks["programme"] == "saii"]
    assert len(saii) == 3 * len(YEARS)
    assert saii["within_tolerance"].all()
    assert saii["relative_difference"].abs().max() < 1e-6
    assert (saii["take_up_noise_sd"] == 0).all()


def test_invalidity_component_is_excluded_explicitly(full_projection):
    checks = full_projection.cross_checks.set_index(["year", "scenario", "programme"])
    for year in (2025, 2035):
        row = checks.loc[(year, "baseline", "saii")]
        total = full_projection.value(year, "baseline", "cost", "saii")
        assert row["excluded_cost"] > 0
        assert row["microsimulated_cost"] + row["excluded_cost"] == pytest.approx(total, rel=1e-9)
        assert "invalidity" in row["excluded"]


def test_child_grant_difference_is_explained_by_ages_within_groups(full_projection):
    population = read_population_projection(POPULATION)
    checks = full_projection.cross_checks
    grant = checks[checks["programme"] == "universal_child_grant"]
    assert list(grant["scenario"].unique()) == ["universal_child_grant"]  # nothing paid in the other scenarios
    for row in grant.itertuples():
        amount = 20 * cpi(row.year) / cpi(2025)
        by_hand = 12 * amount * (population.group_total(row.year, "0-4") + population.group_total(row.year, "5-9") / 5)
        assert row.aggregate_cost == pytest.approx(by_hand, rel=1e-9)
        assert row.within_tolerance is None or (isinstance(row.within_tolerance, float) and math.isnan(row.within_tolerance))
        assert abs(row.relative_difference) > 1e-3  # the even spread of ages differs from the survey's
        assert row.microsimulated_cost == pytest.approx(row.aggregate_cost_survey_ages, rel=1e-6)


def test_tidy_table_is_consistent(full_projection):
    table = full_projection.table
    assert list(table.columns) == ["year", "scenario", "programme", "indicator", "value", "unit"]
    assert np.isfinite(table["value"]).all()
    assert not table.duplicated(["year", "scenario", "programme", "indicator"]).any()
    assert full_projection.scenarios == ["baseline", "saii_increase", "universal_child_grant"]
    assert set(table["programme"]) == {"all", "saii", "bolsa_da_mae", "universal_child_grant"}  # silent ones dropped
    macro = full_projection.macro.set_index("year")
    for year in (2025, 2035):
        for scenario in full_projection.scenarios:
            for programme in ("all", "saii"):
                cost = full_projection.value(year, scenario, "cost", programme)
                assert full_projection.value(year, scenario, "cost_pct_gdp", programme) == pytest.approx(
                    100 * cost / macro.at[year, "gdp"])
                assert full_projection.value(year, scenario, "cost_pct_expenditure", programme) == pytest.approx(
                    100 * cost / macro.at[year, "government_expenditure"])
        assert full_projection.value(year, "baseline", "additional_cost") == 0
        assert full_projection.value(year, "baseline", "population") == pytest.approx(macro.at[year, "population"])
        extra = full_projection.value(year, "saii_increase", "additional_cost")
        assert extra == pytest.approx(full_projection.value(year, "saii_increase", "cost")
                                      - full_projection.value(year, "baseline", "cost"))
        assert full_projection.value(year, "universal_child_grant", "poverty_headcount") < full_projection.value(
            year, "baseline", "poverty_headcount")
    units = dict(zip(table["indicator"], table["unit"]))
    assert units["cost"] == "USD" and units["cost_pct_gdp"] == "% of GDP" and units["gini"] == "index (0-1)"
    # GDP by hand: 2023 non-oil GDP (USD 1,891 million) grown by the file's nominal growth.
    gdp_2026 = 1891e6 * 1.062861 * 1.048351 * 1.051594
    assert macro.at[2026, "gdp"] == pytest.approx(gdp_2026, rel=1e-12)
    assert macro.at[2026, "government_expenditure"] == pytest.approx(0.839744 * gdp_2026, rel=1e-12)


def test_take_up_phase_in_and_its_noise_allowance(tmp_path):
    raw = raw_assumptions(end=2026)
    raw["take_up"]["saii"] = [
        {"years": 2025, "value": 0.8, "assumption": "test phase-in"},
        {"years": 2026, "value": 0.9, "assumption": "test phase-in"},
    ]
    result = project(write_assumptions(tmp_path, raw), {})
    checks = result.cross_checks.set_index("year")
    for year, rate in ((2025, 0.8), (2026, 0.9)):
        row = checks.loc[year]
        assert row["take_up"] == rate
        assert 0 < row["take_up_noise_sd"] < 0.02
        assert row["within_tolerance"]  # within 4 standard deviations of the draws
        assert row["microsimulated_beneficiaries"] / row["aggregate_beneficiaries"] == pytest.approx(1, abs=0.05)
    changes = result.provenance["scenarios"]["baseline"]
    assert changes == []  # the year's reform is generated per year, the scenario itself is the law


def test_survey_money_with_wages(tmp_path):
    raw = raw_assumptions(end=2026)
    raw["prices"]["survey_money"] = "wages"
    result = project(write_assumptions(tmp_path, raw), {})
    macro = result.macro.set_index("year")
    wages_2026 = 1.024135 * 1.03327
    assert macro.at[2026, "survey_money_factor"] == pytest.approx(cpi(2024) / cpi(2015) * wages_2026, rel=1e-12)
    assert macro.at[2026, "wage_index_vs_base_year"] == pytest.approx(wages_2026, rel=1e-12)
