"""Linear estimators and ratios of them: totals, ratios of totals, means and proportions of a domain.

Linearised variables (N = Σ_d w, 1_d the domain indicator): total of y: z = 1_d y; ratio Σ w y / Σ w x = R:
z = 1_d (y − R x) / X; mean: z = 1_d (y − ȳ) / N (see ``floorsim/indicators/statistics.py``).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _domain, _in_domain
from ._validation import FloatArray, as_float_array
from .design import SurveyDesign
from .errors import IndicatorError
from .estimator import Quotient, _OfValues
from .weightsets import WeightSet


class Total(_OfValues):
    """Population total Σ_i w_i 1_d(i) y_i (the cost of a programme, the number of beneficiaries)."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        self._mask = _domain(domain, y.size)
        if self._mask is None:
            # the values themselves, read-only, not a copy: a report holds dozens of totals of the frame's length
            # (at 1.8 million households, 15 MB each); the caller must not change them while the total is in use
            self._y = y.view()
            self._y.flags.writeable = False
        else:
            self._y = y * _in_domain(self._mask, y.size)
        self.label = label

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return weights.sums(self._y)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        return self._y


class Ratio(Quotient):
    """Ratio of totals Σ w 1_d y / Σ w 1_d x (e.g. adequacy: benefits over beneficiaries' welfare)."""

    def __init__(self, numerator: ArrayLike, denominator: ArrayLike, domain: ArrayLike | None = None, label: str = ""):
        super().__init__(Total(numerator, domain), Total(denominator, domain), label)


class Mean(Quotient):
    """Weighted mean Σ w 1_d y / Σ w 1_d of a domain (mean welfare, mean gain of a decile)."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        super().__init__(Total(y, domain), Total(_ones(y.size), domain), label)


@functools.lru_cache(maxsize=4)
def _ones(n: int) -> FloatArray:
    """n ones, read-only and shared by every mean of n observations (the denominators' values)."""
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


class Proportion(Mean):
    """Share of the domain meeting a condition (coverage, headcount with a fixed line, winners)."""

    def __init__(self, condition: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        flags = np.asarray(condition)
        if flags.dtype != np.bool_:
            numbers = as_float_array(flags, "condition")
            if not np.isin(numbers, (0.0, 1.0)).all():
                raise IndicatorError("condition must be boolean (or 0/1).")
            flags = numbers == 1.0
        super().__init__(flags.astype(np.float64), domain, label)
