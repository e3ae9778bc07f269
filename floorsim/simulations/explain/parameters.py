"""Browse a country package's parameter tree: values at a date, legislation history, units, references, search.

Used by ``floorsim params`` and the web app, reusable by any other front end (a notebook): every function returns
plain dataclasses with a ``to_dict()`` for JSON, and knows nothing of the terminal. The tree is walked with
:mod:`floorsim.simulations.engine.parameters` (the one walker); unknown paths are reported with the closest leaf paths by
its :func:`~floorsim.simulations.engine.parameters.find_parameter`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass, field

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
from openfisca_core.parameters.parameter_scale_bracket import ParameterScaleBracket

from floorsim.simulations.engine.parameters import (
    BRACKET_KEYS,
    DatedValue,
    Node,
    Reference,
    dated_instants,
    find_parameter,
    latest_value_date,
    leaf_history,
    metadata_of,
    plain,
    references_of,
    resolve,
    walk,
)
from floorsim.simulations.errors import FloorsimError, ReformError

__all__ = [
    "DatedValue",
    "ParameterBrowserError",
    "ParameterEntry",
    "Reference",
    "describe",
    "get_node",
    "history",
    "latest_value_date",
    "list_subtree",
    "parse_date",
    "references_of",
    "search",
]


class ParameterBrowserError(FloorsimError, ValueError):
    """A parameter path or a date given to the browser is not valid; the message says what to give instead."""


@dataclass
class ParameterEntry:
    """One node of the tree as seen at a date.

    ``value`` is the value in force at the date (``None`` when none is, and for folders); for a scale, the list of
    brackets in force (``[{"threshold": 70, "amount": 20}, ...]``). ``since`` is the date that value took effect.
    """

    path: str
    kind: str  # "node" (folder), "parameter" (leaf) or "scale"
    description: str
    unit: str | None
    value: object
    since: str | None
    values_count: int
    references: list[Reference] = field(default_factory=list)
    documentation: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# ----- paths and dates -----


def get_node(parameters: ParameterNode, path: str | None) -> Node:
    """The node at a dotted ``path`` (empty or ``None``: the root); a :class:`ParameterBrowserError` listing the
    closest parameter paths when there is none. Scale brackets are addressed as ``scale[1]`` (``scale[1].amount``)."""
    node = resolve(parameters, path)
    if node is not None:
        return node
    try:
        return find_parameter(parameters, path)  # raises with "did you mean ..." when the path does not exist
    except ReformError as error:
        message = str(error)
        if "did you mean" not in message:
            message += f"; top-level folders: {', '.join(sorted(parameters.children))}"
        raise ParameterBrowserError(message) from None


def parse_date(text: str | datetime.date | None, today: datetime.date | None = None) -> datetime.date:
    """A date from ``YYYY-MM-DD``, ``YYYY-MM`` (first day of the month) or ``YYYY`` (1 January); ``None``: today."""
    if text is None:
        return today or datetime.date.today()
    if isinstance(text, datetime.date):
        return text
    value = str(text).strip()
    for pattern, suffix in ((r"^\d{4}$", "-01-01"), (r"^\d{4}-\d{2}$", "-01"), (r"^\d{4}-\d{2}-\d{2}$", "")):
        if re.match(pattern, value):
            try:
                return datetime.date.fromisoformat(value + suffix)
            except ValueError:
                break
    raise ParameterBrowserError(f"invalid date '{text}': give YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2025-01-01")


# ----- reading nodes -----


def _kind(node: Node) -> str:
    if isinstance(node, Parameter):
        return "parameter"
    if isinstance(node, (ParameterScale, ParameterScaleBracket)):
        return "scale"
    return "node"


def unit_of(node: Node) -> str | None:
    """The unit of a leaf (``currency-USD``, ``year``, ``/1``); of a scale, each bracket key's unit
    (``amount: currency-USD, threshold: year``)."""
    metadata = metadata_of(node)
    if isinstance(node, ParameterScale):
        parts = [f"{key.removesuffix('_unit')}: {metadata[key]}" for key in sorted(metadata) if key.endswith("_unit")]
        return ", ".join(parts) or None
    return metadata.get("unit")


def _documentation(node: Node) -> str:
    return str(getattr(node, "documentation", None) or metadata_of(node).get("documentation") or "").strip()


def _brackets_at(scale: ParameterScale, instant: str) -> list[dict]:
    """The brackets of a scale in force at ``instant`` (ISO date): ``[{"threshold": t, "amount": a}, ...]``."""
    rows = []
    for bracket in scale.brackets:
        row = {}
        for key in BRACKET_KEYS:
            item = bracket.children.get(key)
            if isinstance(item, Parameter):
                row[key] = plain(item(instant))
        if row.get("threshold") is not None:
            rows.append(row)
    return rows


def describe(node: Node, date: datetime.date) -> ParameterEntry:
    """What a node is and holds at ``date``."""
    instant = date.isoformat()
    value: object = None
    since = None
    count = 0
    if isinstance(node, Parameter):
        count = len(node.values_list)
        current = next((at for at in node.values_list if at.instant_str <= instant), None)  # values_list: newest first
        if current is not None:
            value, since = plain(current.value), current.instant_str
    elif isinstance(node, (ParameterScale, ParameterScaleBracket)):
        dates = dated_instants(node)
        count = len(dates)
        past = [d for d in dates if d <= instant]
        if past:
            since = past[-1]
            if isinstance(node, ParameterScale):
                value = _brackets_at(node, instant)
            else:
                value = {key: plain(item(instant)) for key, item in node.children.items()}
    return ParameterEntry(
        path=node.name,
        kind=_kind(node),
        description=str(getattr(node, "description", None) or ""),
        unit=unit_of(node),
        value=value,
        since=since,
        values_count=count,
        references=references_of(metadata_of(node).get("reference")),
        documentation=_documentation(node),
    )


def list_subtree(parameters: ParameterNode, path: str | None, date: datetime.date) -> list[ParameterEntry]:
    """The node at ``path`` and everything beneath it, described at ``date`` (the root itself is left out)."""
    return [describe(node, date) for node in walk(get_node(parameters, path), by_name=True) if node.name]


def search(
    parameters: ParameterNode, words: str, date: datetime.date, path: str | None = None
) -> list[ParameterEntry]:
    """Folders, leaves and scales (under ``path``) whose path or description contains every word of ``words``
    (case-insensitive; ``poverty line`` also matches ``poverty_line``)."""
    terms = [term.lower() for term in words.split()]
    if not terms:
        raise ParameterBrowserError("give at least one word to search for")
    found = []
    for node in walk(get_node(parameters, path), by_name=True):
        if not node.name:
            continue
        description = str(getattr(node, "description", None) or "")
        haystack = " ".join([node.name, re.sub(r"[._\[\]]", " ", node.name), description]).lower()
        if all(term in haystack for term in terms):
            found.append(describe(node, date))
    return found


def history(parameters: ParameterNode, path: str | None) -> list[DatedValue]:
    """Every dated value of the leaf or scale at ``path`` (of each leaf and scale beneath it, for a folder), oldest
    first, with the references given for that value."""
    result: list[DatedValue] = []
    for item in walk(get_node(parameters, path), by_name=True):
        if isinstance(item, Parameter):
            result.extend(leaf_history(item))
        elif isinstance(item, (ParameterScale, ParameterScaleBracket)):
            result.extend(_scale_history(item))
    return result


def _scale_history(scale: ParameterScale | ParameterScaleBracket) -> list[DatedValue]:
    general = metadata_of(scale).get("reference")
    brackets = scale.brackets if isinstance(scale, ParameterScale) else [scale]
    rows = []
    for instant in dated_instants(scale):
        own: list[Reference] = []
        for bracket in brackets:
            for item in bracket.children.values():
                for at in item.values_list:
                    if at.instant_str == instant:
                        reference = (at.metadata or {}).get("reference")
                        if reference is not None and reference != metadata_of(item).get("reference"):
                            own.extend(r for r in references_of(reference) if r not in own)
        if isinstance(scale, ParameterScale):
            value: object = _brackets_at(scale, instant)
        else:
            value = {key: plain(item(instant)) for key, item in scale.children.items()}
        rows.append(
            DatedValue(
                path=scale.name,
                start=instant,
                value=value,
                references=own or references_of(general),
                own_reference=bool(own),
            )
        )
    return rows
