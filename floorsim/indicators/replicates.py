"""Replicate weights: the Rao–Wu rescaling bootstrap, the jackknife, BRR, and replicate weights shipped with a survey.

A replicate method re-weights the *existing* sample R times; an estimator is recomputed with each set of
replicate weights, and the spread of the R replicate estimates θ_r around the full-sample estimate θ̂ gives its
variance:

    v(θ̂) = c · Σ_r c_r (θ_r − θ̄)²,    θ̄ = θ̂ (``mse=True``, the default) or the mean of the θ_r (``mse=False``).

=============  ==============================  =========================================================
method         replicate weights               c, c_r
=============  ==============================  =========================================================
bootstrap      Rao–Wu rescaling (see below)    c = 1/R, c_r = 1 (Rao, Wu & Yue 1992)
JK1            drop one PSU, others × n/(n−1)  c = (R−1)/R, c_r = 1 (unstratified delete-one jackknife)
JKn            drop PSU j of stratum h, the    c = 1, c_r = (n_h − 1)/n_h (Wolter 2007, §4.5)
               other PSUs of h × n_h/(n_h−1)
BRR            half-samples from a Hadamard    c = 1/R, c_r = 1 (McCarthy 1969; Wolter 2007, ch. 3)
               matrix, chosen PSU × 2
Fay            as BRR, chosen PSU × (2 − ρ),   c = 1/(R (1 − ρ)²), c_r = 1 (Judkins 1990)
               the other × ρ
=============  ==============================  =========================================================

**Rao–Wu rescaling bootstrap** (Rao & Wu 1988; Rao, Wu & Yue 1992), with m_h = n_h − 1: in each stratum h with
n_h PSUs, draw n_h − 1 PSUs with replacement (independently across strata and replicates); PSU j drawn
m*_hj times gets the factor (n_h / (n_h − 1)) · m*_hj, and every observation in it the replicate weight
w_i × factor. (With m_h = n_h − 1 the general Rao–Wu factor 1 − λ_h + λ_h (n_h/m_h) m*_hj has λ_h = 1.) PSUs of
certainty strata (see ``SurveyDesign``) keep the factor 1.

Storage: replicates generated from a design are kept as a PSU-level factor matrix F (R × P) with the PSU of each
observation, so replicate weight w_ri = w_i F[r, psu(i)] is never materialised for all (r, i) at once: weighted
sums become a matrix product F @ t over PSU totals t_j = Σ_{i in j} w_i x_i (``sums``), and estimators that need
per-observation weights (quantiles, Gini) take them one replicate at a time (``at(indices).row(r)``). Replicate
weights shipped with a survey, and replicates re-calibrated to the survey's margins (``recalibration.py``), are kept
as a dense (R × n) matrix and used the same way.

Seeds: the bootstrap draws come from ``numpy.random.Generator(PCG64(seed))`` in a fixed order (replicate by
replicate, strata in sorted order), so the same seed, design and numpy version give the same replicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray, as_float_array
from .design import IntArray, SurveyDesign, group_firsts, psu_sums
from .errors import IndicatorError
from .weightsets import FullSample, RowSource

ReplicateMethod = Literal["bootstrap", "JK1", "JKn", "BRR", "Fay"]


@dataclass(frozen=True, eq=False)
class ReplicateWeights:
    """R sets of replicate weights with the variance formula that goes with them.

    Build them with :func:`rao_wu_bootstrap`, :func:`jackknife`, :func:`brr` or :func:`survey_replicates`.

    Attributes:
        method: ``"bootstrap"``, ``"JK1"``, ``"JKn"``, ``"BRR"`` or ``"Fay"`` (for labels and defaults only).
        base_weights: full-sample weights (n,).
        scale: c in the variance formula.
        rscales: c_r, one per replicate (R,).
        mse: centre the squared deviations on the full-sample estimate (True) or on the replicates' mean.
        factors: PSU-level factors (R, P), with ``psu_index``; or None when ``matrix`` is given.
        psu_index: PSU of each observation (n,), for ``factors``.
        matrix: dense replicate weights (R, n), or (R, H) with ``unit_index``; or None when ``factors`` is given.
        unit_index: with ``matrix`` of one column per unit (the households of replicates re-calibrated by
            ``recalibration.recalibrate``), the column of each observation (n,): every member carries its unit's
            weight, and R × n weights are never stored.
        seed: the seed of a bootstrap, for provenance (None otherwise).
        calibration: None, or the margins every replicate was re-calibrated to (``recalibration.recalibrate``).
        unit_scale: with ``matrix`` and ``unit_index``, how many of its unit's weight each observation carries
            (n,); None means one. An observation that stands for several persons of one household (a row of a
            household-level frame, :meth:`collapsed`) carries its household's weight times its persons.
    """

    method: str
    base_weights: FloatArray
    scale: float
    rscales: FloatArray
    mse: bool = True
    factors: FloatArray | None = None
    psu_index: IntArray | None = None
    matrix: FloatArray | None = None
    seed: int | None = None
    calibration: str | None = None
    unit_index: IntArray | None = None
    unit_scale: FloatArray | None = None

    @property
    def n_sets(self) -> int:
        return int(self.rscales.size)

    @property
    def n(self) -> int:
        return int(self.base_weights.size)

    @cached_property
    def full_sample(self) -> FullSample:
        """The full-sample weights as a weight set (one object, so estimators can cache on it)."""
        return FullSample(self.base_weights)

    def sums(self, values: FloatArray) -> FloatArray:
        if self.matrix is not None and self.unit_index is not None:
            scale = np.ones(self.unit_index.size) if self.unit_scale is None else self.unit_scale
            return self.matrix @ psu_sums(self.unit_index, scale, values, self.matrix.shape[1])
        if self.matrix is not None:
            return self.matrix @ values
        assert self.factors is not None and self.psu_index is not None
        totals = psu_sums(self.psu_index, self.base_weights, values, self.factors.shape[1])
        return self.factors @ totals

    def sums_of_rows(self, rows: FloatArray | Sequence[FloatArray]) -> FloatArray:
        """Σ_i w_ri V_ji for each set r and each row j of ``rows`` (m × n, or m vectors of n values, one contiguous
        vector per total): (k × m). The same sums as ``sums(rows.T)``, with the data reduced to PSU (or unit)
        totals row by row (contiguous reads, the rows never copied into one array) and one matrix-matrix product."""
        if self.matrix is not None and self.unit_index is None:
            return self.matrix @ np.stack(rows).T
        if self.matrix is not None:
            scale = np.ones(self.unit_index.size) if self.unit_scale is None else self.unit_scale
            index, weights, width, left = self.unit_index, scale, self.matrix.shape[1], self.matrix
        else:
            assert self.factors is not None and self.psu_index is not None
            index, weights, width, left = self.psu_index, self.base_weights, self.factors.shape[1], self.factors
        totals = np.empty((len(rows), width))
        for j, row in enumerate(rows):
            totals[j] = np.bincount(index, weights=weights * row, minlength=width)
        return left @ totals.T

    def at(self, indices: IntArray) -> RowSource:
        if self.matrix is not None and self.unit_scale is not None and self.unit_index is not None:
            return _ScaledDenseRows(self.matrix, self.unit_index[indices], self.unit_scale[indices])
        if self.matrix is not None:
            return _DenseRows(self.matrix, indices if self.unit_index is None else self.unit_index[indices])
        assert self.factors is not None and self.psu_index is not None
        return _FactorRows(self.factors, self.base_weights[indices], self.psu_index[indices])

    def collapsed(self, codes: IntArray) -> ReplicateWeights:
        """The replicate weights of groups of observations: group g (``codes == g``, codes 0 … G − 1, every group
        present) weighs Σ_{i in g} w_ri in replicate r, the sum of its members' weights.

        Exact for every statistic of values that are constant within a group: Σ_i w_ri x_i = Σ_g x_g Σ_{i in g}
        w_ri, and sorted statistics (quantiles, Gini, Lorenz shares) see the same weighted distribution. This is
        how persons collapse to households (one row per household, weight w_h × n_h) before replication: R × n
        work becomes R × H. Members of a group must share their PSU (factor form) or calibration unit (dense
        form); their weights may differ.
        """
        codes, first = group_firsts(codes, self.n)
        count = first.size
        base = np.bincount(codes, weights=self.base_weights, minlength=count)
        if self.factors is not None and self.psu_index is not None:
            psu = self.psu_index[first]
            if not np.array_equal(psu[codes], self.psu_index):
                raise IndicatorError("members of a group of observations lie in different PSUs; cannot collapse.")
            return replace(self, base_weights=base, psu_index=psu)
        assert self.matrix is not None
        if self.unit_index is None:  # dense (R × n) weights shipped with a survey: members must be equal
            members = self.matrix[:, first][:, codes]
            if not np.array_equal(members, self.matrix):
                raise IndicatorError("members of a group carry different replicate weights; cannot collapse.")
            counts = np.bincount(codes, minlength=count).astype(np.float64)
            return replace(self, base_weights=base, matrix=np.ascontiguousarray(self.matrix[:, first] * counts))
        unit = self.unit_index[first]
        if not np.array_equal(unit[codes], self.unit_index):
            raise IndicatorError("members of a group lie in different calibration units; cannot collapse.")
        own = np.ones(self.n) if self.unit_scale is None else self.unit_scale
        return replace(self, base_weights=base, unit_index=unit,
                       unit_scale=np.bincount(codes, weights=own, minlength=count))

    def weights(self, replicate: int) -> FloatArray:
        """The full weight vector of one replicate (n,), e.g. to inspect or export it."""
        return self.at(np.arange(self.n)).row(replicate)

    def variance(self, replicate_values: ArrayLike, estimate: float) -> float:
        """c Σ_r c_r (θ_r − θ̄)², θ̄ = ``estimate`` if ``mse`` else mean(θ_r); nan if any θ_r is nan."""
        theta = np.asarray(replicate_values, dtype=np.float64)
        if theta.shape != self.rscales.shape:
            raise IndicatorError(f"expected {self.rscales.size} replicate estimates; got {theta.size}.")
        centre = estimate if self.mse else float(np.mean(theta))
        return float(self.scale * np.sum(self.rscales * (theta - centre) ** 2))


@dataclass(frozen=True, eq=False)
class _FactorRows:
    """Rows w_i F[r, psu(i)] at fixed observations: the base weights and PSUs are gathered once."""

    factors: FloatArray
    weights: FloatArray
    psu: IntArray

    @property
    def n_sets(self) -> int:
        return int(self.factors.shape[0])

    def row(self, r: int) -> FloatArray:
        return self.weights * self.factors[r].take(self.psu)


@dataclass(frozen=True, eq=False)
class _DenseRows:
    matrix: FloatArray
    indices: IntArray

    @property
    def n_sets(self) -> int:
        return int(self.matrix.shape[0])

    def row(self, r: int) -> FloatArray:
        return self.matrix[r].take(self.indices)


@dataclass(frozen=True, eq=False)
class _ScaledDenseRows:
    """Rows of a unit-level matrix for observations that carry ``scale`` times their unit's weight."""

    matrix: FloatArray
    indices: IntArray
    scale: FloatArray

    @property
    def n_sets(self) -> int:
        return int(self.matrix.shape[0])

    def row(self, r: int) -> FloatArray:
        return self.matrix[r].take(self.indices) * self.scale


