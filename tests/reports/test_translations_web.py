"""The web app's language switch (issue 22): ``?lang=`` translates a page, a cookie keeps the choice, the scripts
receive their texts translated, numbers follow the language; no English text the catalogue translates is left."""

from __future__ import annotations

import json
import re
import warnings

import pytest

with warnings.catch_warnings():  # starlette's notice that httpx will be replaced by httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.numbers import format_parameter_value
from floorsim.simulations.web import create_app
from floorsim.simulations.web.jobs import Workspace
from floorsim.simulations.web.language import COOKIE, JOB_STAGES, script_messages
from tests.reports.test_translations import _Texts, english_in, english_patterns


@pytest.fixture(scope="module")
def client():
    space = Workspace(n_jobs=1, replicates=10)
    try:
        with TestClient(create_app(space, warm_up=False), base_url="http://localhost") as test_client:
            yield test_client
    finally:
        space.close()


def visible_texts(page: str) -> list[str]:
    parser = _Texts()
    parser.feed(re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL))
    return parser.texts


@pytest.mark.parametrize("language", ["pt", "fr", "es"])
@pytest.mark.parametrize("path", ["/", "/parameters", "/variants", "/household"])
def test_pages_have_no_english_text_the_catalogue_translates(client, language, path):
    client.cookies.clear()
    page = client.get(path, params={"lang": language}).text
    assert f'<html lang="{language}">' in page
    texts = visible_texts(page)
    assert Labels(language).gettext("Household calculator") in texts
    assert english_in(texts, english_patterns(language), set()) == []


def test_the_choice_is_kept_in_a_cookie_and_can_be_changed(client):
    client.cookies.clear()
    response = client.get("/", params={"lang": "fr"})
    assert response.cookies.get(COOKIE) == "fr"
    assert "Que simuler" in client.get("/").text  # the cookie, no ?lang=
    assert "What to simulate" in client.get("/", params={"lang": "en"}).text
    assert "What to simulate" in client.get("/").text
    client.cookies.clear()
    assert '<html lang="en">' in client.get("/", params={"lang": "xx"}).text  # unknown: English, no error


def test_switch_links_keep_the_page_and_its_query(client):
    client.cookies.clear()
    page = client.get("/parameters", params={"path": "benefits.saii", "lang": "pt"}).text
    assert 'href="/parameters?path=benefits.saii&amp;lang=fr"' in page
    assert '<b lang="pt">Português</b>' in page


def test_scripts_receive_their_texts_translated(client):
    client.cookies.clear()
    page = client.get("/parameters", params={"lang": "es"}).text
    embedded = json.loads(re.search(r'<script type="application/json" id="floorsim-texts">(.*?)</script>', page,
                                    re.DOTALL).group(1))
    assert set(embedded) == set(script_messages()) | set(JOB_STAGES)
    assert embedded["Add at least one change first."] == "Añada primero al menos un cambio."
    assert "'{text}' is not a number (or true/false) for {path}" in embedded  # a t() call with placeholders


def test_parameter_values_in_the_page_language(client):
    """The parameter browser writes values as format_parameter_value does for the language (Babel's separators)."""
    client.cookies.clear()
    english = client.get("/parameters", params={"path": "benefits.saii.amount", "lang": "en"}).text
    french = client.get("/parameters", params={"path": "benefits.saii.amount", "lang": "fr"}).text
    value = re.search(r'<td class="num">([^<]+)</td>', english).group(1)
    number = float(value.replace(",", ""))
    assert format_parameter_value(number, Labels("fr")) in french
    assert format_parameter_value(1234.5, Labels("fr")) == "1\u202f234,5"


def test_a_jobs_results_and_downloads_are_in_the_language_of_the_page_that_ran_it(client):
    """A run started from a Portuguese page: its results (JSON, page) and its workbook are labelled in Portuguese,
    its progress stages too; the same job shown on an English page keeps the labels it was built with."""
    import io

    import openpyxl

    client.cookies.clear()
    client.cookies.set(COOKIE, "pt")
    response = client.post("/api/reforms/run", json={"name": "saii_80", "replicates": 0, "changes": [
        {"parameter": "benefits.saii.amount", "value": 80}]})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    job = client.app.state.workspace.wait(job_id, timeout=120)
    assert job.status == "done", job.error
    labels = Labels("pt")
    results = client.get(f"/api/jobs/{job_id}/results").json()
    shown = {row["indicator"]: row["label"] for row in results["headline"]}
    assert shown["poverty_headcount"].startswith(labels["indicator.poverty_headcount"])  # "Taxa de pobreza, ..."
    assert shown["total_cost"] == labels.text("indicator.total_cost")
    page = client.get(f"/jobs/{job_id}").text
    assert english_in(visible_texts(page), english_patterns("pt"), set()) == []
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/jobs/{job_id}/workbook").content), read_only=True)
    assert workbook.sheetnames[:3] == [labels["sheet.summary"], labels["sheet.cost"], labels["sheet.poverty"]]
    embedded = json.loads(re.search(r'<script type="application/json" id="floorsim-texts">(.*?)</script>', page,
                                    re.DOTALL).group(1))
    assert embedded["simulating the reform"] == "a simular a reforma"  # the stage the script shows, translated
    client.cookies.clear()
