"""Projection benchmark: years × 3 scenarios (baseline, social pension at USD 80, universal child grant) on the
bundled survey (4,000 households, 21,992 persons), with the shipped Timor-Leste assumptions.

Each year calibrates the survey to the year's population, builds the year's indexation reform for each scenario,
runs the engine and the aggregate cross-checks. The default horizon is short (2 years) so that the ordinary suite,
which runs benchmarks once with timing disabled, stays fast; the figures of docs/PERFORMANCE.md ("Projections")
come from the full 11 years:

    FLOORSIM_BENCH_PROJECTION_YEARS=11 .venv/bin/python -m pytest tests/benchmarks/test_projection_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,max,rounds -s
"""

from __future__ import annotations

import os
import time

import pytest

from floorsim.simulations.projections import parse_assumptions, project
from floorsim.surveys.bundled import load_bundled_survey
from tests.projections.helpers import ASSUMPTIONS, REFORMS, raw_assumptions

START = 2025


def projection_years() -> int:
    return max(1, min(11, int(os.environ.get("FLOORSIM_BENCH_PROJECTION_YEARS", "2"))))


@pytest.fixture(scope="module")
def survey():
    return load_bundled_survey()


def test_projection_years_by_three_scenarios(benchmark, survey):
    years = projection_years()
    assumptions = parse_assumptions(raw_assumptions(end=START + years - 1), ASSUMPTIONS)
    reforms = {
        "saii_increase": REFORMS / "saii_increase.yaml",
        "universal_child_grant": REFORMS / "universal_child_grant.yaml",
    }

    def run():
        return project(assumptions, reforms, survey=survey)

    started = time.perf_counter()
    run()  # warm: each scenario's tax-benefit system is built once per process, as in a session
    warm_up = time.perf_counter() - started
    result = benchmark.pedantic(run, rounds=3, iterations=1)
    assert sorted(result.table["year"].unique()) == list(range(START, START + years))
    assert result.scenarios == ["baseline", "saii_increase", "universal_child_grant"]
    assert result.cross_checks.query("programme == 'saii'")["within_tolerance"].all()
    seconds = benchmark.stats.stats.min if benchmark.stats else time.perf_counter() - started - warm_up
    benchmark.extra_info.update(
        years=years,
        scenarios=3,
        households=len(survey.households),
        persons=len(survey.persons),
        first_run_seconds=round(warm_up, 3),
        seconds_per_year=round(seconds / years, 3),
    )
    print(f"\n{years} years x 3 scenarios, {len(survey.persons)} persons: first run {warm_up:.2f} s, "
          f"then {seconds:.2f} s ({seconds / years:.2f} s a year)")
