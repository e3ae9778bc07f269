"""The categories of a calibration margin found by marking codes (``_unique_codes``) equal numpy's sort-based
``np.unique``, and the persons table borrows household columns in their own array type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.calibration import Margin
from floorsim.surveys.margins import _persons_table, _unique_codes


def test_codes_by_marking_equal_np_unique():
    rng = np.random.default_rng(7)
    for size in (1, 2, 31, 5_000, 10**7):  # the last is sorted, as np.unique does
        for count in (1, 17, 50_000):
            flat = rng.integers(0, size, count)
            present, codes = _unique_codes(flat, size)
            expected_present, expected_codes = np.unique(flat, return_inverse=True)
            assert np.array_equal(present, expected_present)
            assert np.array_equal(codes, expected_codes.reshape(-1))
            assert np.array_equal(present[codes], flat)


def test_borrowed_household_columns_equal_the_households_values():
    survey = load_bundled_survey()
    margin = Margin(name="persons by stratum", level="persons", by=("stratum",), targets={})
    table = _persons_table(survey.households, survey.persons, survey.person_household_index, margin)
    expected = survey.households["stratum"].to_numpy()[survey.person_household_index]
    assert table["stratum"].dtype == survey.households["stratum"].dtype
    assert list(table["stratum"].astype(object)) == list(pd.Series(expected).astype(object))
