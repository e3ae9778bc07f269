"""Step 4 of the synthetic survey: consumption, disability, pregnancy and school attendance.

Each is drawn from a model whose shape is an assumption and whose level (and, for consumption, spread) is solved by
bisection so that the weighted result equals the published figure on the final weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from indicators import gini
from surveys.synthetic.targets import Targets

# --- Consumption model (assumptions; only the Gini and the headcount are calibrated) -------------------------
URBAN_LOG_EFFECT = 0.30
HOUSEHOLD_SIZE_ELASTICITY = 0.25  # log per-capita consumption falls by 0.25 per unit of log household size
EA_INTRACLASS_SHARE = 0.15  # share of the random log-consumption variance common to an enumeration area
# Poverty is much higher in the west than in the east (World Bank Poverty & Equity Brief 2019); sizes assumed.
REGION_LOG_EFFECT = {
    "Oecusse": -0.10, "Bobonaro": -0.10, "Covalima": -0.10, "Ermera": -0.10, "Liquica": -0.10, "Ainaro": -0.10,
    "Baucau": 0.05, "Lautem": 0.05, "Viqueque": 0.05,
}

# --- Person attributes (assumptions; levels calibrated to the targets file) ----------------------------------
DISABILITY_AGE_SLOPE_ANY = np.log(1.35) / 10  # prevalence of 'some difficulty or worse' x1.35 every 10 years
DISABILITY_AGE_SLOPE_SEVERE = np.log(1.5) / 10  # prevalence of 'a lot of difficulty or worse' x1.5 every 10 years
PREGNANCY_SHARE_OF_YEAR = 9 / 12
FERTILITY_AGE_PATTERN = {15: 0.25, 20: 0.85, 25: 1.00, 30: 0.90, 35: 0.70, 40: 0.35, 45: 0.10}
# (age below, attendance relative to ages 6-14): 0-4 none, 5 0.40, 6-14 1, 15-17 0.80, 18-19 0.55, 20-24 0.20.
SCHOOL_RELATIVE_ATTENDANCE = ((5, 0.0), (6, 0.40), (15, 1.0), (18, 0.80), (20, 0.55), (25, 0.20), (200, 0.0))
SCHOOL_RURAL_FACTOR = 0.95
SCHOOL_AGE_FOR_TARGET = (6, 14)


def _bisect(function: Callable[[float], float], target: float, low: float, high: float, steps: int = 60) -> float:
    """``x`` in ``[low, high]`` where increasing ``function(x)`` crosses ``target`` (bisection)."""
    for _ in range(steps):
        middle = (low + high) / 2
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def draw_consumption(
    rng: np.random.Generator, households: pd.DataFrame, size: np.ndarray, weights: np.ndarray, targets: Targets
) -> np.ndarray:
    """Household consumption per month (reference-year USD) reproducing the Gini and the poverty headcount.

    log(per-capita consumption) = level + urban and regional effects - elasticity x log(size) + spread x z,
    where z mixes an enumeration-area effect and a household effect. ``spread`` is solved for the Gini and
    ``level`` so that exactly the published share of persons (household weight x size) is below the line.
    """
    psu = households["psu"].to_numpy()
    ea_effect = rng.standard_normal(psu.max() + 1)[psu]
    own_effect = rng.standard_normal(len(households))
    z = np.sqrt(EA_INTRACLASS_SHARE) * ea_effect + np.sqrt(1 - EA_INTRACLASS_SHARE) * own_effect
    fixed = (
        URBAN_LOG_EFFECT * households["urban"].to_numpy()
        + households["region"].map(REGION_LOG_EFFECT).fillna(0.0).to_numpy()
        - HOUSEHOLD_SIZE_ELASTICITY * np.log(size)
    )
    person_weight = weights * size
    spread = _bisect(lambda s: gini(np.exp(fixed + s * z), person_weight), targets.gini, 0.0, 3.0)
    log_pc = fixed + spread * z
    level = np.log(targets.poverty_line) - _headcount_threshold(log_pc, person_weight, targets.poverty_headcount)
    return np.exp(level + log_pc) * size


def _headcount_threshold(values: np.ndarray, weights: np.ndarray, share: float) -> float:
    """A cut between two adjacent sorted values such that the weighted share strictly below it is nearest ``share``."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    below = np.cumsum(weights[order]) / weights.sum()  # share at or below each sorted value
    i = int(np.searchsorted(below, share))
    if i > 0 and share - below[i - 1] < below[i] - share:
        i -= 1  # cutting just above value i-1 is closer to the target than just above value i
    upper = sorted_values[i + 1] if i + 1 < len(sorted_values) else sorted_values[i] + 1.0
    return float((sorted_values[i] + upper) / 2)


