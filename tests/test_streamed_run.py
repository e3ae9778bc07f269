"""``floorsim run`` on a streamed survey folder (``--stream``): the figures of the same run in memory.

The bundled survey is written as a folder of small row groups (500 households: 8 row groups), then run twice by the
command line, in separate processes as a user runs it: streamed (only households in memory, workers reading row
groups) and read into memory (the person frame's route is the second method: its report's tables are checked
against the person frame in tests/reports/test_household_frame_route.py). The default run reweights the survey
to the 2025 projected population and re-calibrates the bootstrap replicates to it: both happen on the streamed
survey too (the calibration matrix built row group by row group).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import load_survey
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.io import write_survey

TABLES = ("headline", "poverty", "inequality", "cost", "deciles", "coverage", "targeting", "by_group", "curves")


def floorsim(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "floorsim", *arguments], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_survey(load_bundled_survey(), tmp_path_factory.mktemp("survey") / "bundled",
                        households_per_row_group=500)


@pytest.fixture(scope="module")
def runs(folder, tmp_path_factory) -> dict[str, Path]:
    outputs = {}
    for mode in ("--stream", "--no-stream"):
        out = tmp_path_factory.mktemp("out") / mode.strip("-")
        completed = floorsim("run", "--survey", str(folder), mode, "--replicates", "30", "--out", str(out),
                             "--no-report", "--jobs", "2")
        assert completed.returncode == 0, completed.stderr
        outputs[mode] = out
    return outputs


def test_streamed_run_gives_the_in_memory_tables(runs):
    assert_same_tables(runs["--no-stream"], runs["--stream"], TABLES)


def assert_same_tables(expected: Path, actual: Path, names, skip: dict[str, tuple[str, ...]] | None = None) -> None:
    """The tables ``names`` of two output folders: the same columns and rows, numbers equal to 1e-9 (relative), text
    equal; ``skip``: columns of a table left out."""
    for name in names:
        left = pd.read_parquet(expected / "tables" / f"{name}.parquet")
        right = pd.read_parquet(actual / "tables" / f"{name}.parquet")
        assert list(left.columns) == list(right.columns) and left.shape == right.shape, name
        for column in left.columns:
            if column in (skip or {}).get(name, ()):
                continue
            if pd.api.types.is_numeric_dtype(left[column]) and not pd.api.types.is_bool_dtype(left[column]):
                np.testing.assert_allclose(right[column].to_numpy(float), left[column].to_numpy(float), rtol=1e-9,
                                           atol=1e-9, equal_nan=True, err_msg=f"{name}.{column}")
            else:
                assert left[column].astype(str).tolist() == right[column].astype(str).tolist(), f"{name}.{column}"


def test_streamed_run_says_what_it_did(runs):
    """The provenance says the survey was streamed (and in memory otherwise), the population is the projected one,
    the replicates were re-calibrated to its margins, and the survey's hash is that of the same folder."""
    streamed = json.loads((runs["--stream"] / "summary.json").read_text())
    in_memory = json.loads((runs["--no-stream"] / "summary.json").read_text())
    assert streamed["provenance"]["run"]["streamed"] is True
    assert in_memory["provenance"]["run"]["streamed"] is False
    assert streamed["population"]["projected"] is True
    assert streamed["uncertainty"] == in_memory["uncertainty"]
    assert streamed["uncertainty"]["calibration"] == "recalibrated"
    assert streamed["provenance"]["survey"]["sha256"] == in_memory["provenance"]["survey"]["sha256"]
    for key, value in in_memory["headline"].items():
        assert streamed["headline"][key] == pytest.approx(value, rel=1e-9), key


def test_only_a_survey_folder_streams(tmp_path):
    """A data file with its mapping cannot be streamed: one line naming the way out, exit 2, nothing written."""
    out = tmp_path / "out"
    completed = floorsim("run", "--survey", "tests/fixtures/eusilc/eusilc.parquet", "--mapping",
                         "floorsim/surveys/examples/eusilc_mapping.yaml", "--country", "country_template",
                         "--period", "2017", "--stream", "--out", str(out))
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "--write FOLDER" in completed.stderr
    assert not out.exists()


