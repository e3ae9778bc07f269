"""Rank statistics for every replicate from one sort: blocks of replicate weights in sorted order.

Replicates change the weights, never the values, so the order of a domain's values is computed once
(``_sorted._Sorted``) and serves every replicate. For a block of B replicates the weights are gathered in that
order into a (B × m) matrix W (m observations of the domain), and the cumulative weights C = cumsum(W) along each
row (and, for the share measures, the cumulative values S = cumsum(W ⊙ x)) are formed once. Every rank statistic
of the domain is then a cheap function of those rows, for all B replicates at once:

* Eurostat quantile Q_q (``quantiles.weighted_quantile``): per row a binary search of q C_m in C (zero weights
  skipped as in the definition: the first positive weight is the first index with C > 0, the value after an exact
  hit the first index where C grows again);
* Gini (``inequality.gini``): G = (2 Σ w x C − Σ w² x − W T) / (W T), two row-wise dot products;
* Palma (``inequality.palma``): the piecewise-linear Lorenz curve (C / W, S / T) at 0.4 and 0.9, one binary search
  per point and row;
* S80/S20 (``inequality.quintile_share_ratio``): totals at or below Q_0.2 (S at the cut) and strictly above
  Q_0.8 (T − S at the cut).

Exact, not approximated: the same sorted order, the same cumulative sums (row-wise cumulative sums add in the same
order as the one-row sums), the same definitions; tested equal to the functions applied replicate by replicate.

Every statistic built on one sorted order (``_Sorted.members``: the Gini, quantiles, Palma, S80/S20 of the same
values and domain) is computed in the same pass over the blocks, so the weights are gathered and summed once for
all of them (``evaluate_members``). A block holds at most ``BLOCK_VALUES`` weights per matrix (16 MB); a block
holds W, C, W ⊙ x and S, so under 64 MB whatever the number of replicates or observations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ._validation import FloatArray
from .quantiles import _HIT_TOLERANCE as HIT_TOLERANCE
from .replicates import _DenseRows, _FactorRows, _ScaledDenseRows
from .weightsets import RowSource, WeightSet, _FixedRows, default_threads

if TYPE_CHECKING:
    from ._sorted import _Sorted

# Weights per (B × m) matrix of a block: 2^21 float64 values = 16 MB, so B = 2^21 // m replicates (at least one).
BLOCK_VALUES = 1 << 21


class BlockMember(Protocol):
    """A statistic computed from the blocks of its sorted order (see the module docstring)."""

    _needs_preparation: bool  # True when ``_prepare`` evaluates other statistics (a line per replicate)

    def _prepare(self, weights: WeightSet) -> Any:
        """What the statistic needs under ``weights`` before the blocks (a poverty line per replicate), or None."""

    def _of_block(self, block: SortedBlock, prepared: Any) -> FloatArray:
        """The statistic for the block's B replicates (B,), given what ``_prepare`` returned."""