def draw_disability(
    rng: np.random.Generator, age: np.ndarray, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Washington Group severity 0-3 from age, calibrated to adults with any difficulty and to severe prevalence."""
    u = rng.random(len(age))
    any_shape = np.exp(DISABILITY_AGE_SLOPE_ANY * age)
    severe_shape = np.exp(DISABILITY_AGE_SLOPE_SEVERE * age)
    adult = age >= 15

    def p_any(scale: float) -> np.ndarray:
        return np.minimum(scale * any_shape, 0.95)

    def adults_any(scale: float) -> float:
        return float(np.sum(person_weight * adult * (u < p_any(scale))) / np.sum(person_weight * adult))

    any_scale = _bisect(adults_any, targets.adults_any_difficulty, 0.0, 1.0)
    p1 = p_any(any_scale)

    def severe(scale: float) -> float:
        return float(np.sum(person_weight * (u < np.minimum(scale * severe_shape, p1))) / person_weight.sum())

    severe_scale = _bisect(severe, targets.severe_disability_share, 0.0, 1.0)
    p2 = np.minimum(severe_scale * severe_shape, p1)
    p3 = targets.cannot_do_share_of_severe * p2
    # One uniform per person nests the levels: u < p3 <= p2 <= p1 gives severity 3, and so on.
    return ((u < p1).astype(np.int64) + (u < p2) + (u < p3)).astype(np.int64)


def draw_pregnancy(
    rng: np.random.Generator, persons: pd.DataFrame, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Pregnant on the survey date: women 15-49, in proportion to age-specific fertility, scaled so that weighted
    pregnancies equal 9/12 x crude birth rate x population (a pregnancy lasts 9 months; losses ignored)."""
    u = rng.random(len(persons))
    age = persons["age"].to_numpy()
    female = persons["female"].to_numpy()
    starts = np.array(sorted(FERTILITY_AGE_PATTERN))
    relative = np.array([FERTILITY_AGE_PATTERN[s] for s in starts])
    fertile = female & (age >= starts[0]) & (age < starts[-1] + 5)
    pattern = np.where(fertile, relative[np.clip(np.searchsorted(starts, age, side="right") - 1, 0, None)], 0.0)
    pregnancies = PREGNANCY_SHARE_OF_YEAR * targets.crude_birth_rate * person_weight.sum()

    def pregnant_total(scale: float) -> float:
        return float(np.sum(person_weight * (u < scale * pattern)))

    # Realised (not only expected) weighted pregnancies match the birth rate; the scale is the 25-29 probability.
    scale = _bisect(pregnant_total, pregnancies, 0.0, 1.0)
    return u < scale * pattern


def draw_schooling(
    rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame, weights: np.ndarray, targets: Targets
) -> np.ndarray:
    """Attending school, by age (rural x0.95), with the level set so that the published share of households has
    a child of school age (6-14) out of school."""
    u = rng.random(len(persons))
    age = persons["age"].to_numpy()
    hh = persons["hh"].to_numpy()
    limits = np.array([limit for limit, _ in SCHOOL_RELATIVE_ATTENDANCE])
    relative = np.array([r for _, r in SCHOOL_RELATIVE_ATTENDANCE])[np.searchsorted(limits, age, side="right")]
    relative = relative * np.where(households["urban"].to_numpy()[hh], 1.0, SCHOOL_RURAL_FACTOR)
    school_age = (age >= SCHOOL_AGE_FOR_TARGET[0]) & (age <= SCHOOL_AGE_FOR_TARGET[1])

    def attending(level: float) -> np.ndarray:
        return u < np.minimum(level * relative, 1.0)

    def households_with_child_out(level: float) -> float:
        out = np.bincount(hh, weights=school_age & ~attending(level), minlength=len(weights)) > 0
        return float(np.sum(weights * out) / weights.sum())

    # The share falls as the level rises, so bisect on its negative.
    level = _bisect(lambda x: -households_with_child_out(x), -targets.households_child_out_of_school, 0.0, 1.1)
    return attending(level)
