"""A country package's rules as plain data — every dated parameter value with its reference, every variable with
its formulas — and the comparison of two such descriptions (``floorsim diff``).

Descriptions are JSON-able dicts, so that they can be made in one process (where one version of a package is
importable) and compared in another. Parameters are described leaf by leaf, the thresholds and amounts of scales
included (``benefits.saii.age_supplement[1].amount``); variables by their label, entity, period, type, unit,
reference and formulas (start date → hash of the code, with and without docstrings and comments).
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from collections.abc import Iterator
from pathlib import Path

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import leaves, references_of, resolve


# ----- parameters -----


def leaf_parameters(node: ParameterNode | ParameterScale | Parameter) -> Iterator[tuple[Parameter, object]]:
    """``(leaf, reference)`` for every single-valued parameter under ``node``, the thresholds, rates and amounts of
    scales included; ``reference`` is the raw metadata reference of the leaf, or of its scale for bracket leaves."""
    for leaf in leaves(node):
        reference = (leaf.parameter.metadata or {}).get("reference")
        if leaf.scale is not None:
            reference = reference or (leaf.scale.metadata or {}).get("reference")
        yield leaf.parameter, reference


def leaf_names(node: ParameterNode | ParameterScale | Parameter) -> list[str]:
    """Dotted names of the leaves under ``node`` (see :func:`leaf_parameters`)."""
    return [leaf.name for leaf, _ in leaf_parameters(node)]


def resolve_node(parameters: ParameterNode, path: str) -> ParameterNode | ParameterScale | Parameter | None:
    """The node, scale, bracket leaf or leaf at ``path`` (``a.b``, ``a.scale[1].amount``); ``None`` if absent."""
    node = resolve(parameters, path)
    return node if isinstance(node, (ParameterNode, ParameterScale, Parameter)) else None


def plain(value: object) -> object:
    """A parameter value as a JSON scalar (numpy numbers and booleans become Python ones)."""
    if hasattr(value, "item"):
        return value.item()
    return value


def describe_parameters(parameters: ParameterNode) -> dict[str, dict]:
    """``{path: {"unit", "description", "values": [{"start", "value", "references"}]}}``, values oldest first.

    Each value carries its own references when its YAML gives some, otherwise those of its parameter (or scale).
    """
    described: dict[str, dict] = {}
    for leaf, general in leaf_parameters(parameters):
        metadata = leaf.metadata or {}
        values = []
        for at in reversed(leaf.values_list):  # values_list is newest first
            own = (at.metadata or {}).get("reference")
            references = references_of(own if own is not None else general)
            values.append(
                {
                    "start": at.instant_str,
                    "value": plain(at.value),
                    "references": [{"title": r.title, "href": r.href} for r in references],
                }
            )
        described[leaf.name] = {
            "unit": metadata.get("unit") or metadata.get("amount_unit"),
            "description": getattr(leaf, "description", None) or "",
            "values": values,
        }
    return described


def value_in_force(values: list[dict], date: str) -> tuple[bool, object]:
    """``(in force, value)`` of a parameter on ``date`` (ISO): the last value starting on or before it."""
    current: tuple[bool, object] = (False, None)
    for entry in values:
        if entry["start"] <= date:
            current = (entry["value"] is not None, entry["value"])
    return current


def _same(a: tuple[bool, object], b: tuple[bool, object]) -> bool:
    if a[0] != b[0]:
        return False
    if not a[0]:
        return True
    left, right = a[1], b[1]
    if isinstance(left, bool) != isinstance(right, bool):  # True and 1 compare equal, but the type changed
        return False
    return left == right


def compare_parameters(old: dict[str, dict], new: dict[str, dict]) -> list[dict]:
    """Rows describing what differs between two parameter descriptions, by path then date.

    ``kind`` is ``added`` or ``removed`` (a whole parameter; one row per dated value), ``changed`` (the value in
    force from ``start`` differs: ``old`` → ``new``, each ``None`` when nothing is in force), ``reference`` (same
    value, other references) or ``metadata`` (unit or description). Rows carry the references of the new value
    (of the old one for removals).
    """
    rows: list[dict] = []
    for path in sorted(set(old) | set(new)):
        if path not in old or path not in new:
            kind, side = ("added", new[path]) if path not in old else ("removed", old[path])
            for entry in side["values"]:
                rows.append(
                    {
                        "kind": kind,
                        "path": path,
                        "start": entry["start"],
                        "old": None if kind == "added" else entry["value"],
                        "new": entry["value"] if kind == "added" else None,
                        "references": entry["references"],
                    }
                )
            continue
        before, after = old[path], new[path]
        old_by_date = {entry["start"]: entry for entry in before["values"]}
        new_by_date = {entry["start"]: entry for entry in after["values"]}
        for date in sorted(set(old_by_date) | set(new_by_date)):
            was, now = value_in_force(before["values"], date), value_in_force(after["values"], date)
            entry = new_by_date.get(date) or old_by_date.get(date)
            if not _same(was, now):
                rows.append(
                    {
                        "kind": "changed",
                        "path": path,
                        "start": date,
                        "old": was[1] if was[0] else None,
                        "new": now[1] if now[0] else None,
                        "references": (new_by_date.get(date) or _entry_in_force(after["values"], date) or entry)[
                            "references"
                        ],
                    }
                )
            elif date in old_by_date and date in new_by_date and old_by_date[date]["references"] != new_by_date[date][
                "references"
            ]:
                rows.append(
                    {
                        "kind": "reference",
                        "path": path,
                        "start": date,
                        "old": was[1],
                        "new": now[1],
                        "references": new_by_date[date]["references"],
                        "old_references": old_by_date[date]["references"],
                    }
                )
        for field in ("unit", "description"):
            if before[field] != after[field]:
                rows.append(
                    {
                        "kind": "metadata",
                        "path": path,
                        "start": None,
                        "field": field,
                        "old": before[field],
                        "new": after[field],
                        "references": [],
                    }
                )
    return rows


def _entry_in_force(values: list[dict], date: str) -> dict | None:
    found = None
    for entry in values:
        if entry["start"] <= date:
            found = entry
    return found


# ----- variables -----


def _code_hash(source: str) -> str:
    """SHA-256 of a function's code with its docstrings and comments removed and its name dropped, so that a
    change of wording only is told apart from a change of what the formula computes."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.name = "formula"
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def formula_source(function) -> str:
    """The dedented source of a formula (empty when Python cannot find it)."""
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return ""


