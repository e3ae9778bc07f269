"""`floorsim household` refuses what would be explained as if it meant something: ages and severities outside the
data model's ranges, numbers that are not finite, and months after the last year the package covers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app


def _household(*args: str):
    return CliRunner().invoke(app, ["household", *args])


@pytest.mark.parametrize(
    "person,message",
    [
        ("age=-5", "person 1, field 'age': Input should be greater than or equal to 0"),
        ("age=131", "person 1, field 'age': Input should be less than or equal to 130"),
        ("age=nan", "person 1, field 'age': Input should be a valid integer"),
        ("age=30,disability_severity=4", "field 'disability_severity': Input should be less than or equal to 3"),
    ],
)
def test_out_of_range_inputs_are_one_line_errors(person: str, message: str):
    result = _household("--person", person, "--period", "2025-01")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_month_after_the_covered_years_is_refused_and_one_within_them_runs():
    late = _household("--person", "age=70", "--period", "2036-01")
    assert late.exit_code == 2
    assert "period 2036 is outside the years country 'timor_leste' covers" in late.stderr
    assert _household("--person", "age=70", "--period", "2035-12").exit_code == 0
    # before the poverty line's price data but within the rules: a household needs no price index
    assert _household("--person", "age=70", "--period", "2010-01").exit_code == 0
