"""The arrows of DESIGN.md, checked on the source with ``ast``: reports never import OpenFisca or the engine (what
they print about a reform was recorded when it was applied); country packages never import ``simulations``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULT_TYPES = "simulations.engine.results"
# Imports the report layer still makes outside the functions that present recorded reform facts, owned by the
# headline/report work: take-up rates read from the rules, and the provenance record built for summary.json.
NOT_YET_MOVED = {
    ("tables.py", "_take_up", "simulations.engine.countries"),
    ("tables.py", "_take_up", "simulations.engine.reforms"),
    ("tables.py", "_take_up", "simulations.engine.scenarios"),
    ("summary.py", "", "simulations.engine.provenance"),
}


def imports(path: Path) -> list[tuple[str, str]]:
    """``(enclosing function or "", imported module)`` of every import statement of a file."""
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name if not function else function)
                continue
            if isinstance(child, ast.Import):
                found.extend((function, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((function, child.module))
                found.extend((function, f"{child.module}.{alias.name}") for alias in child.names
                             if child.module in ("simulations", "simulations.engine"))
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def engine_or_openfisca(module: str) -> bool:
    return module.split(".")[0] == "openfisca_core" or module == "simulations.engine" or (
        module.startswith("simulations.engine.") and module != RESULT_TYPES
    )


def test_the_checker_sees_imports_at_any_depth(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "import openfisca_core\nfrom simulations import engine\n"
        "def f():\n    from simulations.engine.reforms import ReformSpec\n"
        "    def g():\n        import simulations.engine.parameters\n"
    )
    assert imports(source) == [("", "openfisca_core"), ("", "simulations"), ("", "simulations.engine"),
                               ("f", "simulations.engine.reforms"), ("f", "simulations.engine.parameters")]
    assert [module for _, module in imports(source) if engine_or_openfisca(module)] == [
        "openfisca_core", "simulations.engine", "simulations.engine.reforms", "simulations.engine.parameters"
    ]


def test_reports_import_neither_openfisca_nor_the_engine_beyond_result_types():
    offending = {
        (path.name, function, module)
        for path in sorted((ROOT / "simulations" / "reports").rglob("*.py"))
        for function, module in imports(path)
        if engine_or_openfisca(module)
    }
    assert offending == NOT_YET_MOVED  # the parameters table and reform description present recorded facts


def test_country_packages_import_nothing_from_simulations():
    offending = [
        (str(path.relative_to(ROOT)), module)
        for path in sorted((ROOT / "country_packages").rglob("*.py"))
        for _, module in imports(path)
        if module.split(".")[0] == "simulations"
    ]
    assert offending == []
