"""The tidy tables of a report as files: ``<name>.csv`` (UTF-8, comma-separated, raw units) and ``<name>.parquet``.

CSV and Parquet hold the same DataFrames (``tables.ReportData.tables``): plain column types, raw units (currency per
year, fractions), one row per observation, column names as in ``simulations.analysis``.
"""

from __future__ import annotations

from pathlib import Path

from simulations.reports.tables import ReportData

FORMATS = ("csv", "parquet")


def write_tables(report: ReportData, folder: str | Path) -> list[Path]:
    """Write every table as CSV and Parquet into ``folder`` (a staging folder: ``outputs.write_outputs``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in report.tables.items():
        csv = folder / f"{name}.csv"
        table.to_csv(csv, index=False)
        parquet = folder / f"{name}.parquet"
        table.to_parquet(parquet, index=False)
        written += [csv, parquet]
    return written
