"""What the commands print: the standard output console, the headline tables of ``floorsim run`` (in the run's
language), and the one error handler of the command line.

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
from rich.markup import escape
from rich.table import Table

from indicators.errors import IndicatorError
from simulations.analysis.headline import baseline_figures
from simulations.engine.run_warnings import FloorsimWarning
from simulations.errors import FloorsimError
from simulations.reports.labels import Labels
from simulations.reports.numbers import format_figure
from simulations.reports.summary import headline_rows, year_facts
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


def _caption(results, labels: Labels) -> str:
    """The survey (and whether it is synthetic), the population and the GDP of the run, one per line."""
    survey = results.metadata
    name = labels.gettext("{survey} (synthetic)").format(survey=survey.name) if survey.synthetic else survey.name
    lines = [labels.gettext("Survey: {survey}").format(survey=name)]
    lines += year_facts(results.provenance, results.spec.currency, labels)
    return "\n".join(escape(line) for line in lines)


def print_baseline(results, labels: Labels | None = None) -> None:
    """Print the headline figures of current law alone (a baseline-only run), in ``labels``' language."""
    labels = labels or Labels()
    title = labels.text("title.baseline_only", country=results.spec.label, year=results.year)
    table = Table(title=title, caption=_caption(results, labels))
    table.add_column(labels["col.indicator"])
    table.add_column(labels["col.baseline"], justify="right")
    figures = baseline_figures(results)
    for row in headline_rows(results, figures, labels):
        table.add_row(row.label, format_figure(figures[row.key]["baseline"], row.kind, labels=labels))
    console.print(table)


def print_headline(results, reform: str, label: str, labels: Labels | None = None) -> None:
    """Print the baseline / reform / change table of one reform, in ``labels``' language."""
    labels = labels or Labels()
    title = labels.gettext("{country} {year}: baseline vs {reform}").format(
        country=results.spec.label, year=results.year, reform=reform) + (f" ({label})" if label else "")
    table = Table(title=title, caption=_caption(results, labels))
    table.add_column(labels["col.indicator"])
    for key in ("col.baseline", "col.reform", "col.change"):
        table.add_column(labels[key], justify="right")
    comparison = results.comparison(reform)
    for row in headline_rows(results, comparison, labels):
        figures = comparison[row.key]
        table.add_row(
            row.label,
            format_figure(figures["baseline"], row.kind, labels=labels),
            format_figure(figures["reform"], row.kind, labels=labels),
            format_figure(figures["change"], row.kind, labels=labels, change=True),
        )
    console.print(table)
