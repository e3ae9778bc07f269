"""The ``floorsim`` typer application, without its commands.

The command modules (``run.py``, ``household.py``, ...) register their commands on :data:`app`;
``simulations/cli/__init__.py`` imports them in the order ``floorsim --help`` lists them, so that importing
``simulations.cli`` (or anything under it) always gives the complete application.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality).",
)


@app.callback()
def main() -> None:
    """floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality)."""
