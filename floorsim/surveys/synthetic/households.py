"""Step 1 and 2 of the synthetic survey: strata, enumeration areas and households, then their members.

Households are allocated to region x urban/rural strata in proportion to population (at least two enumeration
areas per stratum); each gets a head, maybe a spouse, children, parents of the head, other relatives and rarely a
non-relative. The probabilities are assumptions, tuned so that calibration moves weights little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from floorsim.surveys.synthetic.profile import Composition
from floorsim.surveys.synthetic.targets import Targets

EA_SIZE = 15  # households per synthetic enumeration area (PSU)
MIN_EAS_PER_STRATUM = 2  # design-based variance needs at least two PSUs in each stratum

# --- Household composition model (assumptions: tuned for plausibility, corrected by calibration) --------------
# The profile's households.composition sets the head's sex and the mean numbers of children, grandchildren and
# other relatives (profile.Composition, whose defaults are Timor-Leste's); the age patterns below are shared.
HEAD_AGE_GROUP_STARTS = np.arange(15, 90, 5)  # 15-19, ..., 85-89 (the last group is drawn over 85-94)
HEAD_AGE_WEIGHTS = {
    "male": np.array([0.005, 0.03, 0.07, 0.11, 0.12, 0.14, 0.135, 0.11, 0.08, 0.065, 0.06, 0.045, 0.02, 0.01, 0.005]),
    "female": np.array([0.005, 0.015, 0.03, 0.05, 0.07, 0.09, 0.10, 0.10, 0.09, 0.09, 0.10, 0.11, 0.08, 0.045, 0.025]),
}
SEX_RATIO_AT_BIRTH_MALE_SHARE = 0.515
CHILD_MAX_AGE = 32  # oldest co-resident child of the head
PARENT_IN_HOUSEHOLD_BY_HEAD_AGE = ((30, 0.12), (45, 0.16), (55, 0.08), (70, 0.01))  # (age below, probability)
LONE_PARENT_FEMALE_SHARE = 0.72  # widowhood: more surviving mothers than fathers
OTHER_RELATIVE_AGES = (0, 32)  # nieces, nephews, siblings and in-laws of the head
NON_RELATIVE_PROBABILITY = {False: 0.02, True: 0.06}  # rural, urban

ROLE_ORDER = {"head": 0, "spouse": 1, "child": 2, "parent": 3, "other_relative": 4, "non_relative": 5}


def other_regions_urban_share(targets: Targets) -> float:
    """The one urban share of the regions whose share the profile does not give, so that the national share holds:
    (national x total - sum of share x persons over the listed regions) / (persons in the other regions)."""
    regions = targets.region_population
    total = sum(regions.values())
    listed = targets.urban_share_by_region
    listed_urban = sum(listed[r] * regions[r] for r in listed)
    rest = total - sum(regions[r] for r in listed)
    if rest <= 0:
        return targets.urban_share_national
    return (targets.urban_share_national * total - listed_urban) / rest


def stratum_population(targets: Targets) -> pd.DataFrame:
    """Persons per region x urban/rural stratum implied by the targets (columns region, urban, persons); strata
    without persons (a region wholly urban or wholly rural) are left out."""
    other_share = other_regions_urban_share(targets)
    rows = []
    for region, persons in targets.region_population.items():
        share = targets.urban_share_by_region.get(region, other_share)
        rows.append((region, False, persons * (1 - share)))
        rows.append((region, True, persons * share))
    strata = pd.DataFrame(rows, columns=["region", "urban", "persons"])
    return strata[strata["persons"] > 0].reset_index(drop=True)


def _allocate(shares: np.ndarray, n: int, minimum: int) -> np.ndarray:
    """Split ``n`` units over strata in proportion to ``shares``, each getting at least ``minimum`` (or an equal
    share of ``n`` if that is smaller), rounding by largest remainder."""
    minimum = min(minimum, n // len(shares))
    counts = np.full(len(shares), minimum, dtype=np.int64)
    remaining = n - counts.sum()
    ideal = shares / shares.sum() * n
    extra = np.clip(ideal - minimum, 0, None)
    extra = extra / extra.sum() * remaining if extra.sum() > 0 else np.full(len(shares), remaining / len(shares))
    counts += np.floor(extra).astype(np.int64)
    shortfall = n - counts.sum()
    order = np.argsort(-(extra - np.floor(extra)), kind="stable")
    counts[order[:shortfall]] += 1
    return counts


def draw_households(rng: np.random.Generator, n: int, targets: Targets) -> pd.DataFrame:
    """Households with region, urban flag, stratum label and enumeration-area id (PSU), in stratum order."""
    strata = stratum_population(targets)
    counts = _allocate(strata["persons"].to_numpy(), n, MIN_EAS_PER_STRATUM * EA_SIZE)
    stratum_index = np.repeat(np.arange(len(strata)), counts)
    position = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    eas_per_stratum = -(-counts // EA_SIZE)
    ea_offset = np.repeat(np.cumsum(eas_per_stratum) - eas_per_stratum, counts)
    households = pd.DataFrame(
        {
            "household_id": np.arange(1, n + 1, dtype=np.int64),
            "region": strata["region"].to_numpy()[stratum_index],
            "urban": strata["urban"].to_numpy()[stratum_index],
            "stratum_index": stratum_index,
            "psu": (ea_offset + position // EA_SIZE + 1).astype(np.int64),
        }
    )
    households["stratum"] = households["region"] + "|" + np.where(households["urban"], "urban", "rural")
    return households


def _ramp(x: np.ndarray, start: float, end: float) -> np.ndarray:
    """0 below ``start``, 1 above ``end``, linear in between."""
    return np.clip((x - start) / (end - start), 0.0, 1.0)


def _uniform_int(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Integers drawn uniformly in ``[low, high]`` (inclusive, elementwise; requires low <= high)."""
    return (low + np.floor(rng.random(len(low)) * (high - low + 1))).astype(np.int64)


