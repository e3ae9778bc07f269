"""Which parameters a formula reads, from its source: step 1 of the dead-parameter check
(:mod:`floorsim.simulations.regression.dead`).

Static analysis of every formula's source (``ast``): names bound to ``parameters(period)`` and to attribute or
string-subscript chains from it are followed, and every chain that is used (not only bound) is resolved in the
parameter tree — a leaf is read; a folder or a scale passed on whole (``lookup_by_enum(x, jf.coverage)``,
``saii.age_supplement.calc(age)``) means all leaves beneath it are read.
"""

from __future__ import annotations

import ast
from collections import defaultdict

from openfisca_core.parameters import ParameterNode
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.regression.rules import formula_source, leaf_names, resolve_node


def _parameters_argument(function: ast.FunctionDef) -> str | None:
    arguments = function.args.args
    return arguments[2].arg if len(arguments) >= 3 else None


class _Reads(ast.NodeVisitor):
    """Parameter paths a formula reads: chains from ``parameters(period)`` through names, attributes and subscripts."""

    def __init__(self, parameters_name: str) -> None:
        self.parameters_name = parameters_name
        self.aliases: dict[str, str] = {}
        self.paths: set[str] = set()

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == self.parameters_name:
            return ""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return None if base is None else f"{base}.{node.attr}".lstrip(".")
        if isinstance(node, ast.Subscript):
            base = self.resolve(node.value)
            if base is None:
                return None
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return f"{base}.{key.value}".lstrip(".")
            return base  # vectorial access (node[enum_array]): the whole node
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        path = self.resolve(node.value)
        if path is not None and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.aliases[node.targets[0].id] = path  # a binding is not a read: its uses are
            return
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Name)):
            path = self.resolve(node)
            if path:
                self.paths.add(path)
                if isinstance(node, ast.Subscript):
                    self.visit(node.slice)  # the key may read parameters too
                return  # the longest chain is the read; its prefixes are not
        super().generic_visit(node)

    visit_Attribute = visit_Subscript = visit_Name = generic_visit


def leaves_of_path(parameters: ParameterNode, path: str) -> list[str]:
    """Leaves read through ``path``: the longest prefix that names a node of the tree, expanded to its leaves
    (``benefits.saii.age_supplement.calc`` → the scale's brackets); nothing for the root."""
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        node = resolve_node(parameters, ".".join(parts[:length]))
        if node is not None:
            return leaf_names(node)
    return []


def static_parameter_reads(system: TaxBenefitSystem) -> dict[str, set[str]]:
    """``{leaf parameter: {"variable (formula start)", ...}}`` from the source of every formula."""
    reads: dict[str, set[str]] = defaultdict(set)
    for name, variable in system.variables.items():
        for start, function in variable.formulas.items():
            source = formula_source(function)
            if not source:
                continue
            tree = ast.parse(source).body[0]
            if not isinstance(tree, ast.FunctionDef):
                continue
            argument = _parameters_argument(tree)
            if argument is None:
                continue
            visitor = _Reads(argument)
            for statement in tree.body:
                visitor.visit(statement)
            for path in visitor.paths:
                for leaf in leaves_of_path(system.parameters, path):
                    reads[leaf].add(f"{name} ({start})")
    return dict(reads)
