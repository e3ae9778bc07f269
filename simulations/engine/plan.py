"""How a run is spread out when the user leaves it to the engine: the chunk size and the number of workers, chosen
from the survey's size, where it lives (in memory or streamed from a folder) and the cores.

Measured on the project's 2-core machine (docs/PERFORMANCE.md, "Chunks and workers chosen by the engine"):

- **In memory, person results kept** (``floorsim run``): one worker. The calculation is about 0.3 µs per person and
  scenario, and sending chunks to a second process and person arrays back costs more than the second core saves,
  at every size measured up to 5 million persons.
- **Streamed** (a survey folder): each worker reads its own row groups and sends back household arrays only, so
  two workers pay from :data:`STREAM_PARALLEL_MIN_PERSONS` persons; below that, starting and warming a second
  process costs more than it saves.
- **Chunk size in memory**: :data:`SEQUENTIAL_CHUNK_HOUSEHOLDS` households for one worker (one OpenFisca simulation
  per chunk and scenario: fewer, larger chunks spend less in OpenFisca's per-simulation overhead, while a chunk's
  intermediate arrays stay about 100 MB); with several workers, about four chunks per worker so that they finish
  together, within :data:`MIN_PARALLEL_CHUNK_HOUSEHOLDS`–:data:`SEQUENTIAL_CHUNK_HOUSEHOLDS`.

A number of workers or a chunk size given by the user is used as given (workers capped at cores and chunks by
:func:`simulations.engine.backends.useful_workers`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

AUTO = -1
"""``n_jobs=-1`` (the default, ``--jobs -1``): the engine chooses, up to all cores, one where two do not pay."""

SEQUENTIAL_CHUNK_HOUSEHOLDS = 50_000
MIN_PARALLEL_CHUNK_HOUSEHOLDS = 1_000
CHUNKS_PER_WORKER = 4
STREAM_PARALLEL_MIN_PERSONS = 250_000


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
    n_persons: int,
    streamed: bool,
    keep_persons: bool,
    n_jobs: int = AUTO,
    chunk_size: int | None = None,
    cores: int,
) -> RunPlan:
    """The workers and chunk size of a run: the user's where given, else chosen as the module docstring says."""
    reasons = []
    if n_jobs != AUTO:
        workers = n_jobs
        reasons.append(f"{n_jobs} worker(s) as asked")
    elif streamed:
        workers = cores if n_persons >= STREAM_PARALLEL_MIN_PERSONS else 1
        reasons.append(
            f"streamed survey of {n_persons:,} persons: "
            + (f"all {cores} cores" if workers > 1 else f"one worker (under {STREAM_PARALLEL_MIN_PERSONS:,} persons)")
        )
    else:
        workers = 1
        reasons.append(
            "survey in memory: one worker (sending chunks and results between processes costs more than a second "
            "core saves)" + ("" if keep_persons else "; household results only")
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
