"""Kakwani and Reynolds–Smolensky indices: hand-computed cases and identities."""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.indicators import IndicatorError, concentration_coefficient, gini, kakwani, reynolds_smolensky

INCOME = np.array([10.0, 20.0, 30.0, 40.0])
W = np.ones(4)


def test_kakwani_hand_computed() -> None:
    # G of 10, 20, 30, 40: mean absolute difference over ordered pairs = 2 * (10+20+30+10+20+10) / 16 = 12.5,
    # G = 12.5 / (2 * 25) = 0.25.
    assert gini(INCOME, W) == pytest.approx(0.25, abs=1e-15)
    # A tax paid only by the richest (4): C_T = (2 * F_4 - 1) with F_4 = 7/8 -> 0.75; K = 0.75 - 0.25 = 0.5.
    tax = np.array([0.0, 0.0, 0.0, 4.0])
    assert kakwani(tax, W, INCOME, "tax") == pytest.approx(0.5, abs=1e-15)
    # A benefit paid only to the poorest: C_B = 2 * 1/8 - 1 = -0.75; K = G - C = 0.25 + 0.75 = 1.
    benefit = np.array([5.0, 0.0, 0.0, 0.0])
    assert kakwani(benefit, W, INCOME, "benefit") == pytest.approx(1.0, abs=1e-15)


def test_proportional_tax_is_neither_progressive_nor_redistributive() -> None:
    rng = np.random.default_rng(0)
    y, w = rng.lognormal(8, 0.7, 200), rng.uniform(1, 9, 200)
    assert kakwani(0.2 * y, w, y, "tax") == pytest.approx(0.0, abs=1e-12)
    assert reynolds_smolensky(y, 0.8 * y, w) == pytest.approx(0.0, abs=1e-12)


def test_reynolds_smolensky_without_reranking_is_the_gini_change() -> None:
    # A flat benefit of 5 keeps the ranking: G_after = C_after, so RS = G_before - G_after.
    after = INCOME + 5.0
    assert reynolds_smolensky(INCOME, after, W) == pytest.approx(gini(INCOME, W) - gini(after, W), abs=1e-15)
    # With reranking (the poorest overtakes everybody) RS exceeds the Gini change by the reranking index.
    reranked = np.array([60.0, 20.0, 30.0, 40.0])
    reranking = gini(reranked, W) - concentration_coefficient(reranked, W, INCOME)
    assert reranking > 0
    assert reynolds_smolensky(INCOME, reranked, W) == pytest.approx(
        gini(INCOME, W) - gini(reranked, W) + reranking, abs=1e-15
    )


def test_kakwani_needs_a_kind() -> None:
    with pytest.raises(IndicatorError, match="kind"):
        kakwani(INCOME, W, INCOME, "transfer")  # type: ignore[arg-type]
