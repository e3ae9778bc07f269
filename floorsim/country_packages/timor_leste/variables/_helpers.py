"""Vectorised helpers shared by the formulas (no Variable here)."""

import numpy as np


def sum_of_largest_per_household(household, values: np.ndarray, count: int) -> np.ndarray:
    """Per household, the sum of the ``count`` largest member ``values`` (a cap on the number of paid members).

    Members are sorted by household, then by decreasing value; a member's rank in its household is its position
    minus the position of the first member of that household. One sort, no loop over people. When no value is
    negative, only the positive ones are sorted (zeros add nothing): most members are not among those counted.
    """
    households = np.asarray(household.members_entity_id)
    values = np.asarray(values, dtype=np.float64)
    if len(values) and values.min() >= 0:
        positive = np.flatnonzero(values > 0)
        households, values = households[positive], values[positive]
    order = np.lexsort((-values, households))
    sorted_households = households[order]
    positions = np.arange(len(order))
    first_of_group = np.r_[True, sorted_households[1:] != sorted_households[:-1]] if len(order) else np.array([], bool)
    group_start = np.maximum.accumulate(np.where(first_of_group, positions, 0)) if len(order) else positions
    kept = np.where(positions - group_start < count, values[order], 0.0)
    return np.bincount(sorted_households, weights=kept, minlength=household.count)


def lookup_by_enum(enum_array, node) -> np.ndarray:
    """``node.<member name>`` for each element of an OpenFisca ``EnumArray`` (one lookup per enum member, not per
    person: OpenFisca's own fancy indexing loops over the array in Python)."""
    values_by_index = {member.index: node[member.name] for member in enum_array.possible_values}
    table = np.array([values_by_index[index] for index in range(len(values_by_index))])
    return table[np.asarray(enum_array, dtype=np.int64)]
