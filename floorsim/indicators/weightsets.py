"""Weight sets: the full sample, or R replicates, seen through the two operations estimators need.

Every estimator in ``statistics.py`` is written once against this interface and so gives the full-sample
estimate (k = 1) and the R replicate estimates (k = R) with the same code: the point estimate can never drift
from what the replicates compute.

* ``sums(values)`` — Σ_i w_ri v_i for each set r: how totals, means, ratios and FGT with a fixed line are
  computed (a matrix product over PSU totals for generated replicates, never materialising the R × n weights);
* ``at(indices).row(r)`` — the weights of set r at given observations (in that order), for estimators that need
  them one by one in sorted order (quantiles, Gini, a relative poverty line). One row is materialised at a time;
  ``map_rows`` applies a function to every row, on several threads (numpy releases the GIL in the gathers,
  cumulative sums and dot products that dominate), and the result does not depend on the number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Threads used by ``map_rows``: FLOORSIM_THREADS if set, else the machine's cores (at most 8). Only speed depends
# on it, never results.
_THREADS_VARIABLE = "FLOORSIM_THREADS"


def default_threads() -> int:
    """Threads for per-replicate loops: ``FLOORSIM_THREADS`` or min(8, cpu count)."""
    configured = os.environ.get(_THREADS_VARIABLE)
    if configured:
        return max(1, int(configured))
    return max(1, min(8, os.cpu_count() or 1))


class RowSource(Protocol):
    """The weights of each set at a fixed list of observations."""

    @property
    def n_sets(self) -> int: ...

    def row(self, r: int) -> FloatArray:
        """Weights of set r at the observations (a new float64 array)."""
        ...


class WeightSet(Protocol):
    """k sets of weights over the same n observations."""

    @property
    def n_sets(self) -> int: ...

    @property
    def n(self) -> int: ...

    def sums(self, values: FloatArray) -> FloatArray:
        """Σ_i w_ri v_i for each set r: (n,) -> (k,), or (n, m) -> (k, m)."""
        ...

    def at(self, indices: IntArray) -> RowSource:
        """Row access to the weights at observations ``indices``."""
        ...


@dataclass(frozen=True, eq=False)
class _FixedRows:
    weights: FloatArray

    @property
    def n_sets(self) -> int:
        return 1

    def row(self, r: int) -> FloatArray:
        return self.weights


@dataclass(frozen=True, eq=False)
class FullSample:
    """The full-sample weights as a weight set of one."""

    weights: FloatArray

    @property
    def n_sets(self) -> int:
        return 1

    @property
    def n(self) -> int:
        return int(self.weights.size)

    def sums(self, values: FloatArray) -> FloatArray:
        return (self.weights @ values)[None, ...]

    def at(self, indices: IntArray) -> RowSource:
        return _FixedRows(self.weights[indices])


def map_rows(source: RowSource, function: Callable[[FloatArray, int], float], threads: int | None = None) -> FloatArray:
    """[function(source.row(r), r) for r in range(k)] as a float64 array, computed on ``threads`` threads."""
    k = source.n_sets
    count = default_threads() if threads is None else max(1, threads)
    if count == 1 or k < 4:
        return np.array([function(source.row(r), r) for r in range(k)], dtype=np.float64)

    def run(chunk: range) -> list[float]:
        return [function(source.row(r), r) for r in chunk]

    step = -(-k // count)
    chunks = [range(start, min(start + step, k)) for start in range(0, k, step)]
    with ThreadPoolExecutor(max_workers=count) as pool:
        parts = list(pool.map(run, chunks))
    return np.array([value for part in parts for value in part], dtype=np.float64)
