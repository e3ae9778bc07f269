"""Translations (issue 22): every marked text translated in the complete languages, catalogues in step with the
source, placeholders kept, a Portuguese run without English labels, numbers and dates as Babel writes them."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from babel.dates import format_date as babel_date
from babel.numbers import format_decimal, format_percent
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.reports import catalogues
from floorsim.simulations.reports.labels import COMPLETE_LANGUAGES, ENGLISH, Labels, get_labels, translations
from floorsim.simulations.reports.numbers import format_date, format_number
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey

TRANSLATED = [language for language in COMPLETE_LANGUAGES if language != "en"]


@pytest.fixture(scope="module")
def source_texts() -> set[str]:
    """Every text marked in the source, found by Babel's extractors (Python, Jinja2 templates, JavaScript)."""
    return {message.id for message in catalogues.extract() if message.id}


def test_extraction_finds_the_labels_templates_and_script(source_texts):
    assert set(ENGLISH.values()) <= source_texts
    assert {"Household calculator", "Download Excel workbook"} <= source_texts  # web templates
    assert "Add at least one change first." in source_texts  # static/app.js
    assert "{country} {year}: baseline vs {reform}" in source_texts  # the CLI table (cli/terminal.py)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated_in_a_complete_language(language, source_texts):
    catalog = catalogues.read_catalogue(language)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    assert sorted(source_texts - translated) == [], f"untranslated in {language}: run catalogues update, translate"


@pytest.mark.parametrize("language", TRANSLATED + ["tet", "vi"])
def test_compiled_catalogue_matches_its_source_and_keeps_placeholders(language):
    catalog = catalogues.read_catalogue(language)
    catalogues.check(catalog, catalogues.language_file(language))  # raises on a lost or invented placeholder
    compiled = translations(language)
    for message in catalog:
        if message.id and message.string:
            assert compiled.gettext(message.id) == message.string, (language, message.id)


def test_placeholder_check_refuses_a_lost_placeholder(tmp_path):
    catalog = catalogues.Catalog(locale="pt")
    catalog.add("Cost ({currency} million/year)", "Custo (milhões/ano)")
    with pytest.raises(catalogues.CatalogueError, match="placeholders"):
        catalogues.check(catalog, tmp_path / "x.po")


def test_template_lists_exactly_the_source_texts(source_texts):
    with catalogues.TEMPLATE.open("rb") as handle:
        template = {message.id for message in catalogues.read_po(handle) if message.id}
    assert template == source_texts, "floorsim.pot is stale: python -m floorsim.simulations.reports.catalogues update"


def test_domain_terms():
    """The field's standard terms (ILO usage)."""
    assert Labels("pt")["indicator.poverty_headcount"] == "Taxa de pobreza"
    assert Labels("fr")["indicator.poverty_headcount"] == "Taux de pauvreté"
    assert Labels("es")["indicator.poverty_headcount"] == "Tasa de pobreza"
    assert Labels("fr")["sheet.summary"] == "Synthèse" and Labels("es")["col.reform"] == "Reforma"


def test_started_language_falls_back_to_english():
    tet = get_labels("tet")
    assert tet["sheet.summary"] == "Rezumu"
    assert tet["title.targeting"] == ENGLISH["title.targeting"]


# ----- numbers and dates: Babel (CLDR) is the second method -----

@pytest.mark.parametrize("language", ["en", "pt", "fr", "es", "vi"])
def test_numbers_as_babel_writes_them(language):
    labels = Labels(language)
    locale = labels.locale
    assert format_number(24_592_080.2, "money_millions", labels) == format_decimal(24.59, "#,##0.00", locale=locale)
    assert format_number(1_234_567.891, "money_month", labels) == format_decimal(1234567.89, "#,##0.00",
                                                                                 locale=locale)
    assert format_number(565_384.4, "count", labels) == format_decimal(565384, "#,##0", locale=locale)
    # the locale's own percent pattern (sign, spacing), digits as given
    assert format_number(0.4047, "percent", labels) == format_percent(0.405, locale=locale, decimal_quantization=False)
    assert format_number(-0.023, "points", labels, change=True) == format_decimal(-2.3, "#,##0.00", locale=locale)
    assert format_number(0.0125, "points", labels, change=True) == "+" + format_decimal(1.25, "#,##0.00",
                                                                                          locale=locale)


