"""A schemes file → a package: its worked examples pass ``openfisca test``, and the code reads as hand-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from floorsim.simulations.scaffold.generate import new_country
from floorsim.simulations.scaffold.schemes_file import read_schemes_file
from tests.scaffold.conftest import EXAMPLES

OPENFISCA = Path(sys.executable).parent / "openfisca"


def openfisca_test(folder: Path, package: str) -> subprocess.CompletedProcess:
    """``openfisca test`` on the package's YAML tests, with its folder on PYTHONPATH (as the README says)."""
    return subprocess.run(
        [str(OPENFISCA), "test", str(folder / package / "tests"), "--country-package", package],
        cwd=folder, env={**os.environ, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=300,
    )


def test_every_worked_example_passes_openfisca_test(examplia):
    result = openfisca_test(examplia, "examplia")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    examples = sum(len(scheme.examples) for scheme in read_schemes_file(EXAMPLES / "examplia.yaml").schemes)
    assert f"{examples} passed" in result.stdout


def test_a_wrong_expected_amount_fails_openfisca_test(tmp_path):
    """The generated tests can fail: the orphan allowance example says 151 where the rule gives 1.5 x 100."""
    text = (EXAMPLES / "examplia.yaml").read_text(encoding="utf-8")
    wrong = text.replace("        expected: 150\n      - name: An orphan of 10 with", "        expected: 151\n"
                         "      - name: An orphan of 10 with")
    assert wrong != text
    (tmp_path / "wrong.yaml").write_text(wrong, encoding="utf-8")
    new_country("wrong_example", tmp_path / "wrong.yaml", tmp_path / "out")
    result = openfisca_test(tmp_path / "out", "wrong_example")
    assert result.returncode != 0
    assert "1 failed" in result.stdout and "orphan_allowance" in result.stdout


@pytest.mark.parametrize("example, package", [("mozambique_pssb.yaml", "mozambique_pssb"), ("viet_nam.yaml", "viet_nam")])
def test_the_sourced_examples_pass_openfisca_test(tmp_path, example, package):
    new_country(package, EXAMPLES / example, tmp_path / package)
    result = openfisca_test(tmp_path / package, package)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    examples = sum(len(scheme.examples) for scheme in read_schemes_file(EXAMPLES / example).schemes)
    assert examples >= 3 and f"{examples} passed" in result.stdout


def test_one_variable_file_per_scheme_no_classes_built_with_type(examplia):
    schemes = read_schemes_file(EXAMPLES / "examplia.yaml").schemes
    variables = examplia / "examplia" / "variables"
    assert sorted(path.stem for path in variables.glob("*.py")) == sorted(
        [scheme.name for scheme in schemes] + ["__init__", "_helpers", "inputs", "social_transfers"]
    )
    for path in variables.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        assert "type(" not in source, path
        assert max(len(line) for line in source.splitlines()) <= 120, path  # the project's line length
    disability = (variables / "disability_allowance.py").read_text(encoding="utf-8")
    assert "class disability_allowance_eligible(Variable):" in disability
    assert "def formula_2024_01_01(person, period, parameters):" in disability
    assert "base = parameters(period).base_levels.assistance_base" in disability
    assert "amount = base * p.coefficient_by_age.calc(person(\"age\", period))" in disability


def test_parameters_are_dated_with_the_references_of_the_schemes_file(examplia):
    import yaml

    base = yaml.safe_load((examplia / "examplia/parameters/base_levels/assistance_base.yaml").read_text())
    assert {str(date): entry["value"] for date, entry in base["values"].items()} == {
        "2024-01-01": 100, "2025-07-01": 120}
    assert base["values"]["2025-07-01"]["metadata"]["reference"] == [
        {"title": "Fictional example: Decree 7/2025, Art. 1 (not a real law)"}]
    schedule = yaml.safe_load((examplia / "examplia/parameters/schemes/basic_household_subsidy/amount_by_size.yaml")
                              .read_text())
    assert schedule["metadata"]["type"] == "single_amount"
    assert [list(b["threshold"].values())[0]["value"] for b in schedule["brackets"]] == [1, 2, 3]
    assert [list(b["amount"].values())[0]["value"] for b in schedule["brackets"]] == [200, 260, 320]


def test_the_package_reads_the_data_model_columns_it_uses(examplia):
    import yaml

    spec = yaml.safe_load((examplia / "floorsim.yaml").read_text())
    assert spec["currency"] == "XTS"
    assert spec["inputs"]["household"] == {"region": "region", "urban": "urban",
                                           "adult_equivalents": "adult_equivalents",
                                           "household_welfare": "consumption"}
    assert set(spec["inputs"]["person"]) == {"age", "sex", "disability_severity", "pregnant", "orphan",
                                             "gave_birth", "in_school"}
    assert spec["programmes"]["maternity_allowance"]["take_up"] == "schemes.maternity_allowance.take_up"
    assert spec["programmes"]["family_support"] == {
        "label": "Family support (per child, at most three, per-capita means test)", "variable": "family_support",
        "entity": "household", "conditions": ["family_support_eligible"]}
