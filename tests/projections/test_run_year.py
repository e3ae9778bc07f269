"""``floorsim run --period Y`` and ``floorsim project`` stand for the same population of Y and divide by the same GDP.

The two differ by design in one thing only: ``project`` indexes the parameters that have no value legislated for Y
(``indexation`` of the assumptions file: the 2025 CPI rate, 0.9 %, on amounts last set in 2024, and the Bolsa da
Mãe means-test line), while ``run`` applies the law as it stands. So figures that indexation does not touch agree
to rounding (relative 1e-9), and the total cost of all transfers within 1 % (the 0.9 % indexation of Bolsa da Mãe
amounts and line, a few % of the total).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.engine.microsimulation import BASELINE
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.simulated_year import parse_population_year
from tests.projections.helpers import POPULATION

REFORM = "saii_increase"


@pytest.fixture(scope="module")
def run_2025(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("run2025")
    result = CliRunner().invoke(app, ["run", "--period", "2025", "--out", str(out), "--no-report", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())


def test_run_and_project_stand_for_the_same_2025_population(run_2025, full_projection):
    assert run_2025["population"]["year"] == 2025
    projected = full_projection.value(2025, BASELINE, "population")
    assert run_2025["population"]["persons"] == pytest.approx(projected, rel=1e-9)
    assert run_2025["population"]["projection_file"] == str(POPULATION)


def test_run_and_project_divide_by_the_same_gdp(run_2025, full_projection):
    macro = full_projection.macro.set_index("year")
    denominators = run_2025["cost_denominators"]
    assert denominators["gdp"]["value"] == pytest.approx(macro.at[2025, "gdp"], rel=1e-12)
    assert denominators["government_expenditure"]["value"] == pytest.approx(
        macro.at[2025, "government_expenditure"], rel=1e-12
    )


def test_run_and_project_give_the_same_2025_figures(run_2025, full_projection):
    headline = run_2025["headline"]
    # The reform sets the social pension for 2025, so neither indexes it: the same cost to rounding.
    assert headline["saii_cost"]["reform"] == pytest.approx(
        full_projection.value(2025, REFORM, "cost", "saii"), rel=1e-9
    )
    # The same survey weights and money: the same poverty before transfers move anyone across the line.
    assert headline["poverty_headcount"]["reform"] == pytest.approx(
        full_projection.value(2025, REFORM, "poverty_headcount"), abs=1e-3
    )
    # All transfers: within the indexation of the amounts the law leaves at their 2024 level (module docstring).
    for side, scenario in (("baseline", BASELINE), ("reform", REFORM)):
        projected = full_projection.value(2025, scenario, "cost")
        assert headline["total_cost"][side] == pytest.approx(projected, rel=0.02)
        assert 100 * headline["total_cost_share_gdp"][side] == pytest.approx(
            full_projection.value(2025, scenario, "cost_pct_gdp"), rel=0.02
        )


@pytest.mark.parametrize("text, expected", [(None, None), ("survey", "survey"), ("2030", 2030)])
def test_population_year_option_values(text, expected):
    assert parse_population_year(text) == expected


def test_population_year_option_rejects_other_words():
    with pytest.raises(ProjectionError, match="neither 'survey' nor a year"):
        parse_population_year("latest")


def test_a_survey_moved_to_2025_records_the_2025_margins_its_replicates_are_recalibrated_to():
    """The reweighted survey's weights meet the 2025 population by age group, and its recorded calibration is that
    margin (not the survey's own), so every bootstrap replicate is re-calibrated to the 2025 population."""
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.projections.population import read_population_projection
    from floorsim.simulations.projections.simulated_year import country_assumptions, simulated_year
    from floorsim.surveys.bundled import load_bundled_survey
    from floorsim.surveys.calibration import calibration_matrix
    from floorsim.surveys.recorded_calibration import margins_from_record

    spec = load_country("timor_leste")
    moved = simulated_year(spec, load_bundled_survey(), 2025)
    assumptions = country_assumptions(spec)
    margin = read_population_projection(assumptions.resolve(assumptions.population.file)).margin(2025)
    (recorded,) = margins_from_record(moved.survey.metadata.calibration)
    assert recorded.by == margin.by and recorded.level == "persons"
    assert {str(k): v for k, v in recorded.targets.items()} == {str(k): v for k, v in margin.targets.items()}
    X, _, names = calibration_matrix(moved.survey, [margin])
    achieved = X.T @ moved.survey.households["weight"].to_numpy()
    expected = [dict((str(k), v) for k, v in margin.targets.items())[str(category)] for _, category in names]
    assert achieved == pytest.approx(expected, rel=1e-8)
    assert moved.population["year"] == 2025


def test_the_method_section_says_the_survey_was_moved_to_the_simulated_year():
    from floorsim.simulations import Microsimulation
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.projections.simulated_year import simulated_year
    from floorsim.simulations.reports.tables import build_report
    from floorsim.surveys.bundled import load_bundled_survey

    moved = simulated_year(load_country("timor_leste"), load_bundled_survey(), 2025)
    factor = moved.survey.metadata.extra["projection"]["money_factor"]
    results = Microsimulation("timor_leste", moved.survey, 2025, n_jobs=1, backend="sequential").run(
        {"baseline": None, REFORM: "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}
    )
    method = " ".join(build_report(results, REFORM, replicates=0).method)
    assert "The survey, collected in 2015, was moved to 2025 before the run" in method
    assert f"multiplied by {factor:.4f}" in method and factor > 1.0
    unmoved = Microsimulation("timor_leste", load_bundled_survey(), 2025, n_jobs=1, backend="sequential").run(
        {"baseline": None, REFORM: "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}
    )
    assert "was moved to" not in " ".join(build_report(unmoved, REFORM, replicates=0).method)
