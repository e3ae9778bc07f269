"""Reports: turning results into files and tables people read.

``build_report(results, reform)`` gives the tidy tables of a reform (``ReportData.tables``: headline with
confidence intervals, poverty, inequality, cost, deciles, coverage, targeting, by group, parameters changed);
``write_outputs(results, [reform, ...], out)`` writes summary.json, the tables (CSV, Parquet), the Excel workbook,
the charts (PNG, SVG) and the HTML report, all or nothing. The writers of each format live in ``tabular.py``,
``excel.py``, ``charts.py`` and ``html.py``; every label in ``labels.py``; every number
is written by ``numbers.py``.
"""

from floorsim.simulations.reports.errors import ReportError
from floorsim.simulations.reports.labels import Labels, available_languages, get_labels
from floorsim.simulations.reports.numbers import format_number
from floorsim.simulations.reports.outputs import write_outputs, write_report_files
from floorsim.simulations.reports.tables import TABLE_NAMES, ReportData, build_report

__all__ = [
    "TABLE_NAMES",
    "Labels",
    "ReportData",
    "ReportError",
    "available_languages",
    "build_report",
    "format_number",
    "get_labels",
    "write_outputs",
    "write_report_files",
]
