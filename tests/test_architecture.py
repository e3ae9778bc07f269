"""The layout rules of docs/architecture.md, checked on the source: which way imports go, small modules.

Imports are read with ``ast`` (every ``import`` and ``from ... import`` anywhere in a module, including inside
functions), so a lazy import breaks a rule as much as a top-level one.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 500
MAX_ROOT_MODULES = 3


def _modules(folder: str) -> list[Path]:
    return sorted(path for path in (ROOT / folder).rglob("*.py") if ".venv" not in path.parts)


def _imported(path: Path) -> set[str]:
    """Every module name imported by the file (absolute names; relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _offenders(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in _modules(folder):
        for name in sorted(_imported(path)):
            if name.startswith(allowed):
                continue
            if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_country_packages_never_import_simulations():
    assert _offenders("country_packages", ("simulations",)) == []


def test_surveys_know_nothing_of_openfisca_or_simulations():
    assert _offenders("surveys", ("simulations", "openfisca_core", "country_packages")) == []


def test_indicators_take_arrays_only():
    assert _offenders("indicators", ("simulations", "surveys", "openfisca_core", "country_packages")) == []


def test_reports_never_import_openfisca_or_the_engine():
    found = _offenders(
        "simulations/reports",
        ("openfisca_core", "country_packages", "simulations.engine", "simulations.design", "simulations.cli"),
        # Result and provenance records are the facts reports present; the machinery that made them is not.
        allowed=("simulations.engine.results",),
    )
    assert found == []


def test_the_engine_never_imports_the_layers_above_it():
    """The engine knows nothing of presentation, design tools or front ends; ``Results`` alone reaches the analysis
    layer, lazily, for its three conveniences (``headline``, ``comparison``, ``person_frame``)."""
    above = ("simulations.reports", "simulations.design", "simulations.explain", "simulations.regression",
             "simulations.projections", "simulations.web", "simulations.cli")
    assert _offenders("simulations/engine", above) == []
    reaching_analysis = {line.split(" imports ")[0] for line in _offenders("simulations/engine", ("simulations.analysis",))}
    assert reaching_analysis <= {"simulations/engine/results.py"}


def test_the_scaffold_writes_text_without_openfisca():
    """``simulations/scaffold`` generates packages as source text: no OpenFisca, no engine machinery beyond the
    country reader (the missing-reference marker), nothing above it."""
    forbidden = ("openfisca_core", "country_packages", "simulations.engine", "simulations.analysis",
                 "simulations.reports", "simulations.design", "simulations.explain", "simulations.regression",
                 "simulations.projections", "simulations.web", "simulations.cli")
    assert _offenders("simulations/scaffold", forbidden, allowed=("simulations.engine.countries",)) == []


def test_simulations_root_holds_at_most_three_modules():
    root_modules = sorted(path.name for path in (ROOT / "simulations").glob("*.py"))
    assert len(root_modules) <= MAX_ROOT_MODULES, root_modules


@pytest.mark.parametrize("folder", ["simulations", "surveys", "indicators", "country_packages"])
def test_no_module_over_500_lines(folder):
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules(folder)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_rule_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The checker itself can fail: a module importing the engine lazily, inside a function, is found."""
    package = tmp_path / "simulations" / "reports"
    package.mkdir(parents=True)
    (package / "bad.py").write_text("def f():\n    from simulations.engine.reforms import ReformSpec\n    return ReformSpec\n")
    (package / "relative.py").write_text("from ..engine import microsimulation\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = _offenders("simulations/reports", ("simulations.engine",), allowed=("simulations.engine.results",))
    assert found == [
        "simulations/reports/bad.py imports simulations.engine.reforms",
        "simulations/reports/bad.py imports simulations.engine.reforms.ReformSpec",
        "simulations/reports/relative.py imports simulations.engine",
        "simulations/reports/relative.py imports simulations.engine.microsimulation",
    ]
