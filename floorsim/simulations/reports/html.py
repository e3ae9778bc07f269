"""The HTML report: one self-contained file a ministry reader can open offline.

No script, no web font, no external style sheet or image: the style is inline and the charts are embedded as
``data:`` URIs (SVG, so they print sharply). Links to legal references are ordinary links, followed only if the
reader clicks them. The page says what was simulated, gives the headline with confidence intervals, the charts and
tables, the method (welfare concept, poverty line and its price uprating, take-up, uncertainty) and the provenance.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from floorsim.simulations.reports.numbers import figure_style, format_date, format_number, shown_unit
from floorsim.simulations.reports.tables import ReportData, flatten

REPORT_FILE = "report.html"

TEMPLATE = """{% macro data_table(head, rows, cells, text=1) -%}
<div class="scroll"><table>
  <thead><tr>{% for title in head %}<th{% if loop.index > text %} class="num"{% endif %}>{{ title }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in rows %}
  <tr{% if row.get("total") %} class="total"{% endif %}>{% for key in cells %}<td{% if loop.index > text %} class="num"{% endif %}>{{ row[key] }}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>
</table></div>
{%- endmacro -%}
{% macro estimate_table(rows) -%}
<div class="scroll"><table>
  <thead><tr><th>{{ labels["col.indicator"] }}</th><th class="num">{{ labels["col.baseline"] }}</th>
  {% if baseline_only %}<th class="num">{{ labels["col.ci"] }}</th>{% else %}
  <th class="num">{{ labels["col.reform"] }}</th><th class="num">{{ labels["col.change"] }}</th>
  <th class="num">{{ labels["col.ci"] }} ({{ labels["col.change"] | lower }})</th>{% endif %}</tr></thead>
  <tbody>
  {% for row in rows %}
  <tr><td>{{ row.label }} <span class="muted">({{ row.unit }})</span></td><td class="num">{{ row.baseline }}</td>
  {% if not baseline_only %}<td class="num">{{ row.reform }}</td><td class="num">{{ row.change }}</td>{% endif %}
  <td class="num">{{ row.ci }}</td></tr>
  {% endfor %}
  </tbody>
