"""``floorsim synth`` on the Viet Nam profile at 20,000 households: every margin, the poverty rate and the Gini of
the written survey, computed a second time with ``floorsim.indicators`` from the files (not the report's numbers), against
the profile's own figures read straight from the YAML (not through the generator's loader)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.indicators import fgt, gini, weighted_count, weighted_total
from floorsim.simulations.cli import app
from floorsim.surveys import load_survey
from floorsim.surveys.model import Survey

PROFILE = Path(__file__).resolve().parents[2] / "floorsim" / "surveys" / "data" / "profiles" / "viet_nam.yaml"
HOUSEHOLDS = 20_000
MARGIN_TOLERANCE = 0.005  # relative: the "every margin within 0.5 %"
POINTS_TOLERANCE = 0.005  # 0.5 points of a rate or of the Gini


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("synth") / "viet_nam"
    result = CliRunner().invoke(app, ["synth", str(PROFILE), "--out", str(out), "--households", str(HOUSEHOLDS),
                                      "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def survey(written: tuple[Path, str]) -> Survey:
    return load_survey(written[0])


def person_weights(survey: Survey) -> np.ndarray:
    """Household weight of each person, from the persons table joined to the households table by id."""
    weights = survey.households.set_index("household_id")["weight"]
    return weights.loc[survey.persons["household_id"]].to_numpy()


def test_written_survey_is_synthetic_viet_nam(survey: Survey, raw: dict) -> None:
    meta = survey.metadata
    assert (meta.name, meta.country, meta.currency, meta.welfare_concept) == ("viet_nam_synthetic", "VNM", "VND",
                                                                              "income")
    assert meta.synthetic is True and "SYNTHETIC" in meta.source
    assert len(survey) == HOUSEHOLDS
    assert meta.extra["orphan"] == "drawn: 0.04 of persons aged 0-17"
    assert not survey.persons.loc[survey.persons["age"] >= 18, "orphan"].any()
    assert meta.calibration is not None and meta.calibration["method"] == "raking"


def test_population_sex_age_and_households(survey: Survey, raw: dict) -> None:
    w = person_weights(survey)
    persons = survey.persons
    population = raw["population"]
    total = population["total"]["value"]
    assert weighted_total(np.ones(len(w)), w) == pytest.approx(total, rel=MARGIN_TOLERANCE)
    for sex in ("female", "male"):
        achieved = weighted_count((persons["sex"] == sex).to_numpy(), w)
        assert achieved == pytest.approx(population["by_sex"][sex], rel=MARGIN_TOLERANCE), sex
    shares = population["by_age"]["shares"]
    for (low, high), share in zip(population["age_groups"], shares, strict=True):
        cell = weighted_count(persons["age"].between(low, high).to_numpy(), w)
        # The published shares are rounded to 0.1 point: the target is the share (rescaled to add up to 1) x total.
        assert cell == pytest.approx(share / sum(shares) * total, rel=MARGIN_TOLERANCE), (low, high)
    households = survey.households["weight"].sum()
    assert households == pytest.approx(raw["households"]["total"]["value"], rel=MARGIN_TOLERANCE)


def test_regions_and_urban_shares(survey: Survey, raw: dict) -> None:
    w = person_weights(survey)
    by_id = survey.households.set_index("household_id")
    region = by_id["region"].loc[survey.persons["household_id"]].to_numpy()
    urban = by_id["urban"].loc[survey.persons["household_id"]].to_numpy()
    population = raw["population"]
    for name, persons in population["regions"]["values"].items():
        assert weighted_count(region == name, w) == pytest.approx(persons, rel=MARGIN_TOLERANCE), name
        expected = population["urban_share"]["by_region"][name]["value"]
        assert weighted_count(urban & (region == name), w) / weighted_count(region == name, w) == pytest.approx(
            expected, abs=1e-4), name
    national = weighted_count(urban, w) / w.sum()
    # By hand: 33,059,735 urban persons / 96,208,984 = 0.343624 (the V-NAMHS table of the 2019 census).
    assert national == pytest.approx(33_059_735 / 96_208_984, rel=MARGIN_TOLERANCE)


def test_poverty_rate_of_households_at_the_urban_and_rural_lines(survey: Survey, raw: dict) -> None:
    households = survey.households
    per_capita = households["income"].to_numpy() / survey.household_size
    line = raw["welfare"]["poverty_line"]
    lines = np.where(households["urban"].to_numpy(), line["urban"], line["rural"])
    rate = fgt(per_capita, households["weight"].to_numpy(), lines, alpha=0.0)
    assert rate == pytest.approx(raw["welfare"]["poverty_rate"]["value"], abs=POINTS_TOLERANCE)
    # 4.03% poor + 3.49% near-poor households (MoLISA 2022), by hand.
    assert raw["welfare"]["poverty_rate"]["value"] == pytest.approx(0.0403 + 0.0349)


def test_gini_of_income_per_capita(survey: Survey, raw: dict) -> None:
    per_capita = survey.households["income"].to_numpy() / survey.household_size
    weights = survey.households["weight"].to_numpy() * survey.household_size
    assert gini(per_capita, weights) == pytest.approx(raw["welfare"]["gini"]["value"], abs=POINTS_TOLERANCE)


def test_disability_births_and_school(survey: Survey, raw: dict) -> None:
    persons = survey.persons
    w = person_weights(survey)
    age = persons["age"].to_numpy()
    two_plus = age >= 2
    severe = weighted_count((persons["disability_severity"] >= 2).to_numpy() & two_plus, w) / w[two_plus].sum()
    assert severe == pytest.approx(raw["disability"]["a_lot_of_difficulty_or_worse"]["value"], abs=POINTS_TOLERANCE)
    births = persons["gave_birth"].to_numpy()
    assert (persons.loc[births, "sex"] == "female").all() and persons.loc[births, "age"].between(15, 49).all()
    # Second method for births: TFR 2.09 spread over 35 years of childbearing gives about 2.09 / 35 = 6% of women
    # 15-49 giving birth in a year; the generator's age pattern puts more weight where women are, so 4-8%.
    women = (persons["sex"] == "female").to_numpy() & (age >= 15) & (age <= 49)
    assert 0.04 < weighted_count(births & women, w) / w[women].sum() < 0.08
    primary = (age >= 6) & (age <= 10)
    attending = weighted_count(persons["in_school"].to_numpy() & primary, w) / w[primary].sum()
    assert attending == pytest.approx(raw["schooling"]["attendance_rate"]["value"], abs=POINTS_TOLERANCE)


def test_report_csv_agrees_with_the_second_computation(written: tuple[Path, str], survey: Survey) -> None:
    out, output = written
    report = pd.read_csv(out / "calibration_report.csv").set_index("figure")
    per_capita = survey.households["income"].to_numpy() / survey.household_size
    weights = survey.households["weight"].to_numpy() * survey.household_size
    assert report.loc["Gini of income per capita", "achieved"] == pytest.approx(gini(per_capita, weights), abs=1e-9)
    assert report.loc["persons", "achieved"] == pytest.approx(person_weights(survey).sum(), rel=1e-9)
    margins = report[report["how"] == "calibrated exactly"]
    assert len(margins) >= 15
    assert (margins["relative_gap"].abs() < MARGIN_TOLERANCE).all()
    assert "| poverty rate (households) |" in output and "calibration_report.csv" in output


def test_same_seed_same_files(written: tuple[Path, str], tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = CliRunner().invoke(app, ["synth", str(PROFILE), "--out", str(again), "--households", str(HOUSEHOLDS),
                                      "--seed", "3"])
    assert result.exit_code == 0, result.output
    first, second = load_survey(written[0]), load_survey(again)
    pd.testing.assert_frame_equal(first.households, second.households, check_exact=True)
    pd.testing.assert_frame_equal(first.persons, second.persons, check_exact=True)
