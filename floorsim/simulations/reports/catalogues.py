"""Maintenance of the gettext catalogues of ``floorsim/simulations/reports/locales`` (docs/translations.md): extract the
texts marked in the source, update each language's ``.po`` from them, compile the ``.mo`` files the program reads.

    python -m floorsim.simulations.reports.catalogues update    # extract, then merge into every .po (new texts untranslated)
    python -m floorsim.simulations.reports.catalogues compile   # check placeholders, write every .mo

Babel does the work (its extractors for Python, Jinja2 templates and JavaScript; its .po reader and writer; its .mo
writer). One thing differs from ``pybabel``: the texts are ``str.format`` templates (``{currency}``), and Babel
flags any text holding ``%`` (``% of GDP``) as printf-style ``python-format`` and then refuses its translation
(``% do PIB``) at compile time; here that flag is dropped and the check is that a translation keeps exactly the
``{placeholders}`` of its message id.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from floorsim.simulations.reports.labels import COMPLETE_LANGUAGES, DEFAULT_LANGUAGE, DOMAIN, LOCALES, STARTED_LANGUAGES

SOURCE = Path(__file__).resolve().parents[1]  # the ``floorsim.simulations`` package
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
# Where texts are marked: ENGLISH's N_("...") and labels.gettext("...") in Python, _("...") in the web templates,
# t("...") in the web app's script.
METHODS = [
    ("**.py", "python"),
    ("web/templates/**.html", "jinja2"),
    ("web/static/app.js", "javascript"),
]
KEYWORDS = {"N_": None, "gettext": None, "_": None}
OPTIONS = {"web/static/app.js": {"keywords": {"t": None}}}  # t() marks texts in the script only
WIDTH = 116


class CatalogueError(ValueError):
    """A catalogue that cannot be compiled: the message names the file, the text and the rule."""


def placeholders(text: str) -> set[str]:
    """The ``{names}`` of a ``str.format`` template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def extract() -> Catalog:
    """Every text marked for translation in the source, as a catalogue template (no translations)."""
    catalog = Catalog(domain=DOMAIN, project="floorsim", copyright_holder="floorsim developers", fuzzy=False)
    for _, _, message, _, _ in extract_from_dir(str(SOURCE), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True):
        text = message if isinstance(message, str) else message[0]  # t("...", {values}) gives (text, None)
        catalog.add(text)
    for message in catalog:
        message.flags.discard("python-format")
    return catalog


def language_file(language: str, suffix: str = "po") -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def read_catalogue(language: str) -> Catalog:
    with language_file(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    for message in catalog:
        message.flags.discard("python-format")
    return catalog


def write_catalogue(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=WIDTH, no_location=True, sort_output=True, ignore_obsolete=True)


def update() -> None:
    """Extract into ``floorsim.pot`` and merge it into every language's ``.po`` (texts gone are dropped, new texts
    are added untranslated; Babel's fuzzy matching is off, so no guessed translation appears)."""
    template = extract()
    write_catalogue(template, TEMPLATE)
    for language in (*COMPLETE_LANGUAGES, *STARTED_LANGUAGES):
        if language == DEFAULT_LANGUAGE:
            continue
        catalog = read_catalogue(language) if language_file(language).exists() else Catalog(locale=language,
                                                                                             domain=DOMAIN, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        write_catalogue(catalog, language_file(language))


def check(catalog: Catalog, path: Path) -> None:
    """Refuse a translation whose ``{placeholders}`` differ from its message id's."""
    for message in catalog:
        if message.id and message.string and placeholders(message.id) != placeholders(message.string):
            raise CatalogueError(f"{path}: the translation of {message.id!r} has placeholders "
                                 f"{sorted(placeholders(message.string))}, its message id "
                                 f"{sorted(placeholders(message.id))}")


def compile_all() -> list[Path]:
    """Check and compile every language's ``.po`` into its ``.mo``; returns the files written."""
    written = []
    for language in (*COMPLETE_LANGUAGES, *STARTED_LANGUAGES):
        if language == DEFAULT_LANGUAGE:
            continue
        catalog = read_catalogue(language)
        check(catalog, language_file(language))
        target = language_file(language, "mo")
        with target.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(target)
    return written


def main(arguments: list[str]) -> int:
    if arguments == ["update"]:
        update()
        return 0
    if arguments == ["compile"]:
        try:
            for path in compile_all():
                print(f"wrote {path}")
        except CatalogueError as error:
            print(f"catalogues: {error}", file=sys.stderr)
            return 2
        return 0
    print("usage: python -m floorsim.simulations.reports.catalogues update|compile", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
