"""The combined comparison of several options as one self-contained HTML page (``comparison.html``): the report
section of ``floorsim run --reform a --reform b`` (the table: ``comparison.comparison_table``). Like the report,
it has no script and fetches nothing."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pandas as pd

from floorsim.simulations.reports.html import _ci
from floorsim.simulations.reports.numbers import figure_style, format_number, shown_unit
from floorsim.simulations.reports.tables import ReportData

COMPARISON_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ language }}">
<head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: Calibri, Arial, sans-serif; font-size: 14px; color: #222; margin: 2em; }
table { border-collapse: collapse; } th, td { padding: 4px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #e8eef6; text-align: left; } td.num, th.num { text-align: right; white-space: nowrap; }
.note { color: #555; font-style: italic; } .warning { color: #9c2a00; font-weight: bold; }
</style></head>
<body><main>
<section id="comparison">
<h1>{{ title }}</h1>
{% if synthetic %}<p class="warning">{{ synthetic }}</p>{% endif %}
<p class="note">{{ note }}</p>
<table>
<thead><tr><th>{{ indicator }}</th><th>{{ unit }}</th><th class="num">{{ baseline }}</th>
{% for option in options %}<th class="num">{{ option.label }}</th><th class="num">{{ option.change }}</th>
<th class="num">{{ option.ci }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr><td>{{ row.label }}</td><td>{{ row.unit }}</td><td class="num">{{ row.baseline }}</td>
{% for cell in row.options %}<td class="num">{{ cell.level }}</td><td class="num">{{ cell.change }}</td>
<td class="num">{{ cell.ci }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
</section>
<footer class="note">{{ generated }}</footer>
</main></body>
</html>
"""


def render_comparison_html(table: pd.DataFrame, report: ReportData) -> str:
    """The combined comparison of several options (``comparison.comparison_table``) as one self-contained HTML
    page: every option's level, change and the change's 95% CI beside current law; rates in %, their changes in
    percentage points. ``report`` (any option's) gives the labels, the currency and what was simulated."""
    from floorsim.simulations.reports.comparison import option_names, wide_records

    labels, context = report.labels, report.context
    currency = context["currency"]
    options = option_names(table)
    rows = []
    for record in wide_records(table):
        kind = figure_style(record["kind"], "report")
        change_kind = "percent2" if record["kind"] == "rate" else kind
        unit = shown_unit(record["kind"], record["unit"], labels, currency)
        if record["kind"] == "rate":
            unit = f"{unit}; {labels['comparison.points']}"
        cells = []
        for option, _ in options:
            if option not in record:
                cells.append({"level": "\u2013", "change": "\u2013", "ci": "\u2013"})
                continue
            interval = {"ci_low": record.get(f"{option}:ci_low"), "ci_high": record.get(f"{option}:ci_high")}
            cells.append({"level": format_number(record[option], kind, labels),
                          "change": format_number(record[f"{option}:change"], change_kind, labels, change=True),
                          "ci": _ci(interval, change_kind, labels)})
        rows.append({"label": record["label"], "unit": unit,
                     "baseline": format_number(record.get("baseline", float("nan")), kind, labels),
                     "options": cells})
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(COMPARISON_TEMPLATE).render(
        language=labels.language,
        title=labels.text("comparison.title", country=context["country"], year=context["year"]),
        synthetic=labels.text("comparison.synthetic") if context["synthetic"] else "",
        note=labels.text("comparison.note", currency=currency),
        indicator=labels["col.indicator"], unit=labels["col.unit"],
        baseline=labels.text("comparison.baseline"),
        options=[{"label": label or option, "change": labels.text("comparison.change_of", option=label or option),
                  "ci": labels["col.ci"]} for option, label in options],
        rows=rows,
        generated=labels.text("text.generated", version=context["floorsim_version"], date=context["generated"]),
    )


def write_comparison_html(table: pd.DataFrame, report: ReportData, path: str | Path) -> Path:
    """Write the comparison page (:func:`render_comparison_html`) to ``path`` (a staging folder) and return it."""
    path = Path(path)
    path.write_text(render_comparison_html(table, report), encoding="utf-8")
    return path
