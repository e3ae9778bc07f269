"""Where chunks are computed: in this process, in loky worker processes, or on a Dask cluster — and what happens
when that fails.

Every backend returns the chunks' results in chunk order. What can go wrong outside the simulation itself becomes
a project error naming the chunk, so that the command line prints one line and writes nothing:

- a worker process killed (SIGKILL, out of memory) or crashed (segfault) — loky's ``TerminatedWorkerError`` and
  ``BrokenProcessPool`` — becomes :class:`~floorsim.simulations.errors.ChunkError` naming the first chunk that did not
  come back (and the households in it);
- ``--backend dask`` without dask installed, or a scheduler that cannot be reached, becomes
  :class:`~floorsim.simulations.errors.ScenarioError`; a client opened here from a scheduler address is closed after the
  run, whatever happens.

The number of workers is capped at the useful number (:func:`useful_workers`): more processes than cores only
compete for them, and more than chunks sit idle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from joblib import Parallel, delayed

from floorsim.simulations.errors import ChunkError, ScenarioError

BACKENDS = ("sequential", "loky", "dask")
ALL_CORES = -1
DASK_CONNECT_TIMEOUT = "10s"  # an unreachable scheduler fails after this, not after dask's default of 30 s

ChunkFunction = Callable[[Any, Any], dict]
"""``function(request, chunk) -> part``: what a worker computes for one chunk (``simulate_chunk``)."""


@dataclass(frozen=True)
class Execution:
    """How a run was spread out, recorded in the run's provenance.

    Attributes:
        workers: processes (or Dask workers) that computed the chunks.
        requested: the ``n_jobs`` asked for of the backend (``-1``: all cores; the engine resolves its own ``-1``,
            "chosen by the engine", first: :mod:`floorsim.simulations.engine.plan`).
        capped: whether ``workers`` is fewer than asked, and why (``"cores"``, ``"chunks"``), else ``None``.
    """

    workers: int
    requested: int
    capped: str | None = None


def check_jobs(n_jobs: int) -> None:
    """Refuse a number of worker processes that means nothing: ``n_jobs`` must be ``-1`` or at least 1.

    Raises:
        ScenarioError: ``n_jobs`` is 0 or below -1 (joblib would read -2 as "all cores but one", a convention
            floorsim does not document, and 0 as an error deep inside a run).
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != ALL_CORES):
        raise ScenarioError(
            f"--jobs must be -1 (chosen by the engine) or a number of worker processes from 1 up, "
            f"got {n_jobs!r}"
        )


def useful_workers(n_jobs: int, n_chunks: int, cores: int | None = None) -> Execution:
    """The loky workers worth starting: ``min(n_jobs, cores, chunks)``, ``n_jobs = -1`` meaning all cores.

    ``cores`` defaults to the CPUs this process may run on (``os.sched_getaffinity``, else ``os.cpu_count``).
    The cap is recorded (:class:`Execution`) so that a run asked for 16 workers on 2 cores says it used 2.
    """
    check_jobs(n_jobs)
    cores = cores if cores is not None else _available_cores()
    asked = cores if n_jobs == ALL_CORES else n_jobs
    workers = max(1, min(asked, cores, n_chunks))
    capped = None if workers >= asked else "chunks" if n_chunks < min(asked, cores) else "cores"
    return Execution(workers, n_jobs, capped)


def run_chunks(
    function: ChunkFunction,
    request: Any,
    chunks: Sequence[Any],
    *,
    backend: str,
    n_jobs: int = ALL_CORES,
    dask_client: Any = None,
    progress: bool = False,
) -> tuple[list[dict], Execution]:
    """``function(request, chunk)`` for every chunk with the chosen backend; the parts in chunk order.

    Raises:
        ChunkError: a worker process died before returning a chunk (named, with its households when known).
        ScenarioError: an unknown backend, a meaningless ``n_jobs``, dask missing or its scheduler unreachable.
    """
    if backend not in BACKENDS:
        raise ScenarioError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
    tick = _Progress(len(chunks)) if progress and sys.stderr.isatty() else _NoProgress()
    try:
        if backend == "dask":
            return _run_on_dask(function, dask_client, request, chunks, tick)
        execution = useful_workers(n_jobs, len(chunks)) if backend == "loky" else Execution(1, n_jobs)
        if execution.workers == 1:
            parts = []
            for chunk in chunks:
                parts.append(function(request, chunk))
                tick()
            return parts, execution
        return _run_on_loky(function, request, chunks, execution, tick), execution
    finally:
        tick.close()


