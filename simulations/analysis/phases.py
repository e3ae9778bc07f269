"""The phases of a long command (reading the survey, simulation, uncertainty, tables, charts, report): their wall
time and peak memory, recorded for ``summary.json`` (``provenance.phase_timings``), and a progress display naming
the phase that is running.

The display (rich, on stderr, only when stderr is a terminal) shows the phase's name, a spinner and the elapsed
time, redrawn by rich's own refresh thread, so it moves during a phase that is one long computation; a phase with
known steps (``total``) also shows a bar that ``advance`` moves. The simulation phase shows the engine's own bar
(chunks done) instead: rich allows one live display at a time.

Peak memory is the process's ``ru_maxrss`` (high-water mark since it started) when the phase ends, in MB; worker
processes are not included (the engine's benchmarks measure them).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def peak_memory_mb() -> float | None:
    """Peak resident memory of this process so far, in MB (``ru_maxrss``; None where ``resource`` is missing)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0  # bytes on macOS, KB on Linux


@dataclass
class PhaseTiming:
    """One phase: its name, wall time (seconds) and the process's peak memory when it ended (MB)."""

    phase: str
    seconds: float
    peak_memory_mb: float | None


@dataclass
class Phases:
    """Times the phases of a command and, with ``show``, displays the running one (see the module docstring)."""

    show: bool = False
    timings: list[PhaseTiming] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str, total: int | None = None, display: bool = True) -> Iterator[Callable[[int], None]]:
        """Run a phase: yields ``advance(steps)`` for phases with a known ``total`` of steps (a no-op otherwise);
        ``display=False`` for a phase that shows its own progress (the engine's)."""
        started = time.perf_counter()
        live = _Display(name, total) if self.show and display and sys.stderr.isatty() else None
        try:
            yield (live.advance if live is not None else _ignore)
        finally:
            if live is not None:
                live.stop()
            self.timings.append(PhaseTiming(name, time.perf_counter() - started, peak_memory_mb()))

    def record(self) -> dict:
        """``{"phases": [{"phase", "seconds", "peak_memory_mb"}...], "total_seconds"}`` for ``summary.json``."""
        return {
            "phases": [{"phase": t.phase, "seconds": round(t.seconds, 3),
                        "peak_memory_mb": None if t.peak_memory_mb is None else round(t.peak_memory_mb, 1)}
                       for t in self.timings],
            "total_seconds": round(sum(t.seconds for t in self.timings), 3),
        }


def _ignore(steps: int = 1) -> None:
    """``advance`` of a phase without display."""


class _Display:
    """A transient rich progress line on stderr: spinner, phase name, (bar,) elapsed time."""

    def __init__(self, name: str, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns.append(BarColumn())
        columns.append(TimeElapsedColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        self._progress.advance(self._task, steps)

    def stop(self) -> None:
        self._progress.stop()
