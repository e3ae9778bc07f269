"""Options shared by several commands, with the same name, type, help and default wherever they mean the same.

Each alias is an ``Annotated`` type for a command's parameter; the default goes in the signature
(``country: CountryOption = DEFAULT_COUNTRY``) so that ``--help`` shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_COUNTRY = "timor_leste"
DEFAULT_YEAR = 2025
DEFAULT_OUT = Path("floorsim-output")

CountryOption = Annotated[
    str, typer.Option(help="Country package: the name of one shipped with floorsim (timor_leste, ...) or a folder "
                      "holding a floorsim.yaml.")
]
"""``--country`` of the commands that take a package name only."""

CountryOrConfigOption = Annotated[
    str, typer.Option(help="Country package: the name of one shipped with floorsim (timor_leste, ...), a folder "
                      "holding a floorsim.yaml, or the path of that file.")
]
"""``--country`` of the commands that also take the path of a ``floorsim.yaml``."""

YearOption = Annotated[int, typer.Option(help="Simulated year.")]
"""``--period`` of the commands that simulate one whole year."""

JobsOption = Annotated[
    int, typer.Option(help="Worker processes (-1: chosen by the engine, one where two do not pay; 1: no parallelism; "
                           "never more than cores or chunks).")
]
"""``--jobs``: engine worker processes, default -1 (the engine chooses: floorsim.simulations.engine.plan); 0 and values below -1 are refused by the engine
(``floorsim.simulations.engine.backends.check_jobs``), and more than the cores or chunks are not started."""

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
"""``--json`` of the commands whose normal output is terminal tables."""

TableFormatsOption = Annotated[
    str, typer.Option("--formats", help="Formats of the tables in tables/, comma-separated: csv, parquet, dta (Stata, "
                      "with variable and value labels).")
]
"""``--formats`` of the commands that write tidy tables (``floorsim.simulations.reports.tabular.ALL_FORMATS``)."""
DEFAULT_TABLE_FORMATS = "csv,parquet"

CsvDialectOption = Annotated[
    str, typer.Option("--csv-dialect", help="CSV style: default (UTF-8, comma, decimal point) or excel-eu (UTF-8 with "
                      "BOM, semicolon, decimal comma: opens in Excel in French, Portuguese or Spanish locales).")
]
"""``--csv-dialect`` (``floorsim.simulations.reports.tabular.CSV_DIALECTS``)."""
