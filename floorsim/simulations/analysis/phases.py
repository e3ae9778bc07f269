"""The phases of a long command (reading the survey, simulation, uncertainty, tables, charts, report): their wall
time and peak memory, recorded for ``summary.json`` (``provenance.phase_timings``), and a progress display naming
the phase that is running.

The display (rich, on stderr, only when stderr is a terminal; or on the ``console`` given, e.g. a test's console
writing to a StringIO with ``force_terminal``) shows the phase's name, a spinner and the elapsed time, redrawn by
rich's own refresh thread, so it moves during a phase that is one long computation; a phase with known steps
(``total``) also shows a bar that ``advance`` moves. A phase whose engine shows its own bar (chunks done) passes
``display=False``: rich allows one live display at a time, so phases are never nested.

Every long command times its phases with one :class:`Phases` (``floorsim run``, ``variants``, ``solve``,
``project``, ``spf``, ``synth``, ``golden``), shown unless ``floorsim -q``, and writes :meth:`Phases.record` into
the JSON it writes (``summary.json``, ``variants.json``, ``spf.json``, ``projection.json``, ``solve --json``).

Peak memory is the process's ``ru_maxrss`` (high-water mark since it started) when the phase ends, in MB; worker
processes are not included (the engine's benchmarks measure them).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


def peak_memory_mb() -> float | None:
    """Peak resident memory of this process so far, in MB (``ru_maxrss``; None where ``resource`` is missing)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0  # bytes on macOS, KB on Linux


def release_free_memory() -> None:
    """Give the memory this process freed back to the operating system (``malloc_trim`` of the GNU C library; a
    no-op elsewhere). After a phase has freed large intermediate arrays, glibc keeps much of it for reuse: at 10
    million persons the simulation left about 480 MB held that way, on top of which the report's peak would build.
    Trimming takes milliseconds and changes no result."""
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
            except (OSError, AttributeError):  # another C library (musl): nothing to trim
                pass
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None


@dataclass
class PhaseTiming:
    """One phase: its name, wall time (seconds) and the process's peak memory when it ended (MB)."""

    phase: str
    seconds: float
    peak_memory_mb: float | None


@dataclass
class Phases:
    """Times the phases of a command and, with ``show``, displays the running one (see the module docstring).

    Attributes:
        show: draw the display (on ``console``, else on stderr when it is a terminal).
        timings: the phases done so far.
        console: a ``rich.console.Console`` to draw on instead of stderr (drawn on whether or not it is a terminal:
            the caller decided).
    """

    show: bool = False
    timings: list[PhaseTiming] = field(default_factory=list)
    console: Any = None

    @contextmanager
    def phase(self, name: str, total: int | None = None, display: bool = True) -> Iterator[Callable[[int], None]]:
        """Run a phase: yields ``advance(steps)`` for phases with a known ``total`` of steps (a no-op otherwise);
        ``display=False`` for a phase that shows its own progress (the engine's)."""
        started = time.perf_counter()
        shown = self.show and display and (self.console is not None or _stderr_is_terminal())
        live = _Display(name, total, self.console) if shown else None
        try:
            yield (live.advance if live is not None else _ignore)
        finally:
            if live is not None:
                live.stop()
            self.timings.append(PhaseTiming(name, time.perf_counter() - started, peak_memory_mb()))
            release_free_memory()

    def record(self) -> dict:
        """``{"phases": [{"phase", "seconds", "peak_memory_mb"}...], "total_seconds"}`` for ``summary.json``."""
        return {
            "phases": [{"phase": t.phase, "seconds": round(t.seconds, 3),
                        "peak_memory_mb": None if t.peak_memory_mb is None else round(t.peak_memory_mb, 1)}
                       for t in self.timings],
            "total_seconds": round(sum(t.seconds for t in self.timings), 3),
        }


def _stderr_is_terminal() -> bool:
    """Whether standard error is a terminal (the display is drawn only there unless a console is given)."""
    return sys.stderr.isatty()


def _stderr_console() -> Any:
    """The console the display draws on by default: standard error."""
    from rich.console import Console

    return Console(stderr=True)


def _ignore(steps: int = 1) -> None:
    """``advance`` of a phase without display."""


class _Display:
    """A transient rich progress line on stderr: spinner, phase name, (bar,) elapsed time."""

    def __init__(self, name: str, total: int | None, console: Any = None) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns.append(BarColumn())
        columns.append(TimeElapsedColumn())
        self._progress = Progress(*columns, console=console or _stderr_console(),
                                  transient=True)
        self._task = self._progress.add_task(name, total=total)  # before start: the first frame names the phase
        self._progress.start()

    def advance(self, steps: int = 1) -> None:
        self._progress.advance(self._task, steps)

    def stop(self) -> None:
        self._progress.stop()