# --- generated from a design ---------------------------------------------------------------------------


def _stratum_psus(design: SurveyDesign) -> tuple[IntArray, IntArray, IntArray]:
    """PSUs ordered by stratum, the start of each stratum in that order, and n_h."""
    order = np.argsort(design.psu_stratum, kind="stable")
    n_h = design.psus_per_stratum
    start = np.concatenate(([0], np.cumsum(n_h)[:-1])).astype(np.int64)
    return order.astype(np.int64), start, n_h


def rao_wu_bootstrap(design: SurveyDesign, replicates: int = 200, seed: int | None = None) -> ReplicateWeights:
    """Rao–Wu rescaling bootstrap replicates (m_h = n_h − 1), see the module docstring.

    Args:
        design: weights, strata and PSUs; every stratum needs >= 2 PSUs unless it is a certainty stratum.
        replicates: R, the number of bootstrap replicates (200 gives SEs with about 5 % relative Monte Carlo
            error: the SE of a bootstrap SE is roughly SE / sqrt(2R)).
        seed: an integer seed; required, so that results are reproducible and the seed can be reported.

    Returns:
        ``ReplicateWeights`` with c = 1/R, c_r = 1, centred on the full-sample estimate.
    """
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise IndicatorError("rao_wu_bootstrap needs an explicit integer seed, so the replicates can be reproduced.")
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 2:
        raise IndicatorError(f"replicates must be an integer >= 2; got {replicates!r}.")
    order, start, n_h = _stratum_psus(design)
    variable = (n_h >= 2) & ~design.certainty
    strata = np.flatnonzero(variable)
    # One slot per draw: stratum h has n_h - 1 slots, each picking one of its n_h PSUs uniformly.
    slot_stratum = np.repeat(strata, n_h[strata] - 1)
    slot_size = n_h[slot_stratum]
    slot_start = start[slot_stratum]
    rescale = np.ones(design.n_psu)
    psu_in_variable = variable[design.psu_stratum]
    rescale[psu_in_variable] = (n_h / np.maximum(n_h - 1, 1))[design.psu_stratum[psu_in_variable]]
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    factors = np.empty((int(replicates), design.n_psu))
    for r in range(int(replicates)):
        drawn = order[slot_start + rng.integers(0, slot_size)]
        multiplicity = np.bincount(drawn, minlength=design.n_psu).astype(np.float64)
        factors[r] = np.where(psu_in_variable, multiplicity * rescale, 1.0)
    return ReplicateWeights(
        method="bootstrap",
        base_weights=design.weights,
        scale=1.0 / int(replicates),
        rscales=np.ones(int(replicates)),
        factors=factors,
        psu_index=design.psu_index,
        seed=int(seed),
    )


