"""The regression tools work from an installed floorsim: the golden snapshot, the dead-parameter allow-list and the
survey the checks run on are found through the packages (floorsim/simulations/regression/settings.py), never through the
repository's ``tests/`` folder, which a wheel does not have."""

from __future__ import annotations

import ast
import importlib.resources
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.errors import CountryError
from floorsim.simulations.regression import settings
from tests.regression.conftest import REPOSITORY, SAII_AMOUNT, add_dated_value

FLOORSIM = Path(sys.executable).parent / "floorsim"


def installed(package: str) -> Path:
    """The folder of an importable package, as the running Python finds it."""
    return Path(str(importlib.resources.files(package)))


def outside_the_checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An empty working folder outside the repository, and an environment without PYTHONPATH."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(REPOSITORY.resolve())
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return folder, env


def test_floorsim_golden_finds_the_snapshot_and_survey_through_the_package(tmp_path):
    cwd, env = outside_the_checkout(tmp_path)
    completed = subprocess.run([str(FLOORSIM), "golden"], cwd=cwd, env=env, capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    snapshot = installed("floorsim.country_packages.timor_leste") / "regression" / "golden.json"
    document = json.loads(snapshot.read_text(encoding="utf-8"))
    count = sum(len(figures) for scenarios in document["figures"].values() for figures in scenarios.values())
    # 6 reference years x (baseline + 6 library reforms) x their headline figures
    assert count == 6 * 7 * len(document["figures"]["2025"]["baseline"])
    assert completed.stdout.strip() == (
        f"Golden aggregates of timor_leste match {snapshot} ({count} figures, years 2016, 2020, 2022, 2023, 2024, "
        "2025)."
    )


def test_floorsim_diff_runs_two_package_folders_on_the_declared_survey(tmp_path):
    """Two copies of the installed package (the new one pays the SAII USD 70 a month from 2025 instead of 60),
    compared from a folder outside the checkout without --survey or --repo."""
    cwd, env = outside_the_checkout(tmp_path)
    package = installed("floorsim.country_packages.timor_leste")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    old = shutil.copytree(package, tmp_path / "old" / "timor_leste", ignore=ignore)
    new = shutil.copytree(package, tmp_path / "new" / "timor_leste", ignore=ignore)
    add_dated_value(new, SAII_AMOUNT, "2025-01-01", 70, "Hypothetical decree raising the social pension to US$70")
    completed = subprocess.run([str(FLOORSIM), "diff", str(old), str(new), "--json"], cwd=cwd, env=env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert Path(report["survey"]["path"]) == installed("floorsim.surveys") / "data" / "timor_leste_synthetic"
    figures = report["impact"]["2025"]["figures"]
    beneficiaries = figures["saii_beneficiaries"]["new"]
    assert figures["saii_beneficiaries"]["change"] == 0
    # USD 10 a month more for every beneficiary, 12 months (the age supplements are unchanged).
    assert figures["saii_cost"]["change"] == pytest.approx(10 * 12 * beneficiaries, rel=1e-12)


# ----- nothing under floorsim/simulations/ opens a path in tests/ -----


PATH_CALLS = {"Path", "PurePath", "PurePosixPath", "open", "joinpath", "files"}


def _names_tests(value: object) -> bool:
    return isinstance(value, str) and (value == "tests" or value.startswith("tests/") or "/tests/" in value)


def paths_into_tests(source: str) -> list[int]:
    """Lines where a string naming ``tests`` (``"tests"``, ``"tests/..."``, ``".../tests/..."``) is part of a path
    expression: an operand of ``/``, or an argument of Path(), open(), joinpath() or files()."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            operands = [node.left, node.right]
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            operands = list(node.args) if name in PATH_CALLS else []
        else:
            continue
        found += [operand.lineno for operand in operands
                  if isinstance(operand, ast.Constant) and _names_tests(operand.value)]
    return found


def test_the_path_scan_catches_paths_into_tests():
    assert paths_into_tests('GOLDEN = REPOSITORY / "tests" / "golden"') == [1]
    assert paths_into_tests('x = 1\nopen("tests/regression/allow.yaml")') == [2]
    assert paths_into_tests('Path(__file__).parents[2].joinpath("tests/golden/x.json")') == [1]
    assert paths_into_tests('folder = package_folder(country, "tests")\n"tests" in path.parts') == []


def test_no_module_under_simulations_opens_a_path_in_tests():
    offenders = {
        path.relative_to(REPOSITORY).as_posix(): lines
        for path in sorted((REPOSITORY / "floorsim" / "simulations").rglob("*.py"))
        if (lines := paths_into_tests(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


# ----- the regression block of floorsim.yaml -----


def spec_with_survey(folder: Path, survey: str) -> CountrySpec:
    return load_country("timor_leste").model_copy(update={
        "folder": folder, "regression": load_country("timor_leste").regression.model_copy(update={"survey": survey}),
    })


def test_timor_leste_declares_the_bundled_survey_and_golden_years():
    import floorsim.surveys.bundled

    assert settings.bundled_survey("timor_leste") == floorsim.surveys.bundled.BUNDLED_SURVEY
    assert settings.reference_years("timor_leste") == (2016, 2020, 2022, 2023, 2024, 2025)
    assert settings.countries_with_bundled_survey() == ["timor_leste", "viet_nam"]
    folder = installed("floorsim.country_packages.timor_leste") / "regression"
    assert settings.snapshot_path("timor_leste") == folder / "golden.json"
    assert settings.allowlist_path("timor_leste") == folder / "dead_parameters_allowlist.yaml"


def test_survey_is_a_package_folder_or_a_path_beside_floorsim_yaml(tmp_path):
    (tmp_path / "data" / "reference").mkdir(parents=True)
    assert settings.resolve_survey(spec_with_survey(tmp_path, "data/reference")) == tmp_path / "data" / "reference"
    with pytest.raises(settings.RegressionSettingsError, match="no importable package 'no_such_package'"):
        settings.resolve_survey(spec_with_survey(tmp_path, "no_such_package:data"))
    with pytest.raises(settings.RegressionSettingsError, match="no folder"):
        settings.resolve_survey(spec_with_survey(tmp_path, "floorsim.surveys:data/no_such_survey"))
    # One letter before the colon is a Windows drive, not a package: a path (missing here).
    with pytest.raises(settings.RegressionSettingsError, match=r"regression.survey 'C:/x': no folder"):
        settings.resolve_survey(spec_with_survey(tmp_path, "C:/x"))
    assert settings.resolve_survey(load_country("timor_leste").model_copy(update={"regression": None})) is None


def test_unknown_regression_settings_are_refused(tmp_path):
    text = (installed("floorsim.country_packages.timor_leste") / "floorsim.yaml").read_text(encoding="utf-8")
    path = tmp_path / "timor_leste" / "floorsim.yaml"
    path.parent.mkdir()
    path.write_text(text.replace("  golden_years:", "  golden_year:"), encoding="utf-8")
    with pytest.raises(CountryError, match="golden_year"):
        load_country(str(path))