def test_survey_write_saves_a_folder_the_run_reads(tmp_path):
    """``floorsim survey FILE --mapping M --write FOLDER`` saves the mapped survey; read back, it is the same survey."""
    mapping = ("tests/fixtures/eusilc/eusilc.parquet", "floorsim/surveys/examples/eusilc_mapping.yaml")
    completed = floorsim("survey", mapping[0], "--mapping", mapping[1], "--country", "country_template", "--write",
                         str(tmp_path / "folder"))
    assert completed.returncode == 0, completed.stderr
    expected, written = load_survey(mapping[0], mapping=mapping[1]), load_survey(tmp_path / "folder")
    pd.testing.assert_frame_equal(written.households, expected.households)
    pd.testing.assert_frame_equal(written.persons, expected.persons)
    assert written.metadata == expected.metadata


def test_a_relative_line_streams_with_the_same_figures(tmp_path):
    """EU-SILC's example (``country_template``: a line at 60 % of the median, re-estimated in every replicate),
    streamed and in memory: every table the same but the by-group standard errors, which streamed hold the line at
    its estimate (the point figures of the groups are the same)."""
    folder = tmp_path / "eusilc"
    mapping = ("tests/fixtures/eusilc/eusilc.parquet", "floorsim/surveys/examples/eusilc_mapping.yaml")
    assert floorsim("survey", mapping[0], "--mapping", mapping[1], "--country", "country_template", "--write",
                    str(folder)).returncode == 0
    outputs = {}
    for mode in ("--stream", "--no-stream"):
        outputs[mode] = tmp_path / mode.strip("-")
        completed = floorsim("run", "--survey", str(folder), mode, "--country", "country_template", "--period",
                             "2017", "--replicates", "20", "--no-report", "--out", str(outputs[mode]))
        assert completed.returncode == 0, completed.stderr
    names = sorted(path.stem for path in (outputs["--no-stream"] / "tables").glob("*.parquet"))
    assert names == sorted(path.stem for path in (outputs["--stream"] / "tables").glob("*.parquet"))
    assert {"headline", "poverty", "inequality", "by_group", "coverage"} <= set(names)  # a baseline-only run
    assert_same_tables(outputs["--no-stream"], outputs["--stream"], names, {"by_group": ("se", "ci_low", "ci_high")})


def test_members_of_unknown_age_are_counted_when_streamed(tmp_path):
    """A household-level file (members of unknown age and sex implied by its sizes), saved as a folder: streamed, the
    run counts them, says what person benefits reach them and keeps them out of the age groups, as in memory."""
    from tests.test_household_level_run import PERIOD, write

    path, mapping, table = write(tmp_path, "csv")
    folder = tmp_path / "folder"
    assert floorsim("survey", str(path), "--mapping", str(mapping), "--write", str(folder)).returncode == 0
    summaries, groups = {}, {}
    for mode in ("--stream", "--no-stream"):
        out = tmp_path / mode.strip("-")
        completed = floorsim("run", "--survey", str(folder), mode, "--period", str(PERIOD), "--replicates", "10",
                             "--no-report", "--out", str(out))
        assert completed.returncode == 0, completed.stderr
        summaries[mode] = json.loads((out / "summary.json").read_text())
        groups[mode] = pd.read_parquet(out / "tables" / "by_group.parquet")
    streamed, in_memory = (summaries[m]["provenance"]["unknown_age_sex"] for m in ("--stream", "--no-stream"))
    assert streamed["persons"] == in_memory["persons"] == int((table["hh_size"] - 1).sum())
    assert streamed["weighted_persons"] == pytest.approx(in_memory["weighted_persons"], rel=1e-12)
    assert streamed["share_of_persons"] == pytest.approx(in_memory["share_of_persons"], rel=1e-12)
    assert streamed["person_benefits"].keys() == in_memory["person_benefits"].keys()
    for scenario, paid in in_memory["person_benefits"].items():
        assert streamed["person_benefits"][scenario] == pytest.approx(paid, rel=1e-12)
    for frame in groups.values():
        assert "unknown" in set(frame.loc[frame["group_variable"] == "sex", "group"])
    pd.testing.assert_frame_equal(groups["--stream"], groups["--no-stream"], rtol=1e-9)
