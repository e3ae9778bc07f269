"""Engine benchmarks: floorsim against the numpy floor and plain openfisca-core, same inputs, every output compared.

Contenders, each computing the baseline and the SAII increase (``saii_80``) for 2025 on the same survey:

- **engine**: ``Microsimulation("timor_leste", survey, 2025).run(...)`` at its DEFAULT settings (chunk size and
  workers chosen by the engine, as ``floorsim run`` without options);
- **numpy floor**: the same rules hand-written in numpy (``tests/benchmarks/numpy_floor.py``);
- **OpenFisca, one month**: an OpenFisca user who builds the simulation from arrays (``SimulationBuilder``), sets
  the inputs for January only and calculates January once, times twelve (the rules do not change within 2025);
- **OpenFisca, documented**: OpenFisca's documented path, inputs set for the year and ``calculate_add`` (twelve
  monthly calculations).

Every contender gets exactly the engine's inputs (consumption at the simulated year's prices, checked in
``tests/simulations/test_builder.py``) and every output (the six programmes and the transfers total, per person or
household) is checked equal to the engine's element by element. Timings are symmetric: *cold* is the first run on a
survey the process has not seen (the engine's encoded inputs not cached, the floor's inputs not encoded; the
tax-benefit systems already built for all), *warm* a repeat; rounds are interleaved and reported as median
[min–max]. Sizes are small by default so the ordinary suite (which runs benchmarks once, with timing disabled)
stays fast; reproduce the figures of docs/PERFORMANCE.md with

    FLOORSIM_BENCH_PERSONS=1000000 FLOORSIM_BENCH_ROUNDS=5 .venv/bin/python -m pytest \
        tests/benchmarks/test_engine_benchmark.py --benchmark-enable -s

``test_against_previous_release`` runs the engine of another source tree (``FLOORSIM_BENCH_PREVIOUS``: a folder
made with ``git worktree add /tmp/floorsim-previous <ref>``, with the ``floorsim/`` package or, from before the
namespace of issue 22, the engine's packages at its root, without the ``floorsim/`` folder; default: this tree) and this one, each in a fresh
process, on the same survey folder, checks their outputs equal and reports the ratio.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from openfisca_core import periods

from floorsim.simulations import Microsimulation
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.prices import price_context
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.engine.scenarios import baseline_system, scenario_system
from floorsim.simulations.engine.take_up import take_up_rate
from floorsim.surveys import write_survey
from floorsim.surveys.model import Survey
from tests.benchmarks.numpy_floor import floor_inputs, floor_run
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey
from tests.openfisca_reference import documented_builder_simulation, one_month_simulation

YEAR = 2025
REFORM = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80, start="2025-01-01"),))
SCENARIOS = {"baseline": None, "saii_80": REFORM}
ROUNDS = int(os.environ.get("FLOORSIM_BENCH_ROUNDS", "1"))
REPOSITORY = Path(__file__).resolve().parents[2]
SPEC = load_country("timor_leste")
PERSON_OUTPUTS = ("saii", "bolsa_da_mae_jerasaun_foun", "universal_child_grant")
HOUSEHOLD_OUTPUTS = ("bolsa_da_mae", "covid_household_transfer", "year_end_payment_2022", "social_transfers")

Outputs = dict[str, dict[str, np.ndarray]]


def systems() -> dict:
    """Each scenario's tax-benefit system, the very ones the engine uses (built once per process)."""
    return {name: scenario_system("timor_leste", () if value is None else (value,)) for name, value in SCENARIOS.items()}


def money_uprating(survey: Survey) -> float:
    """The engine's factor moving survey money to the simulated year's prices (CPI 2025 / CPI of the survey year)."""
    return price_context(baseline_system("timor_leste"), SPEC, YEAR, survey.metadata.reference_year).consumption_uprating


def engine(survey: Survey) -> Outputs:
    results = Microsimulation("timor_leste", survey, YEAR).run(SCENARIOS)
    return {
        name: {**{v: results.scenario(name).person[v] for v in PERSON_OUTPUTS},
               **{v: results.scenario(name).household[v] for v in HOUSEHOLD_OUTPUTS}}
        for name in SCENARIOS
    }


def numpy_floor_cold(survey: Survey) -> Outputs:
    inputs = floor_inputs(survey, baseline_system("timor_leste"), money_uprating(survey))
    return {name: floor_run(inputs, system, YEAR) for name, system in systems().items()}


def openfisca_one_month(survey: Survey) -> Outputs:
    """Built from arrays, inputs for January, January calculated once and multiplied by twelve."""
    january = periods.period(f"{YEAR}-01")
    out = {}
    for name, system in systems().items():
        assert take_up_rate(system, "take_up.saii", YEAR) == 1.0  # plain OpenFisca has no take-up draws
        simulation = one_month_simulation(system, SPEC, survey, january, money_uprating(survey))
        out[name] = {v: simulation.calculate(v, january).astype(np.float64) * 12 for v in PERSON_OUTPUTS + HOUSEHOLD_OUTPUTS}
    return out


