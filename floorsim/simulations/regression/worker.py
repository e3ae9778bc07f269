"""One side of ``floorsim diff``, run in its own Python process.

Two versions of a country package share module names (``floorsim.country_packages.timor_leste`` imports
``floorsim.country_packages.timor_leste.entities``), so they cannot be imported side by side in one process. ``floorsim
diff`` materialises each version in a folder and starts this module with that folder first on ``PYTHONPATH``:
the package is imported from there, the engine (``floorsim.simulations``, ``floorsim.surveys``) from the running floorsim
(for floorsim's own packages, ``floorsim.country_packages.NAME``, the running floorsim comes first on ``PYTHONPATH`` and
the side's ``floorsim/country_packages`` folder is searched first by ``floorsim.country_packages``, through
``FLOORSIM_DIFF_PACKAGES``, in this process and in the engine's worker processes alike). The
worker describes the package's rules (parameters, variables), runs the survey through it for each period (baseline
only), and pickles everything to ``--out`` for the parent to compare.

    python -m floorsim.simulations.regression.worker --country PATH/floorsim.yaml --survey FOLDER --period 2025 --out F.pkl

:func:`run_sides` is the parent's half: it starts one worker per version and reads back what they pickled.
"""

from __future__ import annotations

import argparse
import inspect
import os
import pickle
import subprocess
import sys
from pathlib import Path

from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.regression.errors import DiffError
from floorsim.simulations.regression.rules import describe_parameters, describe_variables
from floorsim.simulations.regression.versions import BUNDLED, ENGINE_ROOT, Side
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.surveys.errors import SurveyError
from floorsim.surveys import load_survey


def describe_side(country: str, survey_folder: str | Path, periods: list[int], jobs: int = 1) -> dict:
    """Rules and baseline results of the package ``country`` (a floorsim.yaml path) as importable here."""
    spec = load_country(country)
    system_class = tax_benefit_system_class(spec)
    system = baseline_system(country)
    survey = load_survey(survey_folder)
    results = {}
    for year in periods:
        simulation = Microsimulation(
            country, survey, year, backend="sequential" if jobs == 1 else "loky", n_jobs=jobs
        )
        outcome = simulation.run({BASELINE: None})
        outcome.survey = None  # the parent reads nothing person-level: keep the pickle small
        for outputs in outcome.scenarios.values():
            outputs.person = {}
        results[year] = outcome
    return {
        "module_file": inspect.getfile(system_class),
        "spec": spec,
        "parameters": describe_parameters(system.parameters),
        "variables": describe_variables(system),
        "results": results,
    }


def start_worker(side: Side, survey: Path, periods: list[int], jobs: int, out: Path, cwd: Path) -> subprocess.Popen:
    """Start ``python -m floorsim.simulations.regression.worker`` for one side, the side's folder first on ``PYTHONPATH``
    and floorsim's packages after it; it pickles its description and results to ``out``."""
    env = dict(os.environ)
    if side.bundled:
        # The side's folder holds floorsim/country_packages (and, for a checkout, an older engine): the engine must
        # come from the running floorsim, the country packages from the side (floorsim/country_packages/__init__.py).
        path = [str(ENGINE_ROOT)]
        env["FLOORSIM_DIFF_PACKAGES"] = str(side.pythonpath.joinpath(*BUNDLED))
    else:
        path = [str(side.pythonpath), str(ENGINE_ROOT)]
        env.pop("FLOORSIM_DIFF_PACKAGES", None)
    path += [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the folders compared
    command = [
        sys.executable, "-m", "floorsim.simulations.regression.worker",
        "--country", str(side.yaml), "--survey", str(survey), "--out", str(out), "--jobs", str(jobs),
        *[f"--period={period}" for period in periods],
    ]
    # cwd is an empty folder: ``python -m`` puts it first on sys.path, where it must not shadow the package.
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_sides(sides: list[Side], survey: Path, periods: list[int], jobs: int, workdir: Path) -> list[dict]:
    """Run every side's worker at the same time; their pickled descriptions and results, in order."""
    started = []
    for index, side in enumerate(sides):
        cwd = workdir / f"cwd{index}"
        cwd.mkdir(parents=True)
        out = workdir / f"side{index}.pkl"
        started.append((side, out, start_worker(side, survey, periods, jobs, out, cwd)))
    outputs = []
    for side, out, process in started:
        _stdout, stderr = process.communicate()
        if process.returncode != 0:
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {process.returncode}"
            reason = reason.removeprefix("floorsim: error: ")
            raise DiffError(f"{side.label}: the package could not be run: {reason}")
        with open(out, "rb") as handle:
            data = pickle.load(handle)
        module_file = Path(data["module_file"]).resolve()
        if not module_file.is_relative_to(side.pythonpath.resolve()):
            raise DiffError(
                f"{side.label}: the package was imported from {module_file}, not from {side.pythonpath}: another "
                "installed copy shadows it"
            )
        outputs.append(data)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m floorsim.simulations.regression.worker", description=__doc__)
    parser.add_argument("--country", required=True, help="path of the package's floorsim.yaml")
    parser.add_argument("--survey", required=True, help="survey folder in floorsim's format")
    parser.add_argument("--period", type=int, action="append", required=True, help="simulated year (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (1: sequential)")
    parser.add_argument("--out", required=True, help="pickle file to write")
    options = parser.parse_args(argv)
    try:
        data = describe_side(options.country, options.survey, options.period, options.jobs)
    except (FloorsimError, SurveyError) as error:
        print(f"floorsim: error: {error}", file=sys.stderr)
        return 2
    with open(options.out, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
