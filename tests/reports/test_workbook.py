"""The Excel workbook of ``floorsim run``: its sheets, and a sample of its values against summary.json."""

from __future__ import annotations

import openpyxl
import pytest

from floorsim.simulations.reports import labels as labels_module
from floorsim.simulations.reports.excel import write_workbook
from floorsim.simulations.reports.labels import Labels

SHEETS = ["Summary", "Cost", "Poverty", "Inequality", "Deciles", "Coverage and targeting", "By group",
          "Parameters changed", "Lorenz and concentration", "Provenance"]


@pytest.fixture(scope="module")
def workbook(bundled_out):
    return openpyxl.load_workbook(bundled_out / "results.xlsx")


def header_row(sheet, first: str) -> int:
    """The row (1-based) of the table header whose first cell is ``first``."""
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"no header '{first}' in sheet {sheet.title}")


def records(sheet, first: str) -> list[dict]:
    """The table under the header ``first`` as dicts keyed by column titles (stops at the first empty row); a title
    repeated is suffixed with its occurrence, e.g. ``95% CI low (3)`` for the interval of the change."""
    top = header_row(sheet, first)
    titles, seen = [], {}
    for cell in sheet[top]:
        seen[cell.value] = seen.get(cell.value, 0) + 1
        titles.append(cell.value if seen[cell.value] == 1 else f"{cell.value} ({seen[cell.value]})")
    rows = []
    for row in sheet.iter_rows(min_row=top + 1, values_only=True):
        if row[0] is None:
            break
        rows.append(dict(zip(titles, row, strict=False)))
    return rows


def test_workbook_has_every_sheet(workbook):
    assert workbook.sheetnames == SHEETS
    assert [name for name in SHEETS if name != "Lorenz and concentration"] == [
        Labels()[f"sheet.{name}"] for name in
        ("summary", "cost", "poverty", "inequality", "deciles", "coverage", "by_group", "parameters", "provenance")]


def test_summary_sheet_matches_summary_json(workbook, bundled_summary):
    rows = {row["Key"]: row for row in records(workbook["Summary"], "Indicator")}
    headline = bundled_summary["headline"]
    assert {"saii_cost", "total_cost", "poverty_headcount", "poor_persons", "poverty_gap", "gini"} <= set(rows)
    for key, row in rows.items():
        scale = 1e-6 if key.endswith("_cost") else 1.0  # money in millions, as the unit column says
        for column, side in (("Baseline", "baseline"), ("Reform", "reform"), ("Change", "change")):
            # changes of rates (a unit in %) are in percentage points, as on the by-group sheet
            factor = 100.0 if side == "change" and "%" in row["Unit"] else scale
            assert row[column] == pytest.approx(headline[key][side] * factor, rel=1e-9, abs=1e-9), (key, side)
    assert rows["saii_cost"]["Unit"] == "USD million/year"
    assert rows["poverty_headcount"]["Unit"] == "% of persons; change: percentage points"
    # The interval of the change brackets it, and excludes 0 for a USD 20 a month increase.
    cost = rows["total_cost"]
    assert 0 < cost["95% CI low (3)"] < cost["Change"] < cost["95% CI high (3)"]
    assert cost["95% CI low"] < cost["Baseline"] < cost["95% CI high"]


def test_numbers_are_numbers_with_formats(workbook):
    sheet = workbook["Summary"]
    top = header_row(sheet, "Indicator")
    formats = {}
    for row in sheet.iter_rows(min_row=top + 1):
        if row[0].value is None:
            break
        formats[row[-1].value] = (row[2].number_format, type(row[2].value))
    assert formats["saii_cost"] == ("#,##0.00", float)
    assert formats["poverty_headcount"] == ("0.00%", float)
    assert formats["poor_persons"][0] == "#,##0"