def describe_variables(system: TaxBenefitSystem) -> dict[str, dict]:
    """``{name: {"label", "entity", "definition_period", "value_type", "unit", "reference", "default_value",
    "end", "documentation", "formulas": {start: {"source", "text_sha256", "code_sha256"}}}}``."""
    described = {}
    for name, variable in sorted(system.variables.items()):
        formulas = {}
        for start, function in variable.formulas.items():
            source = formula_source(function)
            formulas[str(start)] = {
                "source": source,
                "text_sha256": hashlib.sha256(source.encode()).hexdigest(),
                "code_sha256": _code_hash(source) if source else "",
            }
        reference = variable.reference
        described[name] = {
            "label": variable.label,
            "entity": variable.entity.key,
            "definition_period": str(variable.definition_period),
            "value_type": variable.value_type.__name__,
            "unit": getattr(variable, "unit", None),
            "reference": list(reference) if isinstance(reference, (list, tuple)) else reference,
            "default_value": str(plain(variable.default_value)),
            "end": str(variable.end) if variable.end else None,
            "documentation": (variable.documentation or "").strip(),
            "formulas": formulas,
        }
    return described


UNDATED = "0001-01-01"  # OpenFisca's start date of a formula named just ``formula``
ATTRIBUTES = ("label", "entity", "definition_period", "value_type", "unit", "reference", "default_value", "end",
              "documentation")


def compare_variables(old: dict[str, dict], new: dict[str, dict]) -> list[dict]:
    """``[{"name", "status": added|removed|changed, "changes": [text], "diff": unified diff of changed formulas}]``.

    A formula whose code is unchanged but whose docstring or comments changed is reported as "text only".
    """
    import difflib

    rows = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            starts = list(new[name]["formulas"])
            if not starts:
                what = "input variable (no formula)"
            elif starts == [UNDATED]:
                what = "formula"
            else:
                what = "formulas from " + ", ".join(start for start in starts)
            rows.append({"name": name, "status": "added", "label": new[name]["label"], "changes": [what], "diff": ""})
            continue
        if name not in new:
            rows.append({"name": name, "status": "removed", "label": old[name]["label"], "changes": [], "diff": ""})
            continue
        before, after = old[name], new[name]
        changes: list[str] = []
        for attribute in ATTRIBUTES:
            if before[attribute] != after[attribute]:
                if attribute in ("documentation", "reference"):
                    changes.append(f"{attribute} changed")
                else:
                    changes.append(f"{attribute}: {before[attribute]!r} → {after[attribute]!r}")
        diff_lines: list[str] = []
        for start in sorted(set(before["formulas"]) | set(after["formulas"])):
            was, now = before["formulas"].get(start), after["formulas"].get(start)
            formula = "formula" if start == UNDATED else f"formula from {start}"
            if was is None:
                changes.append(f"{formula} added")
            elif now is None:
                changes.append(f"{formula} removed")
            elif was["code_sha256"] != now["code_sha256"]:
                changes.append(f"{formula}: code changed")
            elif was["text_sha256"] != now["text_sha256"]:
                changes.append(f"{formula}: docstring or comments changed (code identical)")
            else:
                continue
            diff_lines += difflib.unified_diff(
                (was or {}).get("source", "").splitlines(),
                (now or {}).get("source", "").splitlines(),
                f"old/{name}: {formula}",
                f"new/{name}: {formula}",
                lineterm="",
            )
        if changes:
            rows.append({"name": name, "status": "changed", "label": after["label"], "changes": changes,
                         "diff": "\n".join(diff_lines)})
    return rows


# ----- files -----


def describe_files(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of the package's source and data files (``__pycache__`` left out)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            files[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def compare_files(old: dict[str, str], new: dict[str, str]) -> dict[str, list[str]]:
    """Files ``added``, ``removed`` and ``modified`` between two :func:`describe_files` results."""
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "modified": sorted(path for path in set(old) & set(new) if old[path] != new[path]),
    }
