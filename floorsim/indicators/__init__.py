"""Poverty, inequality and aggregate indicators on weighted arrays.

Every function takes plain arrays, in the order ``values, weights`` then the line or parameter, and knows
nothing of OpenFisca or of survey file formats. Inputs are converted to float64 (OpenFisca returns float32)
and checked: same length, all finite, weights >= 0 with a positive sum; anything else raises
``IndicatorError`` (a ``ValueError``) naming the rule broken. Results are fractions, not percentages.

Formulas, references and the rules for zero and negative values are in each docstring and in
``docs/indicators.md``.

Beyond the point estimates: progressivity (``kakwani``, ``reynolds_smolensky``), poverty lines (``lines``),
equivalence scales (``scales``), quantile groups (``groups``), and design-based uncertainty: a
``SurveyDesign`` (weights, strata, PSUs), replicate weights
(``rao_wu_bootstrap``, ``jackknife``, ``brr``, ``survey_replicates``), estimators that can be evaluated under
replicate weights and linearised (``statistics``: ``Total``, ``Mean``, ``Ratio``, ``Proportion``, ``FGT``,
``Watts``, ``Gini``, ``Quantile``, ``RelativeLine``, ``Generic``, and their differences), and ``estimate`` /
``estimate_table`` for standard errors and confidence intervals.
"""

from __future__ import annotations

from .design import LonelyPsuRule, SurveyDesign
from .errors import IndicatorError
from .groups import quantile_groups
from .inequality import (
    atkinson,
    concentration_coefficient,
    concentration_curve,
    generalized_entropy,
    gini,
    lorenz,
    palma,
    quantile_shares,
    quintile_share_ratio,
)
from .entropy_statistics import Atkinson, GeneralizedEntropy
from .share_statistics import Palma, QuintileShareRatio
from .linearization import linearized_variance
from .lines import international_line, relative_line, relative_lines, uprated_line
from .poverty import fgt, relative_median_poverty_gap, watts
from .progressivity import kakwani, reynolds_smolensky
from .quantiles import weighted_quantile
from .recalibration import Recalibration, recalibrate
from .replicates import ReplicateWeights, brr, jackknife, rao_wu_bootstrap, survey_replicates
from .scales import household_adult_equivalents, parametric_scale, person_adult_equivalents
from .statistics import (
    FGT,
    Difference,
    Generic,
    Gini,
    Mean,
    Proportion,
    Quantile,
    Quotient,
    Ratio,
    RelativeLine,
    Scaled,
    Statistic,
    Total,
    Watts,
)
from .totals import weighted_count, weighted_total
from .uncertainty import Estimate, confidence_interval, estimate, estimate_table, replicate_values
from .weightsets import FullSample, WeightSet

__all__ = [
    "Palma",
    "QuintileShareRatio",
    "Atkinson",
    "GeneralizedEntropy",
    "FGT",
    "Difference",
    "Estimate",
    "FullSample",
    "Generic",
    "Gini",
    "IndicatorError",
    "LonelyPsuRule",
    "Mean",
    "Proportion",
    "Quantile",
    "Quotient",
    "Ratio",
    "Recalibration",
    "RelativeLine",
    "ReplicateWeights",
    "Scaled",
    "Statistic",
    "SurveyDesign",
    "Total",
    "Watts",
    "WeightSet",
    "atkinson",
    "brr",
    "concentration_coefficient",
    "concentration_curve",
    "confidence_interval",
    "estimate",
    "estimate_table",
    "fgt",
    "generalized_entropy",
    "gini",
    "household_adult_equivalents",
    "international_line",
    "jackknife",
    "kakwani",
    "linearized_variance",
    "lorenz",
    "palma",
    "parametric_scale",
    "person_adult_equivalents",
    "quantile_groups",
    "quantile_shares",
    "quintile_share_ratio",
    "rao_wu_bootstrap",
    "recalibrate",
    "relative_line",
    "relative_lines",
    "relative_median_poverty_gap",
    "replicate_values",
    "reynolds_smolensky",
    "survey_replicates",
    "uprated_line",
    "watts",
    "weighted_count",
    "weighted_quantile",
    "weighted_total",
]
