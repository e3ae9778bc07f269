"""Calibration-aware replicate weights: every replicate re-calibrated to the margins of the full sample.

When the full-sample weights were calibrated (raked) to population margins, a replicate that only re-weights PSUs
no longer meets those margins, and its spread includes the variation of totals the calibration fixes: the 60+
population of a survey raked to census age groups has no sampling variance, yet each bootstrap replicate draws
another one. Re-calibrating each replicate to the same margins, with the same distance and bounds, gives the
variance of the calibrated estimator (Rust & Rao 1996, SMMR 5(3); Wolter 2007; Valliant 1993, JASA 88):

    d_rh = w_h F[r, psu(h)]                 replicate weight of calibration unit h (a household)
    w_rh = d_rh · g_rh,   Σ_h w_rh x_h = t  the replicate re-calibrated (g_rh = F(x_h' λ_r), the distance's F)
    w_ri = w_r,h(i)                         observation i (a person) carries its household's weight

where x_h is the household's row of the calibration matrix (for a persons margin, the number of members of h in
each class). Every statistic, and every reform − baseline change, is then computed on the re-calibrated weights
(the same weights for both sides of a change: paired). Units a replicate drops (d_rh = 0) stay at 0.

This module knows nothing of surveys: the calibration arrives as a :class:`Recalibration`, plain arrays and the
function that solves one calibration (``floorsim.surveys.recorded_calibration.calibrate_replicates`` in floorsim), so the
full sample and the replicates are calibrated by the same routine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray
from .errors import IndicatorError
from .replicates import ReplicateWeights
from .weightsets import IntArray


@dataclass(frozen=True, eq=False)
class Recalibration:
    """How to re-calibrate replicate weights: calibration units, their margins and the solver.

    Attributes:
        unit_index: calibration unit (household, 0 … H − 1) of each observation (n,); observations are
            persons carrying their household's weight.
        calibrate: ``D (R × H) -> W (R × H)``: the replicate weights of the units, re-calibrated row by row to
            the margins (a unit with d_rh = 0 must get 0).
        description: what the margins are, for provenance and the method section (e.g. ``"raking to
            households; persons by sex and age; persons by stratum"``).
    """

    unit_index: IntArray
    calibrate: Callable[[FloatArray], FloatArray]
    description: str

    @classmethod
    def from_units(
        cls, unit_index: ArrayLike, calibrate: Callable[[FloatArray], FloatArray], description: str
    ) -> Recalibration:
        """Check and store ``unit_index`` (integers 0 … H − 1, every unit present)."""
        units = np.asarray(unit_index)
        if units.ndim != 1 or units.size == 0 or not np.issubdtype(units.dtype, np.integer):
            raise IndicatorError("unit_index must be a non-empty 1-d array of integer unit codes.")
        count = int(units.max()) + 1
        if units.min() < 0 or np.bincount(units, minlength=count).min() == 0:
            raise IndicatorError("unit_index must code the units 0 … H − 1, each with at least one observation.")
        return cls(units.astype(np.int64), calibrate, description)

    @property
    def n_units(self) -> int:
        return int(self.unit_index.max()) + 1

    @property
    def first_rows(self) -> IntArray:
        """The first observation of each unit (its weight is the unit's weight)."""
        first = np.full(self.n_units, -1, dtype=np.int64)
        rows = np.arange(self.unit_index.size, dtype=np.int64)
        first[self.unit_index[::-1]] = rows[::-1]  # the last write wins: the first row of each unit
        return first


def recalibrate(replicates: ReplicateWeights, recalibration: Recalibration) -> ReplicateWeights:
    """The replicate weights with every replicate re-calibrated (see the module docstring).

    Returns:
        Replicate weights with the same method, scales and centring, stored as the (R × H) matrix of the units'
        re-calibrated weights with each observation's unit (``unit_index``), whose ``calibration`` names the
        margins.

    Raises:
        IndicatorError: ``unit_index`` does not match the observations, or members of a unit carry different
            replicate weights (the adjustment g_rh is per unit).
    """
    if recalibration.unit_index.size != replicates.n:
        raise IndicatorError(
            f"the recalibration has {recalibration.unit_index.size} observations, the replicates {replicates.n}."
        )
    units = recalibration.unit_index
    first = recalibration.first_rows
    _check_constant_within_units(replicates, units, first)
    at_first = replicates.at(first)
    unit_weights = np.empty((replicates.n_sets, first.size))
    for r in range(replicates.n_sets):
        unit_weights[r] = at_first.row(r)
    calibrated = np.asarray(recalibration.calibrate(unit_weights), dtype=np.float64)
    if calibrated.shape != unit_weights.shape:
        raise IndicatorError(f"calibrate returned shape {calibrated.shape}; expected {unit_weights.shape}.")
    # Members carry their unit's weight, so one column per unit is stored: (R × H), not (R × n).
    return replace(replicates, factors=None, psu_index=None, matrix=calibrated, unit_index=units,
                   calibration=recalibration.description)

def _check_constant_within_units(replicates: ReplicateWeights, units: IntArray, first: IntArray) -> None:
    """Members of a unit must carry the same replicate weights: the adjustment g_rh is per unit."""
    if replicates.factors is not None and replicates.psu_index is not None:
        base = replicates.base_weights
        same = np.array_equal(base, base[first[units]]) and np.array_equal(
            replicates.psu_index, replicates.psu_index[first[units]]
        )
    else:
        everyone, firsts = replicates.at(np.arange(units.size)), replicates.at(first[units])
        same = all(np.array_equal(everyone.row(r), firsts.row(r)) for r in range(replicates.n_sets))
    if not same:
        raise IndicatorError(
            "members of a calibration unit carry different replicate weights (different weights or PSUs within a"
            " household); cannot re-calibrate."
        )
