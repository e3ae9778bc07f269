"""The Excel workbook of a report (xlsxwriter): one sheet per table, numbers formatted, columns titled with units.

Cells hold numbers, not text: money totals in millions of the currency (the column says so), rates as fractions
shown as percentages, counts as numbers; so the workbook can be computed on. Sheets (names from ``labels.py``):
summary, cost, poverty, inequality, deciles, coverage and targeting, by group, parameters changed, provenance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from floorsim.simulations.reports.numbers import format_number
from floorsim.simulations.reports.tables import ReportData, flatten

WORKBOOK_FILE = "results.xlsx"

NUMBER_FORMATS = {
    "money_millions": "#,##0.00",
    "money": "#,##0",
    "money_month": "#,##0.00",
    "count": "#,##0",
    "rate": "0.00%",
    "percent": "0.0%",
    "points": "+0.00;-0.00;0.00",
    "points1_plain": "0.0",
    "index": "0.0000",
    "ratio": "0.000",
    "text": "@",
}


@dataclass(frozen=True)
class Column:
    """A column of a sheet: title, the value of a record, its format and width."""

    title: str
    value: Callable[[dict], object]
    kind: str = "text"
    width: float = 14


class _Sheets:
    """Formats shared by every sheet of one workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.title = workbook.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = workbook.add_format({**base, "bold": True, "font_size": 11})
        self.note = workbook.add_format({**base, "italic": True, "font_color": "#555555", "text_wrap": False})
        self.warning = workbook.add_format({**base, "bold": True, "font_color": "#9c2a00"})
        self.header = workbook.add_format(
            {**base, "bold": True, "text_wrap": True, "bottom": 1, "bg_color": "#e8eef6", "valign": "bottom"}
        )
        self.formats = {
            kind: workbook.add_format({**base, "num_format": pattern, **({"text_wrap": True} if kind == "text" else {})})
            for kind, pattern in NUMBER_FORMATS.items()
        }

    def table(self, sheet: Worksheet, row: int, columns: Sequence[Column], records: Sequence[dict],
              kinds: Sequence[Sequence[str]] | None = None) -> int:
        """Write a header and one row per record from ``row``; returns the next free row.

        ``kinds``, when given, overrides each cell's format (one list of kinds per record).
        """
        for col, column in enumerate(columns):
            sheet.write_string(row, col, column.title, self.header)
            sheet.set_column(col, col, column.width)
        sheet.set_row(row, 42)
        for index, record in enumerate(records, start=1):
            for col, column in enumerate(columns):
                kind = kinds[index - 1][col] if kinds is not None else column.kind
                value = column.value(record)
                cell_format = self.formats[kind]
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    sheet.write_blank(row + index, col, None, cell_format)
                elif isinstance(value, str):
                    sheet.write_string(row + index, col, value, cell_format)
                else:
                    sheet.write_number(row + index, col, float(value), cell_format)
        return row + len(records) + 2


# ----- estimates (summary, poverty, inequality) -----

_DISPLAY = {
    # kind of an indicator → (number format, scale, unit label key)
    "money": ("money_millions", 1e-6, "unit.money_millions"),
    "count": ("count", 1.0, None),
    "rate": ("rate", 1.0, None),
    "index": ("index", 1.0, None),
    "ratio": ("ratio", 1.0, None),
    "money_month": ("money_month", 1.0, None),
}


