"""Web app benchmark: time from ``POST /api/reforms/run`` to the results JSON (headline, deciles, groups with 95%
confidence intervals), for a parametric reform on the bundled survey, with a warm engine and baseline.

Each round changes the SAII amount to a new value, so nothing is served from a cache of an earlier reform. The
default is one (sequential) worker so the ordinary suite (benchmarks run once, timing disabled) needs no process
pool; reproduce docs/PERFORMANCE.md ("Web app") with

    FLOORSIM_BENCH_WORKERS=2 .venv/bin/python -m pytest tests/benchmarks/test_web_benchmark.py \
        --benchmark-enable --benchmark-columns=min,median,mean,max,rounds -s

(``FLOORSIM_BENCH_ROUNDS`` rounds, default 5); it also prints the worker's median seconds per phase (simulation,
tables and intervals, results JSON written).
"""

from __future__ import annotations

import itertools
import os
import statistics
import warnings

import pytest

with warnings.catch_warnings():  # starlette's notice that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from floorsim.simulations.web import create_app
from floorsim.simulations.web.jobs import INTERACTIVE_REPLICATES, Workspace

WORKERS = int(os.environ.get("FLOORSIM_BENCH_WORKERS", "1"))
ROUNDS = int(os.environ.get("FLOORSIM_BENCH_ROUNDS", "5"))


@pytest.fixture(scope="module")
def client():
    space = Workspace(n_jobs=WORKERS, replicates=INTERACTIVE_REPLICATES)
    space.warm(space.default)
    with TestClient(create_app(space, warm_up=False), base_url="http://localhost") as test_client:
        yield test_client


def test_reform_round_trip(benchmark, client):
    values = itertools.count(61)
    phases: list[dict[str, float]] = []  # the worker's seconds per phase, each round

    def round_trip() -> dict:
        body = {"name": "bench", "changes": [{"parameter": "benefits.saii.amount", "value": next(values)}]}
        job_id = client.post("/api/reforms/run", json=body).json()["id"]
        job = client.app.state.workspace.wait(job_id, timeout=60)
        assert job.status == "done", job.error
        phases.append(job.timings)
        return client.get(f"/api/jobs/{job_id}/results").json()

    results = benchmark.pedantic(round_trip, rounds=ROUNDS, warmup_rounds=1)
    cost = {row["indicator"]: row for row in results["headline"]}["saii_cost"]
    assert cost["change"]["estimate"] > 0 and cost["change"]["ci_low"] < cost["change"]["ci_high"]
    assert results["headline"][0]["replicates"] == INTERACTIVE_REPLICATES
    measured = phases[1:] or phases  # the warm-up round left out (timing disabled: one round, no warm-up)
    shown = ", ".join(f"{name} {statistics.median(round_[name] for round_ in measured):.3f} s "
                      f"({min(round_[name] for round_ in measured):.3f}-{max(round_[name] for round_ in measured):.3f})"
                      for name in ("simulation", "tables", "tables_cpu", "written"))
    print(f"\nweb round trip, {WORKERS} worker(s), {INTERACTIVE_REPLICATES} replicates; worker phases, median "
          f"(range) of {len(measured)} rounds: {shown}")
