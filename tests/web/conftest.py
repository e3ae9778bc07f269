"""Fixtures of the web app tests: one workspace (sequential engine, few replicates) and a TestClient."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():  # starlette's notice that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from floorsim.simulations.web import create_app
from floorsim.simulations.web.jobs import Workspace

REPLICATES = 10
BASE_URL = "http://localhost"


@pytest.fixture(scope="session")
def space():
    workspace = Workspace(n_jobs=1, replicates=REPLICATES)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def client(space):
    # The Host check serves localhost, not TestClient's default "testserver".
    with TestClient(create_app(space, warm_up=False), base_url=BASE_URL) as test_client:
        yield test_client


def run_reform(client, changes, name="saii_80", **extra) -> dict:
    """POST a reform, wait for its job, return the job's status."""
    response = client.post("/api/reforms/run", json={"name": name, "changes": changes, **extra})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    client.app.state.workspace.wait(job_id, timeout=60)
    return client.get(f"/api/jobs/{job_id}").json()


@pytest.fixture(scope="session")
def saii_job(client) -> dict:
    job = run_reform(client, [{"parameter": "benefits.saii.amount", "value": 80}])
    assert job["status"] == "done", job
    return job
