"""Poverty lines: absolute (given, moved with prices), relative (a share of the median or mean) and international.

All lines are amounts per person (or per adult equivalent) per month in local currency, the unit of the welfare
they are compared with. Nothing here has a hidden default for the concept: the caller says which welfare, which
share and which statistic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_parameter, values_and_weights
from .errors import IndicatorError
from .quantiles import weighted_quantile

DAYS_PER_YEAR = 365.0
MONTHS_PER_YEAR = 12.0

LineAnchor = Literal["scenario", "baseline"]
CentralStatistic = Literal["median", "mean"]


def uprated_line(line: float, price_ratio: float) -> float:
    """An absolute line moved to another period's prices: z_t = z_0 × P_t / P_0.

    Args:
        line: the line in the prices of its base period (currency per person per month), > 0.
        price_ratio: P_t / P_0, the consumer price index of the target period over that of the base period.

    Returns:
        The line in the target period's prices, same unit.
    """
    z = as_parameter(line, "line")
    ratio = as_parameter(price_ratio, "price_ratio")
    if not z > 0 or not ratio > 0:
        raise IndicatorError(f"line and price_ratio must be positive; got line={z:g}, price_ratio={ratio:g}.")
    return z * ratio


def relative_line(
    values: ArrayLike, weights: ArrayLike, share: float = 0.6, statistic: CentralStatistic = "median"
) -> float:
    """A relative line: ``share`` × the weighted median (Eurostat quantile, ``weighted_quantile``) or mean.

        z = s × Q_0.5(y)   or   z = s × Σ w y / Σ w

    Eurostat's at-risk-of-poverty threshold is s = 0.6 of the median of equivalised income (person-weighted).

    Args:
        values: welfare per person (each person carries the household's per-capita or equivalised welfare).
        weights: person weights (>= 0).
        share: s > 0 (0.6 for 60 %).
        statistic: ``"median"`` or ``"mean"``.

    Returns:
        The line, in the unit of ``values``.
    """
    x, w = values_and_weights(values, weights)
    s = as_parameter(share, "share")
    if not s > 0:
        raise IndicatorError(f"share must be positive; got {s:g}.")
    if statistic == "median":
        centre = weighted_quantile(x, w, 0.5)
    elif statistic == "mean":
        centre = float(np.sum(w * x) / np.sum(w))
    else:
        raise IndicatorError(f"statistic must be 'median' or 'mean'; got {statistic!r}.")
    if not centre > 0:
        raise IndicatorError(
            f"the {statistic} of values is {centre:g} (<= 0), so a relative line would not be positive."
        )
    return s * centre


def relative_lines(
    welfare: Mapping[str, ArrayLike],
    weights: ArrayLike,
    share: float = 0.6,
    statistic: CentralStatistic = "median",
    *,
    anchor: LineAnchor,
    baseline: str = "baseline",
) -> dict[str, float]:
    """Relative lines for several scenarios, recomputed per scenario or held fixed at the baseline.

    * ``anchor="scenario"``: z_s = s × median(y_s): each scenario is judged against its own distribution
      (Eurostat's convention: a reform that raises the median raises the line);
    * ``anchor="baseline"``: z_s = s × median(y_baseline) for every s: the line is "anchored" at the
      baseline, so poverty changes measure changes in living standards against a fixed yardstick.

    Args:
        welfare: welfare per person for each scenario (same persons, same order).
        weights: person weights.
        share, statistic: as in :func:`relative_line`.
        anchor: ``"scenario"`` or ``"baseline"``; required, because the two answer different questions.
        baseline: the name of the baseline scenario in ``welfare`` (needed when ``anchor="baseline"``).

    Returns:
        ``{scenario: line}``.
    """
    if anchor == "baseline":
        if baseline not in welfare:
            raise IndicatorError(
                f"anchor='baseline' needs the baseline scenario {baseline!r} in welfare; got {list(welfare)}."
            )
        fixed = relative_line(welfare[baseline], weights, share, statistic)
        return {name: fixed for name in welfare}
    if anchor != "scenario":
        raise IndicatorError(f"anchor must be 'scenario' or 'baseline'; got {anchor!r}.")
    return {name: relative_line(values, weights, share, statistic) for name, values in welfare.items()}


def international_line(
    dollars_per_day: float, ppp_factor: float, price_ratio: float = 1.0, days_per_year: float = DAYS_PER_YEAR
) -> float:
    """An international line ($ a day at PPP) in local currency per person per month.

        z = d × PPP × (P_t / P_ppp) × days_per_year / 12

    Args:
        dollars_per_day: the line in international (PPP) dollars per person per day, e.g. 3.00 (World Bank
            extreme-poverty line at 2021 PPPs) or 2.15 (at 2017 PPPs).
        ppp_factor: private-consumption PPP conversion factor of the PPP base year, local currency units per
            international dollar (ICP / World Development Indicators).
        price_ratio: CPI of the period the welfare is expressed in over the average CPI of the PPP base year
            (1 if the welfare is already in base-year prices).
        days_per_year: 365 (the World Bank's convention: monthly = daily × 365 / 12).

    Returns:
        The line in local currency per person per month.
    """
    values = {
        "dollars_per_day": dollars_per_day,
        "ppp_factor": ppp_factor,
        "price_ratio": price_ratio,
        "days_per_year": days_per_year,
    }
    checked = {name: as_parameter(value, name) for name, value in values.items()}
    not_positive = [name for name, value in checked.items() if not value > 0]
    if not_positive:
        raise IndicatorError(f"{', '.join(not_positive)} must be positive.")
    return (
        checked["dollars_per_day"]
        * checked["ppp_factor"]
        * checked["price_ratio"]
        * checked["days_per_year"]
        / MONTHS_PER_YEAR
    )
