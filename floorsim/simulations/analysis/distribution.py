"""Distributional impact of a reform by decile of baseline welfare (CEQ / ABND "who gains" tables)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .errors import AnalysisError
from .frame import amounts_of, require_columns, weights_of, welfare_of
from .groups import TOTAL_LABEL, as_columns, group_labels, welfare_groups

ThresholdKind = Literal["absolute", "relative"]


def gain_status(gain: np.ndarray, baseline_welfare: np.ndarray, threshold: float, kind: ThresholdKind) -> np.ndarray:
    """+1 winner, −1 loser, 0 unchanged: winner when gain > t_i, loser when gain < −t_i.

    t_i = ``threshold`` (currency per person per month) for ``kind="absolute"``, or ``threshold`` × baseline
    welfare (a fraction, 0.01 = 1 %) for ``kind="relative"``.
    """
    if not np.isfinite(threshold) or threshold < 0:
        raise AnalysisError(f"threshold must be a finite number >= 0; got {threshold!r}.")
    if kind == "absolute":
        t = np.full(gain.size, float(threshold))
    elif kind == "relative":
        t = float(threshold) * np.abs(baseline_welfare)
    else:
        raise AnalysisError(f"threshold_kind must be 'absolute' or 'relative'; got {kind!r}.")
    return np.where(gain > t, 1, np.where(gain < -t, -1, 0))


def distribution_table(
    frame: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    programmes: Sequence[str] = (),
    *,
    n_groups: int = 10,
    by: str | Sequence[str] | None = None,
    threshold: float = 0.0,
    threshold_kind: ThresholdKind = "absolute",
    totals: bool = True,
) -> pd.DataFrame:
    """Gains and losses by decile (or other quantile group) of baseline welfare, for each scenario.

    Deciles are person-weighted and national (``welfare_groups`` on ``welfare_<baseline>``), also when ``by``
    splits the table into population groups. With g_i = y_i,s − y_i,baseline the change in monthly welfare per
    person, and sums over the persons of a cell (scenario × group × decile) weighted by w_i:

    * ``persons`` = Σ w; ``population_share`` = persons / national persons;
    * ``mean_welfare_baseline`` = Σ w y_b / Σ w, ``mean_welfare`` = Σ w y_s / Σ w (per person per month);
    * ``mean_gain`` = Σ w g / Σ w (currency per person per month);
    * ``relative_gain`` = Σ w g / Σ w y_b (fraction of the cell's baseline welfare; a ratio of means, as in
      the CEQ Handbook, not a mean of individual ratios);
    * ``gain_share`` = the cell's Σ w g over the national Σ w g (nan when the national change is 0);
    * ``spending`` = Σ w Σ_p a_p,s, the annual amounts of ``programmes`` under the scenario received in the
      cell, and ``spending_share`` = its share of the national total (nan without programmes);
    * ``winners`` / ``losers`` / ``unchanged``: shares of the cell's persons with g > t, g < −t, or neither
      (see :func:`gain_status` for t).

    Args:
        frame: a person frame (``floorsim.simulations.analysis.frame``).
        baseline: the scenario whose welfare ranks people and against which gains are measured.
        scenarios: the scenarios to tabulate (the baseline may be included: its gains are 0).
        programmes: programmes whose spending is shared out (optional).
        n_groups: 10 for deciles, 5 for quintiles.
        by: optional grouping column(s) (``"region"``, ``["sex", "urban"]``).
        threshold, threshold_kind: the winner/loser threshold (default: any change at all).
        totals: add a row per scenario (and group) for the whole population, with decile ``"all"``.

    Returns:
        Columns: the ``by`` columns, ``scenario``, ``decile`` (ordered categorical "1".."n", "all"), then the
        figures above; scenarios in the order given, then groups and deciles in order.
    """
    keys = as_columns(by)
    require_columns(frame, keys, "distribution_table")
    w = weights_of(frame)
    y_base = welfare_of(frame, baseline)
    decile = welfare_groups(frame, baseline, n_groups)
    national_persons = w.sum()
    tables = []
    for scenario in scenarios:
        y = welfare_of(frame, scenario)
        gain = y - y_base
        spending = amounts_of(frame, programmes, scenario).sum(axis=1)
        status = gain_status(gain, y_base, threshold, threshold_kind)
        parts = pd.DataFrame(
            {
                "persons": w,
                "welfare_baseline": w * y_base,
                "welfare": w * y,
                "gain": w * gain,
                "spending": w * spending,
                "winners": w * (status == 1),
                "losers": w * (status == -1),
            }
        )
        for column in keys:
            parts[column] = frame[column].to_numpy()
        parts["decile"] = decile
        sums = parts.groupby([*keys, "decile"], sort=True, dropna=False, observed=True).sum().reset_index()
        if totals:
            overall = (
                parts.drop(columns="decile").groupby(keys, sort=True, dropna=False, observed=True).sum().reset_index()
                if keys
                else parts.drop(columns="decile").sum().to_frame().T
            )
            overall["decile"] = TOTAL_LABEL
            sums = pd.concat([sums.astype({"decile": object}), overall], ignore_index=True)
        national_gain, national_spending = float(np.sum(w * gain)), float(np.sum(w * spending))
        table = sums[keys].copy()
        table["scenario"] = scenario
        table["decile"] = pd.Categorical(
            sums["decile"].astype(str),
            categories=list(group_labels(np.arange(1, n_groups + 1), n_groups, totals).categories),
            ordered=True,
        )
        table["persons"] = sums["persons"]
        table["population_share"] = sums["persons"] / national_persons
        table["mean_welfare_baseline"] = sums["welfare_baseline"] / sums["persons"]
        table["mean_welfare"] = sums["welfare"] / sums["persons"]
        table["mean_gain"] = sums["gain"] / sums["persons"]
        table["relative_gain"] = sums["gain"] / sums["welfare_baseline"]
        table["gain_share"] = sums["gain"] / national_gain if national_gain != 0 else np.nan
        table["spending"] = sums["spending"]
        table["spending_share"] = sums["spending"] / national_spending if national_spending != 0 else np.nan
        table["winners"] = sums["winners"] / sums["persons"]
        table["losers"] = sums["losers"] / sums["persons"]
        table["unchanged"] = 1.0 - table["winners"] - table["losers"]
        tables.append(table.sort_values([*keys, "decile"], kind="stable"))
    if not tables:
        raise AnalysisError("distribution_table needs at least one scenario.")
    return pd.concat(tables, ignore_index=True)