def _draw_heads(rng: np.random.Generator, n: int, composition: Composition) -> tuple[np.ndarray, np.ndarray]:
    """Sex (True = female) and age in years of each household head; heads are 15 or older."""
    female = rng.random(n) < composition.female_head_share
    ages = np.empty(n, dtype=np.int64)
    for sex, mask in (("female", female), ("male", ~female)):
        weights = HEAD_AGE_WEIGHTS[sex] / HEAD_AGE_WEIGHTS[sex].sum()
        group = rng.choice(len(weights), size=mask.sum(), p=weights)
        width = np.where(group == len(weights) - 1, 10, 5)  # the last group spans 85-94
        ages[mask] = HEAD_AGE_GROUP_STARTS[group] + np.floor(rng.random(mask.sum()) * width).astype(np.int64)
    return female, ages


def _draw_spouses(rng: np.random.Generator, head_female: np.ndarray, head_age: np.ndarray) -> np.ndarray:
    """Age of the head's spouse, or -1 when there is none; husbands are on average 4 years older than wives."""
    p_male_head = np.select(
        [head_age < 20, head_age < 25, head_age < 60, head_age < 70], [0.5, 0.8, 0.93, 0.8], default=0.55
    )
    has_spouse = rng.random(len(head_age)) < np.where(head_female, 0.08, p_male_head)
    gap = np.clip(np.rint(rng.normal(4.0, 4.0, len(head_age))), -5, 20).astype(np.int64)
    spouse_age = np.where(head_female, head_age + gap, head_age - gap)
    spouse_age = np.clip(spouse_age, 15, 98)
    return np.where(has_spouse, spouse_age, -1)


def _draw_children(
    rng: np.random.Generator,
    head_female: np.ndarray,
    head_age: np.ndarray,
    spouse_age: np.ndarray,
    urban: np.ndarray,
    composition: Composition,
) -> tuple[np.ndarray, np.ndarray]:
    """Children of the head: household index and age, each at least 15 years younger than both parents."""
    couple = spouse_age >= 0
    parent_age = np.where(couple, np.minimum(head_age, spouse_age), head_age)
    # Co-resident children rise with the younger parent's age, then leave home from the parents' fifties.
    mean = composition.children_per_couple_max * _ramp(parent_age, 17, 37) * np.maximum(1 - _ramp(parent_age, 50, 75), 0.1)
    mean *= np.where(couple, 1.0, np.where(head_female, 0.75, 0.35))
    mean *= np.where(urban, 0.9, 1.0)
    low = np.maximum(0, parent_age - 44)
    high = np.minimum(parent_age - 15, CHILD_MAX_AGE)
    count = np.where(high >= low, np.minimum(rng.poisson(mean), 10), 0)
    hh = np.repeat(np.arange(len(head_age)), count)
    return hh, _uniform_int(rng, low[hh], high[hh])


