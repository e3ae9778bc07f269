"""The engine on a hand-made survey: values worked out by hand, and independence from how work is split."""

from __future__ import annotations

import numpy as np
import pytest

from simulations import Microsimulation, ReformSpec, ScenarioError
from simulations.errors import ReformError
from simulations.reforms import ParameterChange
from tests.conftest import make_tiny_survey

REFORM_80 = ReformSpec(
    name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80, start="2025-01-01"),)
)


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
    # Line: 46.37 (2014 prices; no CPI after 2014, so unchanged). Per capita: h1 50, h2 40, h3 60, h4 150.
    # Poor at baseline: h2 only, 2 persons x weight 200 out of 3*100 + 2*200 + 2*50 + 2*300 = 1400 persons.
    assert comparison["poverty_headcount"]["baseline"] == pytest.approx(400 / 1400)
    assert comparison["poverty_gap"]["baseline"] == pytest.approx(400 / 1400 * (46.37 - 40) / 46.37)
    # Reform: h2 gains 20/month for 2 persons -> 50 per capita, above the line.
    assert comparison["poverty_headcount"]["reform"] == 0


@pytest.mark.parametrize("chunk_size", [1, 2, 3])
def test_results_do_not_depend_on_chunking_or_backend(chunk_size):
    reference = run(backend="sequential", chunk_size=10)
    other = run(backend="loky", n_jobs=2, chunk_size=chunk_size)
    for name in ("baseline", "saii_80"):
        np.testing.assert_array_equal(other.scenario(name).person["saii"], reference.scenario(name).person["saii"])
        np.testing.assert_array_equal(
            other.scenario(name).household["social_transfers"], reference.scenario(name).household["social_transfers"]
        )
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