def _estimate_records(report: ReportData, table: pd.DataFrame) -> tuple[list[dict], list[list[str]]]:
    """One record per indicator: baseline, reform and change with their intervals, scaled for display."""
    labels = report.labels
    records, kinds = [], []
    for indicator, rows in table.groupby("indicator", sort=False):
        first = rows.iloc[0]
        number_format, scale, unit_key = _DISPLAY[first["kind"]]
        unit = labels.text(unit_key, currency=report.context["currency"]) if unit_key else first["unit"]
        record = {"indicator": indicator, "label": first["label"], "unit": unit}
        for _, row in rows.iterrows():
            side = row["side"]
            # a change of a rate is in percentage points on every sheet (as on the by-group and coverage sheets)
            factor = 100.0 if side == "change" and first["kind"] == "rate" else scale
            record[side] = row["estimate"] * factor
            record[f"{side}_low"] = row["ci_low"] * factor
            record[f"{side}_high"] = row["ci_high"] * factor
        if first["kind"] == "rate" and "change" in report.sides:
            record["unit"] = f"{unit}; {labels['col.change'].lower()}: {labels['unit.percentage_points']}"
        side_kinds = ["points" if side == "change" and first["kind"] == "rate" else number_format
                      for side in report.sides]
        records.append(record)
        kinds.append(["text", "text"] + [kind for kind in side_kinds for _ in range(3)] + ["text"])
    return records, kinds


def _estimate_columns(report: ReportData) -> list[Column]:
    labels = report.labels
    columns = [Column(labels["col.indicator"], lambda r: r["label"], width=46),
               Column(labels["col.unit"], lambda r: r["unit"], width=18)]
    for side in report.sides:
        columns += [
            Column(labels[f"col.{side}"], lambda r, s=side: r.get(s), width=14),
            Column(labels["col.ci_low"], lambda r, s=side: r.get(f"{s}_low"), width=12),
            Column(labels["col.ci_high"], lambda r, s=side: r.get(f"{s}_high"), width=12),
        ]
    columns.append(Column(labels["col.key"], lambda r: r["indicator"], width=26))
    return columns


def _summary_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels, context = report.labels, report.context
    sheet = sheets.workbook.add_worksheet(labels["sheet.summary"][:31])
    sheet.write_string(0, 0, report.title, sheets.title)
    sheet.write_string(1, 0, context["reform_label"], sheets.subtitle)
    what = report.label(
        "text.what", country=context["country"], year=context["year"], reform_label=context["reform_label"],
        survey=context["survey"], households=format_number(context["households"], "count", labels),
        persons=format_number(context["persons"], "count", labels),
        reference_year=context["reference_year"],
    )
    sheet.write_string(2, 0, what, sheets.note)
    row = 3
    for fact in context["year_facts"]:  # the population and the GDP the run used
        sheet.write_string(row, 0, fact, sheets.note)
        row += 1
    if context["synthetic"]:
        sheet.write_string(row, 0, labels["text.synthetic_warning"], sheets.warning)
        row += 1
    sheet.write_string(row, 0, report.label("text.headline_note", currency=context["currency"]), sheets.note)
    row += 2
    records, kinds = _estimate_records(report, report.tables["headline"])
    row = sheets.table(sheet, row, _estimate_columns(report), records, kinds)
    sheet.write_string(row, 0, labels["title.method"], sheets.subtitle)
    for offset, paragraph in enumerate(report.method, start=1):
        sheet.write_string(row + offset, 0, paragraph, sheets.note)
    sheet.freeze_panes(0, 1)


def _estimates_sheet(sheets: _Sheets, report: ReportData, name: str, title: str) -> None:
    sheet = sheets.workbook.add_worksheet(report.labels[f"sheet.{name}"][:31])
    sheet.write_string(0, 0, report.labels[title], sheets.title)
    records, kinds = _estimate_records(report, report.tables[name])
    sheets.table(sheet, 2, _estimate_columns(report), records, kinds)
    sheet.freeze_panes(3, 1)


# ----- the other sheets -----


def _by_side(table: pd.DataFrame, keys: list[str]) -> list[dict]:
    """Rows of a baseline/reform table merged side by side: ``{key..., "baseline": row, "reform": row}``."""
    records: dict[tuple, dict] = {}
    for _, row in table.iterrows():
        key = tuple(row[k] for k in keys)
        records.setdefault(key, dict(zip(keys, key, strict=True)))[row["side"]] = row
    return list(records.values())


