"""A deterministic, seeded synthetic household survey of Timor-Leste, calibrated to published figures.

This is floorsim's embedded default survey. **It is synthetic**: no household in it exists, and it must not be
used for statistics about Timor-Leste beyond testing and illustrating floorsim (see ``docs/synthetic_survey.md``).

What it reproduces (numbers and sources in ``surveys/data/timor_leste_targets.yaml``):

* population by sex and five-year age group, population by municipality (13, Atauro folded into Dili) and the
  number of households, exactly, through calibrated weights;
* the official poverty headcount (41.8%) at the national poverty line (US$46.37 per person per month in 2014
  prices) and the Gini index of per-capita consumption (0.29), exactly and to three decimals respectively;
* disability (share of adults with any functional difficulty, share of the population with a lot of difficulty),
  pregnancy (from the crude birth rate) and school attendance (share of households with a child out of school).

Reference year: 2015
    The demographic structure comes from the 2015 Census (census night 11 July 2015) and consumption from the
    TLSLS-3 poverty results, whose fieldwork ran from April 2014 to March 2015. Choosing 2015 keeps the two in the
    same period, so the only assumption on consumption is a one-year CPI uprating (2014 to 2015, +0.65%, IMF).
    A 2022 reference year (the latest census) was considered and rejected for now: no 2022 table by five-year age
    and sex and no consistent CPI series for 2020-2022 could be found, and carrying the 2014 consumption
    distribution through COVID-19 and the 2022 price rise would be a much stronger assumption. The 2022 census
    totals are kept in the targets file so that a later version can re-age the survey by calibration.

How a survey is made (each step is one function below):

1. Households are allocated to 26 strata (municipality x urban/rural) in proportion to population, with at least
   two enumeration areas per stratum, and grouped into enumeration areas of about 15 households (the PSUs).
2. Each household gets a head (age, sex), maybe a spouse, children of the head (at least 15 years younger than
   both parents), maybe elderly parents of the head, grandchildren and other relatives, and rarely a
   non-relative. The probabilities are assumptions, tuned so that calibration moves weights little.
3. Weights start equal within each stratum (the inverse of its sampling fraction, since small strata are
   over-sampled) and are raked (``surveys.calibration.calibrate_weights``, exponential distance) to persons by
   sex x age group, persons by stratum and the number of households.
4. Consumption per capita is log-normal with urban, west/east and household-size effects and an
   enumeration-area random effect; its spread is solved for the Gini and its level for the headcount, both on the
   final weights. Disability, pregnancy and school attendance are drawn last, with levels calibrated likewise.

Every random number comes from one ``numpy.random.Generator(PCG64(seed))`` drawn in a fixed order, so a seed and a
size give identical tables on every machine and no global random state is touched.

Options, all opt-in so that the default path draws exactly the same numbers (the bundled survey depends on it):

* ``year=`` (2025-2035) reweights the finished survey to the UN WPP 2022 population by age group of that year and
  moves money with the country package's CPI chain (:func:`reweight_to_year`);
* :func:`write_large_synthetic_survey` writes 5-20 million persons block by block, one household-aligned row group
  per block, each block a deterministic function of (seed, block index);
* no employment status: no sourced employment figure could be read (see ``docs/synthetic_survey.md``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from surveys.calibration import CalibrationError, Margin, calibrate_survey, calibrate_weights
from surveys.errors import SurveyError
from surveys.io import DEFAULT_HOUSEHOLDS_PER_ROW_GROUP, HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, replace_folder
from surveys.model import Survey, SurveyMetadata

DEFAULT_SEED = 20_150_711
DEFAULT_TARGETS = Path(__file__).resolve().parent / "data" / "timor_leste_targets.yaml"
DEFAULT_HOUSEHOLDS = 10_000  # the "about 10,000 households"; the bundled survey keeps 4,000 (bundled.py)
POPULATION_PROJECTION = Path(__file__).resolve().parent / "data" / "timor_leste_population_projection.yaml"
COUNTRY_PACKAGE = Path(__file__).resolve().parents[1] / "country_packages" / "timor_leste"
CPI_FILE = COUNTRY_PACKAGE / "parameters" / "country" / "cpi.yaml"  # country.cpi (index, 2010 = 100)
CPI_INFLATION_FILE = COUNTRY_PACKAGE / "parameters" / "country" / "cpi_inflation.yaml"  # country.cpi_inflation
# Inflation for the years after the last published rate (2025 on): the projection assumptions' `prices.inflation`.
CPI_ASSUMPTIONS_FILE = COUNTRY_PACKAGE / "projections" / "assumptions_2025_2035.yaml"
GENERATOR_VERSION = "1"
POVERTY_LINE_PRICE_YEAR = 2014  # prices of the published line (key poverty_line_2014 in the targets file)

EA_SIZE = 15  # households per synthetic enumeration area (PSU)
MIN_EAS_PER_STRATUM = 2  # design-based variance needs at least two PSUs in each stratum
MIN_BLOCK_HOUSEHOLDS = 600  # the smallest survey the generator makes (every calibration cell needs people)

# --- Household composition model (assumptions: tuned for plausibility, corrected by calibration) --------------
HEAD_AGE_GROUP_STARTS = np.arange(15, 90, 5)  # 15-19, ..., 85-89 (the last group is drawn over 85-94)
HEAD_AGE_WEIGHTS = {
    "male": np.array([0.005, 0.03, 0.07, 0.11, 0.12, 0.14, 0.135, 0.11, 0.08, 0.065, 0.06, 0.045, 0.02, 0.01, 0.005]),
    "female": np.array([0.005, 0.015, 0.03, 0.05, 0.07, 0.09, 0.10, 0.10, 0.09, 0.09, 0.10, 0.11, 0.08, 0.045, 0.025]),
}
FEMALE_HEAD_SHARE = 0.18
SEX_RATIO_AT_BIRTH_MALE_SHARE = 0.515
CHILDREN_PER_COUPLE_MAX = 4.6  # mean co-resident children when the younger parent is 37-50
CHILD_MAX_AGE = 32  # oldest co-resident child of the head
PARENT_IN_HOUSEHOLD_BY_HEAD_AGE = ((30, 0.12), (45, 0.16), (55, 0.08), (70, 0.01))  # (age below, probability)
LONE_PARENT_FEMALE_SHARE = 0.72  # widowhood: more surviving mothers than fathers
OTHER_RELATIVES_MEAN = 0.25
OTHER_RELATIVE_AGES = (0, 32)  # nieces, nephews, siblings and in-laws of the head
GRANDCHILDREN_MEAN_MAX = 1.5
NON_RELATIVE_PROBABILITY = {False: 0.02, True: 0.06}  # rural, urban

ROLE_ORDER = {"head": 0, "spouse": 1, "child": 2, "parent": 3, "other_relative": 4, "non_relative": 5}

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


@dataclass(frozen=True)
class Targets:
    """The figures the generator matches, read from the targets YAML (see that file for sources).

    Attributes:
        reference_year: year of ages and money values.
        age_groups: inclusive (lowest, highest) age of each group, in years.
        persons_by_age_sex: persons per age group, shape (2, groups), rows female then male.
        municipality_population: persons per municipality.
        urban_share_national, urban_share_dili: share of persons living in urban areas.
        households_total: number of private households.
        poverty_line: national poverty line in reference-year USD per person per month.
        poverty_headcount, gini: share of persons below the line; Gini of per-capita consumption.
        adults_any_difficulty: share of persons aged 15+ with disability severity >= 1.
        severe_disability_share: share of all persons with severity >= 2.
        cannot_do_share_of_severe: share of persons with severity >= 2 who have severity 3.
        crude_birth_rate: live births per person per year.
        households_child_out_of_school: share of households with a child aged 6-14 not attending school.
        sha256: hash of the targets file's bytes.
    """

    reference_year: int
    age_groups: tuple[tuple[int, int], ...]
    persons_by_age_sex: np.ndarray
    municipality_population: dict[str, float]
    urban_share_national: float
    urban_share_dili: float
    households_total: float
    poverty_line: float
    poverty_headcount: float
    gini: float
    adults_any_difficulty: float
    severe_disability_share: float
    cannot_do_share_of_severe: float
    crude_birth_rate: float
    households_child_out_of_school: float
    sha256: str

    @property
    def population_total(self) -> float:
        """Total persons (float)."""
        return float(self.persons_by_age_sex.sum())


def load_targets(path: str | Path | None = None) -> Targets:
    """Read the targets YAML (default: the bundled Timor-Leste file) into :class:`Targets`."""
    path = Path(path) if path is not None else DEFAULT_TARGETS
    raw_bytes = path.read_bytes()
    raw = yaml.safe_load(raw_bytes)
    pop = raw["population"]
    consumption = raw["consumption"]
    year = int(raw["reference_year"])
    # Move the 2014 line to the reference year with the CPI, as the consumption distribution is moved with it.
    inflation = consumption["cpi_inflation"]["values"]
    uprating = float(np.prod([1 + rate for y, rate in inflation.items() if POVERTY_LINE_PRICE_YEAR < int(y) <= year]))
    by_age_sex = np.array([pop["by_age_sex"]["female"], pop["by_age_sex"]["male"]], dtype=np.float64)
    targets = Targets(
        reference_year=year,
        age_groups=tuple((int(lo), int(hi)) for lo, hi in pop["age_groups"]),
        persons_by_age_sex=by_age_sex,
        municipality_population={k: float(v) for k, v in pop["by_municipality"]["values"].items()},
        urban_share_national=float(pop["urban_share"]["national"]["value"]),
        urban_share_dili=float(pop["urban_share"]["dili"]["value"]),
        households_total=float(raw["households"]["total"]["value"]),
        poverty_line=float(consumption["poverty_line_2014"]["value"]) * uprating,
        poverty_headcount=float(consumption["poverty_headcount_2014"]["value"]),
        gini=float(consumption["gini_2014"]["value"]),
        adults_any_difficulty=float(raw["disability"]["adults_15plus_some_difficulty_or_worse"]["value"]),
        severe_disability_share=float(raw["disability"]["population_a_lot_of_difficulty_or_worse"]["value"]),
        cannot_do_share_of_severe=float(raw["disability"]["cannot_do_at_all_share_of_severe"]["value"]),
        crude_birth_rate=float(raw["fertility"]["crude_birth_rate"]["value"]),
        households_child_out_of_school=float(raw["schooling"]["households_with_a_child_not_in_school"]["value"]),
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
    _check_targets(targets, path)
    return targets


def _check_targets(targets: Targets, path: Path) -> None:
    """Refuse a targets file whose margins contradict each other (calibration could not meet them all)."""
    by_age = targets.population_total
    by_region = sum(targets.municipality_population.values())
    if abs(by_age - by_region) > 0.5:
        raise SurveyError(
            f"persons by age and sex ({by_age:,.0f}) and by municipality ({by_region:,.0f}) must add up to the same "
            "total",
            source=str(path),
            field="population",
        )
    if "Dili" not in targets.municipality_population:
        raise SurveyError("the urban-share assumption needs a municipality named 'Dili'", source=str(path))


def generate_timor_leste_survey(
    seed: int = DEFAULT_SEED,
    n_households: int = DEFAULT_HOUSEHOLDS,
    targets: str | Path | None = None,
    *,
    year: int | None = None,
) -> Survey:
    """Generate the synthetic Timor-Leste survey: ``n_households`` households calibrated to ``targets``.

    Args:
        seed: seed of the ``PCG64`` generator; the same seed and size give identical tables.
        n_households: sample size in households (default 10,000); at least 600, so that every calibration cell has
            people in it. Below about 2,000 the allocation (two enumeration areas per stratum at least) is close to
            equal across strata, so design weights, and therefore final weights, vary widely. (The bundled survey,
            ``surveys/bundled.py``, passes 4,000 explicitly.)
        targets: path of a targets YAML; ``None`` uses ``surveys/data/timor_leste_targets.yaml``.
        year: ``None`` or the targets' reference year (2015) gives the survey as calibrated to the targets. Any
            other year must be one of the UN WPP 2022 projection's years (2025-2035,
            ``surveys/data/timor_leste_population_projection.yaml``): the finished survey is then reweighted by
            raking to that year's persons by five-year age group, and consumption and the poverty line are moved
            to that year's prices with the country package's CPI chain (:func:`cpi_factor`). No random number is
            drawn for this, so the households and persons are those of ``year=None``; only weights and money change.

    Returns:
        A validated :class:`~surveys.model.Survey` with ``metadata.synthetic`` set; household consumption is the
        total per month in USD of ``metadata.reference_year``, and ``metadata.extra["poverty_line"]`` is the
        national line in the same unit per person.
    """
    if isinstance(n_households, bool) or not isinstance(n_households, (int, np.integer)) or n_households < 600:
        raise ValueError(f"n_households must be an integer of at least 600, got {n_households!r}")
    loaded = load_targets(targets)
    rng = np.random.Generator(np.random.PCG64(seed))

    households = _draw_households(rng, int(n_households), loaded)
    persons = _draw_members(rng, households)
    size = np.bincount(persons["hh"].to_numpy(), minlength=len(households))
    weights = calibrate_household_weights(households, persons, loaded)
    person_weight = weights[persons["hh"].to_numpy()]

    households["consumption"] = _draw_consumption(rng, households, size, weights, loaded)
    persons["disability_severity"] = _draw_disability(rng, persons["age"].to_numpy(), person_weight, loaded)
    persons["pregnant"] = _draw_pregnancy(rng, persons, person_weight, loaded)
    persons["in_school"] = _draw_schooling(rng, persons, households, weights, loaded)
    households["weight"] = weights
    survey = _assemble(households, persons, seed, int(n_households), loaded)
    if year is not None and int(year) != loaded.reference_year:
        survey = reweight_to_year(survey, int(year))
    return survey


# --- 1. Strata, allocation and enumeration areas ---------------------------------------------------------------


def stratum_population(targets: Targets) -> pd.DataFrame:
    """Persons per municipality x urban/rural stratum implied by the targets (columns region, urban, persons)."""
    regions = targets.municipality_population
    total = sum(regions.values())
    dili = regions["Dili"]
    # One urban share for all municipalities but Dili, chosen so that the national share holds (an assumption).
    other_share = (targets.urban_share_national * total - targets.urban_share_dili * dili) / (total - dili)
    rows = []
    for region, persons in regions.items():
        share = targets.urban_share_dili if region == "Dili" else other_share
        rows.append((region, False, persons * (1 - share)))
        rows.append((region, True, persons * share))
    return pd.DataFrame(rows, columns=["region", "urban", "persons"])


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


def _draw_households(rng: np.random.Generator, n: int, targets: Targets) -> pd.DataFrame:
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


# --- 2. Household members ----------------------------------------------------------------------------------------


def _ramp(x: np.ndarray, start: float, end: float) -> np.ndarray:
    """0 below ``start``, 1 above ``end``, linear in between."""
    return np.clip((x - start) / (end - start), 0.0, 1.0)


def _uniform_int(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Integers drawn uniformly in ``[low, high]`` (inclusive, elementwise; requires low <= high)."""
    return (low + np.floor(rng.random(len(low)) * (high - low + 1))).astype(np.int64)


