"""The one walker of an OpenFisca parameter tree: its nodes, its leaves, paths to them, references and dates.

The tree is OpenFisca's: ``ParameterNode`` (a folder, e.g. ``benefits.saii``), ``Parameter`` (a leaf with dated
values, e.g. ``benefits.saii.amount``) and ``ParameterScale`` (a scale of brackets, e.g.
``benefits.saii.age_supplement``). A bracket is addressed as ``scale[i]`` and its values as ``scale[i].amount``
(``threshold``, ``amount``, ``rate``, ``average_rate``, ``base``): these bracket values are single-valued
parameters like any leaf, so reforms can change them and :func:`leaves` yields them.

Every part of floorsim that walks a tree uses this module: reforms (:func:`find_parameter`), month segments
(:mod:`floorsim.simulations.engine.periods`), rule descriptions and dead parameters (:mod:`floorsim.simulations.regression.rules`),
uprating (:mod:`floorsim.simulations.projections.uprating`), the recorded parameter changes of a scenario and the
``floorsim params`` browser (:mod:`floorsim.simulations.explain.parameters`).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
from openfisca_core.parameters.parameter_scale_bracket import ParameterScaleBracket

from floorsim.simulations.errors import ReformError

Node = ParameterNode | Parameter | ParameterScale | ParameterScaleBracket
# Keys of a scale bracket, in the order they are shown (the amount or rate a bracket pays after its threshold).
BRACKET_KEYS = ("threshold", "amount", "rate", "average_rate", "base")
_BRACKET = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


class Leaf(NamedTuple):
    """A single-valued parameter; ``scale`` is the scale it is a bracket value of (``None`` for a plain leaf)."""

    parameter: Parameter
    scale: ParameterScale | None = None

    @property
    def path(self) -> str:
        """The dotted path a reform names it by (``benefits.saii.age_supplement[1].amount``)."""
        return self.parameter.name


@dataclass(frozen=True)
class Reference:
    """A legal or documentary source of a parameter or of one of its values."""

    title: str
    href: str = ""


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


# ----- walking -----


def walk(node: Node, *, by_name: bool = False) -> Iterator[Node]:
    """``node`` and every folder, leaf and scale beneath it, parents before children; scales are not opened.

    Children come in the tree's order (the order OpenFisca loaded them), or sorted by name with ``by_name``.
    """
    yield node
    if isinstance(node, ParameterNode):
        names = sorted(node.children) if by_name else list(node.children)
        for name in names:
            yield from walk(node.children[name], by_name=by_name)


def _bracket_leaves(bracket: ParameterScaleBracket, scale: ParameterScale | None) -> Iterator[Leaf]:
    for key in BRACKET_KEYS:
        child = bracket.children.get(key)
        if isinstance(child, Parameter):
            yield Leaf(child, scale)


def leaves(node: Node, *, by_name: bool = False) -> Iterator[Leaf]:
    """Every single-valued parameter under ``node`` (``node`` itself if it is one), the values of each bracket of
    each scale included, in the order of :func:`walk`."""
    for item in walk(node, by_name=by_name):
        if isinstance(item, Parameter):
            yield Leaf(item)
        elif isinstance(item, ParameterScale):
            for bracket in item.brackets:
                yield from _bracket_leaves(bracket, item)
        elif isinstance(item, ParameterScaleBracket):
            yield from _bracket_leaves(item, None)


def parameter_paths(parameters: ParameterNode) -> list[str]:
    """Dotted paths of every single-valued parameter of a tree, scale brackets included
    (``scale[1].amount``: the amount of the scale's second bracket), sorted."""
    return sorted(leaf.path for leaf in leaves(parameters))


def child(node: object, part: str) -> Node | None:
    """The child ``part`` of a node; ``name[i]`` selects bracket ``i`` of the scale ``name``; ``None`` if absent."""
    match = _BRACKET.match(part)
    name, index = (match["name"], int(match["index"])) if match else (part, None)
    children = getattr(node, "children", None)
    if not isinstance(children, dict) or name not in children:
        return None
    found = children[name]
    if index is None:
        return found
    if isinstance(found, ParameterScale) and index < len(found.brackets):
        return found.brackets[index]
    return None


def resolve(parameters: ParameterNode, path: str | None) -> Node | None:
    """The folder, leaf, scale or bracket at a dotted ``path`` (empty or ``None``: the root); ``None`` if absent."""
    node: Node | None = parameters
    for part in path.split(".") if path else ():
        node = child(node, part)
        if node is None:
            return None
    return node


def find_parameter(parameters: ParameterNode, path: str, reform_name: str = "") -> Parameter:
    """The leaf parameter at ``path``; a :class:`ReformError` suggesting close matches when there is none."""
    node = resolve(parameters, path)
    if isinstance(node, Parameter):
        return node
    close = difflib.get_close_matches(path, parameter_paths(parameters), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    what = "is not a single-valued parameter" if node is not None else "is not a parameter of the country package"
    prefix = f"reform '{reform_name}': " if reform_name else ""
    raise ReformError(f"{prefix}'{path}' {what}{hint}")


# ----- metadata and dated values -----


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


def metadata_of(node: Node) -> dict:
    """The node's YAML ``metadata`` (an empty mapping when it has none)."""
    return getattr(node, "metadata", None) or {}


def plain(value: object) -> object:
    """A parameter value as a Python scalar (numpy numbers and booleans become Python ones)."""
    return value.item() if hasattr(value, "item") else value


def leaf_history(parameter: Parameter) -> list[DatedValue]:
    """Every dated value of a leaf, oldest first, with the references given for that value (else the leaf's)."""
    general = metadata_of(parameter).get("reference")
    rows = []
    for at in reversed(parameter.values_list):  # values_list is newest first
        own = (at.metadata or {}).get("reference")
        has_own = own is not None and own != general  # a value's metadata is merged over its parameter's
        rows.append(
            DatedValue(
                path=parameter.name,
                start=at.instant_str,
                value=plain(at.value),
                references=references_of(own if has_own else general),
                own_reference=has_own,
            )
        )
    return rows


def dated_instants(node: Node) -> list[str]:
    """ISO dates of the values of a leaf, or of any bracket value of a scale or bracket, ascending."""
    if isinstance(node, Parameter):
        return sorted({at.instant_str for at in node.values_list})
    brackets = node.brackets if isinstance(node, ParameterScale) else [node]
    return sorted(
        {at.instant_str for bracket in brackets for item in bracket.children.values() for at in item.values_list}
    )


def latest_value_date(parameters: ParameterNode) -> datetime.date | None:
    """The most recent date at which any parameter of the tree (scale brackets included) takes a new value."""
    dates = [date for leaf in leaves(parameters) for date in dated_instants(leaf.parameter)]
    return datetime.date.fromisoformat(max(dates)) if dates else None
