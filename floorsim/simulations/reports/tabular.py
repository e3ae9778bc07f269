"""The tidy tables of a report as files: ``<name>.csv`` (UTF-8, comma-separated, raw units), ``<name>.parquet`` and,
on request, ``<name>.dta`` (Stata).

CSV, Parquet and Stata hold the same DataFrames (``tables.ReportData.tables``): plain column types, raw units
(currency per year, fractions), one row per observation, column names as in ``floorsim.simulations.analysis``.

- CSV dialects (``--csv-dialect``): ``default`` is UTF-8, comma, decimal point (what pandas, R and Python read);
  ``excel-eu`` is what Excel opens directly in French, Portuguese, Spanish or German locales: UTF-8 with a byte
  order mark (so accents survive), semicolon separator, decimal comma. The numbers are the same in both (written
  with round-trip precision); ``pandas.read_csv(path, sep=";", decimal=",")`` reads an ``excel-eu`` file back equal.
- Stata ``.dta`` (``--formats ...,dta``; pyreadstat's Stata 15 format, UTF-8): written with pyreadstat, each
  variable with a label in the run's language (``dta.<column>`` of ``labels.py``, else its name in words), and the categorical text columns
  (:data:`DTA_CATEGORICAL`) as integer codes carrying value labels, as Stata users expect (``tabulate side`` shows
  the words). Missing numbers are Stata's ``.``; missing text is ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from floorsim.simulations.reports.errors import ReportError
from floorsim.simulations.reports.labels import ENGLISH, Labels
from floorsim.simulations.reports.tables import ReportData

FORMATS = ("csv", "parquet")
"""The formats written by default."""
ALL_FORMATS = ("csv", "parquet", "dta")
"""Every format a table can be written in (``--formats``)."""


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: text encoding, field separator and decimal mark."""

    encoding: str
    separator: str
    decimal: str


CSV_DIALECTS: dict[str, CsvDialect] = {
    "default": CsvDialect("utf-8", ",", "."),
    # "utf-8-sig" writes the byte order mark Excel needs to read UTF-8; ";" and "," are the separator and
    # decimal mark of Excel's list separator in locales whose decimal mark is a comma (fr, pt, es, de...)
    "excel-eu": CsvDialect("utf-8-sig", ";", ","),
}

# Text columns written to Stata as integer codes with value labels (few distinct values, used to tabulate).
DTA_CATEGORICAL = ("side", "scenario", "measure", "method", "kind", "curve", "group_variable", "option")
# Variable labels (Stata: at most 80 characters) are the labels ``dta.<column>`` of ``labels.py``, in the run's
# language; ``<column>_se``/``_ci_low``/``_ci_high`` are labelled from their column's label; other columns get
# their name in words.
DTA_LABEL_PREFIX = "dta."
DTA_STATISTICS = ("se", "ci_low", "ci_high")


def write_tables(report: ReportData, folder: str | Path, *, formats: Sequence[str] = FORMATS,
                 csv_dialect: str = "default") -> list[Path]:
    """Write every table of ``report`` in each of ``formats`` into ``folder`` (a staging folder:
    ``outputs.write_outputs``); returns the files written. Stata variable labels in the report's language."""
    return write_named_tables(report.tables, folder, formats=formats, csv_dialect=csv_dialect, labels=report.labels)


def write_named_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path, *, formats: Sequence[str] = FORMATS,
                       csv_dialect: str = "default", labels: Labels | None = None) -> list[Path]:
    """Write ``{name: table}`` as ``<name>.<format>`` for each of ``formats`` (``ALL_FORMATS``) into ``folder``
    (Stata variable labels in ``labels``' language, English by default)."""
    check_formats(formats, csv_dialect)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        for kind in formats:
            path = folder / f"{name}.{kind}"
            if kind == "csv":
                write_csv(table, path, csv_dialect)
            elif kind == "parquet":
                table.to_parquet(path, index=False)
            else:
                write_dta(table, path, labels)
            written.append(path)
    return written


def check_formats(formats: Sequence[str], csv_dialect: str = "default") -> None:
    """Refuse unknown formats or CSV dialects with a :class:`ReportError` naming the choices."""
    unknown = [kind for kind in formats if kind not in ALL_FORMATS]
    if unknown or not formats:
        raise ReportError(f"--formats: unknown table format(s) {unknown or '(none given)'}; choose among "
                          f"{', '.join(ALL_FORMATS)}")
    if csv_dialect not in CSV_DIALECTS:
        raise ReportError(f"--csv-dialect: unknown dialect {csv_dialect!r}; choose among {', '.join(CSV_DIALECTS)}")


