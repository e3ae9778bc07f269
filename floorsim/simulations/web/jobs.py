"""What the web app keeps: the setting catalogue, reform jobs run by the worker process, variants.

A reform is a :class:`~floorsim.simulations.engine.reforms.ReformSpec` of parameter changes only; it runs as a :class:`Job`,
one at a time (the engine's processes are shared), on the worker process (:mod:`floorsim.simulations.web.worker`), which
keeps a warm engine and baseline per (country, survey, year) and writes each run's results to the result cache on
disk (:mod:`floorsim.simulations.web.cache`). A job past its time limit has its worker stopped (the computation really ends)
and the next job starts a fresh one.

In memory the server keeps, per job, only its status and its headline figures; jobs and variants vanish when the
server stops (variants can be exported as JSON reform files, which ``floorsim run --reform`` reads).

The worker is started with ``spawn``: a script that creates a :class:`Workspace` and runs jobs must keep its work
under ``if __name__ == "__main__":`` (``floorsim serve``, pytest and notebooks need nothing).
"""

from __future__ import annotations

import dataclasses
import difflib
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from floorsim.simulations.engine.countries import available_countries
from floorsim.simulations.engine.reforms import ReformSpec, find_parameter, parameter_paths
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.errors import FloorsimError, ReformError
from floorsim.simulations.web.cache import ResultCache
from floorsim.simulations.web.errors import WebError
from floorsim.simulations.web.results_json import reform_dict
from floorsim.simulations.web.worker import REFORM_NAME, Task, WorkerProcess
from floorsim.surveys.bundled import BUNDLED_SURVEY

INTERACTIVE_REPLICATES = 40  # bootstrap replicates of the interactive view (floorsim run uses 200)
JOB_TIMEOUT = 120.0  # seconds, for building a setting's engine and again for running the reform
MAX_JOBS_KEPT = 500  # finished jobs whose status and headline stay in memory (their results: see the cache)
MAX_QUEUED = 10

__all__ = ["INTERACTIVE_REPLICATES", "JOB_TIMEOUT", "REFORM_NAME", "Job", "Setting", "WebError", "Workspace"]


@dataclass(frozen=True)
class Setting:
    """Which country package, survey (a key of the server's catalogue, never a path from the browser) and year."""

    country: str
    survey: str
    period: int


@dataclass
class Job:
    """One reform run: its state, progress and (when done) headline; the full results are in the cache."""

    id: str
    reform: ReformSpec
    setting: Setting
    replicates: int
    status: str = "queued"  # queued, running, done, failed
    stage: str = "waiting for the engine"
    progress: float = 0.0
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    headline: list[dict] | None = None  # the summary kept in memory (GET /api/jobs/{id}/results reads the cache)
    expired: bool = False  # the results were removed from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    language: str = "en"  # of the page that submitted it: its results and downloads are written in it

    @property
    def seconds(self) -> float | None:
        if self.started is None:
            return None
        return round((self.finished or time.time()) - self.started, 3)

    def status_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 3),
            "error": self.error,
            "seconds": self.seconds,
            "expired": self.expired,
            "reform": reform_dict(self.reform),
            "setting": {"country": self.setting.country, "survey": self.setting.survey, "period": self.setting.period},
            "replicates": self.replicates,
            "timings": self.timings,
        }


