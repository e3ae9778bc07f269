"""The sampling design of a survey, as the variance estimators need it: weights, strata and PSUs.

A household survey in the countries floorsim serves is a stratified multi-stage sample: strata (region ×
urban/rural, say), primary sampling units (PSUs: enumeration areas) drawn within each stratum, households
within PSUs, persons within households. For variance estimation only the first stage matters under the usual
*with-replacement* approximation (Wolter 2007, §1.4; Rao & Wu 1988): PSU totals are treated as independent
draws within their stratum, and everything below the PSU is carried along. The finite-population correction is
not applied (conservative when sampling fractions are small, as they are in national household surveys).

``SurveyDesign`` holds exactly that: the full-sample weights, the PSU of each observation (numbered 0..P-1,
stratum by stratum) and the stratum of each PSU. PSUs are *nested* in strata: the same PSU label in two strata
is two different PSUs.

Strata with a single PSU have no within-stratum variance estimate. The ``lonely_psu`` rule says what to do:

* ``"raise"`` (default): refuse, naming the strata, so the analyst decides;
* ``"certainty"``: treat the lone PSU as selected with certainty (a self-representing PSU): the stratum
  contributes no variance, and its PSU keeps its full-sample weight in every replicate;
* ``"pool"``: pool all single-PSU strata into one pseudo-stratum (the collapsed-strata technique, Wolter 2007
  §2.5, which tends to overstate the variance). Needs at least two such strata.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._validation import FloatArray, as_float_array
from .errors import IndicatorError
from .weightsets import FullSample, IntArray

LonelyPsuRule = Literal["raise", "certainty", "pool"]


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """Full-sample weights plus the stratum/PSU structure (build it with :meth:`from_arrays`).

    Attributes:
        weights: full-sample weight of each observation (n,), float64 >= 0.
        psu_index: PSU of each observation (n,), in 0..P-1; PSUs are numbered stratum by stratum.
        psu_stratum: stratum of each PSU (P,), in 0..H-1.
        stratum_labels: the caller's label of each stratum (H entries, "pooled" for a pooled pseudo-stratum).
        certainty: per stratum (H,), True when the stratum contributes no variance (a certainty PSU).
    """

    weights: FloatArray
    psu_index: IntArray
    psu_stratum: IntArray
    stratum_labels: tuple[object, ...]
    certainty: NDArray[np.bool_]

    @classmethod
    def from_arrays(
        cls,
        weights: ArrayLike,
        strata: ArrayLike | None = None,
        psu: ArrayLike | None = None,
        lonely_psu: LonelyPsuRule = "raise",
    ) -> SurveyDesign:
        """Build a design from one entry per observation.

        Args:
            weights: full-sample weights (>= 0, positive sum), e.g. person weights.
            strata: stratum label of each observation; ``None`` for an unstratified sample (one stratum).
            psu: PSU label of each observation (e.g. the enumeration area, or the household id when households
                are the PSUs); ``None`` makes every observation its own PSU (only right for a simple random
                sample of the units in the rows).
            lonely_psu: rule for strata with a single PSU (see the module docstring).

        Raises:
            IndicatorError: invalid weights, labels of the wrong length or missing, or a single-PSU stratum
                under ``lonely_psu="raise"`` (or a lone one under ``"pool"``).
        """
        w = as_float_array(weights, "weights")
        if (w < 0).any() or not w.sum() > 0:
            raise IndicatorError("weights must be >= 0 with a positive sum.")
        n = w.size
        stratum_codes, labels = _codes(strata, n, "strata")
        psu_codes, _ = _codes(psu, n, "psu") if psu is not None else (np.arange(n, dtype=np.int64), None)
        # PSUs are nested in strata: number the distinct (stratum, psu) pairs, sorted by stratum then PSU.
        key = stratum_codes * (int(psu_codes.max()) + 1) + psu_codes
        unique_keys, psu_index = np.unique(key, return_inverse=True)
        psu_stratum = (unique_keys // (int(psu_codes.max()) + 1)).astype(np.int64)
        labels_tuple: tuple[object, ...] = tuple(labels) if labels is not None else ("all",)
        design = cls(
            weights=w,
            psu_index=psu_index.astype(np.int64),
            psu_stratum=psu_stratum,
            stratum_labels=labels_tuple,
            certainty=np.zeros(len(labels_tuple), dtype=bool),
        )
        return design._apply_lonely_rule(lonely_psu)

    # --- sizes ------------------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self.weights.size)

    @property
    def n_psu(self) -> int:
        """Number of PSUs, P."""
        return int(self.psu_stratum.size)

    @property
    def n_strata(self) -> int:
        """Number of strata, H."""
        return len(self.stratum_labels)

    @property
    def psus_per_stratum(self) -> IntArray:
        """n_h, the number of PSUs in each stratum (H,)."""
        return np.bincount(self.psu_stratum, minlength=self.n_strata).astype(np.int64)

    @cached_property
    def full_sample(self) -> FullSample:
        """The full-sample weights as a weight set (one object, so estimators can cache on it)."""
        return FullSample(self.weights)

    def psu_totals(self, values: ArrayLike) -> FloatArray:
        """Weighted PSU totals t_j = Σ_{i in PSU j} w_i v_i: one variable (n,) -> (P,), several (n, m) -> (P, m)."""
        v = np.asarray(values, dtype=np.float64)
        return psu_sums(self.psu_index, self.weights, v, self.n_psu)

    def collapsed(self, codes: ArrayLike) -> SurveyDesign:
        """The design of groups of observations (``codes`` 0 … G − 1, every group present) that each lie in one
        PSU: group g weighs Σ_{i in g} w_i and keeps its PSU (and so its stratum and the lonely-PSU treatment).

        Every PSU total Σ_{i in PSU} w_i z_i of a variable z constant within each group is unchanged, so the
        linearised variance of a statistic whose influence values are constant within groups is the same on
        the G rows (persons collapsed to households: ``floorsim.simulations.analysis.compact``).

        Raises:
            IndicatorError: codes of the wrong length or not 0 … G − 1, or members of a group in different PSUs.
        """
        codes, first = group_firsts(codes, self.n)
        count = first.size
        psu = self.psu_index[first]
        if not np.array_equal(psu[codes], self.psu_index):
            raise IndicatorError("members of a group of observations lie in different PSUs; cannot collapse.")
        return replace(self, weights=np.bincount(codes, weights=self.weights, minlength=count), psu_index=psu)

    # --- single-PSU strata ------------------------------------------------------------------------------

    def _apply_lonely_rule(self, rule: LonelyPsuRule) -> SurveyDesign:
        if rule not in ("raise", "certainty", "pool"):
            raise IndicatorError(f"lonely_psu must be 'raise', 'certainty' or 'pool'; got {rule!r}.")
        lonely = np.flatnonzero(self.psus_per_stratum == 1)
        if lonely.size == 0:
            return self
        names = ", ".join(repr(self.stratum_labels[h]) for h in lonely[:5]) + (", ..." if lonely.size > 5 else "")
        if rule == "raise":
            raise IndicatorError(
                f"{lonely.size} strata have a single PSU ({names}), so their variance cannot be estimated. "
                "Collapse them with neighbouring strata, or pass lonely_psu='certainty' (no variance from them) "
                "or lonely_psu='pool' (pool them into one pseudo-stratum)."
            )
        if rule == "certainty":
            certainty = self.certainty.copy()
            certainty[lonely] = True
            return SurveyDesign(self.weights, self.psu_index, self.psu_stratum, self.stratum_labels, certainty)
        if lonely.size < 2:
            raise IndicatorError(
                f"lonely_psu='pool' needs at least two single-PSU strata to pool; only {names} has one PSU. "
                "Collapse it with a neighbouring stratum yourself, or use lonely_psu='certainty'."
            )
        # Renumber strata: the kept ones in order, then one pooled stratum; PSU numbering stays as it is
        # (the variance code never needs PSUs to be contiguous within a stratum).
        kept = np.setdiff1d(np.arange(self.n_strata), lonely)
        new_code = np.empty(self.n_strata, dtype=np.int64)
        new_code[kept] = np.arange(kept.size)
        new_code[lonely] = kept.size
        labels = tuple(self.stratum_labels[h] for h in kept) + ("pooled",)
        return SurveyDesign(
            self.weights, self.psu_index, new_code[self.psu_stratum], labels, np.zeros(len(labels), dtype=bool)
        )


def group_firsts(codes: ArrayLike, n: int) -> tuple[IntArray, IntArray]:
    """Group codes of ``n`` observations checked (0 … G − 1, every group present) and each group's first row.

    Raises:
        IndicatorError: not one code per observation, or codes not 0 … G − 1 with every group present.
    """
    codes = np.asarray(codes, dtype=np.int64)
    if codes.shape != (n,):
        raise IndicatorError(f"collapsed needs one group code per observation ({n}); got {codes.shape}.")
    count = int(codes.max()) + 1 if codes.size else 0
    first = np.full(count, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size, dtype=np.int64)[::-1]  # the last write wins: each group's first
    if count == 0 or codes.min() < 0 or (first < 0).any():
        raise IndicatorError("group codes must be 0 … G − 1 with every group present.")
    return codes, first


def psu_sums(psu_index: IntArray, weights: FloatArray, values: FloatArray, n_psu: int) -> FloatArray:
    """sum_{i in PSU j} w_i v_i for each PSU j; ``values`` (n,) or (n, m)."""
    if values.ndim == 1:
        return np.bincount(psu_index, weights=weights * values, minlength=n_psu)
    weighted = values * weights[:, None]
    return np.stack(
        [np.bincount(psu_index, weights=weighted[:, c], minlength=n_psu) for c in range(values.shape[1])], axis=1
    )


def _codes(labels: ArrayLike | None, n: int, name: str) -> tuple[IntArray, list[object] | None]:
    """Integer codes 0..K-1 of ``labels`` (sorted order of the labels) and the labels themselves."""
    if labels is None:
        return np.zeros(n, dtype=np.int64), None
    series = pd.Series(np.asarray(labels) if not isinstance(labels, pd.Series) else labels.to_numpy())
    if series.size != n:
        raise IndicatorError(f"{name} must have one entry per observation; got {series.size} for {n} weights.")
    if series.isna().any():
        raise IndicatorError(f"{name} is missing for {int(series.isna().sum())} observations; every row needs one.")
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), list(uniques)
