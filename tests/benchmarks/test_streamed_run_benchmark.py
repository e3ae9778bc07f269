"""Streamed end to end: ``floorsim run --stream`` on a survey folder against the engine alone streaming the same
folder, each in a fresh process, with the wall time and the peak memory of every process (issue 21).

The survey folder (copies of the bundled survey, :func:`write_scaled_survey_folder`, written in bounded memory; row
groups of 20,000 households from a million persons, of 2,000 below) is written once per module. Per round, interleaved:

(a) the engine alone, streamed: a fresh process runs ``Microsimulation("timor_leste", FOLDER, 2025)`` on the
    baseline and the package's default reform at default settings (the engine reads the folder row group by row
    group), then the headline of both scenarios (``Results.headline``);
(b) ``python -m floorsim run --survey FOLDER --stream --population-year survey --out OUT``: the command line's
    defaults otherwise (200 replicates, the full report). ``--population-year survey`` keeps the survey's own
    weights, so that the run and (a) simulate the same population (the default reweights to the simulated
    year's population, which the engine alone does not).

Each process is measured from outside by :func:`tests.benchmarks.process_memory.run_measured`: wall time, peak RSS
of the command and of every process it starts (loky workers included). Printed: medians and ranges of the wall
times over ``FLOORSIM_BENCH_ROUNDS`` rounds (default 1), the ratio (b)/(a), the peak of every process, and the
run's phase timings (``provenance.phase_timings`` of summary.json). Checked: the cost and beneficiaries of every
programme and the total cost, baseline and reform, in the run's summary.json equal the engine's to 1e-9 relative.
No timing is asserted.

Sizes: ``FLOORSIM_BENCH_STREAMED_PERSONS`` (default 30,000 for the ordinary suite, where benchmarks run once with
timing disabled); the documented runs (docs/PERFORMANCE.md, "Streamed end to end"):

    FLOORSIM_BENCH_STREAMED_PERSONS=10000000 FLOORSIM_BENCH_ROUNDS=3 .venv/bin/python -m pytest \
        tests/benchmarks/test_streamed_run_benchmark.py -k streamed_run --benchmark-enable -s
    FLOORSIM_BENCH_STREAMED_PERSONS=20000000 .venv/bin/python -m pytest \
        tests/benchmarks/test_streamed_run_benchmark.py -k streamed_run --benchmark-enable -s

``FLOORSIM_BENCH_STREAM_ARGS`` (default ``--stream``) are the options that make ``floorsim run`` stream; ``""``
runs it in memory (to compare, or on a tree without ``--stream``).
"""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
import textwrap
import time

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest

from floorsim.surveys import write_survey
from floorsim.surveys.io import HOUSEHOLDS_FILE, PERSONS_FILE, SurveyFile, read_survey_folder, survey_hash
from tests.benchmarks.process_memory import MeasuredRun, run_measured
from tests.benchmarks.scaled_survey import scaled_survey, write_scaled_survey_folder
from tests.benchmarks.test_run_end_to_end_benchmark import _median_range

PERSONS = int(os.environ.get("FLOORSIM_BENCH_STREAMED_PERSONS", "30000"))
ROUNDS = int(os.environ.get("FLOORSIM_BENCH_ROUNDS", "1"))
STREAM_ARGS = shlex.split(os.environ.get("FLOORSIM_BENCH_STREAM_ARGS", "--stream"))
# write_survey's 20,000 households a row group for the documented sizes; smaller groups for the suite's small
# folder, so that the streamed run there also goes through several row groups (30,000 persons: 4)
HOUSEHOLDS_PER_ROW_GROUP = 20_000 if PERSONS >= 1_000_000 else 2_000
RELATIVE = 1e-9  # the run and the engine add the same household arrays; only the order of sums may differ
MB = 2**20

# (a) the engine alone on the folder (streamed: a path, not a Survey), default settings; its workers end before the
# process does, so that the sampler sees them all
ENGINE = textwrap.dedent(
    """
    import json, sys, time
    started = time.perf_counter()
    from floorsim.simulations import Microsimulation
    from floorsim.simulations.engine.countries import load_country
    from floorsim.simulations.engine.scenarios import resolve_reform

    spec = load_country("timor_leste")
    reform = resolve_reform(spec.default_reform_path(), spec)
    imported = time.perf_counter()
    results = Microsimulation("timor_leste", sys.argv[1], 2025).run({"baseline": None, reform.name: reform})
    simulated = time.perf_counter()
    headline = {name: results.headline(name) for name in ("baseline", reform.name)}
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)
    print(json.dumps({"reform": reform.name, "programmes": list(spec.programmes), "headline": headline,
                      "import_seconds": imported - started, "simulation_seconds": simulated - imported}))
    """
)


