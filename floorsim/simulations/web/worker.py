"""The worker process of ``floorsim serve``: where reforms are simulated, so that a run can really be stopped.

The server's process never simulates. It sends a :class:`Task` to one long-lived worker process (started with
``spawn``, so it shares no thread or lock with the server), which keeps warm engines (a
:class:`~floorsim.simulations.engine.microsimulation.Microsimulation` and its baseline per setting, at most
``MAX_ENGINES``), runs the reform, builds the report's tables and writes them to the result cache
(:mod:`floorsim.simulations.web.cache`), reporting its progress over a pipe.

The worker makes itself the leader of a new process group (``os.setsid``) as it starts, so the engine's own worker
processes (loky) belong to that group too: :meth:`WorkerProcess.stop` signals the whole group (SIGTERM, then SIGKILL
after a grace period), which ends the computation for real when a job runs past its time limit, and leaves no
process behind when the server stops. The next job starts a fresh worker. Process groups are POSIX: this module
is for Linux and macOS.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from floorsim.simulations.engine.reforms import ReformSpec
from floorsim.simulations.web.errors import JobTimeout, WorkerStopped

MAX_ENGINES = 4  # warm settings kept by the worker (each holds its survey and baseline)
STOP_GRACE = 3.0  # seconds between SIGTERM and SIGKILL when stopping the worker's process group
POLL = 0.05  # seconds between looks at the pipe, the deadline and the worker's life
REFORM_NAME = "reform"  # scenario name of every web run (the reform's own name is kept as its label)


@dataclass(frozen=True)
class Task:
    """One piece of work for the worker: warm the engine of a setting and, with a ``reform``, run it.

    Attributes:
        job_id: the job's id (``""`` for a warm-up).
        country, period: the country package and simulated year.
        survey: the survey folder (resolved by the server from its catalogue key).
        reform: the parameter changes to run, or ``None`` to only build the engine and its baseline.
        replicates: bootstrap replicates of the intervals (0: linearisation).
        folder: the result cache's folder of this job (written through a staged folder).
        language: the language of the report's labels (results page and downloads).
        downloads: write the job's workbook and HTML report into ``folder`` (the reform is run again: the results
            page's run builds only the tables the page shows).
    """

    job_id: str
    country: str
    survey: Path
    period: int
    reform: ReformSpec | None = None
    replicates: int = 0
    folder: Path | None = None
    language: str = "en"
    downloads: bool = False


# ----- in the worker process -----


def worker_main(connection: Connection, n_jobs: int) -> None:
    """The worker's loop: one :class:`Task` at a time from ``connection``; ends when the server's end of the pipe
    closes (the server stops it by signal, or died)."""
    os.setsid()  # a process group of its own: stopping the worker stops its engine's processes with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when the worker stops
    engines: OrderedDict[tuple, object] = OrderedDict()
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):  # the server is gone (even killed): end with it
            return
        try:
            connection.send(("done", _perform(task, engines, n_jobs, connection.send)))
        except Exception as error:  # noqa: BLE001 - reported to the user as the job's error; the worker goes on
            connection.send(("failed", _message(error)))


# The tables the results page shows (``results_json.results_dict``); the downloads build the whole report.
PAGE_TABLES: tuple[str, ...] = ()  # of the optional tables (coverage, targeting, curves): none


def _perform(task: Task, engines: OrderedDict, n_jobs: int, send: Callable[[tuple], None]) -> dict:
    """Warm the setting's engine and, with a reform, run it: the page's results (``task.downloads`` False) or the
    workbook and HTML report (``task.downloads`` True). Returns ``{"timings", "headline"}``; ``timings`` holds the
    seconds of each phase (``engine_ready``, ``simulation``, ``tables``, ``written``; ``tables_cpu``: the CPU
    seconds of the tables, which a busy machine does not inflate)."""
    from floorsim.simulations.engine.microsimulation import BASELINE

    timings = {}
    clock = time.perf_counter()
    send(("progress", "preparing the survey and the baseline", 0.1))
    engine = _engine(task, engines, n_jobs)
    timings["engine_ready"] = round(time.perf_counter() - clock, 3)
    send(("ready", timings["engine_ready"]))
    if task.reform is None:
        return {"timings": timings, "headline": None}
    clock = time.perf_counter()
    send(("progress", "simulating the reform", 0.3))
    results = engine.run({BASELINE: None, REFORM_NAME: task.reform})
    timings["simulation"] = round(time.perf_counter() - clock, 3)
    clock, cpu = time.perf_counter(), time.process_time()
    send(("progress", "computing tables and confidence intervals", 0.7))
    from floorsim.simulations.reports.tables import build_report
    from floorsim.simulations.web.cache import DOWNLOAD_FILES, RESULTS_FILE
    from floorsim.simulations.web.results_json import results_dict
    from floorsim.surveys.atomic import staged_folder, write_bytes_atomic

    # The simulation is deterministic (take-up drawn from ids and the seed) and the replicates come from the same
    # seed, so the downloads, built later from a new run of the same reform, hold the figures the page showed.
    report = build_report(results, REFORM_NAME, replicates=task.replicates, language=task.language,
                          only=None if task.downloads else PAGE_TABLES)
    timings["tables"] = round(time.perf_counter() - clock, 3)
    timings["tables_cpu"] = round(time.process_time() - cpu, 3)  # CPU of this process (its threads): load-proof
    clock = time.perf_counter()
    if task.downloads:
        import tempfile

        from floorsim.simulations.reports.outputs import REPORT_FILE, WORKBOOK_FILE, write_report_files

        send(("progress", "writing the workbook and the report", 0.85))
        with tempfile.TemporaryDirectory(prefix="floorsim-web-download-") as scratch:
            write_report_files(report, scratch, full=True, formats=("csv",))
            for kind, written in (("xlsx", WORKBOOK_FILE), ("html", REPORT_FILE)):
                write_bytes_atomic(task.folder / DOWNLOAD_FILES[kind], (Path(scratch) / written).read_bytes())
        timings["written"] = round(time.perf_counter() - clock, 3)
        return {"timings": timings, "headline": None}
    data = results_dict(task.job_id, task.reform, report)
    with staged_folder(task.folder) as staging:
        (staging / RESULTS_FILE).write_text(json.dumps(data), encoding="utf-8")
    timings["written"] = round(time.perf_counter() - clock, 3)  # the results JSON, to the cache
    return {"timings": timings, "headline": data["headline"]}


def _engine(task: Task, engines: OrderedDict, n_jobs: int):
    """The warm engine of the task's setting, built (and its baseline run) on first use; least recently used
    engines beyond ``MAX_ENGINES`` are dropped."""
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
    from floorsim.surveys import load_survey

    key = (task.country, str(task.survey), task.period)
    if key in engines:
        engines.move_to_end(key)
        return engines[key]
    load_country(task.country)
    survey = load_survey(task.survey)
    workers = max(1, n_jobs)
    engine = Microsimulation(
        task.country,
        survey,
        task.period,
        backend="sequential" if workers == 1 else "loky",
        n_jobs=workers,
        chunk_size=max(1, -(-len(survey.households) // workers)),
    )
    engine.run({BASELINE: None})  # the warm-up: builds the workers' systems and checks the setting runs
    engines[key] = engine
    while len(engines) > MAX_ENGINES:
        engines.popitem(last=False)
    return engine


def _message(error: Exception) -> str:
    """A failed job's error on one line: a project error's own message, otherwise the exception's type too."""
    from floorsim.simulations.cli.terminal import PROJECT_ERRORS, one_line

    text = one_line(str(error))
    return text if isinstance(error, PROJECT_ERRORS) else f"{type(error).__name__}: {text}"


