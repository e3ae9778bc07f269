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
        legacy, "-m", "openfisca_core.scripts.openfisca_command", "test", "floorsim/country_packages/timor_leste/tests",
        "--country-package", "floorsim.country_packages.timor_leste",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def _headline(python: Path, out: Path, *args: str) -> dict:
    result = _run(
        python, "-m", "floorsim.simulations.cli", "run", "--period", str(YEAR), "--replicates", "0", "--no-report",
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


def _family_parameters(python: Path) -> dict[str, float]:
    """The family-deduction parameters of IRPP art. 40 in force in YEAR."""
    names = ["enf1", "enf2", "enf3", "enf4", "infirme", "chef_de_famille", "parent_taux", "parent_max", "age"]
    return {name: _parameter(python, name) for name in names}


def _abattement_pensions(python: Path) -> float:
    """The allowance on pensions (art. 26-II: the share of a pension not taxed) in force in YEAR."""
    located = _run(python, "-c", "import openfisca_tunisia, pathlib; print(pathlib.Path(openfisca_tunisia.__file__).parent)")
    values = yaml.safe_load((Path(located.stdout.strip()) / "parameters/impot_revenu/tspr/abat_pen.yaml")
                            .read_text(encoding="utf-8"))["values"]
    return float(values[max(date for date in values if str(date) <= f"{YEAR}-01-01")]["value"])


# An illustrative option (not a law): the deduction for a disabled dependant raised to TND 2500 from 2025.
REFORM = """\
name: infirme_2500
label: Deduction for a disabled dependant raised to TND 2500 (illustrative)
changes:
  - parameter: impot_revenu.deductions.famille.infirme
    value: 2500
    start: 2025-01-01
"""


def test_openfisca_tunisia_with_three_entities_runs_through_the_cli(legacy, tmp_path):
    out = tmp_path / "tunisia"
    (tmp_path / "reform.yaml").write_text(REFORM, encoding="utf-8")
    result = _run(
        legacy, "-m", "floorsim.simulations.cli", "run", "--country", str(EXAMPLE), "--survey", str(EXAMPLE / "survey.csv"),
        "--mapping", str(EXAMPLE / "mapping.yaml"), "--period", str(YEAR), "--reform", str(tmp_path / "reform.yaml"),
        "--replicates", "20", "--jobs", "1", "--out", str(out),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # Income tax family deductions (IRPP art. 40) per tax household (foyer_fiscal): the first four dependants
    # (role personne_a_charge) aged up to `age` get enf1..enf4 each, a disabled dependant (handicap 3) `infirme`
    # instead; chef_de_famille (a foyer input, from the survey's column `chef`, constant within each tax household)
    # adds its amount; each supported parent (nb_parents, a foyer input summed from the per-person flag
    # `parent_charge`) adds min(parent_taux x rng, parent_max), rng the tax household's net income.
    p = _family_parameters(legacy)
    enf = [p["enf1"], p["enf2"], p["enf3"], p["enf4"]]
    assert p["age"] >= 12  # every dependant child of survey.csv is of age for the deduction

    def foyer(children: int, disabled: int = 0, chef: bool = False, parents: int = 0, rng: float = 0.0) -> float:
        parent = min(p["parent_taux"] * rng, p["parent_max"]) * parents
        return sum(enf[:children]) + disabled * p["infirme"] + chef * p["chef_de_famille"] + parent

    # Household 2's declarant has a pension of 2000 a month: rng = 12 x 2000 x (1 - abattement on pensions).
    rng_2 = 12 * 2000 * (1 - _abattement_pensions(legacy))
    # survey.csv by hand: household → (weight, its tax households' deductions).
    households = {
        1: (120.0, [foyer(2, chef=True)]),                     # children aged 3 and 8
        2: (80.0, [foyer(1, chef=True, parents=1, rng=rng_2)]),  # child aged 4; person 204, aged 90, a parent
                                                                # supported (a dependant, too old for enf)
        3: (50.0, [foyer(4, chef=True), foyer(1, chef=True)]),  # two tax households: 4 children, and a
                                                                # grandparent with 1; as one tax household it would
                                                                # be 4 ranks only
        4: (60.0, [foyer(0)]),                                  # a disabled declarant alone: not a dependant
        5: (90.0, [foyer(2, disabled=1)]),                      # children 0 and 5, and a disabled child of 6
    }
    cost = sum(weight * sum(amounts) for weight, amounts in households.values())
    beneficiaries = sum(weight for weight, amounts in households.values() if sum(amounts) > 0)
    # With the 2025 parameters (enf 100 each, infirme 2000, chef 300, parent 5% of 18000 capped at 450), a check of
    # the hand sum: 120 x 500 + 80 x 850 + 50 x (700 + 400) + 90 x 2200.
    assert cost == 381_000.0

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    headline = summary["headline"]
    assert headline["deduction_famille_cost"]["baseline"] == pytest.approx(cost, rel=1e-12)
    assert headline["deduction_famille_beneficiaries"]["baseline"] == pytest.approx(beneficiaries, rel=1e-12)
    # The reform: one disabled dependant (person 504, household 5, weight 90) gets 2500 instead of `infirme`.
    assert headline["deduction_famille_cost"]["change"] == pytest.approx(90 * (2500 - p["infirme"]), rel=1e-12)
    # A package whose programmes are all household-level writes every output, as Timor-Leste's run does (the same
    # list as tests/test_household_level_run.py), without person-level results.
    written = {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()}
    tables = ("headline", "poverty", "inequality", "cost", "deciles", "coverage", "targeting", "by_group",
              "parameters", "curves")
    charts = ("deciles", "poverty", "cost", "coverage", "winners_losers", "lorenz", "concentration")
    expected = {"summary.json", "report.html", "results.xlsx",
                *(f"tables/{name}.{ext}" for name in tables for ext in ("csv", "parquet")),
                *(f"charts/{name}.{ext}" for name in charts for ext in ("png", "svg"))}
    assert expected <= written, sorted(expected - written)


def test_a_foyer_input_that_differs_within_a_tax_household_is_refused_on_one_line(legacy, tmp_path):
    survey = (EXAMPLE / "survey.csv").read_text(encoding="utf-8").splitlines()
    # Person 102 (household 1's tax household 1) says no chef de famille where 101, 103 and 104 say yes.
    survey = [line[: line.rindex(",", 0, line.rindex(","))] + ",0,0" if line.startswith("1,102,") else line
              for line in survey]
    (tmp_path / "survey.csv").write_text("\n".join(survey) + "\n", encoding="utf-8")
    result = _run(
        legacy, "-m", "floorsim.simulations.cli", "run", "--country", str(EXAMPLE), "--survey", str(tmp_path / "survey.csv"),
        "--mapping", str(EXAMPLE / "mapping.yaml"), "--period", str(YEAR), "--baseline-only", "--replicates", "0",
        "--jobs", "1", "--out", str(tmp_path / "out"),
    )
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    message = result.stderr.strip()
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert "groups.foyer_fiscal.inputs.chef_de_famille reads column 'group_foyer_fiscal_chef_de_famille'" in message
    assert "must be constant within each foyer_fiscal" in message
    assert "household 1 (persons [101, 102, 103, 104]): values [True, False, True, True]" in message
    assert not (tmp_path / "out" / "summary.json").exists()


HOUSEHOLD = """\
# Household 3 of survey.csv, described by hand: two tax households, the grandparent's with a grandchild.
period: 2025
persons:
  - {name: sami, relationship: head, age: 40, foyer_fiscal_role: declarant_principal}
  - {name: amel, relationship: spouse, age: 38, foyer_fiscal_role: conjoint}
  - {name: yassine, relationship: child, age: 5, foyer_fiscal_role: personne_a_charge}
  - {name: salma, relationship: child, age: 10, handicap: 3, foyer_fiscal_role: personne_a_charge}
  - {name: hedi, relationship: parent, age: 67, pension_de_retraite: 500, foyer_fiscal: 2,
     foyer_fiscal_role: declarant_principal}
  - {name: nour, relationship: other_relative, age: 2, foyer_fiscal: 2, foyer_fiscal_role: personne_a_charge}
groups:
  foyer_fiscal:
    1: {chef_de_famille: true}
    2: {chef_de_famille: true, nb_parents: 1}
"""


def test_the_household_explainer_fills_the_tax_households_and_sums_their_deductions(legacy, tmp_path):
    (tmp_path / "household.yaml").write_text(HOUSEHOLD, encoding="utf-8")
    result = _run(legacy, "-m", "floorsim.simulations.cli", "household", str(tmp_path / "household.yaml"),
                  "--country", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    p = _family_parameters(legacy)
    # Tax household 1: dependants yassine (5) and salma (10, disabled: infirme instead of a rank) → enf1 + infirme,
    # plus chef_de_famille. Tax household 2: nour (2) → enf1, chef_de_famille, and one supported parent:
    # min(parent_taux x rng, parent_max) with rng = 12 x 500 x (1 - abattement): 5% of 4500 = 225, under the cap.
    rng_2 = 12 * 500 * (1 - _abattement_pensions(legacy))
    first = p["enf1"] + p["infirme"] + p["chef_de_famille"]
    second = p["enf1"] + p["chef_de_famille"] + min(p["parent_taux"] * rng_2, p["parent_max"])
    assert (first, second) == (2400.0, 625.0)  # with the 2025 parameters: a check of the hand values
    deduction = report["scenarios"]["baseline"]["programmes"]["deduction_famille"]
    assert deduction["amounts"] == {"foyer_fiscal_1": pytest.approx(first), "foyer_fiscal_2": pytest.approx(second)}
    assert deduction["amount"] == pytest.approx(first + second)  # the household's: the sum, as a run adds them
    verdicts = {verdict["member"]: verdict["status"] for verdict in deduction["verdicts"]}
    assert verdicts == {"foyer_fiscal_1": "paid", "foyer_fiscal_2": "paid"}
    # The roles as simulated: household roles from relationships (floorsim.yaml household_roles), the tax
    # households as given.
    persons = {person["name"]: person for person in report["household"]["persons"]}
    assert [persons[name]["role"] for name in ("sami", "amel", "yassine", "hedi", "nour")] == [
        "personne_de_reference", "conjoint", "enfant", "ascendant", "autre"]
    assert persons["hedi"]["groups"] == {"foyer_fiscal": {"group": "foyer_fiscal_2", "role": "declarant_principal"}}
    # The explanation reads the tax households' own variables, one value per tax household.
    (nb_enf,) = [factor for factor in deduction["factors"] if factor["name"] == "nb_enf"]
    assert nb_enf["values"][0]["value"] == {"foyer_fiscal_1": 2.0, "foyer_fiscal_2": 1.0}


def test_the_household_explainer_asks_for_a_role_the_survey_would_give(legacy, tmp_path):
    (tmp_path / "household.yaml").write_text(HOUSEHOLD.replace(", foyer_fiscal_role: conjoint", ""), encoding="utf-8")
    result = _run(legacy, "-m", "floorsim.simulations.cli", "household", str(tmp_path / "household.yaml"),
                  "--country", str(EXAMPLE))
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert "amel: no role in foyer_fiscal: give foyer_fiscal_role" in result.stderr
    assert "Traceback" not in result.stderr
