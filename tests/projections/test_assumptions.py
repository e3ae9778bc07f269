"""The assumptions file: the shipped one is valid and labelled; errors name the file and the field."""

from __future__ import annotations

import pytest

from floorsim.simulations.projections import ProjectionError, load_assumptions, project
from floorsim.simulations.projections.assumptions import series_value
from tests.projections.helpers import ASSUMPTIONS, raw_assumptions, write_assumptions


def test_shipped_file_is_valid_and_every_value_is_sourced_or_labelled():
    a = load_assumptions(ASSUMPTIONS)
    assert a.years.years == list(range(2025, 2036))
    assert a.base_year == 2024
    assert len(a.sha256) == 64
    series = [a.prices.inflation, a.gdp.nominal_growth, a.government_expenditure_share_of_gdp, a.wage_growth,
              *a.take_up.values()]
    for entries in series:
        for entry in entries:
            assert entry.source or entry.assumption
            assert entry.status in ("sourced", "assumption")
            for reference in entry.source:
                assert reference.title and reference.url and reference.url.startswith("http")
    # Values beyond the published projections are labelled as assumptions.
    assert series_value(a.prices.inflation, 2030).status == "assumption"
    assert series_value(a.prices.inflation, 2025).status == "sourced"
    assert series_value(a.government_expenditure_share_of_gdp, 2031).status == "assumption"
    assert all(rule.justification for rule in a.indexation.values())


def test_nominal_growth_combines_the_cited_real_growth_and_inflation():
    """Nominal growth = (1 + real non-oil growth, IMF) x (1 + CPI inflation) - 1, as each entry says."""
    a = load_assumptions(ASSUMPTIONS)
    real = {2024: 0.041, 2025: 0.039, 2026: 0.033, **{year: 0.03 for year in range(2027, 2036)}}
    inflation = {2024: 0.021, **{year: series_value(a.prices.inflation, year).value for year in range(2025, 2036)}}
    for year, growth in real.items():
        expected = (1 + growth) * (1 + inflation[year]) - 1
        assert series_value(a.gdp.nominal_growth, year).value == pytest.approx(expected, abs=1e-6)
        if year >= 2025:
            wages = (1 + inflation[year]) * 1.015 - 1  # IMF: about 1.5% real growth per capita
            assert series_value(a.wage_growth, year).value == pytest.approx(wages, abs=1e-6)


def test_government_expenditure_shares_are_the_ratios_of_the_weo_projections():
    a = load_assumptions(ASSUMPTIONS)
    weo = {2025: (1882, 2185), 2026: (1965, 2340), 2027: (2020, 2507), 2028: (2078, 2685)}
    for year, (expenditure, gdp) in weo.items():
        assert series_value(a.government_expenditure_share_of_gdp, year).value == pytest.approx(expenditure / gdp, abs=1e-6)


def error_for(tmp_path, raw) -> str:
    path = write_assumptions(tmp_path, raw)
    with pytest.raises(ProjectionError) as caught:
        load_assumptions(path)
    message = str(caught.value)
    assert message.startswith(str(path.resolve())), message
    return message


def test_a_value_without_source_or_assumption_is_refused(tmp_path):
    raw = raw_assumptions()
    del raw["prices"]["inflation"][2]["assumption"]
    message = error_for(tmp_path, raw)
    assert "prices.inflation[2]" in message and "source" in message and "assumption" in message


def test_a_missing_year_is_named(tmp_path):
    raw = raw_assumptions()
    raw["prices"]["inflation"][2]["years"] = "2027-2030"
    message = error_for(tmp_path, raw)
    assert "prices.inflation: no value for 2031, 2032, 2033, 2034, 2035" in message


def test_a_year_given_twice_is_named(tmp_path):
    raw = raw_assumptions()
    raw["wage_growth"][1]["years"] = "2026-2027"
    assert "wage_growth: 2027 is given twice" in error_for(tmp_path, raw)


