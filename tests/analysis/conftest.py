"""A hand-made person frame: four households, nine persons, two scenarios, two programmes.

    person hh  age sex  relationship  disab. weight  welfare base/reform  pension base/reform  child_grant reform
    0      1   72  m    head          0      100     50 / 70              120 / 240            40
    1      1   65  f    spouse        0      100     50 / 70              0   / 240            40
    2      1   8   f    other         0      100     50 / 70              0   / 0              40
    3      2   35  f    head          3      200     30 / 40              0   / 0              120
    4      2   0   m    child         0      200     30 / 40              0   / 0              120
    5      3   59  m    head          0      50      120 / 120            0   / 0              0
    6      3   84  f    spouse        0      50      120 / 120            120 / 240            0
    7      4   40  m    head          2      300     200 / 190            0   / 0              0
    8      4   10  f    child         0      300     200 / 190            0   / 0              0

Welfare is per person per month; programme amounts are annual. The child grant is a household benefit (120 a
year to household 1, 240 to household 2) split equally over members; the pension is personal. Households 1 and
4 are in stratum "Dili", 2 and 3 in "Baucau"; households are the PSUs. Persons represented: 1,400.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations import Microsimulation
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.surveys import load_survey
from floorsim.surveys.bundled import load_bundled_survey


def make_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": [1, 1, 1, 2, 2, 3, 3, 4, 4],
            "weight": [100.0, 100, 100, 200, 200, 50, 50, 300, 300],
            "stratum": ["Dili", "Dili", "Dili", "Baucau", "Baucau", "Baucau", "Baucau", "Dili", "Dili"],
            "welfare_baseline": [50.0, 50, 50, 30, 30, 120, 120, 200, 200],
            "welfare_reform": [70.0, 70, 70, 40, 40, 120, 120, 190, 190],
            "amount_pension_baseline": [120.0, 0, 0, 0, 0, 0, 120, 0, 0],
            "amount_pension_reform": [240.0, 240, 0, 0, 0, 0, 240, 0, 0],
            "amount_child_grant_baseline": np.zeros(9),
            "amount_child_grant_reform": [40.0, 40, 40, 120, 120, 0, 0, 0, 0],
            "age": [72, 65, 8, 35, 0, 59, 84, 40, 10],
            "sex": ["male", "female", "female", "female", "male", "male", "female", "male", "female"],
            "relationship": ["head", "spouse", "other_relative", "head", "child", "head", "spouse", "head", "child"],
            "disability_severity": [0, 0, 0, 3, 0, 0, 0, 2, 0],
        }
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame()


PROGRAMMES = ["pension", "child_grant"]


def one_row(table: pd.DataFrame, **keys: object) -> pd.Series:
    """The one row of ``table`` whose columns equal ``keys`` (compared as text, so 1 matches "1"); fails otherwise."""
    selected = table
    for column, value in keys.items():
        selected = selected[selected[column].astype(str) == str(value)]
    assert len(selected) == 1, keys
    return selected.iloc[0]


# Two runs shared by the headline tests and the household-compact tests (one per test module: scope="module").
ROOT = Path(__file__).resolve().parents[2]
SAII_80 = ReformSpec(name="saii_80", changes=(ParameterChange(parameter="benefits.saii.amount", value=80,
                                                               start="2025-01-01"),))
BASIC_700 = ReformSpec(name="basic_700", changes=(ParameterChange(parameter="benefits.basic_income", value=700,
                                                                   start="2017-01-01"),))


@pytest.fixture(scope="module")
def national():
    """Timor-Leste 2025 on the bundled survey: national line."""
    simulation = Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential")
    return simulation.run({"baseline": None, "saii_80": SAII_80})


@pytest.fixture(scope="module")
def relative():
    """The country template 2017 on the EU-SILC fixture: 60 % of the median."""
    survey = load_survey(ROOT / "tests/fixtures/eusilc/eusilc.parquet",
                         mapping=ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml")
    simulation = Microsimulation("country_template", survey, 2017, backend="sequential")
    return simulation.run({"baseline": None, "basic_700": BASIC_700})
