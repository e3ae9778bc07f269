"""What the web app keeps in memory: warm engines with their baseline, reform jobs run in the background, variants.

A :class:`Workspace` holds, per (country, survey, year), one :class:`~simulations.engine.microsimulation.Microsimulation` (whose loky
worker pool stays warm between requests, and whose workers keep the tax-benefit systems they built) and the
baseline's results. A reform is a :class:`~simulations.engine.reforms.ReformSpec` of parameter changes only; it runs as a
:class:`Job` on a single background thread (runs are serialised: the worker pool is shared), with a stage and a
fraction done, and a time limit after which the job is reported as failed and its result discarded.

Everything lives in this process: jobs and variants vanish when the server stops (variants can be exported as JSON
reform files, which ``floorsim run --reform`` reads).
"""

from __future__ import annotations

import datetime
import difflib
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulations.engine.countries import available_countries, load_country
from simulations.engine.microsimulation import BASELINE, Microsimulation
from simulations.errors import FloorsimError, ReformError
from simulations.engine.reforms import ReformSpec, find_parameter, parameter_paths
from simulations.reports.tables import ReportData, build_report
from simulations.engine.scenarios import baseline_system
from surveys.bundled import BUNDLED_SURVEY
from surveys import load_survey

INTERACTIVE_REPLICATES = 40  # bootstrap replicates of the interactive view (floorsim run uses 200)
JOB_TIMEOUT = 120.0  # seconds
MAX_JOBS_KEPT = 50
MAX_QUEUED = 10
REFORM_NAME = "reform"  # scenario name of every web run (the reform's own name is kept as its label)


class WebError(FloorsimError):
    """A request the web app cannot serve (unknown survey, too many jobs...)."""


@dataclass(frozen=True)
class Setting:
    """Which country package, survey (a key of the server's catalogue, never a path from the browser) and year."""

    country: str
    survey: str
    period: int


@dataclass
class Warm:
    """A warm engine and its baseline results for one setting."""

    simulation: Microsimulation
    baseline: Any  # Results of the baseline alone (kept for the household-level figures and as a warm-up)
    survey_path: Path


@dataclass
class Job:
    """One reform run: its state, progress and (when done) report."""

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
    results: Any = None
    report: ReportData | None = None
    downloads: dict[str, bytes] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

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
            "reform": reform_dict(self.reform),
            "setting": {"country": self.setting.country, "survey": self.setting.survey, "period": self.setting.period},
            "replicates": self.replicates,
            "timings": self.timings,
        }


def reform_dict(spec: ReformSpec) -> dict:
    """The reform as JSON data (the format of reform files)."""
    return spec.model_dump(mode="json", exclude_defaults=False)


