"""Standard errors validated against what they estimate and against independent computations.

* A Monte Carlo study: repeated stratified cluster samples drawn (PSUs with replacement) from a fixed
  population; the spread of the estimates across samples is the true sampling SE, which the average
  linearised variance must match.
* The Rao–Wu bootstrap against linearisation on one large simulated sample, for levels and for paired
  reform-minus-baseline differences.
* eusilc (regions db040 as strata, households db030 as PSUs): linearised SEs of the mean and of the
  at-risk-of-poverty rate recomputed here from the textbook formulas with pandas groupby.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.indicators import (
    FGT,
    Gini,
    Mean,
    Quantile,
    RelativeLine,
    SurveyDesign,
    Total,
    estimate,
    estimate_table,
    jackknife,
    rao_wu_bootstrap,
    weighted_quantile,
)
from tests.indicators.design_samples import clustered_sample

EUSILC = Path(__file__).resolve().parents[1] / "fixtures" / "eusilc" / "eusilc.parquet"


# --- Monte Carlo: linearised SEs estimate the true sampling SE -------------------------------------------------


def test_linearised_variance_matches_the_sampling_variance_in_a_monte_carlo_study() -> None:
    rng = np.random.default_rng(2024)
    strata, psus_per_stratum, persons_per_psu, sampled = 6, 50, 12, 8
    n_psu = strata * psus_per_stratum
    psu_stratum = np.repeat(np.arange(strata), psus_per_stratum)
    # Population: log-welfare with stratum and PSU effects, so clustering matters.
    log_y = (
        6.0
        + rng.normal(0, 0.3, strata)[psu_stratum][:, None]
        + rng.normal(0, 0.4, n_psu)[:, None]
        + rng.normal(0, 0.6, (n_psu, persons_per_psu))
    )
    population = np.exp(log_y)  # (PSU, person)
    line = float(np.median(population)) * 0.6
    makers = {
        "total": lambda y: Total(y),
        "mean": lambda y: Mean(y),
        "headcount": lambda y: FGT(y, line, 0),
        "poverty_gap": lambda y: FGT(y, line, 1),
        "gini": lambda y: Gini(y),
        "arpr": lambda y: FGT(y, RelativeLine(y, 0.6), 0),
    }
    estimates: dict[str, list[float]] = {name: [] for name in makers}
    variances: dict[str, list[float]] = {name: [] for name in makers}
    samples = 600
    for _ in range(samples):
        # n_h PSUs drawn with replacement in each stratum, each with probability 1/M_h: weight M_h / n_h.
        drawn = (
            np.arange(strata)[:, None] * psus_per_stratum + rng.integers(0, psus_per_stratum, (strata, sampled))
        ).ravel()
        y = population[drawn].ravel()
        w = np.full(y.size, psus_per_stratum / sampled)
        design = SurveyDesign.from_arrays(
            w, np.repeat(psu_stratum[drawn], persons_per_psu), np.repeat(np.arange(drawn.size), persons_per_psu)
        )
        for name, make in makers.items():
            result = estimate(make(y), design=design)
            estimates[name].append(result.estimate)
            variances[name].append(result.se**2)
    for name in makers:
        true_se = float(np.std(estimates[name], ddof=1))
        linearised_se = math.sqrt(float(np.mean(variances[name])))
        # 600 samples estimate the true SE to about ±3 % (one standard error); linear estimators are
        # unbiased under with-replacement sampling, the Gini and the relative-line rate asymptotically.
        tolerance = 0.12 if name in ("total", "mean", "headcount", "poverty_gap") else 0.2
        assert linearised_se == pytest.approx(true_se, rel=tolerance), name


# --- bootstrap against linearisation --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_sample():
    sample = clustered_sample(seed=11, strata=30, psus=10, households=12)
    design = SurveyDesign.from_arrays(sample.weight, sample.stratum, sample.psu)
    reps = rao_wu_bootstrap(design, replicates=1000, seed=20250101)
    return sample, design, reps


def test_bootstrap_se_agrees_with_linearised_se(big_sample) -> None:
    sample, design, reps = big_sample
    y = sample.welfare
    line = 0.6 * weighted_quantile(y, sample.weight, 0.5)
    stats = {
        "total": Total(y),
        "mean": Mean(y),
        "headcount_fixed_line": FGT(y, line, 0),
        "severity_fixed_line": FGT(y, line, 2),
        "gini": Gini(y),
        "arpr": FGT(y, RelativeLine(y, 0.6), 0),
        "poverty_gap_relative_line": FGT(y, RelativeLine(y, 0.6), 1),
        "median": Quantile(y, 0.5),
    }
    for name, stat in stats.items():
        linear = estimate(stat, design=design)
        boot = estimate(stat, replicates=reps)
        assert boot.estimate == linear.estimate
        # 1000 replicates: Monte Carlo error of the bootstrap SE about 2.2 %; for totals and means the two
        # estimate the same quantity. Kernel-density-based linearisations (quantiles, relative lines) get more room.
        tolerance = 0.1 if name in ("total", "mean", "headcount_fixed_line", "severity_fixed_line", "gini") else 0.2
        assert boot.se == pytest.approx(linear.se, rel=tolerance), name


def test_paired_differences_between_scenarios(big_sample) -> None:
    sample, design, reps = big_sample
    base = sample.welfare
    # A reform: a flat transfer of 60 to everybody below 400 (per person), nothing for the others.
    reform = base + np.where(base < 400.0, 60.0, 0.0)
    line = RelativeLine(base, 0.6)  # anchored at the baseline
    for make in (lambda y: FGT(y, line, 0), lambda y: FGT(y, line, 1), lambda y: Gini(y), lambda y: Mean(y)):
        a, b = make(reform), make(base)
        change_boot = estimate(a - b, replicates=reps)
        change_lin = estimate(a - b, design=design)
        assert change_boot.estimate == pytest.approx(a.value(design) - b.value(design), abs=1e-15)
        assert change_boot.se == pytest.approx(change_lin.se, rel=0.2)
        # Pairing matters: the SE of the change is far below what independent samples would give.
        unpaired = math.hypot(estimate(a, replicates=reps).se, estimate(b, replicates=reps).se)
        assert change_boot.se < 0.6 * unpaired


def test_ignoring_clustering_understates_the_se(big_sample) -> None:
    # The design effect is real in this sample: persons as independent draws give a much smaller SE.
    sample, design, _ = big_sample
    naive = SurveyDesign.from_arrays(sample.weight, sample.stratum)
    assert estimate(Mean(sample.welfare), design=naive).se < 0.6 * estimate(Mean(sample.welfare), design=design).se


def test_estimate_table_labels_and_columns(big_sample) -> None:
    sample, _, reps = big_sample
    table = estimate_table(
        [
            ({"indicator": "mean", "scenario": "base"}, Mean(sample.welfare)),
            ({"indicator": "gini", "scenario": "base"}, Gini(sample.welfare)),
        ],
        replicates=reps,
        level=0.9,
    )
    assert list(table.columns) == [
        "indicator",
        "scenario",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "level",
        "method",
        "replicates",
    ]
    row = table.iloc[1]
    assert row["method"] == "bootstrap" and row["replicates"] == 1000 and row["level"] == 0.9
    # 90 % normal interval: ± 1.644854 SE
    assert row["ci_high"] - row["estimate"] == pytest.approx(1.6448536269514722 * row["se"], rel=1e-12)


# --- eusilc: textbook estimator recomputed with pandas ----------------------------------------------------------


@pytest.fixture(scope="module")
def eusilc() -> pd.DataFrame:
    return pd.read_parquet(EUSILC)


def _textbook_variance(frame: pd.DataFrame, z: pd.Series) -> float:
    """Σ_h n_h/(n_h − 1) Σ_j (t_hj − t̄_h)^2 with t_hj = Σ_{i in household j of region h} w_i z_i."""
    totals = (frame["rb050"] * z).groupby([frame["db040"], frame["db030"]]).sum().rename("t").reset_index()
    by_region = totals.groupby("db040")["t"]
    n_h = by_region.transform("size")
    deviation = totals["t"] - by_region.transform("mean")
    return float((n_h / (n_h - 1) * deviation**2).sum())


def test_eusilc_linearised_se_of_the_mean_income(eusilc: pd.DataFrame) -> None:
    design = SurveyDesign.from_arrays(eusilc["rb050"], eusilc["db040"], eusilc["db030"])
    result = estimate(Mean(eusilc["eqIncome"]), design=design)
    w, y = eusilc["rb050"], eusilc["eqIncome"]
    mean = (w * y).sum() / w.sum()
    expected = math.sqrt(_textbook_variance(eusilc, (y - mean) / w.sum()))
    assert result.estimate == pytest.approx(mean, rel=1e-13)
    assert result.se == pytest.approx(expected, rel=1e-10)
    # And the jackknife (one replicate per household) lands close to it, as it must for a smooth statistic.
    assert estimate(Mean(eusilc["eqIncome"]), replicates=jackknife(design)).se == pytest.approx(expected, rel=0.01)


def test_eusilc_linearised_se_of_the_poverty_rate_with_a_fixed_threshold(eusilc: pd.DataFrame) -> None:
    # The at-risk-of-poverty rate with the threshold taken as given (10859.24, the published value).
    design = SurveyDesign.from_arrays(eusilc["rb050"], eusilc["db040"], eusilc["db030"])
    threshold = 10859.24
    result = estimate(FGT(eusilc["eqIncome"], threshold, 0), design=design)
    w, poor = eusilc["rb050"], (eusilc["eqIncome"] < threshold).astype(float)
    rate = (w * poor).sum() / w.sum()
    expected = math.sqrt(_textbook_variance(eusilc, (poor - rate) / w.sum()))
    assert result.estimate == pytest.approx(0.1444422, abs=5e-8)
    assert result.se == pytest.approx(expected, rel=1e-10)