def _draw_parents(rng: np.random.Generator, head_age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elderly parents of the head living in the household: household index, age, sex (True = female)."""
    probability = np.select([head_age < limit for limit, _ in PARENT_IN_HOUSEHOLD_BY_HEAD_AGE],
                            [p for _, p in PARENT_IN_HOUSEHOLD_BY_HEAD_AGE], default=0.0)
    has = rng.random(len(head_age)) < probability
    both = has & (rng.random(len(head_age)) < 0.3)
    mother_age = np.minimum(head_age + _uniform_int(rng, np.full(len(head_age), 18), np.full(len(head_age), 38)), 98)
    father_age = np.minimum(mother_age + _uniform_int(rng, np.zeros(len(head_age), np.int64),
                                                      np.full(len(head_age), 6)), 99)
    lone_female = rng.random(len(head_age)) < LONE_PARENT_FEMALE_SHARE
    hh_one = np.flatnonzero(has & ~both)
    hh_both = np.flatnonzero(both)
    hh = np.concatenate([hh_one, hh_both, hh_both])
    age = np.concatenate([np.where(lone_female[hh_one], mother_age[hh_one], father_age[hh_one]),
                          mother_age[hh_both], father_age[hh_both]])
    female = np.concatenate([lone_female[hh_one], np.ones(len(hh_both), bool), np.zeros(len(hh_both), bool)])
    return hh, age, female


def _draw_relatives(
    rng: np.random.Generator, head_age: np.ndarray, urban: np.ndarray, composition: Composition
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grandchildren, other relatives and non-relatives: household index, age, and whether related to the head."""
    n = len(head_age)
    grand = np.where(head_age >= 40, rng.poisson(composition.grandchildren_mean_max * _ramp(head_age, 40, 60)), 0)
    hh_grand = np.repeat(np.arange(n), grand)
    age_grand = _uniform_int(rng, np.zeros(len(hh_grand), np.int64), np.minimum(head_age[hh_grand] - 36, 17).clip(0))
    other = rng.poisson(composition.other_relatives_mean, n)
    hh_other = np.repeat(np.arange(n), other)
    low, high = OTHER_RELATIVE_AGES
    age_other = _uniform_int(rng, np.full(len(hh_other), low), np.full(len(hh_other), high))
    stranger = rng.random(n) < np.where(urban, NON_RELATIVE_PROBABILITY[True], NON_RELATIVE_PROBABILITY[False])
    hh_stranger = np.flatnonzero(stranger)
    age_stranger = _uniform_int(rng, np.full(len(hh_stranger), 15), np.full(len(hh_stranger), 40))
    hh = np.concatenate([hh_grand, hh_other, hh_stranger])
    age = np.concatenate([age_grand, age_other, age_stranger])
    related = np.concatenate([np.ones(len(hh_grand) + len(hh_other), bool), np.zeros(len(hh_stranger), bool)])
    return hh, age, related


def draw_members(rng: np.random.Generator, households: pd.DataFrame, composition: Composition) -> pd.DataFrame:
    """Persons of every household (columns hh, age, sex, relationship), head first, then spouse, children, ..."""
    n = len(households)
    urban = households["urban"].to_numpy()
    head_female, head_age = _draw_heads(rng, n, composition)
    spouse_age = _draw_spouses(rng, head_female, head_age)
    child_hh, child_age = _draw_children(rng, head_female, head_age, spouse_age, urban, composition)
    parent_hh, parent_age, parent_female = _draw_parents(rng, head_age)
    rel_hh, rel_age, related = _draw_relatives(rng, head_age, urban, composition)
    # Sexes of children and other members are drawn here, after all ages, to keep the draw order fixed.
    child_female = rng.random(len(child_hh)) >= SEX_RATIO_AT_BIRTH_MALE_SHARE
    rel_female = rng.random(len(rel_hh)) < 0.5
    spouse_hh = np.flatnonzero(spouse_age >= 0)
    parts = [
        (np.arange(n), head_age, head_female, "head"),
        (spouse_hh, spouse_age[spouse_hh], ~head_female[spouse_hh], "spouse"),
        (child_hh, child_age, child_female, "child"),
        (parent_hh, parent_age, parent_female, "parent"),
        (rel_hh[related], rel_age[related], rel_female[related], "other_relative"),
        (rel_hh[~related], rel_age[~related], rel_female[~related], "non_relative"),
    ]
    persons = pd.DataFrame(
        {
            "hh": np.concatenate([p[0] for p in parts]).astype(np.int64),
            "age": np.concatenate([p[1] for p in parts]).astype(np.int64),
            "female": np.concatenate([p[2] for p in parts]).astype(bool),
            "role": np.concatenate([np.full(len(p[0]), ROLE_ORDER[p[3]]) for p in parts]),
            "relationship": np.concatenate([np.full(len(p[0]), p[3], dtype=object) for p in parts]),
        }
    )
    # Stable sort by household, then role, then age (oldest first) so tables read naturally.
    order = np.lexsort((-persons["age"].to_numpy(), persons["role"].to_numpy(), persons["hh"].to_numpy()))
    return persons.iloc[order].reset_index(drop=True)