def engine_command(folder) -> list[str]:
    return [sys.executable, "-c", ENGINE, str(folder)]


def run_command(folder, out) -> list[str]:
    return [sys.executable, "-m", "floorsim", "run", "--survey", str(folder), *STREAM_ARGS,
            "--population-year", "survey", "--out", str(out)]


def checked(run: MeasuredRun, what: str) -> MeasuredRun:
    assert run.returncode == 0, f"{what} failed (exit {run.returncode}):\n{run.stderr[-3000:]}"
    return run


def compare_headlines(summary: dict, engine: dict) -> list[str]:
    """The keys compared: every programme's cost and beneficiaries and the total cost, baseline and reform."""
    assert summary["reform"] == engine["reform"]
    keys = [f"{p}_{figure}" for p in engine["programmes"] for figure in ("cost", "beneficiaries")] + ["total_cost"]
    for key in keys:
        for side, scenario in (("baseline", "baseline"), ("reform", engine["reform"])):
            assert summary["headline"][key][side] == pytest.approx(engine["headline"][scenario][key], rel=RELATIVE), \
                (key, side)
    assert engine["headline"][engine["reform"]]["saii_cost"] > engine["headline"]["baseline"]["saii_cost"] > 0
    return keys


def kind(label: str) -> str:
    """A descendant's role from its command line: loky's worker or resource tracker, or another process."""
    if "resource_tracker" in label:
        return "tracker"
    return "worker" if "loky" in label else "other"


def describe(run: MeasuredRun) -> str:
    workers = ", ".join(f"{kind(p.label)} {p.peak_mb:.0f}" for p in run.processes) or "none"
    return (f"command {run.parent_peak_mb:.0f} MB (kernel ru_maxrss {run.kernel_peak_mb:.0f} MB), "
            f"descendants [{workers}] MB")


@pytest.fixture(scope="module")
def streamed_folder(tmp_path_factory):
    started = time.perf_counter()
    folder = write_scaled_survey_folder(PERSONS, tmp_path_factory.mktemp("streamed") / "survey",
                                        households_per_row_group=HOUSEHOLDS_PER_ROW_GROUP)
    print(f"\nwrote {SurveyFile(folder).n_persons:,} persons ({SurveyFile(folder).n_chunks} row groups) in "
          f"{time.perf_counter() - started:.1f} s")
    return folder


def test_streamed_run_against_the_engine_alone(benchmark, streamed_folder, tmp_path):
    rounds = []
    for index in range(max(1, ROUNDS)):  # interleaved: each contender once per round
        engine_run = checked(run_measured(engine_command(streamed_folder)), "the engine alone")
        engine = json.loads(engine_run.stdout.strip().splitlines()[-1])
        out = tmp_path / f"out{index}"
        command = checked(run_measured(run_command(streamed_folder, out)), "floorsim run")
        summary = json.loads((out / "summary.json").read_text())
        keys = compare_headlines(summary, engine)
        rounds.append({"engine": engine_run, "inside": engine, "run": command,
                       "phases": summary["provenance"]["phase_timings"]["phases"]})
    engine_seconds = [r["engine"].seconds for r in rounds]
    run_seconds = [r["run"].seconds for r in rounds]
    ratio = statistics.median(run_seconds) / statistics.median(engine_seconds)
    benchmark.extra_info.update(
        persons=SurveyFile(streamed_folder).n_persons, stream_args=STREAM_ARGS, rounds=len(rounds),
        engine_seconds=statistics.median(engine_seconds), run_seconds=statistics.median(run_seconds),
        ratio_run_to_engine=ratio, compared=keys,
        engine_peak_mb=max(r["engine"].peak_mb for r in rounds), run_peak_mb=max(r["run"].peak_mb for r in rounds),
        run_parent_peak_mb=max(r["run"].parent_peak_mb for r in rounds),
        run_descendant_peak_mb=max(r["run"].descendant_peak_mb for r in rounds),
    )
    benchmark.pedantic(lambda: None, rounds=1)
    print(f"\n{SurveyFile(streamed_folder).n_persons:,} persons, floorsim run {' '.join(STREAM_ARGS) or '(in memory)'}, "
          f"{len(rounds)} round(s), medians [ranges]; outputs equal ({len(keys)} figures x 2 scenarios)")
    print(f"(a) engine alone streamed: {_median_range(engine_seconds)} "
          f"(simulation inside {_median_range([r['inside']['simulation_seconds'] for r in rounds])})")
    print(f"(b) floorsim run:          {_median_range(run_seconds)}   (b)/(a) {ratio:.1f}x")
    for index, r in enumerate(rounds):
        print(f"  round {index + 1}: (a) {r['engine'].seconds:.2f} s, {describe(r['engine'])}")
        print(f"           (b) {r['run'].seconds:.2f} s, {describe(r['run'])}")
    print("  phases of the last run:")
    for phase in rounds[-1]["phases"]:
        print(f"    {phase['phase']:<32} {phase['seconds']:8.2f} s  {phase['peak_memory_mb']:8.0f} MB")


