"""``floorsim run --language pt`` (fr, es) with two reforms writes every output in that language (issue 22).

One run per language on the tiny survey, two reforms (so the combined comparison is written too), tables in CSV,
Parquet and Stata. Every human text of every output is collected — the CLI's standard output, the HTML pages'
text nodes, the workbooks' string cells, the CSV files' label columns, the Stata variable and value labels, the
charts' texts (matplotlib writes each text as a comment in its SVG), the units of ``summary.json`` — and none may
be an English message id the language's catalogue translates, nor hold one of a list of English phrases. Allowed
as they are: identifiers (``saii_cost``, ``baseline``), numbers, and the texts of the country package (programme
labels, reform labels and descriptions, parameter descriptions and references: OpenFisca's labels stay in the
package's language, docs/translations.md), the survey's own description of its welfare aggregate, and the
citation of the population projection.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.reports.labels import Labels
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey
from tests.reports.test_translations import _Texts, english_patterns

LANGUAGES = ("pt", "fr", "es")
REFORMS = ("saii_increase", "universal_child_grant")
# Phrases of English texts that were once left in these outputs (a second check, independent of the catalogue).
ENGLISH_PHRASES = (
    "Wrote into", "options compared", "Options compared", "Current law", "current law", "change in percentage points",
    "Cumulative share", "Lorenz curve", "Equality", "Point estimate", "Standard error", "Unit of the values",
    "a change x100", "files)", "survey weights calibrated", "of the country package", "grown by the nominal",
    "× GDP", "price level of", "chained from", "raking to persons", "Reform option", "Population group",
    "Indicator", "Baseline", ": change", "95% CI", "per year", "unknown age", "Kind of figure", "consumption per",
)
LABEL_COLUMNS = ("label", "unit", "value_unit", "group_label", "programme_label", "option_label")
IDENTIFIER = re.compile(r"[a-z0-9_.\-]+")
SVG_TEXT = re.compile(r"<!-- (.*?) -->", re.DOTALL)


@pytest.fixture(scope="session")
def language_runs(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """``{language: (out folder, standard output)}`` of one run per language with two reforms."""
    folder = tmp_path_factory.mktemp("languages")
    survey = write_survey(make_tiny_survey(), folder / "tiny")
    runs = {}
    for language in LANGUAGES:
        out = folder / language
        arguments = ["run", "--survey", str(survey), "--out", str(out), "--jobs", "1", "--replicates", "0",
                     "--formats", "csv,parquet,dta", "--language", language]
        for reform in REFORMS:
            arguments += ["--reform", reform]
        result = CliRunner().invoke(app, arguments, terminal_width=240)
        assert result.exit_code == 0, result.output
        runs[language] = (out, result.stdout)  # warnings and errors (standard error) stay in English
    return runs


def package_texts(out: Path) -> set[str]:
    """Texts of the country package and of the survey's and projection's own records, allowed in any language."""
    spec = load_country("timor_leste")
    texts = {programme.label for programme in spec.programmes.values()}
    for reform in REFORMS:
        parameters = pd.read_csv(out / reform / "tables" / "parameters.csv", keep_default_na=False)
        texts |= {str(value) for column in ("description", "reference", "unit") for value in parameters[column]}
    summary = json.loads((out / REFORMS[0] / "summary.json").read_text(encoding="utf-8"))
    texts.add((summary.get("population") or {}).get("source_fact", {}).get("citation", ""))
    texts |= {str(summary["provenance"].get(key) or "") for key in ("welfare_definition",)}
    return {text for text in texts if text}


def reform_labels() -> set[str]:
    """The reforms' labels and descriptions, as the package's reform files write them."""
    from floorsim.simulations.engine.reforms import load_reform

    folder = Path(load_country("timor_leste").folder) / "reforms"
    found = set()
    for reform in REFORMS:
        spec = load_reform(folder / f"{reform}.yaml")
        found |= {spec.label, spec.description}
    return {text for text in found if text}


def output_texts(out: Path, stdout: str, language: str) -> dict[str, list[str]]:
    """Every human text of every output of a run, by file."""
    texts: dict[str, list[str]] = {"stdout": [cell.strip() for line in stdout.splitlines()
                                              for cell in re.split(r"[│┃]", line) if cell.strip()]}
    for path in sorted(out.rglob("*.html")):
        parser = _Texts()
        parser.feed(path.read_text(encoding="utf-8"))
        texts[str(path.relative_to(out))] = parser.texts
    provenance = Labels(language)["sheet.provenance"]
    for path in sorted(out.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True)
        texts[str(path.relative_to(out))] = list(workbook.sheetnames) + [
            cell for sheet in workbook.worksheets if sheet.title != provenance
            for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    for path in sorted(out.rglob("*.csv")):
        table = pd.read_csv(path, keep_default_na=False)
        texts[str(path.relative_to(out))] = [str(value) for column in LABEL_COLUMNS if column in table
                                             for value in table[column].unique()]
    for path in sorted(out.rglob("*.dta")):
        _, meta = pyreadstat.read_dta(str(path), metadataonly=True)
        texts[str(path.relative_to(out))] = [*meta.column_labels, *(label for labels in
                                                                    meta.variable_value_labels.values()
                                                                    for label in labels.values())]
    for path in sorted(out.rglob("*.svg")):
        texts[str(path.relative_to(out))] = [" ".join(text.split()) for text in
                                             SVG_TEXT.findall(path.read_text(encoding="utf-8"))]
    for path in sorted(out.rglob("summary.json")):
        texts[str(path.relative_to(out))] = list(json.loads(path.read_text(encoding="utf-8"))["units"].values())
    return texts


def translated_pieces(language: str) -> set[str]:
    """The translations of ``language``'s catalogue and their parts (split as :func:`english_left` splits)."""
    from floorsim.simulations.reports import catalogues

    pieces = set()
    for message in catalogues.read_catalogue(language):
        if message.id and message.string:
            pieces |= {piece.strip(" ()-.:;,") for piece in re.split(r" · |: |; | \(|\)| : ", message.string)}
    return pieces


