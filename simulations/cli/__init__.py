"""The floorsim command line: one module per command group, registered on one typer application.

The import order below is the order of the commands in ``floorsim --help``.
"""

from simulations.cli import run, household, params, regression, design, spf, project, survey, serve  # noqa: F401, I001
from simulations.cli import synth  # noqa: F401, I001
from simulations.cli import new_country  # noqa: F401
from simulations.cli.app import app

__all__ = ["app"]
