"""Labels follow the poverty line actually used: a relative-line run (the country template on the EU-SILC fixture,
60 % of the median) says so in the CLI table, summary.json, the workbook and the HTML report; the bundled
Timor-Leste run says "national line" in the same places."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
RELATIVE = "60 % of median"
NATIONAL = "national line"


@pytest.fixture(scope="module")
def relative_run(tmp_path_factory):
    """``floorsim run --country country_template`` on the EU-SILC fixture with every output: (stdout, folder)."""
    folder = tmp_path_factory.mktemp("relative")
    reform = folder / "basic_700.yaml"
    reform.write_text("name: basic_700\nchanges:\n  - {parameter: benefits.basic_income, value: 700, start: 2017-01-01}\n")
    out = folder / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "floorsim.simulations.cli", "run", "--country", "country_template", "--survey",
         str(ROOT / "tests/fixtures/eusilc/eusilc.parquet"), "--mapping", str(ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml"),
         "--reform", str(reform), "--period", "2017", "--out", str(out), "--jobs", "1", "--replicates", "20"],
        capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "200"},
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, out


def summary_sheet_labels(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["Summary"]
    return [cell.value for cell in sheet["A"] if isinstance(cell.value, str)]


def test_cli_table_names_the_relative_line(relative_run):
    stdout, _ = relative_run
    assert f"Poverty headcount, {RELATIVE} (% of persons)" in stdout
    assert f"Persons in poverty, {RELATIVE} (persons)" in stdout
    assert NATIONAL not in stdout


def test_summary_units_name_the_relative_line(relative_run):
    _, out = relative_run
    summary = json.loads((out / "summary.json").read_text())
    assert RELATIVE in summary["units"]["poverty_headcount"]
    assert not any(NATIONAL in text for text in summary["units"].values())


def test_workbook_names_the_relative_line(relative_run):
    _, out = relative_run
    labels = summary_sheet_labels(out / "results.xlsx")
    assert f"Poverty headcount, {RELATIVE}" in labels
    assert not any(NATIONAL in label for label in labels)


def test_html_report_names_the_relative_line(relative_run):
    _, out = relative_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"Poverty headcount, {RELATIVE}" in html
    assert NATIONAL not in html


def test_bundled_run_names_the_national_line(bundled_out, bundled_summary):
    assert NATIONAL in bundled_summary["units"]["poverty_headcount"]
    assert f"Poverty headcount, {NATIONAL}" in summary_sheet_labels(bundled_out / "results.xlsx")
    html = (bundled_out / "report.html").read_text(encoding="utf-8")
    assert f"Poverty headcount, {NATIONAL}" in html and RELATIVE not in html