def openfisca_documented(survey: Survey) -> Outputs:
    """OpenFisca's documented path: inputs for the year, ``calculate_add`` (twelve monthly calculations)."""
    year = periods.period(str(YEAR))
    out = {}
    for name, system in systems().items():
        simulation = documented_builder_simulation(system, SPEC, survey, year, money_uprating(survey))
        out[name] = {v: simulation.calculate_add(v, year).astype(np.float64) for v in PERSON_OUTPUTS + HOUSEHOLD_OUTPUTS}
    return out


def assert_same_outputs(ours: Outputs, theirs: Outputs, who: str) -> None:
    """Every output of every scenario equal element by element (the amounts are whole dollars: exact in float32)."""
    for name in SCENARIOS:
        for variable in PERSON_OUTPUTS + HOUSEHOLD_OUTPUTS:
            np.testing.assert_array_equal(ours[name][variable], theirs[name][variable], err_msg=f"{who}: {name} {variable}")


def fresh_copy(survey: Survey) -> Survey:
    """The same data as a survey object this process has not run yet (nothing cached for it)."""
    return Survey(survey.households.copy(), survey.persons.copy(), survey.metadata)


def summary(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):.3f} s [{min(seconds):.3f}–{max(seconds):.3f}]"


@pytest.fixture(scope="module")
def survey() -> Survey:
    return scaled_survey(benchmark_persons(20_000))


