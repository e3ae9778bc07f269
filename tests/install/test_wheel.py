"""The installed wheel, not the checkout: build it, install it into a fresh virtual environment (no ``-e``, no
checkout on ``sys.path``) and run ``floorsim run``, ``project``, ``spf`` and ``household`` from an unrelated folder.

What this catches: package data missing from the wheel (a YAML, parquet, template or catalogue the package reads),
paths that only resolve inside a checkout, bundled reforms that cannot be named, undeclared runtime dependencies.

Two ways to give the fresh environment its dependencies:

- default (the ordinary suite, about 1.5 minutes): the wheel is installed with ``--no-deps`` and the environment
  sees the test environment's installed distributions through a ``.pth`` line (a plain path: the test
  environment's own ``.pth`` files, among them an editable floorsim, are not processed); ``pip check`` then proves
  the wheel's declared requirements are met by those distributions;
- ``FLOORSIM_INSTALL_TEST=full``: a real ``pip install <wheel>`` resolving every dependency from the package index
  (about 1 min 40 s more on the 2-core machine with nothing cached; ``make test-install``).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGES = ("floorsim",)  # the one top-level package floorsim installs
FULL = os.environ.get("FLOORSIM_INSTALL_TEST", "") == "full"


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


class Installed:
    """A fresh virtual environment holding the floorsim wheel, and a folder unrelated to the checkout."""

    def __init__(self, root: Path) -> None:
        self.wheel = self._build(root / "dist")
        self.venv = root / "venv"
        self.work = root / "elsewhere"
        self.work.mkdir()
        _run([sys.executable, "-m", "venv", "--without-pip", self.venv], cwd=root)
        self.python = self.venv / "bin" / "python"
        pip = [sys.executable, "-m", "pip", "--python", self.python, "install", "--quiet",
               "--disable-pip-version-check"]
        _run([*pip, self.wheel] if FULL else [*pip, "--no-deps", self.wheel], cwd=root, timeout=1800)
        purelib = _run([self.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=root)
        if not FULL:
            lines = [path for path in site.getsitepackages() if Path(path).is_dir()]
            (Path(purelib.stdout.strip()) / "floorsim_test_dependencies.pth").write_text("\n".join(lines) + "\n")
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("FLOORSIM_")}
        self.env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"

    @staticmethod
    def _build(folder: Path) -> Path:
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check", "-w",
              folder, REPOSITORY], cwd=REPOSITORY, timeout=900)
        (wheel,) = folder.glob("floorsim-*.whl")
        return wheel

    def floorsim(self, *arguments: str) -> subprocess.CompletedProcess:
        """The installed console script, run in the unrelated folder."""
        return _run([self.venv / "bin" / "floorsim", *arguments], cwd=self.work, env=self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    return Installed(tmp_path_factory.mktemp("install"))


def in_repository(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """The same command from the checkout (``python -m floorsim.simulations.cli``), for figures to compare with."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLOORSIM_")}
    env["PYTHONPATH"] = str(REPOSITORY)
    return _run([sys.executable, "-m", "floorsim.simulations.cli", *arguments], cwd=cwd, env=env)


def test_the_wheel_holds_every_data_file_of_the_packages_and_the_licence(installed):
    tracked = _run(["git", "ls-files", "--", *PACKAGES], cwd=REPOSITORY).stdout.split()
    data = {path for path in tracked if not path.endswith(".py") and (REPOSITORY / path).is_file()}
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert data - names == set()
    # One top-level package (issue 22): nothing a user's own surveys.py could shadow, no stale build/ leftovers.
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"floorsim"}
    licence = next(name for name in names if name.endswith(".dist-info/licenses/LICENSE"))
    assert b"GNU AFFERO GENERAL PUBLIC LICENSE" in zipfile.ZipFile(installed.wheel).read(licence)


def test_the_environment_imports_floorsim_from_the_wheel_and_its_requirements_are_met(installed):
    where = _run([installed.python, "-c", "import floorsim.simulations, floorsim.surveys; print(floorsim.simulations.__file__)"],
                 cwd=installed.work, env=installed.env)
    assert Path(where.stdout.strip()).is_relative_to(installed.venv)
    _run([sys.executable, "-m", "pip", "--python", installed.python, "check"], cwd=installed.work)
    version = installed.floorsim("--version").stdout
    assert version.startswith("floorsim 0.") and "openfisca-core" in version


def test_installed_run_with_a_named_reform_writes_every_output_and_equals_the_checkout(installed, tmp_path):
    installed.floorsim("run", "--reform", "saii_increase", "--jobs", "1", "--replicates", "0", "--out", "run")
    out = installed.work / "run"
    for name in ("summary.json", "report.html", "results.xlsx"):
        assert (out / name).is_file(), name
    assert len(list((out / "charts").glob("*.png"))) >= 5
    in_repository("run", "--reform", "saii_increase", "--jobs", "1", "--replicates", "0", "--no-report",
                  "--out", str(tmp_path / "repo"), cwd=REPOSITORY)
    tables = sorted(path.name for path in (out / "tables").iterdir())
    assert tables == sorted(path.name for path in (tmp_path / "repo" / "tables").iterdir()) and len(tables) >= 10
    installed_headline = json.loads((out / "summary.json").read_text())["headline"]
    repository_headline = json.loads((tmp_path / "repo" / "summary.json").read_text())["headline"]
    assert installed_headline["saii_cost"]["change"] > 0
    for figure in ("saii_cost", "total_cost", "poverty_headcount", "gini"):
        for column in ("baseline", "reform", "change"):
            assert installed_headline[figure][column] == pytest.approx(repository_headline[figure][column],
                                                                       rel=1e-12), (figure, column)


def test_installed_project_spf_and_household_run_from_elsewhere(installed):
    installed.floorsim("project", "--reform", "saii_increase", "--out", "projection")
    costs = (installed.work / "projection" / "projection.csv")
    assert costs.is_file() and (installed.work / "projection" / "projection.xlsx").is_file()
    installed.floorsim("spf", "--jobs", "1", "--replicates", "0", "--out", "floor")
    floor = json.loads((installed.work / "floor" / "spf.json").read_text())
    assert floor["country"] == "timor_leste" and len(floor["rows"]) >= 3
    explained = json.loads(installed.floorsim("household", "--person", "age=72", "--period", "2024-03",
                                              "--json").stdout)
    repository = json.loads(in_repository("household", "--person", "age=72", "--period", "2024-03", "--json",
                                          cwd=REPOSITORY).stdout)
    assert explained == repository