def test_cost_and_poverty_sheets_match_summary_json(workbook, bundled_summary):
    headline = bundled_summary["headline"]
    cost = {row["Key"]: row for row in records(workbook["Cost"], "Programme")}
    saii = cost["saii"]
    assert saii["Cost (USD million/year): Baseline"] == pytest.approx(headline["saii_cost"]["baseline"] / 1e6)
    assert saii["Cost (USD million/year): Change"] == pytest.approx(headline["saii_cost"]["change"] / 1e6)
    assert saii["Beneficiaries (persons): Reform"] == pytest.approx(headline["saii_beneficiaries"]["reform"])
    assert cost["total"]["Cost (USD million/year): Reform"] == pytest.approx(headline["total_cost"]["reform"] / 1e6)
    poverty = {row["Key"]: row for row in records(workbook["Poverty"], "Indicator")}
    assert poverty["poverty_headcount"]["Reform"] == pytest.approx(headline["poverty_headcount"]["reform"])
    assert poverty["poverty_gap"]["Change"] == pytest.approx(100 * headline["poverty_gap"]["change"])  # points
    inequality = {row["Key"]: row for row in records(workbook["Inequality"], "Indicator")}
    assert inequality["gini"]["Baseline"] == pytest.approx(headline["gini"]["baseline"])


def test_deciles_coverage_and_groups(workbook, bundled_summary):
    deciles = records(workbook["Deciles"], "Decile of baseline welfare (1 = poorest)")
    assert [row["Decile of baseline welfare (1 = poorest)"] for row in deciles] == list(range(1, 11)) + ["All"]
    assert sum(row["Share of the population"] for row in deciles[:10]) == pytest.approx(1.0)
    coverage = records(workbook["Coverage and targeting"], "Grouping")
    assert coverage[0]["Group"] == "All persons"
    assert 0 < coverage[0]["Coverage, baseline (% of the group)"] <= 1
    groups = records(workbook["By group"], "Grouping")
    everyone = groups[0]
    assert everyone["Group"] == "All persons"
    headline = bundled_summary["headline"]["poverty_headcount"]
    assert everyone["Poverty headcount, baseline (% of persons)"] == pytest.approx(headline["baseline"])
    assert everyone["Change in poverty headcount (percentage points)"] == pytest.approx(100 * headline["change"])


def test_parameters_changed_sheet(workbook):
    (row,) = records(workbook["Parameters changed"], "Reform")
    assert row["Parameter"] == "benefits.saii.amount"
    assert (row["Old value"], row["New value"], row["From"]) == ("60", "80", "2025-01-01")
    assert row["Unit"] == "USD"
    assert "Decree-Law 53/2022" in row["Reference of the old value"]


def test_provenance_sheet(workbook, bundled_summary):
    provenance = {row["Field"]: row["Value"] for row in records(workbook["Provenance"], "Field")}
    assert provenance["survey.sha256"] == bundled_summary["provenance"]["survey"]["sha256"]
    assert provenance["period"] == "2025"
    assert provenance["run.seed"] == "0"


def test_sheet_names_come_from_the_labels(bundled_report, tmp_path):
    """A translation changes the sheet names; texts a started catalogue (Tetum) lacks fall back to English."""
    bundled_report_tet = type(bundled_report)(**{**bundled_report.__dict__, "labels": labels_module.get_labels("tet")})
    path = write_workbook(bundled_report_tet, tmp_path / "tet.xlsx")
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[:3] == ["Rezumu", "Kustu", "Pobreza"]
    assert "Coverage and targeting" in names
    assert "sheet.coverage" in labels_module.missing_keys("tet") and "sheet.summary" not in labels_module.missing_keys("tet")


def test_summary_sheet_states_the_population_and_the_gdp(workbook, bundled_summary):
    """The run's population (year, persons) and the GDP its costs are divided by, as summary.json records them;
    the share of GDP is the cost over that GDP (by hand)."""
    texts = [cell.value for (cell,) in workbook["Summary"].iter_rows(min_col=1, max_col=1) if cell.value]
    population, gdp = bundled_summary["population"], bundled_summary["cost_denominators"]["gdp"]
    assert any(text.startswith(f"Population {population['year']}: {population['persons']:,.0f} persons")
               for text in texts)
    assert any(text.startswith(f"GDP {gdp['year']}: USD {gdp['value'] / 1e6:,.2f} million") for text in texts)
    rows = {row["Key"]: row for row in records(workbook["Summary"], "Indicator")}
    assert rows["total_cost_share_gdp"]["Reform"] == pytest.approx(
        bundled_summary["headline"]["total_cost"]["reform"] / gdp["value"], rel=1e-9
    )
    assert rows["total_cost_share_gdp"]["Unit"] == "% of GDP; change: percentage points"
