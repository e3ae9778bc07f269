"""The ``Statistic`` base class and its algebra: differences, quotients and multiples of statistics.

A ``Statistic`` is evaluated under k weight sets at once (``evaluate``) and linearised (``influence``); see
``floorsim/indicators/statistics.py`` for the formulas of every estimator. Combining two statistics on the same sample
(``a - b``, ``a / b``) combines them replicate by replicate, so their covariance is accounted for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray, as_parameter, values_and_weights
from .design import SurveyDesign
from .errors import IndicatorError
from .weightsets import FullSample, WeightSet


def _dot(a: FloatArray, b: FloatArray) -> float:
    """Σ a_i b_i without BLAS: in per-replicate loops that already run on several threads, BLAS's own threads
    oversubscribe the cores (measured: 30× slower on a busy 2-core machine); einsum is as fast single-threaded."""
    return float(np.einsum("i,i->", a, b))


class Statistic(ABC):
    """An estimator that can be evaluated under k weight sets at once (see the module docstring)."""

    label: str = ""
    # The last few (weight set, result) pairs: a line shared by several FGTs, or a statistic used both as a level
    # and inside a difference, is evaluated once per weight set. Keyed by identity, never by value.
    _cache: tuple[tuple[object, FloatArray], ...] = ()
    _CACHE_SIZE = 4
    _influence_cache: tuple[object, FloatArray] | None = None

    def evaluate(self, weights: WeightSet) -> FloatArray:
        """The estimate under each weight set: an array of shape (k,)."""
        for held, result in self._cache:
            if held is weights:
                return result
        if weights.n != self.n:
            raise IndicatorError(
                f"{self.label or type(self).__name__}: the data have {self.n} observations but the weights {weights.n}."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.asarray(self._evaluate(weights), dtype=np.float64).reshape(weights.n_sets)
        result.flags.writeable = False  # shared through the cache: nobody may change it in place
        self._cache = ((weights, result), *self._cache[: self._CACHE_SIZE - 1])
        return result

    def value(self, weights: ArrayLike | WeightSet | SurveyDesign) -> float:
        """The full-sample estimate with ``weights`` (an array, a design or a weight set of one)."""
        if isinstance(weights, SurveyDesign):
            return float(self.evaluate(weights.full_sample)[0])
        if hasattr(weights, "sums"):
            return float(self.evaluate(weights)[0])  # type: ignore[arg-type]
        _, w = values_and_weights(np.zeros(self.n), weights)
        return float(self.evaluate(FullSample(w))[0])

    @property
    @abstractmethod
    def n(self) -> int:
        """Number of observations the statistic is defined on."""

    @abstractmethod
    def _evaluate(self, weights: WeightSet) -> FloatArray: ...

    def influence(self, design: SurveyDesign) -> FloatArray:
        """Linearised variable z_i (n,) such that θ̂ − θ ≈ Σ_i w_i z_i (computed once per design)."""
        held = self._influence_cache
        if held is not None and held[0] is design:
            return held[1]
        z = np.asarray(self._influence(design), dtype=np.float64)
        z.flags.writeable = False
        self._influence_cache = (design, z)
        return z

    def _influence(self, design: SurveyDesign) -> FloatArray:
        raise IndicatorError(
            f"{type(self).__name__} has no linearisation here; estimate its variance with replicate weights "
            "(rao_wu_bootstrap, jackknife or the survey's own)."
        )

    def __sub__(self, other: Statistic) -> Difference:
        return Difference(self, other)

    def __truediv__(self, other: Statistic) -> Quotient:
        return Quotient(self, other)

    def __mul__(self, factor: float) -> Scaled:
        return Scaled(self, factor)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r})" if self.label else f"{type(self).__name__}()"


class _OfValues(Statistic):
    """A statistic of one array of values ``_y`` (one entry per observation)."""

    _y: FloatArray

    @property
    def n(self) -> int:
        return int(self._y.size)


class _Pair(Statistic):
    """Two statistics defined on the same observations, combined replicate by replicate (``a - b``, ``a / b``).

    ``what`` names the pair in the error raised when the two are defined on different numbers of observations.
    """

    def __init__(self, first: Statistic, second: Statistic, label: str, what: str) -> None:
        if first.n != second.n:
            raise IndicatorError(f"{what} are defined on different numbers of observations.")
        self._first = first
        self.label = label

    @property
    def n(self) -> int:
        return self._first.n


class Quotient(_Pair):
    """Ratio a / b of two statistics (replicate by replicate); z = (z_a − θ z_b) / b̂."""

    def __init__(self, numerator: Statistic, denominator: Statistic, label: str = "") -> None:
        super().__init__(numerator, denominator, label, "numerator and denominator")
        self.numerator, self.denominator = numerator, denominator

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return self.numerator.evaluate(weights) / self.denominator.evaluate(weights)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        a = self.numerator.value(design)
        b = self.denominator.value(design)
        if b == 0:  # an empty domain (e.g. a decile with nobody in a small sample): the ratio is undefined
            return np.full(self.n, np.nan)
        return (self.numerator.influence(design) - (a / b) * self.denominator.influence(design)) / b


class Difference(_Pair):
    """a − b on the same sample (e.g. reform minus baseline); replicates and z are differenced pairwise."""

    def __init__(self, a: Statistic, b: Statistic, label: str = "") -> None:
        super().__init__(a, b, label, "the two statistics of a difference")
        self.a, self.b = a, b

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return self.a.evaluate(weights) - self.b.evaluate(weights)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        return self.a.influence(design) - self.b.influence(design)


class Scaled(Statistic):
    """c × a for a constant c (e.g. a line at 60 % of the median, a rate × 100)."""

    def __init__(self, statistic: Statistic, factor: float, label: str = "") -> None:
        self.statistic = statistic
        self.factor = as_parameter(factor, "factor")
        self.label = label

    @property
    def n(self) -> int:
        return self.statistic.n

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return self.factor * self.statistic.evaluate(weights)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        return self.factor * self.statistic.influence(design)
