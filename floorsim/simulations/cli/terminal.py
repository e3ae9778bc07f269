"""What the commands print: the standard output console, the verbosity, and the one error handler of the command line.

Every command runs its work inside :func:`reported_errors`: a project exception (``FloorsimError``,
``SurveyError``, ``IndicatorError`` and their subclasses) becomes one line ``floorsim: error: <message>`` on
standard error and exit status 2, without a traceback, because its message already says what to fix. Any other
exception is a bug and keeps its traceback.

The verbosity (global options ``-q``/``-v`` of ``floorsim``, :func:`set_verbosity`) decides what is printed besides
the results and the errors: ``-q`` (-1) no progress display and no warnings, floorsim's (they stay recorded in
``summary.json``) or a library's;
0 floorsim's warnings and a progress display on a terminal; ``-v`` (1) also the warnings of the libraries floorsim
uses (numpy, pandas, OpenFisca: deprecations included); ``-v -v`` (2) also the traceback of a project error, above
its one line.

The exception types are imported when an error is handled, not with this module, so that the command line's own
usage errors print without loading the survey and engine layers.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from floorsim.simulations.reports.labels import Labels

console = Console()
errors = Console(stderr=True)

_verbosity = 0


def set_verbosity(level: int) -> None:
    """Set what is printed besides results and errors: -1 quiet, 0 normal, 1 verbose, 2 debug (module docstring)."""
    global _verbosity
    _verbosity = max(-1, min(2, int(level)))


def verbosity() -> int:
    """The verbosity set by ``-q``/``-v`` (-1 to 2; 0 when the command line did not set it)."""
    return _verbosity


def progress_wanted() -> bool:
    """Whether a command may draw a progress display (not under ``-q``; the engine still draws it only when
    standard error is a terminal)."""
    return _verbosity >= 0


def project_errors() -> tuple[type[Exception], ...]:
    """The project's exception types, whose message the command line prints as one line."""
    from floorsim.indicators.errors import IndicatorError
    from floorsim.simulations.errors import FloorsimError
    from floorsim.surveys.errors import SurveyError

    return (FloorsimError, SurveyError, IndicatorError)


def __getattr__(name: str) -> object:
    # PROJECT_ERRORS is imported by the web app and the fuzz tests; built on first use (see the module docstring).
    if name == "PROJECT_ERRORS":
        return project_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def one_line(text: str) -> str:
    """``text`` on one line (a message may embed line breaks): its non-blank lines joined by "; ", or by a space
    after a line that already ends with punctuation (``problems:`` then ``- a``)."""
    joined = ""
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        separator = "" if not joined else " " if joined[-1] in ".,;:" else "; "
        joined += separator + line
    return joined


def print_error(message: str) -> None:
    """Print ``floorsim: <message>`` as one line on standard error: written as plain text, so never wrapped and
    never marked up, whatever the terminal's width or whether standard error is a terminal, a pipe or a file."""
    stream = sys.stderr
    stream.write(f"floorsim: {one_line(message)}\n")
    stream.flush()


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``floorsim: <message>`` as one line on standard error and exit with ``code`` (2: bad input; 1: a check
    that failed, e.g. a threshold of ``floorsim diff``)."""
    print_error(message)
    raise typer.Exit(code=code)


@contextmanager
def reported_errors(*also: type[Exception]) -> Iterator[None]:
    """Turn the project's exceptions, and those of the types ``also`` (e.g. ``OSError`` when a command writes
    files), into one line on standard error and exit status 2; let any other exception through. Warnings of the
    project (``FloorsimWarning``: a period beyond the price data, a reform inactive in the year, a forced value out
    of range) are printed as they happen, one line each: ``floorsim: warning: <message>`` (none under ``-q``;
    under ``-v`` every other warning too)."""
    from floorsim.simulations.engine.run_warnings import FloorsimWarning

    with warnings.catch_warnings():
        if _verbosity < 0:
            warnings.simplefilter("ignore")  # -q: no warning at all, floorsim's or a library's
        elif _verbosity >= 1:
            warnings.simplefilter("default")
        if _verbosity >= 0:
            warnings.simplefilter("always", FloorsimWarning)
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 - stdlib hook
            if issubclass(category, FloorsimWarning):
                print_error(f"warning: {message}")
            elif _verbosity >= 1:  # written here, not through a hook a test runner or notebook may have replaced
                sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            yield
        except (*project_errors(), *also) as error:
            if _verbosity >= 2:
                traceback.print_exc(file=sys.stderr)
            fail(f"error: {error}")


def _caption(results, labels: "Labels") -> str:
    """The survey (and whether it is synthetic), the population and the GDP of the run, one per line."""
    from floorsim.simulations.reports.summary import year_facts  # imported when a table is printed: --help stays fast

    survey = results.metadata
    name = labels.gettext("{survey} (synthetic)").format(survey=survey.name) if survey.synthetic else survey.name
    lines = [labels.gettext("Survey: {survey}").format(survey=name)]
    lines += year_facts(results.provenance, results.spec.currency, labels)
    return "\n".join(escape(line) for line in lines)


def print_baseline(results, labels: "Labels | None" = None) -> None:
    """Print the headline figures of current law alone (a baseline-only run), in ``labels``' language."""
    from floorsim.simulations.analysis.headline import baseline_figures
    from floorsim.simulations.reports.labels import Labels
    from floorsim.simulations.reports.numbers import format_figure
    from floorsim.simulations.reports.summary import headline_rows

    labels = labels or Labels()
    title = labels.text("title.baseline_only", country=results.spec.label, year=results.year)
    table = Table(title=title, caption=_caption(results, labels))
    table.add_column(labels["col.indicator"])
    table.add_column(labels["col.baseline"], justify="right")
    figures = baseline_figures(results)
    for row in headline_rows(results, figures, labels):
        table.add_row(row.label, format_figure(figures[row.key]["baseline"], row.kind, labels=labels))
    console.print(table)


def print_headline(results, reform: str, label: str, labels: "Labels | None" = None) -> None:
    """Print the baseline / reform / change table of one reform, in ``labels``' language."""
    from floorsim.simulations.reports.labels import Labels
    from floorsim.simulations.reports.numbers import format_figure
    from floorsim.simulations.reports.summary import headline_rows

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


def member_lines(record: dict | None, currency: str, labels: "Labels | None" = None) -> list[str]:
    """The lines saying how many persons have unknown age and sex (the record of
    ``floorsim.simulations.analysis.unknown_members.unknown_member_record``) and which person benefits reach them, in
    ``labels``' language; none when the record is empty."""
    from floorsim.simulations.reports.labels import Labels
    from floorsim.simulations.reports.numbers import format_figure, format_number

    if not record:
        return []
    labels = labels or Labels()
    lines = [labels.text(
        "cli.unknown_members", persons=format_number(record["persons"], "count", labels),
        weighted=format_figure(record["weighted_persons"], "count", labels=labels),
        share=format_number(record["share_of_persons"], "percent", labels), age=record["placeholder_age"])]
    if record["not_observed"]:
        lines.append(labels.text("cli.not_observed", variables=", ".join(record["not_observed"])))
    for scenario, paid in record["person_benefits"].items():
        amounts = ", ".join(f"{key} {currency} {format_figure(value, 'money', labels=labels)}"
                            for key, value in paid.items())
        lines.append(labels.text("cli.unknown_paid", scenario=scenario, amounts=amounts))
    return lines
