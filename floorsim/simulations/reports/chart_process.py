"""Charts drawn in helper processes, on the cores a run leaves idle.

At a million persons the seven charts of ``floorsim run`` (each a PNG and an SVG) took 2.1 s of one core, plus
0.6 s to import matplotlib, after the estimates, while the machine's other core sat idle. :class:`ChartProcesses`
starts helper processes (``python -m floorsim.simulations.reports.chart_process``) as soon as a run knows it will
write a report: each imports matplotlib and the chart functions, and draws a small figure, while the main process
computes the estimates, then waits. Once the report is built, :meth:`ChartProcesses.draw` hands it to every helper
and the charts one at a time to whichever helper is free, and returns at once (the main process writes the tables
meanwhile); :meth:`PendingCharts.result` waits for the files.

Each chart is drawn by exactly one process with ``charts.draw_chart``, the function ``charts.write_charts`` uses in
process, so the files are the same bytes whichever process drew them, in whatever order. An error while drawing is
raised again in the main process as the same exception (its type and message: ``write_outputs`` turns it into the
``ReportError`` that says nothing was written); a helper that dies raises a ``ReportError`` with the end of its
error output. Helpers write only into the folder they are given (a staging folder) and end when their input
closes, so a main process that dies leaves none behind.

Messages are pickles behind a length prefix, on the helper's standard input and output (whatever the helper prints
goes to its standard error, a temporary file). ``FLOORSIM_CHART_PROCESSES`` sets the number of helpers (default 2
on a machine of two or more cores, else 0; 0 draws the charts in process).
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

from floorsim.simulations.reports.errors import ReportError

PROCESSES_VARIABLE = "FLOORSIM_CHART_PROCESSES"
DEFAULT_PROCESSES = 2  # the charts are about 0.3 s each: two helpers halve them; more would share two cores
_HEADER = struct.Struct("!Q")  # the length of the pickle that follows
_CLOSE_SECONDS = 5.0  # a helper given no more work ends at once; one still drawing is ended after this


def chart_processes_wanted() -> int:
    """Helpers to draw the charts in: ``FLOORSIM_CHART_PROCESSES`` if set (0: in process), else 2 where the machine
    has two cores or more, else 0."""
    configured = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if configured:
        try:
            return max(0, int(configured))
        except ValueError:
            raise ReportError(f"{PROCESSES_VARIABLE} must be a whole number of processes (0: draw the charts in "
                              f"this process); got {configured!r}") from None
    return DEFAULT_PROCESSES if (os.cpu_count() or 1) >= 2 else 0


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other end closed")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed in a message")
    return pickle.loads(data)  # our own helper's messages, on its own pipes


class _Helper:
    """The helper process and its pipes."""

    def __init__(self, processes: int) -> None:
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), with the process
        # the helper imports floorsim from where this process did, even when it is not installed
        root = str(Path(__file__).resolve().parents[3])
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(p for p in (root, environment.get("PYTHONPATH")) if p)
        code = f"from {__name__} import serve; serve({int(processes)})"
        self.process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors, env=environment)

    def ask(self, message: Any) -> Any:
        """Send one message and wait for the reply; a helper that died raises a ``ReportError``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            _send(self.process.stdin, message)
            return _receive(self.process.stdout)
        except (EOFError, OSError) as error:
            raise ReportError(self._death()) from error

    def _death(self) -> str:
        try:
            code = self.process.wait(timeout=_CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        told = f": {lines[-1]}" if lines else ""
        return f"the process drawing the charts ended unexpectedly (exit status {code}){told}"

    def close(self, kill: bool = False) -> None:
        """Close its input, so that it ends once idle (at once with ``kill``), and wait for it (killed after
        ``_CLOSE_SECONDS``)."""
        if kill:
            self.process.kill()
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:  # it already ended: its pipe is broken
                pass
        try:
            self.process.wait(timeout=_CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()


class PendingCharts:
    """Charts being drawn by the helper; :meth:`result` waits for them."""

    def __init__(self, helper: _Helper, payload: bytes, folder: Path, names: Sequence[str]) -> None:
        self._reply: tuple[str, Any] | None = None
        self._thread = threading.Thread(target=self._ask, args=(helper, ("draw", payload, str(folder), list(names))),
                                        daemon=True)
        self._thread.start()

    def _ask(self, helper: _Helper, message: tuple) -> None:
        try:
            self._reply = helper.ask(message)
        except BaseException as error:  # noqa: BLE001 - raised in the main thread by result()
            self._reply = ("error", error)

    def result(self) -> list[Path]:
        """The files, in ``CHARTS`` order (PNG then SVG of each chart), once every chart is drawn. Raises the error
        of the first chart (in that order) that failed."""
        self._thread.join()
        assert self._reply is not None
        kind, value = self._reply
        if kind == "error":
            raise value
        return [Path(path) for path in value]


@dataclass(frozen=True)
class _InProcess:
    """Charts drawn in this process when :meth:`result` is called (a report that cannot be pickled)."""

    report: Any
    folder: Path

    def result(self) -> list[Path]:
        from floorsim.simulations.reports.charts import write_charts

        return write_charts(self.report, self.folder)


class ChartProcesses:
    """A helper process with its pool of drawing processes (see the module docstring). Use as a context manager:
    the helper and its pool end when it closes."""

    def __init__(self, processes: int = DEFAULT_PROCESSES) -> None:
        self._helper: _Helper | None = _Helper(processes)

    def draw(self, report: Any, folder: str | Path) -> PendingCharts | _InProcess:
        """Start drawing every chart of ``report`` (``charts.chart_names``) into ``folder`` (created); returns at
        once. A report that cannot be pickled is drawn in this process when its result is asked for."""
        from floorsim.simulations.reports.charts import chart_names

        if self._helper is None:
            raise ReportError("the chart processes were closed")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            payload = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)  # once, whatever the processes
        except Exception:  # noqa: BLE001 - a report holding an object pickle refuses: drawn here, as before
            return _InProcess(report, folder)
        return PendingCharts(self._helper, payload, folder, chart_names(report))

    def close(self, kill: bool = False) -> None:
        """End the helper (``kill``: at once, as when the run failed)."""
        if self._helper is not None:
            self._helper.close(kill=kill)
            self._helper = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(kill=kind is not None)


def start_chart_processes(full: bool = True) -> ChartProcesses | None:
    """Helpers for a run that writes the report (``full``), as many as :func:`chart_processes_wanted`; None when
    none are wanted or they cannot be started (the charts are then drawn in process)."""
    wanted = chart_processes_wanted() if full else 0
    if wanted == 0:
        return None
    try:
        return ChartProcesses(wanted)
    except OSError:  # no interpreter to start (a frozen application): draw in process
        return None


def _portable(error: BaseException) -> BaseException:
    """The error itself if it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(error))  # our own object
        return error
    except Exception:  # noqa: BLE001 - any pickling failure
        return RuntimeError(f"{type(error).__name__}: {error}")


def _draw(payload: bytes, name: str, folder: str) -> list[str]:
    """In a drawing process: one chart of the pickled report."""
    from floorsim.simulations.reports.charts import draw_chart

    report = pickle.loads(payload)  # our own main process's report
    return [str(path) for path in draw_chart(report, name, folder)]


def _draw_all(pool: Any, payload: bytes, folder: str, names: Sequence[str]) -> list[str]:
    """Every chart, one task each (the next to whichever process is free); the files in ``names`` order. The first
    chart (in that order) that fails raises its error, once every started chart has ended."""
    futures = [pool.submit(_draw, payload, name, folder) for name in names]
    failure: BaseException | None = None
    files: list[str] = []
    for future in futures:
        try:
            files += future.result()
        except BaseException as error:  # noqa: BLE001 - the first in order is raised below
            if failure is None:
                failure = error
                for later in futures:
                    later.cancel()
    if failure is not None:
        raise failure
    return files


def _start_drawer(replies: int) -> None:
    """In a new drawing process: close its copy of the helper's replies (the main process must see them end when
    the helper ends), end when the helper has ended (a killed helper leaves no drawing process behind), and draw a
    small figure (matplotlib reopens its fonts in a forked process: done now, while the main process computes)."""
    import io

    from floorsim.simulations.reports.charts import warm_up

    try:
        os.close(replies)
    except OSError:  # a spawned process (not on Linux) never had it
        pass
    helper = os.getppid()

    def watch() -> None:
        while os.getppid() == helper:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    warm_up(io.BytesIO())


def serve(processes: int) -> None:
    """The helper: import the charts, draw a small figure (fonts and backends loaded before any report comes), start
    ``processes`` drawing processes forked from this warm one (on Linux; spawned elsewhere), then answer requests
    until the input closes."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to standard error, never into the replies
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    import gc
    import io
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from floorsim.simulations.reports.charts import warm_up

    warm_up(io.BytesIO())
    gc.freeze()  # the forked processes share this warm heap; the collector does not copy it page by page
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=max(1, processes), mp_context=context, initializer=_start_drawer,
                             initargs=(replies.fileno(),)) as pool:
        for started in [pool.submit(int) for _ in range(max(1, processes))]:  # they start (and warm up) now,
            started.result()                                                   # while the main process computes
        while True:
            try:
                _, payload, folder, names = _receive(requests)
            except EOFError:
                return
            try:
                reply: tuple[str, Any] = ("ok", _draw_all(pool, payload, folder, names))
            except Exception as error:  # noqa: BLE001 - sent back to the main process, raised there
                reply = ("error", _portable(error))
            _send(replies, reply)