# ----- the harness itself: the folder writer and the process-tree sampler -----


@pytest.mark.parametrize("persons, per_group", [(30_000, 1_500), (50_000, 20_000)])
def test_scaled_folder_is_write_survey_of_the_scaled_survey(tmp_path, persons, per_group):
    """Written row group by row group, the folder is what write_survey writes of scaled_survey(persons): the same
    frames and metadata read back, the same row groups (1,500 households a group spans copies of 4,000), and the
    same bytes (survey_hash, which the run's provenance records)."""
    expected = write_survey(scaled_survey(persons), tmp_path / "expected", households_per_row_group=per_group)
    written = write_scaled_survey_folder(persons, tmp_path / "written", households_per_row_group=per_group)
    old, new = read_survey_folder(expected), read_survey_folder(written)
    pd.testing.assert_frame_equal(new.households, old.households)
    pd.testing.assert_frame_equal(new.persons, old.persons)
    assert new.metadata == old.metadata
    copies = -(-persons // 21_992)  # the bundled survey: 4,000 households, 21,992 persons
    assert len(new.persons) == 21_992 * copies and new.persons["person_id"].is_unique
    opened = SurveyFile(written)
    assert opened.n_chunks == -(-4_000 * copies // per_group)
    assert opened.n_households == 4_000 * copies
    for name in (HOUSEHOLDS_FILE, PERSONS_FILE):
        sizes = [pq.ParquetFile(path / name).metadata.row_group(k).num_rows for path in (expected, written)
                 for k in range(opened.n_chunks)]
        assert sizes[:opened.n_chunks] == sizes[opened.n_chunks:]
    last = opened.read_chunk(opened.n_chunks - 1)
    assert len(last.households) == 4_000 * copies - per_group * (opened.n_chunks - 1)
    assert survey_hash(written) == survey_hash(expected)


SAMPLED = textwrap.dedent(
    """
    import subprocess, sys, time
    held = b"p" * (120 * 2**20)  # 120 MB touched in the command itself
    # a grandchild of the sampler through a small middle process, as loky's workers are
    worker = "import time; held = b'w' * (60 * 2**20); time.sleep(0.6)"
    subprocess.run([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {worker!r}])"])
    print("done")
    sys.exit(3)
    """
)


def test_process_memory_sees_the_command_and_its_grandchildren():
    """A command holding 120 MB whose grandchild holds 60 MB: the sampled peaks are those plus an interpreter
    (10-40 MB), the kernel's high-water mark is not below them, and the exit code and output come back."""
    run = run_measured([sys.executable, "-c", SAMPLED])
    assert run.returncode == 3 and run.stdout.strip() == "done"
    assert 120 < run.parent_peak_mb < 120 + 40
    assert 60 < run.descendant_peak_mb < 60 + 40
    assert len(run.processes) == 2  # the middle process and the worker, each with its own peak
    assert run.processes[1].peak_mb < 40  # the middle process: an interpreter alone
    assert run.kernel_peak_mb >= run.parent_peak_mb - 1  # a high-water mark: never below a sample
    assert run.seconds > 0.6 and run.samples >= 5


FORKED = textwrap.dedent(
    """
    import os, time
    held = b"p" * (150 * 2**20)
    if os.fork() == 0:  # a copy sharing the 150 MB, adding 30 MB of its own
        own = b"c" * (30 * 2**20)
        time.sleep(0.6)
        os._exit(0)
    os.wait()
    """
)


def test_process_memory_counts_a_forked_copy_by_its_own_pages():
    """A forked child shares its parent's 150 MB (its RSS says 180 MB): it counts for the 30 MB it adds."""
    run = run_measured([sys.executable, "-c", FORKED])
    assert run.returncode == 0, run.stderr
    assert 150 < run.parent_peak_mb < 150 + 40
    assert 30 < run.descendant_peak_mb < 30 + 20


def test_process_memory_kills_the_whole_session_on_timeout(tmp_path):
    """On timeout the command and what it started end (a grandchild left running would hold memory and cores)."""
    pid_file = tmp_path / "pid"
    script = (f"import pathlib, subprocess; child = subprocess.Popen(['sleep', '30']); "
              f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid)); child.wait()")
    started = time.perf_counter()
    with pytest.raises(subprocess.TimeoutExpired):
        run_measured([sys.executable, "-c", script], timeout=1.0)
    assert time.perf_counter() - started < 10
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)  # the kernel delivers SIGKILL; the orphan is reaped by init
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE
