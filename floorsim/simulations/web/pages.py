"""Server-rendered pages of ``floorsim serve`` (jinja2 templates in ``templates/``; charts by the bundled Chart.js).

The setting (country, survey key, year) travels in the query string of every page; the reform being composed is
kept by the browser (``localStorage``) and sent to ``POST /api/reforms/run``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import TypeAdapter, ValidationError

from floorsim.simulations.explain import household as single_household
from floorsim.simulations.explain import parameters as parameters_browser
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.numbers import format_figure, format_number, format_parameter_value, format_unit
from floorsim.simulations.web.api import NAME_PATTERN, ChangeIn, HouseholdIn, household_report, workspace
from floorsim.simulations.web.cache import ExpiredResults
from floorsim.simulations.web.errors import WebError
from floorsim.simulations.web.language import COOKIE, language_choices, request_language, script_texts

CHANGES = TypeAdapter(list[ChangeIn])
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)

Country = Annotated[str | None, Query(max_length=60, pattern=NAME_PATTERN)]
Survey = Annotated[str | None, Query(max_length=60, pattern=NAME_PATTERN)]
Period = Annotated[int | None, Query(ge=1990, le=2100)]


def _missing(value) -> bool:
    return value is None or isinstance(value, jinja2.Undefined)


@jinja2.pass_context
def _fmt(context, value, kind: str, change: bool = False) -> str:
    """A headline figure of ``kind`` (``floorsim.simulations.analysis.headline.figure_kind``) as in the CLI table, in the
    page's language."""
    return format_figure(None if _missing(value) else value, kind, "table", labels=context.get("labels"),
                         change=change)


@jinja2.pass_context
def _pct(context, value, signed: bool = False) -> str:
    """A fraction in points (x100, 2 decimals)."""
    return format_number(None if _missing(value) else value, "points", context.get("labels"), change=signed)


@jinja2.pass_context
def _num(context, value, signed: bool = False) -> str:
    """An amount per person per month (2 decimals)."""
    return format_number(None if _missing(value) else value, "money_month", context.get("labels"), change=signed)


@jinja2.pass_context
def _pvalue(context, value) -> str:
    """A parameter value in the page's language."""
    return format_parameter_value(value, context.get("labels"))


TEMPLATES.env.filters.update(fmt=_fmt, pct=_pct, num=_num, unit=format_unit, pvalue=_pvalue)


def _setting(request: Request, country, survey, period):
    try:
        return workspace(request).setting(country, survey, period)
    except WebError as error:
        raise HTTPException(status_code=422, detail={"message": str(error)}) from None


def _switch_base(request: Request) -> str:
    """This page's address without its ``lang``: the links of the language switch append ``lang=<code>``."""
    kept = urlencode([(key, value) for key, value in request.query_params.multi_items() if key != "lang"])
    return f"{request.url.path}?{kept}&" if kept else f"{request.url.path}?"


def _page(request: Request, template: str, setting, **context) -> HTMLResponse:
    space = workspace(request)
    query = f"country={setting.country}&survey={setting.survey}&period={setting.period}"
    labels = Labels(request_language(request))  # the language switch (floorsim.simulations.web.language)
    response = TEMPLATES.TemplateResponse(
        request, template, {"setting": setting, "query": query, "space": space, "labels": labels,
                            "_": labels.gettext, "language": labels.language, "languages": language_choices(),
                            "script_texts": script_texts(labels), "switch": _switch_base(request), **context}
    )
    if request.query_params.get("lang") == labels.language:
        response.set_cookie(COOKIE, labels.language, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, country: Country = None, survey: Survey = None, period: Period = None):
    setting = _setting(request, country, survey, period)
    return _page(request, "home.html", setting)


@router.get("/parameters", response_class=HTMLResponse)
def parameters_page(
    request: Request,
    path: Annotated[str, Query(max_length=200, pattern=r"^[A-Za-z0-9_.\[\]]*$")] = "",
    country: Country = None,
    survey: Survey = None,
    period: Period = None,
):
    setting = _setting(request, country, survey, period)
    parameters = workspace(request).parameters(setting.country)
    when = parameters_browser.parse_date(f"{setting.period}-01-01")
    try:
        entries = parameters_browser.list_subtree(parameters, path or None, when)
        node = parameters_browser.describe(parameters_browser.get_node(parameters, path), when) if path else None
    except FloorsimError as error:
        raise HTTPException(status_code=404, detail={"message": str(error)}) from None
    depth = path.count(".") + 1 if path else 0
    children = [entry for entry in entries if entry.path.count(".") == depth]
    history = parameters_browser.history(parameters, path) if node is not None and node.kind != "node" else []
    crumbs = []
    parts = path.split(".") if path else []
    for index in range(len(parts)):
        crumbs.append((parts[index], ".".join(parts[: index + 1])))
    return _page(request, "parameters.html", setting, path=path, node=node, children=children, history=history,
                 crumbs=crumbs, date=when.isoformat())


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str):
    space = workspace(request)
    job = space.job(job_id[:32])
    if job is None:
        raise HTTPException(status_code=404, detail={"message": f"no job '{job_id}'"})
    data, expired = None, None
    if job.status == "done":
        try:
            data = space.results(job)
        except ExpiredResults as error:
            expired = str(error)
    charts = _charts(data) if data else None
    return _page(request, "job.html", job.setting, job=job, data=data, expired=expired,
                 charts_json=json.dumps(charts) if charts else "")