class Workspace:
    """Warm engines, jobs and variants of one server process.

    Args:
        country, survey, period: the default setting (``survey`` is a key of ``surveys``).
        surveys: catalogue ``{key: survey folder}`` the browser may choose from (default: the bundled survey).
        n_jobs: worker processes of the engine (1: sequential, in the server's process).
        timeout: seconds after which a job is failed.
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
    ) -> None:
        self.surveys = dict(surveys or {"bundled": BUNDLED_SURVEY})
        self.countries = available_countries()
        self.default = self.setting(country, survey, period)
        self.n_jobs = n_jobs
        self.timeout = timeout
        self.replicates = replicates
        self._warm: dict[Setting, Warm] = {}
        self._lock = threading.Lock()
        self._engine_lock = threading.Lock()
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

    def warm(self, setting: Setting) -> Warm:
        """The warm engine of a setting, built (and its baseline run) on first use."""
        with self._lock:
            if setting in self._warm:
                return self._warm[setting]
        load_country(setting.country)
        path = self.surveys[setting.survey]
        survey = load_survey(path)
        households = len(survey.households)
        workers = max(1, self.n_jobs)
        simulation = Microsimulation(
            setting.country,
            survey,
            setting.period,
            backend="sequential" if workers == 1 else "loky",
            n_jobs=workers,
            chunk_size=max(1, -(-households // workers)),
        )
        with self._engine_lock:
            baseline = simulation.run({BASELINE: None})
        warm = Warm(simulation, baseline, path)
        with self._lock:
            self._warm.setdefault(setting, warm)
            return self._warm[setting]

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

    def submit(self, spec: ReformSpec, setting: Setting, replicates: int | None = None) -> Job:
        """Queue a reform run; returns the job at once."""
        self._expire()
        with self._lock:
            waiting = sum(job.status in ("queued", "running") for job in self.jobs.values())
            if waiting >= MAX_QUEUED:
                raise WebError(f"{waiting} runs are already waiting; try again when they are done")
            job = Job(uuid.uuid4().hex[:16], spec, setting, self.replicates if replicates is None else replicates)
            self.jobs[job.id] = job
            finished = [key for key, old in self.jobs.items() if old.status in ("done", "failed")]
            for key in finished[: max(0, len(self.jobs) - MAX_JOBS_KEPT)]:
                del self.jobs[key]
        self._executor.submit(self._run, job)
        return job

    def job(self, job_id: str) -> Job | None:
        self._expire()
        return self.jobs.get(job_id)

    def _expire(self) -> None:
        """Fail jobs over the time limit (their thread finishes on its own; its result is discarded)."""
        now = time.time()
        for job in list(self.jobs.values()):
            if job.status in ("queued", "running") and now - job.created > self.timeout:
                job.status, job.error, job.finished = "failed", f"timed out after {self.timeout:.0f} s", now
                job.stage = "timed out"

    def _run(self, job: Job) -> None:
        if job.status != "queued":
            return
        job.status, job.started = "running", time.time()
        try:
            clock = time.perf_counter()
            job.stage, job.progress = "preparing the survey and the baseline", 0.1
            warm = self.warm(job.setting)
            job.timings["engine_ready"] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            job.stage, job.progress = "simulating the reform", 0.3
            with self._engine_lock:
                results = warm.simulation.run({BASELINE: None, REFORM_NAME: job.reform})
            job.timings["simulation"] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            job.stage, job.progress = "computing tables and confidence intervals", 0.7
            report = build_report(results, REFORM_NAME, replicates=job.replicates)
            job.timings["tables"] = round(time.perf_counter() - clock, 3)
            if job.status != "running":  # timed out meanwhile
                return
            job.results, job.report = results, report
            job.status, job.stage, job.progress = "done", "done", 1.0
        except FloorsimError as error:
            job.status, job.error, job.stage = "failed", str(error), "failed"
        except Exception as error:  # noqa: BLE001 - shown to the user; the server keeps running
            job.status, job.error, job.stage = "failed", f"{type(error).__name__}: {error}", "failed"
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

    def download(self, job: Job, kind: str) -> bytes:
        """The workbook (``xlsx``) or the HTML report (``html``) of a finished job, written once and kept."""
        import tempfile

        from simulations.reports.outputs import REPORT_FILE, WORKBOOK_FILE, write_report_files

        if kind not in job.downloads:
            with tempfile.TemporaryDirectory(prefix="floorsim-web-") as folder:
                write_report_files(job.report, folder, full=True)
                job.downloads["xlsx"] = (Path(folder) / WORKBOOK_FILE).read_bytes()
                job.downloads["html"] = (Path(folder) / REPORT_FILE).read_bytes()
        return job.downloads[kind]

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# ----- results as JSON -----


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (datetime.date, Path)):
        return str(value)
    return value


def records(table) -> list[dict]:
    """A tidy table as JSON records (NaN → null)."""
    return _clean(table.to_dict(orient="records"))


def headline_records(report: ReportData) -> list[dict]:
    """One record per headline indicator: label, unit, kind and ``{estimate, ci_low, ci_high, se}`` for the
    baseline, the reform and the change."""
    table = report.tables["headline"]
    rows: dict[str, dict] = {}
    for row in table.to_dict(orient="records"):
        entry = rows.setdefault(
            row["indicator"],
            {"indicator": row["indicator"], "label": row["label"], "unit": row["unit"], "kind": row["kind"]},
        )
        entry[row["side"]] = {key: row[key] for key in ("estimate", "se", "ci_low", "ci_high")}
        entry["method"], entry["replicates"] = row["method"], row["replicates"]
    return _clean(list(rows.values()))


def results_dict(job: Job) -> dict:
    """Everything the results page shows, as JSON."""
    report = job.report
    tables = report.tables
    return {
        "job": job.id,
        "reform": reform_dict(job.reform),
        "context": _clean(report.context),
        "headline": headline_records(report),
        "deciles": records(tables["deciles"]),
        "by_group": records(tables["by_group"]),
        "cost": records(tables["cost"]),
        "poverty": records(tables["poverty"]),
        "inequality": records(tables["inequality"]),
        "parameters": records(tables["parameters"]),
        "method": report.method,
    }
