"""Golden aggregates: the committed headline figures of every country with a bundled survey still come out, and a
deliberate change to the rules is caught with a readable table (floorsim/simulations/regression/golden.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.regression import golden, settings
from tests.regression.conftest import REPOSITORY, SAII_AMOUNT, replace_value


@pytest.mark.parametrize("country", settings.countries_with_bundled_survey())
def test_golden_aggregates_match_the_snapshot(country):
    moved, snapshot = golden.check(country)
    assert not moved, golden.report(moved, golden.snapshot_path(country), snapshot)


@pytest.mark.parametrize("country", settings.countries_with_bundled_survey())
def test_snapshot_covers_baseline_every_library_reform_and_the_reference_years(country):
    snapshot = json.loads(golden.snapshot_path(country).read_text())
    assert snapshot["years"] == list(settings.reference_years(country))
    scenarios = {"baseline", *golden.reform_library(country)}
    assert len(scenarios) >= 6
    for year in snapshot["years"]:
        assert set(snapshot["figures"][str(year)]) == scenarios
        baseline = snapshot["figures"][str(year)]["baseline"]
        programmes = load_country(country).programmes  # each programme's cost and beneficiaries
        per_programme = [f"{name}_{kind}" for name in programmes for kind in ("cost", "beneficiaries")]
        for figure in (*per_programme, "total_cost", "poverty_headcount", "poverty_gap", "gini"):
            assert figure in baseline


def test_compare_reports_only_moves_beyond_tolerance():
    expected = {"2025": {"baseline": {"saii_cost": 1_000_000.0, "poverty_headcount": 0.4, "gini": 0.3},
                         "reform": {"saii_cost": 2.0}}}
    actual = {"2025": {"baseline": {"saii_cost": 1_000_000.4, "poverty_headcount": 0.40000005, "gini": 0.301}}}
    moved = golden.compare(expected, actual)
    # 0.4 USD on a million and 5e-8 on a rate are within tolerance; a Gini point of 0.001 is not; the reform vanished.
    assert [(m.scenario, m.figure) for m in moved] == [("baseline", "gini"), ("reform", "saii_cost")]
    table = golden.format_table(moved)
    assert "gini" in table and "0.300000" in table and "0.301000" in table and "+0.3333%" in table
    assert "(absent)" in table


def test_money_tolerance_is_absolute_plus_relative():
    assert not golden.moved_beyond_tolerance(100e6, 100e6 + 10.4, "money")  # 0.5 + 1e-7 x 1e8 = 10.5
    assert golden.moved_beyond_tolerance(100e6, 100e6 + 10.6, "money")
    assert golden.moved_beyond_tolerance(0.0, 1.0, "money")


def test_golden_check_catches_a_deliberate_change(tmp_path):
    """A copy of the package with the 2024 SAII base raised from 60 to 61, checked against the committed snapshot."""
    # A copy of the whole floorsim package, as a modified checkout holds it: first on PYTHONPATH, it is what runs (one
    # package cannot be taken from two folders, so a copy of the country package alone would not be imported).
    shutil.copytree(REPOSITORY / "floorsim", tmp_path / "tree" / "floorsim",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    package = tmp_path / "tree" / "floorsim" / "country_packages" / "timor_leste"
    replace_value(package, SAII_AMOUNT, "2024-01-01", 60, 61)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "tree"), str(REPOSITORY)]))
    completed = subprocess.run(
        [sys.executable, "-m", "floorsim.simulations.regression.golden", "--country", str(package / "floorsim.yaml")],
        cwd=tmp_path / "tree", env=env, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    output = completed.stdout
    assert "moved beyond tolerance" in output and "floorsim golden --update" in output
    moved_rows = [line.split() for line in output.splitlines() if line.startswith(("2016", "2020", "2022", "2023",
                                                                                   "2024", "2025"))]
    # Only 2024 and 2025 are affected (the value starts in 2024); every scenario's SAII cost and total cost move.
    assert {row[0] for row in moved_rows} == {"2024", "2025"}
    snapshot = json.loads(golden.snapshot_path("timor_leste").read_text())
    baseline_2024 = snapshot["figures"]["2024"]["baseline"]
    expected_change = 12 * baseline_2024["saii_beneficiaries"]  # USD 1 a month more for every beneficiary
    (saii_row,) = [row for row in moved_rows if row[:3] == ["2024", "baseline", "saii_cost"]]
    assert float(saii_row[5].replace(",", "")) == pytest.approx(expected_change, abs=0.01)
    # Baseline poverty does not move: observed welfare already contains the baseline transfers.
    assert {row[2] for row in moved_rows if row[:2] == ["2024", "baseline"]} == {"saii_cost", "total_cost"}


def test_update_writes_a_snapshot_that_the_check_then_accepts(tmp_path, capsys):
    path = tmp_path / "golden.json"
    assert golden.run("timor_leste", update=True, snapshot=path, years=[2025]) == 0
    document = json.loads(path.read_text())
    assert document["years"] == [2025] and document["regenerate"] == "floorsim golden --update"
    assert golden.run("timor_leste", snapshot=path) == 0
    document["figures"]["2025"]["saii_increase"]["saii_cost"] *= 1.01
    path.write_text(json.dumps(document))
    capsys.readouterr()
    assert golden.run("timor_leste", snapshot=path) == 1
    assert "saii_increase" in capsys.readouterr().out


def test_missing_snapshot_is_a_clear_error(tmp_path, capsys):
    assert golden.run("timor_leste", snapshot=tmp_path / "none.json") == 2
    assert "floorsim golden --update" in capsys.readouterr().err
