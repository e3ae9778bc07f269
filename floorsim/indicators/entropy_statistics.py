"""The generalised entropy family (Theil) and the Atkinson index as replicable statistics, from weighted sums.

Every member of the family is a function of three weighted sums over the kept observations (x > 0 with
``nonpositive="drop"``): W = Σ w, T = Σ w x and S = Σ w g(x), so all R replicates come from one matrix product of
the replicate weights with an (n × 3) array (``WeightSet.sums``), never one pass over the data per replicate:

    GE(α) = [S_α / (W μ^α) − 1] / (α (α − 1)),  S_α = Σ w x^α,      μ = T / W      (α ∉ {0, 1})
    GE(1) = S_1 / T − ln μ,                      S_1 = Σ w x ln x                  (Theil T)
    GE(0) = ln μ − S_0 / W,                      S_0 = Σ w ln x                    (mean log deviation)
    A(ε)  = 1 − (S / W)^{1/(1−ε)} / μ,           S = Σ w x^{1−ε}                   (ε ≠ 1)
    A(1)  = 1 − exp(S / W) / μ,                  S = Σ w ln x

These are the formulas of ``inequality.generalized_entropy`` and ``inequality.atkinson`` rearranged (equal to
rounding; tested against them). No linearisation here: use replicate weights.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _domain, _in_domain
from ._validation import FloatArray, NonPositivePolicy, as_float_array, as_parameter
from .errors import IndicatorError
from .estimator import _OfValues
from .weightsets import WeightSet


class _PowerSums(_OfValues):
    """W, T and S = Σ w g(x) over a domain's positive observations, for every weight set at once."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None, nonpositive: NonPositivePolicy, label: str,
                 measure: str) -> None:
        x = as_float_array(values, "values")
        mask = _domain(domain, x.size)
        inside = _in_domain(mask, x.size) > 0
        if nonpositive not in ("raise", "drop"):
            raise IndicatorError(f"nonpositive must be 'raise' or 'drop'; got {nonpositive!r}.")
        if nonpositive == "raise" and (x[inside] <= 0).any():
            raise IndicatorError(f"{measure} is undefined for values <= 0; pass nonpositive='drop'.")
        keep = (inside & (x > 0)).astype(np.float64)
        safe = np.where(x > 0, x, 1.0)
        self._y = x
        self._columns = np.column_stack([keep, keep * safe, keep * self._g(safe)])
        self.label = label

    def _g(self, x: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _combine(self, w: FloatArray, t: FloatArray, s: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        sums = np.asarray(weights.sums(self._columns)).reshape(weights.n_sets, 3)
        return self._combine(sums[:, 0], sums[:, 1], sums[:, 2])


class GeneralizedEntropy(_PowerSums):
    """GE(α) of a domain (``inequality.generalized_entropy``); α = 1 is the Theil T index."""

    def __init__(self, values: ArrayLike, alpha: float = 1.0, domain: ArrayLike | None = None,
                 nonpositive: NonPositivePolicy = "drop", label: str = "") -> None:
        self.alpha = as_parameter(alpha, "alpha")
        super().__init__(values, domain, nonpositive, label, f"the generalised entropy index GE({self.alpha:g})")

    def _g(self, x: FloatArray) -> FloatArray:
        if self.alpha == 1.0:
            return x * np.log(x)
        if self.alpha == 0.0:
            return np.log(x)
        return x**self.alpha

    def _combine(self, w: FloatArray, t: FloatArray, s: FloatArray) -> FloatArray:
        mean = t / w
        if self.alpha == 1.0:
            return s / t - np.log(mean)
        if self.alpha == 0.0:
            return np.log(mean) - s / w
        a = self.alpha
        return (s / (w * mean**a) - 1.0) / (a * (a - 1.0))


class Atkinson(_PowerSums):
    """Atkinson index A(ε) of a domain (``inequality.atkinson``)."""

    def __init__(self, values: ArrayLike, epsilon: float = 1.0, domain: ArrayLike | None = None,
                 nonpositive: NonPositivePolicy = "drop", label: str = "") -> None:
        self.epsilon = as_parameter(epsilon, "epsilon", minimum=0.0)
        super().__init__(values, domain, nonpositive, label, f"the Atkinson index A({self.epsilon:g})")

    def _g(self, x: FloatArray) -> FloatArray:
        return np.log(x) if self.epsilon == 1.0 else x ** (1.0 - self.epsilon)

    def _combine(self, w: FloatArray, t: FloatArray, s: FloatArray) -> FloatArray:
        mean = t / w
        if self.epsilon == 1.0:
            return 1.0 - np.exp(s / w) / mean
        return 1.0 - (s / w) ** (1.0 / (1.0 - self.epsilon)) / mean
