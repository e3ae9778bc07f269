"""A finished run's report as the JSON the web app serves (``GET /api/jobs/{id}/results``, the results page).

Pure functions of a :class:`~floorsim.simulations.reports.tables.ReportData`: they run in the worker process, which writes
their output to the result cache, so that the server's own process never holds a run's tables.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np

from floorsim.simulations.engine.reforms import ReformSpec
from floorsim.simulations.reports.tables import ReportData


def reform_dict(spec: ReformSpec) -> dict:
    """The reform as JSON data (the format of reform files)."""
    return spec.model_dump(mode="json", exclude_defaults=False)


def clean(value: Any) -> Any:
    """``value`` with numpy scalars, dates and paths made JSON-ready; NaN and infinities become ``None``."""
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (datetime.date, Path)):
        return str(value)
    return value


def records(table) -> list[dict]:
    """A tidy table as JSON records (NaN → null)."""
    return clean(table.to_dict(orient="records"))


def headline_records(report: ReportData) -> list[dict]:
    """One record per headline indicator: label, unit, kind and ``{estimate, ci_low, ci_high, se}`` for the
    baseline, the reform and the change."""
    table = report.tables["headline"]
    rows: dict[str, dict] = {}
    for row in table.to_dict(orient="records"):
        entry = rows.setdefault(
            row["indicator"],
            {"indicator": row["indicator"], "label": row["label"], "unit": row["unit"], "kind": row["kind"]},
        )
        entry[row["side"]] = {key: row[key] for key in ("estimate", "se", "ci_low", "ci_high")}
        entry["method"], entry["replicates"] = row["method"], row["replicates"]
    return clean(list(rows.values()))


def results_dict(job_id: str, reform: ReformSpec, report: ReportData) -> dict:
    """Everything the results page shows, as JSON."""
    tables = report.tables
    return {
        "job": job_id,
        "reform": reform_dict(reform),
        "context": clean(report.context),
        "headline": headline_records(report),
        "deciles": records(tables["deciles"]),
        "by_group": records(tables["by_group"]),
        "cost": records(tables["cost"]),
        "poverty": records(tables["poverty"]),
        "inequality": records(tables["inequality"]),
        "parameters": records(tables["parameters"]),
        "method": report.method,
    }
