"""Inputs that used to end in a traceback (issue 20) now end in one line naming what is wrong, exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from floorsim.simulations.projections import ProjectionError, load_assumptions
from floorsim.surveys import load_survey
from floorsim.surveys.bundled import BUNDLED_SURVEY
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.input_files import InputFileError, read_yaml_text
from tests.conftest import make_tiny_survey
from floorsim.surveys.io import HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, SurveyFile
from tests.fuzz.cli_checks import assert_one_line_error, invoke
from tests.projections.helpers import raw_assumptions, write_assumptions


def _survey_copy(folder: Path, *, rows: int | None = None, metadata=None, drop: tuple[str, ...] = ()) -> Path:
    """A copy of the bundled survey with its first ``rows`` households, edited metadata, or columns dropped."""
    folder.mkdir()
    households = pq.read_table(BUNDLED_SURVEY / HOUSEHOLDS_FILE)
    persons = pq.read_table(BUNDLED_SURVEY / PERSONS_FILE)
    if rows is not None:
        households, persons = households.slice(0, rows), persons.slice(0, rows)
    if metadata is not None:
        fields = metadata(json.loads(households.schema.metadata[METADATA_KEY]))
        households = households.replace_schema_metadata(
            {**households.schema.metadata, METADATA_KEY: json.dumps(fields).encode()}
        )
    households = households.select([name for name in households.schema.names if name not in drop])
    pq.write_table(households, folder / HOUSEHOLDS_FILE)
    pq.write_table(persons, folder / PERSONS_FILE)
    return folder


def test_an_empty_survey_is_refused_by_the_loader_the_streamer_and_every_command(tmp_path: Path) -> None:
    empty = _survey_copy(tmp_path / "empty", rows=0)
    with pytest.raises(SurveyError, match="holds no households"):
        load_survey(empty)
    with pytest.raises(SurveyError, match="holds no households"):
        SurveyFile(empty)
    assert_one_line_error(invoke("survey", empty), "holds no households")
    out = tmp_path / "out"
    assert_one_line_error(invoke("run", "--survey", empty, "--jobs", "1", "--out", out), "holds no households")
    assert not out.exists()


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda fields: {**fields, "extra_field": 1}, "unknown fields ['extra_field']"),
        (lambda fields: {key: value for key, value in fields.items() if key != "name"}, "missing fields ['name']"),
        (lambda fields: [fields], "must be a JSON object"),
    ],
)
def test_survey_metadata_one_field_off_is_named(tmp_path: Path, edit, named: str) -> None:
    folder = _survey_copy(tmp_path / "survey", metadata=edit)
    with pytest.raises(SurveyError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_survey(folder)
    with pytest.raises(SurveyError, match=named.replace("[", r"\[").replace("]", r"\]")):
        SurveyFile(folder)
    assert_one_line_error(invoke("survey", folder), named)


def test_floorsim_survey_on_a_survey_without_strata_or_psus(tmp_path: Path) -> None:
    folder = _survey_copy(tmp_path / "nodesign", drop=("stratum", "psu"))
    result = invoke("survey", folder)
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in result.stdout.splitlines()
            if line.count("│") == 3}
    assert rows["strata"] == "not given" and rows["psus"] == "not given"
    assert rows["households"] == f"{pq.read_metadata(folder / HOUSEHOLDS_FILE).num_rows:,}" == "4,000"


def test_household_before_the_legislation_is_a_one_line_error() -> None:
    line = assert_one_line_error(invoke("household", "--person", "age=72", "--period", "1999-01"), "1999-01")
    assert "choose a later period" in line


@pytest.mark.parametrize("years", [[None, 2035], [2025, 10**12], [2025.5, 2026], [True, 2026], "2025-1000000002025"])
def test_assumption_years_must_be_whole_years_in_range(tmp_path: Path, years) -> None:
    raw = raw_assumptions()
    raw["prices"]["inflation"][0]["years"] = years
    path = write_assumptions(tmp_path, raw)
    with pytest.raises(ProjectionError, match=r"prices\.inflation\[0\]\.years"):
        load_assumptions(path)
    out = tmp_path / "out"
    assert_one_line_error(invoke("project", path, "--out", out), "prices.inflation[0].years")
    assert not out.exists()


@pytest.mark.parametrize("text", ["\x08", "a: \x07", "&0 [*0]", "a: &x {b: *x}", "&a [&b [*a]]"])
def test_control_characters_and_recursive_aliases_are_input_file_errors(text: str, tmp_path: Path) -> None:
    """Found by the fuzz suite: PyYAML's reader error escaped as a traceback, and a self-containing alias built a
    recursive list that every later reader would loop on."""
    with pytest.raises(InputFileError, match="special characters|refers to a node that contains it"):
        read_yaml_text(text, "<test>")
    reform = tmp_path / "reform.yaml"
    reform.write_text(text, encoding="utf-8")
    assert_one_line_error(invoke("household", "--reform", reform, "--person", "age=70", "--period", "2025-01"),
                          str(reform))


@pytest.mark.parametrize("period", ["-1", "0", "10000"])
def test_a_year_outside_the_calendar_is_a_one_line_error(period: str, tmp_path: Path) -> None:
    """Found by the fuzz suite: ``run --period -1`` ended in ``ValueError: year -1 is out of range``."""
    out = tmp_path / "out"
    assert_one_line_error(invoke("run", "--period", period, "--jobs", "1", "--out", out),
                          f"period {period} is outside the years country 'timor_leste' covers: 2014-2035")
    assert not out.exists()
    # The engine refuses it too, for the Python API (the command line stops earlier, at the years covered).
    from floorsim.simulations.engine.microsimulation import Microsimulation
    from floorsim.simulations.errors import ScenarioError

    with pytest.raises(ScenarioError, match=f"the simulated year must be from 1 to 9999, got {period}"):
        Microsimulation("timor_leste", make_tiny_survey(), int(period), backend="sequential")