class SortedBlock:
    """Weights of B replicates in the sorted order of a domain's values, and what the rank statistics share.

    Attributes:
        values: the domain's values sorted (m,), the same for every replicate.
        weights: W (B × m), the replicates' weights at those observations in that order (zeros allowed).
        start: the first replicate of the block (its rows are replicates start … start + B − 1).
    """

    def __init__(self, values: FloatArray, weights: FloatArray, start: int = 0) -> None:
        self.values = values
        self.weights = weights
        self.start = start
        self._quantiles: dict[float, FloatArray] = {}

    @property
    def size(self) -> int:
        """B, the number of replicates in the block."""
        return int(self.weights.shape[0])

    @cached_property
    def cumulative(self) -> FloatArray:
        """C (B × m): C_ri = w_r1 + … + w_ri."""
        return np.cumsum(self.weights, axis=1)

    @cached_property
    def total_weight(self) -> FloatArray:
        """W_r = C_rm (B,): the last cumulative sum, so C_rm == W_r exactly."""
        return np.ascontiguousarray(self.cumulative[:, -1])

    @cached_property
    def weighted_values(self) -> FloatArray:
        """W ⊙ x (B × m)."""
        return self.weights * self.values

    @cached_property
    def cumulative_values(self) -> FloatArray:
        """S (B × m): S_ri = w_r1 x_1 + … + w_ri x_i."""
        return np.cumsum(self.weighted_values, axis=1)

    def quantile(self, q: float) -> FloatArray:
        """Eurostat weighted quantile Q_q of each replicate (B,), nan where a replicate has no weight.

        Sorted x with weights w (zeros allowed), C_i = w_1 + … + w_i, W = C_m: for 0 < q < 1 let k be the first
        i with C_i >= q W (and w_k > 0); Q = (x_k + x_next) / 2 if C_k = q W within ``HIT_TOLERANCE`` W (x_next:
        the next value with positive weight), else x_k; Q(0) is the first value with positive weight, Q(1) the
        last. This is ``weighted_quantile`` with zero-weight observations left out.
        """
        held = self._quantiles.get(q)
        if held is not None:
            return held
        x, cumulative, weights = self.values, self.cumulative, self.weights
        last = x.size - 1
        result = np.full(self.size, math.nan)
        for r in range(self.size):
            row = cumulative[r]
            total = row[-1]
            if not total > 0:
                continue
            first = int(np.searchsorted(row, 0.0, side="right"))
            if q == 0.0:
                result[r] = x[first]
                continue
            if q == 1.0:
                result[r] = x[np.flatnonzero(weights[r] > 0)[-1]]
                continue
            target, tolerance = q * total, HIT_TOLERANCE * total
            k = min(max(int(np.searchsorted(row, target - tolerance, side="left")), first), last)
            if abs(row[k] - target) <= tolerance:
                following = int(np.searchsorted(row, row[k], side="right"))
                result[r] = (x[k] + x[following if following <= last else k]) / 2.0
            else:
                result[r] = x[k]
        self._quantiles[q] = result
        return result

    def gini(self) -> FloatArray:
        """Gini of each replicate (B,): Σ w x (2C − w − W) / (W T), as two row-wise dot products (see
        ``inequality.gini``; midpoint ranks, so the order of ties does not matter)."""
        wx = self.weighted_values
        total_weight = self.total_weight
        total = wx.sum(axis=1)
        numerator = (2.0 * np.einsum("ij,ij->i", wx, self.cumulative) - np.einsum("ij,ij->i", wx, self.weights)
                     - total_weight * total)
        return numerator / (total_weight * total)

    def sums_below(self, lines: FloatArray, terms: Callable[[int, FloatArray], FloatArray | None]) -> FloatArray:
        """Σ_{i: x_i < z_r} w_ri g_i(z_r) for each replicate r of the block (B,), ``lines`` z_r (B,): the
        numerator of a poverty measure with a line re-estimated in every replicate.

        ``terms(k, z)`` gives g_i(z_r) for the k poorest observations (B × k), or None for g = 1 (the headcount),
        which is read off the cumulative weights (C_r at the last observation below z_r) when the block has
        formed them for other statistics.
        """
        below = np.searchsorted(self.values, lines, side="left")  # x < z strictly, as in fgt()
        widest = int(below.max()) if below.size else 0
        if widest == 0:
            return np.zeros(self.size)
        g = terms(widest, lines)
        outside = np.arange(widest)[None, :] >= below[:, None]  # observations at or above each row's line
        if g is None and "cumulative" in vars(self):  # cumulative weights already formed: read them
            return np.where(below > 0, self.cumulative[np.arange(self.size), np.maximum(below - 1, 0)], 0.0)
        if g is None:  # else sum the k poorest weights (cheaper than cumulating all m)
            return np.where(outside, 0.0, self.weights[:, :widest]).sum(axis=1)
        g[outside] = 0.0
        return np.einsum("ij,ij->i", self.weights[:, :widest], g)

    def lorenz(self, p: FloatArray) -> FloatArray:
        """The piecewise-linear Lorenz curve of each replicate at population shares ``p`` (B × len(p)), joining
        (0, 0) and (C_i / W, S_i / T) as ``inequality.lorenz`` does; nan where W or T is not positive.

        Zero-weight observations repeat the node before them (same C and S), so they change nothing: the segment
        holding p W runs from the last node with C < p W to the first with C >= p W.
        """
        cumulative, values = self.cumulative, self.cumulative_values
        weight_total, value_total = self.total_weight, values[:, -1]
        result = np.full((self.size, p.size), math.nan)
        for r in range(self.size):
            if not (weight_total[r] > 0 and value_total[r] > 0):
                continue
            share_of_weight = cumulative[r]
            for column, point in enumerate(p):
                j = int(np.searchsorted(share_of_weight, point * weight_total[r], side="left"))
                j = min(j, share_of_weight.size - 1)
                x1, y1 = share_of_weight[j] / weight_total[r], values[r, j] / value_total[r]
                if j == 0:
                    x0 = y0 = 0.0
                else:
                    x0, y0 = share_of_weight[j - 1] / weight_total[r], values[r, j - 1] / value_total[r]
                # As np.interp: slope × (p − x0) + y0; at or beyond a node, that node's ordinate.
                if point >= x1:
                    result[r, column] = y1
                elif point <= x0:
                    result[r, column] = y0
                else:
                    result[r, column] = (y1 - y0) / (x1 - x0) * (point - x0) + y0
        return result


