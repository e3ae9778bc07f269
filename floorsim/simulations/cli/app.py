"""The ``floorsim`` typer application: its global options, and commands imported only when they run.

The command modules (``run.py``, ``household.py``, ...) register their commands on :data:`app`. They import pandas,
OpenFisca and matplotlib, about 1.5 s together, so the application does not import them to list them: :data:`COMMANDS`
names the module of every command (in the order ``floorsim --help`` lists them), ``floorsim --help`` reads each
command's one-line summary from its module's source (:func:`declared_help`, no import), and a command's module is
imported when that command runs, shows its own help or completes its options (:class:`LazyGroup`). ``floorsim
--help`` thus imports typer and rich only (docs/PERFORMANCE.md, "Start-up").

Global options (before the command): ``--version``; ``-q``/``-v`` (what is printed besides the results:
:mod:`floorsim.simulations.cli.terminal`); ``--config`` (defaults of options from a TOML file, and ``FLOORSIM_*`` environment
variables: :mod:`floorsim.simulations.cli.settings`); typer's ``--install-completion``/``--show-completion``.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import sys
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.20 carries its own copy of click; earlier versions use click itself
    from typer import _click as click  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the installed typer
    import click  # type: ignore[no-redef]

COMMANDS: dict[str, str] = {
    "run": "run",
    "household": "household",
    "params": "params",
    "diff": "regression",
    "golden": "regression",
    "variants": "design",
    "solve": "design",
    "spf": "spf",
    "project": "project",
    "survey": "survey",
    "serve": "serve",
    "synth": "synth",
    "new-country": "new_country",
}
"""Every command of ``floorsim`` and the module of ``floorsim.simulations.cli`` that defines it, in the order of ``--help``.
A new command goes here too (``tests/test_cli_habits.py`` checks the table against the commands the modules
register)."""


def _command_name(function: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.Call) -> str:
    """The name typer gives a command: the decorator's first argument or ``name=``, else the function's name with
    dashes for underscores."""
    if decorator.args and isinstance(decorator.args[0], ast.Constant):
        return str(decorator.args[0].value)
    for keyword in decorator.keywords:
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return function.name.replace("_", "-")


@cache
def declared_help(module: str) -> dict[str, str]:
    """The help text of every command that ``floorsim/simulations/cli/<module>.py`` declares with ``@app.command``, by
    command name, read from the source without importing it: the decorator's ``help=`` when it is a literal, else
    the function's docstring (as typer does)."""
    source = (Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == "command"):
                help_texts = [k.value.value for k in decorator.keywords
                              if k.arg == "help" and isinstance(k.value, ast.Constant)]
                found[_command_name(node, decorator)] = help_texts[0] if help_texts else ast.get_docstring(node) or ""
    return found


def floorsim_version() -> str:
    """``floorsim X (openfisca-core Y, Python Z)``: the installed distributions' versions (package metadata, no
    import of OpenFisca)."""

    def version(distribution: str) -> str:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "not installed"

    python = ".".join(map(str, sys.version_info[:3]))
    return f"floorsim {version('floorsim')} (openfisca-core {version('openfisca-core')}, Python {python})"


class LazyGroup(TyperGroup):
    """The ``floorsim`` group: lists :data:`COMMANDS` without importing them, imports a command's module when the
    command is resolved, and prints usage errors as one line (like every other error of the command line)."""

    _listing = False  # True while formatting help or completing command names: summaries suffice

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:
            return TyperCommand(name=cmd_name, help=declared_help(COMMANDS[cmd_name]).get(cmd_name, ""))
        importlib.import_module(f"floorsim.simulations.cli.{COMMANDS[cmd_name]}")
        # The module registered its commands on `app`: typer turns them into click commands as it always does.
        self.commands[cmd_name] = typer.main.get_command(app).commands[cmd_name]  # type: ignore[attr-defined]
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, ...]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as error:
            close = difflib.get_close_matches(args[0], list(COMMANDS)) if args else []
            if close and "Did you mean" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, close))}?"
            raise

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the command line; a usage error (unknown option, bad value) becomes ``floorsim: error: <message>``,
        one line on standard error, exit status 2, instead of typer's framed panel that wraps at the width of the
        terminal (or 80 columns through a pipe)."""
        try:
            outcome = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.ClickException as error:
            if not standalone_mode:
                raise
            if type(error).__name__ != "NoArgsIsHelpError":  # `floorsim` alone: the help is already printed
                from floorsim.simulations.cli.terminal import print_error

                where = getattr(error, "ctx", None)
                hint = f"; see {where.command_path} --help" if where is not None else ""
                print_error(f"error: {error.format_message().rstrip('.')}{hint}")
            sys.exit(error.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        if not standalone_mode:
            return outcome
        sys.exit(outcome if isinstance(outcome, int) else 0)


app = typer.Typer(
    cls=LazyGroup,
    no_args_is_help=True,
    help="floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality).",
)


def _show_version(value: bool) -> None:
    if value:
        print(floorsim_version())
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version,
                     help="Print the versions of floorsim, openfisca-core and Python, and exit."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print results and errors only: no progress display, no warnings.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option("--verbose", "-v", count=True,
                     help="-v: also the warnings of the libraries floorsim uses; -v -v: also the traceback of an "
                     "error."),
    ] = 0,
    config: Annotated[
        Optional[Path],
        typer.Option(help="TOML file of option defaults (default: ./floorsim.toml if present; or FLOORSIM_CONFIG). "
                     "Precedence: command-line option > FLOORSIM_* variable > config file > built-in default.",
                     show_default=False),
    ] = None,
) -> None:
    """floorsim: microsimulation of social-protection reforms (costs, coverage, poverty, inequality)."""
    from floorsim.simulations.cli import settings, terminal

    terminal.set_verbosity(-1 if quiet and not verbose else verbose)
    if ctx.invoked_subcommand is None or ctx.resilient_parsing:
        return
    command = ctx.command.get_command(ctx, ctx.invoked_subcommand)  # type: ignore[attr-defined]
    with terminal.reported_errors():
        defaults = settings.option_defaults(ctx, ctx.invoked_subcommand, command, config)
    if defaults:
        ctx.default_map = {**(ctx.default_map or {}), ctx.invoked_subcommand: defaults}
