"""End to end in headless Chromium (Debian's package, driven by Playwright): edit a parameter, run, wait for the
results, and check that the figures shown are the API's.

Screenshots go to a temporary folder, or to ``FLOORSIM_SCREENSHOTS`` (e.g. ``docs/images``) when set:
``FLOORSIM_SCREENSHOTS=docs/images .venv/bin/python -m pytest tests/web/test_browser.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from floorsim.simulations.reports.numbers import format_figure

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


pytestmark = pytest.mark.skipif(chromium() is None, reason="no Chromium binary (Debian: apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from floorsim.simulations.web import create_app
    from floorsim.simulations.web.jobs import Workspace

    space = Workspace(n_jobs=1, replicates=10)
    port = free_port()
    config = uvicorn.Config(create_app(space), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/api/settings", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api  # a test dependency (pyproject.toml): its absence must fail, not skip

    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("FLOORSIM_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_edit_run_and_compare_with_api(server, browser, shots):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/parameters?path=benefits.saii")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.fill('input.edit[data-path="benefits.saii.amount"]', "80")
    page.click('button.add[data-path="benefits.saii.amount"]')
    page.fill("#reform-name", "saii_80")
    page.dispatch_event("#reform-name", "change")
    assert "benefits.saii.amount" in page.inner_text("#changes")
    page.screenshot(path=str(shots / "web_parameters.png"), full_page=False)
    page.click("#run")
    page.wait_for_selector("#results", timeout=60_000)
    page.wait_for_function("document.body.dataset.charts === 'drawn'", timeout=10_000)
    job_id = page.get_attribute("#results", "data-job")
    assert page.url.endswith(f"/jobs/{job_id}")
    page.screenshot(path=str(shots / "web_results.png"), full_page=True)

    results = httpx.get(f"{server}/api/jobs/{job_id}/results", timeout=10).json()
    assert results["reform"]["changes"][0] == {"parameter": "benefits.saii.amount", "value": 80.0,
                                              "start": "2025-01-01", "stop": None}
    for row in results["headline"]:
        for side in ("baseline", "reform", "change"):
            cell = page.locator(f'#headline tr[data-indicator="{row["indicator"]}"] td[data-side="{side}"]')
            shown = cell.inner_text().strip()
            assert shown == format_figure(row[side]["estimate"], row["kind"], change=side == "change")
            assert float(cell.get_attribute("data-value")) == pytest.approx(row[side]["estimate"], rel=1e-12)
    for row in results["deciles"][:10]:
        cell = page.locator(f'#deciles tr[data-decile="{row["decile"]}"] td[data-value]')
        assert float(cell.get_attribute("data-value")) == pytest.approx(row["mean_gain"], rel=1e-12)

    page.fill("#variant-name", "saii_80")
    page.click("#save-variant button")
    page.wait_for_selector("#saved a")
    # a second variant through the API, as another tool would
    other = httpx.post(f"{server}/api/reforms/run", timeout=10, json={
        "name": "child_grant", "changes": [{"parameter": "benefits.universal_child_grant.amount", "value": 10},
                                           {"parameter": "benefits.universal_child_grant.age_limit", "value": 5}]})
    assert other.status_code == 202, other.text
    other_id = other.json()["id"]
    for _ in range(600):
        if httpx.get(f"{server}/api/jobs/{other_id}", timeout=10).json()["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert httpx.post(f"{server}/api/variants", json={"name": "child_grant", "job_id": other_id},
                      timeout=10).status_code == 201
    page.goto(f"{server}/variants")
    page.wait_for_selector("#chart-variant-cost")
    variants = {v["name"]: v for v in httpx.get(f"{server}/api/variants", timeout=10).json()}
    assert set(variants) == {"saii_80", "child_grant"}
    for name, variant in variants.items():
        for row in variant["headline"]:
            cell = page.locator(f'#compare tr[data-indicator="{row["indicator"]}"] td[data-variant="{name}"]')
            assert cell.inner_text().startswith(format_figure(row["reform"]["estimate"], row["kind"]))
    page.screenshot(path=str(shots / "web_variants.png"), full_page=True)

    page.goto(f"{server}/household")  # the reform being composed (SAII at 80) is still in the browser
    page.fill("textarea[name=persons]", "age=72,sex=male\nage=30,sex=female\nage=4")
    page.fill("input[name=month]", "2025-03")
    page.check("#with-reform")
    page.click("#household-form button[type=submit]")
    page.wait_for_selector("#household-result")
    api = httpx.post(f"{server}/api/household", timeout=30, json={
        "persons": [{"age": 72, "sex": "male"}, {"age": 30, "sex": "female"}, {"age": 4}], "month": "2025-03",
        "changes": [{"parameter": "benefits.saii.amount", "value": 80}]}).json()
    for scenario in ("baseline", "reform"):
        for programme in api["scenarios"][scenario]["programmes"]:
            name = programme if isinstance(programme, str) else programme["name"]
            amount = (api["scenarios"][scenario]["programmes"][programme]["amount"] if isinstance(programme, str)
                      else programme["amount"])
            cell = page.locator(f'#household-result tr[data-programme="{name}"] td[data-scenario="{scenario}"]')
            assert float(cell.get_attribute("data-value")) == pytest.approx(amount)
    page.screenshot(path=str(shots / "web_household.png"), full_page=True)
    page.close()
