"""The combined comparison of several reform options run together (``floorsim run --reform a --reform b``): every
option side by side with current law, for a national-dialogue meeting.

``comparison_table(reports)`` gathers the headline tables of the options' reports (``tables.ReportData``, built
once per option by ``outputs.write_outputs``): nothing is recomputed, so each figure, standard error and
confidence interval equals the one in that option's own folder. Rows: ``indicator``, ``label``, ``unit``,
``kind``, ``option`` (``baseline`` or the reform's name), ``option_label``, ``measure`` (level / change),
``estimate``, ``se``, ``ci_low``, ``ci_high`` — raw units, like every table (currency per year, fractions).
Indicators: cost and beneficiaries of each programme, total cost and its share of GDP and of government
expenditure, poverty headcount, persons in poverty, poverty gap and Gini (the headline's figures).

The files (``outputs.write_outputs``): ``comparison.xlsx`` (one sheet, ``excel.write_comparison_workbook``),
``comparison.html`` (``comparison_html.write_comparison_html``) and ``tables/comparison.<format>``, at the top of
``--out``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.numbers import format_figure
from floorsim.simulations.reports.tables import ReportData

COMPARISON_TABLE = "comparison"
COMPARISON_COLUMNS = ["indicator", "label", "unit", "kind", "option", "option_label", "measure", "estimate", "se",
                      "ci_low", "ci_high"]

def comparison_table(reports: Sequence[ReportData]) -> pd.DataFrame:
    """Every option's headline side by side with the baseline: one row per (indicator, option, measure).

    The baseline rows come from the first report that shows the indicator (the baseline is the same run in every
    report); an indicator some option's headline leaves out (a programme paying nothing there) has no row for it.
    Labels are in the reports' language.
    """
    labels = reports[0].labels if reports else Labels()
    rows: list[dict] = []
    seen_baseline: set[str] = set()
    order = {key: i for i, key in enumerate(merged_order([list(dict.fromkeys(report.tables["headline"]["indicator"]))
                                                         for report in reports]))}
    for report in reports:
        headline = report.tables["headline"]
        for record in headline.to_dict("records"):
            indicator = record["indicator"]
            base = {key: record[key] for key in ("indicator", "label", "unit", "kind")}
            numbers = {key: record[key] for key in ("estimate", "se", "ci_low", "ci_high")}
            if record["side"] == "baseline":
                if indicator in seen_baseline:
                    continue
                seen_baseline.add(indicator)
                rows.append({**base, "option": "baseline", "option_label": labels["comparison.baseline"],
                             "measure": "level", **numbers})
            else:
                measure = "level" if record["side"] == "reform" else "change"
                rows.append({**base, "option": report.reform, "option_label": report.context["reform_label"],
                             "measure": measure, **numbers})
    table = pd.DataFrame.from_records(rows, columns=COMPARISON_COLUMNS)
    options = {"baseline": -1, **{report.reform: i for i, report in enumerate(reports)}}
    table["_indicator"] = table["indicator"].map(order)
    table["_option"] = table["option"].map(options)
    table["_measure"] = (table["measure"] == "change").astype(int)
    return (table.sort_values(["_indicator", "_option", "_measure"], kind="stable")
            .drop(columns=["_indicator", "_option", "_measure"]).reset_index(drop=True))


def merged_order(sequences: Sequence[Sequence[str]]) -> list[str]:
    """The keys of several ordered lists in one order that keeps each list's order where they agree: a key first
    seen in a later list goes right after its predecessor in that list (a programme only one option pays sits
    with the other programmes, not at the end); one without a predecessor goes before its successor."""
    merged: list[str] = []
    for sequence in sequences:
        previous = None
        for position, key in enumerate(sequence):
            if key not in merged:
                if previous is not None:
                    merged.insert(merged.index(previous) + 1, key)
                else:  # no predecessor: before the first following key already placed, else at the end
                    following = next((merged.index(k) for k in sequence[position + 1:] if k in merged), len(merged))
                    merged.insert(following, key)
            previous = key
    return merged


def option_names(table: pd.DataFrame) -> list[tuple[str, str]]:
    """``(option, label)`` of the reform options of a comparison table, in order (without the baseline)."""
    options = table[table["option"] != "baseline"][["option", "option_label"]].drop_duplicates("option")
    return list(options.itertuples(index=False, name=None))


def wide_records(table: pd.DataFrame) -> list[dict]:
    """One record per indicator: ``label``, ``unit``, ``kind``, ``indicator``, ``baseline`` and, per option,
    ``<option>`` (level), ``<option>:change``, ``<option>:ci_low`` and ``<option>:ci_high`` (of the change)."""
    records: dict[str, dict] = {}
    for row in table.to_dict("records"):
        record = records.setdefault(row["indicator"], {key: row[key] for key in ("indicator", "label", "unit",
                                                                                 "kind")})
        if row["option"] == "baseline":
            record["baseline"] = row["estimate"]
        elif row["measure"] == "level":
            record[row["option"]] = row["estimate"]
        else:
            record[f"{row['option']}:change"] = row["estimate"]
            record[f"{row['option']}:ci_low"] = row["ci_low"]
            record[f"{row['option']}:ci_high"] = row["ci_high"]
    return list(records.values())


def comparison_text_rows(results, reforms: Sequence[str], labels: Labels | None = None
                         ) -> tuple[list[str], list[list[str]]]:
    """The comparison the command line prints, from the run's point estimates (``Results.comparison``, the
    figures of each option's own headline table): header and rows of text in ``labels``' language, one row per
    headline figure — the baseline, then each option's level and change."""
    from floorsim.simulations.reports.summary import headline_rows

    labels = labels or Labels()
    comparisons = {reform: results.comparison(reform) for reform in reforms}
    header = [labels["col.indicator"], labels["col.baseline"]]
    for reform in reforms:
        header += [reform, labels.text("comparison.change_of", option=reform)]
    rows: list[list[str]] = []
    shown = {reform: {row.key: row for row in headline_rows(results, comparisons[reform], labels)}
             for reform in reforms}
    for key in merged_order([list(rows_of) for rows_of in shown.values()]):
        row, reform = next((shown[reform][key], reform) for reform in reforms if key in shown[reform])
        cells = [row.label, format_figure(comparisons[reform][row.key]["baseline"], row.kind, labels=labels)]
        for other in reforms:
            figures = comparisons[other].get(row.key)
            if figures is None:
                cells += ["", ""]
                continue
            cells += [format_figure(figures["reform"], row.kind, labels=labels),
                      format_figure(figures["change"], row.kind, labels=labels, change=True)]
        rows.append(cells)
    return header, rows