def _draw_heads(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sex (True = female) and age in years of each household head; heads are 15 or older."""
    female = rng.random(n) < FEMALE_HEAD_SHARE
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
    rng: np.random.Generator, head_female: np.ndarray, head_age: np.ndarray, spouse_age: np.ndarray, urban: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Children of the head: household index and age, each at least 15 years younger than both parents."""
    couple = spouse_age >= 0
    parent_age = np.where(couple, np.minimum(head_age, spouse_age), head_age)
    # Co-resident children rise with the younger parent's age, then leave home from the parents' fifties.
    mean = CHILDREN_PER_COUPLE_MAX * _ramp(parent_age, 17, 37) * np.maximum(1 - _ramp(parent_age, 50, 75), 0.1)
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
    rng: np.random.Generator, head_age: np.ndarray, urban: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grandchildren, other relatives and non-relatives: household index, age, and whether related to the head."""
    n = len(head_age)
    grand = np.where(head_age >= 40, rng.poisson(GRANDCHILDREN_MEAN_MAX * _ramp(head_age, 40, 60)), 0)
    hh_grand = np.repeat(np.arange(n), grand)
    age_grand = _uniform_int(rng, np.zeros(len(hh_grand), np.int64), np.minimum(head_age[hh_grand] - 36, 17).clip(0))
    other = rng.poisson(OTHER_RELATIVES_MEAN, n)
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


def _draw_members(rng: np.random.Generator, households: pd.DataFrame) -> pd.DataFrame:
    """Persons of every household (columns hh, age, sex, relationship), head first, then spouse, children, ..."""
    n = len(households)
    urban = households["urban"].to_numpy()
    head_female, head_age = _draw_heads(rng, n)
    spouse_age = _draw_spouses(rng, head_female, head_age)
    child_hh, child_age = _draw_children(rng, head_female, head_age, spouse_age, urban)
    parent_hh, parent_age, parent_female = _draw_parents(rng, head_age)
    rel_hh, rel_age, related = _draw_relatives(rng, head_age, urban)
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


# --- 3. Calibration --------------------------------------------------------------------------------------------


def _age_group_index(age: np.ndarray, age_groups: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Index of each age's group (ages above the last group's upper bound fall in the last group)."""
    lows = np.array([lo for lo, _ in age_groups])
    return np.searchsorted(lows, age, side="right") - 1


def _margin_names(targets: Targets) -> list[tuple[str, str]]:
    """(margin, category) of each column of the calibration matrix, in order."""
    names = [("households", "all")]
    for sex in ("female", "male"):
        names += [("persons by sex and age", f"{sex} {lo}-{hi}") for lo, hi in targets.age_groups]
    strata = stratum_population(targets)
    names += [
        ("persons by stratum", f"{r} {'urban' if u else 'rural'}") for r, u in zip(strata["region"], strata["urban"])
    ]
    return names


def _calibration_system(
    households: pd.DataFrame, persons: pd.DataFrame, targets: Targets
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix of counts per margin (households x margins), starting (design) weights and margin totals."""
    n = len(households)
    groups = len(targets.age_groups)
    age_sex = persons["female"].map({True: 0, False: 1}).to_numpy() * groups + _age_group_index(
        persons["age"].to_numpy(), targets.age_groups
    )
    strata = stratum_population(targets)
    stratum = households["stratum_index"].to_numpy()[persons["hh"].to_numpy()]
    columns = 1 + 2 * groups + len(strata)
    matrix = np.zeros((n, columns))
    matrix[:, 0] = 1.0
    np.add.at(matrix, (persons["hh"].to_numpy(), 1 + age_sex), 1.0)
    np.add.at(matrix, (persons["hh"].to_numpy(), 1 + 2 * groups + stratum), 1.0)
    totals = np.concatenate(
        [[targets.households_total], targets.persons_by_age_sex.ravel(), strata["persons"].to_numpy()]
    )
    return matrix, _design_weights(households, strata, targets), totals


def _design_weights(households: pd.DataFrame, strata: pd.DataFrame, targets: Targets) -> np.ndarray:
    """Starting weights: equal within each stratum, the inverse of the stratum's sampling fraction.

    Small strata are over-sampled (at least two enumeration areas each), so equal weights across strata would make
    raking shrink their households by a factor that grows exponentially with household size. Households expected
    in a stratum are its persons divided by the national mean household size.
    """
    expected_households = strata["persons"].to_numpy() * targets.households_total / targets.population_total
    stratum = households["stratum_index"].to_numpy()
    sampled = np.bincount(stratum, minlength=len(strata))
    return (expected_households / sampled)[stratum]


def calibrate_household_weights(households: pd.DataFrame, persons: pd.DataFrame, targets: Targets) -> np.ndarray:
    """Household weights raked to the targets' households, persons by sex and age group, and persons by stratum.

    Raking (exponential distance) by :func:`surveys.calibration.calibrate_weights`, the routine users calibrate
    their own surveys with, to a relative error below 1e-9 on every margin.

    Raises:
        SurveyError: when a margin cannot be met (e.g. no sampled person in an age-sex cell); it names the margin
            and says to generate more households.
    """
    matrix, start, totals = _calibration_system(households, persons, targets)
    try:
        result = calibrate_weights(matrix, start, totals, method="raking", tol=1e-9, names=_margin_names(targets))
    except CalibrationError as error:
        raise SurveyError(
            f"{error.rule}: generate more households", source="synthetic generator", field=error.field
        ) from error
    return result.weights


# --- 4. Consumption and person attributes ------------------------------------------------------------------------


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini index of ``values`` with non-negative ``weights`` (trapezoidal Lorenz curve, exact for step data)."""
    order = np.argsort(values, kind="stable")
    x, w = values[order].astype(np.float64), weights[order].astype(np.float64)
    cum_w = np.cumsum(w) / w.sum()
    cum_x = np.cumsum(w * x) / (w * x).sum()
    lorenz_area = np.sum(np.diff(np.concatenate([[0.0], cum_w])) * (cum_x + np.concatenate([[0.0], cum_x[:-1]])))
    return float(1.0 - lorenz_area)


def _bisect(function: Callable[[float], float], target: float, low: float, high: float, steps: int = 60) -> float:
    """``x`` in ``[low, high]`` where increasing ``function(x)`` crosses ``target`` (bisection)."""
    for _ in range(steps):
        middle = (low + high) / 2
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _draw_consumption(
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
    spread = _bisect(lambda s: weighted_gini(np.exp(fixed + s * z), person_weight), targets.gini, 0.0, 3.0)
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


def _draw_disability(
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


def _draw_pregnancy(
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


def _draw_schooling(
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


# --- Assembly and reporting ----------------------------------------------------------------------------------------


def _assemble(
    households: pd.DataFrame, persons: pd.DataFrame, seed: int, n_households: int, targets: Targets
) -> Survey:
    """Tables in floorsim's data model with metadata; constructing :class:`Survey` validates them."""
    ids = households["household_id"].to_numpy()
    persons_table = pd.DataFrame(
        {
            "person_id": np.arange(1, len(persons) + 1, dtype=np.int64),
            "household_id": ids[persons["hh"].to_numpy()],
            "age": persons["age"].to_numpy(np.int64),
            "sex": np.where(persons["female"], "female", "male"),
            "relationship": persons["relationship"].to_numpy(),
            "disability_severity": persons["disability_severity"].to_numpy(np.int64),
            "pregnant": persons["pregnant"].to_numpy(bool),
            "in_school": persons["in_school"].to_numpy(bool),
        }
    )
    households_table = households[["household_id", "weight", "region", "urban", "consumption", "stratum", "psu"]]
    metadata = SurveyMetadata(
        name="timor_leste_synthetic",
        country="TLS",
        reference_year=targets.reference_year,
        currency="USD",
        welfare_concept="consumption",
        synthetic=True,
        source=(
            "SYNTHETIC survey generated by floorsim (surveys/synthetic.py), calibrated to published Timor-Leste "
            "figures (Census 2015; TLSLS-3 2014-15 poverty results; see surveys/data/timor_leste_targets.yaml). "
            "No household in it exists: use it for testing and illustration only, never for statistics about "
            "Timor-Leste."
        ),
        reference_period=(
            f"{targets.reference_year}: ages and demographic margins at the census of 11 July 2015; consumption from "
            f"TLSLS-3 (April 2014 - March 2015) moved from 2014 to {targets.reference_year} prices with the CPI"
        ),
        welfare_definition=(
            "household total consumption per month (synthetic: log-normal per capita, calibrated to the official "
            "2014 poverty headcount and Gini of TLSLS-3)"
        ),
        extra={
            "seed": int(seed),
            "n_households": n_households,
            "targets_sha256": targets.sha256,
            "generator_version": GENERATOR_VERSION,
            "poverty_line": round(targets.poverty_line, 4),
            "poverty_line_unit": f"USD per person per month, {targets.reference_year} prices",
        },
    )
    return Survey(households_table.reset_index(drop=True), persons_table, metadata=metadata, origin="<synthetic>")


# --- 5. A chosen year: reweighting to projected margins and moving money with the CPI ------------------------


def _year_of(key: object) -> int:
    """Year of a parameter key: ``2015``, ``"2015"`` or a date such as ``2015-01-01``."""
    return int(key.year) if hasattr(key, "year") else int(str(key)[:4])


def cpi_index() -> dict[int, float]:
    """Annual CPI of Timor-Leste (2010 = 100) from the country package's parameter files, read as YAML.

    ``country.cpi`` gives the index up to 2014; each later year is the previous one times ``1 + rate``, with the
    rate from ``country.cpi_inflation`` (published, 2015-2024) and, for later years, from ``prices.inflation`` of
    the projection assumptions (``country_packages/timor_leste/projections/assumptions_2025_2035.yaml``: IMF
    projections for 2025-2026, an assumed 2% after). The engine is not imported.
    """
    levels = {_year_of(k): float(v["value"]) for k, v in yaml.safe_load(CPI_FILE.read_text())["values"].items()}
    rates = {_year_of(k): float(v["value"]) for k, v in yaml.safe_load(CPI_INFLATION_FILE.read_text())["values"].items()}
    for entry in yaml.safe_load(CPI_ASSUMPTIONS_FILE.read_text())["prices"]["inflation"]:
        first, _, last = str(entry["years"]).partition("-")
        for y in range(int(first), int(last or first) + 1):
            rates.setdefault(y, float(entry["value"]))  # published rates win
    year = max(levels)
    while year + 1 in rates:
        levels[year + 1] = levels[year] * (1 + rates[year + 1])
        year += 1
    return levels


def cpi_factor(from_year: int, to_year: int) -> float:
    """Price level of ``to_year`` over that of ``from_year`` (see :func:`cpi_index`)."""
    index = cpi_index()
    missing = [y for y in (from_year, to_year) if y not in index]
    if missing:
        raise ValueError(f"no CPI for {missing} (the chain covers {min(index)}-{max(index)})")
    return index[to_year] / index[from_year]


def _projection_margin(year: int) -> Margin:
    """Persons by five-year age group in ``year`` from the UN WPP 2022 projection (both sexes; thousands x 1000)."""
    raw = yaml.safe_load(POPULATION_PROJECTION.read_text(encoding="utf-8"))
    years = {int(y): table for y, table in raw["years"].items()}
    if year not in years:
        raise ValueError(
            f"year {year} is neither the survey's reference year nor a year of the population projection "
            f"({min(years)}-{max(years)}, {POPULATION_PROJECTION.name})"
        )
    if not str(raw["unit"]).startswith("thousands of persons"):
        raise ValueError(f"{POPULATION_PROJECTION.name}: unexpected unit {raw['unit']!r}")
    labels = [str(label) for label in raw["age_groups"]]
    lows = tuple(int(label.split("-")[0].rstrip("+")) for label in labels)
    counts = years[year]["both_sexes"]
    return Margin(
        name=f"persons by age group, {year} (UN WPP 2022 medium variant)",
        level="persons",
        by=("age_group",),
        targets={label: float(counts[label]) * 1000.0 for label in labels},
        age_groups=lows,
    )


def reweight_to_year(survey: Survey, year: int) -> Survey:
    """The synthetic survey moved to ``year``: weights raked to that year's persons by five-year age group (UN WPP
    2022, both sexes) and money (household consumption, the poverty line) multiplied by the CPI ratio between
    ``year`` and the survey's reference year. Households, persons and every other column are unchanged."""
    base_year = survey.metadata.reference_year
    margin = _projection_margin(year)
    reweighted, result = calibrate_survey(survey, [margin], method="raking")
    factor = cpi_factor(base_year, year)
    households = reweighted.households.assign(consumption=reweighted.households["consumption"] * factor)
    extra = dict(reweighted.metadata.extra)
    extra["poverty_line"] = round(float(extra["poverty_line"]) * factor, 4)
    extra["poverty_line_unit"] = f"USD per person per month, {year} prices"
    extra["year"] = {
        "base_year": base_year,
        "population": f"{POPULATION_PROJECTION.name}: {margin.name}",
        "cpi_factor": factor,
        "cpi": "country.cpi chained with country.cpi_inflation (country package) and the projection assumptions' "
        "prices.inflation after 2024",
        "max_relative_error": result.max_relative_error,
    }
    metadata = replace(
        reweighted.metadata,
        reference_year=year,
        reference_period=(
            f"{year}: the {base_year} synthetic survey reweighted to the UN WPP 2022 population by five-year age "
            f"group of {year} and moved to {year} prices with the CPI (x{factor:.4f}); real consumption per capita "
            f"is held at its {base_year} level. Base: {reweighted.metadata.reference_period}"
        ),
        extra=extra,
    )
    return Survey(households, reweighted.persons, metadata, origin=survey.origin)


# --- 6. Large surveys, written block by block ----------------------------------------------------------------------


def block_seed(seed: int, block: int) -> int:
    """Seed of block ``block`` of a large survey: the first 64-bit word of ``SeedSequence([seed, block])``."""
    return int(np.random.SeedSequence([int(seed), int(block)]).generate_state(1, np.uint64)[0])


def large_survey_blocks(persons: int, households_per_row_group: int, targets: Targets) -> list[int]:
    """Households in each block: about ``persons`` / (mean household size of the targets) in all, split as evenly
    as possible into the fewest blocks of at most ``households_per_row_group`` households."""
    total = round(persons * targets.households_total / targets.population_total)
    n_blocks = -(-total // households_per_row_group)
    size, extra = divmod(total, n_blocks)
    sizes = [size + 1 if block < extra else size for block in range(n_blocks)]
    if sizes[-1] < MIN_BLOCK_HOUSEHOLDS:
        raise ValueError(
            f"{persons:,} persons in blocks of at most {households_per_row_group:,} households gives blocks of "
            f"{sizes[-1]:,} households; each block needs at least {MIN_BLOCK_HOUSEHOLDS} (raise persons or "
            "households_per_row_group)"
        )
    return sizes


def write_large_synthetic_survey(
    folder: str | Path,
    persons: int = 5_000_000,
    seed: int = DEFAULT_SEED,
    households_per_row_group: int = DEFAULT_HOUSEHOLDS_PER_ROW_GROUP,
    *,
    targets: str | Path | None = None,
    year: int | None = None,
) -> Path:
    """Write a synthetic survey of about ``persons`` persons to ``folder`` without holding it in memory.

    Meant for 5-20 million persons (benchmarks of the engine's streaming path); any size giving blocks of at least
    600 households works. The survey is made of blocks (:func:`large_survey_blocks`); block ``b`` is the survey
    :func:`generate_timor_leste_survey` makes with seed :func:`block_seed` ``(seed, b)`` and its share of the
    households, so each block is calibrated to the whole population and its weights are then divided by the number
    of blocks: the whole survey's weights sum to the population (and households) target. Household, person and PSU
    ids are offset so that they are unique across blocks; each block is one household-aligned row group of both
    files. Only one block is in memory at a time. The folder is written in a temporary folder renamed into place,
    and reads with :func:`surveys.io.read_survey` or, one block at a time, :class:`surveys.io.SurveyFile`.

    The number of persons is approximate (households are drawn, persons follow: about +1.5%). ``year`` is passed
    to every block (see :func:`generate_timor_leste_survey`). The same arguments give byte-identical files.
    """
    if isinstance(persons, bool) or not isinstance(persons, (int, np.integer)) or persons < 1:
        raise ValueError(f"persons must be a positive integer, got {persons!r}")
    if households_per_row_group < MIN_BLOCK_HOUSEHOLDS:
        raise ValueError(f"households_per_row_group must be at least {MIN_BLOCK_HOUSEHOLDS}")
    loaded = load_targets(targets)
    sizes = large_survey_blocks(int(persons), int(households_per_row_group), loaded)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    household_writer = person_writer = None
    try:
        households_done = persons_done = psus_done = 0
        for block, size in enumerate(sizes):
            survey = generate_timor_leste_survey(block_seed(seed, block), size, targets, year=year)
            households = survey.households.assign(
                household_id=survey.households["household_id"] + households_done,
                weight=survey.households["weight"] / len(sizes),
                psu=survey.households["psu"] + psus_done,
            )
            members = survey.persons.assign(
                person_id=survey.persons["person_id"] + persons_done,
                household_id=survey.persons["household_id"] + households_done,
            )
            if household_writer is None:
                metadata = _large_metadata(survey.metadata, seed, sizes)
                household_schema = pa.Schema.from_pandas(households, preserve_index=False)
                household_schema = household_schema.with_metadata(
                    {**(household_schema.metadata or {}), METADATA_KEY: json.dumps(dataclasses.asdict(metadata),
                                                                                   sort_keys=True).encode()}
                )
                person_schema = pa.Schema.from_pandas(members, preserve_index=False)
                household_writer = pq.ParquetWriter(staging / HOUSEHOLDS_FILE, household_schema)
                person_writer = pq.ParquetWriter(staging / PERSONS_FILE, person_schema)
            household_writer.write_table(
                pa.Table.from_pandas(households, schema=household_schema, preserve_index=False),
                row_group_size=len(households),
            )
            person_writer.write_table(
                pa.Table.from_pandas(members, schema=person_schema, preserve_index=False),
                row_group_size=len(members),
            )
            households_done += len(households)
            persons_done += len(members)
            psus_done = int(households["psu"].max())
            del survey, households, members
        household_writer.close()
        person_writer.close()
        household_writer = person_writer = None
        replace_folder(staging, folder)
    finally:
        for writer in (household_writer, person_writer):
            if writer is not None:
                writer.close()
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _large_metadata(block_metadata: SurveyMetadata, seed: int, sizes: list[int]) -> SurveyMetadata:
    """Metadata of a large survey: that of its first block with the seed and size of the whole survey."""
    extra = {k: v for k, v in block_metadata.extra.items() if k not in ("seed", "n_households", "calibration")}
    extra.update(
        {
            "seed": int(seed),
            "n_households": int(sum(sizes)),
            "blocks": len(sizes),
            "block_households": sizes,
            "block_seeds": "SeedSequence([seed, block]).generate_state(1, uint64)[0]; weights divided by blocks",
        }
    )
    return replace(block_metadata, extra=extra)


def achieved_vs_targets(survey: Survey, targets: str | Path | None = None) -> pd.DataFrame:
    """Published figure against the synthetic survey's weighted value, one row per headline target.

    Columns: ``figure``, ``target`` (NaN where nothing is targeted), ``achieved``, ``how`` (calibrated exactly,
    calibrated, assumption, or not targeted).
    """
    t = load_targets(targets)
    hh, persons = survey.households, survey.persons
    w = hh["weight"].to_numpy()
    size = survey.household_size
    pw = survey.person_weight
    age = persons["age"].to_numpy()
    female = (persons["sex"] == "female").to_numpy()
    pc = survey.consumption_per_capita()
    person_pc = pc[survey.person_household_index]
    severity = persons["disability_severity"].to_numpy()
    index = survey.person_household_index
    elderly = age >= 65
    alone = (size == 1)[index]
    school_age = (age >= 6) & (age <= 14)
    child_out = np.bincount(index, weights=school_age & ~persons["in_school"].to_numpy(), minlength=len(hh)) > 0
    urban = hh["urban"].to_numpy()[index]
    urban_persons = np.sum(pw * urban)

    def share(mask: np.ndarray, base: np.ndarray | None = None) -> float:
        base = np.ones(len(mask), bool) if base is None else base
        return float(np.sum(pw * (mask & base)) / np.sum(pw * base))

    group = _age_group_index(age, t.age_groups)
    cells = np.array([np.bincount(group[female == f], weights=pw[female == f], minlength=len(t.age_groups))
                      for f in (True, False)])
    regions = pd.Series(pw).groupby(hh["region"].to_numpy()[index]).sum()
    region_error = max(abs(regions.get(r, 0.0) / v - 1) for r, v in t.municipality_population.items())
    rows = [
        ("population", t.population_total, pw.sum(), "calibrated exactly"),
        ("32 sex x age-group cells: largest relative error", 0.0,
         float(np.abs(cells / t.persons_by_age_sex - 1).max()), "calibrated exactly"),
        ("13 municipalities: largest relative error", 0.0, float(region_error), "calibrated exactly"),
        ("households", t.households_total, w.sum(), "calibrated exactly (target is an assumption)"),
        ("females", t.persons_by_age_sex[0].sum(), pw[female].sum(), "calibrated exactly"),
        ("share aged 0-14", _age_share(t, 0, 14), share(age <= 14), "calibrated exactly"),
        ("share aged 65+", _age_share(t, 65, 120), share(elderly), "calibrated exactly"),
        ("urban share of persons", t.urban_share_national, urban_persons / pw.sum(), "calibrated exactly (assumption)"),
        ("Dili population", t.municipality_population["Dili"], pw[(hh["region"].to_numpy() == "Dili")[index]].sum(),
         "calibrated exactly"),
        ("mean household size", t.population_total / t.households_total, pw.sum() / w.sum(),
         "follows (assumption)"),
        ("poverty headcount at national line", t.poverty_headcount, share(person_pc < t.poverty_line), "calibrated"),
        ("Gini of per-capita consumption", t.gini, weighted_gini(pc, w * size), "calibrated"),
        ("mean consumption per capita (USD/month)", np.nan, float(np.sum(pw * person_pc) / pw.sum()), "not targeted"),
        ("poverty headcount, urban", np.nan, share(person_pc < t.poverty_line, urban), "not targeted"),
        ("poverty headcount, rural", np.nan, share(person_pc < t.poverty_line, ~urban), "not targeted"),
        ("adults 15+ with some difficulty or worse", t.adults_any_difficulty, share(severity >= 1, age >= 15),
         "calibrated"),
        ("persons with a lot of difficulty or worse", t.severe_disability_share, share(severity >= 2), "calibrated"),
        ("births per person per year implied by pregnancies", t.crude_birth_rate,
         share(persons["pregnant"].to_numpy()) / PREGNANCY_SHARE_OF_YEAR, "calibrated"),
        ("households with a child 6-14 out of school", t.households_child_out_of_school,
         float(np.sum(w * child_out) / w.sum()), "calibrated"),
        ("persons 65+ living alone (share of 65+)", np.nan, share(alone, elderly), "not targeted"),
        ("female-headed households (share)", np.nan,
         float(np.sum(w * female[persons["relationship"].to_numpy() == "head"]) / w.sum()), "not targeted"),
        ("largest weight / smallest weight", np.nan, float(w.max() / w.min()), "diagnostic"),
    ]
    return pd.DataFrame(rows, columns=["figure", "target", "achieved", "how"])


def _age_share(targets: Targets, low: int, high: int) -> float:
    """Share of the target population in age groups lying within ``[low, high]``."""
    inside = [i for i, (lo, hi) in enumerate(targets.age_groups) if lo >= low and hi <= high]
    return float(targets.persons_by_age_sex[:, inside].sum() / targets.population_total)


def _format_table(table: pd.DataFrame) -> str:
    """Markdown table with numbers rounded for reading."""

    def number(x: float) -> str:
        if pd.isna(x):
            return "-"
        if 0 < abs(x) < 1e-3:
            return f"{x:.1e}"
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4f}"

    lines = ["| figure | target | achieved | how |", "|---|---:|---:|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.figure} | {number(row.target)} | {number(row.achieved)} | {row.how} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m surveys.synthetic``: print target vs generated, or (with ``--persons`` and ``--out``) write a
    large survey in household-aligned row groups."""
    import argparse
    import time

    parser = argparse.ArgumentParser(
        description="Generate the synthetic Timor-Leste survey and compare it with its targets, or write a large one "
        "(--persons N --out FOLDER) block by block."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument("--year", type=int, default=None, help="reweight and reprice to this year (2025-2035)")
    parser.add_argument("--persons", type=int, default=None, help="write a survey of about this many persons")
    parser.add_argument("--out", type=Path, default=None, help="folder to write (with --persons)")
    parser.add_argument("--households-per-row-group", type=int, default=DEFAULT_HOUSEHOLDS_PER_ROW_GROUP)
    args = parser.parse_args(argv)
    if (args.persons is None) != (args.out is None):
        parser.error("--persons and --out go together")
    started = time.perf_counter()
    if args.persons is not None:
        path = write_large_synthetic_survey(
            args.out, args.persons, args.seed, args.households_per_row_group, year=args.year
        )
        written = pq.ParquetFile(path / PERSONS_FILE).metadata
        print(f"wrote {path}: {written.num_rows:,} persons in {written.num_row_groups} row groups, "
              f"{time.perf_counter() - started:.1f} s")
        return 0
    generated = generate_timor_leste_survey(seed=args.seed, n_households=args.households, year=args.year)
    elapsed = time.perf_counter() - started
    print(f"seed {args.seed}, {len(generated)} households, {len(generated.persons)} persons, {elapsed:.2f} s\n")
    if args.year is None:
        print(_format_table(achieved_vs_targets(generated)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