def english_left(texts: dict[str, list[str]], language: str, allowed: set[str]) -> list[tuple[str, str]]:
    """(file, text) of every text that is an English message id of ``language``'s catalogue (whole, or a part
    around `` · ``, ``: ``, ``; `` or in parentheses), or holds a known English phrase; package texts and
    identifiers removed first."""
    patterns = english_patterns(language)
    translated = translated_pieces(language)
    found = []
    for name, items in texts.items():
        for text in items:
            for known in sorted(allowed, key=len, reverse=True):  # longest first: a label holding another
                text = text.replace(known, " ")
            pieces = {text.strip(), *(piece.strip(" ()-.:;,") for piece in re.split(r" · |: |; | \(|\)", text))}
            for piece in pieces:
                if (not piece or IDENTIFIER.fullmatch(piece) or not re.search(r"[A-Za-z]", piece)
                        or piece in translated):  # a word both languages spell alike (French "Gain")
                    continue
                if any(pattern.fullmatch(piece) for pattern in patterns):
                    found.append((name, piece))
            found += [(name, phrase) for phrase in ENGLISH_PHRASES if phrase in text]
    return sorted(set(found))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_output_is_in_the_language(language_runs, language):
    out, stdout = language_runs[language]
    texts = output_texts(out, stdout, language)
    # every kind of output was read (a collector that reads nothing would pass)
    kinds = {Path(name).suffix or name for name, items in texts.items() if items}
    assert kinds == {"stdout", ".html", ".xlsx", ".csv", ".dta", ".svg", ".json"}
    assert {"comparison.html", "comparison.xlsx", "tables/comparison.dta"} <= set(texts)
    allowed = package_texts(out) | reform_labels()
    assert english_left(texts, language, allowed) == []
    # the translated texts are there: the comparison, a Stata label, a chart axis, the run's last line
    labels = Labels(language)
    everything = "\n".join(text for items in texts.values() for text in items)
    for key in ("comparison.baseline", "dta.estimate", "chart.lorenz.title", "sheet.curves"):
        assert labels[key] in everything, key
    assert labels.text("cli.wrote", out=out, files="").split(str(out))[0].strip() in stdout


def test_the_check_finds_english_left(language_runs):
    """The same collection, run on English outputs, finds the English texts (so the check can fail)."""
    out, stdout = language_runs["pt"]
    texts = {"report.html": ["Current law (baseline)", "Cumulative share of welfare (%)"],
             "cost.dta": ["Point estimate"], "stdout": ["Wrote into out: a, b"],
             "chart.svg": ["Custo anual por programa", "Lorenz curve of welfare per capita"]}
    found = english_left(texts, "pt", package_texts(out))
    assert ("report.html", "Current law (baseline)") in found
    assert ("report.html", "Cumulative share of welfare (%)") in found
    assert ("cost.dta", "Point estimate") in found
    assert ("stdout", "Wrote into") in found
    assert ("chart.svg", "Lorenz curve of welfare per capita") in found
    assert not any(text == "Custo anual por programa" for _, text in found)


def test_recorded_facts_are_written_in_the_language():
    """Facts the run records as data (population, GDP, prices) become sentences in the report's language, by hand."""
    fact = {"fact": "fact.gdp_grown", "parameter": "country.gdp.non_oil", "base": 2023,
            "file": "assumptions_2025_2035.yaml", "year": 2025}
    assert Labels("en").fact(fact) == ("country.gdp.non_oil (2023) of the country package, grown by the nominal GDP "
                                      "growth of assumptions_2025_2035.yaml to 2025")
    assert Labels("fr").fact(fact) == ("country.gdp.non_oil (2023) du paquet du pays, augmenté de la croissance "
                                      "nominale du PIB de assumptions_2025_2035.yaml jusqu'en 2025")
    survey = {"fact": "fact.population_survey", "reason": {"fact": "fact.population_year_survey"}}
    assert Labels("es").fact(survey) == "los pesos propios de la encuesta (--population-year survey)"
    # a sentence a lower layer wrote in English from a template is read back and translated; other text is kept
    note = "price level of 2025 chained from the 2014 CPI with annual inflation rates"
    assert Labels("pt").recorded(note) == "nível de preços de 2025 encadeado a partir do IPC de 2014 com as taxas de " \
                                          "inflação anuais"
    assert Labels("pt").recorded("World Population Prospects 2022") == "World Population Prospects 2022"


@pytest.mark.parametrize("language", ["tet", "vi"])
def test_started_languages_state_their_coverage_in_the_docs(language):
    """docs/translations.md gives each started language's coverage; it equals the catalogue's count."""
    from floorsim.simulations.reports import catalogues

    messages = [message for message in catalogues.read_catalogue(language) if message.id]
    done = sum(bool(message.string) for message in messages)
    page = (Path(__file__).parents[2] / "docs" / "translations.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith("|") and f"| `{language}` |" in line)
    assert f"started: {done} of {len(messages)} texts ({round(100 * done / len(messages))}%" in row
    assert 0 < done < len(messages)
