"""The JSON API of ``floorsim serve`` (documented by FastAPI at ``/openapi.json`` and ``/docs``).

Every body is a pydantic model with ``extra="forbid"``, bounded sizes and patterns; nothing from the browser is a
file path or code: surveys are chosen by catalogue key, reforms are parameter changes checked against the country's
parameter tree (unknown paths → 422 with the closest paths), household inputs are checked by
``floorsim.simulations.explain.household.validate_household``.
"""

from __future__ import annotations

import datetime
import math
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from openfisca_core.errors import ParameterNotFoundError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from floorsim.simulations.cli.terminal import one_line
from floorsim.simulations.explain import household as single_household
from floorsim.simulations.explain import parameters as parameters_browser
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.web.cache import ExpiredResults
from floorsim.simulations.web.errors import WebError
from floorsim.simulations.web.language import request_language
from floorsim.simulations.web.jobs import REFORM_NAME, Workspace
from floorsim.simulations.web.results_json import clean, reform_dict

MAX_CHANGES = 50
MIN_YEAR, MAX_YEAR = 1990, 2100  # years a request may simulate
MAX_PERSONS = 20
MAX_INPUTS = 40
PATH_PATTERN = r"^[A-Za-z0-9_.\[\]]+$"
NAME_PATTERN = r"^[A-Za-z0-9_.-]+$"

ParameterPath = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PATH_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NAME_PATTERN)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_]+$")]
ShortText = Annotated[str, StringConstraints(max_length=500)]
InputValue = bool | int | float | Annotated[str, StringConstraints(max_length=100)]

router = APIRouter(prefix="/api", tags=["api"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SettingIn(Strict):
    country: Name | None = Field(None, description="Country package (default: the server's).")
    survey: Name | None = Field(None, description="Survey key of the server's catalogue (GET /api/settings).")
    period: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Simulated year.")


class ChangeIn(Strict):
    parameter: ParameterPath = Field(description="Dotted path in the parameter tree, e.g. benefits.saii.amount")
    value: float | bool = Field(description="New value (in the parameter's unit).")
    start: datetime.date | None = Field(None, description="Date it takes effect (default: 1 January of period).")
    stop: datetime.date | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | bool) -> float | bool:
        if not isinstance(value, bool) and not math.isfinite(value):
            raise ValueError("value must be a finite number")
        if not isinstance(value, bool) and abs(value) > 1e12:
            raise ValueError("value is out of range (|value| ≤ 1e12)")
        return value


class RunIn(SettingIn):
    name: Name = Field("web_reform", description="Name of the reform (letters, digits, _ . -).")
    label: ShortText = ""
    changes: list[ChangeIn] = Field(min_length=1, max_length=MAX_CHANGES)
    replicates: int | None = Field(
        None, ge=0, le=200, description="Bootstrap replicates for the intervals (0: linearisation)."
    )


class VariantIn(Strict):
    name: Name
    job_id: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-f0-9]+$")]
    label: ShortText = ""


class HouseholdIn(SettingIn):
    persons: list[dict[Key, InputValue]] = Field(min_length=1, max_length=MAX_PERSONS)
    household: dict[Key, InputValue] = Field(default_factory=dict, max_length=MAX_INPUTS)
    month: Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2})?$")] | None = Field(
        None, description="Month (2025-03) or year (2025); default: the period's current month."
    )
    changes: list[ChangeIn] = Field(default_factory=list, max_length=MAX_CHANGES)

    @field_validator("month")
    @classmethod
    def _in_range(cls, month: str | None) -> str | None:
        in_range = month is None or (MIN_YEAR <= int(month[:4]) <= MAX_YEAR and int(month[5:] or 1) in range(1, 13))
        if not in_range:
            raise ValueError(f"month must be YYYY or YYYY-MM with a year in {MIN_YEAR}-{MAX_YEAR} and a month in 01-12")
        return month

    @field_validator("persons")
    @classmethod
    def _bounded(cls, persons: list[dict]) -> list[dict]:
        if any(len(person) > MAX_INPUTS for person in persons):
            raise ValueError(f"at most {MAX_INPUTS} inputs per person")
        return persons


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _unprocessable(message: str, problems: list | None = None) -> HTTPException:
    return HTTPException(status_code=422, detail={"message": one_line(message), "problems": problems or []})


