"""Property tests (hypothesis) of the replicable statistics and of the replicate variance formulas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from floorsim.indicators import (
    FGT,
    Gini,
    Mean,
    Quantile,
    RelativeLine,
    Statistic,
    SurveyDesign,
    Total,
    Watts,
    estimate,
    jackknife,
    linearized_variance,
)

incomes = st.lists(st.floats(1.0, 1e5, allow_nan=False), min_size=3, max_size=40)


def _weights(data: st.DataObject, n: int) -> np.ndarray:
    return np.array(data.draw(st.lists(st.floats(0.5, 50.0), min_size=n, max_size=n)))


def _statistics(y: np.ndarray) -> dict[str, Statistic]:
    line = RelativeLine(y, 0.6)
    return {
        "headcount": FGT(y, line, 0),
        "gap": FGT(y, line, 1),
        "severity": FGT(y, line, 2),
        "watts": Watts(y, line),
        "gini": Gini(y),
        "median": Quantile(y, 0.5),
        "mean": Mean(y),
    }


@settings(max_examples=60, deadline=None)
@given(values=incomes, copies=st.integers(2, 4), data=st.data())
def test_replicating_the_population_leaves_every_indicator_unchanged(values, copies, data) -> None:
    y = np.array(values)
    w = _weights(data, y.size)
    once = {name: stat.value(w) for name, stat in _statistics(y).items()}
    repeated = {name: stat.value(np.tile(w, copies)) for name, stat in _statistics(np.tile(y, copies)).items()}
    for name, value in once.items():
        assert repeated[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


@settings(max_examples=60, deadline=None)
@given(values=incomes, factor=st.floats(0.01, 100.0), data=st.data())
def test_scaling_all_incomes_leaves_relative_indicators_unchanged(values, factor, data) -> None:
    y = np.array(values)
    w = _weights(data, y.size)
    relative = ("headcount", "gap", "severity", "watts", "gini")
    before = _statistics(y)
    after = _statistics(factor * y)
    for name in relative:
        assert after[name].value(w) == pytest.approx(before[name].value(w), rel=1e-9, abs=1e-12), name
    assert after["mean"].value(w) == pytest.approx(factor * before["mean"].value(w), rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(values=incomes, data=st.data())
def test_a_progressive_transfer_lowers_the_gini(values, data) -> None:
    # Pigou–Dalton: moving δ from a richer to a poorer person of equal weight, with 0 < δ <= half the gap,
    # strictly lowers the Gini.
    y = np.array(values)
    w = np.full(y.size, data.draw(st.floats(0.5, 20.0)))
    i, j = int(np.argmin(y)), int(np.argmax(y))
    assume(y[j] - y[i] > 1e-3 * y[j])
    delta = data.draw(st.floats(0.01, 0.5)) * (y[j] - y[i])
    after = y.copy()
    after[i] += delta
    after[j] -= delta
    assert Gini(after).value(w) < Gini(y).value(w)


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=1, max_size=40),
    line=st.floats(1.0, 1e4),
    data=st.data(),
)
def test_fgt_ordering_below_the_line(values, line, data) -> None:
    # With welfare >= 0 every normalised gap is in [0, 1], so P0 >= P1 >= P2 >= P3.
    y = np.array(values)
    w = _weights(data, y.size)
    p = [FGT(y, line, a).value(w) for a in (0, 1, 2, 3)]
    assert p[0] >= p[1] - 1e-15 and p[1] >= p[2] - 1e-15 and p[2] >= p[3] - 1e-15


@settings(max_examples=60, deadline=None)
@given(values=incomes, data=st.data())
def test_domain_totals_add_up_and_domain_means_mix(values, data) -> None:
    y = np.array(values)
    w = _weights(data, y.size)
    d = np.array(data.draw(st.lists(st.booleans(), min_size=y.size, max_size=y.size)))
    assume(d.any() and (~d).any())
    assert Total(y, d).value(w) + Total(y, ~d).value(w) == pytest.approx(Total(y).value(w), rel=1e-12)
    share = w[d].sum() / w.sum()
    mixed = share * Mean(y, d).value(w) + (1 - share) * Mean(y, ~d).value(w)
    assert mixed == pytest.approx(Mean(y).value(w), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_jackknife_variance_of_a_total_equals_linearisation_for_any_design(data) -> None:
    # A known identity (Wolter 2007, §4.5): for a linear estimator, Σ_h (n_h − 1)/n_h Σ_j (θ_(hj) − θ̂)^2 is
    # exactly Σ_h n_h/(n_h − 1) Σ_j (t_hj − t̄_h)^2.
    n = data.draw(st.integers(6, 40))
    y = np.array(data.draw(st.lists(st.floats(-100, 1000), min_size=n, max_size=n)))
    w = _weights(data, n)
    strata = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    psu = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    design = SurveyDesign.from_arrays(w, strata, psu, lonely_psu="certainty")
    assume((design.psus_per_stratum >= 2).any())
    jk = estimate(Total(y), replicates=jackknife(design)).se ** 2
    assert jk == pytest.approx(linearized_variance(design, y), rel=1e-9, abs=1e-6)
