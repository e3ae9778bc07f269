"""Hypothesis strategies for malformed inputs: YAML-able values of every type, and edits of valid documents."""

from __future__ import annotations

import copy
import math
from typing import Any

from hypothesis import strategies as st

NASTY_NUMBERS = st.sampled_from([0, -1, 1, 2, 0.5, -500, 5, 131, 10**12, -(10**12), 2**63, math.nan, math.inf,
                                 -math.inf, 1e308, 2025.5, 1e-300])
NASTY_TEXT = st.sampled_from(["", " ", "false", "no", "0", "true", "yes", "nan", "inf", "-1", "1e309", "2025-13-01",
                              "1999-01", "2099", "é", "\x00", "a" * 300, "{", "[", "null", "~", "0x10", "1_000"])
SCALARS = st.one_of(
    st.none(), st.booleans(), NASTY_NUMBERS, NASTY_TEXT, st.integers(), st.floats(allow_nan=True),
    st.text(max_size=20), st.dates().map(lambda day: day.isoformat()),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8) | NASTY_TEXT, inner,
                                                                          max_size=4)),
    max_leaves=12,
)
"""Any value a YAML or JSON file can hold (a few levels deep)."""


def paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indices) to a value inside ``document``, the root excluded."""
    found = []
    if isinstance(document, dict):
        items = list(document.items())
    elif isinstance(document, list):
        items = list(enumerate(document))
    else:
        return found
    for key, value in items:
        found.append((*prefix, key))
        found += paths(value, (*prefix, key))
    return found


@st.composite
def edited(draw: st.DrawFn, document: Any, values: st.SearchStrategy = VALUES) -> Any:
    """``document`` with one to three edits: a value replaced, a key deleted, or an unknown key added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        where = paths(document)
        if not where:
            return draw(values)
        path = draw(st.sampled_from(where))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        else:
            parent.append(draw(values))
    return document
