"""The floorsim command line: one module per command group, registered on one typer application.

``floorsim.simulations.cli.app`` lists the commands and imports a command's module only when that command runs
(``floorsim --help`` imports neither pandas nor OpenFisca); :func:`load_all_commands` imports them all, for code that
wants the complete typer application (documentation generators, tests).
"""

from __future__ import annotations

import importlib

from floorsim.simulations.cli.app import COMMANDS, app

__all__ = ["app", "load_all_commands"]


def load_all_commands() -> None:
    """Import every command module, so that :data:`app` holds every command (in the order of ``COMMANDS``)."""
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"floorsim.simulations.cli.{module}")
