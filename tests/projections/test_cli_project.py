"""``floorsim project``: writes its outputs, fails in one line with exit status 2, and leaves nothing partial."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.projections import FILES, ProjectionError
from tests.projections.helpers import REFORMS, raw_assumptions, write_assumptions

runner = CliRunner()


def text(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def short_assumptions(tmp_path):
    return write_assumptions(tmp_path, raw_assumptions(end=2026))


def test_project_writes_table_workbook_and_chart(tmp_path, short_assumptions):
    out = tmp_path / "out"
    result = runner.invoke(app, ["project", str(short_assumptions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "cost of all transfers, % of GDP" in text(result)
    assert "Cross-checks with the aggregate (RAP) method: 6 of 6 within tolerance" in text(result)
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)
    table = pd.read_csv(out / "projection.csv")
    assert list(table.columns) == ["year", "scenario", "programme", "indicator", "value", "unit"]
    assert set(table["scenario"]) == {"baseline", "saii_increase", "universal_child_grant"}
    assert set(table["year"]) == {2025, 2026}
    pd.testing.assert_frame_equal(pd.read_parquet(out / "projection.parquet"), table, check_dtype=False)
    workbook = openpyxl.load_workbook(out / "projection.xlsx", read_only=True)
    assert workbook.sheetnames[:3] == ["cost_pct_gdp", "additional_cost_pct_gdp", "projection"]
    assert {"cross_checks", "assumptions_by_year", "indexation", "calibration", "provenance"} <= set(workbook.sheetnames)
    rows = list(workbook["cost_pct_gdp"].values)
    assert rows[0] == ("year", "baseline", "saii_increase", "universal_child_grant")
    assert (out / "cost_paths.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "cost_paths.svg").read_bytes()[:2000]
    assert "within_tolerance" in (out / "cross_checks.csv").read_text()
    assert '"assumptions"' in (out / "provenance.json").read_text()
    assert (out / "projection.csv").stat().st_mode & 0o044  # readable by others, as with an ordinary write
    assert not [path for path in out.iterdir() if path.name.startswith(".")]  # no temporary file left


def test_reform_option_replaces_the_files_reforms(tmp_path, short_assumptions):
    out = tmp_path / "out"
    reform = REFORMS / "social_pension_age_55.yaml"
    result = runner.invoke(app, ["project", str(short_assumptions), "--reform", str(reform), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "projection.csv")
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "social_pension_age_55"]
    checks = pd.read_csv(out / "cross_checks.csv")
    lowered = checks[checks["scenario"] == "social_pension_age_55"]
    assert set(lowered["eligible_ages"]) == {"55+"}
    assert lowered["within_tolerance"].all()  # 55 is a group boundary: still exact


def test_bad_assumptions_fail_in_one_line_without_output(tmp_path):
    raw = raw_assumptions(end=2026)
    del raw["prices"]["inflation"][0]["source"]
    path = write_assumptions(tmp_path, raw)
    out = tmp_path / "out"
    result = runner.invoke(app, ["project", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith("floorsim: error: ")
    assert "assumptions.yaml: prices.inflation[0]: every value needs a `source`" in text(result)
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_reform_and_missing_file(tmp_path, short_assumptions):
    out = tmp_path / "out"
    result = runner.invoke(app, ["project", str(short_assumptions), "--reform", str(tmp_path / "no.yaml"),
                                 "--out", str(out)])
    assert result.exit_code == 2 and "reform file not found" in text(result)
    result = runner.invoke(app, ["project", str(tmp_path / "none.yaml"), "--out", str(out)])
    assert result.exit_code == 2 and "assumptions file not found" in text(result)
    assert not out.exists()


def test_nothing_partial_when_an_output_cannot_be_rendered(tmp_path, short_assumptions, monkeypatch):
    """The workbook is rendered after the CSV and Parquet: its failure must not leave them (or replace old ones)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "projection.csv").write_text("previous run\n")

    def broken(_result) -> bytes:
        raise ProjectionError("cannot render the workbook")

    monkeypatch.setattr("floorsim.simulations.projections.outputs._excel", broken)
    result = runner.invoke(app, ["project", str(short_assumptions), "--out", str(out)])
    assert result.exit_code == 2
    assert "floorsim: error: cannot render the workbook" in text(result)
    assert sorted(path.name for path in out.iterdir()) == ["projection.csv"]
    assert (out / "projection.csv").read_text() == "previous run\n"