def gathered_rows(source: RowSource, start: int, stop: int) -> FloatArray:
    """The weights of sets ``start … stop − 1`` at the source's observations, one row per set ((stop − start) × m),
    each row equal to ``source.row(r)``: gathered as a block for the storage forms of ``replicates.py``, else row
    by row."""
    if isinstance(source, _FactorRows):
        return source.factors[start:stop].take(source.psu, axis=1) * source.weights
    if isinstance(source, _DenseRows):
        return source.matrix[start:stop].take(source.indices, axis=1)
    if isinstance(source, _ScaledDenseRows):
        return source.matrix[start:stop].take(source.indices, axis=1) * source.scale
    if isinstance(source, _FixedRows):
        return source.weights[None, :][start:stop]
    return np.stack([source.row(r) for r in range(start, stop)])


def evaluate_members(order: _Sorted, weights: WeightSet, requested: BlockMember,
                     block_values: int = BLOCK_VALUES, threads: int | None = None) -> FloatArray:
    """``requested`` under ``weights`` (k,), computed in one pass over the blocks together with the other members
    of ``order`` that have no result for ``weights`` yet; their results are left in their caches (as
    ``batched.prefetch_totals`` does for totals), so evaluating them next costs nothing.

    Members that need something first (a poverty line per replicate: ``_needs_preparation``) are prepared before
    the pass: a line estimated on other values comes from that order's pass, so one pass serves them all; a line
    estimated on these same values starts a nested pass (the statistics that need nothing), and the poverty
    measures then share a second one. Blocks run on
    ``threads`` threads (default ``weightsets.default_threads()``; numpy releases the GIL in the gathers,
    cumulative sums and products), each block of ``block_values / threads`` weights so that memory stays
    bounded; results never depend on the number of threads or the block size.
    """
    # Prepare first (the lines of the poverty measures), so that one pass can then serve every member. A line
    # estimated on these same values starts a nested pass (the free members only: preparing dependents only at
    # the top level bounds the nesting to one), which leaves them computed.
    top_level = not order.busy
    candidates = [requested, *(m for m in list(order.members) if m is not requested)]
    prepared: dict[int, Any] = {}
    for member in candidates:
        if member._needs_preparation and (top_level or member is requested) and id(member) not in order.busy \
                and not _cached(member, weights):
            prepared[id(member)] = _prepared(order, member, weights)
    members = [m for m in candidates if not _cached(m, weights) and id(m) not in order.busy
               and (not m._needs_preparation or id(m) in prepared)]
    contexts = [prepared.get(id(m)) for m in members]
    results = [np.empty(weights.n_sets) for _ in members]
    source = weights.at(order.indices)
    count = default_threads() if threads is None else max(1, threads)
    step = max(1, block_values // count // max(order.values.size, 1))
    starts = range(0, source.n_sets, step)

    def run(start: int) -> None:
        block = SortedBlock(order.values, gathered_rows(source, start, min(start + step, source.n_sets)), start)
        with np.errstate(divide="ignore", invalid="ignore"):
            for member, context, result in zip(members, contexts, results):
                result[start:start + block.size] = member._of_block(block, context)

    if not members:
        starts = range(0)
    if count == 1 or len(starts) == 1:
        for start in starts:
            run(start)
    else:
        with ThreadPoolExecutor(max_workers=count) as pool:
            list(pool.map(run, starts))
    for member, result in zip(members, results):
        if member is not requested:
            result.flags.writeable = False
            member._cache = ((weights, result), *member._cache[: member._CACHE_SIZE - 1])  # type: ignore[attr-defined]
    if members and members[0] is requested:
        return results[0]
    # A nested pass (started while a line was prepared) computed the requested statistic.
    return next(result for held, result in requested._cache if held is weights)  # type: ignore[attr-defined]


def _cached(member: BlockMember, weights: WeightSet) -> bool:
    return any(held is weights for held, _ in member._cache)  # type: ignore[attr-defined]


def _prepared(order: _Sorted, member: BlockMember, weights: WeightSet) -> Any:
    """``member._prepare(weights)``, with the member marked busy meanwhile so that a pass its preparation starts
    on the same order leaves it out (no recursion)."""
    order.busy.add(id(member))
    try:
        return member._prepare(weights)
    finally:
        order.busy.discard(id(member))
