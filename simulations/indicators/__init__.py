"""Poverty, inequality and aggregate indicators on weighted arrays.

Every function takes plain arrays, in the order ``values, weights`` then the line or parameter, and knows
nothing of OpenFisca or of survey file formats. Inputs are converted to float64 (OpenFisca returns float32)
and checked: same length, all finite, weights >= 0 with a positive sum; anything else raises
``IndicatorError`` (a ``ValueError``) naming the rule broken. Results are fractions, not percentages.

Formulas, references and the rules for zero and negative values are in each docstring and in
``docs/indicators.md``.
"""

from __future__ import annotations

from .errors import IndicatorError
from .inequality import (
    atkinson,
    concentration_coefficient,
    generalized_entropy,
    gini,
    lorenz,
    palma,
    quantile_shares,
    quintile_share_ratio,
)
from .poverty import fgt, relative_median_poverty_gap, watts
from .quantiles import weighted_quantile
from .totals import weighted_count, weighted_total

__all__ = [
    "IndicatorError",
    "atkinson",
    "concentration_coefficient",
    "fgt",
    "generalized_entropy",
    "gini",
    "lorenz",
    "palma",
    "quantile_shares",
    "quintile_share_ratio",
    "relative_median_poverty_gap",
    "watts",
    "weighted_count",
    "weighted_quantile",
    "weighted_total",
]
