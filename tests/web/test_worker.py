"""The worker process of floorsim serve: a timed-out run is stopped for real (the worker and its engine's processes
end) and the next run works; finished runs keep only their headline in memory, their results in a bounded cache."""

from __future__ import annotations

import pickle
import time
import warnings

import pytest

from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.web.cache import ExpiredResults, ResultCache
from floorsim.simulations.web.jobs import Workspace
from floorsim.surveys import load_survey
from floorsim.surveys.bundled import BUNDLED_SURVEY
from floorsim.simulations.web import create_app
from tests.web.conftest import BASE_URL
from tests.web.processes import alive, command_line, descendants

with warnings.catch_warnings():  # starlette's notice that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def saii(value: float) -> ReformSpec:
    return ReformSpec(name=f"saii_{value:g}", changes=(
        ParameterChange(parameter="benefits.saii.amount", value=value, start="2025-01-01"),))


def engine_cost_change(value: float) -> float:
    """The change in SAII cost, from an independent sequential run of the engine in this process."""
    engine = Microsimulation("timor_leste", load_survey(BUNDLED_SURVEY), 2025, backend="sequential")
    return engine.run({BASELINE: None, "reform": saii(value)}).comparison("reform")["saii_cost"]["change"]


def test_a_timed_out_run_is_stopped_for_real_and_the_next_run_works(tmp_path):
    space = Workspace(n_jobs=2, timeout=120, replicates=0, cache=ResultCache(tmp_path / "cache"))
    try:
        space.warm(space.default)  # the worker and its engine's two loky processes are up
        worker = space.worker.pid
        group = descendants(worker) | {worker}
        assert any("loky" in command_line(pid) for pid in group), [command_line(pid) for pid in group]
        # 200 bootstrap replicates take far longer than 50 ms: the run is stopped while it computes.
        space.timeout = 0.05
        job = space.wait(space.submit(saii(80), space.default, replicates=200).id, timeout=60)
        assert job.status == "failed", job.status_dict()
        assert job.error.startswith("timed out after 0.05 s while ") and "the computation was stopped" in job.error
        assert [pid for pid in group if alive(pid)] == []  # no thread, no process left computing
        assert not space.cache.folder(job.id).exists()
        # The next job runs normally, on a fresh worker, and its figures are the engine's.
        space.timeout = 120
        after = space.wait(space.submit(saii(90), space.default).id, timeout=180)
        assert after.status == "done", after.error
        assert space.worker.pid not in (None, worker)
        cost = {row["indicator"]: row for row in space.results(after)["headline"]}["saii_cost"]
        assert cost["change"]["estimate"] == pytest.approx(engine_cost_change(90), rel=1e-9)
    finally:
        space.close()
    assert space.worker.pid is None


def test_finished_runs_keep_a_summary_in_memory_and_results_in_a_bounded_cache(tmp_path):
    cache = ResultCache(tmp_path / "cache", max_runs=2)
    space = Workspace(n_jobs=1, replicates=0, cache=cache)
    try:
        jobs = [space.wait(space.submit(saii(value), space.default).id, timeout=180) for value in (70, 80, 90)]
        assert [job.status for job in jobs] == ["done"] * 3, [job.error for job in jobs]
        first, *kept = jobs
        # The oldest run's results were removed from disk; the job, its status and its headline stay known.
        assert first.expired and not cache.folder(first.id).exists()
        assert [job.expired for job in kept] == [False, False]
        with pytest.raises(ExpiredResults, match="expired: the server keeps the 2 most recent runs"):
            space.results(first)
        with TestClient(create_app(space, warm_up=False), base_url=BASE_URL) as client:
            assert client.get(f"/api/jobs/{first.id}").json()["expired"] is True
            for url in (f"/api/jobs/{first.id}/results", f"/api/jobs/{first.id}/workbook"):
                gone = client.get(url)
                assert gone.status_code == 410 and "run the reform again" in gone.json()["detail"]["message"]
            assert 'id="job-expired"' in client.get(f"/jobs/{first.id}").text
            assert client.get(f"/api/jobs/{kept[-1].id}/results").json()["headline"] == kept[-1].headline
        full = space.results(kept[-1])
        assert full["headline"] == kept[-1].headline and {"deciles", "by_group", "cost"} <= set(full)
        # In memory a job is a few kilobytes; its results (tables of every decile and group) are on disk.
        on_disk = sum(path.stat().st_size for path in cache.folder(kept[-1].id).iterdir())
        in_memory = len(pickle.dumps(kept[-1]))
        assert in_memory < 20_000 and on_disk > 10 * in_memory, (in_memory, on_disk)
    finally:
        space.close()


def test_the_cache_bounds_bytes_oldest_first(tmp_path):
    cache = ResultCache(tmp_path, max_runs=10, max_bytes=2500)
    for index, size in enumerate((1000, 1000, 1000)):  # by hand: 3000 bytes > 2500, so the first goes
        cache.folder(f"run{index}").mkdir()
        (cache.folder(f"run{index}") / "results.json").write_bytes(b"x" * size)
        removed = cache.add(f"run{index}")
    assert removed == ["run0"] and not cache.folder("run0").exists()
    assert cache.has("run1") and cache.has("run2")
    cache.folder("big").mkdir()
    (cache.folder("big") / "results.json").write_bytes(b"x" * 5000)
    assert cache.add("big") == ["run1", "run2"] and cache.has("big")  # the newest run is kept even alone over
    cache.close()
    assert tmp_path.exists()  # a folder given to the cache is the caller's: not removed


def test_an_owned_cache_is_private_and_removed_on_close():
    cache = ResultCache()
    root = cache.root
    assert root.is_dir() and root.stat().st_mode & 0o077 == 0
    cache.close()
    assert not root.exists()


def test_the_worker_stops_when_the_workspace_closes(tmp_path):
    space = Workspace(n_jobs=1, replicates=0, cache=ResultCache(tmp_path))
    space.warm(space.default)
    worker = space.worker.pid
    assert alive(worker)
    started = time.monotonic()
    space.close()
    assert not alive(worker) and time.monotonic() - started < 10


def test_a_failing_run_is_one_line_and_the_worker_goes_on(tmp_path):
    """A project error inside the worker (here: a survey folder that does not exist) fails that job with the error's
    one-line message; the same worker then runs the next job."""
    surveys = {"bundled": BUNDLED_SURVEY, "missing": tmp_path / "no_such_survey"}
    space = Workspace(n_jobs=1, replicates=0, surveys=surveys, cache=ResultCache(tmp_path / "cache"))
    try:
        failed = space.wait(space.submit(saii(80), space.setting(survey="missing")).id, timeout=120)
        assert failed.status == "failed" and "no_such_survey" in failed.error and "\n" not in failed.error
        assert not failed.error.startswith(("FileNotFoundError", "Traceback"))
        worker = space.worker.pid
        done = space.wait(space.submit(saii(80), space.default).id, timeout=180)
        assert done.status == "done", done.error
        assert space.worker.pid == worker  # not restarted: the error did not kill it
    finally:
        space.close()
