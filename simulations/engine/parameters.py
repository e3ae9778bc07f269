"""Browse a country package's parameter tree: values at a date, legislation history, units, references, search.

Used by ``floorsim params`` and reusable by any other front end (a web app, a notebook): every function returns
plain dataclasses with a ``to_dict()`` for JSON, and knows nothing of the terminal.

The tree is OpenFisca's: ``ParameterNode`` (a folder, e.g. ``benefits.saii``), ``Parameter`` (a leaf with dated
values, e.g. ``benefits.saii.amount``) and ``ParameterScale`` (a scale of brackets, e.g.
``benefits.saii.age_supplement``; one of its brackets is ``benefits.saii.age_supplement[1]``). Unknown paths are
reported with the closest leaf paths, by :func:`simulations.engine.reforms.find_parameter`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
from openfisca_core.parameters.parameter_scale_bracket import ParameterScaleBracket

from simulations.errors import FloorsimError, ReformError
from simulations.engine.reforms import find_parameter

Node = ParameterNode | Parameter | ParameterScale | ParameterScaleBracket
_BRACKET = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")
_BRACKET_KEYS = ("threshold", "amount", "rate", "average_rate", "base")


class ParameterBrowserError(FloorsimError, ValueError):
    """A parameter path or a date given to the browser is not valid; the message says what to give instead."""


@dataclass(frozen=True)
class Reference:
    """A legal or documentary source of a parameter or of one of its values."""

    title: str
    href: str = ""


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


@dataclass
class DatedValue:
    """One dated value of a leaf parameter (or of a scale: its brackets from that date).

    ``references`` are those given for this value in the YAML file when ``own_reference`` is true; otherwise the
    parameter's general references (the value has none of its own). ``value`` is ``None`` when the parameter stops
    applying from ``start``.
    """

    path: str
    start: str
    value: object
    references: list[Reference] = field(default_factory=list)
    own_reference: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


# ----- paths and dates -----


def get_node(parameters: ParameterNode, path: str | None) -> Node:
    """The node at a dotted ``path`` (empty or ``None``: the root); a :class:`ParameterBrowserError` listing the
    closest parameter paths when there is none. Scale brackets are addressed as ``scale[1]`` (``scale[1].amount``)."""
    if not path:
        return parameters
    node: object = parameters
    for part in path.split("."):
        node = _child(node, part)
        if node is None:
            break
    if node is not None:
        return node
    try:
        return find_parameter(parameters, path)  # raises with "did you mean ..." when the path does not exist
    except ReformError as error:
        message = str(error)
        if "did you mean" not in message:
            message += f"; top-level folders: {', '.join(sorted(parameters.children))}"
        raise ParameterBrowserError(message) from None


def _child(node: object, part: str) -> object | None:
    match = _BRACKET.match(part)
    if match:
        scale = _child(node, match["name"])
        index = int(match["index"])
        if isinstance(scale, ParameterScale) and index < len(scale.brackets):
            return scale.brackets[index]
        return None
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        return children.get(part)
    return None


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


def references_of(raw: object) -> list[Reference]:
    """References from OpenFisca metadata, whichever form the YAML used: a string, a ``{title, href}`` mapping, or a
    list of these."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    result = []
    for item in items:
        if isinstance(item, dict):
            title = str(item.get("title") or item.get("href") or "")
            result.append(Reference(title=title, href=str(item.get("href") or "")))
        elif item:
            text = str(item)
            result.append(Reference(title=text, href=text if text.startswith(("http://", "https://")) else ""))
    return result


def _metadata(node: Node) -> dict:
    return getattr(node, "metadata", None) or {}


def _kind(node: Node) -> str:
    if isinstance(node, Parameter):
        return "parameter"
    if isinstance(node, (ParameterScale, ParameterScaleBracket)):
        return "scale"
    return "node"


def _unit(node: Node) -> str | None:
    metadata = _metadata(node)
    if isinstance(node, ParameterScale):
        parts = [f"{key.removesuffix('_unit')}: {metadata[key]}" for key in sorted(metadata) if key.endswith("_unit")]
        return ", ".join(parts) or None
    return metadata.get("unit")


def _documentation(node: Node) -> str:
    return str(getattr(node, "documentation", None) or _metadata(node).get("documentation") or "").strip()


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _brackets_at(scale: ParameterScale, instant: str) -> list[dict]:
    """The brackets of a scale in force at ``instant`` (ISO date): ``[{"threshold": t, "amount": a}, ...]``."""
    rows = []
    for bracket in scale.brackets:
        row = {}
        for key in _BRACKET_KEYS:
            child = bracket.children.get(key)
            if isinstance(child, Parameter):
                row[key] = _plain(child(instant))
        if row.get("threshold") is not None:
            rows.append(row)
    return rows


