"""How a run is spread out when the user leaves it to the engine: the chunk size and the number of workers, chosen
from the survey's size and where it lives (in memory or streamed from a folder).

Measured on the project's 2-core machine (docs/PERFORMANCE.md, "Chunks and workers chosen by the engine"):

- **In memory** (``floorsim run``, variants, the web app unless it asks): one worker. The calculation is about
  0.1 µs per person and scenario, and sending chunks to a second process and results back costs more than the
  second core saves (1M persons: 0.52 s with one worker and 0.58 s with two on a quiet machine with the previous
  engine; 0.82 s and 1.27 s under load with this one, household results only).
- **Streamed** (a survey folder): one worker too. Each worker reads its own row groups and sends back household
  arrays only, and with the previous, 2.5 times slower engine two workers gave 1.77× at 1M persons on a quiet
  machine; with this engine two workers were slower than one (speed-up 0.63–0.80 at 1M persons, 0.75 at 5M), measured
  while another process held one of the two cores, this machine's ordinary state. Ask for ``--jobs 2`` (or more)
  where cores are free.
- **Chunk size in memory**: :data:`SEQUENTIAL_CHUNK_HOUSEHOLDS` households for one worker (one OpenFisca simulation
  per chunk and scenario: fewer, larger chunks spend less in OpenFisca's per-simulation overhead, while a chunk's
  intermediate arrays stay about 100 MB); with several workers, about four chunks per worker so that they finish
  together, within :data:`MIN_PARALLEL_CHUNK_HOUSEHOLDS`–:data:`SEQUENTIAL_CHUNK_HOUSEHOLDS`.

A number of workers or a chunk size given by the user is used as given (workers capped at cores and chunks by
:func:`floorsim.simulations.engine.backends.useful_workers`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

AUTO = -1
"""``n_jobs=-1`` (the default, ``--jobs -1``): the engine chooses (one worker where two do not pay: so far, always)."""

SEQUENTIAL_CHUNK_HOUSEHOLDS = 50_000
MIN_PARALLEL_CHUNK_HOUSEHOLDS = 1_000
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class RunPlan:
    """Workers and chunk size of a run, and why (recorded in the run's provenance).

    Attributes:
        n_jobs: the workers to ask the backend for (``AUTO`` resolved; still capped at cores and chunks there).
        chunk_size: households per chunk (``None`` for a streamed survey: its row groups are the chunks).
        reason: how they were chosen, in words.
    """

    n_jobs: int
    chunk_size: int | None
    reason: str


def plan_run(
    *,
    n_households: int,
    streamed: bool,
    keep_persons: bool,
    n_jobs: int = AUTO,
    chunk_size: int | None = None,
) -> RunPlan:
    """The workers and chunk size of a run: the user's where given, else chosen as the module docstring says."""
    reasons = []
    if n_jobs != AUTO:
        workers = n_jobs
        reasons.append(f"{n_jobs} worker(s) as asked")
    else:
        workers = 1
        reasons.append(
            ("streamed survey" if streamed else "survey in memory")
            + ": one worker (a second did not pay in the measurements of docs/PERFORMANCE.md)"
            + ("" if keep_persons or streamed else "; household results only")
        )
    if streamed:
        return RunPlan(workers, None, "; ".join(reasons + ["chunks: the survey folder's row groups"]))
    if chunk_size is not None:
        return RunPlan(workers, chunk_size, "; ".join(reasons + [f"{chunk_size:,} households a chunk as asked"]))
    if workers == 1:
        size = SEQUENTIAL_CHUNK_HOUSEHOLDS
    else:
        size = math.ceil(n_households / (CHUNKS_PER_WORKER * workers))
        size = max(MIN_PARALLEL_CHUNK_HOUSEHOLDS, min(SEQUENTIAL_CHUNK_HOUSEHOLDS, size))
    return RunPlan(workers, size, "; ".join(reasons + [f"{size:,} households a chunk"]))