def _run_on_loky(
    function: ChunkFunction, request: Any, chunks: Sequence[Any], execution: Execution, tick: Callable[[], None]
) -> list[dict]:
    """Chunks on loky worker processes; a worker that dies becomes a :class:`ChunkError`."""
    from joblib.externals.loky.process_executor import BrokenProcessPool, TerminatedWorkerError

    # Chunks are small numpy arrays: pickling them through the pipe is faster than joblib's default of dumping
    # arrays over 1 MB to memory-mapped files (measured: docs/PERFORMANCE.md).
    parallel = Parallel(n_jobs=execution.workers, backend="loky", return_as="generator", max_nbytes=None)
    parts: list[dict] = []
    try:
        for part in parallel(delayed(function)(request, chunk) for chunk in chunks):
            parts.append(part)
            tick()
    except (TerminatedWorkerError, BrokenProcessPool) as error:
        # Results come back in chunk order, so the first chunk missing is one the dead worker held (or one
        # queued behind it); loky stops every worker, so no later chunk is used either.
        cause = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ChunkError(
            f"a worker process died while computing {describe_chunk(chunks[len(parts)])} (or a later chunk running "
            f"beside it; {len(parts)} of {len(chunks)} chunks had finished): {type(error).__name__}: {cause}. "
            "Nothing was written; a worker is usually killed for lack of memory: try a smaller --chunk-size or "
            "fewer --jobs"
        ) from None
    return parts


def describe_chunk(chunk: Any) -> str:
    """``chunk 3 (households 301 to 400, 100 households)`` for arrays, ``chunk 3 of FOLDER`` for a row group."""
    household_ids = getattr(chunk, "household_ids", None)
    if household_ids is None:
        folder = getattr(chunk, "folder", None)
        return f"chunk {chunk.index}" + (f" of {folder}" if folder else "")
    if len(household_ids) == 0:
        return f"chunk {chunk.index} (no households)"
    return (
        f"chunk {chunk.index} (households {int(household_ids[0])} to {int(household_ids[-1])}, "
        f"{len(household_ids)} households)"
    )


def _run_on_dask(
    function: ChunkFunction, client_or_address: Any, request: Any, chunks: Sequence[Any], tick: Callable[[], None]
) -> tuple[list[dict], Execution]:
    """One task per chunk on a Dask cluster, gathered in chunk order. A client opened here from a scheduler
    address is closed afterwards (a client passed in belongs to the caller and stays open)."""
    if client_or_address is None:
        raise ScenarioError("the dask backend needs a dask_client (a distributed.Client or a scheduler address)")
    try:
        from dask.distributed import Client, as_completed
    except ImportError as error:
        raise ScenarioError(
            f"--backend dask needs dask and distributed installed (pip install 'dask[distributed]'): {error}"
        ) from None
    opened = isinstance(client_or_address, str)
    if opened:
        try:
            client = Client(client_or_address, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as error:
            raise ScenarioError(
                f"cannot reach the Dask scheduler at '{client_or_address}' within {DASK_CONNECT_TIMEOUT} "
                f"({type(error).__name__}: {error}); start it (dask scheduler) or give its address as tcp://host:8786"
            ) from None
    else:
        client = client_or_address
    try:
        shared = client.scatter(request, broadcast=True)
        futures = [client.submit(function, shared, chunk, pure=False) for chunk in chunks]
        for _ in as_completed(futures):
            tick()
        parts = client.gather(futures)
        workers = len(client.scheduler_info().get("workers", {}))
        return parts, Execution(workers, workers)
    finally:
        if opened:
            client.close()


def _available_cores() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class _Progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.progress import Progress

        self._progress = Progress(transient=True)
        self._progress.start()
        self._task = self._progress.add_task("Simulating chunks", total=total)

    def __call__(self) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()


class _NoProgress:
    """Stands in for the progress bar when there is no terminal to draw it on."""

    def __call__(self) -> None:
        pass

    def close(self) -> None:
        pass
