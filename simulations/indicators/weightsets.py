"""Weight sets: the full sample, or R replicates, seen through the two operations estimators need.

Every estimator in ``statistics.py`` is written once against this interface and so gives the full-sample
estimate (k = 1) and the R replicate estimates (k = R) with the same code: the point estimate can never drift
from what the replicates compute.

* ``sums(values)`` — Σ_i w_ri v_i for each set r: how totals, means, ratios and FGT with a fixed line are
  computed (a matrix product for replicates, never materialising the R × n weights);
* ``gather(indices, start, stop)`` — the weights of a few sets at given observations, for estimators that need
  them one by one in sorted order (quantiles, Gini, a relative poverty line). ``row_blocks`` chooses how many
  sets to take at once so that at most ``MAX_BLOCK_CELLS`` weights are in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Largest number of cells (weight sets × observations) materialised at once: 4M float64 = 32 MB.
MAX_BLOCK_CELLS = 1 << 22


class WeightSet(Protocol):
    """k sets of weights over the same n observations."""

    @property
    def n_sets(self) -> int: ...

    @property
    def n(self) -> int: ...

    def sums(self, values: FloatArray) -> FloatArray:
        """Σ_i w_ri v_i for each set r: (n,) -> (k,), or (n, m) -> (k, m)."""
        ...

    def gather(self, indices: IntArray, start: int, stop: int) -> FloatArray:
        """Weights of sets start..stop-1 at observations ``indices``: shape (stop − start, len(indices))."""
        ...


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

    def gather(self, indices: IntArray, start: int, stop: int) -> FloatArray:
        return self.weights[indices][None, :]


def row_blocks(n_sets: int, width: int, max_cells: int = MAX_BLOCK_CELLS) -> Iterator[tuple[int, int]]:
    """(start, stop) ranges of weight sets such that (stop − start) × width stays under ``max_cells``."""
    step = max(1, max_cells // max(width, 1))
    for start in range(0, n_sets, step):
        yield start, min(start + step, n_sets)
