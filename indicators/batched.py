"""All the totals of many statistics under one weight set in a few matrix products, instead of one each.

A table of estimates (``estimate_table``) holds dozens of statistics whose building blocks are totals
Σ_i w_ri v_i (``Total``: costs, counts, the numerators and denominators of means, proportions and FGT with a fixed
line). Evaluated one by one, each total is one pass over the data and one product of the (R × P) replicate matrix
with a vector, which reads the whole matrix every time (for replicates re-calibrated per household, R × H: 300 MB
at a million persons). ``prefetch_totals`` finds every ``Total`` inside the statistics, stacks their value vectors
into blocks of columns and computes Σ_i w_ri V_ij for a whole block at once (``WeightSet.sums`` of an (n × m)
array: one matrix-matrix product), then hands each total its column through the statistic's cache, so the
statistics evaluate as before and give the same numbers (the same sums, grouped differently: equal to rounding).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .estimator import Statistic
from .linear_statistics import Total
from .weightsets import WeightSet

# Columns per block: blocks of about 16 million values (128 MB of float64) whatever the number of observations.
BLOCK_VALUES = 1 << 24


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
        values = np.column_stack([t._y for t in block])
        sums = np.asarray(weights.sums(values), dtype=np.float64).reshape(weights.n_sets, len(block))
        for column, total in enumerate(block):
            result = np.ascontiguousarray(sums[:, column])
            result.flags.writeable = False
            total._cache = ((weights, result), *total._cache[: total._CACHE_SIZE - 1])
    return len(totals)
