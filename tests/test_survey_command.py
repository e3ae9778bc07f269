"""`floorsim survey`: the report of a survey, checked against values computed from the files directly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.surveys.bundled import load_bundled_survey

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def report(*args: str) -> dict:
    result = runner.invoke(app, ["survey", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_bundled_survey_report_matches_the_tables():
    data = report()
    survey = load_bundled_survey()
    assert data["sizes"]["households"] == len(survey.households)
    assert data["sizes"]["persons"] == len(survey.persons)
    assert data["sizes"]["weighted_persons"] == pytest.approx(float(survey.person_weight.sum()))
    assert data["survey"]["synthetic"] is True
    assert data["country_inputs"]["missing_columns"] == []


def test_mapped_file_report_and_the_inputs_a_package_needs():
    raw = pd.read_parquet(ROOT / "tests/fixtures/eusilc/eusilc.parquet")
    data = report(
        str(ROOT / "tests/fixtures/eusilc/eusilc.parquet"), "--mapping", str(ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml"),
        "--country", "country_template",
    )
    assert data["sizes"]["households"] == raw["db030"].nunique()
    assert data["sizes"]["weighted_households"] == pytest.approx(raw.groupby("db030")["db090"].first().sum())
    zero = [w for w in data["warnings"] if w["rule"] == "household with zero income"]
    assert zero and sorted(zero[0]["ids"]) == [40, 4214]  # the two zero-income households of the fixture README
    # The eusilc mapping has no municipality or consumption: the Timor-Leste package lists what it lacks.
    timor = report(
        str(ROOT / "tests/fixtures/eusilc/eusilc.parquet"), "--mapping", str(ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml"),
    )
    assert any("'consumption'" in gap for gap in timor["country_inputs"]["missing_columns"])


def test_missing_survey_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["survey", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "absent" in result.output and "Traceback" not in result.output
