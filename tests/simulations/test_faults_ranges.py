"""Reform values outside their documented range are refused (or warned when forced); periods beyond the data and
reforms inactive in the simulated year are warned, printed and recorded in summary.json (issue 20)."""

from __future__ import annotations

import datetime
import json
import re
import warnings
from pathlib import Path

import pytest
import yaml

from floorsim.simulations.engine.microsimulation import Microsimulation
from floorsim.simulations.engine.parameter_ranges import ParameterRange, RangeWarning, check_parameter_ranges, parameter_range
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.engine.run_warnings import FloorsimWarning, inactive_reform_warnings, period_warnings
from floorsim.simulations.engine.scenarios import baseline_system, make_scenario
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.errors import ReformError
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey
from tests.fuzz.cli_checks import assert_one_line_error, invoke


def _reform(parameter: str, value, start: str = "2025-01-01", stop: str | None = None, name: str = "r") -> ReformSpec:
    stop_date = datetime.date.fromisoformat(stop) if stop else None
    change = ParameterChange(parameter=parameter, value=value, start=datetime.date.fromisoformat(start), stop=stop_date)
    return ReformSpec(name=name, changes=(change,))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("take_up.saii", ParameterRange("rate", 0.0, 1.0)),  # unit /1, always 1.0 in the package
        ("benefits.saii.amount", ParameterRange("money", 0.0, None)),  # unit currency-USD
        ("benefits.saii.age_supplement[1].threshold", ParameterRange("age or duration in years", 0.0, 130.0)),
        ("benefits.saii.age_supplement[1].amount", ParameterRange("money", 0.0, None)),  # the scale's amount_unit
        ("country.cpi", ParameterRange("ratio", 0.0, None)),  # unit /1 but a price level near 100: not a rate
    ],
)
def test_ranges_are_read_from_the_parameters_metadata(path: str, expected: ParameterRange) -> None:
    assert parameter_range(baseline_system("timor_leste").parameters, path) == expected


@pytest.mark.parametrize(
    ("parameter", "value", "shown"),
    [("take_up.saii", 5, "take_up.saii = 5"), ("take_up.saii", -0.1, "take_up.saii = -0.1"),
     ("benefits.saii.amount", -500, "benefits.saii.amount = -500"),
     ("benefits.saii.age_supplement[1].threshold", 131, "threshold = 131")],
)
def test_values_outside_the_range_are_refused_and_warned_when_forced(parameter, value, shown, monkeypatch) -> None:
    parameters = baseline_system("timor_leste").parameters
    spec = _reform(parameter, value)
    monkeypatch.delenv("FLOORSIM_ALLOW_OUT_OF_RANGE", raising=False)
    with pytest.raises(ReformError, match=f"reform 'r': .*{re.escape(shown)} is outside"):
        check_parameter_ranges(spec, parameters)
    with pytest.warns(RangeWarning, match="forced with FLOORSIM_ALLOW_OUT_OF_RANGE"):
        assert len(check_parameter_ranges(spec, parameters, force=True)) == 1
    monkeypatch.setenv("FLOORSIM_ALLOW_OUT_OF_RANGE", "1")
    with pytest.warns(RangeWarning):
        check_parameter_ranges(spec, parameters)


@pytest.mark.parametrize(("parameter", "value"), [("take_up.saii", 0), ("take_up.saii", 1), ("take_up.saii", 0.9),
                                                  ("benefits.saii.amount", 0), ("benefits.saii.amount", 1e6),
                                                  ("benefits.saii.age_supplement[1].threshold", 130)])
def test_values_on_or_inside_the_bounds_pass_silently(parameter, value) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_parameter_ranges(_reform(parameter, value), baseline_system("timor_leste").parameters) == []


def test_the_cli_refuses_take_up_5_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    reform = tmp_path / "take_up.yaml"
    reform.write_text(yaml.safe_dump({"name": "take_up_5", "changes": [
        {"parameter": "take_up.saii", "value": 5, "start": "2025-01-01"}]}))
    out = tmp_path / "out"
    assert_one_line_error(invoke("run", "--reform", reform, "--jobs", "1", "--out", out),
                          "take_up.saii = 5 is outside its documented range (rate: 0 to 1)")
    assert not out.exists()


def test_a_reform_outside_the_year_is_named() -> None:
    later = make_scenario("later", _reform("benefits.saii.amount", 50, start="2030-01-01", name="later"))
    ended = make_scenario("ended", _reform("benefits.saii.amount", 50, start="2020-01-01", stop="2024-12-31",
                                           name="ended"))
    within = make_scenario("within", _reform("benefits.saii.amount", 50, start="2025-12-01", name="within"))
    found = inactive_reform_warnings([later, ended, within], 2025)
    assert len(found) == 2
    assert found[0].startswith("reform 'later' of scenario 'later' changes nothing in 2025: its changes are in force "
                               "from 2030-01-01")
    assert "reform 'ended'" in found[1] and "to their stop dates" in found[1]


def test_prices_beyond_the_data_are_warned_unless_a_macro_path_covers_them() -> None:
    system, spec = baseline_system("timor_leste"), load_country("timor_leste")
    # The package's CPI levels end in 2014 and its inflation rates in 2024 (country/cpi*.yaml).
    assert period_warnings(system, spec, 2024) == []
    [warning] = period_warnings(system, spec, 2099)
    assert "(country.cpi to 2014, country.cpi_inflation to 2024): prices are held at their 2024 level" in warning
    assert period_warnings(system, spec, 2030, prices_extended_to=2035) == []


def test_run_warnings_are_printed_and_in_summary_json(tmp_path: Path) -> None:
    survey = write_survey(make_tiny_survey(), tmp_path / "tiny")
    reform = tmp_path / "later.yaml"
    reform.write_text(yaml.safe_dump({"name": "later", "changes": [
        {"parameter": "benefits.saii.amount", "value": 50, "start": "2031-01-01"}]}))
    out = tmp_path / "out"
    result = invoke("run", "--survey", survey, "--reform", reform, "--period", "2030", "--jobs", "1",
                    "--population-year", "survey", "--replicates", "0", "--no-report", "--out", out)
    assert result.exit_code == 0, result.output
    printed = [line for line in result.stderr.splitlines() if line.startswith("floorsim: warning: ")]
    provenance = json.loads((out / "summary.json").read_text())["provenance"]
    recorded = provenance["population"]["warnings"] + provenance["run"]["warnings"]
    assert [line.removeprefix("floorsim: warning: ") for line in printed] == recorded
    # --population-year survey keeps the package's prices (CPI rates to 2024), so 2030 is beyond them
    assert any("beyond the price data" in line for line in recorded)
    assert any("reform 'later' of scenario 'later' changes nothing in 2030" in line for line in recorded)
    # the reform changes nothing: every figure of the reform equals the baseline's
    summary = json.loads((out / "summary.json").read_text())
    assert summary["headline"]["saii_cost"]["change"] == 0 and summary["headline"]["saii_cost"]["baseline"] > 0
    assert all(row["change"] == 0 for row in summary["headline"].values())


def test_the_engine_records_forced_values(monkeypatch) -> None:
    monkeypatch.setenv("FLOORSIM_ALLOW_OUT_OF_RANGE", "1")
    with pytest.warns(FloorsimWarning):
        results = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(
            {"baseline": None, "half": _reform("take_up.saii", 1.5, name="half")}
        )
    assert results.run_info["warnings"] == [
        "reform 'half': take_up.saii = 1.5 is outside its documented range (rate: 0 to 1); forced with "
        "FLOORSIM_ALLOW_OUT_OF_RANGE"
    ]
