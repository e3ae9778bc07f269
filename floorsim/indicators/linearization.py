"""Taylor linearisation: the design variance of an estimator from its linearised variable.

An estimator θ̂ that is a smooth function of weighted totals satisfies θ̂ − θ ≈ Σ_i w_i z_i, where z_i is the
linearised (influence) variable of observation i (Woodruff 1971; Deville 1999 for functionals such as the Gini
or a quantile). Its variance is then the variance of an estimated total, which under with-replacement sampling
of PSUs within strata is (Wolter 2007, eq. 6.3; Särndal, Swensson & Wretman 1992, §4.5)

    v(θ̂) = Σ_h  n_h / (n_h − 1)  Σ_{j=1..n_h} (t_hj − t̄_h)²,     t_hj = Σ_{i in PSU hj} w_i z_i,

with t̄_h the mean of the n_h PSU totals of stratum h. Certainty strata (``SurveyDesign.certainty``) contribute
nothing. Each statistic in ``statistics.py`` supplies its own z_i (``Statistic.influence``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import FloatArray
from .design import SurveyDesign
from .errors import IndicatorError


def linearized_variance(design: SurveyDesign, z: ArrayLike) -> float | FloatArray:
    """Design variance of Σ_i w_i z_i (see the module docstring for the formula).

    Args:
        design: weights, strata and PSUs.
        z: the linearised variable, one value per observation (n,), or several variables as columns (n, m).

    Returns:
        The variance (a float for one variable, an (m,) array for several), in the squared unit of the
        estimator.
    """
    values = np.asarray(z, dtype=np.float64)
    if values.shape[0] != design.n:
        raise IndicatorError(f"the linearised variable has {values.shape[0]} entries for {design.n} observations.")
    totals = design.psu_totals(values)
    n_h = design.psus_per_stratum.astype(np.float64)
    strata = design.psu_stratum
    if totals.ndim == 1:
        totals = totals[:, None]
    stratum_sums = np.stack(
        [np.bincount(strata, weights=totals[:, c], minlength=design.n_strata) for c in range(totals.shape[1])], axis=1
    )
    deviations = totals - (stratum_sums / n_h[:, None])[strata]
    squares = np.stack(
        [np.bincount(strata, weights=deviations[:, c] ** 2, minlength=design.n_strata) for c in range(totals.shape[1])],
        axis=1,
    )
    usable = (n_h > 1) & ~design.certainty
    factor = np.where(usable, n_h / np.where(n_h > 1, n_h - 1.0, 1.0), 0.0)
    variance = (factor[:, None] * squares).sum(axis=0)
    return float(variance[0]) if np.ndim(z) == 1 else variance
