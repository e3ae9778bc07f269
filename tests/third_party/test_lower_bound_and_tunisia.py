"""floorsim on openfisca-core 44 (the lower bound of pyproject.toml) and on a third-party package from PyPI with
three entities, openfisca-tunisia 0.154 (which itself needs openfisca-core 44.x).

The suite runs on the newest openfisca-core; these tests build a second environment beside it: a virtual
environment that sees the suite's packages (a ``.pth`` file) but installs its own openfisca-core 44.x (with
psutil < 6 and pytest < 9, which 44.x requires) and openfisca-tunisia, which take precedence. pip uses its cache, so
after the first run this takes seconds. In that environment they run the Timor-Leste YAML tests, a Timor-Leste run
(compared with the same run on the newest openfisca-core), and ``floorsim run --country`` on openfisca-tunisia
(compared with hand values from the package's own parameter files).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples/third_party/tunisia"
# The lower bound of openfisca-core in pyproject.toml, and what it needs older versions of; the third-party package.
LOWER_BOUND = ("openfisca-core==44.*", "psutil<6", "pytest<9")
THIRD_PARTY = ("openfisca-tunisia==0.154",)
YEAR = 2025


@pytest.fixture(scope="module")
def legacy(tmp_path_factory) -> Path:
    """Python of a virtual environment with openfisca-core 44.x and openfisca-tunisia over the suite's packages."""
    folder = tmp_path_factory.mktemp("openfisca44") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # The suite's packages come after the environment's own (site-packages first, then .pth entries).
    Path(purelib, "suite_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", *LOWER_BOUND, *THIRD_PARTY],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return python


def _run(python: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(python), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)


def test_the_environment_has_openfisca_core_44(legacy):
    result = _run(legacy, "-c", "import openfisca_core, importlib.metadata as m; print(m.version('openfisca-core'))")
    assert result.stdout.startswith("44."), result.stdout + result.stderr


def test_timor_leste_yaml_tests_pass_on_openfisca_core_44(legacy):
    result = _run(
        legacy, "-m", "openfisca_core.scripts.openfisca_command", "test", "country_packages/timor_leste/tests",
        "--country-package", "country_packages.timor_leste",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def _headline(python: Path, out: Path, *args: str) -> dict:
    result = _run(
        python, "-m", "simulations.cli", "run", "--period", str(YEAR), "--replicates", "0", "--no-report",
        "--jobs", "1", "--out", str(out), *args,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["headline"]


def test_a_run_on_openfisca_core_44_equals_the_run_on_the_newest(legacy, tmp_path):
    # The bundled Timor-Leste survey with the package's default reform, once per openfisca-core version.
    old = _headline(legacy, tmp_path / "44")
    new = _headline(Path(sys.executable), tmp_path / "newest")
    assert old.keys() == new.keys()
    for figure, values in new.items():
        for column, value in values.items():
            assert old[figure][column] == pytest.approx(value, rel=1e-12, abs=1e-9), (figure, column)
    assert new["saii_cost"]["change"] > 0  # the reform did something to compare


def _parameter(python: Path, name: str) -> float:
    """Value in force in YEAR of a family-deduction parameter, read from the installed package's YAML file."""
    located = _run(python, "-c", "import openfisca_tunisia, pathlib; print(pathlib.Path(openfisca_tunisia.__file__).parent)")
    path = Path(located.stdout.strip()) / "parameters/impot_revenu/deductions/famille" / f"{name}.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8"))["values"]
    in_force = max(date for date in values if str(date) <= f"{YEAR}-01-01")
    return float(values[in_force]["value"])


def test_openfisca_tunisia_with_three_entities_runs_through_the_cli(legacy, tmp_path):
    out = tmp_path / "tunisia"
    result = _run(
        legacy, "-m", "simulations.cli", "run", "--country", str(EXAMPLE), "--survey", str(EXAMPLE / "survey.csv"),
        "--mapping", str(EXAMPLE / "mapping.yaml"), "--period", str(YEAR), "--baseline-only", "--replicates", "20",
        "--jobs", "1", "--out", str(out),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # Income tax family deductions (IRPP art. 40) per tax household (foyer_fiscal): the first four dependants
    # (role personne_a_charge) aged up to `age` get enf1..enf4 each, a disabled dependant (handicap 3) `infirme`
    # instead; declarants get nothing here (chef_de_famille needs a marital status the survey does not give).
    enf = [_parameter(legacy, f"enf{rank}") for rank in range(1, 5)]
    infirme = _parameter(legacy, "infirme")
    assert _parameter(legacy, "age") >= 12  # every dependant child of survey.csv is of age for the deduction

    def foyer(children: int, disabled: int = 0) -> float:
        return sum(enf[:children]) + disabled * infirme

    # survey.csv by hand: household → (weight, its tax households' deductions).
    households = {
        1: (120.0, [foyer(2)]),                # children aged 3 and 8
        2: (80.0, [foyer(1)]),                 # child aged 4; the spouse is a declarant (conjoint)
        3: (50.0, [foyer(4), foyer(1)]),       # two tax households: 4 children, and a grandparent with 1;
                                               # as one tax household it would be foyer(5) = 4 ranks only
        4: (60.0, [foyer(0)]),                 # a disabled declarant alone: not a dependant, no deduction
        5: (90.0, [foyer(2, disabled=1)]),     # children 0 and 5, and a disabled child of 6
    }
    cost = sum(weight * sum(amounts) for weight, amounts in households.values())
    beneficiaries = sum(weight for weight, amounts in households.values() if sum(amounts) > 0)
    assert cost == 255_000.0  # with the 2025 parameters (enf 100 each, infirme 2000): a check of the hand sum

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    headline = summary["headline"]
    assert headline["deduction_famille_cost"]["baseline"] == pytest.approx(cost, rel=1e-12)
    assert headline["deduction_famille_beneficiaries"]["baseline"] == pytest.approx(beneficiaries, rel=1e-12)
    # A package whose programmes are all household-level still writes every output (no person-level results).
    for written in ("results.xlsx", "report.html", "tables/headline.csv"):
        assert (out / written).is_file(), written
