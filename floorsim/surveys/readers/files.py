"""Reading one source file (CSV, Parquet, Stata, SPSS) into a pandas table, as the file holds it.

No column is renamed or converted here: that is the mapping's job (:mod:`floorsim.surveys.readers.mapped`). The only
choices made are those that keep values exact and formats interchangeable:

- CSV floats are parsed with round-trip precision, so a CSV written from a table reads back to the same bits;
- Stata and SPSS files are read with pyreadstat; with ``value_labels`` on, labelled codes become their labels
  (codes without a label keep their value), and user-defined missing values become missing; ``values_of`` chooses
  codes or labels column by column (a mapping's per-variable ``values:``);
- Stata has no missing value for strings: its empty string ``""`` is the missing string, and is read as missing;
- pandas' extension dtypes are turned into plain numpy/object columns, so every format gives the same dtypes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError

# pandas 3 parses CSV floats exactly by default (and deprecates the option); older pandas needs to be asked.
_CSV_PRECISION = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
}


def read_table(
    path: str | Path,
    *,
    value_labels: bool = True,
    csv_separator: str = ",",
    csv_decimal: str = ".",
    encoding: str | None = None,
    values_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read the table in ``path``; the format follows the file's extension (see :data:`FORMATS`).

    Args:
        path: a ``.csv``/``.tsv``/``.txt``, ``.parquet``/``.pq``, ``.dta`` or ``.sav``/``.zsav`` file.
        value_labels: Stata/SPSS only: replace labelled codes by their value labels.
        csv_separator, csv_decimal, encoding: CSV only (``encoding`` also for Stata/SPSS when given).
        values_of: Stata/SPSS only: ``{column: "codes" | "labels"}`` overriding ``value_labels`` for those columns.

    Returns:
        The table with numeric columns as float64/int64/bool and text as object columns (missing values NaN).

    Raises:
        SurveyError: the file is absent, its extension unknown, or it cannot be read in its format.
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyError("survey file not found", source=str(path))
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SurveyError(
            f"unknown file type {path.suffix!r}: floorsim reads {sorted(FORMATS)}", source=str(path)
        )
    try:
        if kind == "csv":
            sep = "\t" if path.suffix.lower() == ".tsv" and csv_separator == "," else csv_separator
            table = pd.read_csv(path, sep=sep, decimal=csv_decimal, encoding=encoding, **_CSV_PRECISION)
        elif kind == "parquet":
            table = pd.read_parquet(path)
        else:
            import pyreadstat

            reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
            options = {"encoding": encoding} if encoding else {}
            table, meta = reader(path, apply_value_formats=False, **options)
            table = with_value_labels(table, meta.variable_value_labels, value_labels, values_of or {})
            if kind == "stata":
                table = stata_empty_strings_missing(table)
    except SurveyError:
        raise
    except Exception as error:  # each library raises its own exception types for a malformed file
        raise SurveyError(f"cannot be read as a {kind} file: {error}", source=str(path)) from None
    return plain_columns(table)


def with_value_labels(
    table: pd.DataFrame, labels: Mapping[str, Mapping[object, str]], default: bool, values_of: Mapping[str, str]
) -> pd.DataFrame:
    """``table`` (codes, as read) with the labelled columns that are to be read as labels replaced by their value
    labels: a column follows ``values_of`` when it names it, else ``default``. Codes without a label keep their
    value and missing codes stay missing (as pyreadstat's ``apply_value_formats``)."""
    table = table.copy()
    for column, value_labels in labels.items():
        if column not in table.columns or values_of.get(column, "labels" if default else "codes") != "labels":
            continue
        codes = table[column]
        table[column] = codes.astype(object).map(lambda code: value_labels.get(code, code)).where(codes.notna(), np.nan)
    return table


def stata_empty_strings_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Stata's missing string is the empty string ``""`` (Stata, ``help missing``: "the empty string is missing for
    string variables"): in text columns it becomes missing (NaN), as a numeric ``.`` does."""
    text = [name for name in table.columns if pd.api.types.is_string_dtype(table[name].dtype)]
    if not text:
        return table
    table = table.copy()
    for name in text:
        column = table[name]
        table[name] = column.where(column.ne(""), np.nan)
    return table


def plain_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Columns as numpy float64/int64/bool or object, whatever dtype backend the reader used."""
    columns = {}
    for name in table.columns:
        column = table[name]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            column = column.astype(object)
        elif pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
            column = column.astype(bool)
        elif pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
            column = column.astype(np.int64)
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            column = column.astype(np.float64)
        else:
            column = column.astype(object).where(column.notna(), np.nan)
        columns[str(name)] = column.to_numpy()
    return pd.DataFrame(columns, index=pd.RangeIndex(len(table)))