def _charts(data: dict) -> dict:
    """The data of the results page's charts (drawn by static/app.js with Chart.js)."""
    deciles = [row for row in data["deciles"] if str(row["decile"]).isdigit()]  # the total row is in the table
    groups = [row for row in data["by_group"] if row["indicator"] == "headcount_change"]
    cost = [row for row in data["cost"] if row["programme"] != "total"]
    programmes = list(dict.fromkeys(row["programme_label"] for row in cost))
    by_side = {(row["side"], row["programme_label"]): row["cost"] for row in cost}
    return {
        "deciles": {
            "labels": [row["decile"] for row in deciles],
            "values": [row["relative_gain"] and 100 * row["relative_gain"] for row in deciles],
            "low": [row["relative_gain_ci_low"] and 100 * row["relative_gain_ci_low"] for row in deciles],
            "high": [row["relative_gain_ci_high"] and 100 * row["relative_gain_ci_high"] for row in deciles],
        },
        "cost": {
            "labels": [label if len(label) <= 32 else label[:31] + "…" for label in programmes],
            "baseline": [(by_side.get(("baseline", p)) or 0) / 1e6 for p in programmes],
            "reform": [(by_side.get(("reform", p)) or 0) / 1e6 for p in programmes],
        },
        "groups": {
            "labels": [row["group_label"] for row in groups],
            "values": [row["estimate"] and 100 * row["estimate"] for row in groups],
            "low": [row["ci_low"] and 100 * row["ci_low"] for row in groups],
            "high": [row["ci_high"] and 100 * row["ci_high"] for row in groups],
        },
    }


@router.get("/variants", response_class=HTMLResponse)
def variants_page(request: Request):
    space = workspace(request)
    variants = list(space.variants.values())
    indicators = []
    if variants:
        seen = {}
        for variant in variants:
            for row in variant["headline"]:
                seen.setdefault(row["indicator"], row)
        indicators = list(seen.values())
    values = {
        variant["name"]: {row["indicator"]: row for row in variant["headline"]} for variant in variants
    }
    chart = {
        "labels": [variant["name"] for variant in variants],
        "cost": [((values[v["name"]].get("total_cost") or {}).get("change") or {}).get("estimate", 0) / 1e6
                 for v in variants],
        "poverty": [100 * (((values[v["name"]].get("poverty_headcount") or {}).get("change") or {}).get("estimate") or 0)
                    for v in variants],
    }
    return _page(request, "variants.html", space.default, variants=variants, indicators=indicators, values=values,
                 chart_json=json.dumps(chart))


@router.get("/household", response_class=HTMLResponse)
def household_page(
    request: Request,
    persons: Annotated[str, Query(max_length=2000)] = "",
    household: Annotated[str, Query(max_length=500)] = "",
    month: Annotated[str, Query(max_length=7, pattern=r"^(\d{4}(-\d{2})?)?$")] = "",
    reform: Annotated[str, Query(max_length=10_000)] = "",
    country: Country = None,
    survey: Survey = None,
    period: Period = None,
):
    setting = _setting(request, country, survey, period)
    report, error, inputs = None, None, []
    from floorsim.simulations.engine.scenarios import baseline_system

    system = baseline_system(setting.country)
    spec_ = __import__("floorsim.simulations.engine.countries", fromlist=["load_country"]).load_country(setting.country)
    inputs = {
        "person": sorted(single_household.input_variables(system, spec_.person_entity)),
        "household": sorted(single_household.input_variables(system, spec_.household_entity)),
    }
    if persons.strip():
        try:
            lines = [line for line in persons.splitlines() if line.strip()]
            body = HouseholdIn(
                country=setting.country,
                persons=[single_household.parse_assignments(line, "person") for line in lines],
                household=single_household.parse_assignments(household, "household") if household.strip() else {},
                month=month or None,
                changes=CHANGES.validate_json(reform) if reform.strip() else [],
            )
            report = household_report(workspace(request), body)
        except ValidationError as problem:
            error = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problem.errors())
        except FloorsimError as problem:
            error = str(problem)
        except HTTPException as problem:
            error = problem.detail["message"] if isinstance(problem.detail, dict) else str(problem.detail)
    verdicts = {}
    if report is not None:
        for scenario in report.scenarios:
            for programme in scenario.programmes:
                verdicts[(scenario.name, programme.name)] = single_household.format_verdicts(
                    programme.verdicts, report.currency
                )
    return _page(request, "household.html", setting, report=report, error=error, persons=persons,
                 household=household, month=month, inputs=inputs, verdicts=verdicts, reform=reform)
