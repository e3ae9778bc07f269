"""The JSON API of floorsim serve: validation, jobs, results equal the engine's, variants, downloads, household."""

from __future__ import annotations

import io
import json

import pytest

from floorsim.simulations.explain import household as single_household
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, load_reform
from floorsim.simulations.reports.numbers import format_figure
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.surveys import load_survey
from floorsim.surveys.bundled import BUNDLED_SURVEY
from tests.web.conftest import REPLICATES, run_reform

SAII = [{"parameter": "benefits.saii.amount", "value": 80}]


def test_settings_and_openapi(client):
    settings = client.get("/api/settings").json()
    assert settings["default"] == {"country": "timor_leste", "survey": "bundled", "period": 2025}
    assert "timor_leste" in settings["countries"] and settings["surveys"] == ["bundled"]
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/parameters", "/api/reforms/run", "/api/jobs/{job_id}", "/api/jobs/{job_id}/results",
                 "/api/household", "/api/variants", "/api/jobs/{job_id}/workbook"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_parameters_value_unit_history_source(client):
    data = client.get("/api/parameters", params={"path": "benefits.saii.amount", "history": True}).json()
    (entry,) = data["entries"]
    assert entry["kind"] == "parameter" and entry["unit"] and entry["value"] is not None
    assert entry["references"], "every parameter carries its legal source"
    assert data["history"] and all("start" in row for row in data["history"])
    tree = client.get("/api/parameters", params={"path": "benefits"}).json()["entries"]
    assert any(item["path"] == "benefits.saii.amount" for item in tree)
    assert client.get("/api/parameters", params={"path": "benefits.nothing"}).status_code == 404
    assert client.get("/api/parameters", params={"path": "../../etc/passwd"}).status_code == 422


def test_unknown_parameter_is_422_with_suggestions(client):
    response = client.post("/api/reforms/run", json={"changes": [{"parameter": "benefits.saii.amout", "value": 80}]})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]["problems"]
    assert "benefits.saii.amount" in problem["suggestions"]
    check = client.post("/api/reforms/check", json={"changes": SAII})
    assert check.status_code == 200 and check.json()["reform"]["changes"][0]["start"] == "2025-01-01"


@pytest.mark.parametrize(
    "body",
    [
        {"changes": []},
        {"changes": SAII * 51},
        {"changes": SAII, "name": "has spaces"},
        {"changes": SAII, "name": "x" * 61},
        {"changes": [{"parameter": "benefits/saii", "value": 1}]},
        {"changes": [{"parameter": "benefits.saii.amount", "value": "__import__('os')"}]},
        {"changes": [{"parameter": "benefits.saii.amount", "value": 1e300}]},
        {"changes": SAII, "survey": "../../etc"},
        {"changes": SAII, "survey": "/tmp/survey"},
        {"changes": SAII, "country": "atlantis"},
        {"changes": SAII, "period": 3000},
        {"changes": SAII, "replicates": 10_000},
        {"changes": SAII, "code": "print(1)"},
        {"changes": [{"parameter": "benefits.saii.amount", "value": 1, "formula": "x"}]},
    ],
)
def test_invalid_run_requests_are_refused(client, body):
    response = client.post("/api/reforms/run", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["message"]


def test_body_size_limit(client):
    response = client.post("/api/reforms/run", content=b"{" + b" " * 300_000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_job_results_equal_the_engine(client, space, saii_job):
    assert saii_job["progress"] == 1.0 and saii_job["seconds"] is not None
    results = client.get(f"/api/jobs/{saii_job['id']}/results").json()
    # An independent run of the engine in this process (the server's ran in its worker process).
    reform = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80,
                                                                 start="2025-01-01"),))
    engine = Microsimulation("timor_leste", load_survey(BUNDLED_SURVEY), 2025, backend="sequential")
    comparison = engine.run({BASELINE: None, "reform": reform}).comparison("reform")
    for row in results["headline"]:
        for side in ("baseline", "reform", "change"):
            assert row[side]["estimate"] == pytest.approx(comparison[row["indicator"]][side], rel=1e-9, abs=1e-9)
        assert row["replicates"] == REPLICATES
        assert row["change"]["ci_low"] <= row["change"]["estimate"] <= row["change"]["ci_high"]
    cost = {row["indicator"]: row for row in results["headline"]}["saii_cost"]
    assert cost["change"]["estimate"] > 0
    assert [row["decile"] for row in results["deciles"]][:10] == [str(d) for d in range(1, 11)] and {"mean_gain_ci_low", "mean_gain_ci_high"} <= set(results["deciles"][0])
    assert {row["group_variable"] for row in results["by_group"]} >= {"sex", "age_group"}
    assert results["reform"]["changes"][0]["parameter"] == "benefits.saii.amount"


def test_job_page_shows_the_api_figures(client, saii_job):
    results = client.get(f"/api/jobs/{saii_job['id']}/results").json()
    page = client.get(f"/jobs/{saii_job['id']}").text
    for row in results["headline"]:
        assert format_figure(row["change"]["estimate"], row["kind"], change=True) in page
    assert "chart-deciles" in page and "/static/chart.umd.min.js" in page
    assert "cdn" not in page.lower()


