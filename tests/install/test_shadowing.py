"""A user's own ``surveys.py``, ``simulations.py``, ``indicators.py`` or ``country_packages.py`` shadows nothing.

floorsim installs one top-level package, ``floorsim``; its layers are ``floorsim.simulations``, ``floorsim.surveys``,
``floorsim.indicators`` and ``floorsim.country_packages``. Before, the four were top-level names, and a notebook in a
folder holding a ``surveys.py`` (a common name) imported that file instead and broke (issue 22). Here a folder holds
four such files that fail loudly when imported; the Python API of the README and ``python -m floorsim`` run there,
with that folder as the current folder and as ``sys.path[0]``, as a script or notebook beside them would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHADOWS = ("surveys", "simulations", "indicators", "country_packages")

# What the README's Python API shows (a parameter change instead of the checkout-relative reform path), then where
# every module came from and the figures the test checks by hand.
SCRIPT = """
import json, sys
from floorsim import Microsimulation, ReformSpec, load_bundled_survey
from floorsim.simulations.engine.reforms import ParameterChange

reform = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80,
                                                              start="2025-01-01"),))
results = Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential", n_jobs=1).run(
    {"baseline": None, "saii_80": reform}
)
comparison = results.comparison("saii_80")
import floorsim.indicators, floorsim.simulations, floorsim.surveys, floorsim.country_packages
print(json.dumps({
    "path0": sys.path[0],
    "files": {name: module.__file__ for name, module in sys.modules.items() if name.split(".")[0] in %r
              and getattr(module, "__file__", None)},
    "saii_cost": comparison["saii_cost"],
    "saii_beneficiaries": comparison["saii_beneficiaries"],
}))
""" % (SHADOWS,)


@pytest.fixture
def shadowed_folder(tmp_path: Path) -> Path:
    """A folder holding surveys.py, simulations.py, indicators.py and country_packages.py that raise on import."""
    for name in SHADOWS:
        (tmp_path / f"{name}.py").write_text(
            f"raise RuntimeError('the user\\'s own {name}.py was imported instead of floorsim\\'s')\n", encoding="utf-8"
        )
    (tmp_path / "analysis.py").write_text(SCRIPT, encoding="utf-8")
    return tmp_path


def _environment() -> dict[str, str]:
    """The running environment without PYTHONPATH: the folder alone decides what shadows what."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


def test_the_python_api_ignores_the_users_own_modules_of_the_same_names(shadowed_folder):
    done = subprocess.run([sys.executable, "analysis.py"], cwd=shadowed_folder, env=_environment(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["path0"]).resolve() == shadowed_folder.resolve()  # the folder was first on sys.path
    # No module named like a shadow was imported from the folder: only floorsim's own, which are none of them.
    assert report["files"] == {}
    # And the run is the README's: +USD 20 a month for every SAII beneficiary, whose number does not change.
    beneficiaries = report["saii_beneficiaries"]
    assert beneficiaries["change"] == 0 and beneficiaries["baseline"] > 1000
    assert report["saii_cost"]["change"] == pytest.approx(20 * 12 * beneficiaries["baseline"], rel=1e-9)


def test_python_m_floorsim_runs_beside_the_users_own_modules(shadowed_folder):
    done = subprocess.run([sys.executable, "-m", "floorsim", "--version"], cwd=shadowed_folder, env=_environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("floorsim 0.") and "openfisca-core" in done.stdout
    assert "Traceback" not in done.stderr


def test_import_floorsim_is_light_and_its_names_are_the_modules_own():
    """``import floorsim`` loads neither pandas nor OpenFisca; each re-exported name is the defining module's object."""
    probe = (
        "import sys, floorsim\n"
        "print(sorted({'pandas', 'numpy', 'openfisca_core', 'floorsim.simulations', 'floorsim.surveys'} & set(sys.modules)))\n"
        "from floorsim.simulations.engine.microsimulation import Microsimulation\n"
        "from floorsim.surveys.readers import load_survey\n"
        "from floorsim.surveys.bundled import load_bundled_survey\n"
        "print(floorsim.Microsimulation is Microsimulation, floorsim.load_survey is load_survey,\n"
        "      floorsim.load_bundled_survey is load_bundled_survey, sorted(floorsim.__all__) == sorted(floorsim._LAZY))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=_environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[:2] == ["[]", "True True True True"]
