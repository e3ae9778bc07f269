"""The web app's language: chosen with ``?lang=pt`` (the language switch of every page), kept in a cookie, English
by default; the texts the page scripts (``static/app.js``) show, translated for the page.

The pages translate with the same catalogues as the reports (``floorsim.simulations.reports.labels``): templates call
``_("...")``, the scripts ``t("...")``; ``docs/translations.md`` says how both are extracted.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract_javascript
from fastapi import Request

from floorsim.simulations.reports.labels import DEFAULT_LANGUAGE, LANGUAGE_NAMES, Labels, N_, available_languages

COOKIE = "floorsim_language"
# The stages a job reports (``jobs.Job.stage``, the worker's progress messages), shown by the job page and its
# script in the page's language.
JOB_STAGES: tuple[str, ...] = (
    N_("waiting for the engine"), N_("preparing the survey and the baseline"), N_("simulating the reform"),
    N_("computing tables and confidence intervals"), N_("done"), N_("failed"),
)
SCRIPT = Path(__file__).parent / "static" / "app.js"


def request_language(request: Request) -> str:
    """The language a page is shown in: ``?lang=`` if it names a language with a catalogue, else the cookie's,
    else English (an unknown code is ignored rather than refused: a link may outlive a catalogue)."""
    languages = available_languages()
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return DEFAULT_LANGUAGE


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own language) of every language with a catalogue: the options of the switch."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()]


@lru_cache(maxsize=1)
def script_messages() -> tuple[str, ...]:
    """The English texts ``static/app.js`` shows, i.e. its ``t("...")`` calls (Babel's JavaScript extractor, the
    one ``pybabel extract`` uses)."""
    with SCRIPT.open("rb") as handle:
        found = [message for _, _, message, _ in extract_javascript(handle, {"t": None}, [], {})]
    # A call with placeholder values, t("...", {...}), is found as (message, None).
    return tuple(dict.fromkeys(message if isinstance(message, str) else message[0] for message in found))


def script_texts(labels: Labels) -> dict[str, str]:
    """``{English: translation}`` of the scripts' texts and of the job stages, embedded in every page for ``t()``."""
    return {message: labels.gettext(message) for message in (*script_messages(), *JOB_STAGES)}
