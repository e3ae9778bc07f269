"""End-to-end benchmark: ``floorsim run`` (200 replicates, the full report) against the engine alone on the same
survey, and against ``--replicates 0``, each in a fresh process with its peak memory.

Two baselines for "the engine alone", both ``Microsimulation.run`` of the baseline and the package's default reform
on the same survey at default settings:

(a) in-process cold: the simulation only, timed inside a fresh process after imports and reading the survey (and
    warm: a second run in that process);
(b) the engine as a command: a fresh process's wall time to import, read the survey and simulate, timed from
    outside exactly as ``floorsim run`` is.

The ratio "floorsim run / engine" is the figure that matters (docs/PERFORMANCE.md, "End to end"); it is reported
against both. Peak memory is ``ru_maxrss`` of the command's process and of its workers (the largest), for every
process. Every run's phase timings come from its summary.json (``provenance.phase_timings``). With
``FLOORSIM_BENCH_ROUNDS`` (default 1) rounds, interleaved, medians and ranges are printed.

Small by default, so the ordinary suite (benchmarks run once, timing disabled) stays fast; the documented figures:

    FLOORSIM_BENCH_PERSONS=1000000 FLOORSIM_BENCH_ROUNDS=3 .venv/bin/python -m pytest \
        tests/benchmarks/test_run_end_to_end_benchmark.py --benchmark-enable -s

No timing is asserted; the outputs are checked (the headline of the run equals the engine's).

``test_run_against_previous_release``: ``floorsim run`` (the same options as above) of another source tree
(``FLOORSIM_BENCH_PREVIOUS``, made with ``git worktree add --detach /tmp/floorsim-previous <ref>``; default: this
tree) against this tree's, on the same survey folder, each run a fresh process, rounds interleaved (the order
alternating), wall time and peak memory of every process (:mod:`tests.benchmarks.process_memory`), headlines
checked equal to 1e-9. The other tree runs with ``FLOORSIM_BENCH_PREVIOUS_PYTHON``, else its own ``.venv`` if it has
one, else this interpreter, with the tree first on ``PYTHONPATH`` (checked: its processes import its own code):

    FLOORSIM_BENCH_PREVIOUS=/tmp/floorsim-previous FLOORSIM_BENCH_PERSONS=1000000 FLOORSIM_BENCH_ROUNDS=3 \
        .venv/bin/python -m pytest tests/benchmarks/test_run_end_to_end_benchmark.py -k previous --benchmark-enable -s
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from floorsim.surveys import write_survey
from tests.benchmarks.process_memory import MeasuredRun, run_measured
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey

REPLICATES = int(os.environ.get("FLOORSIM_BENCH_REPLICATES", "200"))
ROUNDS = int(os.environ.get("FLOORSIM_BENCH_ROUNDS", "1"))
REPOSITORY = Path(__file__).resolve().parents[2]

ENGINE = textwrap.dedent(
    """
    import json, resource, sys, time
    started = time.perf_counter()
    from floorsim.simulations import Microsimulation
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import resolve_reform
    from floorsim.surveys import load_survey

    spec = load_country("timor_leste")
    reform = resolve_reform(spec.default_reform_path(), spec)
    survey = load_survey(sys.argv[1])
    loaded = time.perf_counter()
    simulation = Microsimulation("timor_leste", survey, 2025)
    results = simulation.run({"baseline": None, reform.name: reform})
    cold = time.perf_counter() - loaded
    again = time.perf_counter()
    simulation.run({"baseline": None, reform.name: reform})
    warm = time.perf_counter() - again
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)  # workers must end for their peak memory to be counted
    print(json.dumps({"cold": cold, "warm": warm, "reform": reform.name, "process": time.perf_counter() - started,
                      "saii_cost": results.headline(reform.name)["saii_cost"],
                      "peak_mb": max(resource.getrusage(who).ru_maxrss
                                     for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024}))
    """
)

# (b) the engine as a command: import, read the survey, simulate baseline + reform once, end the workers; timed
# from outside like floorsim run
ENGINE_COMMAND_SCRIPT = textwrap.dedent(
    """
    import sys
    from floorsim.simulations import Microsimulation
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import resolve_reform
    from floorsim.surveys import load_survey

    spec = load_country("timor_leste")
    reform = resolve_reform(spec.default_reform_path(), spec)
    results = Microsimulation("timor_leste", load_survey(sys.argv[1]), 2025).run({"baseline": None, reform.name: reform})
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)
    print(results.headline(reform.name)["saii_cost"])
    """
)

ENGINE_COMMAND = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", sys.argv[2], sys.argv[1]], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr[-2000:]
    print(json.dumps({"seconds": seconds, "saii_cost": float(completed.stdout.split()[-1]),
                      "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    """
)

