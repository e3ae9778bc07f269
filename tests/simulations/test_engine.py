"""The engine on a hand-made survey: values worked out by hand, and independence from how work is split."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import yaml
import pytest

from floorsim.simulations import Microsimulation, ReformSpec, ScenarioError
from floorsim.simulations.errors import ReformError
from floorsim.simulations.engine.reforms import ParameterChange
from tests.conftest import make_tiny_survey

REFORM_80 = ReformSpec(
    name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80, start="2025-01-01"),)
)


def expected_line_2025() -> float:
    """The 2014 national line moved to 2025 prices: CPI level of 2014 chained with 2015-2024 inflation rates."""
    folder = Path("floorsim/country_packages/timor_leste/parameters/country")
    levels = yaml.safe_load((folder / "cpi.yaml").read_text())["values"]
    rates = yaml.safe_load((folder / "cpi_inflation.yaml").read_text())["values"]
    line = yaml.safe_load((folder / "poverty_line" / "national.yaml").read_text())["values"]
    growth = np.prod([1 + rates[datetime.date(year, 1, 1)]["value"] for year in range(2015, 2025)])
    assert datetime.date(2025, 1, 1) not in rates  # no published rate for 2025: prices held at 2024
    level_2014 = levels[datetime.date(2014, 1, 1)]["value"]
    return line[datetime.date(2014, 1, 1)]["value"] * level_2014 * growth / level_2014


def run(survey=None, **options):
    simulation = Microsimulation("timor_leste", survey or make_tiny_survey(), 2025, **options)
    return simulation.run({"baseline": None, "saii_80": REFORM_80})


def test_annual_amounts_match_hand_calculation():
    results = run(backend="sequential")
    # 2025 rates: USD 60 base, +20 at 70-79, +40 at 80+, twelve months each.
    # h1: 72 -> 80/month, 65 -> 60; h2: 35 unable to work -> 60; h3: 84 -> 100; nobody else.
    expected_baseline = [960, 720, 0, 720, 0, 0, 1200, 0, 0]
    np.testing.assert_array_equal(results.scenario("baseline").person["saii"], expected_baseline)
    expected_reform = [1200, 960, 0, 960, 0, 0, 1440, 0, 0]  # base raised by 20 a month for all four
    np.testing.assert_array_equal(results.scenario("saii_80").person["saii"], expected_reform)
    np.testing.assert_array_equal(results.scenario("baseline").household["social_transfers"], [1680, 720, 1200, 0])


def test_headline_figures_match_hand_calculation():
    results = run(backend="sequential")
    comparison = results.comparison("saii_80")
    # Cost = sum of household weight x annual amount: 100*(960+720) + 200*720 + 50*1200.
    assert comparison["saii_cost"]["baseline"] == pytest.approx(372_000)
    assert comparison["saii_cost"]["change"] == pytest.approx(240 * (100 * 2 + 200 + 50))
    assert comparison["saii_beneficiaries"]["baseline"] == pytest.approx(100 * 2 + 200 + 50)
    # Line: 46.37 in 2014 prices, moved to 2025 with the CPI chained by inflation rates (read from the YAML
    # files here, independently of floorsim/simulations/engine/prices.py): about 58.9. Survey prices are 2025's: no uprating.
    line = expected_line_2025()
    assert 58 < line < 60
    # Per capita: h1 50, h2 40, h3 60, h4 150. Poor: h1 (3 x 100 persons) and h2 (2 x 200) out of 1400.
    assert comparison["poverty_headcount"]["baseline"] == pytest.approx(700 / 1400)
    expected_gap = (300 * (line - 50) + 400 * (line - 40)) / line / 1400
    assert comparison["poverty_gap"]["baseline"] == pytest.approx(expected_gap)
    # Reform: h1 gains 2 x 20 a month over 3 persons (63.3), h2 20 over 2 (50): only h2 stays poor.
    assert comparison["poverty_headcount"]["reform"] == pytest.approx(400 / 1400)


@pytest.mark.parametrize("jobs", [1, 2, 4])
@pytest.mark.parametrize("chunk_size", [1, 2, 3])
def test_results_do_not_depend_on_chunking_or_workers(chunk_size, jobs):
    reference = run(backend="sequential", chunk_size=10)
    other = run(backend="loky", n_jobs=jobs, chunk_size=chunk_size)
    for name in ("baseline", "saii_80"):
        np.testing.assert_array_equal(other.scenario(name).person["saii"], reference.scenario(name).person["saii"])
        for key, values in reference.scenario(name).household.items():
            np.testing.assert_array_equal(other.scenario(name).household[key], values, err_msg=key)
    assert other.headline("saii_80") == reference.headline("saii_80")
    assert other.run_info["chunks"] == -(-4 // chunk_size)


def test_reform_with_unknown_parameter_fails_before_simulating():
    wrong = ReformSpec(
        name="typo", changes=(ParameterChange(parameter="benefits.saii.amout", value=80, start="2025-01-01"),)
    )
    simulation = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential")
    with pytest.raises(ReformError, match=r"benefits\.saii\.amout.*did you mean benefits\.saii\.amount"):
        simulation.run({"baseline": None, "typo": wrong})


def test_scenarios_need_a_baseline():
    simulation = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential")
    with pytest.raises(ScenarioError, match="baseline"):
        simulation.run({"saii_80": REFORM_80})


def test_unknown_backend_is_refused():
    with pytest.raises(ScenarioError, match="backend"):
        Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="threads")
