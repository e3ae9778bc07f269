"""Step 4 of the synthetic survey: welfare, disability, pregnancy, school attendance, births and orphanhood.

Each is drawn from a model whose shape is an assumption and whose level (and, for consumption, spread) is solved by
bisection so that the weighted result equals the published figure on the final weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from floorsim.indicators import gini
from floorsim.surveys.synthetic.targets import Targets

# The welfare model (urban and regional effects, household-size elasticity, enumeration-area share of the variance)
# comes from the profile's welfare.model (profile.WelfareModel); only the targets are calibrated.

# --- Person attributes (assumptions; levels calibrated to the profile) ----------------------------------
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
    """Household welfare per month (reference-year currency) reproducing the Gini and the poverty rate (or mean).

    log(per-capita welfare) = level + urban and regional effects - elasticity x log(size) + spread x z,
    where z mixes an enumeration-area effect and a household effect. ``spread`` is solved for the Gini and
    ``level`` so that exactly the published share of persons (household weight x size) or of households is below
    the line (the urban or rural line where there are two); without a poverty target, so that the person-weighted
    mean per capita equals the published mean.
    """
    model = targets.welfare_model
    psu = households["psu"].to_numpy()
    ea_effect = rng.standard_normal(psu.max() + 1)[psu]
    own_effect = rng.standard_normal(len(households))
    z = np.sqrt(model.ea_intraclass_share) * ea_effect + np.sqrt(1 - model.ea_intraclass_share) * own_effect
    urban = households["urban"].to_numpy()
    fixed = (
        model.urban_log_effect * urban
        + households["region"].map(model.region_log_effect).fillna(0.0).to_numpy()
        - model.household_size_elasticity * np.log(size)
    )
    person_weight = weights * size
    spread = _bisect(lambda s: gini(np.exp(fixed + s * z), person_weight), targets.gini, 0.0, 3.0)
    log_pc = fixed + spread * z
    return np.exp(_level(log_pc, urban, weights, person_weight, targets) + log_pc) * size


def _level(
    log_pc: np.ndarray, urban: np.ndarray, weights: np.ndarray, person_weight: np.ndarray, targets: Targets
) -> float:
    """The constant added to log per-capita welfare so that its level matches the poverty rate (or the mean)."""
    if targets.poverty_rate is None:
        mean = np.sum(person_weight * np.exp(log_pc)) / person_weight.sum()
        return float(np.log(targets.mean_per_capita) - np.log(mean))
    share_weights = person_weight if targets.poverty_population == "persons" else weights
    if not targets.split_poverty_lines:
        return float(np.log(targets.poverty_line) - _headcount_threshold(log_pc, share_weights, targets.poverty_rate))
    # Two lines: poor when log_pc + level < log(line of the area), i.e. log_pc - log(line / rural line) is below
    # log(rural line) - level; one threshold on the shifted values sets the level.
    shift = np.where(urban, np.log(targets.poverty_line_urban) - np.log(targets.poverty_line_rural), 0.0)
    return float(
        np.log(targets.poverty_line_rural) - _headcount_threshold(log_pc - shift, share_weights, targets.poverty_rate)
    )


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


def _in_ages(age: np.ndarray, ages: tuple[int, int | None]) -> np.ndarray:
    """Whether each age lies in ``[ages[0], ages[1]]`` (no upper bound when ``ages[1]`` is None)."""
    low, high = ages
    return (age >= low) & (age <= (high if high is not None else np.iinfo(np.int64).max))


def draw_disability(
    rng: np.random.Generator, age: np.ndarray, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Washington Group severity 0-3 from age, calibrated to 'a lot of difficulty or worse' among its ages and,
    where the profile gives it, to 'some difficulty or worse' among its ages (otherwise no one has severity 1)."""
    u = rng.random(len(age))
    any_shape = np.exp(DISABILITY_AGE_SLOPE_ANY * age)
    severe_shape = np.exp(DISABILITY_AGE_SLOPE_SEVERE * age)
    severe_base = _in_ages(age, targets.severe_disability_ages)

    def p_any(scale: float) -> np.ndarray:
        return np.minimum(scale * any_shape, 0.95)

    if targets.some_difficulty is not None:
        any_base = _in_ages(age, targets.some_difficulty_ages)

        def share_any(scale: float) -> float:
            return float(np.sum(person_weight * any_base * (u < p_any(scale))) / np.sum(person_weight * any_base))

        p1 = p_any(_bisect(share_any, targets.some_difficulty, 0.0, 1.0))
    else:
        p1 = np.full(len(age), 0.95)  # no 'some difficulty' figure: severity >= 1 is severity >= 2 (below)

    def severe(scale: float) -> float:
        hit = u < np.minimum(scale * severe_shape, p1)
        return float(np.sum(person_weight * (hit & severe_base)) / np.sum(person_weight * severe_base))

    severe_scale = _bisect(severe, targets.severe_disability_share, 0.0, 1.0)
    p2 = np.minimum(severe_scale * severe_shape, p1)
    if targets.some_difficulty is None:
        p1 = p2
    p3 = targets.cannot_do_share_of_severe * p2
    # One uniform per person nests the levels: u < p3 <= p2 <= p1 gives severity 3, and so on.
    return ((u < p1).astype(np.int64) + (u < p2) + (u < p3)).astype(np.int64)


