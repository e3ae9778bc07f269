"""``floorsim run --baseline-only`` (and a run with no reform on a package without a default reform): the diagnostic
of current law in summary.json, tables, workbook, charts and HTML, with no reform columns; figures checked against
hand computations on the tiny survey (``tests/conftest.py``)."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.surveys import load_survey, write_survey
from tests.conftest import make_tiny_survey

runner = CliRunner()
BASELINE_FILES = {
    "summary.json", "report.html", "results.xlsx",
    *(f"tables/{name}.{ext}" for name in ("headline", "poverty", "inequality", "cost", "coverage", "targeting",
                                           "by_group", "curves") for ext in ("csv", "parquet")),
    *(f"charts/{name}.{ext}" for name in ("poverty", "cost", "coverage", "lorenz", "concentration")
      for ext in ("png", "svg")),
}


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("baseline_only")
    survey = write_survey(make_tiny_survey(), folder / "tiny")
    out = folder / "out"
    result = runner.invoke(app, ["run", "--survey", str(survey), "--baseline-only", "--period", "2025",
                                 "--population-year", "survey", "--out", str(out), "--jobs", "1",
                                 "--replicates", "30"])
    assert result.exit_code == 0, result.output
    return result, out


def test_writes_the_baseline_report_and_nothing_of_a_reform(baseline_run):
    _, out = baseline_run
    assert {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()} == BASELINE_FILES
    for name in ("headline", "poverty", "inequality", "cost", "coverage", "targeting"):
        table = pd.read_csv(out / f"tables/{name}.csv")
        assert set(table["side"]) == {"baseline"}, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["baseline_only"] is True and summary["reform"] is None
    assert {side for figures in summary["headline"].values() for side in figures} == {"baseline"}


def test_saii_cost_and_beneficiaries_by_hand(baseline_run):
    _, out = baseline_run
    headline = json.loads((out / "summary.json").read_text())["headline"]
    # 2025: USD 60 a month + 20 from age 70, + 40 from age 80 (parameters/benefits/saii). h1: 72 (80) and 65 (60),
    # weight 100; h2: 35 unable to work (60), weight 200; h3: 84 (100), weight 50.
    assert headline["saii_cost"]["baseline"] == pytest.approx(12 * (100 * 140 + 200 * 60 + 50 * 100), rel=1e-12)
    assert headline["saii_beneficiaries"]["baseline"] == pytest.approx(100 * 2 + 200 + 50, rel=1e-12)


def test_poverty_and_gini_by_hand(baseline_run):
    _, out = baseline_run
    summary = json.loads((out / "summary.json").read_text())
    line = summary["provenance"]["prices"]["poverty_line_per_person_per_month"]
    survey = make_tiny_survey()
    size = survey.household_size.astype(float)
    y = survey.households["consumption"].to_numpy() / size  # survey year = simulated year: no uprating
    w = survey.households["weight"].to_numpy() * size  # persons represented
    headcount = w[y < line].sum() / w.sum()
    gap = (w * np.clip(1 - y / line, 0, None)).sum() / w.sum()
    # Gini as the weighted mean absolute difference over twice the mean: Σ_i Σ_j w_i w_j |y_i − y_j| / (2 W² μ).
    mean = (w * y).sum() / w.sum()
    gini = (w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * w.sum() ** 2 * mean)
    headline = summary["headline"]
    assert headline["poverty_headcount"]["baseline"] == pytest.approx(headcount, rel=1e-12)
    assert headline["poverty_gap"]["baseline"] == pytest.approx(gap, rel=1e-12)
    assert headline["gini"]["baseline"] == pytest.approx(gini, rel=1e-12)


def test_every_headline_figure_has_a_confidence_interval(baseline_run):
    _, out = baseline_run
    table = pd.read_csv(out / "tables/headline.csv")
    assert (table["replicates"] == 30).all()
    paying = table[table["estimate"] != 0]
    assert len(paying) >= 6
    assert (paying["ci_low"] <= paying["estimate"]).all() and (paying["estimate"] <= paying["ci_high"]).all()
    assert (paying["ci_high"] > paying["ci_low"]).all()


def test_headline_printed_and_report_without_reform_columns(baseline_run):
    result, out = baseline_run
    text = " ".join(result.output.split())
    assert "Timor-Leste 2025: current law (baseline only)" in text
    assert "Poverty headcount, national line (% of persons)" in text
    html = (out / "report.html").read_text()
    assert ">Reform<" not in html and "Change" not in html
    assert "Timor-Leste 2025: current law (baseline only)" in html
    workbook = openpyxl.load_workbook(out / "results.xlsx")
    assert workbook.sheetnames == ["Summary", "Cost", "Poverty", "Inequality", "Coverage and targeting",
                                   "By group", "Lorenz and concentration", "Provenance"]
    titles = [cell.value for cell in workbook["Poverty"][3]]
    assert titles == ["Indicator", "Unit", "Baseline", "95% CI low", "95% CI high", "Key"]
    assert not any("Reform" in str(cell.value) for row in workbook["Cost"].iter_rows() for cell in row)


def test_by_group_gives_baseline_poverty_and_welfare(baseline_run):
    _, out = baseline_run
    table = pd.read_csv(out / "tables/by_group.csv")
    assert set(table["indicator"]) == {"persons", "headcount_baseline", "mean_welfare_baseline"}
    everybody = table[(table["group_variable"] == "all")].set_index("indicator")["estimate"]
    survey = make_tiny_survey()
    size = survey.household_size.astype(float)
    w = survey.households["weight"].to_numpy() * size
    y = survey.households["consumption"].to_numpy() / size
    assert everybody["persons"] == pytest.approx(w.sum(), rel=1e-12)
    assert everybody["mean_welfare_baseline"] == pytest.approx((w * y).sum() / w.sum(), rel=1e-12)


def test_package_without_default_reform_runs_baseline_only(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    data, mapping = root / "tests/fixtures/eusilc/eusilc.parquet", root / "floorsim/surveys/examples/eusilc_mapping.yaml"
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--country", "country_template", "--survey", str(data), "--mapping",
                                 str(mapping), "--period", "2017", "--out", str(out), "--jobs", "1",
                                 "--replicates", "0", "--no-report"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["baseline_only"] is True
    # The same figures through the Python API (a second path: Results.headline).
    direct = Microsimulation("country_template", load_survey(data, mapping=mapping), 2017,
                             backend="sequential").run({"baseline": None}).headline("baseline")
    for key in ("basic_income_cost", "pension_cost", "poverty_headcount", "gini"):
        assert summary["headline"][key]["baseline"] == pytest.approx(direct[key], rel=1e-12)


def test_baseline_only_with_a_reform_is_refused(tmp_path):
    reform = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--baseline-only", "--reform", reform, "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == "floorsim: error: --baseline-only runs current law alone: give no --reform"
    assert not out.exists()
