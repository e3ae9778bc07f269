"""Files of a projection: the tidy table (CSV, Parquet), an Excel workbook, the chart of cost paths (PNG, SVG).

Everything is rendered in memory first; only then are the files written into a folder staged beside the output
folder, which replaces it in one rename (``floorsim.surveys.atomic.staged_folder``): an error while computing, rendering or
writing (a full disk) leaves the previous output folder as it was, never a mix of old and new files.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from floorsim.simulations.engine.microsimulation import BASELINE
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.runner import ALL, ProjectionResult
from floorsim.surveys.atomic import staged_folder

FILES = (
    "projection.csv",
    "projection.parquet",
    "projection.xlsx",
    "cross_checks.csv",
    "assumptions_by_year.csv",
    "cost_paths.png",
    "cost_paths.svg",
    "provenance.json",
)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _excel(result: ProjectionResult) -> bytes:
    try:
        import openpyxl  # noqa: F401 - pandas' engine; fail with a clear message when missing
    except ImportError:
        raise ProjectionError("writing the Excel workbook needs openpyxl: pip install 'openpyxl>=3.1'") from None
    buffer = io.BytesIO()
    provenance = pd.DataFrame(
        [{"key": key, "value": json.dumps(value, ensure_ascii=False, default=str)}
         for key, value in result.provenance.items()]
    )
    sheets = {
        "cost_pct_gdp": result.pivot("cost_pct_gdp").reset_index(),
        "additional_cost_pct_gdp": result.pivot("additional_cost_pct_gdp").reset_index(),
        "projection": result.table,
        "cross_checks": result.cross_checks,
        "assumptions_by_year": result.macro,
        "indexation": result.indexation,
        "calibration": result.calibration,
        "provenance": provenance,
    }
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for column in sheet.columns:
                width = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    return buffer.getvalue()


def cost_paths_figure(result: ProjectionResult):
    """Two panels: cost of all transfers, and additional cost over the baseline, in % of GDP, one line per scenario."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4.2), layout="constrained")
    axes = figure.subplots(1, 2)
    panels = (
        ("cost_pct_gdp", "Cost of all transfers"),
        ("additional_cost_pct_gdp", "Additional cost over the baseline"),
    )
    colours = {scenario: f"C{position % 10}" for position, scenario in enumerate(result.scenarios)}
    for axis, (indicator, title) in zip(axes, panels):
        pivot = result.pivot(indicator, ALL)
        for scenario in pivot.columns:
            if indicator.startswith("additional") and scenario == BASELINE:
                continue
            axis.plot(pivot.index, pivot[scenario], marker="o", markersize=3, label=scenario, color=colours[scenario])
        axis.set_title(title)
        axis.set_xlabel("year")
        axis.set_ylabel("% of GDP")
        axis.grid(alpha=0.3)
        axis.set_xticks(list(pivot.index)[:: max(1, -(-len(pivot.index) // 11))])
        if axis.get_lines():
            axis.legend(fontsize="small")
    label = result.assumptions.label or result.assumptions.name
    synthetic = result.provenance.get("survey", {}).get("synthetic")
    figure.suptitle(f"{label}{' (synthetic survey)' if synthetic else ''}", fontsize="medium")
    return figure


def _figure_bytes(figure, kind: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Date": None} if kind == "svg" else {"Software": None}
    figure.savefig(buffer, format=kind, dpi=150, metadata=metadata)
    return buffer.getvalue()


def render_outputs(result: ProjectionResult) -> dict[str, bytes]:
    """Every output file's name and bytes (nothing is written)."""
    figure = cost_paths_figure(result)
    return {
        "projection.csv": _csv(result.table),
        "projection.parquet": _parquet(result.table),
        "projection.xlsx": _excel(result),
        "cross_checks.csv": _csv(result.cross_checks),
        "assumptions_by_year.csv": _csv(result.macro),
        "cost_paths.png": _figure_bytes(figure, "png"),
        "cost_paths.svg": _figure_bytes(figure, "svg"),
        "provenance.json": (json.dumps(result.provenance, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    }


def write_outputs(result: ProjectionResult, folder: str | Path) -> list[Path]:
    """Render every output in memory, then write them into a staged folder that replaces ``folder`` whole (an
    existing folder must be an earlier projection: it holds one of ``FILES``); the paths written."""
    rendered = render_outputs(result)
    with staged_folder(folder, marker=FILES) as staging:
        for name, data in rendered.items():
            (staging / name).write_bytes(data)
    return [Path(folder) / name for name in rendered]
