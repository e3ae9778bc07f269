"""The assumptions file of a multi-year projection (YAML, validated with pydantic).

Every number in it is either read from a source (``source:`` with a title and an address) or labelled as an
assumption (``assumption:`` with a short justification); an entry may carry both when a sourced figure is extended
or combined by an assumption (e.g. nominal growth = real growth (sourced) × CPI (sourced), with the GDP deflator
assumed to move with the CPI). Values are fractions (``0.021`` = 2.1 %), like the country package's rates.

A yearly series is a list of entries, each for one year (``years: 2025``) or a range (``years: 2027-2035``); the
entries of a series must cover the years it is needed for exactly once. See ``docs/projections.md`` for every key
and ``floorsim/country_packages/timor_leste/projections/assumptions_2025_2035.yaml`` for an example.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from floorsim.simulations.projections.errors import ProjectionError
from floorsim.surveys.input_files import read_yaml_text

RULES = ("prices", "wages", "none", "schedule")
Rule = Literal["prices", "wages", "none", "schedule"]
_SPAN = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


class Reference(BaseModel):
    """Where a number comes from: a title precise enough to find the table, and an address."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    url: str | None = None


FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a projection may name (a wider range is a typo, and a memory bomb)


def _year(value: Any) -> int:
    """``value`` as a year of a series: a whole number from FIRST_YEAR to LAST_YEAR (not a boolean, None or 2025.5)."""
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValueError(f"give years as whole numbers from {FIRST_YEAR} to {LAST_YEAR}, got {value!r}")
    return value


class Entry(BaseModel):
    """One value of a yearly series, for one year or a range of years, with its source or its justification."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    years: tuple[int, int]
    value: float
    source: tuple[Reference, ...] = ()
    assumption: str | None = None
    note: str | None = None

    @field_validator("years", mode="before")
    @classmethod
    def _span(cls, value: Any) -> tuple[int, int]:
        if isinstance(value, int) and not isinstance(value, bool):
            return (_year(value), _year(value))
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return (_year(value[0]), _year(value[1]))
        match = _SPAN.match(str(value)) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"give a year (2025) or a range of years (2027-2035), got {value!r}")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        return (first, last)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _labelled(self) -> Entry:
        if self.years[1] < self.years[0]:
            raise ValueError(f"years {self.years[0]}-{self.years[1]} run backwards")
        if not self.source and not (self.assumption or "").strip():
            raise ValueError(
                "every value needs a `source` (title and url) or an `assumption` with a short justification"
            )
        return self

    @property
    def status(self) -> str:
        """``"sourced"`` (read from the source) or ``"assumption"`` (set, extended or combined by assumption)."""
        return "assumption" if (self.assumption or "").strip() else "sourced"

    def covers(self) -> range:
        return range(self.years[0], self.years[1] + 1)


Series = tuple[Entry, ...]


def series_value(series: Series, year: int) -> Entry:
    """The entry of ``series`` that covers ``year`` (coverage is checked when the file is read)."""
    for entry in series:
        if entry.years[0] <= year <= entry.years[1]:
            return entry
    raise KeyError(year)


def _check_coverage(series: Series, first: int, last: int, field: str) -> None:
    seen: dict[int, int] = {}
    for position, entry in enumerate(series):
        for year in entry.covers():
            if year in seen:
                raise ValueError(f"{field}: {year} is given twice (entries {seen[year]} and {position})")
            seen[year] = position
    missing = [year for year in range(first, last + 1) if year not in seen]
    if missing:
        raise ValueError(f"{field}: no value for {_years(missing)} (needed for {first}-{last})")


def _years(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)


class Horizon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    start: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    end: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))


class PopulationSpec(BaseModel):
    """The sourced population projection (a file) and how the survey is calibrated to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: Path
    method: Literal["raking", "linear", "logit"] = "raking"
    bounds: tuple[float, float] | None = None


class PricesSpec(BaseModel):
    """CPI inflation for the projection years, and how the survey's money values are moved to each year."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    inflation: Series = Field(min_length=1)
    survey_money: Literal["prices", "wages"] = "prices"
    survey_money_assumption: str = Field(min_length=1)


class GdpSpec(BaseModel):
    """Nominal GDP: a level read from the country package for ``base_year``, grown by ``nominal_growth``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: str = Field(min_length=1)
    base_year: int
    scale: float = Field(default=1e6, gt=0, description="currency units per unit of the parameter (1e6: millions)")
    label: str = ""
    nominal_growth: Series = Field(min_length=1)


