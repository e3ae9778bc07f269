"""The country profile: the published national figures a synthetic survey is calibrated to (the file format).

A profile is a YAML file (documented field by field in ``docs/country_profile.md``; examples in
``floorsim/surveys/data/profiles/``) read through :func:`floorsim.surveys.input_files.read_yaml_file` and validated here with
pydantic. Every figure carries a ``source`` (a key of the profile's ``sources``, or ``"not found ..."`` together
with an ``assumption:`` in words). :func:`read_profile` returns the validated :class:`Profile`; the cross-field
rules (the margins must describe one population) are checked by :func:`floorsim.surveys.synthetic.targets.load_targets`,
which turns the profile into the arrays the generator uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.input_files import read_yaml_file, validation_problems

NOT_FOUND = "not found"  # a source that starts with these words needs an assumption


class _Strict(BaseModel):
    """Unknown keys are refused, so that a misspelt field is an error rather than silently ignored; a model naming
    two alternative fields in ``exactly_one`` needs exactly one of them."""

    model_config = ConfigDict(extra="forbid")
    exactly_one: ClassVar[tuple[str, str] | None] = None

    @model_validator(mode="after")
    def _exactly_one_of(self) -> _Strict:
        if self.exactly_one is not None:
            first, second = self.exactly_one
            if (getattr(self, first) is None) == (getattr(self, second) is None):
                raise ValueError(f"give exactly one of '{first}' and '{second}'")
        return self


class Sourced(_Strict):
    """Anything that carries a source (or an explicit assumption when no source was found)."""

    source: str | list[str]
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _assumption_when_not_found(self) -> Sourced:
        for source in self.source_keys():
            if source.startswith(NOT_FOUND) and not self.assumption:
                raise ValueError(f"source '{source}' needs an 'assumption:' saying in words what is assumed")
        return self

    def source_keys(self) -> list[str]:
        """The sources cited, as a list."""
        return list(self.source) if isinstance(self.source, list) else [self.source]


class Figure(Sourced):
    """A published number (or an assumed one, labelled as such)."""

    value: float
    unit: str | None = None


class Share(Figure):
    """A share between 0 and 1 (0.418, not 41.8)."""

    value: float = Field(ge=0.0, le=1.0)


class AgeShare(Share):
    """A share of the persons aged ``ages[0]`` to ``ages[1]`` (inclusive; ``null`` for no upper bound)."""

    ages: tuple[int, int | None] = (0, None)


class Documented(Sourced):
    """A modelling choice without a number of its own (for instance an age profile): its source or assumption."""


class Source(_Strict):
    """A document the figures come from."""

    title: str
    publisher: str
    year: int
    url: str
    table: str | None = None
    note: str | None = None


class SurveyText(_Strict):
    """How the generated survey describes itself in its metadata."""

    name: str = Field(min_length=1)
    country: str = Field(min_length=3, max_length=3, description="ISO 3166-1 alpha-3 code")
    source: str = Field(min_length=1)
    reference_period: str = Field(min_length=1)
    welfare_definition: str = Field(min_length=1)


class AgeSex(Sourced):
    """Persons by age group, one list per sex (in the order of ``population.age_groups``)."""

    female: list[float]
    male: list[float]


class ByAge(Sourced):
    """Persons by age group, both sexes: ``persons`` (counts) or ``shares`` (of the total), one per age group."""

    exactly_one = ("persons", "shares")

    persons: list[float] | None = None
    shares: list[float] | None = None



class BySex(Sourced):
    """Persons by sex."""

    female: float = Field(ge=0)
    male: float = Field(ge=0)


class Regions(Sourced):
    """Persons by region (the survey's ``region`` column); ``label`` says what a region is (province, ...)."""

    label: str = "region"
    values: dict[str, float] = Field(min_length=1)


class UrbanShare(_Strict):
    """Share of persons living in urban areas: national, and for the regions where it is known.

    Regions not listed under ``by_region`` share one urban rate, derived so that the national share holds.
    """

    national: Share
    by_region: dict[str, Share] = {}
    other_regions: Documented | None = None


class Population(_Strict):
    """Persons: total, by age group and sex (or by age group and by sex), by region, and urban share."""

    total: Figure
    age_groups: list[tuple[int, int]] = Field(min_length=1)
    by_age_sex: AgeSex | None = None
    by_age: ByAge | None = None
    by_sex: BySex | None = None
    regions: Regions
    urban_share: UrbanShare

    @model_validator(mode="after")
    def _one_age_form(self) -> Population:
        if (self.by_age_sex is None) == (self.by_age is None and self.by_sex is None):
            raise ValueError("give either 'by_age_sex', or 'by_age' and 'by_sex'")
        if self.by_age_sex is None and (self.by_age is None or self.by_sex is None):
            raise ValueError("'by_age' and 'by_sex' go together")
        return self


class Composition(Documented):
    """The household composition model's main probabilities (assumptions; calibration corrects the rest).

    Defaults are those tuned for Timor-Leste (about 5.5 persons per drawn household).
    """

    female_head_share: float = Field(0.18, ge=0.0, le=1.0)
    children_per_couple_max: float = Field(4.6, ge=0.0, description="mean co-resident children, parents 37-50")
    grandchildren_mean_max: float = Field(1.5, ge=0.0, description="mean grandchildren, heads aged 60+")
    other_relatives_mean: float = Field(0.25, ge=0.0)


class Households(_Strict):
    """Number of private households, given directly (``total``) or as the population over ``mean_size``."""

    exactly_one = ("total", "mean_size")

    total: Figure | None = None
    mean_size: Figure | None = None
    composition: Composition | None = None



class PovertyLine(Sourced):
    """The poverty line per person per month: one ``value``, or ``urban`` and ``rural`` lines."""

    value: float | None = Field(None, gt=0)
    urban: float | None = Field(None, gt=0)
    rural: float | None = Field(None, gt=0)
    unit: str
    price_year: int | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PovertyLine:
        if (self.value is None) == (self.urban is None or self.rural is None):
            raise ValueError("give either 'value', or 'urban' and 'rural'")
        return self


class PovertyRate(Share):
    """Share below the line, of ``persons`` (person-weighted) or of ``households``."""

    population: Literal["persons", "households"] = "persons"


class PriceUprating(Sourced):
    """Annual inflation rates moving the line from its price year to the reference year."""

    values: dict[int, float]


class WelfareModel(Documented):
    """The shape of log per-capita welfare (assumptions; only the targets are calibrated)."""

    urban_log_effect: float = 0.30
    household_size_elasticity: float = 0.25
    ea_intraclass_share: float = Field(0.15, ge=0.0, le=1.0)
    region_log_effect: dict[str, float] = {}


class Welfare(_Strict):
    """The welfare aggregate and its targets: poverty rate at a line and Gini, or mean per capita and Gini."""

    concept: Literal["consumption", "income"]
    currency: str = Field(min_length=3, max_length=3)
    poverty_line: PovertyLine | None = None
    price_uprating: PriceUprating | None = None
    poverty_rate: PovertyRate | None = None
    gini: Share
    mean_per_capita: Figure | None = None
    model: WelfareModel
    # Adds the data model's adult_equivalents column on this scale (floorsim/indicators/scales.py), for rules and figures on
    # equivalised welfare; without it the survey has no such column.
    equivalence_scale: Literal["oecd_modified", "oecd", "square_root"] | None = None

    @model_validator(mode="after")
    def _a_level(self) -> Welfare:
        if self.poverty_rate is None and self.mean_per_capita is None:
            raise ValueError("give a 'poverty_rate' (with a 'poverty_line') or a 'mean_per_capita' to set the level")
        if self.poverty_rate is not None and self.poverty_line is None:
            raise ValueError("a 'poverty_rate' needs the 'poverty_line' it is measured at")
        return self


class Disability(_Strict):
    """Washington Group severity: 'a lot of difficulty' or worse (required), 'some difficulty' or worse (where
    known), and the share of the former who 'cannot do at all'."""

    a_lot_of_difficulty_or_worse: AgeShare
    some_difficulty_or_worse: AgeShare | None = None
    cannot_do_at_all_share_of_severe: Share
    age_profile: Documented | None = None


class Fertility(_Strict):
    """Births per 1,000 persons per year (the crude birth rate), or the total fertility rate (children per woman;
    births then follow from the women of each age in the survey and the age pattern of fertility)."""

    exactly_one = ("births_per_1000", "total_fertility_rate")

    births_per_1000: Figure | None = None
    total_fertility_rate: Figure | None = None
    pregnancy_months: Documented | None = None
    age_pattern: Documented | None = None



class Schooling(_Strict):
    """One school-attendance target: households with a child out of school, or the attendance rate of an age
    range."""

    exactly_one = ("households_with_a_child_not_in_school", "attendance_rate")

    households_with_a_child_not_in_school: AgeShare | None = None
    attendance_rate: AgeShare | None = None
    attendance_by_age: Documented | None = None



class StatusCondition(_Strict):
    """Who a status rule applies to: every given condition must hold (all omitted: everyone).

    Person conditions (only in rules of person-level statuses): ``ages`` (inclusive, ``null`` for no upper bound),
    ``sex``, ``disability_severity`` (allowed Washington Group severities), ``orphan``. Household conditions (both
    levels; a person takes its household's): ``urban``, ``regions``, ``below_line`` (welfare per capita at or below
    the line of the household's area), ``welfare_ratio`` ([low, high]: welfare per capita / line, inclusive,
    ``null`` for no bound), ``living_alone`` (one member), ``older_only_household`` (every member aged 60+).
    ``statuses``: allowed values of statuses defined earlier in the list (household statuses for a household
    rule; household or person statuses for a person rule).
    """

    ages: tuple[int, int | None] | None = None
    sex: Literal["female", "male"] | None = None
    disability_severity: list[int] | None = None
    orphan: bool | None = None
    urban: bool | None = None
    regions: list[str] | None = None
    below_line: bool | None = None
    welfare_ratio: tuple[float | None, float | None] | None = None
    living_alone: bool | None = None
    older_only_household: bool | None = None
    statuses: dict[str, list[Any]] = {}

    PERSON_ONLY: ClassVar[tuple[str, ...]] = ("ages", "sex", "disability_severity", "orphan")


class StatusRule(Sourced):
    """Probabilities of the status's values among the units meeting ``when`` (the rest take the default)."""

    when: StatusCondition = StatusCondition()
    probabilities: dict[Any, float]


class StatusTarget(Share):
    """A published share of units (households or persons of ``ages``) holding one value of a status: not drawn
    directly, it follows from the rules and the calibration report compares it."""

    value_of_status: Any
    ages: tuple[int, int | None] | None = None


class Status(_Strict):
    """An administrative status column (see ``docs/country_profile.md``, "Administrative statuses")."""

    level: Literal["household", "person"]
    values: list[Any] = Field(min_length=1)
    default: Any
    rules: list[StatusRule] = []
    targets: list[StatusTarget] = []
    note: str | None = None


class Profile(_Strict):
    """A country profile (see ``docs/country_profile.md``)."""

    reference_year: int
    survey: SurveyText
    sources: dict[str, Source]
    population: Population
    households: Households
    welfare: Welfare
    disability: Disability
    fertility: Fertility
    schooling: Schooling
    orphanhood: AgeShare | None = None
    statuses: dict[str, Status] = {}
    informational: dict[str, Any] = {}


def read_profile(path: str | Path) -> Profile:
    """The validated profile at ``path``.

    Raises:
        SurveyError: naming the file and, for each problem, the field and the rule (an unknown source key, a
            figure without a source or assumption, a missing or misspelt field).
    """
    raw = read_yaml_file(path)
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as error:
        raise SurveyError(validation_problems(error), source=str(path)) from None
    _check_source_keys(profile, str(path))
    return profile


def _check_source_keys(profile: Profile, path: str) -> None:
    """Every cited source is a key of ``sources`` (or says 'not found')."""
    for where, node in _sourced(profile, ""):
        for key in node.source_keys():
            if not key.startswith(NOT_FOUND) and key not in profile.sources:
                raise SurveyError(
                    f"unknown source '{key}' (cite a key of 'sources', or write 'not found' with an assumption)",
                    source=path,
                    field=where,
                )


def _sourced(node: Any, where: str) -> list[tuple[str, Sourced]]:
    """Every :class:`Sourced` inside ``node`` with its dotted field path."""
    found: list[tuple[str, Sourced]] = []
    if isinstance(node, Sourced):
        found.append((where, node))
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _sourced(getattr(node, name), f"{where}.{name}" if where else name)
    elif isinstance(node, dict):
        for key, child in node.items():
            found += _sourced(child, f"{where}.{key}")
    elif isinstance(node, list):  # the rules and targets of a status
        for k, child in enumerate(node):
            found += _sourced(child, f"{where}[{k}]")
    return found