COMMAND = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "floorsim.simulations.cli", "run", "--survey", sys.argv[1],
                                "--out", sys.argv[2], "--replicates", sys.argv[3], "--population-year", "survey"],
                               capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr[-2000:]
    print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
    """
)


def _json(script: str, *arguments: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", script, *map(str, arguments)], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("survey") / "scaled"
    write_survey(scaled_survey(benchmark_persons(20_000)), path)
    return path


def _median_range(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):.2f} s [{ordered[0]:.2f}-{ordered[-1]:.2f}]"


def test_run_end_to_end_against_the_engine_alone(benchmark, folder, tmp_path):
    rounds: list[dict] = []
    for index in range(max(1, ROUNDS)):  # interleaved: every contender once per round
        engine = _json(ENGINE, folder)
        command = _json(ENGINE_COMMAND, folder, ENGINE_COMMAND_SCRIPT)
        # the same simulation: the engine as a command gives the engine's figure
        assert command["saii_cost"] == pytest.approx(engine["saii_cost"], rel=1e-12)
        runs = {}
        for replicates in (REPLICATES, 0):
            out = tmp_path / f"out{index}_{replicates}"
            runs[replicates] = _json(COMMAND, folder, out, replicates)
            summary = json.loads((out / "summary.json").read_text())
            runs[replicates]["phases"] = summary["provenance"]["phase_timings"]["phases"]
            # the command's headline is the engine's (same survey, same reform, same settings)
            assert summary["headline"]["saii_cost"]["reform"] == pytest.approx(engine["saii_cost"], rel=1e-12)
        rounds.append({"engine": engine, "command": command, "runs": runs})
    cold = [r["engine"]["cold"] for r in rounds]
    as_command = [r["command"]["seconds"] for r in rounds]
    full = [r["runs"][REPLICATES]["seconds"] for r in rounds]
    bare = [r["runs"][0]["seconds"] for r in rounds]
    benchmark.extra_info.update(
        engine_cold_seconds=statistics.median(cold), engine_command_seconds=statistics.median(as_command),
        run_seconds=statistics.median(full), run_no_replicates_seconds=statistics.median(bare),
        ratio_to_engine_cold=statistics.median(full) / statistics.median(cold),
        ratio_to_engine_command=statistics.median(full) / statistics.median(as_command),
        run_peak_mb=max(r["runs"][REPLICATES]["peak_mb"] for r in rounds),
        engine_peak_mb=max(r["engine"]["peak_mb"] for r in rounds))
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\n{len(rounds)} round(s), medians [ranges]")
    print(f"(a) engine alone in-process: cold {_median_range(cold)}, warm "
          f"{_median_range([r['engine']['warm'] for r in rounds])}, peak "
          f"{max(r['engine']['peak_mb'] for r in rounds):.0f} MB")
    print(f"(b) engine as a command: {_median_range(as_command)}, peak "
          f"{max(r['command']['peak_mb'] for r in rounds):.0f} MB")
    for replicates, times in ((REPLICATES, full), (0, bare)):
        median = statistics.median(times)
        print(f"floorsim run --replicates {replicates}: {_median_range(times)} "
              f"({median / statistics.median(cold):.1f}x (a), {median / statistics.median(as_command):.1f}x (b)), "
              f"peak {max(r['runs'][replicates]['peak_mb'] for r in rounds):.0f} MB")
        for phase in rounds[-1]["runs"][replicates]["phases"]:
            print(f"    {phase['phase']:<32} {phase['seconds']:8.2f} s  {phase['peak_memory_mb']:8.0f} MB")


# ----- floorsim run of this tree against another tree's (the previous release) -----

# How a tree's command line starts with ``python -m``: ``floorsim`` since the namespace of issue 22; before it the
# packages sat at the root (``simulations``).
CLI_MODULES = ("floorsim", "floorsim.simulations.cli", "simulations", "simulations.cli")


def tree_python(tree: Path) -> str:
    """The interpreter for ``tree``: this one for this tree; for another, ``FLOORSIM_BENCH_PREVIOUS_PYTHON``, else
    the tree's own ``.venv``, else this interpreter."""
    if tree == REPOSITORY:
        return sys.executable
    own = tree / ".venv" / "bin" / "python"
    return os.environ.get("FLOORSIM_BENCH_PREVIOUS_PYTHON") or (str(own) if own.is_file() else sys.executable)


