"""Defaults of command-line options from ``FLOORSIM_*`` environment variables and a TOML configuration file.

Precedence, highest first: an option given on the command line > its ``FLOORSIM_<OPTION>`` environment variable >
the configuration file > the command's built-in default. The result is handed to click as the command's
``default_map``, so that ``floorsim run --help`` shows the defaults in force.

Environment variables exist for the options that several commands share (:data:`ENVIRONMENT_OPTIONS`):
``FLOORSIM_JOBS=2`` sets ``--jobs`` of every command that has it, and is ignored by the others.

The configuration file is ``--config PATH``, else ``$FLOORSIM_CONFIG``, else ``floorsim.toml`` in the current
folder when there is one::

    jobs = 2              # top level: every command that has --jobs
    replicates = 500

    [run]                 # one command's table: any of its options
    out = "results"
    reform = ["saii_increase", "universal_child_grant"]

Keys are option names with underscores (``chunk_size``) or dashes (``chunk-size``). An unknown key, a value of the
wrong type, or a file that is not TOML is a one-line error naming the file, the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from floorsim.simulations.errors import FloorsimError

ENVIRONMENT_PREFIX = "FLOORSIM_"
ENVIRONMENT_OPTIONS = (
    "country", "period", "jobs", "chunk_size", "backend", "scheduler", "seed", "replicates", "out", "language",
)
"""Options with an environment variable ``FLOORSIM_<NAME>`` (upper case), each for every command that has it."""

CONFIG_FILE = "floorsim.toml"
CONFIG_VARIABLE = "FLOORSIM_CONFIG"


class SettingsError(FloorsimError, ValueError):
    """A ``FLOORSIM_*`` variable or the configuration file gives an option that does not exist or a bad value."""


def config_path(given: Path | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The configuration file in force: ``given`` (``--config``), else ``$FLOORSIM_CONFIG``, else ``floorsim.toml``
    of the current folder if it exists, else none. A file named explicitly must exist."""
    named = given or (Path(environ[CONFIG_VARIABLE]) if environ.get(CONFIG_VARIABLE) else None)
    if named is not None:
        if not named.is_file():
            source = "--config" if given else CONFIG_VARIABLE
            raise SettingsError(f"{source}: no configuration file '{named}'")
        return named
    local = Path(CONFIG_FILE)
    return local if local.is_file() else None


def read_config(path: Path) -> dict[str, Any]:
    """The TOML configuration file ``path`` as a dictionary; a syntax error names the file, line and column."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not a valid TOML file ({error})") from None
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from None


def _key(name: str) -> str:
    return name.replace("-", "_")


def option_defaults(ctx: Any, command_name: str, command: Any, given_config: Path | None,
                    environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The default of each option of ``command`` (a click command named ``command_name``) that the configuration
    file or a ``FLOORSIM_*`` variable sets, by parameter name, each value checked with the option's own type.

    Raises:
        SettingsError: unknown key or command in the configuration file, or a value the option refuses.
    """
    options = {param.name: param for param in command.params
               if param.name and getattr(param, "param_type_name", "") == "option"}
    chosen: dict[str, tuple[Any, str]] = {}  # name -> (value, where it came from)

    path = config_path(given_config, environ)
    if path is not None:
        from floorsim.simulations.cli.app import COMMANDS

        config = read_config(path)
        for key, value in config.items():
            if isinstance(value, dict):
                if key not in COMMANDS:
                    raise SettingsError(f"{path}: [{key}] is not a floorsim command ({', '.join(COMMANDS)})")
                if key != command_name:
                    continue
                for option, option_value in value.items():
                    if _key(option) not in options:
                        raise SettingsError(f"{path}: [{key}] {option}: floorsim {key} has no option --{option} "
                                            f"(options: {', '.join(sorted(options))})")
                    chosen[_key(option)] = (option_value, f"{path}: [{key}] {option}")
            elif _key(key) not in ENVIRONMENT_OPTIONS:
                raise SettingsError(f"{path}: {key}: not an option shared by the commands ({', '.join(ENVIRONMENT_OPTIONS)}); "
                                    f"give other options in a [command] table")
            elif _key(key) in options and _key(key) not in chosen:
                chosen[_key(key)] = (value, f"{path}: {key}")
    for name in ENVIRONMENT_OPTIONS:
        variable = ENVIRONMENT_PREFIX + name.upper()
        if name in options and environ.get(variable, "") != "":
            chosen[name] = (environ[variable], variable)

    defaults: dict[str, Any] = {}
    for name, (value, source) in chosen.items():
        param = options[name]
        multiple = bool(getattr(param, "multiple", False))
        try:
            if isinstance(value, list) != multiple:
                raise ValueError("a list of values" if multiple else "one value, not a list")
            param.process_value(ctx, value)  # the option's own conversion and checks (click's API)
        except Exception as error:  # click's BadParameter, or the ValueError above
            message = error.format_message() if hasattr(error, "format_message") else str(error)
            raise SettingsError(f"{source} = {value!r}: not a value of --{name.replace('_', '-')} ({message})") from None
        defaults[name] = value
    return defaults
