"""Poverty estimators of a domain: Foster–Greer–Thorbecke P_α and the Watts index, with a fixed line or a line
estimated from the sample (``RelativeLine``) and re-estimated in every replicate.

Linearised variables: see ``floorsim/indicators/statistics.py`` (Berger & Skinner 2003; Osier 2009).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _density_at, _domain, _in_domain, _Sorted, shared_sorted
from ._validation import FloatArray, as_float_array, as_line, as_parameter
from .design import SurveyDesign
from .errors import IndicatorError
from .estimator import Statistic, _OfValues
from .linear_statistics import Mean, Total
from .sorted_blocks import SortedBlock, evaluate_members
from .weightsets import WeightSet


class _LineStatistic(_OfValues):
    """A poverty measure of a domain: with a fixed line, the mean ``_fixed`` of per-observation terms; with an
    estimated line (``line``, one per weight set), Σ over the observations below each weight set's line of
    ``_sum_below``, divided by the domain's weighted size ``_size``."""

    _fixed: Mean | None
    line: Statistic | None
    _sorted: _Sorted
    _size: Total

    @abstractmethod
    def _terms(self, k: int, lines: FloatArray) -> FloatArray | None:
        """The terms g_i(z_r) of the k poorest observations for each line z_r (len(lines) × k); None: g = 1."""

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.evaluate(weights)
        # One pass over sorted blocks of replicate weights, shared with the other statistics of these values.
        return evaluate_members(self._sorted, weights, self)

    _needs_preparation = True  # the line of every replicate, before the blocks

    def _prepare(self, weights: WeightSet) -> tuple[FloatArray, FloatArray]:
        assert self.line is not None
        return self.line.evaluate(weights), self._size.evaluate(weights)

    def _of_block(self, block: SortedBlock, prepared: tuple[FloatArray, FloatArray]) -> FloatArray:
        lines, sizes = (part[block.start:block.start + block.size] for part in prepared)
        return block.sums_below(lines, self._terms) / sizes


class FGT(_LineStatistic):
    """Foster–Greer–Thorbecke P_α of a domain (``fgt``), with a fixed or an estimated line.

    ``line`` is a number, one number per observation (fixed lines), or a ``Statistic`` giving one line per
    weight set (e.g. ``RelativeLine``), re-estimated in every replicate.
    """

    def __init__(
        self,
        values: ArrayLike,
        line: float | ArrayLike | Statistic,
        alpha: float = 0.0,
        domain: ArrayLike | None = None,
        label: str = "",
    ) -> None:
        y = as_float_array(values, "values")
        self.alpha = as_parameter(alpha, "alpha", minimum=0.0)
        self._y = y
        self._mask = _domain(domain, y.size)
        self.label = label
        self.line: Statistic | None = None
        if isinstance(line, Statistic):
            if line.n != y.size:
                raise IndicatorError("the line statistic is defined on a different number of observations.")
            self.line = line
            self._sorted = shared_sorted(y, self._mask)
            self._sorted.members.add(self)
            self._size = Total(np.ones(y.size), self._mask)
            self._fixed = None
        else:
            self._fixed = Mean(_fgt_terms(y, as_line(line, y.size), self.alpha), self._mask)

    def _terms(self, k: int, lines: FloatArray) -> FloatArray | None:
        """g_i = ((z − y_i) / z)^α over the k poorest observations (None for α = 0: the headcount)."""
        if self.alpha == 0.0:
            return None
        z = lines[:, None]
        gap = (z - self._sorted.values[None, :k]) / z
        alpha = self.alpha
        return gap if alpha == 1.0 else gap * gap if alpha == 2.0 else gap**alpha

    def _influence(self, design: SurveyDesign) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.influence(design)
        assert self.line is not None
        z_line = self.line.value(design)
        mask = _in_domain(self._mask, self.n)
        n_w = design.weights @ mask
        terms = _fgt_terms(self._y, z_line, self.alpha)
        p_alpha = design.weights @ (terms * mask) / n_w
        if self.alpha == 0.0:
            s = self._sorted
            slope = _density_at(s.values, design.weights[s.indices], z_line)
        elif self.alpha >= 1.0:
            p_lower = design.weights @ (_fgt_terms(self._y, z_line, self.alpha - 1.0) * mask) / n_w
            slope = self.alpha / z_line * (p_lower - p_alpha)
        else:
            raise IndicatorError("FGT with an estimated line is linearised for alpha = 0 or alpha >= 1 only.")
        return mask * (terms - p_alpha) / n_w + slope * self.line.influence(design)


def _fgt_terms(y: FloatArray, line: float | FloatArray, alpha: float) -> FloatArray:
    """g_i = 1[y_i < z_i] ((z_i − y_i) / z_i)^α, with the poor counting 1 each when α = 0."""
    poor = y < line
    if alpha == 0.0:
        return poor.astype(np.float64)
    return np.where(poor, (line - y) / line, 0.0) ** alpha


class Watts(_LineStatistic):
    """Watts index of a domain (``watts``), with a fixed or an estimated line.

    ``nonpositive`` as in ``watts``: ``"raise"`` refuses values <= 0 in the domain, ``"drop"`` removes them
    from the domain (numerator and denominator).
    """

    def __init__(
        self,
        values: ArrayLike,
        line: float | ArrayLike | Statistic,
        domain: ArrayLike | None = None,
        nonpositive: Literal["raise", "drop"] = "raise",
        label: str = "",
    ) -> None:
        y = as_float_array(values, "values")
        mask = _domain(domain, y.size)
        inside = np.ones(y.size, dtype=bool) if mask is None else mask
        if nonpositive not in ("raise", "drop"):
            raise IndicatorError(f"nonpositive must be 'raise' or 'drop'; got {nonpositive!r}.")
        bad = inside & (y <= 0)
        if bad.any() and nonpositive == "raise":
            raise IndicatorError(
                f"the Watts index is undefined for values <= 0, and {int(bad.sum())} values in the domain are <= 0; "
                "pass nonpositive='drop' to leave them out of the population."
            )
        self._mask = inside & (y > 0)
        self._y = y
        self.label = label
        safe = np.where(self._mask, y, 1.0)
        self._log_y = np.log(safe)
        self.line: Statistic | None = line if isinstance(line, Statistic) else None
        if self.line is None:
            z = as_line(line, y.size)  # type: ignore[arg-type]
            self._fixed = Mean(np.where(safe < z, np.log(z / safe), 0.0), self._mask)
        else:
            self._fixed = None
            self._sorted = shared_sorted(y, self._mask)
            self._sorted.members.add(self)
            self._size = Total(np.ones(y.size), self._mask)
            self._log_sorted = self._log_y[self._sorted.indices]

    def _terms(self, k: int, lines: FloatArray) -> FloatArray:
        """ln z − ln y_i over the k poorest observations (those below the line z)."""
        return np.log(lines)[:, None] - self._log_sorted[None, :k]

    def _influence(self, design: SurveyDesign) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.influence(design)
        assert self.line is not None
        z_line = self.line.value(design)
        mask = self._mask.astype(np.float64)
        n_w = design.weights @ mask
        poor = (self._y < z_line) & self._mask
        terms = np.where(poor, math.log(z_line) - self._log_y, 0.0)
        index = design.weights @ terms / n_w
        headcount = design.weights @ poor / n_w
        return mask * (terms - index) / n_w + headcount / z_line * self.line.influence(design)