def jackknife(design: SurveyDesign) -> ReplicateWeights:
    """Delete-one-PSU jackknife: one replicate per PSU of every stratum with >= 2 PSUs.

    Replicate (h, j) gives PSU j weight 0, the other PSUs of stratum h the factor n_h / (n_h − 1), and every
    other stratum the factor 1. Variance: Σ_h (n_h − 1)/n_h Σ_j (θ_(hj) − θ̂)² (JKn); with a single stratum
    this is the JK1 jackknife, (n − 1)/n Σ_j (θ_(j) − θ̂)². Certainty strata get no replicate.
    """
    order, start, n_h = _stratum_psus(design)
    variable = (n_h >= 2) & ~design.certainty
    dropped = np.concatenate([order[start[h] : start[h] + n_h[h]] for h in np.flatnonzero(variable)])
    if dropped.size == 0:
        raise IndicatorError("jackknife: no stratum has two or more PSUs, so there is nothing to replicate.")
    stratum = design.psu_stratum[dropped]
    factors = np.ones((dropped.size, design.n_psu))
    row = 0
    for h in np.flatnonzero(variable):
        members = order[start[h] : start[h] + n_h[h]]
        factors[np.ix_(np.arange(row, row + n_h[h]), members)] = n_h[h] / (n_h[h] - 1.0)
        row += n_h[h]
    factors[np.arange(dropped.size), dropped] = 0.0
    single = design.n_strata == 1
    return ReplicateWeights(
        method="JK1" if single else "JKn",
        base_weights=design.weights,
        scale=1.0,
        rscales=((n_h[stratum] - 1) / n_h[stratum]).astype(np.float64),
        factors=factors,
        psu_index=design.psu_index,
    )


