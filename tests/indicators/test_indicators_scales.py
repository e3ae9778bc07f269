"""Equivalence scales: hand-computed households, Eurostat's modified-OECD scale shipped with eusilc."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.indicators import (
    IndicatorError,
    household_adult_equivalents,
    parametric_scale,
    person_adult_equivalents,
)

# Household 7: two adults (40, 38) and two children (10, 3); household 3: one adult (70);
# household 5: a child-headed household of two children (13, 9).
IDS = [7, 7, 7, 7, 3, 5, 5]
AGES = [40, 38, 10, 3, 70, 13, 9]


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ("per_capita", [4.0, 1.0, 2.0]),
        # 1 + 0.5 * 1 + 0.3 * 2 = 2.1; 1; child-headed: 1 + 0.3 * (2 - 1) = 1.3
        ("oecd_modified", [2.1, 1.0, 1.3]),
        # 1 + 0.7 * 1 + 0.5 * 2 = 2.7; 1; 1 + 0.5 * 1 = 1.5
        ("oecd", [2.7, 1.0, 1.5]),
        ("square_root", [2.0, 1.0, math.sqrt(2.0)]),
    ],
)
def test_named_scales_hand_computed(scale: str, expected: list[float]) -> None:
    result = household_adult_equivalents(IDS, AGES, scale)  # type: ignore[arg-type]
    assert list(result.index) == [7, 3, 5]  # order of first appearance
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-15)


def test_child_age_limit_is_a_parameter() -> None:
    # With children defined as under 12, the 13-year-old in household 5 is an adult: 1 + 0.3 * 1 = 1.3 still,
    # but in household 7 nothing changes; raise the limit to 18 and household 7 is unchanged, household 3 too.
    result = household_adult_equivalents([1, 1, 1], [40, 15, 16], "oecd_modified", child_age=16)
    # adults: 40, 16 -> 1 + 0.5; child: 15 -> 0.3; total 1.8
    assert result.iloc[0] == pytest.approx(1.8, rel=1e-15)


def test_custom_and_parametric_scales() -> None:
    per_capita = parametric_scale(child_weight=1.0, economies=1.0)
    square_root = parametric_scale(child_weight=1.0, economies=0.5)
    np.testing.assert_allclose(
        household_adult_equivalents(IDS, AGES, per_capita).to_numpy(),
        household_adult_equivalents(IDS, AGES, "per_capita"),
    )
    np.testing.assert_allclose(
        household_adult_equivalents(IDS, AGES, square_root).to_numpy(),
        household_adult_equivalents(IDS, AGES, "square_root").to_numpy(),
    )
    # (A + 0.5 K)^0.75 for household 7: (2 + 1)^0.75
    halves = parametric_scale(0.5, 0.75)
    assert household_adult_equivalents(IDS, AGES, halves).iloc[0] == pytest.approx(3.0**0.75, rel=1e-15)
    # Any function of (adults, children).
    assert household_adult_equivalents(IDS, AGES, lambda a, k: 1.0 + a + 0 * k).tolist() == [3.0, 2.0, 1.0]


def test_person_adult_equivalents_repeat_the_household_value() -> None:
    np.testing.assert_allclose(
        person_adult_equivalents(IDS, AGES, "oecd_modified"), [2.1, 2.1, 2.1, 2.1, 1.0, 1.3, 1.3], rtol=1e-15
    )


def test_modified_oecd_reproduces_eusilc_eqss() -> None:
    # eusilc ships Eurostat's modified-OECD scale (eqSS) computed by Statistics Austria's generator: an
    # independent implementation of the same rule (children under 14).
    eusilc = pd.read_parquet(Path(__file__).resolve().parents[1] / "fixtures" / "eusilc" / "eusilc.parquet")
    # EU-SILC measures age at the end of the income reference year, so 64 babies born after it have age -1;
    # they are children either way, and our scales refuse negative ages.
    ages = eusilc["age"].clip(lower=0)
    ours = person_adult_equivalents(eusilc["db030"], ages, "oecd_modified", child_age=14)
    np.testing.assert_allclose(ours, eusilc["eqSS"].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: household_adult_equivalents([1, 2], [30], "per_capita"),
        lambda: household_adult_equivalents([1, 2], [30, -1], "per_capita"),
        lambda: household_adult_equivalents([1, None], [30, 40], "per_capita"),
        lambda: household_adult_equivalents([1, 2], [30, 40], "eu"),
        lambda: household_adult_equivalents([1, 2], [30, 40], lambda a, k: a - 1.0),
        lambda: parametric_scale(0.5, 1.5),
    ],
)
def test_invalid_scale_input_raises(call) -> None:
    with pytest.raises(IndicatorError):
        call()
