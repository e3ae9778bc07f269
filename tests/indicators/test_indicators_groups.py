"""Quantile groups: cut-points by the Eurostat quantile, ties kept together."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorsim.indicators import IndicatorError, quantile_groups, weighted_quantile


def test_quintiles_of_ten_people_hand_computed() -> None:
    # Ten equal weights, values 1..10: cut-points Q(0.2) = (2 + 3) / 2 = 2.5 (exact hit at C = 2), 4.5, 6.5, 8.5.
    groups = quantile_groups(np.arange(1.0, 11.0), np.ones(10), 5)
    assert groups.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_a_person_at_a_cut_point_is_in_the_lower_group_and_ties_stay_together() -> None:
    # Values 1, 2, 2, 2, 3 with equal weights: the median is 2 (C = 4 >= 2.5 at the last 2), so all 2s go
    # below the cut-point with the 1, and the 3 is in group 2.
    assert quantile_groups([1, 2, 2, 2, 3], np.ones(5), 2).tolist() == [1, 1, 1, 1, 2]


def test_one_group_and_invalid_n() -> None:
    assert quantile_groups([3.0, 1.0], [1, 1], 1).tolist() == [1, 1]
    with pytest.raises(IndicatorError):
        quantile_groups([3.0, 1.0], [1, 1], 0)


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=5, max_size=60),
    n=st.integers(2, 10),
    data=st.data(),
)
def test_groups_are_monotone_and_match_the_cut_points(values: list[float], n: int, data: st.DataObject) -> None:
    x = np.array(values)
    w = np.array(data.draw(st.lists(st.floats(0.1, 100), min_size=x.size, max_size=x.size)))
    groups = quantile_groups(x, w, n)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(groups[order]) >= 0)  # richer never in a lower group
    cuts = np.atleast_1d(weighted_quantile(x, w, np.arange(1, n) / n))
    for g, value in zip(groups, x, strict=True):
        assert (g == 1 or value > cuts[g - 2]) and (g == n or value <= cuts[g - 1])
