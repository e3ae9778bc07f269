"""Target solving: each solution is checked by re-running the model at it, or against a value computed by hand."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.design.spf_scenarios import levels
from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.design.solve import SolveError, Target, TargetUnreachableError, parse_target, solve
from floorsim.simulations.design.spf_calculator import FloorLevels, eligible_populations
from floorsim.simulations.design.variants import GDPSetting, compare, resolve_gdp
from floorsim.surveys.bundled import load_bundled_survey
from tests.surveys.eusilc_by_hand import EUSILC, EUSILC_MAPPING, weighted_adult_months

START = "2025-01-01"
MATERNITY_OFF = "floorsim/country_packages/social_protection_floor/examples/start_from_nothing.yaml"  # every guarantee off


# Timor-Leste non-oil GDP in force in 2025 (USD; resolve_gdp is checked in test_variants.py)
GDP = resolve_gdp(baseline_system("timor_leste"), GDPSetting(parameter="country.gdp.non_oil"), 2025).value


@pytest.fixture(scope="module")
def survey():
    return load_bundled_survey()


@pytest.fixture(scope="module")
def simulation(survey):
    return Microsimulation("timor_leste", survey, 2025, backend="sequential")


def metric_at(simulation, steps, parameter, value, column):
    spec = ReformSpec(name="check", changes=(ParameterChange(parameter=parameter, value=value, start=START),))
    table, _, _ = compare(simulation, {"check": [*steps, spec]})
    return float(table.loc[0, column])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cost-share-of-gdp=0.01", Target("cost_share_of_gdp", 0.01)),
        ("cost=2.5e7", Target("cost", 25_000_000.0)),
        ("poverty_change=-0.02", Target("poverty_change", -0.02)),
        ("budget-neutral-with=reform.yaml", Target("budget_neutral", 0.0, "reform.yaml")),
    ],
)
def test_parse_target(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["cost-share-of-gdp", "cost=abc", "gdp=0.01", "cost=nan"])
def test_parse_target_errors(text):
    with pytest.raises(SolveError):
        parse_target(text)


def test_child_benefit_costing_one_percent_of_gdp_matches_the_hand_formula(simulation, survey):
    steps = [DOTTED_PATH, MATERNITY_OFF]
    solution = solve(simulation, "social_protection_floor.child.share", 0, 1, parse_target("cost-share-of-gdp=0.01"),
                     base=steps)
    # Cost is linear in the share: share = 1% of GDP / (children × line × 12), children from the survey directly.
    levels_ = FloorLevels(child_share=1, child_age_limit=15, orphan_share=0, orphan_age_limit=15, maternity_share=0,
                          maternity_months=4, disability_share=0, disability_minimum_severity=3, old_age_share=0,
                          old_age_minimum_age=65, old_age_minimum_age_women=65)
    children = eligible_populations(survey, levels_)["child"]
    line = simulation.run({"baseline": None}).poverty_line
    assert solution.value == pytest.approx(0.01 * GDP / (children * line * 12), rel=1e-4)
    assert solution.converged and solution.iterations >= 2
    assert solution.bracket[0] <= solution.value <= solution.bracket[1]
    assert solution.tolerance <= 1e-4
    rerun = metric_at(simulation, steps, solution.parameter, solution.value, "total_cost") / GDP
    assert rerun == pytest.approx(0.01, rel=1e-5)
    assert solution.metric_value == pytest.approx(rerun, rel=1e-9)


def test_budget_neutral_swap_rerun_costs_nothing(simulation):
    # Pay for a universal child grant (USD 20 a month under 6) by cutting the SAII allowance.
    grant = "floorsim/country_packages/timor_leste/reforms/universal_child_grant.yaml"
    solution = solve(simulation, "benefits.saii.amount", 0, 60, parse_target(f"budget-neutral-with={grant}"), points=2)
    spec = ReformSpec(name="cut", changes=(ParameterChange(parameter="benefits.saii.amount", value=solution.value,
                                                            start=START),))
    table, _, _ = compare(simulation, {"swap": [grant, spec], "grant": [grant]})
    swap, grant_cost = table.set_index("variant").loc["swap", "total_cost"], table.set_index("variant").loc["grant", "total_cost"]
    assert grant_cost > 1e7
    assert abs(swap) < 1e-5 * grant_cost  # the cut pays for the grant
    assert 0 < solution.value < 60


def test_poverty_target_is_met_across_the_final_bracket(simulation):
    steps = [DOTTED_PATH, MATERNITY_OFF]
    parameter = "social_protection_floor.child.share"
    solution = solve(simulation, parameter, 0, 1, parse_target("poverty-change=-0.02"), base=steps, points=1)
    low, high = solution.bracket
    # The headcount is a step function of the share: the target lies between the bracket's ends.
    at_low = metric_at(simulation, steps, parameter, low, "poverty_headcount_change")
    at_high = metric_at(simulation, steps, parameter, high, "poverty_headcount_change")
    assert at_high <= -0.02 <= at_low
    assert high - low <= 2e-4
    assert abs(solution.residual) < 5e-4


def test_integer_parameter_stops_at_neighbouring_ages(simulation):
    steps = [DOTTED_PATH, MATERNITY_OFF, levels(START, old_age=1.0)]
    parameter = "social_protection_floor.old_age.minimum_age"
    solution = solve(simulation, parameter, 55, 90, parse_target("cost-share-of-gdp=0.02"), base=steps, integer=True)
    assert solution.value == int(solution.value)
    low, high = solution.bracket
    assert high - low == 1
    cost_low = metric_at(simulation, steps, parameter, int(low), "total_cost") / GDP
    cost_high = metric_at(simulation, steps, parameter, int(high), "total_cost") / GDP
    assert cost_high <= 0.02 <= cost_low  # the pension costs less the later it starts
    assert solution.value == (low if abs(cost_low - 0.02) <= abs(cost_high - 0.02) else high)


def test_unreachable_target_raises_with_the_range(simulation):
    with pytest.raises(TargetUnreachableError, match=r"cost share of gdp = 0.5 is not reached .* in \[0, 0.1\]"):
        solve(simulation, "social_protection_floor.child.share", 0, 0.1, parse_target("cost-share-of-gdp=0.5"),
              base=[DOTTED_PATH])


def test_bad_ranges_and_unknown_parameters(simulation):
    with pytest.raises(SolveError, match="low < high"):
        solve(simulation, "benefits.saii.amount", 5, 5, parse_target("cost=0"))
    with pytest.raises(SolveError, match="whole bounds"):
        solve(simulation, "benefits.saii.amount", 0.5, 5, parse_target("cost=0"), integer=True)
    with pytest.raises(Exception, match="did you mean benefits.saii.amount"):
        solve(simulation, "benefits.saii.amounts", 0, 5, parse_target("cost=0"))


def test_cli_solve_json(tmp_path):
    result = CliRunner().invoke(app, [
        "solve", "--parameter", "social_protection_floor.child.share", "--low", "0", "--high", "1",
        "--target", "cost-share-of-gdp=0.01", "--base", DOTTED_PATH, "--base", MATERNITY_OFF, "--jobs", "1", "--json",
    ])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["metric"] == "cost_share_of_gdp" and document["converged"]
    assert document["metric_value"] == pytest.approx(0.01, rel=1e-4)


def test_cli_solve_unreachable_is_an_error():
    result = CliRunner().invoke(app, [
        "solve", "--parameter", "social_protection_floor.child.share", "--low", "0", "--high", "0.01",
        "--target", "cost-share-of-gdp=0.5", "--base", DOTTED_PATH, "--jobs", "1",
    ])
    assert result.exit_code == 2
    assert "floorsim: error:" in result.output and "not reached" in result.output


def solve_on_eusilc(mapping, target: str):
    """``floorsim solve`` of the template's basic income (600 a month in 2017) on the EU-SILC fixture file."""
    return CliRunner().invoke(app, [
        "solve", "--mapping", str(mapping), "--survey", str(EUSILC), "--country", "country_template",
        "--period", "2017", "--parameter", "benefits.basic_income", "--low", "600", "--high", "1000",
        "--target", target, "--jobs", "1", "--json",
    ])


def test_cli_solve_with_a_mapping_finds_the_amount_computed_by_hand():
    # The cost of raising the basic income from 600 to 737 a month, by hand from the raw file: 137 per weighted
    # adult-month. Solving for that cost must give back 737.
    result = solve_on_eusilc(EUSILC_MAPPING, f"cost={137 * weighted_adult_months(2017)!r}")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["converged"]
    assert document["bracket"][0] <= 737 <= document["bracket"][1]
    assert document["value"] == pytest.approx(737, abs=document["tolerance"])


def test_cli_solve_with_a_bad_mapping_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad_mapping.yaml"
    bad.write_text(EUSILC_MAPPING.read_text().replace("weight: db090", "weight: db091"))
    result = solve_on_eusilc(bad, "cost=1e9")
    assert result.exit_code == 2
    assert result.output.startswith("floorsim: error: ") and result.output.count("\n") == 1
    assert "'households.weight'" in result.output and "'db091'" in result.output
    assert "Traceback" not in result.output