class Workspace:
    """Settings, jobs, results and variants of one server process.

    Args:
        country, survey, period: the default setting (``survey`` is a key of ``surveys``).
        surveys: catalogue ``{key: survey folder}`` the browser may choose from (default: the bundled survey).
        n_jobs: processes of the engine inside the worker process (1: the worker simulates by itself).
        timeout: seconds allowed to build a setting's engine, and again to run a reform, before the worker is stopped.
        replicates: bootstrap replicates of the intervals when a request does not say.
        cache: where finished runs' results go (default: a private temporary folder, bounded, removed on close).
    """

    def __init__(
        self,
        country: str = "timor_leste",
        survey: str = "bundled",
        period: int = 2025,
        *,
        surveys: dict[str, Path] | None = None,
        n_jobs: int = 2,
        timeout: float = JOB_TIMEOUT,
        replicates: int = INTERACTIVE_REPLICATES,
        cache: ResultCache | None = None,
    ) -> None:
        self.surveys = dict(surveys or {"bundled": BUNDLED_SURVEY})
        self.countries = available_countries()
        self.default = self.setting(country, survey, period)
        self.n_jobs = n_jobs
        self.timeout = timeout
        self.replicates = replicates
        self.cache = cache or ResultCache()
        self.worker = WorkerProcess(n_jobs)
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="floorsim-job")
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.variants: OrderedDict[str, dict] = OrderedDict()

    # ----- settings and engines -----

    def setting(self, country: str | None = None, survey: str | None = None, period: int | None = None) -> Setting:
        """A checked setting; missing parts come from the default."""
        default = getattr(self, "default", None)
        country = country or (default.country if default else "timor_leste")
        survey = survey or (default.survey if default else "bundled")
        period = int(period if period is not None else (default.period if default else 2025))
        if country not in self.countries:
            close = difflib.get_close_matches(country, self.countries, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise WebError(f"unknown country '{country}'; available: {', '.join(self.countries)}{hint}")
        if survey not in self.surveys:
            raise WebError(f"unknown survey '{survey}'; available: {', '.join(self.surveys)}")
        return Setting(country, survey, period)

    def warm_in_background(self, setting: Setting) -> Future:
        """Have the worker build the engine of ``setting`` and run its baseline, after the jobs already queued."""
        task = Task("", setting.country, self.surveys[setting.survey], setting.period)
        return self._executor.submit(self.worker.run, task, self.timeout, lambda stage, fraction: None)

    def warm(self, setting: Setting) -> None:
        """Build the engine of ``setting`` in the worker and wait for it (for benchmarks and scripts)."""
        self.warm_in_background(setting).result()

    def parameters(self, country: str):
        """The baseline parameter tree of a country (built once per process)."""
        return baseline_system(country).parameters

    def check_changes(self, country: str, spec: ReformSpec) -> list[dict]:
        """Problems of a reform's parameter paths: ``[{index, parameter, message, suggestions}]`` (empty: fine)."""
        parameters = self.parameters(country)
        problems = []
        known = None
        for index, change in enumerate(spec.changes):
            try:
                find_parameter(parameters, change.parameter)
            except ReformError as error:
                known = known or parameter_paths(parameters)
                problems.append({
                    "index": index,
                    "parameter": change.parameter,
                    "message": str(error),
                    "suggestions": difflib.get_close_matches(change.parameter, known, n=5, cutoff=0.5),
                })
        return problems

    # ----- jobs -----

    def submit(self, spec: ReformSpec, setting: Setting, replicates: int | None = None, language: str = "en") -> Job:
        """Queue a reform run whose results are labelled in ``language``; returns the job at once."""
        with self._lock:
            waiting = sum(job.status in ("queued", "running") for job in self.jobs.values())
            if waiting >= MAX_QUEUED:
                raise WebError(f"{waiting} runs are already waiting; try again when they are done")
            job = Job(uuid.uuid4().hex[:16], spec, setting, self.replicates if replicates is None else replicates,
                      language=language)
            self.jobs[job.id] = job
            finished = [key for key, old in self.jobs.items() if old.status in ("done", "failed")]
            for key in finished[: max(0, len(self.jobs) - MAX_JOBS_KEPT)]:
                del self.jobs[key]
        self._executor.submit(self._run, job)
        return job

    def job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def results(self, job: Job) -> dict:
        """The full results of a finished job, from the cache (``ExpiredResults`` once removed)."""
        return self.cache.results(job.id)

    def download(self, job: Job, kind: str) -> bytes:
        """The workbook (``xlsx``) or the HTML report (``html``) of a finished job, written by the worker on first
        request (after the jobs already queued: the worker does one thing at a time)."""

        def write() -> None:
            task = dataclasses.replace(self._task(job), downloads=True)
            self._executor.submit(self.worker.run, task, self.timeout, lambda stage, fraction: None).result()

        return self.cache.download(job.id, kind, write)

    def _task(self, job: Job) -> Task:
        """The worker's task of a job (its reform, setting, replicates, cache folder and language)."""
        return Task(job.id, job.setting.country, self.surveys[job.setting.survey], job.setting.period, job.reform,
                    job.replicates, self.cache.folder(job.id), job.language)

    def _run(self, job: Job) -> None:
        job.status, job.started = "running", time.time()

        def progress(stage: str, fraction: float) -> None:
            job.stage, job.progress = stage, fraction

        try:
            outcome = self.worker.run(self._task(job), self.timeout, progress)
        except FloorsimError as error:
            job.status, job.error, job.stage = "failed", str(error), "failed"
        except Exception as error:  # noqa: BLE001 - shown to the user; the server keeps running
            job.status, job.error, job.stage = "failed", f"{type(error).__name__}: {error}", "failed"
        else:
            for removed in self.cache.add(job.id):
                if removed in self.jobs:
                    self.jobs[removed].expired = True
            job.headline, job.timings = outcome["headline"], outcome["timings"]
            job.status, job.stage, job.progress = "done", "done", 1.0
        finally:
            job.finished = time.time()

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Block until a job is done or failed (for tests, benchmarks and scripts)."""
        end = time.time() + timeout
        while True:
            job = self.job(job_id)
            if job is None or job.status in ("done", "failed") or time.time() > end:
                return job
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the worker process (and its engine's processes), drop queued jobs, remove the cache it created."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.worker.close()
        self._executor.shutdown(wait=True)
        self.cache.close()
