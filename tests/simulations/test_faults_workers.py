"""Worker faults (issue 20): a killed worker, meaningless or excessive --jobs, dask missing or unreachable."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np
import pytest
from openfisca_core.periods import MONTH
from openfisca_core.reforms import Reform
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Person
from floorsim.simulations.engine import backends
from floorsim.simulations.engine.backends import Execution, check_jobs, run_chunks, useful_workers
from floorsim.simulations.engine.microsimulation import Microsimulation
from floorsim.simulations.errors import ChunkError, ScenarioError
from tests.conftest import make_tiny_survey
from tests.fuzz.cli_checks import assert_one_line_error, invoke


def _in_a_worker() -> bool:
    """Whether this is a worker process (never kill the test process itself)."""
    return multiprocessing.current_process().name != "MainProcess"


class saii(Variable):  # noqa: N801 - OpenFisca names a variable after its class
    """The SAII replaced by a formula that kills its own worker process (SIGKILL, as the out-of-memory killer
    does) when the chunk holds someone aged 84."""

    value_type, entity, definition_period = float, Person, MONTH
    label = "Kills the worker for anyone aged 84 (test reform)"

    def formula(person, period, _parameters):
        if np.any(person("age", period) == 84) and _in_a_worker():
            os.kill(os.getpid(), signal.SIGKILL)
        return person("age", period) * 0.0


class KilledOnAge84(Reform):
    """Puts the killing :class:`saii` in place of the package's."""

    name = "killed_on_age_84"

    def apply(self) -> None:
        self.update_variable(saii)


@dataclass(frozen=True)
class Task:
    index: int
    household_ids: np.ndarray


def _dies_on_chunk_two(_request, task: Task) -> dict:
    if task.index == 2 and _in_a_worker():
        os._exit(70)  # a crash: the process ends without a Python exception
    time.sleep(0.05)
    return {"index": task.index}


def test_a_worker_that_exits_is_a_chunk_error_naming_the_chunk() -> None:
    tasks = [Task(index, np.arange(10 * index, 10 * index + 10)) for index in range(4)]
    with pytest.raises(ChunkError, match=r"a worker process died while computing chunk (\d)") as caught:
        run_chunks(_dies_on_chunk_two, None, tasks, backend="loky", n_jobs=2)
    first = int(caught.value.args[0].split("computing chunk ")[1].split(" ")[0])
    assert first <= 2  # the chunk named is the first not returned: the dead one, or one queued before it
    assert f"households {10 * first} to {10 * first + 9}, 10 households" in str(caught.value)
    # The same function without a worker to kill runs every chunk, in order.
    parts, execution = run_chunks(_dies_on_chunk_two, None, tasks, backend="sequential")
    assert [part["index"] for part in parts] == [0, 1, 2, 3] and execution == Execution(1, -1)


def test_a_worker_killed_during_a_run_is_a_chunk_error_not_a_traceback() -> None:
    # The tiny survey's households 3 and 4 (chunk 1 with two households a chunk) hold the person aged 84.
    simulation = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="loky", n_jobs=2, chunk_size=2)
    with pytest.raises(ChunkError, match=r"a worker process died while computing chunk [01] .*TerminatedWorkerError"):
        simulation.run({"baseline": None, "killed": KilledOnAge84})


@pytest.mark.parametrize("jobs", [0, -2, -16])
def test_meaningless_jobs_are_refused(jobs: int, tmp_path) -> None:
    with pytest.raises(ScenarioError, match="--jobs must be -1"):
        check_jobs(jobs)
    with pytest.raises(ScenarioError, match="--jobs must be -1"):
        Microsimulation("timor_leste", make_tiny_survey(), 2025, n_jobs=jobs)
    out = tmp_path / "out"
    assert_one_line_error(invoke("run", "--jobs", str(jobs), "--out", out), f"got {jobs}")
    assert not out.exists()


def test_jobs_are_capped_at_cores_and_chunks() -> None:
    assert useful_workers(16, 100, cores=2) == Execution(2, 16, "cores")
    assert useful_workers(16, 3, cores=8) == Execution(3, 16, "chunks")
    assert useful_workers(-1, 100, cores=4) == Execution(4, -1, None)
    assert useful_workers(-1, 2, cores=4) == Execution(2, -1, "chunks")
    assert useful_workers(2, 100, cores=4) == Execution(2, 2, None)
    results = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="loky", n_jobs=64, chunk_size=2).run(
        {"baseline": None}
    )
    cores = len(os.sched_getaffinity(0))
    assert results.run_info["chunks"] == 2  # four households, two a chunk
    assert results.run_info["workers"] == min(cores, 2)
    assert results.run_info["workers_requested"] == 64
    assert results.run_info["workers_capped"] == ("chunks" if cores > 2 else "cores")  # a tie is put on the cores


def test_dask_missing_is_a_scenario_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import dask.distributed now raises ImportError
    with pytest.raises(ScenarioError, match="needs dask and distributed installed"):
        run_chunks(_dies_on_chunk_two, None, [Task(0, np.arange(2))], backend="dask", dask_client="tcp://127.0.0.1:1")


def test_an_unreachable_scheduler_is_a_one_line_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(backends, "DASK_CONNECT_TIMEOUT", "1s")
    out = tmp_path / "out"
    started = time.perf_counter()
    result = invoke("run", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", out)
    assert_one_line_error(result, "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9' within 1s")
    assert time.perf_counter() - started < 20 and not out.exists()


def test_a_client_opened_from_an_address_is_closed_after_the_run() -> None:
    from dask import distributed

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        before = set(cluster.scheduler.clients)
        parts, execution = run_chunks(
            _dies_on_chunk_two, None, [Task(i, np.arange(2)) for i in range(3)], backend="dask",
            dask_client=cluster.scheduler_address,
        )
        assert [part["index"] for part in parts] == [0, 1, 2] and execution.workers == 1
        deadline = time.monotonic() + 10
        while set(cluster.scheduler.clients) != before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(cluster.scheduler.clients) == before  # our client said goodbye
