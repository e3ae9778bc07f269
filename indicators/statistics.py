"""Estimators for design-based inference: evaluated under any weight set, and linearised where possible.

Each ``Statistic`` is built from the data (values, a line, a domain) and then

* ``evaluate(weight_set)`` returns its value under each of k weight sets (the full sample, or R replicates,
  see ``weightsets.py``): this is how replicate variances are computed without re-running anything;
* ``influence(design)`` returns its linearised variable z_i (θ̂ − θ ≈ Σ_i w_i z_i, i.e. z_i = ∂θ̂/∂w_i), from
  which ``linearization.linearized_variance`` gives the Taylor variance;
* ``value(weights)`` is the plain full-sample estimate; it equals the corresponding function of
  ``indicators`` (``fgt``, ``gini``, ``weighted_quantile`` ...) on the same data.

Statistics compose: ``a - b`` is a ``Difference`` (a reform-minus-baseline change on the same sample, whose
replicates and linearised variable are the differences of the two, so the covariance between scenarios is
accounted for), ``a / b`` a ``Quotient`` and ``c * a`` a ``Scaled`` statistic.

**Domains** (population groups: a region, a decile, women) are given as a boolean array; the estimator is then
computed over the domain's observations only, and in replicates the domain's size is re-estimated too (domain
estimation, Särndal, Swensson & Wretman 1992 §10.3), so the SE of a group's rate is right even though the
number of sampled group members is random.

Linearised variables used here (N = Σ_d w, the domain's weighted size; 1_d the domain indicator):

* total of y: z = 1_d y;  ratio Σ w y / Σ w x = R: z = 1_d (y − R x) / X;  mean: z = 1_d (y − ȳ) / N;
* FGT with a fixed line: a mean of g_i = 1[y_i < z_i] ((z_i − y_i)/z_i)^α;
* FGT with an estimated line ẑ: z = 1_d (g_i − P_α) / N + (∂P_α/∂z) z_line(i), with ∂P_α/∂z = f(z) (density
  of y in the domain at z) for α = 0 and (α / z)(P_{α−1} − P_α) for α >= 1 (Berger & Skinner 2003; Osier 2009);
* quantile Q_q: z = −1_d (1[y ≤ Q_q] − q) / (N f(Q_q)) (Francisco & Fuller 1991; Deville 1999);
* Gini (Eurostat formula, midpoint ranks F_i, T = Σ w y, μ = T / N, G the estimate):
  z = 1_d [2 F_i y_i + 2 U_i / N − (G + 1)(y_i + μ)] / T, with U_i = Σ_{y_j > y_i} w_j y_j + ½ Σ_{y_j = y_i} w_j y_j
  (derived in docs/indicators.md; cf. Binder & Kovacevic 1995, Langel & Tillé 2013);
* Watts with a fixed line: a mean; with an estimated line, ∂W/∂z = P_0 / z.

Densities f are Gaussian kernel estimates over the domain with Silverman's rule-of-thumb bandwidth
h = 0.9 min(σ̂, IQR/1.34) n^(−1/5) (Silverman 1986, eq. 3.31), σ̂ and IQR weighted, n the number of sampled
observations.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray, as_float_array, as_line, as_parameter, values_and_weights
from .design import SurveyDesign
from .errors import IndicatorError
from .quantiles import weighted_quantile
from .weightsets import FullSample, IntArray, WeightSet, map_rows

_HIT_TOLERANCE = 1e-12  # as in quantiles.py: relative tolerance of an exact hit of q W


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


# --- helpers ------------------------------------------------------------------------------------------------


def _domain(domain: ArrayLike | None, n: int) -> np.ndarray | None:
    """The domain as a boolean array of length n (None: everybody)."""
    if domain is None:
        return None
    mask = np.asarray(domain)
    if mask.dtype != np.bool_:
        raise IndicatorError("domain must be a boolean array (True for the observations in the group).")
    if mask.shape != (n,):
        raise IndicatorError(f"domain must have one entry per observation ({n}); got shape {mask.shape}.")
    return mask


def _in_domain(mask: np.ndarray | None, n: int) -> FloatArray:
    return np.ones(n) if mask is None else mask.astype(np.float64)


class _Sorted:
    """The domain's observations sorted by value (stable), computed once per statistic."""

    def __init__(self, values: FloatArray, mask: np.ndarray | None) -> None:
        idx = np.arange(values.size) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            raise IndicatorError("the domain is empty: no observation belongs to it.")
        order = np.argsort(values[idx], kind="stable")
        self.indices: IntArray = idx[order].astype(np.int64)
        self.values: FloatArray = values[self.indices]


