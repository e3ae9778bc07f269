"""The ``curves`` table of a report: Lorenz curves of welfare and concentration curves of benefits.

- **Lorenz curve** of welfare per capita, one per scenario (baseline, reform): the share of total welfare held by
  the poorest fraction p of persons, each scenario ranked by its own welfare (``floorsim.indicators.lorenz``); the Gini of
  the inequality table equals 1 − 2 × the area under it.
- **Concentration curve** of each programme's benefits, per scenario: the share of the programme's spending
  received by the fraction p of persons ranked lowest by **baseline** welfare (``floorsim.indicators.concentration_curve``),
  the ranking of the decile table; a curve above the diagonal reaches the poorest more than proportionally.

Rows: ``curve`` (lorenz / concentration), ``side`` (baseline / reform), ``scenario``, ``programme`` ("" for a
Lorenz curve), ``population_share`` and ``share`` (fractions, 0 to 1) at :data:`CURVE_POINTS` population shares.

Both curves are computed on the report's compact frame when it has one (``analysis.compact``: one row per household,
weight W_h = Σ_{i in h} w_i, welfare y_h shared by the members, amount Σ_i a_i / n_h). Exact: the curves group
persons by distinct welfare value and join cumulative (weight, weighted total) pairs, and a household's members are
tied in welfare, so its row adds the same W_h and W_h × y_h (or Σ_i w_i a_i) to its group as its members did; only
the summation order changes (rounding). At a million persons this sorts 184,000 values per curve instead of 10^6.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from floorsim.indicators import concentration_curve, lorenz
from floorsim.simulations.analysis.compact import Collapse
from floorsim.simulations.analysis.frame import amounts_of, weights_of, welfare_of

BASELINE = "baseline"
CURVE_POINTS = 101  # every percentile: fine enough for the area (the Gini) to the 4th decimal
CURVE_COLUMNS = ["curve", "side", "scenario", "programme", "population_share", "share"]


def curves_table(frame: pd.DataFrame, scenarios: Sequence[str], programmes: Sequence[str],
                 points: int = CURVE_POINTS, collapsed: Collapse | None = None) -> pd.DataFrame:
    """Lorenz curves of welfare per capita for ``scenarios`` and concentration curves of each programme's benefits
    (persons ranked by baseline welfare) as a tidy table (see the module's docstring).

    Args:
        frame: the person frame (``welfare_<scenario>``, ``amount_<programme>_<scenario>``, ``weight``).
        scenarios: ``["baseline"]`` or ``["baseline", reform]``.
        programmes: programmes shown; a programme paying nothing in a scenario has no curve there.
        points: number of equally spaced population shares, ends included.
        collapsed: the person frame's ``compact_frame`` when the caller built it (a report): the same curves on
            one row per household (see the module's docstring); None keeps the person frame.
    """
    if collapsed is not None:
        frame = collapsed[0]
    weights = weights_of(frame)
    ranking = welfare_of(frame, BASELINE)
    rows = []
    for scenario in scenarios:
        side = "baseline" if scenario == BASELINE else "reform"
        shares, ordinates = lorenz(welfare_of(frame, scenario), weights, points)
        rows.append(_rows("lorenz", side, scenario, "", shares, ordinates))
        amounts = amounts_of(frame, list(programmes), scenario)
        for index, programme in enumerate(programmes):
            paid = amounts[:, index]
            if not np.sum(weights * paid) > 0:
                continue
            shares, ordinates = concentration_curve(paid, weights, ranking, points)
            rows.append(_rows("concentration", side, scenario, programme, shares, ordinates))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=CURVE_COLUMNS)


def _rows(curve: str, side: str, scenario: str, programme: str, shares: np.ndarray,
          ordinates: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"curve": curve, "side": side, "scenario": scenario, "programme": programme,
                         "population_share": shares, "share": ordinates})


def area_under(shares: np.ndarray, ordinates: np.ndarray) -> float:
    """Area under a curve given by its points (trapezoids): exact for the piecewise-linear Lorenz and
    concentration curves when the points include every node; 1 − 2 × area is the Gini (or concentration
    coefficient)."""
    shares, ordinates = np.asarray(shares, np.float64), np.asarray(ordinates, np.float64)
    return float(np.sum(np.diff(shares) * (ordinates[1:] + ordinates[:-1]) / 2.0))