def _cost_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels, currency = report.labels, report.context["currency"]
    sheet = sheets.workbook.add_worksheet(labels["sheet.cost"][:31])
    sheet.write_string(0, 0, labels["title.cost"], sheets.title)
    sheet.write_string(1, 0, labels["text.cost_note"], sheets.note)
    records = _by_side(report.tables["cost"], ["programme"])
    columns = [Column(labels["col.programme"], lambda r: r["baseline"]["programme_label"], width=46)]
    for field, title, kind, scale in (
        ("cost", labels.text("col.cost", currency=currency), "money_millions", 1e-6),
        ("beneficiaries", labels["col.beneficiaries"], "count", 1.0),
        ("beneficiary_households", labels["col.beneficiary_households"], "count", 1.0),
        ("cost_per_beneficiary", labels.text("col.cost_per_beneficiary", currency=currency), "money", 1.0),
    ):
        columns += [Column(f"{title}: {labels[f'col.{side}']}", lambda r, f=field, s=scale, d=side: r[d][f] * s,
                           kind, 16) for side in report.scenario_sides]
        if not report.baseline_only:
            columns.append(Column(f"{title}: {labels['col.change']}",
                                  lambda r, f=field, s=scale: (r["reform"][f] - r["baseline"][f]) * s, kind, 16))
    columns.append(Column(labels["col.key"], lambda r: r["programme"], width=22))
    sheets.table(sheet, 3, columns, records)
    sheet.freeze_panes(4, 1)


def _decile_cell(all_label: str) -> Callable[[dict], object]:
    """Deciles as numbers (1 to 10), so that the column sorts and computes; the row of everybody as its label."""
    def cell(record: dict) -> object:
        decile = str(record["decile"])
        return all_label if decile == "all" else int(decile)
    return cell


def _deciles_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels, currency = report.labels, report.context["currency"]
    sheet = sheets.workbook.add_worksheet(labels["sheet.deciles"][:31])
    sheet.write_string(0, 0, labels["title.deciles"], sheets.title)
    sheet.write_string(1, 0, labels["text.deciles_note"], sheets.note)
    records = report.tables["deciles"].to_dict("records")
    columns = [
        Column(labels["col.decile"], _decile_cell(labels["decile.all"]), "count", 14),
        Column(labels["col.population_share"], lambda r: r["population_share"], "percent", 12),
        Column(labels.text("col.mean_welfare_baseline", currency=currency), lambda r: r["mean_welfare_baseline"],
               "money_month", 16),
        Column(labels.text("col.mean_gain", currency=currency), lambda r: r["mean_gain"], "money_month", 14),
        Column(labels["col.ci_low"], lambda r: r["mean_gain_ci_low"], "money_month", 11),
        Column(labels["col.ci_high"], lambda r: r["mean_gain_ci_high"], "money_month", 11),
        Column(labels["col.relative_gain"], lambda r: r["relative_gain"], "rate", 13),
        Column(labels["col.ci_low"], lambda r: r["relative_gain_ci_low"], "rate", 11),
        Column(labels["col.ci_high"], lambda r: r["relative_gain_ci_high"], "rate", 11),
        Column(labels["col.gain_share"], lambda r: r["gain_share"], "percent", 12),
        Column(labels["col.spending_share"], lambda r: r["spending_share"], "percent", 12),
        Column(labels["col.winners"], lambda r: r["winners"], "percent", 12),
        Column(labels["col.losers"], lambda r: r["losers"], "percent", 12),
        Column(labels["col.unchanged"], lambda r: r["unchanged"], "percent", 12),
    ]
    sheets.table(sheet, 3, columns, records)
    sheet.freeze_panes(4, 1)


