"""``floorsim run --reform a --reform b``: one combined comparison of every option (printed table, table files,
workbook sheet, HTML page), equal figure by figure to each option's own outputs."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.reports.comparison import merged_order
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey

REFORM = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("comparison")
    survey = write_survey(make_tiny_survey(), folder / "tiny")
    second = folder / "saii_70.yaml"
    second.write_text("name: saii_70\nlabel: SAII at USD 70\n"
                      "changes:\n  - {parameter: benefits.saii.amount, value: 70, start: 2025-01-01}\n")
    out = folder / "out"
    result = CliRunner().invoke(app, ["run", "--survey", str(survey), "--reform", REFORM, "--reform", str(second),
                                      "--out", str(out), "--jobs", "1", "--replicates", "20",
                                      "--formats", "csv,parquet,dta"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_comparison_equals_each_options_own_headline(run):
    out, _ = run
    table = pd.read_parquet(out / "tables" / "comparison.parquet")
    assert list(dict.fromkeys(table["option"])) == ["baseline", "saii_increase", "saii_70"]
    for option in ("saii_increase", "saii_70"):
        own = pd.read_parquet(out / option / "tables" / "headline.parquet")
        for side, measure in (("reform", "level"), ("change", "change")):
            mine = table[(table["option"] == option) & (table["measure"] == measure)].set_index("indicator")
            theirs = own[own["side"] == side].set_index("indicator")
            assert list(mine.index) == list(theirs.index)
            for column in ("estimate", "se", "ci_low", "ci_high"):
                pd.testing.assert_series_equal(mine[column], theirs[column], check_names=False)
        baseline = own[own["side"] == "baseline"].set_index("indicator")["estimate"]
        shown = table[table["option"] == "baseline"].set_index("indicator")["estimate"]
        pd.testing.assert_series_equal(shown.loc[baseline.index], baseline, check_names=False)
    # by hand: every change is the option's level minus the baseline
    levels = table[table["measure"] == "level"].pivot(index="indicator", columns="option", values="estimate")
    changes = table[table["measure"] == "change"].pivot(index="indicator", columns="option", values="estimate")
    for option in ("saii_increase", "saii_70"):
        expected = levels[option] - levels["baseline"]
        pd.testing.assert_series_equal(changes[option], expected, check_names=False, rtol=1e-9, atol=1e-6)
    # a smaller increase costs less: USD 70 is 10/30 of the way from the law's amount to USD 80 only if linear;
    # at least its cost change is positive and below the USD 80 option's
    cost = changes.loc["total_cost"]
    assert 0 < cost["saii_70"] < cost["saii_increase"]
    stata = pd.read_stata(out / "tables" / "comparison.dta")
    assert list(stata["option"].astype(str).unique()) == ["baseline", "saii_increase", "saii_70"]


def test_workbook_sheet_has_every_option_with_rate_changes_in_points(run):
    out, _ = run
    table = pd.read_parquet(out / "tables" / "comparison.parquet")
    sheet = openpyxl.load_workbook(out / "comparison.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[0] == "Indicator")
    header = rows[top]
    assert header[2] == "Current law (baseline)"
    assert "SAII at USD 70" in header and "SAII at USD 70: change" in header
    records = {row[-1]: dict(zip(header, row, strict=True)) for row in rows[top + 1:] if row[0]}
    change = table[(table["option"] == "saii_70") & (table["measure"] == "change")].set_index("indicator")
    headcount = records["poverty_headcount"]
    assert headcount["Unit"] == "% of persons; change in percentage points"
    assert headcount["SAII at USD 70: change"] == pytest.approx(100 * change.loc["poverty_headcount", "estimate"])
    assert headcount["SAII at USD 70: 95% CI low"] == pytest.approx(100 * change.loc["poverty_headcount", "ci_low"])
    assert records["total_cost"]["SAII at USD 70: change"] == pytest.approx(change.loc["total_cost", "estimate"] / 1e6)
    poor = records["poor_persons"]["Current law (baseline)"]  # a number cell (openpyxl gives int for 700.0)
    assert isinstance(poor, (int, float)) and poor == pytest.approx(
        table[(table["option"] == "baseline") & (table["indicator"] == "poor_persons")]["estimate"].iloc[0])


def test_report_page_and_printed_table(run):
    out, output = run
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert 'id="comparison"' in html and "SAII at USD 70: change" in html
    table = pd.read_parquet(out / "tables" / "comparison.parquet")
    change = table[(table["option"] == "saii_70") & (table["indicator"] == "poverty_headcount")
                   & (table["measure"] == "change")]["estimate"].iloc[0]
    assert f"{100 * change:+.2f}" in html  # percentage points, as on every sheet
    assert "options compared with current law" in output
    assert "saii_70: change" in output.replace("\n", "") or "saii_70:" in output


def test_merged_order_keeps_a_programme_beside_its_kind():
    assert merged_order([["a_cost", "total"], ["a_cost", "b_cost", "total"]]) == ["a_cost", "b_cost", "total"]
    assert merged_order([["x", "z"], ["y", "z"]]) == ["x", "y", "z"]