def make_reform(space: Workspace, country: str, period: int, name: str, label: str, changes: list[ChangeIn]) -> ReformSpec:
    """A checked :class:`ReformSpec`; 422 naming unknown parameters with suggestions."""
    start = datetime.date(period, 1, 1)
    try:
        spec = ReformSpec(
            name=name,
            label=label,
            changes=tuple(
                ParameterChange(parameter=c.parameter, value=c.value, start=c.start or start, stop=c.stop)
                for c in changes
            ),
        )
    except ValueError as error:
        raise _unprocessable(str(error)) from None
    problems = space.check_changes(country, spec)
    if problems:
        raise _unprocessable("; ".join(problem["message"] for problem in problems), problems)
    return spec


def _setting(space: Workspace, body: SettingIn):
    try:
        return space.setting(body.country, body.survey, body.period)
    except WebError as error:
        raise _unprocessable(str(error)) from None


@router.get("/settings", summary="The default setting and what can be chosen")
def get_settings(request: Request) -> dict:
    space = workspace(request)
    default = space.default
    return {
        "default": {"country": default.country, "survey": default.survey, "period": default.period},
        "countries": space.countries,
        "surveys": list(space.surveys),
        "interactive_replicates": space.replicates,
        "job_timeout_seconds": space.timeout,
    }


@router.get("/parameters", summary="Parameters under a path: value at a date, unit, references")
def get_parameters(
    request: Request,
    path: Annotated[str, Query(max_length=200, pattern=r"^[A-Za-z0-9_.\[\]]*$")] = "",
    country: Annotated[str | None, Query(max_length=60, pattern=NAME_PATTERN)] = None,
    date: Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] = None,
    history: bool = False,
) -> dict:
    space = workspace(request)
    setting = _setting(space, SettingIn(country=country))
    parameters = space.parameters(setting.country)
    try:
        when = parameters_browser.parse_date(date or f"{setting.period}-01-01")
        entries = parameters_browser.list_subtree(parameters, path or None, when)
        rows = parameters_browser.history(parameters, path) if history and path else []
    except FloorsimError as error:
        raise HTTPException(status_code=404, detail={"message": str(error)}) from None
    data = {
        "country": setting.country,
        "date": when.isoformat(),
        "path": path,
        "entries": [entry.to_dict() for entry in entries],
    }
    if history:
        data["history"] = [row.to_dict() for row in rows]
    return JSONResponse(jsonable(data))


def jsonable(value: Any) -> Any:
    return clean(value)


@router.post("/reforms/check", summary="Check a reform's parameter changes without running it")
def check_reform(request: Request, body: RunIn) -> dict:
    space = workspace(request)
    setting = _setting(space, body)
    spec = make_reform(space, setting.country, setting.period, body.name, body.label, body.changes)
    return {"ok": True, "reform": reform_dict(spec)}


@router.post("/reforms/run", status_code=202, summary="Run a reform (parameter changes) as a background job")
def run_reform(request: Request, body: RunIn) -> dict:
    space = workspace(request)
    setting = _setting(space, body)
    spec = make_reform(space, setting.country, setting.period, body.name, body.label, body.changes)
    try:
        job = space.submit(spec, setting, body.replicates, language=request_language(request))
    except WebError as error:
        raise HTTPException(status_code=429, detail={"message": str(error)}) from None
    return {"id": job.id, "status": job.status, "status_url": f"/api/jobs/{job.id}", "page": f"/jobs/{job.id}"}


def _job(space: Workspace, job_id: str, finished: bool = False):
    if len(job_id) > 32:
        raise HTTPException(status_code=404, detail={"message": "no such job"})
    job = space.job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail={"message": f"no job '{job_id}' (jobs live as long as the server)"})
    if finished and job.status != "done":
        raise HTTPException(status_code=409, detail={"message": f"job {job_id} is {job.status}", "error": job.error})
    return job


def _expired(error: ExpiredResults) -> HTTPException:
    """410 Gone: the job is known but its results were removed from the bounded cache."""
    return HTTPException(status_code=410, detail={"message": str(error), "expired": True})


@router.get("/jobs/{job_id}", summary="State and progress of a job")
def get_job(request: Request, job_id: str) -> dict:
    return _job(workspace(request), job_id).status_dict()


