"""A country profile turned into the arrays and numbers the generator matches (:class:`Targets`).

:func:`load_targets` reads a profile (``floorsim/surveys/synthetic/profile.py`` checks its fields), then checks that its
margins describe one population (age-sex totals = region totals = the population total, urban shares possible),
and converts shares into persons where the generator needs counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.synthetic.profile import Composition, Profile, Status, SurveyText, WelfareModel, read_profile

PROFILES = Path(__file__).resolve().parents[1] / "data" / "profiles"
DEFAULT_TARGETS = PROFILES / "timor_leste.yaml"
TOTAL_TOLERANCE = 0.5  # persons: margins are counts and must add up to the same total
SHARE_SUM_TOLERANCE = 1e-3
URBAN_SHARE_TOLERANCE = 5e-4  # regional urban shares are published rounded  # published shares by age group are rounded (24.3 + 68.0 + 7.7)


@dataclass(frozen=True)
class Targets:
    """The figures the generator matches, from a country profile (see the profile for sources).

    Attributes:
        survey: how the survey describes itself (name, ISO country code, source text, ...).
        reference_year: year of ages and money values.
        welfare_concept, currency: ``consumption`` or ``income``; ISO currency of money amounts.
        age_groups: inclusive (lowest, highest) age of each group, in years.
        persons_by_age_sex: persons per age group, shape (2, groups), rows female then male; ``None`` when the
            profile gives ages and sexes separately (then ``persons_by_age`` and ``persons_by_sex`` are margins).
        persons_by_age: persons per age group, both sexes.
        persons_by_sex: persons (female, male).
        region_population: persons per region; ``region_label`` says what a region is.
        urban_share_national: share of persons living in urban areas.
        urban_share_by_region: the regions whose urban share the profile gives (others share one derived rate).
        households_total: number of private households.
        poverty_line, poverty_line_urban, poverty_line_rural: reference-year currency per person per month (one
            line, or urban and rural lines; ``None`` when there is none).
        poverty_rate, poverty_population: share below the line of ``persons`` or ``households`` (None: no target).
        gini: Gini of per-capita welfare, person-weighted.
        mean_per_capita: published mean welfare per person per month; the level target when there is no poverty
            rate, otherwise only reported.
        some_difficulty, some_difficulty_ages: share with disability severity >= 1 among those ages (or None).
        severe_disability_share, severe_disability_ages: share with severity >= 2 among those ages.
        cannot_do_share_of_severe: share of persons with severity >= 2 who have severity 3.
        crude_birth_rate: live births per person per year (None when the profile gives the total fertility rate).
        total_fertility_rate: children per woman (None when the profile gives the crude birth rate).
        schooling_target, schooling_share, schooling_ages: ``households_out`` (share of households with a child of
            those ages not in school) or ``attendance`` (share of persons of those ages attending).
        orphan_share, orphan_ages: share of persons of those ages who are orphans (None: not known).
        composition, welfare_model: the generator's assumptions for this country.
        sha256, path: hash of the profile file's bytes; its path.
        equivalence_scale: scale of the ``adult_equivalents`` column the survey gets (``None``: no such column).
    """

    survey: SurveyText
    reference_year: int
    welfare_concept: str
    currency: str
    age_groups: tuple[tuple[int, int], ...]
    persons_by_age_sex: np.ndarray | None
    persons_by_age: np.ndarray
    persons_by_sex: np.ndarray
    region_label: str
    region_population: dict[str, float]
    urban_share_national: float
    urban_share_by_region: dict[str, float]
    households_total: float
    poverty_line: float | None
    poverty_line_urban: float | None
    poverty_line_rural: float | None
    poverty_line_unit: str
    poverty_rate: float | None
    poverty_population: str
    gini: float
    mean_per_capita: float | None
    some_difficulty: float | None
    some_difficulty_ages: tuple[int, int | None]
    severe_disability_share: float
    severe_disability_ages: tuple[int, int | None]
    cannot_do_share_of_severe: float
    crude_birth_rate: float | None
    total_fertility_rate: float | None
    schooling_target: str
    schooling_share: float
    schooling_ages: tuple[int, int | None]
    orphan_share: float | None
    orphan_ages: tuple[int, int | None]
    composition: Composition
    welfare_model: WelfareModel
    sha256: str
    path: str
    informational: dict = field(default_factory=dict)
    equivalence_scale: str | None = None
    # Administrative statuses (floorsim/surveys/synthetic/statuses.py), in the profile's order; empty: none generated.
    statuses: dict[str, Status] = field(default_factory=dict)

    @property
    def population_total(self) -> float:
        """Total persons (float)."""
        return float(self.persons_by_age.sum())

    @property
    def split_poverty_lines(self) -> bool:
        """Whether urban and rural households have different lines."""
        return self.poverty_line is None and self.poverty_line_urban is not None


def load_targets(path: str | Path | None = None) -> Targets:
    """Read the country profile at ``path`` (default: Timor-Leste's) into :class:`Targets`.

    Raises:
        SurveyError: naming the file, the field and the rule, for a profile that is not valid or whose margins
            contradict each other (calibration could not meet them all).
    """
    path = Path(path) if path is not None else DEFAULT_TARGETS
    profile = read_profile(path)
    source = str(path)
    population = profile.population
    groups = tuple((int(lo), int(hi)) for lo, hi in population.age_groups)
    _check_age_groups(groups, source)
    total = float(population.total.value)
    by_age_sex, by_age, by_sex = _age_sex_margins(profile, groups, total, source)
    regions = {str(k): float(v) for k, v in population.regions.values.items()}
    _check_total(sum(regions.values()), total, "population.regions", "persons by region", source)
    urban_by_region = {str(k): float(v.value) for k, v in population.urban_share.by_region.items()}
    unknown = sorted(set(urban_by_region) - set(regions))
    if unknown:
        raise SurveyError(f"regions {unknown} are not in population.regions", source=source,
                          field="population.urban_share.by_region")
    households = profile.households
    households_total = (
        float(households.total.value) if households.total is not None else total / float(households.mean_size.value)
    )
    welfare = profile.welfare
    fertility = profile.fertility
    line = welfare.poverty_line
    uprating = _price_uprating(profile)
    targets = Targets(
        survey=profile.survey,
        reference_year=int(profile.reference_year),
        welfare_concept=welfare.concept,
        currency=welfare.currency,
        age_groups=groups,
        persons_by_age_sex=by_age_sex,
        persons_by_age=by_age,
        persons_by_sex=by_sex,
        region_label=population.regions.label,
        region_population=regions,
        urban_share_national=float(population.urban_share.national.value),
        urban_share_by_region=urban_by_region,
        households_total=households_total,
        poverty_line=None if line is None or line.value is None else float(line.value) * uprating,
        poverty_line_urban=None if line is None or line.urban is None else float(line.urban) * uprating,
        poverty_line_rural=None if line is None or line.rural is None else float(line.rural) * uprating,
        poverty_line_unit=f"{welfare.currency} per person per month, {profile.reference_year} prices",
        poverty_rate=None if welfare.poverty_rate is None else float(welfare.poverty_rate.value),
        poverty_population="persons" if welfare.poverty_rate is None else welfare.poverty_rate.population,
        gini=float(welfare.gini.value),
        mean_per_capita=None if welfare.mean_per_capita is None else float(welfare.mean_per_capita.value),
        some_difficulty=_value(profile.disability.some_difficulty_or_worse),
        some_difficulty_ages=_ages(profile.disability.some_difficulty_or_worse),
        severe_disability_share=float(profile.disability.a_lot_of_difficulty_or_worse.value),
        severe_disability_ages=_ages(profile.disability.a_lot_of_difficulty_or_worse),
        cannot_do_share_of_severe=float(profile.disability.cannot_do_at_all_share_of_severe.value),
        crude_birth_rate=None if fertility.births_per_1000 is None else float(fertility.births_per_1000.value) / 1000,
        total_fertility_rate=_value(fertility.total_fertility_rate),
        schooling_target="households_out" if profile.schooling.attendance_rate is None else "attendance",
        schooling_share=float((profile.schooling.attendance_rate
                               or profile.schooling.households_with_a_child_not_in_school).value),
        schooling_ages=_ages(profile.schooling.attendance_rate
                             or profile.schooling.households_with_a_child_not_in_school),
        orphan_share=_value(profile.orphanhood),
        orphan_ages=_ages(profile.orphanhood),
        equivalence_scale=welfare.equivalence_scale,
        composition=households.composition or Composition(source="not found", assumption="generator defaults"),
        welfare_model=welfare.model,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        path=source,
        informational=dict(profile.informational),
        statuses=dict(profile.statuses),
    )
    _check_urban_shares(targets, source)
    check_statuses(targets, source)
    return targets


def check_statuses(targets: Targets, source: str) -> None:
    """The administrative statuses are valid (imported here so that the rules live with the drawing code)."""
    from floorsim.surveys.synthetic.statuses import check_statuses as check

    check(targets, source)


def _value(figure: object) -> float | None:
    return None if figure is None else float(figure.value)  # type: ignore[attr-defined]


def _ages(figure: object) -> tuple[int, int | None]:
    return (0, None) if figure is None else tuple(figure.ages)  # type: ignore[attr-defined, return-value]


def _price_uprating(profile: Profile) -> float:
    """Product of (1 + inflation) for the years after the line's price year up to the reference year."""
    line, rates = profile.welfare.poverty_line, profile.welfare.price_uprating
    if line is None or line.price_year is None or rates is None:
        return 1.0
    year = profile.reference_year
    return float(np.prod([1 + rate for y, rate in rates.values.items() if line.price_year < int(y) <= year]))


def _check_age_groups(groups: tuple[tuple[int, int], ...], source: str) -> None:
    """Age groups start at 0 and follow each other without gaps or overlaps."""
    expected_low = 0
    for low, high in groups:
        if low != expected_low or high < low:
            raise SurveyError(
                f"age groups must start at 0 and follow each other without gap or overlap; got {list(groups)}",
                source=source,
                field="population.age_groups",
            )
        expected_low = high + 1


def _age_sex_margins(
    profile: Profile, groups: tuple[tuple[int, int], ...], total: float, source: str
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(persons by age and sex or None, persons by age, persons by sex), each checked against the total."""
    population = profile.population
    if population.by_age_sex is not None:
        table = population.by_age_sex
        for sex in ("female", "male"):
            if len(getattr(table, sex)) != len(groups):
                raise SurveyError(
                    f"{len(getattr(table, sex))} values for {len(groups)} age groups",
                    source=source,
                    field=f"population.by_age_sex.{sex}",
                )
        by_age_sex = np.array([table.female, table.male], dtype=np.float64)
        _check_total(float(by_age_sex.sum()), total, "population.by_age_sex", "persons by age and sex", source)
        return by_age_sex, by_age_sex.sum(axis=0), by_age_sex.sum(axis=1)
    ages, sexes = population.by_age, population.by_sex
    values = ages.persons if ages.persons is not None else ages.shares
    if len(values) != len(groups):
        raise SurveyError(f"{len(values)} values for {len(groups)} age groups", source=source,
                          field="population.by_age")
    by_age = np.array(values, dtype=np.float64)
    if ages.shares is not None:
        if abs(by_age.sum() - 1.0) > SHARE_SUM_TOLERANCE:
            raise SurveyError(f"shares add up to {by_age.sum():.4f}, not 1", source=source,
                              field="population.by_age.shares")
        # Published shares are rounded: they are rescaled to add up to exactly 1 before taking the total.
        by_age = by_age / by_age.sum() * total
    by_sex = np.array([sexes.female, sexes.male], dtype=np.float64)
    _check_total(float(by_age.sum()), total, "population.by_age", "persons by age", source)
    _check_total(float(by_sex.sum()), total, "population.by_sex", "persons by sex", source)
    return None, by_age, by_sex


def _check_total(achieved: float, total: float, field_name: str, what: str, source: str) -> None:
    if abs(achieved - total) > TOTAL_TOLERANCE:
        raise SurveyError(
            f"{what} add up to {achieved:,.0f}, not the population total {total:,.0f} (population.total): "
            "every margin must describe the same population",
            source=source,
            field=field_name,
        )


def _check_urban_shares(targets: Targets, source: str) -> None:
    """The regions without a published urban share get one common share; it must lie between 0 and 1."""
    from floorsim.surveys.synthetic.households import other_regions_urban_share

    regions, listed = targets.region_population, targets.urban_share_by_region
    if set(listed) == set(regions):  # every region's share is given: they must give the national share
        implied = sum(listed[r] * regions[r] for r in regions) / sum(regions.values())
        if abs(implied - targets.urban_share_national) > URBAN_SHARE_TOLERANCE:
            raise SurveyError(
                f"the regions' urban shares give a national share of {implied:.4f}, not "
                f"{targets.urban_share_national} (population.urban_share.national)",
                source=source,
                field="population.urban_share.by_region",
            )
        return
    share = other_regions_urban_share(targets)
    if not -1e-12 <= share <= 1 + 1e-12:
        raise SurveyError(
            f"the regions without an urban share would need {share:.3f} to reach the national share "
            f"{targets.urban_share_national}: the shares contradict each other",
            source=source,
            field="population.urban_share",
        )


def age_group_index(age: np.ndarray, age_groups: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Index of each age's group (ages above the last group's upper bound fall in the last group)."""
    lows = np.array([lo for lo, _ in age_groups])
    return np.searchsorted(lows, age, side="right") - 1