def parse_formats(text: str) -> tuple[str, ...]:
    """``"csv,dta"`` → ``("csv", "dta")`` (spaces and case ignored, duplicates dropped), checked."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    check_formats(formats)
    return formats


def write_csv(table: pd.DataFrame, path: Path, dialect: str = "default") -> Path:
    """``table`` as CSV in ``dialect`` (:data:`CSV_DIALECTS`), floats with round-trip precision."""
    style = CSV_DIALECTS[dialect]
    if style == CSV_DIALECTS["default"]:
        table.to_csv(path, index=False)  # pandas' own defaults: the files written before dialects existed
    else:
        table.to_csv(path, index=False, sep=style.separator, decimal=style.decimal, encoding=style.encoding,
                     float_format=_round_trip(style.decimal))
    return path


def _round_trip(decimal: str):
    """A float formatter writing the shortest text that reads back to the same float (``repr``), with ``decimal``
    as the decimal mark (pandas' ``decimal`` option is ignored when ``float_format`` is a callable)."""
    return lambda value: repr(float(value)).replace(".", decimal)


def write_dta(table: pd.DataFrame, path: Path, labels: Labels | None = None) -> Path:
    """``table`` as a Stata 14+ ``.dta`` file (pyreadstat), with variable labels in ``labels``' language, and value
    labels on the categorical text columns (see the module's docstring)."""
    import pyreadstat

    data: dict[str, object] = {}
    value_labels: dict[str, dict[int, str]] = {}
    names = _stata_names(list(table.columns))
    for column, name in zip(table.columns, names, strict=True):
        series = table[column]
        if pd.api.types.is_bool_dtype(series.dtype):
            data[name] = series.astype(np.int8)
            value_labels[name] = {0: "false", 1: "true"}
        elif pd.api.types.is_numeric_dtype(series.dtype):
            data[name] = series.astype(np.float64)
        elif column in DTA_CATEGORICAL:
            text = series.astype(object).where(series.notna(), "").astype(str)
            categories = list(dict.fromkeys(text))
            codes = {category: code for code, category in enumerate(categories, start=1)}
            data[name] = text.map(codes).astype(np.int32)
            value_labels[name] = {code: category for category, code in codes.items()}
        else:
            data[name] = series.astype(object).where(series.notna(), "").astype(str)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(table)))
    variable_labels = {name: dta_variable_label(str(column), labels)[:80]
                       for column, name in zip(table.columns, names, strict=True)}
    pyreadstat.write_dta(frame, str(path), column_labels=variable_labels, version=15,
                         variable_value_labels=value_labels)
    return path


def dta_variable_label(column: str, labels: Labels | None = None) -> str:
    """The Stata variable label of a table column in ``labels``' language: its label ``dta.<column>``; for
    ``<column>_se``, ``_ci_low``, ``_ci_high`` the column's label with the statistic (``Mean gain per person
    (currency per month): standard error``); else the name in words (``mean_gain_x`` → ``mean gain x``)."""
    labels = labels or Labels()
    if DTA_LABEL_PREFIX + column in ENGLISH:
        return labels[DTA_LABEL_PREFIX + column]
    for statistic in DTA_STATISTICS:
        stem = column.removesuffix(f"_{statistic}")
        if stem != column and DTA_LABEL_PREFIX + stem in ENGLISH:
            return labels.text(f"{DTA_LABEL_PREFIX}of_{statistic}", variable=labels[DTA_LABEL_PREFIX + stem])
    return column.replace("_", " ")


def _stata_names(columns: list[str]) -> list[str]:
    """Stata variable names: letters, digits and ``_``, not starting with a digit, at most 32 characters, distinct
    (the tables' names already are, except for length)."""
    names: list[str] = []
    for column in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", column) or "v"
        name = ("_" + name if name[0].isdigit() else name)[:32]
        stem, number = name, 1
        while name in names:
            suffix = f"_{number}"
            name, number = stem[: 32 - len(suffix)] + suffix, number + 1
        names.append(name)
    return names
