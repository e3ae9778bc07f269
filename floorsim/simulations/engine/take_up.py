"""Take-up: who among the eligible actually receives a programme, drawn reproducibly before simulation.

Each (entity id, programme, seed) gets a uniform number in [0, 1) from a counter-based hash (SplitMix64, Steele,
Lea & Flood 2014), so a household's draw depends on nothing but those three: not on chunking, worker count,
scenario order or calculation order. An eligible unit takes the programme up when its draw is below the take-up
rate of the scenario; raising the rate only adds recipients (the draws are shared by all scenarios).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import find_parameter

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True)
class TakeUp:
    """A programme whose receipt is subject to take-up: its amount variable, entity and rate parameter."""

    programme: str
    variable: str
    entity: str
    rate_parameter: str


def take_up_rate(system: TaxBenefitSystem, path: str, year: int) -> float:
    """Take-up rate (fraction, 0-1) in force at the end of ``year`` under ``system``; 1 when the parameter starts
    later (nothing is paid then, so nothing is to be taken up)."""
    value = find_parameter(system.parameters, path)(f"{year}-12-31")
    return 1.0 if value is None else float(value)


def _splitmix64(state: np.ndarray) -> np.ndarray:
    """One SplitMix64 output per element of ``state`` (uint64 arithmetic wraps modulo 2**64)."""
    with np.errstate(over="ignore"):
        z = state + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def programme_key(programme: str) -> np.uint64:
    """A stable 64-bit key for a programme name (Python's ``hash`` is salted per process, so it cannot be used)."""
    return np.uint64(int.from_bytes(hashlib.sha256(programme.encode()).digest()[:8], "little"))


def take_up_draws(ids: np.ndarray, programme: str, seed: int) -> np.ndarray:
    """Uniform draws in [0, 1) (float64), one per id, a deterministic function of (id, programme, seed)."""
    state = np.asarray(ids).astype(np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        mixed = _splitmix64(_splitmix64(state ^ programme_key(programme)) ^ np.uint64(seed & 0xFFFFFFFFFFFFFFFF))
    # The top 53 bits give an exactly representable double in [0, 1).
    return (mixed >> np.uint64(11)).astype(np.float64) / float(1 << 53)
