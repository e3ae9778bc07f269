"""Poverty-reduction efficiency: how much of the poverty gap a reform closes per unit of money spent.

The poverty gap in money is the total annual transfer that would lift every poor person exactly to the line:

    G_s = 12 × Σ_i w_i max(z_i − y_i,s, 0)        (currency per year; y and z monthly per person)

and a reform's **benefit–cost ratio** (World Bank ASPIRE "benefit–cost ratio": poverty-gap reduction per unit
spent) is

    BCR_s = (G_baseline − G_s) / (C_s − C_baseline),   C_s = Σ_i w_i Σ_p a_ip,s (annual spending).

A BCR of 0.6 means that 60 centavos of each extra dollar spent close the poverty gap; the rest goes to the
non-poor or lifts the poor above the line. For the ratio of a single programme, compare a scenario that differs
from the baseline by that programme only. With a per-person line z_i (e.g. regional lines) the same formulas hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .errors import AnalysisError
from .frame import MONTHS_PER_YEAR, amounts_of, weights_of, welfare_of


def poverty_gap_money(welfare: ArrayLike, weights: ArrayLike, line: float | ArrayLike) -> float:
    """12 × Σ w max(z − y, 0): the annual money needed to bring every poor person to the line."""
    y = np.asarray(welfare, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    z = np.broadcast_to(np.asarray(line, dtype=np.float64), y.shape)
    if not np.isfinite(z).all() or (z <= 0).any():
        raise AnalysisError("the poverty line must be positive and finite.")
    return MONTHS_PER_YEAR * float(w @ np.maximum(z - y, 0.0))


def benefit_cost_table(
    frame: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    programmes: Sequence[str],
    line: float | ArrayLike,
) -> pd.DataFrame:
    """Poverty gap, spending and the benefit–cost ratio of each scenario against the baseline.

    Returns:
        Columns ``scenario``, ``poverty_gap`` (G_s, annual money), ``gap_reduction`` (G_baseline − G_s),
        ``spending`` (C_s), ``additional_spending`` (C_s − C_baseline), ``benefit_cost_ratio`` (nan when the
        spending does not change).
    """
    if not programmes:
        raise AnalysisError("benefit_cost_table needs the programmes whose spending is counted.")
    w = weights_of(frame)
    gap_base = poverty_gap_money(welfare_of(frame, baseline), w, line)
    spend_base = float(w @ amounts_of(frame, programmes, baseline).sum(axis=1))
    rows = []
    for scenario in scenarios:
        gap = poverty_gap_money(welfare_of(frame, scenario), w, line)
        spending = float(w @ amounts_of(frame, programmes, scenario).sum(axis=1))
        extra = spending - spend_base
        rows.append(
            {
                "scenario": scenario,
                "poverty_gap": gap,
                "gap_reduction": gap_base - gap,
                "spending": spending,
                "additional_spending": extra,
                "benefit_cost_ratio": (gap_base - gap) / extra if extra != 0 else float("nan"),
            }
        )
    return pd.DataFrame.from_records(rows)
