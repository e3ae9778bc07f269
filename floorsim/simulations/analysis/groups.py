"""Any indicator by population group, quantile groups of a person frame, and changes against a baseline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from floorsim.indicators import quantile_groups

from .errors import AnalysisError
from .frame import require_columns, weights_of, welfare_of

TOTAL_LABEL = "all"

IndicatorResult = float | Mapping[str, Any] | pd.Series | pd.DataFrame


def as_columns(groups: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by=`` argument to a list of column names."""
    if groups is None:
        return []
    return [groups] if isinstance(groups, str) else list(groups)


def by_group(
    frame: pd.DataFrame,
    groups: str | Sequence[str],
    indicator: Callable[[pd.DataFrame], IndicatorResult],
    *,
    total: bool = False,
    value_name: str = "value",
) -> pd.DataFrame:
    """Apply ``indicator`` to each population group and stack the results into one tidy table.

    Args:
        frame: a person frame (or any DataFrame).
        groups: one or more grouping columns (``"sex"``, ``["region", "urban"]``).
        indicator: a function of the group's rows returning a number (one column ``value_name``), a mapping or
            Series (one row, its keys as columns) or a DataFrame (its rows, the group columns prepended).
            Anything computed relative to the whole population — a national poverty line, national deciles —
            must be computed beforehand and captured by the function (or stored as a column), so that every
            group is judged by the same yardstick.
        total: also apply it to the whole frame, labelled ``"all"`` in every group column (the group columns
            are then converted to strings).
        value_name: column name for scalar results.

    Returns:
        The group columns followed by the indicator's columns; groups in sorted order, missing labels kept
        as their own group.
    """
    columns = as_columns(groups)
    require_columns(frame, columns, "by_group")
    if not columns:
        raise AnalysisError("by_group needs at least one grouping column.")
    pieces = []
    for keys, part in frame.groupby(columns, sort=True, dropna=False, observed=True):
        labels = dict(zip(columns, keys if isinstance(keys, tuple) else (keys,), strict=True))
        pieces.append(_with_labels(indicator(part), labels, value_name))
    if total:
        pieces = [p.astype({c: "string" for c in columns}) for p in pieces]
        pieces.append(
            _with_labels(indicator(frame), dict.fromkeys(columns, TOTAL_LABEL), value_name).astype(
                {c: "string" for c in columns}
            )
        )
    return pd.concat(pieces, ignore_index=True)


def _with_labels(result: IndicatorResult, labels: dict[str, Any], value_name: str) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        table = result.copy()
    elif isinstance(result, (pd.Series, Mapping)):
        table = pd.DataFrame([dict(result)])
    else:
        table = pd.DataFrame({value_name: [result]})
    for position, (name, label) in enumerate(labels.items()):
        if name in table.columns:
            table = table.drop(columns=name)
        table.insert(position, name, label)
    return table


def welfare_groups(frame: pd.DataFrame, scenario: str, n: int = 10) -> np.ndarray:
    """Person-weighted quantile group (1..n, 1 = poorest) of each person by ``welfare_<scenario>``.

    Deciles for ``n=10``, quintiles for ``n=5`` (``floorsim.indicators.quantile_groups``: a person exactly
    at a cut-point is in the lower group; household members are never split).
    """
    return quantile_groups(welfare_of(frame, scenario), weights_of(frame), n)


def group_labels(groups: np.ndarray, n: int, total: bool) -> pd.Categorical:
    """Group numbers as an ordered categorical of strings "1".."n" (and "all")."""
    categories = [str(k) for k in range(1, n + 1)] + ([TOTAL_LABEL] if total else [])
    return pd.Categorical([str(g) for g in groups], categories=categories, ordered=True)


def difference_from_baseline(
    table: pd.DataFrame, baseline: str, keys: Sequence[str], values: Sequence[str], scenario_column: str = "scenario"
) -> pd.DataFrame:
    """Scenario-minus-baseline differences of the ``values`` columns of a levels table, matched on ``keys``.

    Returns the rows of every scenario other than ``baseline`` with each value column replaced by its change.
    (For standard errors of changes use ``floorsim.simulations.analysis.uncertainty``, which pairs the scenarios on
    the same sample.)
    """
    require_columns(table, [scenario_column, *keys, *values], "difference_from_baseline")
    base = table[table[scenario_column] == baseline]
    if base.empty:
        raise AnalysisError(f"no rows for the baseline scenario {baseline!r}.")
    others = table[table[scenario_column] != baseline]
    merged = others.merge(base[[*keys, *values]], on=list(keys), how="left", suffixes=("", "__base"))
    for column in values:
        merged[column] = merged[column] - merged[f"{column}__base"]
    return merged[[scenario_column, *keys, *values]].reset_index(drop=True)