def _quantile_of_sorted(x: FloatArray, w: FloatArray, q: float) -> float:
    """Eurostat weighted quantile (as ``weighted_quantile``) of sorted x with weights w that may contain zeros.

    Zero weights (PSUs not drawn in a replicate) are skipped through the cumulative sums: the first positive
    weight is the first index where C > 0, and the value following an exact hit is the first index where C
    increases again.
    """
    cumulative = np.cumsum(w)
    total = cumulative[-1]
    if not total > 0:
        return math.nan
    first = int(np.searchsorted(cumulative, 0.0, side="right"))
    if q == 0.0:
        return float(x[first])
    if q == 1.0:
        return float(x[np.flatnonzero(w > 0)[-1]])
    target, tolerance = q * total, _HIT_TOLERANCE * total
    k = min(max(int(np.searchsorted(cumulative, target - tolerance, side="left")), first), x.size - 1)
    if abs(cumulative[k] - target) <= tolerance:
        following = int(np.searchsorted(cumulative, cumulative[k], side="right"))
        return float((x[k] + x[following if following < x.size else k]) / 2.0)
    return float(x[k])


def _density_at(values: FloatArray, weights: FloatArray, at: float) -> float:
    """Weighted Gaussian kernel density of ``values`` at ``at``, Silverman's rule-of-thumb bandwidth."""
    total = weights.sum()
    mean = weights @ values / total
    sd = math.sqrt(max(weights @ (values - mean) ** 2 / total, 0.0))
    q25, q75 = weighted_quantile(values, weights, [0.25, 0.75])
    spread = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    if not spread > 0:
        raise IndicatorError("cannot estimate a density for the linearisation: the values do not vary.")
    h = 0.9 * spread * np.count_nonzero(weights > 0) ** (-0.2)
    u = (at - values) / h
    return float(weights @ np.exp(-0.5 * u * u) / (total * h * math.sqrt(2.0 * math.pi)))


# --- linear statistics ----------------------------------------------------------------------------------------