def _dated_instants(node: Node) -> list[str]:
    """ISO dates of the values of a leaf, or of any bracket of a scale, ascending."""
    if isinstance(node, Parameter):
        return sorted({at.instant_str for at in node.values_list})
    brackets = node.brackets if isinstance(node, ParameterScale) else [node]
    return sorted(
        {at.instant_str for bracket in brackets for child in bracket.children.values() for at in child.values_list}
    )


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
            value, since = _plain(current.value), current.instant_str
    elif isinstance(node, ParameterScale):
        dates = _dated_instants(node)
        count = len(dates)
        past = [d for d in dates if d <= instant]
        if past:
            value, since = _brackets_at(node, instant), past[-1]
    elif isinstance(node, ParameterScaleBracket):
        dates = _dated_instants(node)
        count = len(dates)
        past = [d for d in dates if d <= instant]
        if past:
            value = {key: _plain(child(instant)) for key, child in node.children.items()}
            since = past[-1]
    return ParameterEntry(
        path=node.name,
        kind=_kind(node),
        description=str(getattr(node, "description", None) or ""),
        unit=_unit(node),
        value=value,
        since=since,
        values_count=count,
        references=references_of(_metadata(node).get("reference")),
        documentation=_documentation(node),
    )


def _walk(node: Node) -> Iterator[Node]:
    """The node and every folder, leaf and scale beneath it (scales are not opened), sorted by path."""
    yield node
    if isinstance(node, ParameterNode):
        for name in sorted(node.children):
            yield from _walk(node.children[name])


def list_subtree(parameters: ParameterNode, path: str | None, date: datetime.date) -> list[ParameterEntry]:
    """The node at ``path`` and everything beneath it, described at ``date`` (the root itself is left out)."""
    return [describe(node, date) for node in _walk(get_node(parameters, path)) if node.name]


def search(
    parameters: ParameterNode, words: str, date: datetime.date, path: str | None = None
) -> list[ParameterEntry]:
    """Folders, leaves and scales (under ``path``) whose path or description contains every word of ``words``
    (case-insensitive; ``poverty line`` also matches ``poverty_line``)."""
    terms = [term.lower() for term in words.split()]
    if not terms:
        raise ParameterBrowserError("give at least one word to search for")
    found = []
    for node in _walk(get_node(parameters, path)):
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
    node = get_node(parameters, path)
    result: list[DatedValue] = []
    for item in _walk(node):
        if isinstance(item, Parameter):
            result.extend(_parameter_history(item))
        elif isinstance(item, (ParameterScale, ParameterScaleBracket)):
            result.extend(_scale_history(item))
    return result


def _parameter_history(parameter: Parameter) -> list[DatedValue]:
    general = _metadata(parameter).get("reference")
    rows = []
    for at in reversed(parameter.values_list):  # values_list is newest first
        own = (at.metadata or {}).get("reference")
        has_own = own is not None and own != general  # a value's metadata is merged over its parameter's
        rows.append(
            DatedValue(
                path=parameter.name,
                start=at.instant_str,
                value=_plain(at.value),
                references=references_of(own if has_own else general),
                own_reference=has_own,
            )
        )
    return rows


def _scale_history(scale: ParameterScale | ParameterScaleBracket) -> list[DatedValue]:
    general = _metadata(scale).get("reference")
    brackets = scale.brackets if isinstance(scale, ParameterScale) else [scale]
    rows = []
    for instant in _dated_instants(scale):
        own: list[Reference] = []
        for bracket in brackets:
            for child in bracket.children.values():
                for at in child.values_list:
                    if at.instant_str == instant:
                        reference = (at.metadata or {}).get("reference")
                        if reference is not None and reference != _metadata(child).get("reference"):
                            own.extend(r for r in references_of(reference) if r not in own)
        if isinstance(scale, ParameterScale):
            value: object = _brackets_at(scale, instant)
        else:
            value = {key: _plain(child(instant)) for key, child in scale.children.items()}
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


def latest_value_date(parameters: ParameterNode) -> datetime.date | None:
    """The most recent date at which any parameter of the tree (scales included) takes a new value."""
    leaves = [node for node in _walk(parameters) if not isinstance(node, ParameterNode)]
    dates = [date for node in leaves for date in _dated_instants(node)]
    return datetime.date.fromisoformat(max(dates)) if dates else None


# ----- text for any front end -----


def format_unit(unit: str | None) -> str:
    """``currency-USD`` → ``USD``, ``/1`` → ``ratio``; other units as written."""
    if not unit:
        return ""
    unit = re.sub(r"currency-([A-Z]{3})", r"\1", unit)
    return "ratio" if unit == "/1" else unit


def format_parameter_value(value: object) -> str:
    """A parameter value for display: scales as ``0+: 0 · 70+: 20``, booleans as yes/no, ``—`` when not in force."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        parts = []
        for row in value:
            amount = next((row[key] for key in _BRACKET_KEYS[1:] if key in row), None)
            parts.append(f"{format_parameter_value(row['threshold'])}+: {format_parameter_value(amount)}")
        return " · ".join(parts)
    if isinstance(value, dict):
        return ", ".join(f"{key} {format_parameter_value(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:,.6g}" if not value.is_integer() else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
