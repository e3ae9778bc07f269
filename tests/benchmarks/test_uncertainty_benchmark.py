"""Design-based uncertainty at scale: Rao–Wu bootstrap replicates re-weighting microsimulation output.

A synthetic person frame shaped like a national household survey: households of 1–8 persons, 15 households
per PSU (enumeration area), 100 strata; baseline welfare lognormal with PSU effects, a reform paying a
transfer to about 30 % of households. The default size is small so the ordinary suite (timing disabled) stays
fast; reproduce docs/PERFORMANCE.md ("Uncertainty") with

    FLOORSIM_BENCH_PERSONS=1000000 .venv/bin/python -m pytest tests/benchmarks/test_uncertainty_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,rounds -s

``FLOORSIM_THREADS`` sets the threads of the per-replicate loops (default: the machine's cores, at most 8).

``test_rank_statistics_over_replicates`` times the rank statistics alone on persons collapsed to households (as
``floorsim run`` computes them): reproduce docs/PERFORMANCE.md ("Rank statistics over replicates") with

    FLOORSIM_BENCH_PERSONS=1000000 .venv/bin/python -m pytest tests/benchmarks/test_uncertainty_benchmark.py \
        -k rank_statistics --benchmark-enable --benchmark-columns=median,min,max,rounds -s
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis import (
    build_person_frame,
    design_from_frame,
    frame_replicates,
    headline_estimates,
    relative_line_statistics,
)
from floorsim.simulations.analysis.uncertainty import compacted
from floorsim.indicators import (
    FGT, Gini, Mean, Palma, Quantile, QuintileShareRatio, RelativeLine, Total, estimate, rao_wu_bootstrap,
)
from floorsim.indicators.weightsets import default_threads

REPLICATES = 200
SEED = 20250101


def bench_persons() -> int:
    return int(os.environ.get("FLOORSIM_BENCH_PERSONS", "100000"))


def synthetic_frame(persons: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, size=persons // 4 + 1)
    household = np.repeat(np.arange(sizes.size), sizes)[:persons]
    n_households = int(household[-1]) + 1
    psu_of_household = np.arange(n_households) // 15
    n_psu = int(psu_of_household[-1]) + 1
    stratum_of_psu = np.arange(n_psu) % 100
    weight = rng.uniform(50.0, 150.0, n_households)
    welfare = np.exp(7.0 + rng.normal(0, 0.35, n_psu)[psu_of_household] + rng.normal(0, 0.6, n_households))
    grant = np.where(rng.random(n_households) < 0.3, 600.0, 0.0)  # a year, per person
    pension = np.where(rng.random(n_households) < 0.1, 1200.0, 0.0)
    return build_person_frame(
        household,
        weight[household],
        {"baseline": welfare[household], "reform": (welfare + (grant + pension) / 12)[household]},
        {
            ("grant", "baseline"): np.zeros(persons),
            ("grant", "reform"): grant[household],
            ("pension", "baseline"): np.zeros(persons),
            ("pension", "reform"): pension[household],
        },
        stratum=stratum_of_psu[psu_of_household][household],
        psu=psu_of_household[household],
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic_frame(bench_persons())


@pytest.fixture(scope="module")
def replicates(frame: pd.DataFrame):
    return frame_replicates(frame, replicates=REPLICATES, seed=SEED)


def _info(benchmark, frame: pd.DataFrame) -> None:
    benchmark.extra_info.update(
        {
            "persons": len(frame),
            "psus": int(frame["psu"].nunique()),
            "replicates": REPLICATES,
            "threads": default_threads(),
        }
    )


def test_generate_bootstrap_replicates(benchmark, frame: pd.DataFrame) -> None:
    design = design_from_frame(frame)
    reps = benchmark(rao_wu_bootstrap, design, REPLICATES, SEED)
    _info(benchmark, frame)
    assert reps.n_sets == REPLICATES


def test_linear_statistics(benchmark, frame: pd.DataFrame, replicates) -> None:
    y = frame["welfare_baseline"].to_numpy()
    cost = frame["amount_grant_reform"].to_numpy()

    def run():
        return [estimate(s, replicates=replicates) for s in (Total(cost), Mean(y), FGT(y, 800.0, 0), FGT(y, 800.0, 1))]

    results = benchmark(run)
    _info(benchmark, frame)
    assert all(r.se > 0 for r in results)


def test_relative_line_poverty_change(benchmark, frame: pd.DataFrame, replicates) -> None:
    base, reform = frame["welfare_baseline"].to_numpy(), frame["welfare_reform"].to_numpy()

    def run():
        line = RelativeLine(base, 0.6)  # anchored at the baseline, re-estimated in every replicate
        return [estimate(FGT(reform, line, a) - FGT(base, line, a), replicates=replicates) for a in (0, 1, 2)]

    results = benchmark(run)
    _info(benchmark, frame)
    assert all(r.estimate < 0 for r in results)


def test_gini_level_and_change(benchmark, frame: pd.DataFrame, replicates) -> None:
    base, reform = frame["welfare_baseline"].to_numpy(), frame["welfare_reform"].to_numpy()

    def run():
        before, after = Gini(base), Gini(reform)
        return estimate(before, replicates=replicates), estimate(after - before, replicates=replicates)

    level, change = benchmark(run)
    _info(benchmark, frame)
    assert level.se > 0 and change.estimate < 0


@pytest.mark.parametrize("method", ["bootstrap", "linearization"])
def test_headline_table(benchmark, frame: pd.DataFrame, replicates, method: str) -> None:
    """The whole headline table: poverty (relative line anchored at the baseline), Gini, mean welfare, costs
    and beneficiaries, for baseline and reform levels and the paired change — 24 rows with SEs and CIs."""
    lines = relative_line_statistics(frame, ["baseline", "reform"], share=0.6, statistic="median", anchor="baseline")
    design = design_from_frame(frame)

    def run():
        if method == "bootstrap":
            return headline_estimates(
                frame, "baseline", ["reform"], line=lines, programmes=["grant", "pension"], replicates=replicates
            )
        return headline_estimates(
            frame, "baseline", ["reform"], line=lines, programmes=["grant", "pension"], design=design
        )

    table = benchmark(run)
    _info(benchmark, frame)
    assert len(table) == 3 * 9 and table["se"].notna().all()


DECILES = [k / 10 for k in range(1, 10)]


def rank_statistics(frame: pd.DataFrame, scenario: str) -> dict[str, object]:
    """The rank statistics of one scenario: Gini, median and decile cut-points, Palma, S80/S20, and poverty
    P0, P1, P2 against 60 % of the scenario's own median (re-estimated in every replicate)."""
    y = frame[f"welfare_{scenario}"].to_numpy()
    line = RelativeLine(y, 0.6)
    stats: dict[str, object] = {"gini": Gini(y), "palma": Palma(y), "s80_s20": QuintileShareRatio(y)}
    stats.update({f"q{q:g}": Quantile(y, q) for q in DECILES})
    stats.update({f"p{a}": FGT(y, line, a) for a in (0, 1, 2)})
    return stats


def test_rank_statistics_over_replicates(benchmark, frame: pd.DataFrame, replicates) -> None:
    """Replicate estimates of the rank statistics of baseline and reform (16 each) and the paired changes, on the
    household-collapsed frame with 200 replicates; every statistic is built afresh in each round (its sort
    included), so nothing comes from a cache of an earlier round."""
    compact, reps = compacted(frame, replicates)

    def run():
        base, reform = rank_statistics(compact, "baseline"), rank_statistics(compact, "reform")
        return {name: estimate(reform[name] - base[name], replicates=reps) for name in base}

    changes = benchmark.pedantic(run, rounds=int(os.environ.get("FLOORSIM_BENCH_ROUNDS", "3")), iterations=1)
    _info(benchmark, frame)
    benchmark.extra_info["households"] = len(compact)
    # The reform pays transfers to about 30 % of households: poverty and inequality fall, the poor's
    # quantiles rise; every change has a positive replicate SE.
    assert changes["gini"].estimate < 0 and changes["p0"].estimate < 0 and changes["q0.1"].estimate > 0
    assert all(change.se > 0 for change in changes.values())
