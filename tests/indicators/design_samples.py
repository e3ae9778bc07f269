"""Simulated stratified cluster samples for the uncertainty tests (not a test module)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def lognormal_sample(
    seed: int, *, n: int, mu: float, sigma: float, weights: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` log-normal values (log-mean ``mu``, log-sd ``sigma``) and uniform weights in ``weights``, seeded."""
    rng = np.random.default_rng(seed)
    return rng.lognormal(mu, sigma, size=n), rng.uniform(*weights, size=n)


@dataclass
class Sample:
    """Persons of a stratified two-stage sample: welfare, weight, stratum, PSU and household."""

    welfare: np.ndarray
    weight: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray
    household: np.ndarray


def clustered_sample(
    seed: int, strata: int = 20, psus: int = 12, households: int = 10, cluster_sd: float = 0.35
) -> Sample:
    """``strata`` strata of ``psus`` PSUs, each with ``households`` households of 1-7 persons.

    Log-welfare has a stratum effect, a PSU (cluster) effect of sd ``cluster_sd`` and a household effect, so
    PSUs are internally correlated and ignoring the clustering would understate SEs. Weights vary by stratum
    and household.
    """
    rng = np.random.default_rng(seed)
    n_psu = strata * psus
    psu_stratum = np.repeat(np.arange(strata), psus)
    n_hh = n_psu * households
    hh_psu = np.repeat(np.arange(n_psu), households)
    size = rng.integers(1, 8, size=n_hh)
    log_welfare = (
        6.0
        + rng.normal(0.0, 0.2, strata)[psu_stratum[hh_psu]]
        + rng.normal(0.0, cluster_sd, n_psu)[hh_psu]
        + rng.normal(0.0, 0.6, n_hh)
    )
    hh_weight = rng.uniform(50.0, 150.0, strata)[psu_stratum[hh_psu]] * rng.uniform(0.8, 1.2, n_hh)
    person_hh = np.repeat(np.arange(n_hh), size)
    return Sample(
        welfare=np.exp(log_welfare)[person_hh],
        weight=hh_weight[person_hh],
        stratum=psu_stratum[hh_psu][person_hh],
        psu=hh_psu[person_hh],
        household=person_hh,
    )
