"""Fixtures of the scaffold tests: the fictional example package, generated once, and a survey built for it.

The survey repeats four household patterns whose annual amounts under every scheme of
``floorsim/simulations/scaffold/examples/examplia.yaml`` are worked out by hand in :data:`EXPECTED_2025`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.scaffold.generate import new_country
from floorsim.surveys.model import Survey, SurveyMetadata

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "floorsim" / "simulations" / "scaffold" / "examples"
COPIES = 50  # households per pattern

# (region, urban, consumption per month, adult equivalents, persons: (age, sex, severity, flags...))
PATTERNS = [
    ("north", False, 1000.0, 2.5, [(35, "female", 0, "gave_birth"), (2, "male", 0), (10, "female", 0)]),
    ("south", True, 600.0, 2.0, [(45, "male", 0), (16, "female", 0, "in_school"), (30, "female", 0, "pregnant")]),
    ("north", False, 400.0, 1.5, [(70, "female", 3), (68, "male", 0)]),
    ("south", True, 5000.0, 1.0, [(40, "male", 2), (10, "female", 0, "orphan")]),
]
# Annual amounts in 2025 per pattern, by hand. The assistance base level is 100 from January to June and 120 from
# July (12-month factor 6 x 100 + 6 x 120 = 1320); the south is reached by the child grant from January 2025.
#   pattern 0: child grant 300 (age 2) + 200 (age 10) a month; maternity 150 a month (before take-up);
#              consumption 1000 / 3 = 333 per person: no family support.
#   pattern 1: child grant 200 (age 16); student stipend 60 (600 / 2.0 = 300 per adult equivalent < 400);
#              pregnancy 80 x 1.0 (fully phased in in 2025); family support 1 child x 50 (600 / 3 = 200 < 250).
#   pattern 2: the woman of 70 with a severe disability: disability 2.5 x 1320 beats old age 1.0 x 1320; the man of
#              68: old age 1.0 x 1320; basic subsidy for 2 (score 10 - 2 - 0.5 x 2 = 7 < 9) 260; carer 40.
#   pattern 3: orphan 1.5 x 1320; child grant 200 (age 10); carer 40 (level 2); not a severe disability.
EXPECTED_2025 = {
    "child_grant": [6000, 2400, 0, 2400],
    "maternity_allowance": [1800, 0, 0, 0],
    "pregnancy_support": [0, 960, 0, 0],
    "orphan_allowance": [0, 0, 0, 1980],
    "disability_allowance": [0, 0, 3300, 0],
    "old_age_allowance": [0, 0, 1320, 0],
    "student_stipend": [0, 720, 0, 0],
    "family_support": [0, 600, 0, 0],
    "basic_household_subsidy": [0, 0, 3120, 0],
    "carer_allowance": [0, 0, 480, 480],
}


def examplia_survey(copies: int = COPIES) -> Survey:
    """The four patterns, ``copies`` households each (weights 1), in floorsim's data model, currency XTS."""
    households, persons = [], []
    for copy in range(copies):
        for index, (region, urban, consumption, equivalents, members) in enumerate(PATTERNS):
            household_id = copy * len(PATTERNS) + index + 1
            households.append({"household_id": household_id, "weight": 1.0, "region": region, "urban": urban,
                               "consumption": consumption, "adult_equivalents": equivalents})
            for position, (age, sex, severity, *flags) in enumerate(members):
                persons.append({
                    "person_id": household_id * 10 + position, "household_id": household_id, "age": age, "sex": sex,
                    "relationship": "head" if position == 0 else "other_relative", "disability_severity": severity,
                    **{flag: flag in flags for flag in ("pregnant", "in_school", "gave_birth", "orphan")},
                })
    metadata = SurveyMetadata(name="examplia_test", country="XEX", reference_year=2025, currency="XTS",
                              synthetic=True, source="built by tests/scaffold/conftest.py")
    return Survey(pd.DataFrame(households), pd.DataFrame(persons), metadata)


def expected_totals(copies: int = COPIES) -> dict[str, float]:
    return {name: float(np.sum(amounts)) * copies for name, amounts in EXPECTED_2025.items()}


@pytest.fixture(scope="session")
def examplia(tmp_path_factory) -> Path:
    """The example package generated once per session (folder holding floorsim.yaml and ``examplia/``)."""
    out = tmp_path_factory.mktemp("generated") / "examplia_package"
    new_country("examplia", EXAMPLES / "examplia.yaml", out)
    return out
