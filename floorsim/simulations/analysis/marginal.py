"""Marginal contribution of each programme to poverty and inequality (CEQ Handbook, Lustig ed. 2018).

The marginal contribution of programme p to indicator I is the indicator with p removed minus the indicator with
the whole system:

    MC_p = I(y without p) − I(y with everything)

For a poverty rate or a Gini, MC_p > 0 means the programme lowers poverty (inequality): removing it would raise
the indicator. Contributions of several programmes do not add up to the total effect in general (path
dependence). The "without p" welfare comes from the caller (a scenario run without the programme, or the full
welfare minus the programme's amounts with the pass-through the run used); this module only compares arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from floorsim.indicators import fgt, gini

from .errors import AnalysisError
from .frame import weights_of, welfare_of

IndicatorFunction = Callable[[np.ndarray, np.ndarray], float]


def poverty_and_inequality(line: float | ArrayLike) -> dict[str, IndicatorFunction]:
    """Headcount, poverty gap, squared gap (with ``line``) and Gini, as ``{name: f(values, weights)}``."""
    return {
        "headcount": lambda y, w: fgt(y, w, line, 0),
        "poverty_gap": lambda y, w: fgt(y, w, line, 1),
        "squared_poverty_gap": lambda y, w: fgt(y, w, line, 2),
        "gini": gini,
    }


def marginal_contributions(
    weights: ArrayLike,
    with_all: ArrayLike,
    without: Mapping[str, ArrayLike],
    indicators: Mapping[str, IndicatorFunction],
) -> pd.DataFrame:
    """MC_p = I(without p) − I(with all) for each programme p and indicator I.

    Args:
        weights: person weights.
        with_all: welfare per person under the full system.
        without: ``{programme: welfare per person with that programme removed}`` (same persons, same order).
        indicators: ``{name: f(values, weights)}``, e.g. :func:`poverty_and_inequality`.

    Returns:
        Columns ``programme``, ``indicator``, ``with_all``, ``without_programme``, ``marginal_contribution``.
    """
    w = np.asarray(weights, dtype=np.float64)
    full = np.asarray(with_all, dtype=np.float64)
    if full.shape != w.shape:
        raise AnalysisError("with_all and weights must have one entry per person.")
    reference = {name: float(f(full, w)) for name, f in indicators.items()}
    rows = []
    for programme, values in without.items():
        y = np.asarray(values, dtype=np.float64)
        if y.shape != w.shape:
            raise AnalysisError(f"the welfare without {programme!r} must have one entry per person.")
        for name, f in indicators.items():
            removed = float(f(y, w))
            rows.append(
                {
                    "programme": programme,
                    "indicator": name,
                    "with_all": reference[name],
                    "without_programme": removed,
                    "marginal_contribution": removed - reference[name],
                }
            )
    return pd.DataFrame.from_records(rows)


def marginal_contributions_from_frame(
    frame: pd.DataFrame,
    full: str,
    without: Mapping[str, str],
    indicators: Mapping[str, IndicatorFunction],
) -> pd.DataFrame:
    """:func:`marginal_contributions` on person-frame scenarios: ``without`` maps programme -> scenario name."""
    return marginal_contributions(
        weights_of(frame),
        welfare_of(frame, full),
        {programme: welfare_of(frame, scenario) for programme, scenario in without.items()},
        indicators,
    )
