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
    modules = sorted(path for path in (ROOT / folder).rglob("*.py") if ".venv" not in path.parts)
    assert modules, f"no module under {folder}/: a rule checked on nothing would pass"
    return modules


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
    assert _offenders("floorsim/country_packages", ("floorsim.simulations",)) == []


def test_surveys_know_nothing_of_openfisca_or_simulations():
    assert _offenders("floorsim/surveys", ("floorsim.simulations", "openfisca_core", "floorsim.country_packages")) == []


def test_indicators_take_arrays_only():
    assert _offenders("floorsim/indicators", ("floorsim.simulations", "floorsim.surveys", "openfisca_core",
                                             "floorsim.country_packages")) == []


def test_reports_never_import_openfisca_or_the_engine():
    found = _offenders(
        "floorsim/simulations/reports",
        ("openfisca_core", "floorsim.country_packages", "floorsim.simulations.engine", "floorsim.simulations.design", "floorsim.simulations.cli"),
        # Result and provenance records are the facts reports present; the machinery that made them is not.
        allowed=("floorsim.simulations.engine.results",),
    )
    assert found == []


def test_the_engine_never_imports_the_layers_above_it():
    """The engine knows nothing of presentation, design tools or front ends; ``Results`` alone reaches the analysis
    layer, lazily, for its three conveniences (``headline``, ``comparison``, ``person_frame``)."""
    above = ("floorsim.simulations.reports", "floorsim.simulations.design", "floorsim.simulations.explain", "floorsim.simulations.regression",
             "floorsim.simulations.projections", "floorsim.simulations.web", "floorsim.simulations.cli")
    assert _offenders("floorsim/simulations/engine", above) == []
    reaching_analysis = {line.split(" imports ")[0] for line in _offenders("floorsim/simulations/engine", ("floorsim.simulations.analysis",))}
    assert reaching_analysis <= {"floorsim/simulations/engine/results.py"}


def test_the_scaffold_writes_text_without_openfisca():
    """``floorsim/simulations/scaffold`` generates packages as source text: no OpenFisca, no engine machinery beyond the
    country reader (the missing-reference marker), nothing above it."""
    forbidden = ("openfisca_core", "floorsim.country_packages", "floorsim.simulations.engine", "floorsim.simulations.analysis",
                 "floorsim.simulations.reports", "floorsim.simulations.design", "floorsim.simulations.explain", "floorsim.simulations.regression",
                 "floorsim.simulations.projections", "floorsim.simulations.web", "floorsim.simulations.cli")
    assert _offenders("floorsim/simulations/scaffold", forbidden, allowed=("floorsim.simulations.engine.countries",)) == []


def test_simulations_root_holds_at_most_three_modules():
    root_modules = sorted(path.name for path in (ROOT / "floorsim" / "simulations").glob("*.py"))
    assert len(root_modules) <= MAX_ROOT_MODULES, root_modules


@pytest.mark.parametrize("folder", ["floorsim/simulations", "floorsim/surveys", "floorsim/indicators", "floorsim/country_packages"])
def test_no_module_over_500_lines(folder):
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules(folder)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_rule_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The checker itself can fail: a module importing the engine lazily, inside a function, is found."""
    package = tmp_path / "floorsim" / "simulations" / "reports"
    package.mkdir(parents=True)
    (package / "bad.py").write_text("def f():\n    from floorsim.simulations.engine.reforms import ReformSpec\n    return ReformSpec\n")
    (package / "relative.py").write_text("from ..engine import microsimulation\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = _offenders("floorsim/simulations/reports", ("floorsim.simulations.engine",), allowed=("floorsim.simulations.engine.results",))
    assert found == [
        "floorsim/simulations/reports/bad.py imports floorsim.simulations.engine.reforms",
        "floorsim/simulations/reports/bad.py imports floorsim.simulations.engine.reforms.ReformSpec",
        "floorsim/simulations/reports/relative.py imports floorsim.simulations.engine",
        "floorsim/simulations/reports/relative.py imports floorsim.simulations.engine.microsimulation",
    ]


def test_nothing_imports_the_old_top_level_names():
    """floorsim is one package (issue 22): an import of one of its four former top-level names (``old``) would load a
    user's own file of that name, or nothing."""
    old = ("simulations", "surveys", "indicators", "country_packages")
    assert [line for folder in ("floorsim", "tests") for line in _offenders(folder, old)] == []