def _coverage_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels = report.labels
    sheet = sheets.workbook.add_worksheet(labels["sheet.coverage"][:31])
    sheet.write_string(0, 0, labels["title.coverage"], sheets.title)
    sheet.write_string(1, 0, labels["text.coverage_note"], sheets.note)
    records = _by_side(report.tables["coverage"], ["group_variable", "group"])
    columns = [
        Column(labels["col.group_variable"], lambda r: labels[f"group.{r['group_variable']}"], width=16),
        Column(labels["col.group"], lambda r: r["baseline"]["group_label"], width=22),
        Column(labels["col.population"], lambda r: r["baseline"]["population"], "count", 14),
        Column(labels["col.coverage_baseline"], lambda r: r["baseline"]["coverage"], "percent", 14),
    ]
    if not report.baseline_only:
        columns += [
            Column(labels["col.coverage_reform"], lambda r: r["reform"]["coverage"], "percent", 14),
            Column(f"{labels['col.change']} ({labels['unit.percentage_points']})",
                   lambda r: 100 * (r["reform"]["coverage"] - r["baseline"]["coverage"]), "points", 14),
        ]
    row = sheets.table(sheet, 3, columns, records)
    sheet.write_string(row, 0, labels["title.targeting"], sheets.title)
    sheet.write_string(row + 1, 0, labels["text.targeting_note"], sheets.note)
    scenario_names = {"baseline": labels["col.baseline"], "reform": labels["col.reform"]}
    columns = [
        Column(labels["col.programme"], lambda r: r["programme_label"], width=46),
        Column(labels["col.scenario"], lambda r: scenario_names[r["side"]], width=22),
        Column(labels["col.target_population"], lambda r: r["target_population"], "count", 14),
        Column(labels["col.beneficiaries"], lambda r: r["beneficiaries"], "count", 14),
        Column(labels["col.target_beneficiaries"], lambda r: r["target_beneficiaries"], "count", 14),
        Column(labels["col.inclusion_error"], lambda r: r["inclusion_error"], "percent", 14),
        Column(labels["col.exclusion_error"], lambda r: r["exclusion_error"], "percent", 14),
        Column(labels["col.leakage"], lambda r: r["leakage"], "percent", 14),
    ]
    sheets.table(sheet, row + 3, columns, report.tables["targeting"].to_dict("records"))


def _by_group_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels, currency = report.labels, report.context["currency"]
    sheet = sheets.workbook.add_worksheet(labels["sheet.by_group"][:31])
    sheet.write_string(0, 0, labels["title.by_group"], sheets.title)
    table = report.tables["by_group"]
    records: dict[tuple, dict] = {}
    for _, row in table.iterrows():
        key = (row["group_variable"], row["group"])
        record = records.setdefault(key, {"group_variable": row["group_variable"], "group_label": row["group_label"]})
        record[row["indicator"]] = row["estimate"]
        record[f"{row['indicator']}_low"] = row["ci_low"]
        record[f"{row['indicator']}_high"] = row["ci_high"]
    points = f"({labels['unit.percentage_points']})"
    columns = [
        Column(labels["col.group_variable"], lambda r: labels[f"group.{r['group_variable']}"], width=16),
        Column(labels["col.group"], lambda r: r["group_label"], width=22),
        Column(labels["col.persons"], lambda r: r["persons"], "count", 14),
        Column(labels["col.headcount_baseline"], lambda r: r["headcount_baseline"], "rate", 14),
    ]
    if report.baseline_only:  # the level's interval and the group's mean welfare: there is no change to show
        columns += [
            Column(labels["col.ci_low"], lambda r: r["headcount_baseline_low"], "rate", 12),
            Column(labels["col.ci_high"], lambda r: r["headcount_baseline_high"], "rate", 12),
            Column(labels.text("col.mean_welfare_group", currency=currency), lambda r: r["mean_welfare_baseline"],
                   "money_month", 16),
        ]
        sheets.table(sheet, 2, columns, list(records.values()))
        sheet.freeze_panes(3, 2)
        return
    columns += [
        Column(labels["col.headcount_reform"], lambda r: r["headcount_reform"], "rate", 14),
        Column(labels["col.headcount_change"], lambda r: 100 * r["headcount_change"], "points", 14),
        Column(f"{labels['col.ci_low']} {points}", lambda r: 100 * r["headcount_change_low"], "points", 12),
        Column(f"{labels['col.ci_high']} {points}", lambda r: 100 * r["headcount_change_high"], "points", 12),
        Column(labels.text("col.mean_gain", currency=currency), lambda r: r["mean_gain"], "money_month", 14),
        Column(labels["col.winners"], lambda r: r["winners"], "percent", 12),
    ]
    sheets.table(sheet, 2, columns, list(records.values()))
    sheet.freeze_panes(3, 2)


