"""``floorsim run`` outputs on a tiny survey: the files written, the options, and nothing partial on failure."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.simulations.reports import ReportError, write_outputs
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey

runner = CliRunner()
REFORM = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"
EXPECTED = {
    "summary.json", "report.html", "results.xlsx",
    *(f"tables/{name}.{ext}" for name in ("headline", "poverty", "inequality", "cost", "deciles", "coverage",
                                           "targeting", "by_group", "parameters", "curves")
      for ext in ("csv", "parquet")),
    *(f"charts/{name}.{ext}" for name in ("deciles", "poverty", "cost", "coverage", "winners_losers", "lorenz",
                                          "concentration")
      for ext in ("png", "svg")),
}


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_survey(make_tiny_survey(), tmp_path_factory.mktemp("tiny") / "tiny")


@pytest.fixture(scope="module")
def tiny_results():
    return Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(
        {"baseline": None, "saii_increase": REFORM}
    )


def files_under(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_run_writes_every_output_and_lists_them(tmp_path, tiny_folder):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert files_under(out) == EXPECTED
    assert "report.html" in result.output and "results.xlsx" in result.output
    assert [path.name for path in tmp_path.iterdir()] == ["out"]  # no staging folder left beside it


def test_no_report_and_replicates_options(tmp_path, tiny_folder):
    out = tmp_path / "out"
    arguments = ["run", "--survey", str(tiny_folder), "--out", str(out), "--jobs", "1", "--no-report", "--replicates", "0"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert files_under(out) == {name for name in EXPECTED if name == "summary.json" or name.startswith("tables/")}
    headline = pd.read_parquet(out / "tables" / "headline.parquet")
    assert set(headline["method"]) == {"linearization"}


def test_several_reforms_write_a_folder_each(tmp_path, tiny_folder):
    second = tmp_path / "saii_70.yaml"
    second.write_text("name: saii_70\nchanges:\n  - {parameter: benefits.saii.amount, value: 70, start: 2025-01-01}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--reform", REFORM, "--reform", str(second),
                                 "--out", str(out), "--jobs", "1", "--replicates", "20"])
    assert result.exit_code == 0, result.output
    comparison = {"comparison.xlsx", "comparison.html", "tables/comparison.csv", "tables/comparison.parquet"}
    assert comparison <= files_under(out)
    for name in ("saii_increase", "saii_70"):
        assert files_under(out / name) == EXPECTED
        summary = json.loads((out / name / "summary.json").read_text())
        assert summary["reform"] == name


def test_unknown_language_is_a_one_line_error(tmp_path, tiny_folder):
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(tmp_path / "o"), "--language", "xx"])
    assert result.exit_code == 2
    assert "no labels for language 'xx'; available: en, pt, fr, es, tet, vi" in result.output
    assert not (tmp_path / "o").exists()


def broken_workbook(report, path):
    path.write_bytes(b"PK\x03\x04 half a workbook")
    raise OSError("disk full")


def test_a_failing_writer_leaves_nothing(tmp_path, tiny_results, monkeypatch):
    monkeypatch.setattr("floorsim.simulations.reports.excel.write_workbook", broken_workbook)
    out = tmp_path / "deeper" / "out"
    with pytest.raises(ReportError, match="disk full.*nothing was written"):
        write_outputs(tiny_results, ["saii_increase"], out)
    assert list(tmp_path.iterdir()) == []  # neither out, nor its new parent, nor a staging folder


def test_a_failing_writer_leaves_an_earlier_run_untouched(tmp_path, tiny_results, monkeypatch):
    out = tmp_path / "out"
    write_outputs(tiny_results, ["saii_increase"], out, replicates=10)
    before = {name: (out / name).read_bytes() for name in files_under(out)}
    monkeypatch.setenv("FLOORSIM_CHART_PROCESSES", "0")  # charts in process (helpers: test_chart_process.py)
    monkeypatch.setattr("floorsim.simulations.reports.charts.write_charts", lambda report, folder: 1 / 0)
    with pytest.raises(ReportError, match="ZeroDivisionError"):
        write_outputs(tiny_results, ["saii_increase"], out, replicates=20)
    assert {name: (out / name).read_bytes() for name in files_under(out)} == before
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_cli_reports_a_failing_writer_in_one_line(tmp_path, tiny_folder, monkeypatch):
    monkeypatch.setattr("floorsim.simulations.reports.excel.write_workbook", broken_workbook)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(tiny_folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 2
    assert "floorsim: error: could not write the outputs" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
