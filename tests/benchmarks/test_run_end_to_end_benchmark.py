"""End-to-end benchmark: ``floorsim run`` (200 replicates, the full report) against the engine alone on the same
survey, and against ``--replicates 0``, each in a fresh process with its peak memory.

The engine alone is what ``floorsim run`` calls for the simulation: ``Microsimulation.run`` of the baseline and the
package's default reform on the in-memory survey, default settings, cold (a fresh process, as the command is) and
warm (a second run in that process). The ratio "floorsim run / engine alone (cold)" is the figure that matters
(docs/PERFORMANCE.md, "End to end"). Peak memory is ``ru_maxrss`` of the command's process and its workers (the
largest). Every run's phase timings come from its summary.json (``provenance.phase_timings``).

Small by default, so the ordinary suite (benchmarks run once, timing disabled) stays fast; the documented figures:

    FLOORSIM_BENCH_PERSONS=1000000 .venv/bin/python -m pytest tests/benchmarks/test_run_end_to_end_benchmark.py \
        --benchmark-enable -s

No timing is asserted; the outputs are checked (the headline of the run equals the engine's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from surveys import write_survey
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey

REPLICATES = int(os.environ.get("FLOORSIM_BENCH_REPLICATES", "200"))

ENGINE = textwrap.dedent(
    """
    import json, resource, sys, time
    started = time.perf_counter()
    from simulations import Microsimulation
    from simulations.engine.countries import load_country
    from simulations.engine.scenarios import resolve_reform
    from surveys import load_survey

    spec = load_country("timor_leste")
    reform = resolve_reform(spec.default_reform_path(), spec)
    survey = load_survey(sys.argv[1])
    loaded = time.perf_counter()
    simulation = Microsimulation("timor_leste", survey, 2025)
    results = simulation.run({"baseline": None, reform.name: reform})
    cold = time.perf_counter() - loaded
    again = time.perf_counter()
    simulation.run({"baseline": None, reform.name: reform})
    warm = time.perf_counter() - again
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)  # workers must end for their peak memory to be counted
    print(json.dumps({"cold": cold, "warm": warm, "reform": reform.name,
                      "saii_cost": results.headline(reform.name)["saii_cost"],
                      "peak_mb": max(resource.getrusage(who).ru_maxrss
                                     for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024}))
    """
)

COMMAND = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "simulations.cli", "run", "--survey", sys.argv[1],
                                "--out", sys.argv[2], "--replicates", sys.argv[3], "--population-year", "survey"],
                               capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr[-2000:]
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    """
)


def _json(script: str, *arguments: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", script, *map(str, arguments)], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("survey") / "scaled"
    write_survey(scaled_survey(benchmark_persons(20_000)), path)
    return path


def test_run_end_to_end_against_the_engine_alone(benchmark, folder, tmp_path):
    engine = _json(ENGINE, folder)
    runs = {}
    for replicates in (REPLICATES, 0):
        out = tmp_path / f"out{replicates}"
        runs[replicates] = _json(COMMAND, folder, out, replicates)
        summary = json.loads((out / "summary.json").read_text())
        runs[replicates]["phases"] = summary["provenance"]["phase_timings"]["phases"]
        # the command's headline is the engine's (same survey, same reform, same settings)
        assert summary["headline"]["saii_cost"]["reform"] == pytest.approx(engine["saii_cost"], rel=1e-12)
    full = runs[REPLICATES]
    benchmark.extra_info.update(
        engine_cold_seconds=engine["cold"], engine_warm_seconds=engine["warm"], run_seconds=full["seconds"],
        run_no_replicates_seconds=runs[0]["seconds"], ratio_to_engine_cold=full["seconds"] / engine["cold"],
        run_peak_mb=full["peak_mb"], engine_peak_mb=engine["peak_mb"])
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\nengine alone: cold {engine['cold']:.2f} s, warm {engine['warm']:.2f} s, peak {engine['peak_mb']:.0f} MB")
    for replicates, run in runs.items():
        print(f"floorsim run --replicates {replicates}: {run['seconds']:.2f} s "
              f"({run['seconds'] / engine['cold']:.1f}x the engine cold), peak {run['peak_mb']:.0f} MB")
        for phase in run["phases"]:
            print(f"    {phase['phase']:<32} {phase['seconds']:8.2f} s  {phase['peak_memory_mb']:8.0f} MB")