def tree_command(tree: Path) -> tuple[list[str], dict]:
    """``[python, -m, module]`` starting ``tree``'s command line, and the environment putting ``tree`` first."""
    module = next((m for m in CLI_MODULES if (tree / m.replace(".", "/") / "__main__.py").is_file()), None)
    assert module is not None, f"{tree} has none of {CLI_MODULES} with a __main__.py: not a floorsim source tree"
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    package = "floorsim.simulations" if module.startswith("floorsim") else "simulations"
    source = subprocess.run([tree_python(tree), "-c", f"import {package} as p; print(p.__file__)"],
                            capture_output=True, text=True, cwd=tree, env=environment, check=False)
    assert source.returncode == 0, source.stderr[-2000:]
    # each tree's processes import that tree's code (not an editable install of another)
    assert Path(source.stdout.strip()).resolve().is_relative_to(tree), (tree, source.stdout)
    return [tree_python(tree), "-m", module], environment


def measured_run(tree: Path, folder: Path, out: Path) -> tuple[MeasuredRun, dict]:
    command, environment = tree_command(tree)
    run = run_measured([*command, "run", "--survey", str(folder), "--out", str(out), "--replicates", str(REPLICATES),
                        "--population-year", "survey"], env=environment, cwd=tree)
    assert run.returncode == 0, f"floorsim run of {tree} failed (exit {run.returncode}):\n{run.stderr[-3000:]}"
    return run, json.loads((out / "summary.json").read_text())


def test_run_against_previous_release(benchmark, folder, tmp_path):
    previous_tree = Path(os.environ.get("FLOORSIM_BENCH_PREVIOUS", REPOSITORY)).resolve()
    trees = {"previous": previous_tree, "current": REPOSITORY}
    rounds: list[dict] = []
    for index in range(max(1, ROUNDS)):
        order = ("previous", "current") if index % 2 == 0 else ("current", "previous")  # interleaved, alternating
        rounds.append({name: measured_run(trees[name], folder, tmp_path / f"{name}{index}") for name in order})
    compared = []
    for measured in rounds:
        old, new = measured["previous"][1]["headline"], measured["current"][1]["headline"]
        compared = sorted(set(old) & set(new))
        assert {"saii_cost", "saii_beneficiaries", "total_cost", "poverty_headcount", "gini"} <= set(compared)
        for key in compared:
            for side in ("baseline", "reform"):
                assert new[key][side] == pytest.approx(old[key][side], rel=1e-9), (key, side)
    seconds = {name: [r[name][0].seconds for r in rounds] for name in trees}
    ratio = statistics.median(seconds["previous"]) / statistics.median(seconds["current"])
    benchmark.extra_info.update(
        previous_tree=str(previous_tree), rounds=len(rounds), compared=compared,
        previous_seconds=statistics.median(seconds["previous"]), current_seconds=statistics.median(seconds["current"]),
        previous_over_current=ratio,
        **{f"{name}_peak_mb": max(r[name][0].peak_mb for r in rounds) for name in trees},
    )
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\nfloorsim run --replicates {REPLICATES}, {len(rounds)} round(s), medians [ranges]; headlines equal "
          f"({len(compared)} figures)")
    for name in trees:
        last = rounds[-1][name]
        print(f"{name} ({trees[name]}): {_median_range(seconds[name])}, peak command "
              f"{max(r[name][0].parent_peak_mb for r in rounds):.0f} MB, largest descendant "
              f"{max(r[name][0].descendant_peak_mb for r in rounds):.0f} MB")
        for phase in last[1]["provenance"]["phase_timings"]["phases"]:
            print(f"    {phase['phase']:<32} {phase['seconds']:8.2f} s  {phase['peak_memory_mb']:8.0f} MB")
    print(f"previous/current: {ratio:.2f}x")