@router.get("/jobs/{job_id}/results", summary="Headline, deciles, groups, cost... of a finished job, with CIs")
def get_results(request: Request, job_id: str) -> dict:
    space = workspace(request)
    try:
        return JSONResponse(space.results(_job(space, job_id, finished=True)))
    except ExpiredResults as error:
        raise _expired(error) from None


def _download(request: Request, job_id: str, kind: str, media: str, filename: str) -> Response:
    space = workspace(request)
    job = _job(space, job_id, finished=True)
    try:
        content = space.download(job, kind)
    except ExpiredResults as error:
        raise _expired(error) from None
    name = f"{job.reform.name}-{filename}"
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/jobs/{job_id}/workbook", summary="The Excel workbook of a finished job")
def get_workbook(request: Request, job_id: str) -> Response:
    return _download(
        request, job_id, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "results.xlsx"
    )


@router.get("/jobs/{job_id}/report", summary="The self-contained HTML report of a finished job")
def get_report(request: Request, job_id: str) -> Response:
    return _download(request, job_id, "html", "text/html; charset=utf-8", "report.html")


@router.get("/variants", summary="Saved variants (this server process only)")
def list_variants(request: Request) -> list[dict]:
    return list(workspace(request).variants.values())


@router.post("/variants", status_code=201, summary="Save a finished job as a named variant")
def save_variant(request: Request, body: VariantIn) -> dict:
    space = workspace(request)
    job = _job(space, body.job_id, finished=True)
    if len(space.variants) >= 100 and body.name not in space.variants:
        raise HTTPException(status_code=429, detail={"message": "at most 100 variants; delete some first"})
    variant = {
        "name": body.name,
        "label": body.label or job.reform.label or body.name,
        "job_id": job.id,
        "setting": job.status_dict()["setting"],
        "reform": {**reform_dict(job.reform), "name": body.name},
        "headline": job.headline,
        "saved": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    space.variants[body.name] = variant
    return variant


@router.get("/variants/{name}", summary="One variant; its 'reform' is a reform file floorsim run --reform reads")
def get_variant(request: Request, name: str) -> dict:
    variant = workspace(request).variants.get(name)
    if variant is None:
        raise HTTPException(status_code=404, detail={"message": f"no variant '{name}'"})
    return variant


@router.get("/variants/{name}/export", summary="A variant's reform as a JSON reform file (download)")
def export_variant(request: Request, name: str) -> Response:
    variant = get_variant(request, name)
    import json

    content = json.dumps(variant["reform"], indent=2, ensure_ascii=False)
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "_.-")
    return Response(content, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.json"'})


@router.delete("/variants/{name}", summary="Forget a variant")
def delete_variant(request: Request, name: str) -> dict:
    space = workspace(request)
    if space.variants.pop(name, None) is None:
        raise HTTPException(status_code=404, detail={"message": f"no variant '{name}'"})
    return {"deleted": name}


def household_report(space: Workspace, body: HouseholdIn) -> single_household.HouseholdReport:
    """The single-window report of ``floorsim household`` for a household described in the browser."""
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import baseline_system

    setting = _setting(space, body)
    reforms = []
    if body.changes:
        reforms = [make_reform(space, setting.country, setting.period, "reform", "reform", body.changes)]
    try:
        spec = load_country(setting.country)
        raw = {"persons": [dict(person) for person in body.persons], "household": dict(body.household)}
        described = single_household.validate_household(raw, spec, baseline_system(setting.country), "household")
        return single_household.simulate_household(setting.country, described, body.month or None, reforms)
    except FloorsimError as error:
        raise _unprocessable(str(error)) from None
    except ParameterNotFoundError as error:  # a month before the package's rules begin (e.g. 1999-01)
        raise _unprocessable(
            f"month {body.month}: {one_line(str(error))} The country's rules do not reach back that far: choose a "
            f"later month."
        ) from None


@router.post("/household", summary="Every programme for one household (the engine of floorsim household)")
def post_household(request: Request, body: HouseholdIn) -> dict:
    report = household_report(workspace(request), body)
    return JSONResponse(jsonable(report.to_dict()))


__all__ = ["REFORM_NAME", "ChangeIn", "HouseholdIn", "RunIn", "VariantIn", "router"]