class IndexationRule(BaseModel):
    """How one parameter moves in years without a legislated value, overriding its ``uprating`` metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: Rule
    justification: str = Field(min_length=1)


class CrossCheckSpec(BaseModel):
    """A universal, age-based programme costed both ways: microsimulation and the aggregate (RAP) formula.

    Eligible ages are ``minimum_age <= age < age_limit`` (parameter paths or numbers; either may be omitted); the
    monthly amount is ``amount`` plus, if given, the single-amount scale ``age_supplement`` evaluated at the age.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    programme: str = Field(min_length=1)
    label: str = ""
    amount: str = Field(min_length=1)
    age_supplement: str | None = None
    minimum_age: str | int | None = None
    age_limit: str | int | None = None
    tolerance: float | None = Field(default=None, ge=0)
    tolerance_justification: str | None = None
    excluded: str = ""
    explanation: str = ""

    @model_validator(mode="after")
    def _justified(self) -> CrossCheckSpec:
        if self.tolerance is not None and not (self.tolerance_justification or "").strip():
            raise ValueError("a tolerance needs a tolerance_justification")
        if self.tolerance is None and not self.explanation.strip():
            raise ValueError("without a tolerance (no agreement expected), give an `explanation` of the difference")
        return self


class Assumptions(BaseModel):
    """A validated assumptions file. Paths inside it are relative to the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    label: str = ""
    description: str = ""
    country: str = Field(min_length=1)
    years: Horizon
    indexation_base_year: int | None = None
    survey: Path | None = None
    reforms: tuple[Path, ...] = ()
    seed: int = 0
    population: PopulationSpec
    prices: PricesSpec
    gdp: GdpSpec
    government_expenditure_share_of_gdp: Series = Field(min_length=1)
    wage_growth: Series = Field(min_length=1)
    indexation: dict[str, IndexationRule] = Field(default_factory=dict)
    take_up: dict[str, Series] = Field(default_factory=dict)
    cross_checks: tuple[CrossCheckSpec, ...] = ()
    path: Path | None = Field(default=None, exclude=True)
    sha256: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _covered(self) -> Assumptions:
        start, end = self.years.start, self.years.end
        base = self.base_year
        if base >= start:
            raise ValueError(f"indexation_base_year {base} must be before the first projection year {start}")
        if self.gdp.base_year >= start:
            raise ValueError(f"gdp.base_year {self.gdp.base_year} must be before the first projection year {start}")
        _check_coverage(self.prices.inflation, start, end, "prices.inflation")
        _check_coverage(self.gdp.nominal_growth, self.gdp.base_year + 1, end, "gdp.nominal_growth")
        _check_coverage(self.government_expenditure_share_of_gdp, start, end, "government_expenditure_share_of_gdp")
        _check_coverage(self.wage_growth, base + 1, end, "wage_growth")
        for programme, series in self.take_up.items():
            _check_coverage(series, start, end, f"take_up.{programme}")
            for entry in series:
                if not 0 <= entry.value <= 1:
                    raise ValueError(f"take_up.{programme}: rate {entry.value} for {entry.years} is not in [0, 1]")
        for field, series in (
            ("prices.inflation", self.prices.inflation),
            ("gdp.nominal_growth", self.gdp.nominal_growth),
            ("wage_growth", self.wage_growth),
        ):
            for entry in series:
                if not -0.5 < entry.value < 1.0:
                    raise ValueError(f"{field}: {entry.value} for {entry.years} is not a plausible annual rate "
                                     "(give fractions: 0.02 for 2%)")
        for entry in self.government_expenditure_share_of_gdp:
            if not 0 < entry.value < 5:
                raise ValueError(f"government_expenditure_share_of_gdp: {entry.value} for {entry.years} is not a "
                                 "share of GDP (give fractions: 0.35 for 35%)")
        return self

    @property
    def base_year(self) -> int:
        """Year whose parameter values are taken as legislated; indexation starts the year after."""
        return self.indexation_base_year if self.indexation_base_year is not None else self.years.start - 1

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def resolve(self, path: Path) -> Path:
        """A path of the file, relative to the file's folder."""
        return path if path.is_absolute() else (self.folder / path).resolve()

    @property
    def where(self) -> str:
        return str(self.path) if self.path is not None else "<assumptions>"


def _location(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _problems(error: ValidationError) -> str:
    messages = []
    for problem in error.errors():
        where = _location(problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        messages.append(f"{where}: {message}" if where else message)
    return "; ".join(messages)


def parse_assumptions(raw: Any, path: Path | None = None) -> Assumptions:
    """Validate already-read assumptions; errors name the file and the field."""
    where = str(path) if path is not None else "<assumptions>"
    if not isinstance(raw, dict):
        raise ProjectionError(f"{where}: an assumptions file must be a mapping (name, country, years, ...)")
    try:
        assumptions = Assumptions(**raw)
    except ValidationError as error:
        raise ProjectionError(f"{where}: {_problems(error)}") from None
    return assumptions.model_copy(update={"path": path})


def load_assumptions(path: str | Path) -> Assumptions:
    """Read and validate an assumptions file (YAML); a :class:`ProjectionError` names the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise ProjectionError(f"assumptions file not found: {path}")
    text = path.read_bytes()
    raw = read_yaml_text(text, str(path), error=ProjectionError)
    assumptions = parse_assumptions(raw, path.resolve())
    return assumptions.model_copy(update={"sha256": hashlib.sha256(text).hexdigest()})