</table></div>
{%- endmacro -%}
<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="floorsim {{ context.floorsim_version }}">
<title>{{ title }}</title>
<style>
  :root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --accent: #1f5fa8; --soft: #f3f6fa; }
  * { box-sizing: border-box; }
  body { margin: 0; color: var(--ink); background: #fff;
         font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
  main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
  header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 20px; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
  h3 { font-size: 16px; margin: 22px 0 8px; }
  .subtitle { font-size: 17px; color: var(--accent); margin: 0; }
  .muted, .note { color: var(--muted); font-size: 13px; }
  .warning { background: #fff4e5; border-left: 5px solid #e07b00; padding: 10px 14px; margin: 14px 0; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 14px 0; }
  .card { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
  .card .value { font-size: 24px; font-weight: 700; color: var(--accent); }
  .card .what { font-size: 13px; color: var(--muted); }
  table { border-collapse: collapse; width: 100%; margin: 8px 0 6px; font-size: 13.5px; }
  th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { background: var(--soft); text-align: left; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.num { white-space: nowrap; }
  td:first-child { min-width: 150px; }
  .scroll { overflow-x: auto; }
  tr.total td { font-weight: 700; }
  figure { margin: 18px 0; text-align: center; page-break-inside: avoid; }
  figure img { max-width: 100%; height: auto; }
  figcaption { font-size: 13px; color: var(--muted); }
  .provenance td { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; word-break: break-all; }
  ul.method li { margin-bottom: 6px; }
  footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
  @media print { main { padding: 0; } h2 { page-break-after: avoid; } }
</style>
</head>
<body>
<main>
<header>
  <h1>{{ title }}</h1>
  <p class="subtitle">{{ context.reform_label }}</p>
  <p class="muted">{{ generated }}</p>
</header>
{% if context.synthetic %}<div class="warning" role="note">{{ labels["text.synthetic_warning"] }}</div>{% endif %}

<section id="what">
<h2>{{ labels["title.what"] }}</h2>
<p>{{ what }}</p>
{% for fact in context.year_facts %}<p class="fact">{{ fact }}</p>{% endfor %}
{% if context.reform_description %}<p>{{ description }}</p>{% endif %}
{% if not baseline_only %}
<h3>{{ labels["title.parameters"] }}</h3>
{% if parameters %}
<div class="scroll"><table>
  <thead><tr><th>{{ labels["col.parameter"] }}</th><th>{{ labels["col.description"] }}</th>
  <th class="num">{{ labels["col.old_value"] }}</th><th class="num">{{ labels["col.new_value"] }}</th>
  <th>{{ labels["col.start"] }}</th><th>{{ labels["col.reference"] }}</th></tr></thead>
  <tbody>
  {% for p in parameters %}
  <tr><td><code>{{ p.parameter }}</code></td><td>{{ p.description }}</td>
  <td class="num">{{ p.old_value }} {{ p.unit }}</td><td class="num">{{ p.new_value }} {{ p.unit }}</td>
  <td>{{ p.start }}{% if p.stop %} – {{ p.stop }}{% endif %}</td>
  <td>{% if p.reference_url %}<a href="{{ p.reference_url }}">{{ p.reference }}</a>{% else %}{{ p.reference }}{% endif %}</td></tr>
  {% endfor %}
  </tbody>
</table></div>
<p class="note">{{ labels["text.parameters_note"] }}</p>
{% else %}<p>{{ labels["text.no_parameters"] }}</p>{% endif %}
{% endif %}
</section>

<section id="headline">
<h2>{{ headline_title }}</h2>
<div class="cards">
{% for card in cards %}<div class="card"><div class="value">{{ card.value }}</div><div class="what">{{ card.what }}</div></div>
{% endfor %}
</div>
{{ estimate_table(headline) }}
<p class="note">{{ headline_note }}</p>
</section>

<section id="poverty">
<h2>{{ labels["title.poverty"] }} · {{ labels["title.inequality"] }}</h2>
{{ chart("poverty") }}
{{ estimate_table(poverty) }}
</section>

{% if not baseline_only %}
<section id="deciles">
<h2>{{ labels["title.deciles"] }}</h2>
{{ chart("deciles") }}
{{ chart("winners_losers") }}
{{ data_table([labels["col.decile"], mean_welfare_title, mean_gain_title, labels["col.relative_gain"],
               labels["col.gain_share"], labels["col.winners"], labels["col.losers"]],
              deciles, ["decile", "welfare", "gain", "relative", "share", "winners", "losers"]) }}
<p class="note">{{ labels["text.deciles_note"] }}</p>
</section>
{% endif %}

<section id="cost">
<h2>{{ labels["title.cost"] }}</h2>
{{ chart("cost") }}
{% if baseline_only %}
{{ data_table([labels["col.programme"], cost_title, labels["col.beneficiaries"], per_beneficiary_title],
              cost, ["label", "baseline", "beneficiaries_baseline", "per_beneficiary"]) }}
{% else %}
{{ data_table([labels["col.programme"], cost_title ~ ": " ~ (labels["col.baseline"] | lower), labels["col.reform"],
               labels["col.change"], labels["col.beneficiaries"] ~ ": " ~ (labels["col.baseline"] | lower),
               labels["col.reform"], per_beneficiary_title ~ ": " ~ (labels["col.reform"] | lower)],
              cost, ["label", "baseline", "reform", "change", "beneficiaries_baseline", "beneficiaries_reform",
                     "per_beneficiary"]) }}
{% endif %}
<p class="note">{{ labels["text.cost_note"] }}</p>
</section>

<section id="coverage">
<h2>{{ labels["title.coverage"] }}</h2>
{{ chart("coverage") }}
<p class="note">{{ labels["text.coverage_note"] }}</p>
<h3>{{ labels["title.targeting"] }}</h3>
{{ data_table([labels["col.programme"], labels["col.scenario"], labels["col.target_beneficiaries"],
               labels["col.inclusion_error"], labels["col.exclusion_error"], labels["col.leakage"]],
              targeting, ["label", "scenario", "covered", "inclusion", "exclusion", "leakage"], text=2) }}
<p class="note">{{ labels["text.targeting_note"] }}</p>
</section>

<section id="groups">
<h2>{{ labels["title.by_group"] }}</h2>
{% if baseline_only %}
{{ data_table([labels["col.group"], labels["col.persons"], labels["col.headcount_baseline"], labels["col.ci"],
               mean_welfare_group_title], groups, ["label", "persons", "before", "ci", "welfare"]) }}
{% else %}
{{ data_table([labels["col.group"], labels["col.persons"], labels["col.headcount_baseline"],
               labels["col.headcount_reform"], labels["col.headcount_change"], labels["col.ci"], mean_gain_title],
              groups, ["label", "persons", "before", "after", "change", "ci", "gain"]) }}
{% endif %}
</section>

{% if curve_charts %}
<section id="curves">
<h2>{{ curves_title }}</h2>
{% for figure in curve_charts %}{{ figure }}{% endfor %}
<p class="note">{{ curves_note }}</p>
</section>
{% endif %}

<section id="method">
<h2>{{ labels["title.method"] }}</h2>
<ul class="method">
{% for paragraph in method %}<li>{{ paragraph }}</li>
{% endfor %}
</ul>
</section>

<section id="provenance">
<h2>{{ labels["title.provenance"] }}</h2>
<p class="note">{{ labels["provenance.note"] }}</p>
<div class="scroll"><table class="provenance">
  <tbody>
  {% for key, value in provenance %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>
  {% endfor %}
  </tbody>
</table></div>
</section>
<footer>{{ generated }}</footer>
</main>
</body>
</html>
"""


def _ci(row, kind: str, labels, change: bool = True) -> str:
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "\u2013"
    return f"{format_number(low, kind, labels, change=change)} ; {format_number(high, kind, labels, change=change)}"


def _estimate_rows(report: ReportData, table_name: str) -> list[dict]:
    labels, currency = report.labels, report.context["currency"]
    rows = []
    for _, part in report.tables[table_name].groupby("indicator", sort=False):
        sides = {row["side"]: row for _, row in part.iterrows()}
        first = part.iloc[0]
        kind = figure_style(first["kind"], "report")
        unit = shown_unit(first["kind"], first["unit"], labels, currency)
        row = {"label": first["label"], "unit": unit, "baseline": format_number(sides["baseline"]["estimate"], kind,
                                                                                labels)}
        if report.baseline_only:  # the interval of the level
            row["ci"] = _ci(sides["baseline"], kind, labels, change=False)
        else:
            row["reform"] = format_number(sides["reform"]["estimate"], kind, labels)
            row["change"] = format_number(sides["change"]["estimate"], kind, labels, change=True)
            row["ci"] = _ci(sides["change"], kind, labels)
        rows.append(row)
    return rows


def _cards(report: ReportData) -> list[dict]:
    """Four figures a reader sees first: the change in cost, in poverty (against the run's line), in the number of
    poor persons and in the Gini."""
    labels, currency = report.labels, report.context["currency"]
    headline = report.summary["headline"]
    table = report.tables["headline"]
    label_of = dict(zip(table["indicator"], table["label"]))
    if report.baseline_only:
        return _baseline_cards(report, headline, label_of)
    change = labels["col.change"].lower()
    return [
        {"value": format_number(headline["total_cost"]["change"], "money_millions", labels, change=True),
         "what": f"{label_of['total_cost']}, {change} ({labels.text('unit.money_millions', currency=currency)})"},
        {"value": format_number(headline["poverty_headcount"]["change"], "percent2", labels, change=True),
         "what": f"{label_of['poverty_headcount']}, {change} ({labels['unit.percentage_points']})"},
        {"value": format_number(headline["poor_persons"]["change"], "count", labels, change=True),
         "what": f"{label_of['poor_persons']}, {change}"},
        {"value": format_number(headline["gini"]["change"], "index", labels, change=True),
         "what": f"{label_of['gini']}, {change} (x100)"},
    ]


def _baseline_cards(report: ReportData, headline: dict, label_of: dict) -> list[dict]:
    """The four levels of current law a reader sees first: cost of today's programmes, poverty, poor persons,
    Gini."""
    labels, currency = report.labels, report.context["currency"]
    return [
        {"value": format_number(headline["total_cost"]["baseline"], "money_millions", labels),
         "what": f"{label_of['total_cost']} ({labels.text('unit.money_millions', currency=currency)})"},
        {"value": format_number(headline["poverty_headcount"]["baseline"], "percent", labels),
         "what": f"{label_of['poverty_headcount']} (%)"},
        {"value": format_number(headline["poor_persons"]["baseline"], "count", labels),
         "what": label_of["poor_persons"]},
        {"value": format_number(headline["gini"]["baseline"], "index", labels),
         "what": f"{label_of['gini']} (x100)"},
    ]


def _embedded(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render_html(report: ReportData, charts: dict[str, Path]) -> str:
    """The report as one HTML string; ``charts`` maps chart names to their SVG (or PNG) files."""
    labels, context = report.labels, report.context
    currency = context["currency"]

    def number(value: float, kind: str, change: bool = False) -> str:
        return format_number(value, kind, labels, change)

    def chart(name: str) -> str:
        if name not in charts:
            return ""
        title = labels[f"chart.{name}.title"]
        return Markup(
            f'<figure><img src="{_embedded(charts[name])}" alt="{escape(title)}"></figure>'
        )

    deciles = [
        {
            "decile": labels["decile.all"] if row["decile"] == "all" else row["decile"],
            "total": row["decile"] == "all",
            "welfare": number(row["mean_welfare_baseline"], "money_month"),
            "gain": number(row["mean_gain"], "money_month", True),
            "relative": number(row["relative_gain"], "percent2", True),
            "share": number(row["gain_share"], "percent"),
            "winners": number(row["winners"], "percent"),
            "losers": number(row["losers"], "percent"),
        }
        for row in report.tables.get("deciles", pd.DataFrame()).to_dict("records")
    ]
    cost_rows = {}
    for row in report.tables["cost"].to_dict("records"):
        cost_rows.setdefault(row["programme"], {})[row["side"]] = row
    last = report.scenario_sides[-1]  # the reform, or the baseline of a baseline-only report
    cost = [
        {
            "label": sides["baseline"]["programme_label"],
            "total": programme == "total",
            "baseline": number(sides["baseline"]["cost"], "money_millions"),
            "beneficiaries_baseline": number(sides["baseline"]["beneficiaries"], "count"),
            "per_beneficiary": number(sides[last]["cost_per_beneficiary"], "money"),
            **({} if report.baseline_only else {
                "reform": number(sides["reform"]["cost"], "money_millions"),
                "change": number(sides["reform"]["cost"] - sides["baseline"]["cost"], "money_millions", True),
                "beneficiaries_reform": number(sides["reform"]["beneficiaries"], "count"),
            }),
        }
        for programme, sides in cost_rows.items()
    ]
    scenario_names = {"baseline": labels["col.baseline"], "reform": labels["col.reform"]}
    targeting = [
        {
            "label": row["programme_label"],
            "total": row["programme"] == "total",
            "scenario": scenario_names[row["side"]],
            "covered": number(row["target_beneficiaries"], "count"),
            "inclusion": number(row["inclusion_error"], "percent"),
            "exclusion": number(row["exclusion_error"], "percent"),
            "leakage": number(row["leakage"], "percent"),
        }
        for row in report.tables["targeting"].to_dict("records")
    ]
    groups_by_key: dict[tuple, dict] = {}
    for row in report.tables["by_group"].to_dict("records"):
        entry = groups_by_key.setdefault((row["group_variable"], row["group"]), {"label": row["group_label"]})
        entry[row["indicator"]] = row
    groups = [_group_row(entry, report) for entry in groups_by_key.values()]
    title = report.title
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(TEMPLATE)
    return template.render(
        language=labels.language,
        title=title,
        context=context,
        labels=labels,
        generated=labels.text("text.generated", version=context["floorsim_version"], date=format_date(context["generated"], labels)),
        baseline_only=report.baseline_only,
        headline_title=labels["title.headline_baseline" if report.baseline_only else "title.headline"],
        mean_welfare_group_title=labels.text("col.mean_welfare_group", currency=currency),
        what=report.label(
            "text.what", country=context["country"], year=context["year"], reform_label=context["reform_label"],
            survey=context["survey"], households=number(context["households"], "count"),
            persons=number(context["persons"], "count"), reference_year=context["reference_year"],
        ),
        description=labels.text("text.reform_description", description=context["reform_description"]),
        parameters=report.tables["parameters"].to_dict("records") if "parameters" in report.tables else [],
        cards=_cards(report),
        headline=_estimate_rows(report, "headline"),
        headline_note=report.label("text.headline_note", currency=currency),
        poverty=_estimate_rows(report, "poverty") + _estimate_rows(report, "inequality"),
        deciles=deciles,
        mean_welfare_title=labels.text("col.mean_welfare_baseline", currency=currency),
        mean_gain_title=labels.text("col.mean_gain", currency=currency),
        cost=cost,
        cost_title=labels.text("col.cost", currency=currency),
        per_beneficiary_title=labels.text("col.cost_per_beneficiary", currency=currency),
        targeting=targeting,
        groups=groups,
        method=report.method,
        provenance=flatten(report.summary["provenance"]),
        chart=chart,
        curve_charts=_curve_charts(charts, labels),
        curves_title=labels["title.curves"],
        curves_note=labels["text.curves_note"],
    )


def _curve_charts(charts: dict[str, Path], labels) -> list[Markup]:
    """The Lorenz and concentration charts, embedded (titled in the report's language)."""
    return [Markup(f'<figure><img src="{_embedded(charts[name])}" alt="{escape(labels[f"chart.{name}.title"])}">'
                   "</figure>") for name in ("lorenz", "concentration") if name in charts]


def _group_row(entry: dict, report: ReportData) -> dict:
    """One row of the by-group table: poverty before and after with the change and its CI, and the mean gain; or,
    in a baseline-only report, the baseline poverty with its CI and the mean welfare per capita."""
    labels = report.labels
    row = {"label": entry["label"], "persons": format_number(entry["persons"]["estimate"], "count", labels),
           "before": format_number(entry["headcount_baseline"]["estimate"], "percent", labels)}
    if report.baseline_only:
        row["ci"] = _ci(entry["headcount_baseline"], "percent", labels, change=False)
        row["welfare"] = format_number(entry["mean_welfare_baseline"]["estimate"], "money_month", labels)
        return row
    row["after"] = format_number(entry["headcount_reform"]["estimate"], "percent", labels)
    row["change"] = format_number(entry["headcount_change"]["estimate"], "percent2", labels, change=True)
    row["ci"] = _ci(entry["headcount_change"], "percent2", labels)
    row["gain"] = format_number(entry["mean_gain"]["estimate"], "money_month", labels, change=True)
    return row


def write_html(report: ReportData, charts: dict[str, Path], path: str | Path) -> Path:
    """Write the report to ``path`` (use a staging folder: ``outputs.write_outputs``) and return the path."""
    path = Path(path)
    path.write_text(render_html(report, charts), encoding="utf-8")
    return path
