"""The ``floorsim`` command line: end to end on a survey folder, and clear one-line errors on bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey

runner = CliRunner()


@pytest.fixture
def tiny_folder(tmp_path):
    return write_survey(make_tiny_survey(), tmp_path / "tiny")


def test_run_prints_headline_and_writes_summary(tmp_path, tiny_folder):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "baseline vs saii_increase" in result.output
    summary = json.loads((out / "summary.json").read_text())
    headline = summary["headline"]
    # Hand calculation (see tests/simulations/test_engine.py): 372,000 a year at baseline; the default reform
    # raises the base amount from 60 to 80 for the 450 weighted beneficiaries: +20 * 12 * 450.
    assert headline["saii_cost"]["baseline"] == pytest.approx(372_000)
    assert headline["saii_cost"]["change"] == pytest.approx(20 * 12 * 450)
    assert headline["poverty_headcount"]["baseline"] == pytest.approx(700 / 1400)  # h1 and h2 below ~58.9
    provenance = summary["provenance"]
    assert provenance["period"] == 2025
    assert provenance["survey"]["households"] == 4
    assert len(provenance["survey"]["sha256"]) == 64
    assert provenance["scenarios"]["baseline"] == []
    (step,) = provenance["scenarios"]["saii_increase"]
    assert step["parameter_changes"]["changes"][0]["parameter"] == "benefits.saii.amount"
    assert len(step["sha256"]) == 64
    assert provenance["run"]["backend"] == "sequential"
    assert provenance["openfisca_core_version"]
    # The printed table shows the same cost in USD million (0.37 -> 0.48).
    assert "0.37" in result.output and "0.48" in result.output


def test_unknown_reform_parameter_fails_with_suggestion_and_no_output(tmp_path, tiny_folder):
    reform = tmp_path / "typo.yaml"
    reform.write_text("name: typo\nchanges:\n  - {parameter: benefits.saii.amont, value: 70, start: 2025-01-01}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--reform", str(reform), "--out", str(out)])
    assert result.exit_code == 2
    assert "benefits.saii.amont" in result.output
    assert "did you mean benefits.saii.amount" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_survey_is_named(tmp_path):
    result = runner.invoke(app, ["run", "--survey", str(tmp_path / "no_such_survey"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "no_such_survey" in result.output
    assert "survey not found" in result.output


def test_unknown_country_lists_available(tmp_path, tiny_folder):
    result = runner.invoke(app, ["run", "--country", "atlantis", "--survey", str(tiny_folder)])
    assert result.exit_code == 2
    assert "unknown country 'atlantis'" in result.output
    assert "timor_leste" in result.output


def test_two_reforms_write_one_folder_each(tmp_path, tiny_folder):
    second = tmp_path / "saii_70.yaml"
    second.write_text("name: saii_70\nchanges:\n  - {parameter: benefits.saii.amount, value: 70, start: 2025-01-01}\n")
    default = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", "--survey", str(tiny_folder), "--reform", default, "--reform", str(second), "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    costs = {
        name: json.loads((out / name / "summary.json").read_text())["headline"]["saii_cost"]["change"]
        for name in ("saii_increase", "saii_70")
    }
    assert costs["saii_70"] == pytest.approx(10 * 12 * 450)
    assert np.isclose(costs["saii_increase"], 2 * costs["saii_70"])


def test_run_on_a_mapped_file_with_another_package(tmp_path):
    """--mapping reads a CSV/Parquet/Stata/SPSS file; here eusilc run through the PyPI country template."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    data = root / "tests/fixtures/eusilc/eusilc.parquet"
    reform = tmp_path / "basic_700.yaml"
    reform.write_text("name: basic_700\nchanges:\n  - {parameter: benefits.basic_income, value: 700, start: 2017-01-01}\n")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["run", "--country", "country_template", "--survey", str(data), "--mapping",
         str(root / "floorsim/surveys/examples/eusilc_mapping.yaml"), "--reform", str(reform), "--period", "2017",
         "--out", str(out), "--jobs", "1", "--no-report"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["survey"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert summary["provenance"]["survey"]["welfare_concept"] == "income"
    # EUR 100 more a month for each adult all year (test_other_packages.py checks who is adult).
    assert summary["headline"]["basic_income_cost"]["change"] > 0
    assert summary["headline"]["basic_income_cost"]["change"] == pytest.approx(
        summary["headline"]["basic_income_cost"]["baseline"] / 6, rel=1e-9
    )


# ----- one error handler for every command (floorsim/simulations/cli/terminal.py) -----

MALFORMED = {
    # command: (arguments with one malformed value, words of the expected one-line reason)
    "run": (["run", "--country", "atlantis"], "unknown country 'atlantis'"),
    "household": (["household", "--person", "age=72", "--period", "2024-13"], "invalid period '2024-13'"),
    "params": (["params", "benefits.no_such_parameter"], "'benefits.no_such_parameter' is not a parameter"),
    "diff": (["diff", "HEAD", ".", "--period", "twenty"], "--period takes years"),
    "golden": (["golden", "--country", "atlantis"], "unknown country 'atlantis'"),
    "variants": (["variants", "{tmp}/no_grid.yaml"], "variant grid not found"),
    "solve": (
        ["solve", "--parameter", "benefits.saii.amount", "--low", "0", "--high", "60", "--target", "cost"],
        "target 'cost' must be KIND=VALUE",
    ),
    "spf": (["spf", "--country", "atlantis"], "unknown country 'atlantis'"),
    "project": (["project", "{tmp}/no_assumptions.yaml"], "assumptions file not found"),
    "survey": (["survey", "{tmp}/no_survey"], "survey not found"),
    "serve": (["serve", "--survey", "{tmp}/no_folder"], "survey folder not found"),
    "synth": (["synth", "{tmp}/no_profile.yaml", "--out", "{tmp}/out"], "no_profile.yaml: file not found"),
    "new-country": (["new-country", "x", "--schemes", "{tmp}/no_schemes.yaml", "--out", "{tmp}/x"], "file not found"),
}


def test_every_command_is_covered_by_the_malformed_argument_test():
    import typer

    from floorsim.simulations.cli import COMMANDS, load_all_commands

    load_all_commands()
    assert set(typer.main.get_command(app).commands) == set(MALFORMED) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(MALFORMED))
def test_a_malformed_argument_gives_one_line_and_exit_2(command, tmp_path, monkeypatch):
    import floorsim.simulations.web

    # serve must not start a server should its argument be accepted: fail loudly instead.
    monkeypatch.setattr(floorsim.simulations.web, "serve", lambda **kwargs: pytest.fail("serve started"))
    arguments, reason = MALFORMED[command]
    result = runner.invoke(app, [argument.format(tmp=tmp_path) for argument in arguments])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    # One line, even when longer than the 80 columns of the test terminal (rich would otherwise wrap it).
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("floorsim: error: ") and reason in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_project_exceptions_are_one_line_and_other_exceptions_keep_their_traceback(monkeypatch):
    import floorsim.simulations.web
    from floorsim.indicators import IndicatorError

    def indicator_failure(**kwargs):
        raise IndicatorError("weights must be finite;\n3 are NaN")

    monkeypatch.setattr(floorsim.simulations.web, "serve", indicator_failure)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.stderr == "floorsim: error: weights must be finite; 3 are NaN\n"

    def bug(**kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(floorsim.simulations.web, "serve", bug)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)  # not swallowed: typer shows its traceback
    assert "floorsim: error" not in result.output


def test_one_line_joins_the_lines_of_a_message():
    from floorsim.simulations.cli.terminal import one_line

    assert one_line("file.csv: 2 problems:\n  - age < 0\n\n  - weight missing\n") == (
        "file.csv: 2 problems: - age < 0; - weight missing"
    )
    assert one_line("already one line") == "already one line"


def test_run_keeps_the_survey_population_when_the_survey_cannot_be_reweighted_and_says_why(tmp_path, tiny_folder):
    """Four households cannot carry 17 age groups: by default the run keeps the survey's own weights (1,400
    persons, reference year as recorded) and every output says so; asked for by name, it is an error."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(out), "--jobs", "1", "--no-report"])
    assert result.exit_code == 0, result.output
    population = json.loads((out / "summary.json").read_text())["population"]
    assert population["projected"] is False
    assert population["persons"] == pytest.approx(1400)
    assert "could not be reweighted to the 2025 population" in population["source"]
    assert "Population" in result.output and "1,400 persons" in result.output
    asked = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(tmp_path / "o2"),
                                "--population-year", "2025", "--no-report"])
    assert asked.exit_code != 0
    assert "calibration to the 2025 margins failed" in asked.output and "Traceback" not in asked.output


def test_population_year_outside_the_projection_is_one_line(tmp_path, tiny_folder):
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(tmp_path / "o"),
                                 "--population-year", "2040"])
    assert result.exit_code != 0
    assert "--population-year 2040" in result.output and "no population for 2040 (the file has 2025-2035)" in (
        " ".join(result.output.split())
    )
    assert not (tmp_path / "o").exists()
