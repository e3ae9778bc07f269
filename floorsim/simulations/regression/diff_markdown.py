"""``floorsim diff``'s report as GitHub-flavoured Markdown, e.g. for a pull-request comment.

It receives the finished report of :func:`floorsim.simulations.regression.diff.run_diff` (JSON-able data) and only presents
it: parameters changed (with their references), variables changed (with the formula diffs), files changed, the
impact per period and by decile, and the thresholds.
"""

from __future__ import annotations

import math

from floorsim.simulations.reports.numbers import format_figure, format_parameter_value

DIFF_LINES_SHOWN = 200


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _reference_cell(references: list[dict]) -> str:
    if not references:
        return ""
    first = references[0]
    title = first["title"] if len(first["title"]) <= 90 else first["title"][:89] + "…"
    text = f"[{_cell(title)}]({first['href']})" if first.get("href") else _cell(title)
    return text + (f" (+{len(references) - 1} more)" if len(references) > 1 else "")


def _relative(figure: dict) -> str:
    if figure["relative_change"] is None:
        return "new" if figure["change"] else ""
    return f"{100 * figure['relative_change']:+.2f}%"


def _figure_label(report: dict, key: str) -> str:
    if key in report.get("figure_labels", {}):
        return report["figure_labels"][key]
    for suffix, what in (("_cost", "cost"), ("_beneficiaries", "beneficiaries")):
        if key.endswith(suffix):
            programme = key[: -len(suffix)]
            return f"{report['programmes'].get(programme, programme)}: {what}"
    return key


def _collapse_whole_parameters(rows: list[dict]) -> list[dict]:
    """One row per parameter added or removed (its latest value, from its first date); value changes as they are."""
    collapsed: list[dict] = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["kind"] in ("added", "removed"):
            key = (row["kind"], row["path"])
            if key not in groups:
                groups[key] = []
                collapsed.append({"group": key})
            groups[key].append(row)
        else:
            collapsed.append(row)
    result = []
    for row in collapsed:
        if "group" not in row:
            result.append(row)
            continue
        members = groups[row["group"]]
        latest = dict(members[-1])
        if len(members) > 1:
            latest["count_note"] = f"; {len(members)} dated values from {members[0]['start']}, the latest shown"
        result.append(latest)
    return result


