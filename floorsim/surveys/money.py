"""Money × a factor: the one place where a survey's money columns are multiplied (a currency rate, a price factor).

Which columns hold money is the data model's rule (:func:`floorsim.surveys.model.is_money_column`: ``consumption``,
``income``, ``monthly_pension`` and every ``income_<component>``, in either table; all per month). Currency
conversion (``readers/currency.py``), static ageing (``floorsim.simulations.projections.ageing``) and the row groups of
a streamed survey (``streamed.py``, whose factor is applied when a row group is read) all scale through here, so that
the three always move the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from floorsim.surveys.model import is_money_column


def money_columns(columns: Iterable[object]) -> list[str]:
    """The names among ``columns`` that hold money (:func:`~floorsim.surveys.model.is_money_column`), in order."""
    return [str(name) for name in columns if is_money_column(str(name))]


def scaled_money(table: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``table`` with every money column × ``factor`` (float64); the table itself when ``factor`` is 1 (nothing is
    copied), otherwise a new table (the argument is not modified)."""
    columns = money_columns(table.columns)
    if factor == 1.0 or not columns:
        return table
    return table.assign(**{name: table[name].to_numpy(np.float64) * float(factor) for name in columns})
