"""Engine benchmarks: floorsim against plain openfisca-core on the same package, data and outputs.

The baseline is OpenFisca's documented path, in one process: ``SimulationBuilder`` (declare_person_entity,
declare_entity, join_with_persons), ``set_input`` for the year, and ``calculate_add`` (twelve monthly
calculations) for each programme and the transfers total, once per scenario. Ratios are measured in the same run
and stored in each benchmark's ``extra_info``. Sizes are small by default so the ordinary suite (which runs
benchmarks once, with timing disabled) stays fast; reproduce the figures of docs/PERFORMANCE.md with

    FLOORSIM_BENCH_PERSONS=1000000 .venv/bin/python -m pytest tests/benchmarks/test_engine_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,rounds -s
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from openfisca_core import periods

from simulations import Microsimulation
from simulations.engine.countries import load_country
from simulations.engine.reforms import ParameterChange, ReformSpec, apply_reform
from simulations.engine.scenarios import baseline_system
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey
from tests.openfisca_reference import documented_builder_simulation

YEAR = 2025
REFORM = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80, start="2025-01-01"),))


def plain_openfisca(survey, systems) -> dict[str, dict[str, np.ndarray]]:
    """What a user of openfisca-core alone would write: one simulation per scenario, twelve months each."""
    spec = load_country("timor_leste")
    period = periods.period(str(YEAR))
    wanted = [p.variable for p in spec.programmes.values()] + [spec.transfers_variable]
    out = {}
    for name, system in systems.items():
        simulation = documented_builder_simulation(system, spec, survey, period)
        out[name] = {variable: simulation.calculate_add(variable, period).astype(np.float64) for variable in wanted}
    return out


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


@pytest.fixture(scope="module")
def survey():
    return scaled_survey(benchmark_persons(20_000))


@pytest.fixture(scope="module")
def plain_seconds(survey):
    systems = {"baseline": baseline_system("timor_leste"), "saii_80": apply_reform(baseline_system("timor_leste"), REFORM)}
    seconds, result = timed(plain_openfisca, survey, systems)
    return seconds, result


@pytest.mark.parametrize("workers", [1, 2])
def test_floorsim_vs_plain_openfisca(benchmark, survey, plain_seconds, workers):
    baseline_seconds, plain = plain_seconds
    backend = "sequential" if workers == 1 else "loky"
    chunk = max(1_000, -(-len(survey.households) // (4 * workers)))

    def run():
        return Microsimulation("timor_leste", survey, YEAR, backend=backend, n_jobs=workers, chunk_size=chunk).run(
            {"baseline": None, "saii_80": REFORM}
        )

    run()  # warm the worker pool and each worker's tax-benefit systems, as a long session would be
    results = benchmark.pedantic(run, rounds=3, iterations=1)
    # Same outputs as the plain path (float32 OpenFisca arrays, summed months in float64).
    for name in ("baseline", "saii_80"):
        np.testing.assert_allclose(results.scenario(name).person["saii"], plain[name]["saii"], rtol=1e-6)
    floorsim_seconds = benchmark.stats.stats.min if benchmark.stats else timed(run)[0]
    benchmark.extra_info.update(
        persons=len(survey.persons),
        workers=workers,
        plain_openfisca_seconds=round(baseline_seconds, 3),
        floorsim_seconds=round(floorsim_seconds, 3),
        speedup_vs_plain_openfisca=round(baseline_seconds / floorsim_seconds, 2),
    )
    print(f"\n{len(survey.persons)} persons, {workers} worker(s): plain {baseline_seconds:.2f} s, "
          f"floorsim {floorsim_seconds:.2f} s, ratio {baseline_seconds / floorsim_seconds:.2f}")


def test_month_segments_against_twelve_months(benchmark, survey):
    """What month segments save: the same run with all twelve months calculated (OpenFisca's calculate_add)."""
    scenarios = {"baseline": None, "saii_80": REFORM}

    def run(months):
        return Microsimulation("timor_leste", survey, YEAR, backend="sequential", months=months, chunk_size=200_000).run(
            scenarios
        )

    run("segments")
    all_months_seconds, exact = timed(run, "all")
    fast = benchmark.pedantic(run, args=("segments",), rounds=3, iterations=1)
    np.testing.assert_array_equal(fast.scenario("saii_80").person["saii"], exact.scenario("saii_80").person["saii"])
    segments_seconds = benchmark.stats.stats.min if benchmark.stats else timed(run, "segments")[0]
    benchmark.extra_info.update(
        persons=len(survey.persons),
        all_months_seconds=round(all_months_seconds, 3),
        segments_seconds=round(segments_seconds, 3),
        saving=round(all_months_seconds / segments_seconds, 2),
    )
    print(f"\nsegments {segments_seconds:.2f} s, twelve months {all_months_seconds:.2f} s")
