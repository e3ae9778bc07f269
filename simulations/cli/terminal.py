"""What the commands print: the standard output console, and the one error handler of the command line.

Every command runs its work inside :func:`reported_errors`: a project exception (``FloorsimError``,
``SurveyError``, ``IndicatorError`` and their subclasses) becomes one line ``floorsim: error: <message>`` on
standard error and exit status 2, without a traceback, because its message already says what to fix. Any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console

from indicators.errors import IndicatorError
from simulations.engine.run_warnings import FloorsimWarning
from simulations.errors import FloorsimError
from surveys.errors import SurveyError

PROJECT_ERRORS: tuple[type[Exception], ...] = (FloorsimError, SurveyError, IndicatorError)

console = Console()
errors = Console(stderr=True)


def one_line(text: str) -> str:
    """``text`` on one line (a message may embed line breaks): its non-blank lines joined by "; ", or by a space
    after a line that already ends with punctuation (``problems:`` then ``- a``)."""
    joined = ""
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        separator = "" if not joined else " " if joined[-1] in ".,;:" else "; "
        joined += separator + line
    return joined


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``floorsim: <message>`` as one line on standard error (never wrapped, no markup) and exit with
    ``code`` (2: bad input; 1: a check that failed, e.g. a threshold of ``floorsim diff``)."""
    errors.print(f"floorsim: {one_line(message)}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=code)


@contextmanager
def reported_errors(*also: type[Exception]) -> Iterator[None]:
    """Turn the project's exceptions, and those of the types ``also`` (e.g. ``OSError`` when a command writes
    files), into one line on standard error and exit status 2; let any other exception through. Warnings of the
    project (``FloorsimWarning``: a period beyond the price data, a reform inactive in the year, a forced value out
    of range) are printed as they happen, one line each: ``floorsim: warning: <message>``."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", FloorsimWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 - stdlib hook
            if issubclass(category, FloorsimWarning):
                errors.print(f"floorsim: warning: {one_line(str(message))}", markup=False, highlight=False,
                             soft_wrap=True)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            yield
        except (*PROJECT_ERRORS, *also) as error:
            fail(f"error: {error}")
