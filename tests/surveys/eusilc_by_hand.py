"""Figures of the EU-SILC fixture computed by hand from the raw file (pandas and numpy only, no floorsim code), to
check runs of the OpenFisca country template on it (``--country country_template``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
EUSILC = ROOT / "tests/fixtures/eusilc/eusilc.parquet"
EUSILC_MAPPING = ROOT / "floorsim/surveys/examples/eusilc_mapping.yaml"
SURVEY_YEAR = 2005  # reference_year of the mapping's metadata: ages are completed years in 2005
ADULT_AGE = 18  # the template's general.age_of_majority


def weighted_adult_months(period: int) -> float:
    """Σ_persons household weight (db090) × months of ``period`` in which the person is 18 or older.

    floorsim gives the template a birth date of 1 July (SURVEY_YEAR − age) (``birth_date_from_age``, 181 days after
    1 January), and the template's age in a month is taken on its first day: age (period − SURVEY_YEAR + age) − 1
    from January to June, (period − SURVEY_YEAR + age) from July to December.
    """
    raw = pd.read_parquet(EUSILC, columns=["age", "db090"])
    age_by_july = period - SURVEY_YEAR + raw["age"].to_numpy()
    months = 6 * (age_by_july - 1 >= ADULT_AGE) + 6 * (age_by_july >= ADULT_AGE)
    return float(np.sum(raw["db090"].to_numpy(np.float64) * months))