def _parameters_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels = report.labels
    sheet = sheets.workbook.add_worksheet(labels["sheet.parameters"][:31])
    sheet.write_string(0, 0, labels["title.parameters"], sheets.title)
    sheet.write_string(1, 0, labels["text.parameters_note"], sheets.note)
    records = report.tables["parameters"].to_dict("records")
    if not records:
        sheet.write_string(3, 0, labels["text.no_parameters"])
        return

    def description(record: dict) -> str:
        if record["kind"] == "python_reform":
            text = labels.text("text.python_reform", reform_class=record["parameter"])
            return f"{text}: {record['description']}" if record["description"] else text
        return record["description"]

    columns = [
        Column(labels["col.reform_step"], lambda r: r["reform_step"], width=18),
        Column(labels["col.parameter"], lambda r: r["parameter"], width=32),
        Column(labels["col.description"], description, width=50),
        Column(labels["col.unit"], lambda r: r["unit"], width=10),
        Column(labels["col.old_value"], lambda r: r["old_value"], width=12),
        Column(labels["col.new_value"], lambda r: r["new_value"], width=12),
        Column(labels["col.start"], lambda r: r["start"], width=12),
        Column(labels["col.stop"], lambda r: r["stop"], width=12),
        Column(labels["col.reference"], lambda r: r["reference"], width=60),
        Column("URL", lambda r: r["reference_url"], width=40),
    ]
    sheets.table(sheet, 3, columns, records)


def _provenance_sheet(sheets: _Sheets, report: ReportData) -> None:
    labels = report.labels
    sheet = sheets.workbook.add_worksheet(labels["sheet.provenance"][:31])
    sheet.write_string(0, 0, labels["title.provenance"], sheets.title)
    sheet.write_string(1, 0, labels["provenance.note"], sheets.note)
    rows = [{"field": key, "value": value} for key, value in flatten(report.summary["provenance"])]
    columns = [Column(labels["col.field"], lambda r: r["field"], width=48),
               Column(labels["col.value"], lambda r: r["value"], width=100)]
    sheets.table(sheet, 3, columns, rows)


def write_workbook(report: ReportData, path: str | Path) -> Path:
    """Write the workbook to ``path`` (use a staging folder: ``outputs.write_outputs``) and return the path."""
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    workbook.set_properties({"title": report.title, "author": "floorsim", "comments": report.labels.gettext("Generated by floorsim run")})
    sheets = _Sheets(workbook)
    try:
        _summary_sheet(sheets, report)
        _cost_sheet(sheets, report)
        _estimates_sheet(sheets, report, "poverty", "title.poverty")
        _estimates_sheet(sheets, report, "inequality", "title.inequality")
        if not report.baseline_only:  # gains by decile and parameters changed: a reform's only
            _deciles_sheet(sheets, report)
        _coverage_sheet(sheets, report)
        _by_group_sheet(sheets, report)
        if not report.baseline_only:
            _parameters_sheet(sheets, report)
        if "curves" in report.tables:
            _curves_sheet(sheets, report)
        _provenance_sheet(sheets, report)
    finally:
        workbook.close()
    return path


# ----- Lorenz and concentration curves -----