def test_unknown_keys_and_bad_types_name_the_field(tmp_path):
    raw = raw_assumptions()
    raw["gdp"]["growth"] = 0.05
    assert "gdp.growth: Extra inputs are not permitted" in error_for(tmp_path, raw)
    raw = raw_assumptions()
    raw["prices"]["inflation"][0]["value"] = "high"
    assert "prices.inflation[0].value" in error_for(tmp_path, raw)
    raw = raw_assumptions()
    raw["take_up"]["saii"][0]["value"] = 1.2
    assert "take_up.saii: rate 1.2" in error_for(tmp_path, raw)
    raw = raw_assumptions()
    raw["indexation"]["benefits.saii.amount"] = {"rule": "gold"}
    message = error_for(tmp_path, raw)
    assert "indexation.benefits.saii.amount.rule" in message
    assert "indexation.benefits.saii.amount.justification" in message


def test_rates_must_be_fractions(tmp_path):
    raw = raw_assumptions()
    raw["prices"]["inflation"][0]["value"] = 2.0  # meant 2%
    assert "give fractions" in error_for(tmp_path, raw)


def test_not_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(ProjectionError, match="broken.yaml: not valid YAML"):
        load_assumptions(path)
    with pytest.raises(ProjectionError, match="assumptions file not found"):
        load_assumptions(tmp_path / "nowhere.yaml")


def project_error(tmp_path, raw) -> str:
    path = write_assumptions(tmp_path, raw)
    with pytest.raises(ProjectionError) as caught:
        project(path, {})
    return str(caught.value)


def test_errors_against_the_country_package_name_the_file_and_field(tmp_path):
    raw = raw_assumptions(end=2025)
    raw["indexation"]["benefits.saii.amonut"] = {"rule": "prices", "justification": "typo"}
    message = project_error(tmp_path, raw)
    assert "assumptions.yaml: indexation.benefits.saii.amonut" in message
    assert "did you mean benefits.saii.amount" in message

    raw = raw_assumptions(end=2025)
    raw["indexation"]["benefits.saii.old_age_minimum_age"] = {"rule": "prices", "justification": "no"}
    message = project_error(tmp_path, raw)
    assert "indexation.benefits.saii.old_age_minimum_age" in message and "currency" in message

    raw = raw_assumptions(end=2025)
    raw["indexation"]["benefits.saii.age_supplement"] = {"rule": "prices", "justification": "no"}
    assert "brackets of a scale" in project_error(tmp_path, raw)

    raw = raw_assumptions(end=2025)
    raw["take_up"]["bolsa_da_mae"] = raw["take_up"]["saii"]
    message = project_error(tmp_path, raw)
    assert "take_up.bolsa_da_mae" in message and "no take-up rate parameter" in message

    raw = raw_assumptions(end=2025)
    raw["gdp"]["parameter"] = "country.gdp.oil"
    assert "gdp.parameter" in project_error(tmp_path, raw)

    raw = raw_assumptions(end=2025)
    raw["gdp"]["base_year"] = 2005
    raw["gdp"]["nominal_growth"].insert(0, {"years": "2006-2023", "value": 0.05, "assumption": "test"})
    assert "gdp.base_year: 'country.gdp.non_oil' has no value for 2005" in project_error(tmp_path, raw)

    raw = raw_assumptions(end=2025)
    raw["cross_checks"][0]["amount"] = "benefits.saii.amont"
    assert "cross_checks[0].amount" in project_error(tmp_path, raw)


def test_a_population_file_without_the_years_is_named(tmp_path):
    raw = raw_assumptions()
    raw["years"]["end"] = 2036
    for key in ("wage_growth", "government_expenditure_share_of_gdp"):
        raw[key][-1]["years"] = raw[key][-1]["years"].replace("2035", "2036")
    raw["prices"]["inflation"][-1]["years"] = "2027-2036"
    raw["gdp"]["nominal_growth"][-1]["years"] = "2027-2036"
    raw["take_up"]["saii"][0]["years"] = "2025-2036"
    message = project_error(tmp_path, raw)
    assert "population.file" in message and "timor_leste_population_projection.yaml has no population for 2036" in message
