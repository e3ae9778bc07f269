"""Indicators on the laeken ``eusilc`` data against the values published by laeken 0.5.2.

The published numbers come from the laeken vignette "laeken-standard" (person level, weights ``rb050``,
income ``eqIncome``), as listed in tests/fixtures/eusilc/README.md. laeken reports percentages and
our functions return fractions, hence the factors of 100. Each value is checked to the number of digits
it was published with: |ours - published| <= half a unit in the last published digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.indicators import (
    fgt,
    gini,
    quintile_share_ratio,
    relative_median_poverty_gap,
    weighted_quantile,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eusilc" / "eusilc.parquet"


def assert_published(value: float, published: str) -> None:
    """Assert that ``value`` rounds to the published figure at the published number of decimals."""
    decimals = len(published.split(".")[1]) if "." in published else 0
    half_unit = 0.5 * 10.0**-decimals
    # The tiny slack only absorbs binary representation of the decimal literal, not real differences.
    assert abs(value - float(published)) <= half_unit * (1 + 1e-9), (
        f"{value!r} does not round to the published {published}"
    )


@pytest.fixture(scope="module")
def eusilc() -> pd.DataFrame:
    return pd.read_parquet(FIXTURE)


@pytest.fixture(scope="module")
def income(eusilc: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return eusilc["eqIncome"].to_numpy(), eusilc["rb050"].to_numpy()


@pytest.fixture(scope="module")
def national_threshold(income: tuple[np.ndarray, np.ndarray]) -> float:
    x, w = income
    return 0.6 * weighted_quantile(x, w, 0.5)


def test_fixture_is_the_documented_extract(eusilc: pd.DataFrame) -> None:
    # README: 14,827 persons in 6,000 households, 28 columns, 9 regions, three zero incomes.
    assert eusilc.shape == (14827, 28)
    assert eusilc["db030"].nunique() == 6000
    assert eusilc["db040"].nunique() == 9
    assert int((eusilc["eqIncome"] <= 0).sum()) == 3


def test_weighted_median(income: tuple[np.ndarray, np.ndarray]) -> None:
    assert_published(weighted_quantile(*income, 0.5), "18098.73")


def test_weighted_quintiles(income: tuple[np.ndarray, np.ndarray]) -> None:
    q20, q80 = weighted_quantile(*income, [0.2, 0.8])
    assert_published(q20, "12212.6")
    assert_published(q80, "25997.65")


def test_at_risk_of_poverty_threshold(national_threshold: float) -> None:
    assert_published(national_threshold, "10859.24")


@pytest.mark.parametrize(
    ("share_of_median", "published_percent"),
    [(0.4, "4.766885"), (0.5, "7.988134"), (0.6, "14.44422"), (0.7, "21.85638")],
)
def test_at_risk_of_poverty_rate(
    income: tuple[np.ndarray, np.ndarray], share_of_median: float, published_percent: str
) -> None:
    x, w = income
    line = share_of_median * weighted_quantile(x, w, 0.5)
    assert_published(100 * fgt(x, w, line, alpha=0), published_percent)


@pytest.mark.parametrize(("region", "published_percent"), [("Burgenland", "19.53984"), ("Vienna", "17.23468")])
def test_at_risk_of_poverty_rate_by_region_with_national_threshold(
    eusilc: pd.DataFrame, national_threshold: float, region: str, published_percent: str
) -> None:
    part = eusilc[eusilc["db040"] == region]
    rate = fgt(part["eqIncome"].to_numpy(), part["rb050"].to_numpy(), national_threshold)
    assert_published(100 * rate, published_percent)


def test_quintile_share_ratio(income: tuple[np.ndarray, np.ndarray]) -> None:
    assert_published(quintile_share_ratio(*income), "3.970004")


def test_relative_median_poverty_gap(income: tuple[np.ndarray, np.ndarray], national_threshold: float) -> None:
    assert_published(100 * relative_median_poverty_gap(*income, national_threshold), "18.9286")


def test_gini(income: tuple[np.ndarray, np.ndarray]) -> None:
    assert_published(100 * gini(*income), "26.48962")


@pytest.mark.parametrize(("region", "published_percent"), [("Burgenland", "32.05489"), ("Vienna", "28.94944")])
def test_gini_by_region(eusilc: pd.DataFrame, region: str, published_percent: str) -> None:
    part = eusilc[eusilc["db040"] == region]
    assert_published(100 * gini(part["eqIncome"].to_numpy(), part["rb050"].to_numpy()), published_percent)


def test_float32_input_as_openfisca_returns_it(income: tuple[np.ndarray, np.ndarray]) -> None:
    # OpenFisca hands back float32. Rounding the data to float32 moves each income by < 1e-3 euro, so the
    # published figures must still be reproduced, which fails if anything is accumulated in float32.
    x, w = (a.astype(np.float32) for a in income)
    assert_published(weighted_quantile(x, w, 0.5), "18098.73")
    assert_published(100 * gini(x, w), "26.48962")
    assert_published(100 * fgt(x, w, 0.6 * weighted_quantile(x, w, 0.5)), "14.44422")
