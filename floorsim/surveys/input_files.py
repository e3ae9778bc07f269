"""Reading the YAML and JSON files users hand to floorsim, safely: the one reader of every configuration file.

Mappings, reforms, variant grids, household files, projection assumptions, country descriptions, country profiles
and schemes files are all read by :func:`read_yaml_file` (or :func:`read_yaml_text`), which refuses, with a
:class:`InputFileError` naming the file, the line and the rule:

* files larger than :data:`MAX_BYTES` (a configuration file is a few kilobytes; a survey is never YAML);
* nesting deeper than :data:`MAX_DEPTH` levels (PyYAML would otherwise recurse until Python's recursion limit);
* more than :data:`MAX_ALIASES` aliases (``*name``): a "billion laughs" file of nested aliases is a few hundred
  bytes yet expands to gigabytes in whatever walks the result (validation, JSON dumps);
* duplicate keys in a mapping (PyYAML keeps the last silently, so a reform listing ``value`` twice would run
  with one of them unseen);
* text that is not UTF-8, and anything that is not YAML (JSON is YAML).

Only plain data comes back (``yaml.SafeLoader``: mappings, lists, strings, numbers, booleans, dates, null).
:func:`validation_problems` turns a pydantic ``ValidationError`` into the one-line "field: rule; ..." text every
reader reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from floorsim.surveys.errors import SurveyError

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100


class InputFileError(SurveyError):
    """A configuration file (YAML/JSON) that cannot be read safely, or is not valid YAML."""


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` counting depth and aliases while composing, and refusing duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._open: list[str] = []  # anchors of the nodes being composed (an alias to one of them is a cycle)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES} aliases (*name)", event.start_mark)
            if event.anchor in self._open:  # &a [*a]: a structure containing itself, endless to any reader
                raise _Refused(f"alias *{event.anchor} refers to a node that contains it", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        anchor = None if isinstance(event, yaml.AliasEvent) else getattr(event, "anchor", None)
        self._open.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open.pop()

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: SafeLoader's own error says so
                break
            if duplicate:
                raise _Refused(f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Refused(Exception):
    def __init__(self, rule: str, mark: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.line = mark.line + 1 if mark is not None else None


def read_yaml_text(text: str | bytes, source: str, error: Callable[[str], Exception] | None = None) -> Any:
    """The plain data of a YAML (or JSON) document, read within the limits above.

    Args:
        text: the document, as text or UTF-8 bytes.
        source: the file name (or ``<stdin>``, ``<request>``) that errors name.
        error: the project exception a reader raises for its own files (``ReformError``, ``CountryError``...),
            built from the message; ``None`` raises :class:`InputFileError`.

    Raises:
        InputFileError (or ``error``): naming ``source``, the line where known, and the rule broken.
    """
    try:
        return _read(text, source)
    except InputFileError as problem:
        if error is None:
            raise
        raise error(str(problem)) from None


def _read(text: str | bytes, source: str) -> Any:
    if len(text) > MAX_BYTES:
        raise InputFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB: not a configuration file", source=source)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputFileError(f"not UTF-8 text (byte {error.start})", source=source) from None
    loader = None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters already here (a ReaderError)
        return loader.get_single_data()
    except _Refused as refused:
        where = f"line {refused.line}: " if refused.line else ""
        raise InputFileError(f"{where}{refused.rule}", source=source) from None
    except (yaml.YAMLError, ValueError, TypeError) as error:  # ValueError: impossible dates such as 2025-02-30
        raise InputFileError(f"not valid YAML/JSON: {_one_line(str(error))}", source=source) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml_file(path: str | Path, error: Callable[[str], Exception] | None = None) -> Any:
    """The plain data of the YAML/JSON file at ``path`` (see :func:`read_yaml_text`, also for ``error``); a missing
    file is an error."""
    path = Path(path)
    if not path.is_file():
        problem = InputFileError("file not found", source=str(path))
    elif path.stat().st_size > MAX_BYTES:
        problem = InputFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB: not a configuration file",
                                 source=str(path))
    else:
        return read_yaml_text(path.read_bytes(), str(path), error)
    if error is None:
        raise problem
    raise error(str(problem))


def validation_problems(error: ValidationError) -> str:
    """Pydantic's problems as one line: ``"field.sub: rule; other: rule"`` (pydantic's own prefixes removed)."""
    problems = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        rule = str(problem["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {rule}" if where else rule)
    return "; ".join(problems)


def _one_line(text: str) -> str:
    return " ".join(text.split())