def test_engine_against_numpy_floor_and_openfisca(benchmark, survey):
    """Cold and warm medians of the four contenders in one run; ratios in ``extra_info``."""
    reference = engine(survey)
    floor_inputs_warm = floor_inputs(survey, baseline_system("timor_leste"), money_uprating(survey))
    contenders = {
        "engine_cold": lambda: engine(fresh_copies.pop()),
        "engine_warm": lambda: engine(survey),
        "numpy_floor_cold": lambda: numpy_floor_cold(survey),
        "numpy_floor_warm": lambda: {name: floor_run(floor_inputs_warm, s, YEAR) for name, s in systems().items()},
        "openfisca_one_month": lambda: openfisca_one_month(survey),
        "openfisca_documented": lambda: openfisca_documented(survey),
    }
    fresh_copies = [fresh_copy(survey) for _ in range(ROUNDS)]  # made outside the timings
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}  # this process's CPU time: all contenders
    # run in it at these settings (the engine's default for a survey in memory is one worker, in this process)
    for _ in range(ROUNDS):  # interleaved, so that a busy moment on the machine hits every contender alike
        for name, contender in contenders.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            outputs = contender()
            seconds[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            assert_same_outputs(reference, outputs, name)
    benchmark.pedantic(lambda: engine(survey), rounds=1, iterations=1)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    benchmark.extra_info.update(
        persons=len(survey.persons),
        rounds=ROUNDS,
        **{f"{name}_seconds": [round(s, 4) for s in values] for name, values in seconds.items()},
        engine_warm_over_numpy_floor_warm=round(medians["engine_warm"] / medians["numpy_floor_warm"], 2),
        engine_cold_over_numpy_floor_cold=round(medians["engine_cold"] / medians["numpy_floor_cold"], 2),
        openfisca_one_month_over_engine_warm=round(medians["openfisca_one_month"] / medians["engine_warm"], 2),
        openfisca_one_month_over_engine_cold=round(medians["openfisca_one_month"] / medians["engine_cold"], 2),
        openfisca_documented_over_engine_warm=round(medians["openfisca_documented"] / medians["engine_warm"], 2),
        openfisca_documented_over_engine_cold=round(medians["openfisca_documented"] / medians["engine_cold"], 2),
        **{f"{name}_cpu_seconds": [round(s, 4) for s in values] for name, values in cpu.items()},
        cpu_engine_warm_over_numpy_floor_warm=round(cpu_medians["engine_warm"] / cpu_medians["numpy_floor_warm"], 2),
        cpu_openfisca_one_month_over_engine_warm=round(
            cpu_medians["openfisca_one_month"] / cpu_medians["engine_warm"], 2
        ),
    )
    print(f"\n{len(survey.persons)} persons, {ROUNDS} round(s), median [min–max], wall clock | CPU time:")
    for name, values in seconds.items():
        print(f"  {name:22s} {summary(values)} | {summary(cpu[name])}")
    print(json.dumps({k: v for k, v in benchmark.extra_info.items() if "_over_" in k}, indent=1))


def test_month_segments_against_twelve_months(benchmark, survey):
    """What month segments save: the same run with all twelve months calculated (OpenFisca's calculate_add)."""

    def run(months):
        return Microsimulation("timor_leste", survey, YEAR, months=months).run(SCENARIOS)

    run("segments")
    all_months_seconds, exact = timed(run, "all")
    fast = benchmark.pedantic(run, args=("segments",), rounds=1, iterations=1)
    segments_seconds = timed(run, "segments")[0]
    for name in SCENARIOS:
        for variable in PERSON_OUTPUTS:
            np.testing.assert_array_equal(fast.scenario(name).person[variable], exact.scenario(name).person[variable])
        for variable in HOUSEHOLD_OUTPUTS:
            np.testing.assert_array_equal(fast.scenario(name).household[variable], exact.scenario(name).household[variable])
    benchmark.extra_info.update(
        persons=len(survey.persons),
        all_months_seconds=round(all_months_seconds, 3),
        segments_seconds=round(segments_seconds, 3),
        saving=round(all_months_seconds / segments_seconds, 2),
    )
    print(f"\nsegments {segments_seconds:.2f} s, twelve months {all_months_seconds:.2f} s")


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


# Runs in a fresh process with the source tree given first on sys.path: the engine of that tree, default settings,
# on the survey folder read into memory; one cold run then warm rounds; the programme outputs saved for comparison.
RELEASE_RUNNER = textwrap.dedent(
    """
    import importlib, json, os, sys, time
    tree, folder, rounds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    sys.path.insert(0, tree)
    import numpy as np
    # A tree from before the floorsim namespace (issue 22) has the engine's packages at its root, not in floorsim/.
    prefix = ["floorsim"] if os.path.isdir(os.path.join(tree, "floorsim", "simulations")) else []
    def module(*parts):
        return importlib.import_module(".".join([*prefix, *parts]))
    engine = module("simulations")
    Microsimulation = engine.Microsimulation
    ParameterChange = module("simulations", "engine", "reforms").ParameterChange
    ReformSpec = module("simulations", "engine", "reforms").ReformSpec
    baseline_system = module("simulations", "engine", "scenarios").baseline_system
    load_survey = module("surveys").load_survey
    survey = load_survey(folder)
    reform = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80,
                                                                  start="2025-01-01"),))
    baseline_system("timor_leste")  # tax-benefit systems built before timing, as for every contender
    def run():
        return Microsimulation("timor_leste", survey, 2025).run({"baseline": None, "saii_80": reform})
    seconds = []
    for _ in range(rounds + 1):
        started = time.perf_counter(); results = run(); seconds.append(time.perf_counter() - started)
    arrays = {}
    for name in ("baseline", "saii_80"):
        outputs = results.scenario(name)
        arrays.update({f"{name}/{k}": v for k, v in {**outputs.person, **outputs.household}.items() if ":" not in k})
    np.savez(out, **arrays)
    print(json.dumps({"cold": seconds[0], "warm": seconds[1:], "source": engine.__file__}))
    """
)


def run_release(tree: Path, folder: Path, out: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", RELEASE_RUNNER, str(tree), str(folder), str(ROUNDS), str(out)],
        capture_output=True, text=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
    )
    if completed.returncode != 0:
        raise AssertionError(f"engine of {tree} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_against_previous_release(benchmark, survey, tmp_path):
    """This engine and another tree's (``FLOORSIM_BENCH_PREVIOUS``), fresh processes, same survey folder."""
    previous_tree = Path(os.environ.get("FLOORSIM_BENCH_PREVIOUS", REPOSITORY)).resolve()
    folder = write_survey(survey, tmp_path / "survey")
    previous = run_release(previous_tree, folder, tmp_path / "previous.npz")
    current = benchmark.pedantic(run_release, args=(REPOSITORY, folder, tmp_path / "current.npz"), rounds=1, iterations=1)
    assert Path(previous["source"]).resolve().is_relative_to(previous_tree)  # each process ran its own tree's code
    assert Path(current["source"]).resolve().is_relative_to(REPOSITORY)
    with np.load(tmp_path / "previous.npz") as old, np.load(tmp_path / "current.npz") as new:
        compared = [key for key in old.files if key in new.files]
        assert {"baseline/saii", "saii_80/saii", "saii_80/social_transfers"} <= set(compared)
        for key in compared:
            np.testing.assert_array_equal(new[key], old[key], err_msg=key)
    ratio_warm = statistics.median(previous["warm"]) / statistics.median(current["warm"])
    benchmark.extra_info.update(
        persons=len(survey.persons), previous_tree=str(previous_tree), previous=previous, current=current,
        previous_over_current_cold=round(previous["cold"] / current["cold"], 2),
        previous_over_current_warm=round(ratio_warm, 2),
    )
    print(f"\nprevious ({previous_tree}): cold {previous['cold']:.3f} s, warm {summary(previous['warm'])}; "
          f"current: cold {current['cold']:.3f} s, warm {summary(current['warm'])}; "
          f"previous/current cold {previous['cold'] / current['cold']:.2f}×, warm {ratio_warm:.2f}×")
