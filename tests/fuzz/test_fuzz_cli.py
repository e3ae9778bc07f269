"""Fuzzing the command line: every command ends in success with complete outputs, a one-line project error
(exit 2, nothing written) or a usage error of the argument parser (exit 2) — never a traceback (issue 20)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from click.testing import Result
from hypothesis import event, given
from hypothesis import strategies as st

from floorsim.surveys import write_survey
from floorsim.surveys.io import HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, encode_metadata
from tests.conftest import make_tiny_survey
from tests.fuzz import settings
from tests.fuzz.cli_checks import assert_one_line_error, files_under, invoke
from tests.fuzz.strategies import NASTY_TEXT
from tests.fuzz.test_fuzz_files import broken_tables
from tests.projections.helpers import raw_assumptions

NUMBERS = st.one_of(st.integers(-20, 20), st.sampled_from(["0", "-1", "-2", "1.5", "x", "", "99999999999999999999"]))
PERIODS = st.one_of(st.integers(1800, 2200).map(str), st.sampled_from(["1999-01", "2025-13", "2025-02", "x", "",
                                                                       "2024-03-31", "-1", "2025.0"]))
ASSIGNMENTS = st.lists(
    st.tuples(st.sampled_from(["age", "sex", "pregnant", "disability", "x", "", "age age"]),
              st.one_of(st.sampled_from(["72", "-1", "200", "nan", "inf", "true", "maybe", "1e308", "", "female"]),
                        NASTY_TEXT)),
    min_size=0, max_size=3,
).map(lambda pairs: ",".join(f"{key}={value}" for key, value in pairs))


def assert_clean_outcome(result: Result, out: Path | None = None, complete: tuple[str, ...] = ()) -> None:
    """Success (and, for a command that writes, every expected file present and no staging left), or a refusal
    that prints no traceback and writes nothing."""
    if result.exit_code == 0:
        assert result.exception is None
        if out is not None:
            assert all((out / name).is_file() for name in complete), sorted(files_under(out))
            assert not [entry for entry in out.parent.iterdir() if entry.name.startswith(f".{out.name}.")]
        return
    if "Usage:" in result.stderr:  # the parser refused an argument (typer/click): exit 2, no traceback
        assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
    else:
        assert_one_line_error(result)
    if out is not None:
        assert not out.exists() and not list(out.parent.glob(f".{out.name}.*"))


@settings.commands
@given(persons=st.lists(ASSIGNMENTS, min_size=0, max_size=3), period=PERIODS, household=ASSIGNMENTS)
def test_household_never_fails_with_a_traceback(persons: list[str], period: str, household: str) -> None:
    arguments = [part for person in persons for part in ("--person", person)]
    arguments += ["--household", household] if household else []
    assert_clean_outcome(invoke("household", *arguments, "--period", period, "--brief"))


@settings.commands
@given(path=st.one_of(st.sampled_from(["benefits.saii", "benefits.saii.amount", "x", "", "benefits..saii",
                                      "benefits.saii.age_supplement[9]"]), NASTY_TEXT),
       date=st.one_of(PERIODS, NASTY_TEXT))
def test_params_never_fails_with_a_traceback(path: str, date: str) -> None:
    assert_clean_outcome(invoke("params", path, "--date", date))


@settings.commands
@given(jobs=st.one_of(st.just(1), st.just(2), NUMBERS), chunk_size=st.one_of(st.just(2), st.just(5000), NUMBERS),
       period=st.one_of(st.just("2025"), st.just("2030"), PERIODS),
       population=st.sampled_from([None, "survey", "2030", "1990", "x"]), no_report=st.booleans())
def test_run_writes_everything_or_nothing(tmp_path_factory, jobs, chunk_size, period, population, no_report) -> None:
    folder = tmp_path_factory.mktemp("run")
    survey = write_survey(make_tiny_survey(), folder / "tiny")
    out = folder / "out"
    arguments = ["run", "--survey", survey, "--out", out, "--jobs", jobs, "--chunk-size", chunk_size,
                 "--period", period, "--replicates", "0"]
    arguments += (["--population-year", population] if population else []) + (["--no-report"] if no_report else [])
    expected = ("summary.json",) if no_report else ("summary.json", "report.html", "results.xlsx")
    result = invoke(*arguments)
    event("run: exit 0" if result.exit_code == 0 else "run: refused")
    assert_clean_outcome(result, out, expected)


@settings.commands
@given(tables=broken_tables(), metadata=st.one_of(st.none(), st.binary(max_size=30)))
def test_survey_on_a_broken_folder_never_fails_with_a_traceback(tmp_path_factory, tables, metadata) -> None:
    folder = tmp_path_factory.mktemp("survey") / "broken"
    folder.mkdir()
    households, persons = tables
    table = pa.Table.from_pandas(households.astype(str), preserve_index=False)
    raw = metadata if metadata is not None else encode_metadata(make_tiny_survey().metadata)
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: raw}), folder / HOUSEHOLDS_FILE)
    pq.write_table(pa.Table.from_pandas(persons.astype(str), preserve_index=False), folder / PERSONS_FILE)
    assert_clean_outcome(invoke("survey", folder))
    shutil.rmtree(folder)


@settings.commands
@given(start=st.one_of(st.integers(2020, 2040), st.sampled_from([None, "2025", 2025.5, -1, 10**12])),
       inflation=st.sampled_from([0.02, -0.5, 1e308, "x", None, [2025, 2026], True]))
def test_project_writes_everything_or_nothing(tmp_path_factory, start, inflation) -> None:
    folder = tmp_path_factory.mktemp("project")
    raw = raw_assumptions()
    raw["years"] = {"start": start, "end": start} if isinstance(start, int) and start < 2100 else {"start": start}
    raw["prices"]["inflation"][-1]["value"] = inflation
    path = folder / "assumptions.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = folder / "out"
    assert_clean_outcome(invoke("project", path, "--out", out), out, ("projection.csv", "provenance.json"))