def brr(design: SurveyDesign, fay_rho: float = 0.0) -> ReplicateWeights:
    """Balanced repeated replication (Fay's variant when ``fay_rho`` > 0) for designs with 2 PSUs per stratum.

    Replicate r uses row r of a Sylvester–Hadamard matrix of order R (the smallest power of two above H):
    with δ_rh = ±1 from its column h + 1, the first PSU of stratum h gets the factor 1 + δ_rh (1 − ρ) and the
    second 1 − δ_rh (1 − ρ) (ρ = 0: a half-sample with weights doubled). Columns of a Hadamard matrix are
    orthogonal, which makes the half-samples fully balanced (McCarthy 1969). Variance 1/(R (1 − ρ)²) Σ_r
    (θ_r − θ̂)²; for a total this equals the linearisation formula exactly.
    """
    rho = float(fay_rho)
    if not 0.0 <= rho < 1.0:
        raise IndicatorError(f"fay_rho must be in [0, 1); got {fay_rho!r}.")
    order, start, n_h = _stratum_psus(design)
    variable = ~design.certainty
    if not np.all(n_h[variable] == 2):
        bad = [design.stratum_labels[h] for h in np.flatnonzero(variable & (n_h != 2))[:5]]
        raise IndicatorError(
            f"BRR needs exactly 2 PSUs in every stratum; strata {bad} do not have 2. Use jackknife or bootstrap."
        )
    strata = np.flatnonzero(variable)
    size = 1
    while size <= strata.size:
        size *= 2
    hadamard = np.ones((1, 1))
    while hadamard.shape[0] < size:
        hadamard = np.block([[hadamard, hadamard], [hadamard, -hadamard]])
    factors = np.ones((size, design.n_psu))
    for column, h in enumerate(strata, start=1):
        first, second = order[start[h]], order[start[h] + 1]
        factors[:, first] = 1.0 + hadamard[:, column] * (1.0 - rho)
        factors[:, second] = 1.0 - hadamard[:, column] * (1.0 - rho)
    return ReplicateWeights(
        method="Fay" if rho > 0 else "BRR",
        base_weights=design.weights,
        scale=1.0 / (size * (1.0 - rho) ** 2),
        rscales=np.ones(size),
        factors=factors,
        psu_index=design.psu_index,
    )


# --- shipped with a survey -----------------------------------------------------------------------------


def survey_replicates(
    weights: ArrayLike,
    replicate_weights: ArrayLike,
    method: ReplicateMethod,
    *,
    rscales: ArrayLike | None = None,
    fay_rho: float | None = None,
    scale: float | None = None,
    mse: bool = True,
) -> ReplicateWeights:
    """Replicate weights delivered with a survey, with the variance formula of their method.

    Args:
        weights: full-sample weights (n,).
        replicate_weights: one column per replicate, as surveys ship them: an (n, R) array or DataFrame.
        method: ``"bootstrap"`` (c = 1/R), ``"JK1"`` (c = (R − 1)/R), ``"JKn"`` (c = 1, ``rscales`` required:
            (n_h − 1)/n_h of the stratum each replicate deletes from), ``"BRR"`` (c = 1/R) or ``"Fay"``
            (c = 1/(R (1 − ρ)²), ``fay_rho`` required).
        rscales: c_r per replicate (default 1; required for JKn).
        fay_rho: Fay's ρ for ``method="Fay"``.
        scale: override c when the survey's documentation gives another constant (e.g. a bootstrap with
            c = 1/(R − 1), or replicate weights built with a finite-population correction).
        mse: centre on the full-sample estimate (True) or on the replicates' mean (False).
    """
    base = as_float_array(weights, "weights")
    matrix = np.asarray(replicate_weights, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != base.size:
        raise IndicatorError(
            f"replicate_weights must have one row per observation and one column per replicate, i.e. shape "
            f"({base.size}, R); got {matrix.shape}."
        )
    if not np.isfinite(matrix).all() or (matrix < 0).any():
        raise IndicatorError("replicate_weights must be finite and >= 0.")
    r = matrix.shape[1]
    if rscales is None:
        if method == "JKn":
            raise IndicatorError("JKn replicate weights need rscales: (n_h − 1)/n_h for the stratum of each replicate.")
        factors_r = np.ones(r)
    else:
        factors_r = as_float_array(rscales, "rscales")
        if factors_r.size != r:
            raise IndicatorError(f"rscales needs one entry per replicate ({r}); got {factors_r.size}.")
    defaults = {"bootstrap": 1.0 / r, "JK1": (r - 1.0) / r, "JKn": 1.0, "BRR": 1.0 / r}
    if method == "Fay":
        if fay_rho is None or not 0.0 <= fay_rho < 1.0:
            raise IndicatorError("method='Fay' needs fay_rho in [0, 1).")
        default_scale = 1.0 / (r * (1.0 - fay_rho) ** 2)
    elif method in defaults:
        default_scale = defaults[method]
    else:
        raise IndicatorError(f"method must be one of bootstrap, JK1, JKn, BRR, Fay; got {method!r}.")
    return ReplicateWeights(
        method=method,
        base_weights=base,
        scale=float(scale) if scale is not None else default_scale,
        rscales=factors_r,
        mse=mse,
        matrix=np.ascontiguousarray(matrix.T),
    )