def test_unknown_and_unfinished_jobs(client, space):
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404
    assert client.get("/jobs/0123456789abcdef").status_code == 404
    assert client.get("/api/jobs/0123456789abcdef/results").status_code == 404


def test_failed_job_is_reported(client):
    job = run_reform(client, [{"parameter": "benefits.saii.amount", "value": True}], name="bad")
    assert job["status"] in ("done", "failed")
    if job["status"] == "failed":
        assert client.get(f"/api/jobs/{job['id']}/results").status_code == 409


def test_downloads(client, saii_job):
    workbook = client.get(f"/api/jobs/{saii_job['id']}/workbook")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert "attachment" in workbook.headers["content-disposition"]
    import openpyxl

    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert "Summary" in sheets and "Deciles" in sheets
    report = client.get(f"/api/jobs/{saii_job['id']}/report")
    assert report.status_code == 200 and b"<html" in report.content[:500].lower()
    # The downloads come from a new run of the same reform (the page's run builds only the tables it shows): the
    # report shows the figures of the page, with the page's replicates, and the tables the page has not
    # (coverage, targeting, curves) are in the workbook.
    results = client.get(f"/api/jobs/{saii_job['id']}/results").json()
    text = report.content.decode("utf-8")
    for row in results["headline"]:
        assert format_figure(row["change"]["estimate"], row["kind"], change=True) in text, row["indicator"]
    assert "Coverage and targeting" in sheets, sheets


def test_variants_save_compare_export(client, saii_job, tmp_path):
    other = run_reform(client, [{"parameter": "benefits.saii.amount", "value": 100}], name="saii_100")
    assert client.post("/api/variants", json={"name": "saii_80", "job_id": saii_job["id"]}).status_code == 201
    assert client.post("/api/variants", json={"name": "saii_100", "job_id": other["id"]}).status_code == 201
    assert client.post("/api/variants", json={"name": "../x", "job_id": other["id"]}).status_code == 422
    names = [variant["name"] for variant in client.get("/api/variants").json()]
    assert names[-2:] == ["saii_80", "saii_100"]
    page = client.get("/variants").text
    assert 'data-variant="saii_80"' in page and 'data-variant="saii_100"' in page
    exported = client.get("/api/variants/saii_100/export")
    path = tmp_path / "saii_100.json"
    path.write_bytes(exported.content)
    spec = load_reform(path)
    assert spec.name == "saii_100" and spec.changes[0].value == 100
    assert client.delete("/api/variants/saii_100").status_code == 200
    assert client.get("/api/variants/saii_100").status_code == 404


def test_household_api_is_the_household_engine(client):
    body = {"persons": [{"age": 72}, {"age": 5}], "household": {}, "month": "2025-03"}
    response = client.post("/api/household", json=body)
    assert response.status_code == 200, response.text
    spec = load_country("timor_leste")
    described = single_household.validate_household({"persons": body["persons"], "household": {}}, spec,
                                                   baseline_system("timor_leste"))
    expected = single_household.simulate_household("timor_leste", described, "2025-03").to_dict()
    assert json.loads(json.dumps(expected, default=str)) == response.json()
    with_reform = client.post("/api/household", json={**body, "changes": SAII}).json()
    assert list(with_reform["scenarios"]) == ["baseline", "reform"]
    assert with_reform["scenarios"]["reform"]["total"] > with_reform["scenarios"]["baseline"]["total"]


def test_household_validation(client):
    bad = client.post("/api/household", json={"persons": [{"agge": 72}]})
    assert bad.status_code == 422 and "age" in bad.json()["detail"]["message"]
    assert client.post("/api/household", json={"persons": [{"age": 1}] * 21}).status_code == 422
    assert client.post("/api/household", json={"persons": []}).status_code == 422


def test_pages_render(client):
    for url in ("/", "/parameters", "/parameters?path=benefits.saii", "/parameters?path=benefits.saii.amount",
                "/variants", "/household"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<html" in response.text
    page = client.get("/household", params={"persons": "age=72\nage=5", "month": "2025-03"}).text
    assert 'id="household-result"' in page
    assert 'id="household-error"' in client.get("/household", params={"persons": "agge=72"}).text
    reform = json.dumps(SAII)
    compared = client.get("/household", params={"persons": "age=72", "month": "2025-03", "reform": reform}).text
    assert 'data-scenario="reform"' in compared
    refused = client.get("/household", params={"persons": "age=72", "reform": '[{"parameter": "os.system", "value": 1}]'})
    assert 'id="household-error"' in refused.text and "not a parameter" in refused.text
    assert client.get("/parameters", params={"country": "atlantis"}).status_code == 422
    static = client.get("/static/chart.umd.min.js")
    assert static.status_code == 200 and b"Chart.js v4" in static.content[:200]
