"""Variant-grid benchmark: a 20-variant grid in one engine run against 20 separate runs (baseline + one variant).

Both produce the same figures (checked); the grid shares the survey's chunking, input encoding and simulation
building, and simulates the baseline once instead of twenty times. The default size is the bundled survey, so the
ordinary suite (benchmarks run once, timing disabled) stays short; reproduce docs/PERFORMANCE.md ("Variant grids")
with

    FLOORSIM_BENCH_WORKERS=1,2 .venv/bin/python -m pytest tests/benchmarks/test_variants_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,rounds -s
    FLOORSIM_BENCH_WORKERS=1,2 FLOORSIM_BENCH_PERSONS=220000 .venv/bin/python -m pytest tests/benchmarks/test_variants_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,rounds -s
"""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from floorsim.country_packages.social_protection_floor import EXAMPLES_DIR
from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.design.variants import VariantGrid, compare, expand, make_simulation, run_grid
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey

GRID = VariantGrid(
    name="bench20",
    period=2025,
    base=[DOTTED_PATH, str(EXAMPLES_DIR / "maternity_off.yaml")],
    parameters={
        "social_protection_floor.child.share": [0.05, 0.1, 0.15, 0.2, 0.25],
        "social_protection_floor.child.age_limit": [3, 6, 10, 15],
    },
)
# Worker counts to measure: one by default (a process pool takes seconds to start, too long for the ordinary suite);
# FLOORSIM_BENCH_WORKERS=1,2 adds a pool of two.
WORKERS = [int(n) for n in os.environ.get("FLOORSIM_BENCH_WORKERS", "1").split(",")]
COLUMNS = ["total_cost", "beneficiaries", "poverty_headcount_change", "gini_change"]


@pytest.fixture(scope="module")
def survey():
    return scaled_survey(benchmark_persons(21_992))


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


@pytest.mark.parametrize("workers", WORKERS)
def test_grid_vs_separate_runs(benchmark, survey, workers):
    backend = "sequential" if workers == 1 else "loky"
    variants = expand(GRID)
    assert len(variants) == 20

    def grid():
        return run_grid(GRID, survey=survey, backend=backend, jobs=workers)

    def separate():
        simulation = make_simulation("timor_leste", survey, GRID.period, backend=backend, jobs=workers)
        tables = [compare(simulation, {v.name: [*GRID.base, v.spec]}, gdp_setting=GRID.gdp)[0] for v in variants]
        return pd.concat(tables, ignore_index=True)

    grid()  # warm the worker pool and each worker's tax-benefit systems, as a long session would be
    separate_seconds, separate_table = timed(separate)
    outcome = benchmark.pedantic(grid, rounds=3, iterations=1)
    pd.testing.assert_frame_equal(
        outcome.table[["variant", *COLUMNS]].reset_index(drop=True), separate_table[["variant", *COLUMNS]],
        rtol=1e-12,
    )
    grid_seconds = benchmark.stats.stats.min if benchmark.stats else timed(grid)[0]
    benchmark.extra_info.update(
        persons=len(survey.persons),
        variants=len(variants),
        workers=workers,
        separate_runs_seconds=round(separate_seconds, 3),
        grid_seconds=round(grid_seconds, 3),
        speedup=round(separate_seconds / grid_seconds, 2),
    )
    print(f"\n{len(survey.persons)} persons, {workers} worker(s): 20 separate runs {separate_seconds:.2f} s, "
          f"one grid run {grid_seconds:.2f} s, speed-up {separate_seconds / grid_seconds:.2f}")


@pytest.mark.parametrize("workers", WORKERS)
def test_grid_without_person_results(benchmark, survey, workers):
    """The same grid with person-level arrays kept (the engine's default, the baseline here) and without them (what
    make_simulation asks for): the figures agree, the second sends and assembles less data."""
    backend = "sequential" if workers == 1 else "loky"
    variants = expand(GRID)
    scenarios = {v.name: [*GRID.base, v.spec] for v in variants}

    def run(keep_persons: bool) -> pd.DataFrame:
        simulation = make_simulation("timor_leste", survey, GRID.period, backend=backend, jobs=workers,
                                     keep_persons=keep_persons)
        return compare(simulation, scenarios, gdp_setting=GRID.gdp)[0]

    run(False)  # warm the worker pool and the workers' tax-benefit systems
    with_persons_seconds, with_persons = timed(lambda: run(True))
    without_persons = benchmark.pedantic(run, args=(False,), rounds=3, iterations=1)
    pd.testing.assert_frame_equal(without_persons[["variant", *COLUMNS]], with_persons[["variant", *COLUMNS]],
                                  rtol=1e-12)
    without_seconds = benchmark.stats.stats.min if benchmark.stats else timed(lambda: run(False))[0]
    benchmark.extra_info.update(
        persons=len(survey.persons), workers=workers, with_persons_seconds=round(with_persons_seconds, 3),
        household_only_seconds=round(without_seconds, 3), speedup=round(with_persons_seconds / without_seconds, 2),
    )
    print(f"\n{len(survey.persons)} persons, {workers} worker(s): grid keeping person arrays {with_persons_seconds:.2f} s,"
          f" household results only {without_seconds:.2f} s, speed-up {with_persons_seconds / without_seconds:.2f}")
