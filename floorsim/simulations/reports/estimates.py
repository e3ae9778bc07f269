"""The tables of estimates with standard errors and confidence intervals: ``headline``, ``poverty`` and
``inequality`` (levels for the baseline and the reform, and the paired change; the baseline only for a
baseline-only run).

Every figure, its kind, unit and label comes from ``floorsim.simulations.analysis.headline``; the point estimates equal
``Results.headline`` (the same keys as ``summary.json``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from floorsim.indicators import IndicatorError, Statistic, generalized_entropy, palma, quintile_share_ratio
from floorsim.simulations.analysis import scenario_estimates
from floorsim.simulations.analysis.compact import Collapse
from floorsim.simulations.analysis.uncertainty import compacted_variance
from floorsim.simulations.analysis.frame import weights_of, welfare_of
from floorsim.simulations.analysis.headline import (
    REPLICATE_ONLY,
    figure_label,
    figure_list,
    figure_unit,
    headline_statistics,
    shown_figures,
    statistic_line,
)
from floorsim.simulations.engine.results import Results
from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.sampling import Uncertainty

BASELINE = "baseline"
POVERTY_INDICATORS = ("poverty_headcount", "poor_persons", "poverty_gap", "squared_poverty_gap")
INEQUALITY_INDICATORS = ("gini", "theil", "palma", "s80_s20", "mean_welfare")
SIDES = ("baseline", "reform", "change")


def _with_sides(table: pd.DataFrame) -> pd.DataFrame:
    """``side``: baseline, reform (levels) or change (reform − baseline)."""
    side = np.where(table["measure"] == "change", "change", np.where(table["scenario"] == BASELINE, "baseline", "reform"))
    table = table.copy()
    table.insert(table.columns.get_loc("scenario"), "side", side)
    table["replicates"] = table["replicates"].fillna(0).astype(int)
    return table


def _defined(function, *arguments, **keywords) -> float:
    """The indicator, or nan where it is undefined (e.g. an empty top quintile in a tiny sample)."""
    try:
        return float(function(*arguments, **keywords))
    except IndicatorError:
        return float("nan")


def _point_only(results: Results, frame: pd.DataFrame, reform: str | None, line: float | Statistic) -> pd.DataFrame:
    """Theil, Palma and S80/S20 without standard errors (linearisation has none for them); ``reform`` None: the
    baseline only."""
    weights = weights_of(frame)
    rows = []
    values = {}
    scenarios = [BASELINE] if reform is None else [BASELINE, reform]
    for scenario in scenarios:
        y = welfare_of(frame, scenario)
        values[scenario] = {
            "theil": _defined(generalized_entropy, y, weights, 1.0, nonpositive="drop"),
            "palma": _defined(palma, y, weights),
            "s80_s20": _defined(quintile_share_ratio, y, weights),
        }
    for indicator in REPLICATE_ONLY:
        sides = [(BASELINE, "level", values[BASELINE][indicator])]
        if reform is not None:
            sides += [(reform, "level", values[reform][indicator]),
                      (reform, "change", values[reform][indicator] - values[BASELINE][indicator])]
        for scenario, measure, value in sides:
            rows.append({"indicator": indicator, "scenario": scenario, "measure": measure, "estimate": value,
                         "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "level": 0.95, "method": "none",
                         "replicates": 0})
    return pd.DataFrame.from_records(rows)


def indicator_texts(results: Results, labels: Labels) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Label (with the run's poverty line), unit of the raw figure and kind of every estimated indicator, in the
    order of the tables."""
    spec = results.spec
    figures = figure_list(spec)
    return (
        {figure.key: figure_label(figure, spec, labels) for figure in figures},
        {figure.key: figure_unit(figure, spec, labels) for figure in figures},
        {figure.key: figure.kind for figure in figures},
    )


def _labelled(table: pd.DataFrame, results: Results, labels: Labels) -> pd.DataFrame:
    """``label``, ``unit`` and ``kind`` columns after ``indicator``; rows in the order of the figures, then of
    :data:`SIDES`."""
    texts, units, kinds = indicator_texts(results, labels)
    table = table.copy()
    table.insert(1, "label", table["indicator"].map(texts))
    table.insert(2, "unit", table["indicator"].map(units))
    table.insert(3, "kind", table["indicator"].map(kinds))
    table["_indicator"] = table["indicator"].map({key: i for i, key in enumerate(texts)})
    table["_side"] = table["side"].map({side: i for i, side in enumerate(SIDES)})
    return table.sort_values(["_indicator", "_side"]).drop(columns=["_indicator", "_side"])


def _selected(estimates: pd.DataFrame, keys: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """The rows of the indicators ``keys``, in that order (stable within an indicator)."""
    part = estimates[estimates["indicator"].isin(keys)].copy()
    part["_order"] = part["indicator"].map({k: i for i, k in enumerate(keys)})
    return part.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def estimate_tables(
    results: Results,
    frame: pd.DataFrame,
    reform: str | None,
    comparison: Mapping[str, Mapping[str, float]],
    uncertainty: Uncertainty,
    labels: Labels,
    collapsed: Collapse | None = None,
) -> dict[str, pd.DataFrame]:
    """The ``headline`` (the figures of the headline table, programmes paying nothing left out), ``poverty`` and
    ``inequality`` tables: one row per indicator and side, with ``estimate``, ``se``, ``ci_low``, ``ci_high``;
    ``reform`` None: the baseline side only (a baseline-only run)."""
    replicated = uncertainty.replicates is not None
    # persons collapsed to households: the same estimates on H rows (analysis.compact), replicated or linearised;
    # a relative line's linearisation is not the same on households (its density's bandwidth counts rows)
    fixed_line = results.spec.poverty_line.share_of_median is None
    frame, variance = compacted_variance(frame, uncertainty.variance, linearisation_exact=fixed_line,
                                         collapsed=collapsed)
    line = statistic_line(results, frame)
    estimates = scenario_estimates(
        frame, BASELINE, [] if reform is None else [reform], lambda s: headline_statistics(results, frame, s, line, replicated),
        **variance,
    )
    if not replicated:
        estimates = pd.concat([estimates, _point_only(results, frame, reform, line)], ignore_index=True)
    estimates = _labelled(_with_sides(estimates), results, labels)
    headline_keys = [figure.key for figure in shown_figures(results.spec, comparison)]
    return {
        "headline": _selected(estimates, headline_keys),
        "poverty": _selected(estimates, POVERTY_INDICATORS),
        "inequality": _selected(estimates, INEQUALITY_INDICATORS),
    }