def _curves_sheet(sheets: _Sheets, report: ReportData) -> None:
    """The points of the Lorenz and concentration curves, one column per curve, one row per percentile."""
    labels = report.labels
    text = labels.text
    sheet = sheets.workbook.add_worksheet(text("sheet.curves")[:31])
    sheet.write_string(0, 0, text("title.curves"), sheets.title)
    sheet.write_string(1, 0, text("text.curves_note"), sheets.note)
    table = report.tables["curves"]
    names = {"baseline": labels["col.baseline"], "reform": labels["col.reform"]}
    programmes = report.context["programmes"]
    curves = list(table.groupby(["curve", "side", "programme"], sort=False))
    shares = curves[0][1]["population_share"].to_numpy() if curves else []
    columns = [Column(text("col.population_share_cumulative"), lambda r: r["p"], "points1_plain", 14)]
    records = [{"p": 100 * p} for p in shares]
    for index, ((curve, side, programme), rows) in enumerate(curves):
        what = text("chart.lorenz.title") if curve == "lorenz" else programmes.get(programme, programme)
        columns.append(Column(f"{what}: {names[side]}", lambda r, i=index: r[i], "points1_plain", 16))
        for record, value in zip(records, rows["share"].to_numpy(), strict=True):
            record[index] = 100 * value
    sheets.table(sheet, 3, columns, records)
    sheet.freeze_panes(4, 1)


def write_comparison_workbook(table: pd.DataFrame, report: ReportData, path: str | Path) -> Path:
    """The combined comparison of several options (``comparison.comparison_table``) as a workbook of one sheet:
    one row per indicator; the baseline, then each option's level, change and the change's 95% CI. Money in
    millions, rates in % and their changes in percentage points, counts and indices as numbers. ``report`` (any
    option's) gives the labels, the currency and what was simulated."""
    from floorsim.simulations.reports.comparison import option_names, wide_records

    path = Path(path)
    labels, context = report.labels, report.context
    text = labels.text
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    title = text("comparison.title", country=context["country"], year=context["year"])
    workbook.set_properties({"title": title, "author": "floorsim",
                             "comments": labels.gettext("Generated by floorsim run")})
    sheets = _Sheets(workbook)
    try:
        sheet = workbook.add_worksheet(text("comparison.sheet")[:31])
        sheet.write_string(0, 0, title, sheets.title)
        sheet.write_string(1, 0, text("comparison.note", currency=context["currency"]), sheets.note)
        row = 2
        if context["synthetic"]:
            sheet.write_string(row, 0, text("comparison.synthetic"), sheets.warning)
            row += 1
        records = wide_records(table)
        for record in records:
            number_format, scale, unit_key = _DISPLAY[record["kind"]]
            if unit_key:
                record["unit"] = labels.text(unit_key, currency=context["currency"])
            if record["kind"] == "rate":
                record["unit"] = f"{record['unit']}; {text('comparison.points')}"
            record["_format"], record["_scale"] = number_format, scale

        def level(key: str) -> Callable[[dict], object]:
            return lambda r: None if r.get(key) is None else r[key] * r["_scale"]

        def change(key: str) -> Callable[[dict], object]:
            return lambda r: None if r.get(key) is None else r[key] * (100.0 if r["kind"] == "rate" else r["_scale"])

        columns = [Column(text("col.indicator"), lambda r: r["label"], width=46),
                   Column(text("col.unit"), lambda r: r["unit"], width=24),
                   Column(text("comparison.baseline"), level("baseline"), width=14)]
        kinds_of = [lambda r: "text", lambda r: "text", lambda r: r["_format"]]
        for option, option_label in option_names(table):
            shown = option_label or option
            columns += [Column(shown, level(option), width=14),
                        Column(text("comparison.change_of", option=shown), change(f"{option}:change"), width=14),
                        Column(text("comparison.ci_low_of", option=shown), change(f"{option}:ci_low"), width=12),
                        Column(text("comparison.ci_high_of", option=shown), change(f"{option}:ci_high"), width=12)]
            change_kind = lambda r: "points" if r["kind"] == "rate" else r["_format"]  # noqa: E731
            kinds_of += [lambda r: r["_format"], change_kind, change_kind, change_kind]
        columns.append(Column(text("col.key"), lambda r: r["indicator"], width=26))
        kinds_of.append(lambda r: "text")
        kinds = [[kind(record) for kind in kinds_of] for record in records]
        sheets.table(sheet, row + 1, columns, records, kinds)
        sheet.freeze_panes(row + 2, 1)
    finally:
        workbook.close()
    return path
