"""Reading OpenFisca's trace of one programme: the variables and parameters its formula used, as plain values.

Parameters are traced with OpenFisca's tracer scoped to one simulation (scales included); lookup tables keyed by an
enum are collapsed to the entries that concern the household.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.simulations import Simulation
from openfisca_core.taxscales import TaxScaleLike
from openfisca_core.tracers import TraceNode, TracingParameterNodeAtInstant

from floorsim.simulations.explain.json_values import jsonable


class _ScaleTracingNode(TracingParameterNodeAtInstant):
    """OpenFisca's parameter tracer, also recording scales (e.g. age supplements by age bracket), which it skips."""

    def get_traced_child(self, child, key):
        if isinstance(child, TaxScaleLike) and isinstance(key, str):
            node = self.parameter_node_at_instant
            name = ".".join(part for part in (node._name, key) if part)
            self.tracer.record_parameter_access(name, node._instant_str, child)
            return child
        traced = super().get_traced_child(child, key)
        if type(traced) is TracingParameterNodeAtInstant:
            return _ScaleTracingNode(traced.parameter_node_at_instant, self.tracer)
        return traced


def with_tracer(simulation: Simulation) -> Simulation:
    """``simulation`` with OpenFisca's tracer on, scales traced too; scoped to this one simulation object."""
    simulation.trace = True
    system = simulation.tax_benefit_system
    simulation.trace_parameters_at_instant = lambda instant: _ScaleTracingNode(  # type: ignore[method-assign]
        system.get_parameters_at_instant(instant), simulation.tracer
    )
    return simulation

def plain_value(value: Any) -> Any:
    """Trace values as plain Python: enums as names, dates as ISO strings, scales as bracket lists."""
    if isinstance(value, EnumArray):
        return [str(item) for item in value.decode_to_str()]
    if isinstance(value, TaxScaleLike):
        amounts = getattr(value, "amounts", None)
        key, column = ("amount", amounts) if amounts is not None else ("rate", getattr(value, "rates", []))
        return [{"threshold": jsonable(t), key: jsonable(a)} for t, a in zip(value.thresholds, column)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return [str(item) for item in value.astype("datetime64[D]")]
        return jsonable(value.tolist())
    return jsonable(value)


@dataclass
class TracedItem:
    kind: Literal["variable", "parameter"]
    name: str
    depth: int
    parent: str | None
    value: Any  # plain: list over the entity's members for variables


def flatten_trace(root: TraceNode, max_depth: int) -> list[TracedItem]:
    """Variables and parameters under ``root`` down to ``max_depth``, each once (first use), depth-first."""
    seen: set[tuple[str, str]] = set()
    found: list[TracedItem] = []

    def visit(node: TraceNode, depth: int) -> None:
        if depth + 1 > max_depth:
            return
        parent = None if node is root else node.name
        for child in node.children:
            if ("variable", child.name) in seen:
                continue
            seen.add(("variable", child.name))
            found.append(TracedItem("variable", child.name, depth + 1, parent, plain_value(child.value)))
            visit(child, depth + 1)
        for parameter in node.parameters:
            if ("parameter", parameter.name) in seen:
                continue
            seen.add(("parameter", parameter.name))
            found.append(TracedItem("parameter", parameter.name, depth + 1, parent, plain_value(parameter.value)))

    visit(root, 0)
    return _collapse_lookups(root, found)


LOOKUP_MIN = 5  # sibling parameters read together (a lookup table) from which on only the relevant ones are shown


def _collapse_lookups(root: TraceNode, found: list[TracedItem]) -> list[TracedItem]:
    """A formula that reads a whole table of parameters keyed by an enum (e.g. a roll-out flag per municipality)
    shows only the entries named after a value of the household (``coverage.Ainaro`` for a household in Ainaro) and
    one line for the rest."""
    names: set[str] = set()
    stack = [root]
    while stack:  # the enum members anywhere in the trace (e.g. the household's municipality)
        node = stack.pop()
        stack.extend(node.children)
        if isinstance(node.value, EnumArray):
            names.update(member.name for member in node.value.decode())
    groups: dict[tuple[str | None, str], list[TracedItem]] = {}
    for item in found:
        if item.kind == "parameter" and "." in item.name:
            groups.setdefault((item.parent, item.name.rpartition(".")[0]), []).append(item)
    result = []
    for item in found:
        key = (item.parent, item.name.rpartition(".")[0])
        group = groups.get(key, []) if item.kind == "parameter" else []
        if len(group) < LOOKUP_MIN or item.name.rpartition(".")[2] in names:
            result.append(item)
        if len(group) >= LOOKUP_MIN and item is group[-1]:
            hidden = sum(1 for other in group if other.name.rpartition(".")[2] not in names)
            if hidden:
                note = f"{hidden} other values not shown"
                result.append(TracedItem("parameter", f"{key[1]}.*", item.depth, item.parent, note))
    return result

def trace_names(root: TraceNode) -> set[str]:
    """Every variable name anywhere under ``root``."""
    names, stack = set(), [root]
    while stack:
        node = stack.pop()
        names.add(node.name)
        stack.extend(node.children)
    return names