# ----- in the server's process -----


class WorkerProcess:
    """The server's handle on its worker process: started on first use, stopped on time-out, crash or shutdown.

    Args:
        n_jobs: processes of the engine inside the worker (1: the worker simulates by itself).
    """

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs
        self._process = None
        self._connection: Connection | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The worker's process id (``None`` when no worker runs)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    def run(self, task: Task, timeout: float, progress: Callable[[str, float], None]) -> dict:
        """Send ``task`` and wait for its outcome (``{"timings", "headline"}``), calling ``progress(stage,
        fraction)`` as the worker reports it. Building a setting's engine and running the reform each have
        ``timeout`` seconds; past it the worker's process group is stopped and :class:`JobTimeout` raised. A
        project error in the worker is raised here as a :class:`~floorsim.simulations.errors.FloorsimError`."""
        from floorsim.simulations.errors import FloorsimError

        connection = self._start()
        stage = "starting"
        connection.send(task)
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = connection.recv() if connection.poll(POLL) else None
            except (EOFError, OSError):
                message = None
            if message is not None:
                kind = message[0]
                if kind == "progress":
                    stage = message[1]
                    progress(message[1], message[2])
                elif kind == "ready":
                    deadline = time.monotonic() + timeout  # the reform gets the whole time limit too
                elif kind == "done":
                    return message[1]
                else:
                    raise FloorsimError(message[1])
            elif self._closed or self._process is None or not self._process.is_alive():
                code = None if self._process is None else self._process.exitcode
                self.stop()
                reason = "the server is stopping" if self._closed else f"the worker process ended (exit code {code})"
                raise WorkerStopped(f"the run stopped while {stage}: {reason}")
            elif time.monotonic() > deadline:
                self.stop()
                raise JobTimeout(f"timed out after {timeout:g} s while {stage}; the computation was stopped")

    def stop(self) -> None:
        """Stop the worker and every process of its group: SIGTERM, then SIGKILL after ``STOP_GRACE`` seconds."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            _signal_group(process.pid, sig)
            end = time.monotonic() + STOP_GRACE
            process.join(STOP_GRACE)
            while _group_alive(process.pid) and time.monotonic() < end:
                time.sleep(POLL)
            if not process.is_alive() and not _group_alive(process.pid):
                break
        process.join(STOP_GRACE)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Stop the worker for good (the server is stopping): a job waiting on it fails at once. (Asking an idle
        worker to exit is no faster: its interpreter waits for the engine's process pool; the group's SIGTERM ends
        the pool's processes, and joblib's resource tracker, which ignores SIGTERM, still frees their shared
        memory before it exits.)"""
        self._closed = True
        self.stop()

    def _start(self) -> Connection:
        if self._closed:
            raise WorkerStopped("the server is stopping")
        if self._process is None or not self._process.is_alive():
            import multiprocessing

            self.stop()
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            process = context.Process(target=worker_main, args=(theirs, self.n_jobs), name="floorsim-web-worker")
            process.start()
            theirs.close()
            self._process, self._connection = process, ours
        return self._connection


def _signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the worker's process group, or to the worker alone if it has not made its group yet."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still running (zombies waiting to be reaped do not count)."""
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    if not Path("/proc").is_dir():  # macOS: ask the kernel whether the group still exists
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return False