def draw_pregnancy(
    rng: np.random.Generator, persons: pd.DataFrame, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Pregnant on the survey date: women 15-49, in proportion to age-specific fertility, scaled so that weighted
    pregnancies equal 9/12 x crude birth rate x population (a pregnancy lasts 9 months; losses ignored)."""
    u = rng.random(len(persons))
    pattern = _fertility_pattern(persons)
    if targets.crude_birth_rate is not None:
        pregnancies = PREGNANCY_SHARE_OF_YEAR * targets.crude_birth_rate * person_weight.sum()
    else:
        pregnancies = PREGNANCY_SHARE_OF_YEAR * annual_births(persons, person_weight, targets)

    def pregnant_total(scale: float) -> float:
        return float(np.sum(person_weight * (u < scale * pattern)))

    # Realised (not only expected) weighted pregnancies match the birth rate; the scale is the 25-29 probability.
    scale = _bisect(pregnant_total, pregnancies, 0.0, 1.0)
    return u < scale * pattern


def draw_schooling(
    rng: np.random.Generator, persons: pd.DataFrame, households: pd.DataFrame, weights: np.ndarray, targets: Targets
) -> np.ndarray:
    """Attending school, by age (rural x0.95), with the level set so that the published share of households has
    a child of the target ages out of school, or so that the published share of persons of those ages attend."""
    u = rng.random(len(persons))
    age = persons["age"].to_numpy()
    hh = persons["hh"].to_numpy()
    limits = np.array([limit for limit, _ in SCHOOL_RELATIVE_ATTENDANCE])
    relative = np.array([r for _, r in SCHOOL_RELATIVE_ATTENDANCE])[np.searchsorted(limits, age, side="right")]
    relative = relative * np.where(households["urban"].to_numpy()[hh], 1.0, SCHOOL_RURAL_FACTOR)
    school_age = _in_ages(age, targets.schooling_ages)

    def attending(level: float) -> np.ndarray:
        return u < np.minimum(level * relative, 1.0)

    if targets.schooling_target == "attendance":
        person_weight = weights[hh]

        def attendance(level: float) -> float:
            return float(np.sum(person_weight * (school_age & attending(level))) / np.sum(person_weight * school_age))

        return attending(_bisect(attendance, targets.schooling_share, 0.0, 1.1))

    def households_with_child_out(level: float) -> float:
        out = np.bincount(hh, weights=school_age & ~attending(level), minlength=len(weights)) > 0
        return float(np.sum(weights * out) / weights.sum())

    # The share falls as the level rises, so bisect on its negative.
    level = _bisect(lambda x: -households_with_child_out(x), -targets.schooling_share, 0.0, 1.1)
    return attending(level)


def _fertility_pattern(persons: pd.DataFrame) -> np.ndarray:
    """Relative fertility of each person (0 for men and outside ages 15-49), from FERTILITY_AGE_PATTERN."""
    age = persons["age"].to_numpy()
    female = persons["female"].to_numpy()
    starts = np.array(sorted(FERTILITY_AGE_PATTERN))
    relative = np.array([FERTILITY_AGE_PATTERN[s] for s in starts])
    fertile = female & (age >= starts[0]) & (age < starts[-1] + 5)
    return np.where(fertile, relative[np.clip(np.searchsorted(starts, age, side="right") - 1, 0, None)], 0.0)


def annual_births(persons: pd.DataFrame, person_weight: np.ndarray, targets: Targets) -> float:
    """Weighted births in a year: crude birth rate x population, or, from the total fertility rate TFR, the sum over
    women of their age-specific fertility rate f(a) = TFR x r(a) / (5 x sum of r over the seven 5-year groups),
    r being FERTILITY_AGE_PATTERN (so that 5 x sum of f over the groups = TFR)."""
    if targets.crude_birth_rate is not None:
        return float(targets.crude_birth_rate * person_weight.sum())
    rates = targets.total_fertility_rate * _fertility_pattern(persons) / (5 * sum(FERTILITY_AGE_PATTERN.values()))
    return float(np.sum(person_weight * rates))


def draw_births(
    rng: np.random.Generator, persons: pd.DataFrame, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Gave birth in the last 12 months: women 15-49 in proportion to the age pattern of fertility, scaled so that
    weighted births = :func:`annual_births` (births, not children aged 0: see docs/DOMAIN.md).

    Drawn independently of ``pregnant`` (a woman may have given birth and be pregnant again); multiple births
    count once (an assumption: the flag is per woman)."""
    u = rng.random(len(persons))
    pattern = _fertility_pattern(persons)
    births = annual_births(persons, person_weight, targets)
    scale = _bisect(lambda x: float(np.sum(person_weight * (u < x * pattern))), births, 0.0, 1.0)
    return u < scale * pattern


def draw_orphans(
    rng: np.random.Generator, persons: pd.DataFrame, person_weight: np.ndarray, targets: Targets
) -> np.ndarray:
    """Orphan (mother, father or both died) among the profile's ages, with a probability rising linearly with age
    within them (an assumption: parents' deaths accumulate), scaled so that the weighted share matches."""
    u = rng.random(len(persons))
    age = persons["age"].to_numpy()
    base = _in_ages(age, targets.orphan_ages)
    shape = np.where(base, age - targets.orphan_ages[0] + 1.0, 0.0)

    def share(scale: float) -> float:
        return float(np.sum(person_weight * (u < scale * shape)) / np.sum(person_weight * base))

    # At scale 1 every eligible person is an orphan (shape >= 1), so the scale lies in [0, 1].
    return u < _bisect(share, targets.orphan_share, 0.0, 1.0) * shape
