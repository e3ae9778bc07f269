"""The eusilc example mapping on real (public, synthetic) EU-SILC microdata, checked against values computed
directly from the Parquet file with pandas and against values published in the laeken vignette."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import SurveyError, load_survey, write_survey

ROOT = Path(__file__).resolve().parents[2]
EUSILC = ROOT / "tests" / "fixtures" / "eusilc" / "eusilc.parquet"
MAPPING = ROOT / "floorsim" / "surveys" / "examples" / "eusilc_mapping.yaml"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_parquet(EUSILC)


@pytest.fixture(scope="module")
def survey():
    return load_survey(EUSILC, mapping=MAPPING)


def eurostat_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median as Eurostat/laeken define it: step function of the weighted CDF, averaging at exact hits."""
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    half = 0.5 * cumulative[-1]
    i = int(np.searchsorted(cumulative, half))
    return float((values[i] + values[i + 1]) / 2 if np.isclose(cumulative[i], half) else values[i])


def test_sizes_and_weighted_totals_match_the_file(survey, raw):
    households = raw.groupby("db030").first()
    assert len(survey.households) == raw["db030"].nunique() == 6000
    assert len(survey.persons) == len(raw) == 14827
    assert survey.households["weight"].sum() == pytest.approx(households["db090"].sum(), rel=1e-12)
    assert survey.person_weight.sum() == pytest.approx(raw["rb050"].sum(), rel=1e-12)
    by_sex = pd.Series(survey.person_weight).groupby(survey.persons["sex"].to_numpy()).sum()
    expected = raw.groupby("rb090")["rb050"].sum()
    for sex in ("female", "male"):
        assert by_sex[sex] == pytest.approx(expected[sex], rel=1e-12)
    by_region = survey.households.groupby("region")["weight"].sum()
    pd.testing.assert_series_equal(
        by_region.sort_index(), households.groupby("db040")["db090"].sum().sort_index(), check_names=False,
        check_index_type=False,
    )


def test_household_size_matches_hsize(survey, raw):
    declared = raw.groupby("db030")["hsize"].first()
    np.testing.assert_array_equal(survey.household_size, declared.loc[survey.households["household_id"]].to_numpy())


def test_income_rebuilt_from_components_equals_laeken_eqincome(survey, raw):
    # laeken's eqIncome is disposable income / eqSS per year; the mapping builds income per month from components.
    households = raw.groupby("db030").first().loc[survey.households["household_id"]]
    np.testing.assert_allclose(
        survey.welfare_per_adult_equivalent() * 12, households["eqIncome"], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(survey.households["adult_equivalents"], households["eqSS"])
    total = float(np.sum(households["db090"] * households["eqIncome"] * households["eqSS"]))
    assert float(np.sum(survey.households["weight"] * survey.welfare())) * 12 == pytest.approx(total, rel=1e-12)
    assert survey.metadata.welfare_concept == "income"
    assert survey.welfare_column == "income"


def test_published_median_and_poverty_rate_from_mapped_income(survey):
    # laeken 0.5.2 vignette: weighted median of eqIncome 18098.73; at-risk-of-poverty rate (60%) 14.44422 %.
    income = (survey.welfare_per_adult_equivalent() * 12)[survey.person_household_index]
    weights = survey.person_weight
    median = eurostat_median(income, weights)
    assert median == pytest.approx(18098.73, abs=0.005)
    rate = 100 * weights[income < 0.6 * median].sum() / weights.sum()
    assert rate == pytest.approx(14.44422, abs=5e-6)


def test_person_income_components_are_monthly_and_missing_means_zero(survey, raw):
    persons = raw.set_index("rb030").loc[survey.persons["person_id"]]
    np.testing.assert_allclose(survey.persons["income_employee"], persons["py010n"].fillna(0) / 12)
    np.testing.assert_allclose(survey.persons["income_old_age_benefits"], persons["py100n"].fillna(0) / 12)
    total = float(np.sum(raw["rb050"] * raw["py100n"].fillna(0)))
    assert float(np.sum(survey.person_weight * survey.persons["income_old_age_benefits"])) * 12 == pytest.approx(
        total, rel=1e-12
    )


def test_categorical_recodes_and_derivations(survey, raw):
    persons = raw.set_index("rb030").loc[survey.persons["person_id"]]
    codes = persons["pl030"].astype(object).fillna("missing").to_numpy()
    status = survey.persons["employment_status"].to_numpy()
    assert np.all(status[np.isin(codes, ["1", "2"])] == "employed")
    assert np.all(status[codes == "3"] == "unemployed")
    assert np.all(status[np.isin(codes, ["4", "5", "6", "7"])] == "inactive")
    assert np.all(status[codes == "missing"] == "not_applicable")
    np.testing.assert_array_equal(survey.persons["in_school"].to_numpy(), codes == "4")
    # The head is member 01 of each household; everyone else is other_relative.
    is_head = (survey.persons["person_id"] % 100 == 1).to_numpy()
    assert np.all(survey.persons["relationship"].to_numpy()[is_head] == "head")
    assert np.all(survey.persons["relationship"].to_numpy()[~is_head] == "other_relative")
    # Ages of -1 are clipped to 0; no other age changes.
    np.testing.assert_array_equal(survey.persons["age"], np.clip(persons["age"].to_numpy(), 0, None))
    assert (survey.persons["disability_severity"] == 0).all() and not survey.persons["pregnant"].any()
    assert survey.households["psu"].nunique() == 6000
    assert (survey.households["stratum"] == survey.households["region"]).all()


def test_mapped_survey_round_trips_through_floorsim_format(tmp_path, survey):
    again = load_survey(write_survey(survey, tmp_path / "eusilc"))
    pd.testing.assert_frame_equal(again.households, survey.households)
    pd.testing.assert_frame_equal(again.persons, survey.persons)
    assert again.metadata == survey.metadata


def test_inconsistent_declared_household_size_is_named(tmp_path, raw):
    broken = raw.copy()
    broken.loc[broken["db030"] == 7, "hsize"] += 1
    path = tmp_path / "eusilc.parquet"
    broken.to_parquet(path)
    with pytest.raises(SurveyError) as caught:
        load_survey(path, mapping=MAPPING)
    assert caught.value.field == "checks.household_size"
    assert caught.value.rows == [7]
    assert str(path) in str(caught.value)
