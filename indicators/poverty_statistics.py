"""Poverty estimators of a domain: Foster–Greer–Thorbecke P_α and the Watts index, with a fixed line or a line
estimated from the sample (``RelativeLine``) and re-estimated in every replicate.

Linearised variables: see ``indicators/statistics.py`` (Berger & Skinner 2003; Osier 2009).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _density_at, _domain, _in_domain, _Sorted
from ._validation import FloatArray, as_float_array, as_line, as_parameter
from .design import SurveyDesign
from .errors import IndicatorError
from .estimator import Statistic, _dot, _OfValues
from .linear_statistics import Mean, Total
from .weightsets import WeightSet, map_rows


class _LineStatistic(_OfValues):
    """A poverty measure of a domain: with a fixed line, the mean ``_fixed`` of per-observation terms; with an
    estimated line (``line``, one per weight set), Σ over the observations below each weight set's line of
    ``_sum_below``, divided by the domain's weighted size ``_size``."""

    _fixed: Mean | None
    line: Statistic | None
    _sorted: _Sorted
    _size: Total

    @abstractmethod
    def _sum_below(self, w: FloatArray, k: int, z: float) -> float:
        """The weighted sum of the terms of the k observations below the line z (``w``: their weights)."""

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.evaluate(weights)
        assert self.line is not None
        lines = self.line.evaluate(weights)
        s = self._sorted
        below = np.searchsorted(s.values, lines, side="left")  # y < z strictly, as in fgt()
        widest = int(below.max())

        def one(w: FloatArray, r: int) -> float:
            k = int(below[r])
            return self._sum_below(w[:k], k, lines[r])

        # Only the poorest `widest` observations can be below any replicate's line: gather just those.
        sums = map_rows(weights.at(s.indices[:widest]), one) if widest > 0 else np.zeros(weights.n_sets)
        return sums / self._size.evaluate(weights)


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
            self._sorted = _Sorted(y, self._mask)
            self._size = Total(np.ones(y.size), self._mask)
            self._fixed = None
        else:
            self._fixed = Mean(_fgt_terms(y, as_line(line, y.size), self.alpha), self._mask)

    def _sum_below(self, w: FloatArray, k: int, z: float) -> float:
        """Σ w_i g_i over the k poorest observations (those below the line z)."""
        if self.alpha == 0.0:
            return float(w.sum())
        gap = (z - self._sorted.values[:k]) / z
        alpha = self.alpha
        terms = gap if alpha == 1.0 else gap * gap if alpha == 2.0 else gap**alpha
        return _dot(w, terms)

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
            self._sorted = _Sorted(y, self._mask)
            self._size = Total(np.ones(y.size), self._mask)
            self._log_sorted = self._log_y[self._sorted.indices]

    def _sum_below(self, w: FloatArray, k: int, z: float) -> float:
        """Σ w_i (ln z − ln y_i) over the k poorest observations (those below the line z)."""
        return float(w.sum() * math.log(z) - _dot(w, self._log_sorted[:k]))

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
