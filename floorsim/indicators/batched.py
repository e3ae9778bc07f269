"""All the totals of many statistics under one weight set in a few matrix products, instead of one each.

A table of estimates (``estimate_table``) holds dozens of statistics whose building blocks are totals
Σ_i w_ri v_i (``Total``: costs, counts, the numerators and denominators of means, proportions and FGT with a fixed
line). Evaluated one by one, each total is one pass over the data and one product of the (R × P) replicate matrix
with a vector, which reads the whole matrix every time (for replicates re-calibrated per household, R × H: 300 MB
at a million persons). ``prefetch_totals`` finds every ``Total`` inside the statistics, stacks their value vectors
into blocks (one row per total) and computes Σ_i w_ri V_ji for a whole block at once
(``ReplicateWeights.sums_of_rows``: PSU totals row by row, then one matrix-matrix product), then hands each total its
column through the statistic's cache, so the statistics evaluate as before and give the same numbers (the same sums,
grouped differently: equal to rounding). The rows are the totals' own value vectors, read in place: copying a
block into one (m × n) array cost more than the sums themselves (0.7 s of page faults at a million persons).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .estimator import Statistic
from .linear_statistics import Total
from .weightsets import FullSample, WeightSet

# Totals per block: blocks of about 8 million values (64 MB of float64) whatever the number of observations.
BLOCK_VALUES = 1 << 23


def totals_inside(statistics: Iterable[Statistic]) -> list[Total]:
    """Every distinct ``Total`` a statistic is built from (walking its statistic-valued attributes), in order."""
    found: dict[int, Total] = {}
    seen: set[int] = set()
    stack = list(statistics)[::-1]
    while stack:
        statistic = stack.pop()
        if id(statistic) in seen:
            continue
        seen.add(id(statistic))
        if isinstance(statistic, Total):
            found[id(statistic)] = statistic
            continue
        stack.extend(value for value in vars(statistic).values() if isinstance(value, Statistic))
    return list(found.values())


def prefetch_totals(statistics: Iterable[Statistic], weights: WeightSet) -> int:
    """Evaluate every ``Total`` inside ``statistics`` under ``weights`` in blocks (see the module docstring) and
    leave each result in that total's cache. Returns the number of totals computed (those already cached for
    ``weights`` are skipped)."""
    totals = [t for t in totals_inside(statistics)
              if t.n == weights.n and not any(held is weights for held, _ in t._cache)]
    if not totals:
        return 0
    width = max(1, BLOCK_VALUES // max(weights.n, 1))
    for start in range(0, len(totals), width):
        block = totals[start:start + width]
        rows = [t._y for t in block]  # each total's values, contiguous, not copied
        sums = np.asarray(_sums_of_rows(weights, rows), dtype=np.float64).reshape(weights.n_sets, len(block))
        for column, total in enumerate(block):
            result = np.ascontiguousarray(sums[:, column])
            result.flags.writeable = False
            total._cache = ((weights, result), *total._cache[: total._CACHE_SIZE - 1])
    return len(totals)


def _sums_of_rows(weights: WeightSet, rows: Sequence[np.ndarray]) -> np.ndarray:
    """Σ_i w_ri V_ji (k × m) for the rows V_j (m vectors of n values): ``sums_of_rows`` where the weight set has it
    (replicate weights), the full sample's weights as Σ_i w_i V_ji row by row, else ``sums`` of the columns."""
    if hasattr(weights, "sums_of_rows"):
        return weights.sums_of_rows(rows)
    if isinstance(weights, FullSample):
        # np.sum(row * w), not row @ w: a BLAS dot per row starts (and spins) its threads each time, which cost 0.9 s
        # of CPU at a million persons for 30 ms of work
        return np.array([np.sum(row * weights.weights) for row in rows], dtype=np.float64)[None, :]
    return weights.sums(np.ascontiguousarray(np.stack(rows).T))
