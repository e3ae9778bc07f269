"""Scaling benchmarks: time per person across sizes, workers, streaming memory, and many reform variants.

Default sizes are small so the ordinary suite (benchmarks run once, timing disabled) stays fast. The figures in
docs/PERFORMANCE.md come from

    FLOORSIM_BENCH_SIZES=100000,1000000,5000000 .venv/bin/python -m pytest tests/benchmarks/test_scaling_benchmark.py \
        --benchmark-enable -s

Each measurement runs in a fresh Python process so that peak memory (``ru_maxrss``) belongs to that run alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from floorsim.surveys import write_survey
from tests.benchmarks.scaled_survey import scaled_survey

SIZES = [int(size) for size in os.environ.get("FLOORSIM_BENCH_SIZES", "20000").split(",")]

RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time
    from floorsim.simulations import Microsimulation, ReformSpec
    from floorsim.simulations.engine.reforms import ParameterChange

    folder, backend, jobs, variants = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    scenarios = {"baseline": None}
    for k in range(variants):
        change = ParameterChange(parameter="benefits.saii.amount", value=61 + k, start="2025-01-01")
        scenarios[f"v{k}"] = ReformSpec(name=f"v{k}", changes=(change,))
    # jobs 0: the engine's default settings (workers chosen from the survey's size, floorsim.simulations.engine.plan)
    options = {} if jobs == 0 else {"backend": backend, "n_jobs": jobs}
    simulation = Microsimulation("timor_leste", folder, 2025, **options)
    simulation.run({"baseline": None})  # warm: worker pool and tax-benefit systems, as in a long session
    started = time.perf_counter()
    results = simulation.run(scenarios)
    seconds = time.perf_counter() - started
    results.headline("v0" if variants else "baseline")
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)  # workers must end for their peak memory to be counted
    peak_parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_parent_mb": peak_parent, "peak_worker_mb": peak_children,
                      "persons": int(results.households["size"].sum()), "workers": results.run_info["workers"]}))
    """
)


def measure(folder, backend: str, jobs: int, variants: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, str(folder), backend, str(jobs), str(variants)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size}_persons")
def folder(request, tmp_path_factory):
    return write_survey(scaled_survey(request.param), tmp_path_factory.mktemp("bench") / "survey")


def test_streamed_run_scaling(benchmark, folder):
    """One reform against the baseline, streamed from the folder, with one and two workers, and with the engine's
    default settings (the workers it chooses for the survey's size)."""
    one = measure(folder, "sequential", 1, 1)
    two = benchmark.pedantic(measure, args=(folder, "loky", 2, 1), rounds=1, iterations=1)
    default = measure(folder, "loky", 0, 1)
    assert default["workers"] == 1  # the engine's choice for streamed surveys (floorsim/simulations/engine/plan.py)
    benchmark.extra_info.update(
        persons=one["persons"],
        seconds_1_worker=round(one["seconds"], 3),
        seconds_2_workers=round(two["seconds"], 3),
        speedup_2_over_1=round(one["seconds"] / two["seconds"], 2),
        seconds_default=round(default["seconds"], 3),
        workers_default=default["workers"],
        microseconds_per_person_1_worker=round(1e6 * one["seconds"] / one["persons"], 3),
        peak_parent_mb_1_worker=round(one["peak_parent_mb"]),
        peak_parent_mb_2_workers=round(two["peak_parent_mb"]),
        peak_worker_mb_2_workers=round(two["peak_worker_mb"]),
    )
    print("\n" + json.dumps(benchmark.extra_info))
    assert one["persons"] == two["persons"]


def test_many_variants_share_the_work(benchmark, folder):
    """Ten parametric variants in one run against one variant: the survey is read and split once."""
    single = measure(folder, "loky", 2, 1)
    ten = benchmark.pedantic(measure, args=(folder, "loky", 2, 10), rounds=1, iterations=1)
    benchmark.extra_info.update(
        persons=single["persons"],
        seconds_1_variant=round(single["seconds"], 3),
        seconds_10_variants=round(ten["seconds"], 3),
        ratio_10_over_1=round(ten["seconds"] / single["seconds"], 2),
    )
    print("\n" + json.dumps(benchmark.extra_info))