def render_markdown(report: dict) -> str:
    """The report as GitHub-flavoured Markdown, e.g. for a pull-request comment."""
    currency = report["currency"]
    lines = [
        f"## floorsim diff: {report['country_label']} — {report['old']['label']} → {report['new']['label']}",
        "",
    ]
    survey = report["survey"]
    lines.append(
        f"Survey: {survey['name']}{' (synthetic)' if survey['synthetic'] else ''}, {survey['households']:,} "
        f"households; period{'s' if len(report['periods']) > 1 else ''} "
        f"{', '.join(str(p) for p in report['periods'])}. Amounts in {currency} per year."
    )
    lines.append("")
    values = [row for row in report["parameters"] if row["kind"] in ("changed", "added", "removed")]
    others = [row for row in report["parameters"] if row["kind"] not in ("changed", "added", "removed")]
    lines.append(f"### Parameters changed ({len({row['path'] for row in values})})")
    lines.append("")
    if values:
        lines += ["| Parameter | From | Old | New | Reference |", "|---|---|---:|---:|---|"]
        for row in _collapse_whole_parameters(values):
            status = f" *({row['kind']}{row.get('count_note', '')})*" if row["kind"] != "changed" else ""
            lines.append(
                f"| `{_cell(row['path'])}`{status} | {row['start']} | "
                f"{format_parameter_value(row['old'])} | {format_parameter_value(row['new'])} | "
                f"{_reference_cell(row['references'])} |"
            )
    else:
        lines.append("No parameter value changed.")
    if others:
        lines += ["", "Other parameter changes:", ""]
        for row in others:
            what = f"{row['field']} changed" if row["kind"] == "metadata" else f"references of the value from {row['start']} changed"
            lines.append(f"- `{row['path']}`: {what}")
    lines += ["", f"### Variables changed ({len(report['variables'])})", ""]
    if report["variables"]:
        lines += ["| Variable | Status | What changed |", "|---|---|---|"]
        for row in report["variables"]:
            lines.append(f"| `{row['name']}` | {row['status']} | {_cell('; '.join(row['changes']))} |")
        diffs = "\n".join(row["diff"] for row in report["variables"] if row["diff"]).splitlines()
        if diffs:
            shown = diffs[:DIFF_LINES_SHOWN]
            if len(diffs) > DIFF_LINES_SHOWN:
                shown.append(f"... {len(diffs) - DIFF_LINES_SHOWN} more lines (see the JSON report)")
            lines += ["", "<details><summary>Formula changes</summary>", "", "```diff", *shown, "```", "", "</details>"]
    else:
        lines.append("No variable added, removed or changed.")
    files = report["files"]
    changed_files = [f"{path} ({status})" for status in ("modified", "added", "removed") for path in files[status]]
    if changed_files:
        lines += ["", f"Files changed in the package: {', '.join(f'`{f}`' for f in changed_files)}."]
    for period, impact in report["impact"].items():
        lines += ["", f"### Impact in {period}", ""]
        if not any(figure["change"] for figure in impact["figures"].values()) and not any(
            row["mean_gain"] for row in impact["deciles"]
        ) and not impact["notes"]:
            lines.append(f"No figure moves in {period}: every cost, count, poverty and inequality figure is identical.")
            continue
        lines += ["| Figure | Old | New | Change | Change (%) |", "|---|---:|---:|---:|---:|"]
        for key, figure in impact["figures"].items():
            programme = key.endswith(("_cost", "_beneficiaries")) and key != "total_cost"
            if programme and not figure["old"] and not figure["new"]:
                continue  # a programme paying nothing in both versions (not in force that year)
            kind = figure["kind"]
            lines.append(
                f"| {_cell(_figure_label(report, key))} | {format_figure(figure['old'], kind, 'audit', missing='—')} | "
                f"{format_figure(figure['new'], kind, 'audit', missing='—')} | "
                f"{format_figure(figure['change'], kind, 'audit', change=True, missing='—')} | "
                f"{_relative(figure)} |"
            )
        for note in impact["notes"]:
            lines += ["", f"Note: {note}"]
        if impact["deciles"]:
            lines += [
                "",
                f"By decile of baseline (old) welfare per person; {currency} per person per month:",
                "",
                "| Decile | Mean welfare | Transfers old | Transfers new | Mean gain | Gain (% of welfare) | Gaining | Losing |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for row in impact["deciles"]:
                share = row["gain_share_of_welfare"]
                lines.append(
                    f"| {row['decile']} | {row['mean_welfare']:,.2f} | {row['transfers_old']:,.2f} | "
                    f"{row['transfers_new']:,.2f} | {row['mean_gain']:+,.2f} | "
                    f"{'—' if share is None else f'{100 * share:+.2f}%'} | {100 * row['share_gaining']:.1f}% | "
                    f"{100 * row['share_losing']:.1f}% |"
                )
    if report["thresholds"]:
        lines += ["", "### Thresholds", ""]
        for row in report["thresholds"]:
            kind = "rel" if ":rel>" in row["threshold"] else "abs"
            measured = "—" if row["measured"] is None else (
                "∞" if math.isinf(row["measured"]) else f"{row['measured']:.6g}"
            )
            mark = "❌ breached" if row["breached"] else "✅ within"
            lines.append(f"- {mark}: `{row['threshold']}` in {row['period']} (measured {kind} change {measured})")
    lines += [
        "",
        (
            "<sub>Old is the baseline: observed welfare already contains the old rules' transfers; under the new rules "
            "welfare = observed − old transfers + new transfers. Each version is run by the same floorsim engine.</sub>"
        ),
    ]
    return "\n".join(lines) + "\n"
