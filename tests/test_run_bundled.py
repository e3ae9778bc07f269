"""End to end: ``floorsim run`` with no survey argument runs on the bundled survey and writes summary.json.

Expected figures are computed a second way, directly from the survey table with pandas and the 2025 rules as
published (USD 60 a month from age 60 or for adults unable to work, +20 at 70-79, +40 at 80+), not by the engine,
on the survey's own population (``--population-year survey``). The default run (the 2025 projected population)
is checked against the population file and the GDP computed by hand from the YAML files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from floorsim.indicators import fgt
from floorsim.surveys.bundled import BUNDLED_SURVEY, generate_bundled_survey, load_bundled_survey
from floorsim.surveys.io import survey_hash

REPOSITORY = Path(__file__).resolve().parents[1]
ASSUMPTIONS = REPOSITORY / "floorsim" / "country_packages" / "timor_leste" / "projections" / "assumptions_2025_2035.yaml"


def saii_2025_by_hand(persons: pd.DataFrame, base: float = 60.0) -> np.ndarray:
    age = persons["age"].to_numpy()
    eligible = (age >= 60) | ((age >= 18) & (persons["disability_severity"].to_numpy() >= 3))
    supplement = np.select([age >= 80, age >= 70], [40.0, 20.0], 0.0)
    return np.where(eligible, 12 * (base + supplement), 0.0)


def run_summary(out: Path, *arguments: str) -> tuple[dict, str]:
    """summary.json and the terminal output of ``floorsim run`` (a separate process, as a user runs it)."""
    completed = subprocess.run(
        [sys.executable, "-m", "floorsim.simulations.cli", "run", "--out", str(out), *arguments],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "baseline vs saii_increase" in completed.stdout
    return json.loads((out / "summary.json").read_text()), completed.stdout


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    return run_summary(tmp_path_factory.mktemp("run"), "--population-year", "survey")[0]


@pytest.fixture(scope="module")
def projected(tmp_path_factory):
    """The default run (2025): the survey reweighted to the 2025 population projection."""
    return run_summary(tmp_path_factory.mktemp("projected"), "--no-report")


def gdp_by_hand(year: int) -> tuple[float, float]:
    """GDP and government expenditure of ``year`` (USD) from the YAML files: non-oil GDP of 2023 (USD million,
    country package) × Π (1 + nominal growth) of the assumptions file; expenditure = its share of GDP × GDP."""
    values = yaml.safe_load(
        (REPOSITORY / "floorsim/country_packages/timor_leste/parameters/country/gdp/non_oil.yaml").read_text()
    )["values"]
    gdp = next(float(v["value"]) for k, v in values.items() if str(k).startswith("2023")) * 1e6
    assumptions = yaml.safe_load(ASSUMPTIONS.read_text())

    def covering(series: list[dict], y: int) -> float:
        for entry in series:
            first, _, last = str(entry["years"]).partition("-")
            if int(first) <= y <= int(last or first):
                return float(entry["value"])
        raise AssertionError(f"no value for {y}")

    for y in range(2024, year + 1):
        gdp *= 1 + covering(assumptions["gdp"]["nominal_growth"], y)
    return gdp, covering(assumptions["government_expenditure_share_of_gdp"], year) * gdp


def test_default_run_stands_for_the_projected_population_of_the_year(projected):
    summary, stdout = projected
    raw = yaml.safe_load((REPOSITORY / "floorsim/surveys/data/timor_leste_population_projection.yaml").read_text())
    persons = 1000.0 * sum(raw["years"][2025]["both_sexes"].values())  # the file is in thousands
    assert summary["population"]["year"] == 2025
    assert summary["population"]["projected"] is True
    assert summary["population"]["persons"] == pytest.approx(persons, rel=1e-9)
    assert summary["provenance"]["population"] == summary["population"]
    assert f"Population 2025: {persons:,.0f} persons" in " ".join(stdout.split())
    survey = load_bundled_survey()
    assert abs(persons - float(survey.person_weight.sum())) > 1000  # the survey's own population is another one
    # the survey is still described as what it is: its own reference year, not the year it was moved to
    assert summary["provenance"]["survey"]["reference_year"] == survey.metadata.reference_year != 2025


def test_default_run_cost_in_percent_of_gdp_and_expenditure_by_hand(projected):
    summary, stdout = projected
    gdp, expenditure = gdp_by_hand(2025)
    denominators = summary["cost_denominators"]
    assert denominators["gdp"]["value"] == pytest.approx(gdp, rel=1e-12)
    assert denominators["government_expenditure"]["value"] == pytest.approx(expenditure, rel=1e-12)
    assert "country.gdp.non_oil" in denominators["gdp"]["source"]
    headline = summary["headline"]
    for side in ("baseline", "reform", "change"):
        cost = headline["total_cost"][side]
        assert headline["total_cost_share_gdp"][side] == pytest.approx(cost / gdp, rel=1e-9)
        assert headline["total_cost_share_expenditure"][side] == pytest.approx(cost / expenditure, rel=1e-9)
    flat = " ".join(stdout.split())
    assert f"GDP 2025: USD {gdp / 1e6:,.2f} million" in flat
    packed = "".join(character for character in stdout if not character.isspace() and character not in "│┃")
    share = headline["total_cost_share_gdp"]
    assert "Allcashtransfers:cost,shareofGDP(%of" in packed  # the row; its label wraps, figures in between
    assert f"{100 * share['baseline']:.2f}" in stdout and f"{100 * share['reform']:.2f}" in stdout


def test_survey_population_run_states_the_survey_year_and_total(summary):
    survey = load_bundled_survey()
    assert summary["population"]["year"] == survey.metadata.reference_year
    assert summary["population"]["projected"] is False
    assert summary["population"]["persons"] == pytest.approx(float(survey.person_weight.sum()), rel=1e-12)
    gdp, _ = gdp_by_hand(2025)  # the GDP of the simulated year, whatever the population
    assert summary["headline"]["total_cost_share_gdp"]["reform"] == pytest.approx(
        summary["headline"]["total_cost"]["reform"] / gdp, rel=1e-9
    )


def test_saii_cost_and_beneficiaries_match_a_direct_calculation(summary):
    survey = load_bundled_survey()
    weights = survey.person_weight
    baseline = saii_2025_by_hand(survey.persons)
    reform = saii_2025_by_hand(survey.persons, base=80.0)
    headline = summary["headline"]
    assert headline["saii_cost"]["baseline"] == pytest.approx(float(np.sum(weights * baseline)), rel=1e-9)
    assert headline["saii_cost"]["reform"] == pytest.approx(float(np.sum(weights * reform)), rel=1e-9)
    assert headline["saii_beneficiaries"]["baseline"] == pytest.approx(float(np.sum(weights * (baseline > 0))), rel=1e-9)


def test_poverty_matches_a_direct_calculation(summary):
    survey = load_bundled_survey()
    prices = summary["provenance"]["prices"]
    line = prices["poverty_line_per_person_per_month"]
    gain = saii_2025_by_hand(survey.persons, 80.0) - saii_2025_by_hand(survey.persons)
    household_gain = pd.Series(gain).groupby(survey.person_household_index).sum().to_numpy() / 12
    consumption = survey.households["consumption"].to_numpy() * prices["consumption_uprating"]
    size = survey.household_size
    before = (consumption / size)[survey.person_household_index]
    after = ((consumption + household_gain) / size)[survey.person_household_index]
    headline = summary["headline"]
    assert headline["poverty_headcount"]["baseline"] == pytest.approx(fgt(before, survey.person_weight, line), abs=1e-12)
    assert headline["poverty_headcount"]["reform"] == pytest.approx(fgt(after, survey.person_weight, line), abs=1e-12)
    assert headline["poverty_headcount"]["change"] < 0


def test_summary_provenance_identifies_the_bundled_survey(summary):
    provenance = summary["provenance"]
    assert provenance["survey"]["sha256"] == survey_hash(BUNDLED_SURVEY)
    assert provenance["survey"]["synthetic"] is True
    assert provenance["period"] == 2025
    assert provenance["run"]["seed"] == 0


def test_bundled_survey_is_what_the_generator_makes():
    """The committed files are the generator's output for the recorded seed: nothing was edited by hand."""
    committed, fresh = load_bundled_survey(), generate_bundled_survey()
    pd.testing.assert_frame_equal(committed.households, fresh.households)
    pd.testing.assert_frame_equal(committed.persons, fresh.persons)
    assert committed.metadata == fresh.metadata


def test_summary_carries_the_timings_of_every_phase(summary, projected):
    """The full report: every phase from reading the survey to the HTML report, in order, timed; --no-report: the
    report phases absent. The total is the sum of the phases (times are not asserted, only their bookkeeping)."""
    timings = summary["provenance"]["phase_timings"]
    names = [phase["phase"] for phase in timings["phases"]]
    assert names == ["reading the survey", "simulation", "household frame", "uncertainty (200 replicates)",
                     "estimates and tables", "tables", "charts", "workbook", "HTML report"]
    seconds = [phase["seconds"] for phase in timings["phases"]]
    assert all(value >= 0 for value in seconds)
    assert timings["total_seconds"] == pytest.approx(sum(seconds), abs=0.01)
    peaks = [phase["peak_memory_mb"] for phase in timings["phases"]]
    assert peaks == sorted(peaks)  # a high-water mark never falls
    short = [phase["phase"] for phase in projected[0]["provenance"]["phase_timings"]["phases"]]
    assert short[-1] == "tables" and "charts" not in short
