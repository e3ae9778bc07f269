"""Standard errors and confidence intervals of any ``Statistic``, by linearisation or by replicate weights.

    from floorsim.indicators import SurveyDesign, FGT, Gini, rao_wu_bootstrap, estimate

    design = SurveyDesign.from_arrays(person_weight, strata=stratum, psu=psu)
    reps = rao_wu_bootstrap(design, replicates=200, seed=20250101)
    base, reform = FGT(welfare_base, line), FGT(welfare_reform, line)
    estimate(reform - base, replicates=reps)       # change in the headcount, SE of the paired difference
    estimate(Gini(welfare_base), design=design)    # Taylor linearisation

Replicates re-weight the existing microsimulation output: nothing is simulated again. Confidence intervals are
normal-theory, θ̂ ± z_{(1+level)/2} · SE, for both methods (the usual choice for replicate variances, e.g.
Wolter 2007 §1.6 and Rao, Wu & Yue 1992; percentile intervals can be built from ``replicate_values``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from ._validation import FloatArray
from .batched import prefetch_totals
from .design import SurveyDesign
from .errors import IndicatorError
from .linearization import linearized_variance
from .replicates import ReplicateWeights
from .statistics import Statistic


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and a two-sided confidence interval.

    Attributes:
        estimate: the full-sample estimate.
        se: its standard error (same unit); nan when a replicate estimate is undefined (e.g. an empty domain).
        ci_low, ci_high: the bounds of the ``level`` confidence interval.
        level: the confidence level (0.95).
        method: ``"linearization"`` or the replicate method (``"bootstrap"``, ``"JK1"``, ``"JKn"``, ``"BRR"``,
            ``"Fay"``).
        replicates: the number of replicates (None for linearisation).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    method: str
    replicates: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def confidence_interval(value: float, se: float, level: float = 0.95) -> tuple[float, float]:
    """Normal-theory interval value ± z se, z = Φ⁻¹((1 + level) / 2) (1.959964 for 95 %)."""
    if not 0.0 < level < 1.0:
        raise IndicatorError(f"level must be in (0, 1), e.g. 0.95; got {level!r}.")
    z = NormalDist().inv_cdf((1.0 + level) / 2.0)
    return value - z * se, value + z * se


def replicate_values(statistic: Statistic, replicates: ReplicateWeights) -> FloatArray:
    """The R replicate estimates θ_r of ``statistic`` (for percentile intervals or diagnostics)."""
    return statistic.evaluate(replicates)


def estimate(
    statistic: Statistic,
    *,
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
) -> Estimate:
    """Estimate, SE and CI of ``statistic``: with ``replicates`` if given, otherwise linearised with ``design``.

    Raises:
        IndicatorError: neither ``design`` nor ``replicates`` given, or a statistic without a linearisation
            (``Generic``) asked for one.
    """
    if replicates is not None:
        value = float(statistic.evaluate(replicates.full_sample)[0])
        thetas = statistic.evaluate(replicates)
        variance = replicates.variance(thetas, value) if np.isfinite(thetas).all() else math.nan
        method, count = replicates.method, replicates.n_sets
    elif design is not None:
        value = statistic.value(design)
        variance = float(linearized_variance(design, statistic.influence(design)))
        method, count = "linearization", None
    else:
        raise IndicatorError("give a design (for linearisation) or replicate weights (for a replicate variance).")
    se = math.sqrt(variance) if variance >= 0 else math.nan
    low, high = confidence_interval(value, se, level)
    return Estimate(value, se, low, high, level, method, count)


def estimate_table(
    rows: Mapping[str, Statistic] | Iterable[tuple[Mapping[str, object], Statistic]],
    *,
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """A tidy table of estimates: one row per statistic.

    Args:
        rows: ``{"indicator name": statistic}``, or ``(labels, statistic)`` pairs whose ``labels`` dicts become
            columns (e.g. ``{"indicator": "headcount", "scenario": "reform"}``).
        design, replicates, level: as for :func:`estimate`.

    Returns:
        The label columns (``indicator`` for a mapping) followed by ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``level``, ``method``, ``replicates``.
    """
    pairs = [({"indicator": name}, stat) for name, stat in rows.items()] if isinstance(rows, Mapping) else list(rows)
    if replicates is not None:  # every total of every row in a few matrix products (batched.py), then the rows
        statistics = [stat for _, stat in pairs]
        prefetch_totals(statistics, replicates.full_sample)
        prefetch_totals(statistics, replicates)
    records = [
        {**labels, **estimate(stat, design=design, replicates=replicates, level=level).as_dict()}
        for labels, stat in pairs
    ]
    return pd.DataFrame.from_records(records)
