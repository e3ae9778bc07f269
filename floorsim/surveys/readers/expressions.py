"""Evaluating one mapping entry (:class:`floorsim.surveys.mapping.VariableSpec`) on the rows of a source table.

Order of operations, for every variable: ``fill_missing`` on each source column read → the source (column,
constant, a generated row number, or a combination: ``sum``, ``difference``, ``household_total``) → ``recode`` → ``per`` and ``scale``
(value × per-month factor × scale) → ``clip``. Combinations work on numbers only; nothing is evaluated as code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.mapping import PER_MONTH, Expression, Operand, VariableSpec, canonical_code


@dataclass
class Rows:
    """The rows a variable is evaluated on, and how to name them in errors.

    Attributes:
        table: the source rows (a person file, a household file, or a one-file survey's person rows).
        source: the file the rows come from, for error messages.
        ids: identifier of each row for error messages (person or household ids, else 0-based row numbers).
        group: for each row, the 0-based code of its household; used by ``household_total``.
        members: the person rows summed by ``household_total`` (``None`` where it is not allowed).
        member_group: for each member row, the code of its household, or -1 when it has none.
        n_groups: number of household codes.
        id_kind: what ``ids`` are, in words, for error messages.
    """

    table: pd.DataFrame
    source: str
    ids: np.ndarray
    group: np.ndarray | None = None
    members: Rows | None = None
    member_group: np.ndarray | None = None
    n_groups: int = 0
    id_kind: str = "row numbers (0-based)"

    def ids_where(self, mask: np.ndarray) -> list[object]:
        """Ids of the rows where ``mask`` holds, each once, in row order."""
        return pd.unique(self.ids[np.asarray(mask, dtype=bool)]).tolist()


def evaluate(spec: VariableSpec, key: str, rows: Rows) -> pd.Series:
    """Values of the model variable ``key`` (e.g. ``"persons.age"``) on ``rows``, before type conversion.

    Returns an object or float64 series aligned with ``rows.table``; missing values are NaN/None.

    Raises:
        SurveyError: a source column is absent, a value used in arithmetic is not a number, a code is not in
            ``recode`` (and no ``other`` is given), or ``per``/``scale`` meet a value that is not a number.
    """
    n = len(rows.table)
    if spec.column is not None:
        values = _column(spec.column, spec, key, rows)
    elif spec.constant is not None:
        values = pd.Series([spec.constant] * n, dtype=object)
    elif spec.generate is not None:
        # ``row_number``: 1-based row of the data file, so that an id names the row a user sees in a spreadsheet.
        values = pd.Series(np.arange(1, n + 1, dtype=np.int64))
    elif spec.derive is not None:
        raise AssertionError("derived variables are built by the mapped reader, not here")
    else:
        values = pd.Series(_numeric_expression(spec, spec, key, rows), dtype=np.float64)
    if spec.recode is not None:
        values = _recode(values, spec, key, rows)
    if spec.per is not None or spec.scale is not None:
        numbers = _as_numbers(values, key, rows, what=f"column {spec.column!r}" if spec.column else "the value")
        factor = PER_MONTH[spec.per or "month"] * (1.0 if spec.scale is None else float(spec.scale))
        values = pd.Series(numbers * factor, dtype=np.float64)
    if spec.clip is not None:
        numbers = _as_numbers(values, key, rows, what=f"column {spec.column!r}" if spec.column else "the value")
        low = -np.inf if spec.clip[0] is None else spec.clip[0]
        high = np.inf if spec.clip[1] is None else spec.clip[1]
        values = pd.Series(np.clip(numbers, low, high), dtype=np.float64)
    return values.reset_index(drop=True)


def _column(name: str, spec: VariableSpec, key: str, rows: Rows) -> pd.Series:
    if name not in rows.table.columns:
        available = ", ".join(map(str, rows.table.columns[:40]))
        raise SurveyError(
            f"the mapping points to column {name!r}, which the file does not have (columns: {available})",
            source=rows.source,
            field=key,
        )
    values = rows.table[name].reset_index(drop=True)  # native dtype: numeric columns stay fast
    if spec.fill_missing is not None and values.isna().any():
        fill = spec.fill_missing
        if _is_number_column(values) and isinstance(fill, (int, float)) and not isinstance(fill, bool):
            values = values.astype(np.float64).fillna(float(fill))
        else:
            values = values.astype(object).where(values.notna(), fill)
    return values


def _numeric_expression(operand: Operand, spec: VariableSpec, key: str, rows: Rows) -> np.ndarray:
    n = len(rows.table)
    if isinstance(operand, str):
        return _as_numbers(_column(operand, spec, key, rows), key, rows, what=f"column {operand!r}")
    if isinstance(operand, (int, float)):
        return np.full(n, float(operand))
    assert isinstance(operand, Expression)
    if operand.sum is not None:
        return np.sum([_numeric_expression(item, spec, key, rows) for item in operand.sum], axis=0)
    if operand.difference is not None:
        first, *rest = [_numeric_expression(item, spec, key, rows) for item in operand.difference]
        return first - np.sum(rest, axis=0)
    return _household_total(operand.household_total or [], spec, key, rows)


def _household_total(columns: list[str], spec: VariableSpec, key: str, rows: Rows) -> np.ndarray:
    """Sum of ``columns`` over each row's household members; NaN where any member's value is missing."""
    members, group = rows.members, rows.member_group
    if members is None or group is None or rows.group is None:
        raise SurveyError("household_total is only available for household variables", source=rows.source, field=key)
    per_member = np.sum([_numeric_expression(name, spec, key, members) for name in columns], axis=0)
    inside = group >= 0
    missing = np.isnan(per_member) & inside
    values = np.where(missing[inside], 0.0, per_member[inside])
    totals = np.bincount(group[inside], weights=values, minlength=rows.n_groups)
    any_missing = np.bincount(group[missing], minlength=rows.n_groups) > 0
    totals[any_missing] = np.nan
    return totals[rows.group]


def _as_numbers(values: pd.Series, key: str, rows: Rows, what: str) -> np.ndarray:
    """``values`` as float64; a present value that is not a number is an error naming the rows."""
    if _is_number_column(values):
        return values.to_numpy(np.float64)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        examples = sorted({str(v) for v in values[bad]})[:5]
        raise SurveyError(
            f"{what} holds values that are not numbers (e.g. {examples}; rows are {rows.id_kind})",
            source=rows.source,
            field=key,
            rows=rows.ids_where(bad),
        )
    return numbers.to_numpy(np.float64)


def _is_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)


def _recode(values: pd.Series, spec: VariableSpec, key: str, rows: Rows) -> pd.Series:
    table = spec.recode or {}
    # Work on the distinct values only: surveys have millions of rows but few codes.
    position, uniques = pd.factorize(values, use_na_sentinel=True)
    present = position >= 0
    unique_codes = np.array([canonical_code(v) for v in uniques], dtype=object)
    unique_known = np.array([code in table for code in unique_codes], dtype=bool)
    known = np.where(present, unique_known[np.maximum(position, 0)] if len(uniques) else True, True)
    if not known.all() and spec.other is None:
        unknown = sorted({str(code) for code in unique_codes[~unique_known]})[:10]
        raise SurveyError(
            f"code(s) {unknown} of {spec.column or 'the source'!s} are not in the mapping's recode table"
            " (add them, or give 'other')",
            source=rows.source,
            field=f"{key}.recode",
            rows=rows.ids_where(~known),
        )
    unique_values = np.array([table.get(code, spec.other) for code in unique_codes] + [None], dtype=object)
    return pd.Series(unique_values[np.where(present, position, len(uniques))], dtype=object)