class Total(Statistic):
    """Population total Σ_i w_i 1_d(i) y_i (the cost of a programme, the number of beneficiaries)."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        self._mask = _domain(domain, y.size)
        self._y = y * _in_domain(self._mask, y.size)
        self.label = label

    @property
    def n(self) -> int:
        return int(self._y.size)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return weights.sums(self._y)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        return self._y


class Quotient(Statistic):
    """Ratio a / b of two statistics (replicate by replicate); z = (z_a − θ z_b) / b̂."""

    def __init__(self, numerator: Statistic, denominator: Statistic, label: str = "") -> None:
        if numerator.n != denominator.n:
            raise IndicatorError("numerator and denominator are defined on different numbers of observations.")
        self.numerator, self.denominator = numerator, denominator
        self.label = label

    @property
    def n(self) -> int:
        return self.numerator.n

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return self.numerator.evaluate(weights) / self.denominator.evaluate(weights)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        a = self.numerator.value(design)
        b = self.denominator.value(design)
        if b == 0:  # an empty domain (e.g. a decile with nobody in a small sample): the ratio is undefined
            return np.full(self.n, np.nan)
        return (self.numerator.influence(design) - (a / b) * self.denominator.influence(design)) / b


class Ratio(Quotient):
    """Ratio of totals Σ w 1_d y / Σ w 1_d x (e.g. adequacy: benefits over beneficiaries' welfare)."""

    def __init__(self, numerator: ArrayLike, denominator: ArrayLike, domain: ArrayLike | None = None, label: str = ""):
        super().__init__(Total(numerator, domain), Total(denominator, domain), label)


class Mean(Quotient):
    """Weighted mean Σ w 1_d y / Σ w 1_d of a domain (mean welfare, mean gain of a decile)."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        super().__init__(Total(y, domain), Total(np.ones(y.size), domain), label)


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


class Difference(Statistic):
    """a − b on the same sample (e.g. reform minus baseline); replicates and z are differenced pairwise."""

    def __init__(self, a: Statistic, b: Statistic, label: str = "") -> None:
        if a.n != b.n:
            raise IndicatorError("the two statistics of a difference are defined on different numbers of observations.")
        self.a, self.b = a, b
        self.label = label

    @property
    def n(self) -> int:
        return self.a.n

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


# --- rank-based statistics ------------------------------------------------------------------------------------


class Quantile(Statistic):
    """Eurostat weighted quantile Q_q of a domain (``weighted_quantile``), re-estimated in every replicate."""

    def __init__(self, values: ArrayLike, q: float, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        self.q = as_parameter(q, "q", minimum=0.0)
        if self.q > 1.0:
            raise IndicatorError(f"q must lie in [0, 1]; got {self.q}.")
        self._y = y
        self._mask = _domain(domain, y.size)
        self._sorted = _Sorted(y, self._mask)
        self.label = label

    @property
    def n(self) -> int:
        return int(self._y.size)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        s = self._sorted
        return map_rows(weights.at(s.indices), lambda w, r: _quantile_of_sorted(s.values, w, self.q))

    def _influence(self, design: SurveyDesign) -> FloatArray:
        s = self._sorted
        w = design.weights[s.indices]
        quantile = self.value(design)
        density = _density_at(s.values, w, quantile)
        z = np.zeros(self.n)
        z[s.indices] = -((s.values <= quantile).astype(np.float64) - self.q) / (w.sum() * density)
        return z


class RelativeLine(Scaled):
    """A relative poverty line: ``share`` × the weighted median (or mean) of ``values`` over ``domain``.

    Used as the ``line`` of ``FGT`` / ``Watts`` it is re-estimated in every replicate, so the SE includes the
    sampling error of the line itself. To hold a line "fixed at the baseline", build it on the baseline
    welfare and use the same object for every scenario.
    """

    def __init__(
        self,
        values: ArrayLike,
        share: float = 0.6,
        statistic: Literal["median", "mean"] = "median",
        domain: ArrayLike | None = None,
        label: str = "",
    ) -> None:
        if statistic == "median":
            inner: Statistic = Quantile(values, 0.5, domain)
        elif statistic == "mean":
            inner = Mean(values, domain)
        else:
            raise IndicatorError(f"statistic must be 'median' or 'mean'; got {statistic!r}.")
        super().__init__(inner, as_parameter(share, "share", minimum=0.0), label or f"{share:g} x {statistic}")


class Gini(Statistic):
    """Gini coefficient, Eurostat formula (``gini``), of a domain."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        self._y = y
        self._mask = _domain(domain, y.size)
        self._sorted = _Sorted(y, self._mask)
        self.label = label

    @property
    def n(self) -> int:
        return int(self._y.size)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        x = self._sorted.values

        def one(w: FloatArray, r: int) -> float:
            # Σ w x (2C − w − W) / (W T), expanded into dot products so no n-sized temporaries pile up.
            cumulative = np.cumsum(w)
            total_weight = cumulative[-1]
            wx = w * x
            total = wx.sum()
            return float((2.0 * _dot(wx, cumulative) - _dot(wx, w) - total_weight * total) / (total_weight * total))

        return map_rows(weights.at(self._sorted.indices), one)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        s = self._sorted
        x, w = s.values, design.weights[s.indices]
        n_w, total = w.sum(), w @ x
        mean, g = total / n_w, self.value(design)
        # Tie groups (x is sorted, so each group is a run): midpoint rank F and the "upper" total U.
        _, group = np.unique(x, return_inverse=True)
        group_w = np.bincount(group, weights=w)
        group_wx = np.bincount(group, weights=w * x)
        rank = ((np.cumsum(group_w) - group_w / 2.0) / n_w)[group]
        upper = (total - np.cumsum(group_wx) + group_wx / 2.0)[group]
        z = np.zeros(self.n)
        z[s.indices] = (2.0 * rank * x + 2.0 * upper / n_w - (g + 1.0) * (x + mean)) / total
        return z


# --- poverty -------------------------------------------------------------------------------------------------


class FGT(Statistic):
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
            self._fixed: Mean | None = None
        else:
            self._fixed = Mean(_fgt_terms(y, as_line(line, y.size), self.alpha), self._mask)

    @property
    def n(self) -> int:
        return int(self._y.size)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.evaluate(weights)
        assert self.line is not None
        lines = self.line.evaluate(weights)
        s = self._sorted
        below = np.searchsorted(s.values, lines, side="left")  # y < z strictly, as in fgt()
        widest = int(below.max())
        alpha = self.alpha

        def one(w: FloatArray, r: int) -> float:
            k, z = int(below[r]), lines[r]
            if alpha == 0.0:
                return float(w[:k].sum())
            gap = (z - s.values[:k]) / z
            terms = gap if alpha == 1.0 else gap * gap if alpha == 2.0 else gap**alpha
            return _dot(w[:k], terms)

        # Only the poorest `widest` observations can be below any replicate's line: gather just those.
        sums = map_rows(weights.at(s.indices[:widest]), one) if widest > 0 else np.zeros(weights.n_sets)
        return sums / self._size.evaluate(weights)

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


class Watts(Statistic):
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
            self._fixed: Mean | None = Mean(np.where(safe < z, np.log(z / safe), 0.0), self._mask)
        else:
            self._fixed = None
            self._sorted = _Sorted(y, self._mask)
            self._size = Total(np.ones(y.size), self._mask)

    @property
    def n(self) -> int:
        return int(self._y.size)

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        if self._fixed is not None:
            return self._fixed.evaluate(weights)
        assert self.line is not None
        lines = self.line.evaluate(weights)
        s = self._sorted
        log_sorted = self._log_y[s.indices]
        below = np.searchsorted(s.values, lines, side="left")
        widest = int(below.max())

        def one(w: FloatArray, r: int) -> float:
            k = int(below[r])
            return float(w[:k].sum() * math.log(lines[r]) - _dot(w[:k], log_sorted[:k]))

        sums = map_rows(weights.at(s.indices[:widest]), one) if widest > 0 else np.zeros(weights.n_sets)
        return sums / self._size.evaluate(weights)

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


# --- anything else --------------------------------------------------------------------------------------------


class Generic(Statistic):
    """Any indicator ``function(*arrays, weights) -> float`` (Atkinson, Palma, Theil ...), one replicate at a time.

    The arrays are restricted to the domain; replicate weights may contain zeros (PSUs not drawn), which every
    function of ``indicators`` accepts. No linearisation: use replicate weights.
    """

    def __init__(
        self,
        function: Callable[..., float],
        *arrays: ArrayLike,
        domain: ArrayLike | None = None,
        label: str = "",
        **keywords: Any,
    ) -> None:
        if not arrays:
            raise IndicatorError("Generic needs at least one data array.")
        data = [np.asarray(a) for a in arrays]
        n = data[0].shape[0]
        if any(a.shape[0] != n for a in data):
            raise IndicatorError("all arrays of a Generic statistic must have one entry per observation.")
        mask = _domain(domain, n)
        self._indices = np.arange(n) if mask is None else np.flatnonzero(mask)
        self._data = [a[self._indices] for a in data]
        self._n = n
        self.function, self.keywords = function, keywords
        self.label = label or getattr(function, "__name__", "")

    @property
    def n(self) -> int:
        return self._n

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        def one(w: FloatArray, r: int) -> float:
            try:
                return float(self.function(*self._data, w, **self.keywords))
            except IndicatorError:
                # A replicate can leave a small domain without weight: its estimate is undefined.
                return math.nan

        return map_rows(weights.at(self._indices), one)
