"""Wall time and peak memory of a command and of every process it starts, for the benchmarks.

``ru_maxrss`` of ``RUSAGE_CHILDREN`` only counts children that were waited for, and folds them into one figure:
loky's workers are the command's children (grandchildren of the benchmark), and a worker pool that outlives the
command's own ``wait`` is not counted at all. :func:`run_measured` therefore samples, every ``interval`` seconds
(50 ms by default), the resident set size (RSS, ``psutil.Process.memory_info().rss``) of the command and of every
descendant (``children(recursive=True)``), and keeps the peak of each process. A peak shorter than the interval can
be missed by sampling; the kernel's own high-water mark of the command (``ru_maxrss`` from ``os.wait4``, which
includes the descendants it waited for) is reported beside it as a bound (``kernel_peak_mb`` ≥ the sampled peak of
the command). A descendant that is still a forked copy of its parent (before ``exec``; loky forks then execs
its workers) counts with its unique pages only (USS): its RSS would count the parent's memory a second time
(sampled once at 609 MB, the size of the command at the time, during a 1M-person run). The kernel's bound also
counts the memory of the process that started the command, as it was at the fork (Linux records the forked copy's high-water mark at ``exec``): from a test process of 250 MB, a command that never
exceeds 130 MB reports 255 MB. Hence the sampled figures are the ones to read.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

MB = 1024 * 1024
DEFAULT_INTERVAL = 0.05  # seconds between samples


@dataclasses.dataclass(frozen=True)
class ProcessPeak:
    """The sampled peak RSS of one process: its pid, a short label (its command line) and the peak in MB."""

    pid: int
    label: str
    peak_mb: float


@dataclasses.dataclass(frozen=True)
class MeasuredRun:
    """What :func:`run_measured` saw: wall time (s), exit code, output, and peak RSS (MB, 1 MB = 2**20 bytes).

    ``parent_peak_mb`` is the command's own sampled peak, ``descendant_peak_mb`` the largest sampled peak of any
    single process it started (directly or not; 0 when it started none), ``processes`` every descendant seen with
    its peak, ``kernel_peak_mb`` the kernel's ``ru_maxrss`` of the command (and of the descendants it waited for).
    """

    command: tuple[str, ...]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    parent_peak_mb: float
    descendant_peak_mb: float
    processes: tuple[ProcessPeak, ...]
    kernel_peak_mb: float
    samples: int

    @property
    def peak_mb(self) -> float:
        """The largest peak of any process of the run (the command or a descendant)."""
        return max(self.parent_peak_mb, self.descendant_peak_mb)


def run_measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    interval: float = DEFAULT_INTERVAL,
    timeout: float | None = None,
) -> MeasuredRun:
    """Run ``command`` to its end, sampling the RSS of it and of all its descendants every ``interval`` seconds.

    The command runs in its own session; on ``timeout`` (seconds) its whole process group is killed and
    ``subprocess.TimeoutExpired`` raised. Output is collected through temporary files (no pipe to fill up).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=None if env is None else dict(env),
                                   cwd=cwd, start_new_session=True)
        peaks: dict[int, ProcessPeak] = {}
        parent_peak = 0.0
        samples = 0
        try:
            parent = psutil.Process(process.pid)
            while True:
                reaped, status, usage = os.wait4(process.pid, os.WNOHANG)
                if reaped:
                    break
                parent_peak = max(parent_peak, _rss_mb(parent))
                for child in _descendants(parent):
                    rss = _own_mb(child)
                    if rss is None:  # ended before it could be read: nothing to record
                        continue
                    known = peaks.get(child.pid)
                    if known is None or rss > known.peak_mb:
                        peaks[child.pid] = ProcessPeak(child.pid, known.label if known else _label(child), rss)
                samples += 1
                if timeout is not None and time.perf_counter() - started > timeout:
                    os.killpg(process.pid, signal.SIGKILL)  # the command's session: it and everything it started
                    os.wait4(process.pid, 0)
                    process.returncode = -signal.SIGKILL
                    raise subprocess.TimeoutExpired(list(command), timeout)
                time.sleep(interval)
        except BaseException:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                process.returncode = -signal.SIGKILL
            raise
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return MeasuredRun(
            command=tuple(command), seconds=seconds, returncode=process.returncode,
            stdout=out.read().decode(errors="replace"), stderr=err.read().decode(errors="replace"),
            parent_peak_mb=parent_peak, descendant_peak_mb=max((p.peak_mb for p in peaks.values()), default=0.0),
            processes=tuple(sorted(peaks.values(), key=lambda p: -p.peak_mb)),
            kernel_peak_mb=usage.ru_maxrss / 1024,  # Linux: kilobytes
            samples=samples,
        )


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:  # the command ended between two calls
        return []


def _rss_mb(process: psutil.Process) -> float:
    try:
        return process.memory_info().rss / MB
    except psutil.Error:  # ended (or a zombie) since it was listed
        return 0.0


def _own_mb(process: psutil.Process) -> float | None:
    """The memory of a descendant: its RSS once it runs its own program; while it is a forked copy of its parent
    (the same command line: before ``exec``, or a worker forked without one) only its unique pages (USS), since
    the pages it shares with its parent are the parent's memory, already counted there."""
    try:
        if process.cmdline() != process.parent().cmdline():
            return process.memory_info().rss / MB
        return process.memory_full_info().uss / MB
    except (psutil.Error, AttributeError):  # ended since it was listed (parent() is None once orphaned)
        return None


def _label(process: psutil.Process) -> str:
    """The process's command line, shortened (``python -m joblib.externals.loky...`` for a loky worker)."""
    try:
        return " ".join(process.cmdline())[:120] or "?"
    except psutil.Error:
        return "?"