def test_numbers_by_hand():
    assert format_number(1234.5, "decimal2", Labels("fr")) == "1\u202f234,50"
    assert format_number(12345.5, "decimal2", Labels("es")) == "12.345,50"
    assert format_number(0.418, "percent2", Labels("fr")) == "41,80\u00a0%"
    assert format_number(0.418, "percent2", Labels("en")) == "41.80%"


def test_dates_as_babel_writes_them():
    assert format_date("2026-12-04", Labels("pt")) == babel_date(__import__("datetime").date(2026, 12, 4), "long",
                                                                 locale="pt_TL")
    assert format_date("2026-12-04", Labels("fr")) == "4 décembre 2026"
    assert format_date("2026-12-04", Labels("en")) == "December 4, 2026"


# ----- a Portuguese run: no English label in the report, the workbook or the CLI table -----

class _Texts(HTMLParser):
    """The text nodes of a page, outside <style>, and outside the provenance table (file paths and package text)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "style" or ("class", "provenance") in attrs or tag == "code":
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "table", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


def english_patterns(language: str) -> list[re.Pattern]:
    """A pattern per English text the catalogue of ``language`` translates differently: the text whole, its
    ``{placeholders}`` matching anything. Texts without an English word outside their placeholders
    (``{indicator}, {line}``) would match any text and are left out."""
    compiled = translations(language)
    patterns = []
    for message in catalogues.read_catalogue(language):
        if not message.id or compiled.gettext(message.id) == message.id:
            continue
        parts = re.split(r"\{[a-z_]+\}", message.id)
        if not re.search(r"[A-Za-z]{3,}", "".join(parts)):
            continue
        patterns.append(re.compile(".*".join(re.escape(part) for part in parts)))
    return patterns


def english_in(texts: list[str], patterns: list[re.Pattern], programme_words: set[str]) -> list[str]:
    """Texts that are an English label (whole), or whose parts around ' · ', ': ' are; package names excepted."""
    found = []
    for text in texts:
        for piece in {text, *re.split(r" · |: ", text)}:
            piece = piece.strip(" ()")
            if piece and piece not in programme_words and any(p.fullmatch(piece) for p in patterns):
                found.append(piece)
    return found


@pytest.fixture(scope="module")
def pt_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pt")
    survey = write_survey(make_tiny_survey(), folder / "tiny")
    result = CliRunner().invoke(app, ["run", "--survey", str(survey), "--out", str(folder / "out"), "--jobs", "1",
                                      "--replicates", "0", "--language", "pt"])
    assert result.exit_code == 0, result.output
    return folder / "out", result.output


def test_portuguese_report_has_no_english_label(pt_run):
    out, _ = pt_run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="pt">' in page
    parser = _Texts()
    parser.feed(page)
    patterns = english_patterns("pt")
    assert "Taxa de pobreza" in " ".join(parser.texts)
    assert english_in(parser.texts, patterns, set()) == []
    # the check itself fails on an English page (same survey, same code path)
    assert english_in(["Poverty headcount"], patterns, set()) == ["Poverty headcount"]
    assert "Beneficiary households" in english_in(["Survey: tiny · Beneficiary households"], patterns, set())


def test_portuguese_workbook_has_no_english_label(pt_run):
    out, _ = pt_run
    workbook = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert workbook.sheetnames[:3] == ["Resumo", "Custo", "Pobreza"]
    texts = [cell for name in workbook.sheetnames if name != Labels("pt")["sheet.provenance"]
             for row in workbook[name].iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert english_in(texts, english_patterns("pt"), set()) == []
    rows = list(workbook["Custo"].iter_rows(values_only=True))
    header = next(index for index, row in enumerate(rows) if row[0] == Labels("pt")["col.programme"])
    numbers = [cell for row in rows[header + 1:] for cell in row[1:-1] if cell is not None]  # last: the key
    assert numbers and [cell for cell in numbers if not isinstance(cell, (int, float))] == []  # cells stay numeric


def test_portuguese_cli_table(pt_run):
    _, output = pt_run
    assert "Indicador" in output and "Cenário base" in output and "Variação" in output
    assert "Indicator" not in output and "Baseline" not in output


def test_unknown_language_names_the_catalogues():
    with pytest.raises(Exception, match="available: en, pt, fr, es, tet, vi"):
        get_labels("xx")
    assert isinstance(translations("en"), gettext.NullTranslations)
