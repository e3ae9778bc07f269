"""A period outside the years a package covers stops ``floorsim run`` with one line naming them, nothing written.

The covered years are read from the packages' own dated parameters (``floorsim.simulations.analysis.covered_years``); the
expected ranges are those of the parameter files, by hand.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from floorsim.simulations.analysis.covered_years import covered_years
from floorsim.simulations.cli import app
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.scenarios import baseline_system
from tests.test_household_level_run import write

runner = CliRunner()


def test_timor_leste_covers_2014_to_2035():
    # First: the national line has values dated 2007 and 2014 (country/poverty_line/national.yaml) and the CPI levels
    # start in 2010 (country/cpi.yaml): the 2007 line cannot be moved to any year's prices, so the first year is
    # that of the 2014 line (later than the first rule value, 2002-05-20). Last: the projection assumptions end in
    # 2035 (projections/assumptions_2025_2035.yaml); without them, the latest dated value (2024-01-01: SAII amounts,
    # CPI inflation).
    spec = load_country("timor_leste")
    with_projection = covered_years(baseline_system("timor_leste"), spec, 2035)
    assert (with_projection.first, with_projection.last) == (2014, 2035)
    alone = covered_years(baseline_system("timor_leste"), spec, None)
    assert (alone.first, alone.last) == (2014, 2024)


def test_country_template_covers_1945_to_2017():
    # A relative line needs no prices: general.age_of_majority from 1945 to taxes and benefits changed in 2017.
    years = covered_years(baseline_system("country_template"), load_country("country_template"))
    assert (years.first, years.last) == (1945, 2017)


@pytest.mark.parametrize("period", [2013, 2036])
def test_period_outside_stops_with_one_line_naming_the_years(tmp_path, period):
    path, mapping, _ = write(tmp_path, "csv")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(path), "--mapping", str(mapping), "--period", str(period),
                                 "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert f"period {period} is outside the years country 'timor_leste' covers: 2014-2035" in lines[0]
    assert not out.exists()


def test_first_and_last_covered_years_run(tmp_path):
    path, mapping, _ = write(tmp_path, "csv")
    for period in (2014, 2035):
        result = runner.invoke(app, ["run", "--survey", str(path), "--mapping", str(mapping), "--period", str(period),
                                     "--out", str(tmp_path / f"out{period}"), "--jobs", "1", "--replicates", "0",
                                     "--no-report", "--baseline-only", "--population-year", "survey"])
        assert result.exit_code == 0, result.output
