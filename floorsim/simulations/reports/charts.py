"""Charts of a report (matplotlib, no screen needed): each is written as PNG and SVG.

===================  ========================================================================================
chart                what it shows
===================  ========================================================================================
``deciles``          gain by decile of baseline welfare, % of baseline welfare, with 95 % confidence intervals
``poverty``          poverty headcount, poverty gap and Gini before and after the reform, with 95 % CIs
``cost``             annual cost by programme, baseline and reform
``coverage``         share of each population group living in a household receiving a cash transfer
``winners_losers``   shares of persons gaining, losing and unchanged, by decile
``lorenz``           Lorenz curves of welfare per capita, baseline and reform (``curves.py``)
``concentration``    concentration curves of each programme's benefits by rank in baseline welfare
===================  ========================================================================================

Every chart is a function ``ReportData → Figure`` (matplotlib's object API, without pyplot, so that drawing the
charts never changes the backend of a notebook or a program); :func:`write_charts` saves them, or helper processes
do (``chart_process.py``). Text comes from the labels. matplotlib is imported when a chart is drawn, not with this
module: a process that only hands the charts to helpers never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from floorsim.simulations.reports.numbers import format_number, shown_unit
from floorsim.simulations.reports.tables import ReportData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg")
BASELINE_COLOUR = "#9aa5b1"
REFORM_COLOUR = "#1f5fa8"
GAIN_COLOUR = "#2e8540"
LOSS_COLOUR = "#c0392b"
NEUTRAL_COLOUR = "#d9dde2"
DPI = 150
STYLE = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e7ea",
    "axes.axisbelow": True,
    "svg.hashsalt": "floorsim",  # stable ids in SVG files
}


def _errors(estimate: pd.Series, low: pd.Series, high: pd.Series, scale: float = 1.0) -> np.ndarray | None:
    """Error-bar lengths below and above, or None when no interval is known."""
    lo, hi = low.to_numpy(np.float64), high.to_numpy(np.float64)
    if np.isnan(lo).all():
        return None
    value = estimate.to_numpy(np.float64)
    return np.vstack([np.nan_to_num(value - lo), np.nan_to_num(hi - value)]) * scale


def _figure(**options: object) -> Figure:
    """A new matplotlib Figure (matplotlib imported on first use)."""
    from matplotlib.figure import Figure

    return Figure(**options)


def _wrap(text: str, width: int = 38) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def deciles_chart(report: ReportData) -> Figure:
    """Gain by decile as % of baseline welfare, with its 95 % CI."""
    labels = report.labels
    table = report.tables["deciles"]
    table = table[table["decile"] != "all"]
    figure = _figure(figsize=(7.5, 4.2))
    axis = figure.subplots()
    errors = _errors(table["relative_gain"], table["relative_gain_ci_low"], table["relative_gain_ci_high"], 100)
    values = 100 * table["relative_gain"].to_numpy(np.float64)
    colours = [GAIN_COLOUR if v >= 0 else LOSS_COLOUR for v in values]
    axis.bar(table["decile"], values, color=colours, yerr=errors, capsize=3, ecolor="#333333", width=0.7)
    tops = values + (errors[1] if errors is not None else 0)
    bottoms = values - (errors[0] if errors is not None else 0)
    for x, value, top, bottom in zip(table["decile"], values, tops, bottoms, strict=True):
        axis.annotate(format_number(value / 100, "points1", labels), (x, top if value >= 0 else bottom),
                      textcoords="offset points",
                      xytext=(0, 3 if value >= 0 else -11), ha="center", fontsize=8)
    axis.axhline(0, color="#555555", linewidth=0.8)
    axis.set_title(labels["chart.deciles.title"])
    axis.set_ylabel(labels["chart.deciles.y"])
    axis.set_xlabel(labels["chart.deciles.x"])
    axis.grid(axis="x", visible=False)
    figure.text(0.01, 0.01, labels["chart.ci_note"], fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def poverty_chart(report: ReportData) -> Figure:
    """Headcount, poverty gap and Gini, baseline and reform, with 95 % CIs (in points: % or x100); titles name the
    run's poverty line."""
    labels = report.labels
    panels = [("poverty", "poverty_headcount"), ("poverty", "poverty_gap"), ("inequality", "gini")]
    figure = _figure(figsize=(9, 3.6))
    axes = figure.subplots(1, 3)
    for axis, (table_name, indicator) in zip(axes, panels, strict=True):
        table = report.tables[table_name]
        rows = table[(table["indicator"] == indicator) & (table["side"] != "change")].set_index("side").loc[
            list(report.scenario_sides)
        ]
        first = rows.iloc[0]
        title = f"{first['label']} ({shown_unit(first['kind'], first['unit'], labels, report.context['currency'])})"
        values = 100 * rows["estimate"].to_numpy(np.float64)
        errors = _errors(rows["estimate"], rows["ci_low"], rows["ci_high"], 100)
        names = [labels[f"col.{side}"] for side in report.scenario_sides]
        axis.bar(names, values, color=[BASELINE_COLOUR, REFORM_COLOUR][: len(names)], yerr=errors, capsize=4, ecolor="#333333",
                 width=0.6)
        for x, value in zip(names, values, strict=True):
            axis.annotate(format_number(value / 100, "points", labels), (x, value / 2), ha="center", va="center",
                          fontsize=9, color="white", fontweight="bold")
        change = table[(table["indicator"] == indicator) & (table["side"] == "change")]
        if len(change):
            shown = format_number(float(change["estimate"].iloc[0]), "points", labels, change=True)
            axis.set_xlabel(f"{labels['col.change']}: {shown}")
        axis.set_title(_wrap(title, 28), fontsize=10)
        axis.grid(axis="x", visible=False)
        top = np.nanmax(values + (errors[1] if errors is not None else 0))
        axis.set_ylim(0, top * 1.18 if top > 0 else 1)
    figure.suptitle(report.label("chart.poverty.title"), fontweight="bold")
    figure.text(0.01, 0.01, labels["chart.ci_note"], fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    return figure


def _bars(report: ReportData, height: float) -> list[tuple[float, str, str]]:
    """(offset, side, colour) of the bars of each row: baseline above reform, or the baseline alone centred."""
    if report.baseline_only:
        return [(0.0, "baseline", BASELINE_COLOUR)]
    return [(height / 2, "baseline", BASELINE_COLOUR), (-height / 2, "reform", REFORM_COLOUR)]


def cost_chart(report: ReportData) -> Figure:
    """Annual cost of each programme (and of all), baseline and reform (currency million)."""
    labels = report.labels
    table = report.tables["cost"]
    names = list(dict.fromkeys(table["programme"]))
    wide = table.pivot(index="programme", columns="side", values="cost").loc[names] / 1e6
    captions = [_wrap(label, 40) for label in table.drop_duplicates("programme").set_index("programme").loc[names,
                                                                                                              "programme_label"]]
    figure = _figure(figsize=(7.5, 1.2 + 0.75 * len(names)))
    axis = figure.subplots()
    positions = np.arange(len(names))[::-1]
    height = 0.38
    for offset, side, colour in _bars(report, height):
        values = wide[side].to_numpy(np.float64)
        axis.barh(positions + offset, values, height=height, color=colour, label=labels[f"col.{side}"])
        for y, value in zip(positions + offset, values, strict=True):
            axis.annotate(format_number(value, "decimal2", labels), (value, y), textcoords="offset points",
                          xytext=(3, 0), va="center", fontsize=8)
    axis.set_yticks(positions, captions)
    axis.set_xlabel(labels.text("chart.cost.x", currency=report.context["currency"]))
    axis.set_title(labels["chart.cost.title"])
    axis.grid(axis="y", visible=False)
    axis.set_xlim(0, float(np.nanmax(wide.to_numpy())) * 1.15 or 1)
    handles, names_ = axis.get_legend_handles_labels()
    figure.legend(handles, names_, loc="lower center", ncol=2, frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def coverage_chart(report: ReportData) -> Figure:
    """Coverage of each population group, baseline and reform (%)."""
    labels = report.labels
    table = report.tables["coverage"]
    keys = list(dict.fromkeys(zip(table["group_variable"], table["group"], strict=True)))
    captions = table.drop_duplicates(["group_variable", "group"]).set_index(["group_variable", "group"])["group_label"]
    figure = _figure(figsize=(7.5, 1.2 + 0.28 * len(keys)))
    axis = figure.subplots()
    positions = np.arange(len(keys))[::-1]
    height = 0.4
    for offset, side, colour in _bars(report, height):
        part = table[table["side"] == side].set_index(["group_variable", "group"])
        values = 100 * part.loc[keys, "coverage"].to_numpy(np.float64)
        axis.barh(positions + offset, values, height=height, color=colour, label=labels[f"col.{side}"])
    axis.set_yticks(positions, [captions.loc[key] for key in keys], fontsize=8)
    axis.set_xlim(0, 100)
    axis.set_xlabel(labels["chart.coverage.x"])
    axis.set_title(labels["chart.coverage.title"])
    axis.grid(axis="y", visible=False)
    axis.legend(loc="lower right", frameon=False, fontsize=8)
    figure.tight_layout()
    return figure


def winners_losers_chart(report: ReportData) -> Figure:
    """Shares of persons gaining, unchanged and losing, by decile (stacked to 100 %)."""
    labels = report.labels
    table = report.tables["deciles"]
    names = [labels["decile.all"] if d == "all" else d for d in table["decile"]]
    figure = _figure(figsize=(7.5, 4))
    axis = figure.subplots()
    bottom = np.zeros(len(table))
    for column, colour in (("winners", GAIN_COLOUR), ("unchanged", NEUTRAL_COLOUR), ("losers", LOSS_COLOUR)):
        values = 100 * table[column].to_numpy(np.float64)
        axis.bar(names, values, bottom=bottom, color=colour, label=labels[f"chart.winners_losers.{column}"], width=0.7)
        bottom += values
    axis.set_ylim(0, 100)
    axis.set_ylabel(labels["chart.winners_losers.y"])
    axis.set_xlabel(labels["chart.deciles.x"])
    axis.set_title(labels["chart.winners_losers.title"])
    axis.grid(axis="x", visible=False)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    figure.tight_layout()
    return figure


def lorenz_chart(report: ReportData) -> Figure:
    """Lorenz curves of welfare per capita, one per scenario, with the line of equality (``curves`` table)."""
    labels = report.labels
    text = labels.text
    table = report.tables["curves"]
    figure = _figure(figsize=(5.5, 5.2))
    axis = figure.subplots()
    axis.plot([0, 100], [0, 100], color="#555555", linewidth=0.8, linestyle="--", label=text("chart.lorenz.equality"))
    for side, colour in (("baseline", BASELINE_COLOUR), ("reform", REFORM_COLOUR)):
        rows = table[(table["curve"] == "lorenz") & (table["side"] == side)]
        if len(rows):
            axis.plot(100 * rows["population_share"], 100 * rows["share"], color=colour, linewidth=1.8,
                      label=labels[f"col.{side}"])
    axis.set_xlim(0, 100)
    axis.set_ylim(0, 100)
    axis.set_title(text("chart.lorenz.title"))
    axis.set_xlabel(text("chart.lorenz.x"))
    axis.set_ylabel(text("chart.lorenz.y"))
    axis.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    return figure


def concentration_chart(report: ReportData) -> Figure:
    """Concentration curves of each programme's benefits (persons ranked by baseline welfare): solid in the reform
    (or current law in a baseline-only report), dotted at baseline where the reform changes it."""
    text = report.labels.text
    table = report.tables["curves"]
    table = table[table["curve"] == "concentration"]
    programmes = report.context["programmes"]
    figure = _figure(figsize=(7.5, 5.2))
    axis = figure.subplots()
    axis.plot([0, 100], [0, 100], color="#555555", linewidth=0.8, linestyle="--", label=text("chart.lorenz.equality"))
    shown = "baseline" if report.baseline_only else "reform"
    import matplotlib

    colours = matplotlib.colormaps["tab10"].colors
    for index, (programme, rows) in enumerate(table[table["side"] == shown].groupby("programme", sort=False)):
        colour = colours[index % len(colours)]
        axis.plot(100 * rows["population_share"], 100 * rows["share"], color=colour, linewidth=1.6,
                  label=_wrap(programmes.get(programme, programme), 48))
        before = table[(table["side"] == "baseline") & (table["programme"] == programme)]
        if shown == "reform" and len(before) and not np.allclose(before["share"].to_numpy(), rows["share"].to_numpy()):
            axis.plot(100 * before["population_share"], 100 * before["share"], color=colour, linewidth=1.0,
                      linestyle=":")
    axis.set_xlim(0, 100)
    axis.set_ylim(0, 100)
    axis.set_title(text("chart.concentration.title"))
    axis.set_xlabel(text("chart.concentration.x"))
    axis.set_ylabel(text("chart.concentration.y"))
    axis.legend(loc="upper left", frameon=False, fontsize=7)
    figure.tight_layout()
    return figure


# Charts that only a comparison with a reform has (gains and losses).
REFORM_ONLY_CHARTS = ("deciles", "winners_losers")
CHARTS: dict[str, Callable[[ReportData], Figure]] = {
    "deciles": deciles_chart,
    "poverty": poverty_chart,
    "cost": cost_chart,
    "coverage": coverage_chart,
    "winners_losers": winners_losers_chart,
    "lorenz": lorenz_chart,
    "concentration": concentration_chart,
}


def chart_names(report: ReportData) -> list[str]:
    """The charts a report has, in ``CHARTS`` order (a baseline-only report has no gains or losses)."""
    return [name for name in CHARTS if not (report.baseline_only and name in REFORM_ONLY_CHARTS)]


def warm_up(stream: object) -> None:
    """Draw a small chart with text into ``stream`` as PNG and SVG: matplotlib, its fonts and both backends
    loaded before the first report's charts (a helper process does this while the estimates are computed)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure = _figure(figsize=(2, 1))
        axis = figure.subplots()
        axis.bar(["a", "b"], [1.0, 2.0], yerr=[0.1, 0.2], capsize=2)
        axis.annotate("1", (0, 1), fontsize=8, fontweight="bold")  # the regular and the bold font
        axis.set_title("warm-up")
        axis.legend(["a"], frameon=False)
        figure.suptitle("warm-up", fontweight="bold")
        figure.tight_layout()
        for extension in FORMATS:
            figure.savefig(stream, format=extension, dpi=DPI)


def draw_chart(report: ReportData, name: str, folder: str | Path) -> list[Path]:
    """Draw one chart of ``CHARTS`` and save it as ``<name>.png`` and ``<name>.svg`` in ``folder`` (which must
    exist); returns the two files. The same bytes in whichever process draws it (``chart_process.py``): the style
    is set here, SVG ids are salted and neither file carries a date."""
    import matplotlib

    folder = Path(folder)
    written = []
    with matplotlib.rc_context(STYLE):
        figure = CHARTS[name](report)  # a Figure of its own, outside pyplot: the caller's backend is left alone
        for extension in FORMATS:
            path = folder / f"{name}.{extension}"
            figure.savefig(path, dpi=DPI, metadata={"Date": None} if extension == "svg" else {"Software": None})
            written.append(path)
    return written


def write_charts(report: ReportData, folder: str | Path) -> list[Path]:
    """Draw every chart and save it as ``<name>.png`` and ``<name>.svg`` in ``folder``; returns the files.

    Write into a staging folder (``outputs.write_outputs`` does): a failure leaves the chart it was drawing
    unwritten, and the caller discards the folder. ``chart_process.ChartProcesses`` draws the same files in helper
    processes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [path for name in chart_names(report) for path in draw_chart(report, name, folder)]
