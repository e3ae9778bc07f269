"""The schemes file: a country's cash schemes, their dated and sourced parameters, conditions and worked examples.

Read through the one reader of configuration files (:func:`floorsim.surveys.input_files.read_yaml_file`) and validated with
pydantic; every rule that spans fields (a condition naming a parameter that exists and has the right form, a
household-only amount on a household scheme, ...) is checked here, so that the generator never writes a package
that cannot load. The format, field by field, is documented in ``docs/schemes_file.md``.
"""

from __future__ import annotations

import datetime
import keyword
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from floorsim.simulations.errors import FloorsimError
from floorsim.surveys.input_files import read_yaml_file, validation_problems

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
PERSON_FLAGS = ("pregnant", "orphan", "gave_birth", "in_school")
PMT_TERMS = (
    "household_size",
    "urban",
    "members_with_disability",
    "members_aged_under_15",
    "members_aged_65_or_over",
)
# Variable names the generated package defines itself: a scheme may not take one of them.
RESERVED_NAMES = frozenset(
    {"age", "sex", "disability_severity", "has_disability", "has_severe_disability", "region", "urban",
     "household_welfare", "household_size", "welfare_per_capita", "welfare_per_adult_equivalent",
     "adult_equivalents", "social_transfers", *PERSON_FLAGS}
)


class SchemesFileError(FloorsimError, ValueError):
    """A schemes file that cannot be read or breaks a rule of the format (the message names file and field)."""


def _identifier(value: str) -> str:
    if not IDENTIFIER.match(value) or keyword.iskeyword(value):
        raise ValueError(f"'{value}' must be a lower-case Python identifier (letters, digits, _)")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatedValue(_Strict):
    """One value of a parameter from a date on, with the legal text or official document it comes from."""

    date: datetime.date
    value: float | bool
    reference: str | None = Field(default=None, description="legal text or document; missing: a visible TODO")


class Bracket(_Strict):
    """One row of a schedule: from ``threshold`` (an age in years, or a household size) on, the dated values."""

    threshold: int = Field(ge=0)
    values: list[DatedValue] = Field(min_length=1)


class SchemeParameter(_Strict):
    """A parameter of a scheme or a shared base level: dated values, a schedule (brackets) or values by region."""

    description: str
    unit: Literal["currency", "year", "person", "/1", "boolean", "score"] = "currency"
    documentation: str = ""
    values: list[DatedValue] | None = None
    brackets: list[Bracket] | None = None
    by_region: dict[str, list[DatedValue]] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> SchemeParameter:
        forms = [form for form in ("values", "brackets", "by_region") if getattr(self, form) is not None]
        if len(forms) != 1:
            raise ValueError("give exactly one of 'values', 'brackets' or 'by_region'")
        for values in self.series():
            dates = [value.date for value in values]
            if len(set(dates)) != len(dates):
                raise ValueError(f"two values on the same date: {sorted(dates)}")
        if self.brackets is not None:
            thresholds = [bracket.threshold for bracket in self.brackets]
            if thresholds != sorted(set(thresholds)):
                raise ValueError(f"bracket thresholds must increase: {thresholds}")
        return self

    @property
    def form(self) -> str:
        """``values``, ``brackets`` or ``by_region``."""
        return "values" if self.values is not None else "brackets" if self.brackets is not None else "by_region"

    def series(self) -> list[list[DatedValue]]:
        """Every list of dated values the parameter holds."""
        if self.values is not None:
            return [self.values]
        if self.brackets is not None:
            return [bracket.values for bracket in self.brackets]
        return list((self.by_region or {}).values())

    def first_date(self) -> datetime.date:
        """The first date on which every value of the parameter is defined (the latest of the series' starts)."""
        return max(min(value.date for value in values) for values in self.series())


class Condition(_Strict):
    """One eligibility condition; a condition list means all of them. Exactly one field is given."""

    age_at_least: str | None = None
    age_below: str | None = None
    sex: Literal["female", "male"] | None = None
    disability: Literal["any", "severe"] | None = None
    pregnant: Literal[True] | None = None
    orphan: Literal[True] | None = None
    gave_birth: Literal[True] | None = None
    in_school: Literal[True] | None = None
    welfare_per_capita_below: str | None = None
    welfare_per_adult_equivalent_below: str | None = None
    pmt_score_below: str | None = None
    region_rolled_out: str | None = None
    any_member: list[Condition] | None = None

    @model_validator(mode="before")
    @classmethod
    def _flag_shorthand(cls, value: Any) -> Any:
        """``- pregnant`` is short for ``- pregnant: true``."""
        return {value: True} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError(f"a condition has exactly one field, got {given or 'none'}")
        return self

    @property
    def kind(self) -> str:
        """The name of the one field given."""
        return next(name for name, value in self if value is not None)

    @property
    def argument(self) -> Any:
        return getattr(self, self.kind)


PERSON_CONDITIONS = ("age_at_least", "age_below", "sex", "disability", *PERSON_FLAGS)
HOUSEHOLD_CONDITIONS = (
    "welfare_per_capita_below", "welfare_per_adult_equivalent_below", "pmt_score_below", "region_rolled_out",
)


class Amount(_Strict):
    """How much is paid, per month, to an eligible person or household (exactly one form)."""

    flat: str | None = None
    by_age: str | None = None
    by_household_size: str | None = None
    coefficient: str | None = Field(default=None, description="parameter (values or brackets by age) × base level")
    base: str | None = Field(default=None, description="name of a base level (with coefficient)")
    per_member: str | None = Field(default=None, description="amount per qualifying member of the household")
    members: list[Condition] = Field(default_factory=list, description="person conditions of counted members")
    cap: str | None = Field(default=None, description="parameter: most members counted")

    @model_validator(mode="after")
    def _one_form(self) -> Amount:
        forms = [form for form in ("flat", "by_age", "by_household_size", "coefficient", "per_member")
                 if getattr(self, form) is not None]
        if len(forms) != 1:
            raise ValueError(f"give exactly one of flat, by_age, by_household_size, coefficient, per_member: {forms}")
        if (self.coefficient is None) != (self.base is None):
            raise ValueError("'coefficient' and 'base' go together")
        if self.per_member is None and (self.members or self.cap):
            raise ValueError("'members' and 'cap' belong to a 'per_member' amount")
        return self

    @property
    def form(self) -> str:
        return next(form for form in ("flat", "by_age", "by_household_size", "coefficient", "per_member")
                    if getattr(self, form) is not None)


class ProxyMeansTest(_Strict):
    """A linear score of declared household inputs: intercept + Σ weight × term (each a dated, sourced parameter)."""

    intercept: str
    weights: dict[Literal[PMT_TERMS], str] = Field(min_length=1)  # type: ignore[valid-type]


class ExamplePerson(_Strict):
    """A member of a worked example: data-model columns (``floorsim/surveys/model.py``); unset ones take the defaults."""

    age: int | None = Field(default=None, ge=0)
    sex: Literal["female", "male"] | None = None
    disability_severity: int | None = Field(default=None, ge=0, le=3)
    pregnant: bool | None = None
    in_school: bool | None = None
    gave_birth: bool | None = None
    orphan: bool | None = None


class ExampleHousehold(_Strict):
    """The household of a worked example; the first person is its head."""

    persons: list[ExamplePerson] = Field(min_length=1)
    region: str | None = None
    urban: bool | None = None
    welfare: float | None = Field(default=None, description="household consumption or income per month")
    adult_equivalents: float | None = Field(default=None, gt=0)


class Example(_Strict):
    """A worked example: a household, a month, and the scheme's amount for the household that month."""

    name: str
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="the month, YYYY-MM")
    household: ExampleHousehold
    expected: float = Field(description="the scheme's total for the household in the month (currency)")
    note: str = ""


class Scheme(_Strict):
    """One cash scheme: who is eligible, how much, its parameters, and worked examples."""

    name: str
    label: str
    reference: str = Field(description="the legal basis of the scheme (law, decree, article)")
    description: str = ""
    entity: Literal["person", "household"]
    parameters: dict[str, SchemeParameter] = Field(default_factory=dict)
    eligibility: list[Condition] = Field(default_factory=list)
    amount: Amount
    pmt: ProxyMeansTest | None = None
    non_cumulation: str | None = Field(default=None, description="group: a person receives the highest only")
    phase_in: str | None = Field(default=None, description="parameter: share of the eligible covered (0-1)")
    take_up: str | None = Field(default=None, description="parameter: take-up rate among the eligible (0-1)")
    examples: list[Example] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _scheme_name(cls, name: str) -> str:
        return _identifier(name)

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, parameters: dict[str, SchemeParameter]) -> dict[str, SchemeParameter]:
        for name in parameters:
            _identifier(name)
        return parameters


class EntityLabels(_Strict):
    label: str
    doc: str = ""


class Entities(_Strict):
    """Labels of floorsim's two entities (the data model's persons and households; roles head and member)."""

    person: EntityLabels = EntityLabels(label="Person", doc="An individual: a member of a survey household.")
    household: EntityLabels = EntityLabels(
        label="Household", doc="The survey household: people who live together; its first member is the head."
    )


class PovertyLine(_Strict):
    """The national poverty line per person per month in the prices of ``date`` (``amount``, ``date``,
    ``reference``), or, where no sourced national line is at hand, a relative line: ``share_of_median`` of the
    weighted median of baseline welfare per person."""

    amount: float | None = Field(default=None, gt=0)
    date: datetime.date | None = None
    reference: str | None = None
    share_of_median: float | None = Field(default=None, gt=0, le=1)
    description: str = "National poverty line per person per month"

    @model_validator(mode="after")
    def _one_kind(self) -> PovertyLine:
        if (self.amount is None) == (self.share_of_median is None):
            raise ValueError("give either 'amount' and 'date' (a national line) or 'share_of_median' (relative)")
        if self.amount is not None and self.date is None:
            raise ValueError("a national line needs the 'date' whose prices it is in")
        return self


class Country(_Strict):
    label: str
    description: str = ""


class SchemesFile(_Strict):
    """The whole schemes file."""

    country: Country
    currency: str = Field(pattern=CURRENCY.pattern, description="ISO 4217 code of every amount")
    welfare_concept: Literal["consumption", "income"] = "consumption"
    entities: Entities = Entities()
    regions: list[str] = Field(default_factory=list, description="values of the survey's region column")
    poverty_line: PovertyLine
    base_levels: dict[str, SchemeParameter] = Field(default_factory=dict)
    schemes: list[Scheme] = Field(min_length=1)

    @field_validator("regions")
    @classmethod
    def _region_names(cls, regions: list[str]) -> list[str]:
        for region in regions:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", region):
                raise ValueError(f"region '{region}' must be an identifier (it becomes an enum member name)")
        if len(set(regions)) != len(regions):
            raise ValueError("regions are listed twice")
        return regions

    @model_validator(mode="after")
    def _consistent(self) -> SchemesFile:
        problems = cross_field_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _check_parameter(scheme: Scheme, name: str | None, forms: tuple[str, ...], where: str, out: list[str]) -> None:
    if name is None:
        return
    parameter = scheme.parameters.get(name)
    if parameter is None:
        out.append(f"scheme '{scheme.name}': {where} names parameter '{name}', which it does not define")
    elif parameter.form not in forms:
        out.append(f"scheme '{scheme.name}': {where} needs parameter '{name}' given as {' or '.join(forms)}")


def _check_conditions(
    schemes: SchemesFile, scheme: Scheme, conditions: list[Condition], level: str, out: list[str]
) -> None:
    """Problems of ``conditions`` at ``level``: ``scheme`` (the eligibility list) or ``person`` (on one member)."""
    for condition in conditions:
        kind = condition.kind
        if kind == "any_member":
            if not condition.any_member:
                out.append(f"scheme '{scheme.name}': any_member lists at least one condition")
            if level != "scheme" or scheme.entity != "household":
                out.append(f"scheme '{scheme.name}': any_member is a condition of household schemes only")
            _check_conditions(schemes, scheme, condition.any_member or [], "person", out)
        elif level == "person" and kind not in PERSON_CONDITIONS:
            out.append(f"scheme '{scheme.name}': '{kind}' is a household condition, not one on a member")
        elif scheme.entity == "household" and level == "scheme" and kind in PERSON_CONDITIONS:
            out.append(f"scheme '{scheme.name}': '{kind}' is a person condition: put it under any_member")
        elif kind in ("age_at_least", "age_below", "welfare_per_capita_below",
                      "welfare_per_adult_equivalent_below", "pmt_score_below"):
            _check_parameter(scheme, condition.argument, ("values",), kind, out)
        elif kind == "region_rolled_out":
            _check_parameter(scheme, condition.argument, ("by_region",), kind, out)
            parameter = scheme.parameters.get(condition.argument)
            if parameter is not None and parameter.by_region is not None and set(parameter.by_region) != set(
                schemes.regions
            ):
                out.append(f"scheme '{scheme.name}': '{condition.argument}' must give every region of 'regions' "
                           f"({', '.join(schemes.regions) or 'none listed'})")
        if kind == "pmt_score_below" and scheme.pmt is None:
            out.append(f"scheme '{scheme.name}': pmt_score_below needs a 'pmt' section (intercept and weights)")


def _conditions_of(scheme: Scheme) -> list[Condition]:
    """Every condition of the scheme, nested ones (any_member, per-member conditions) included."""
    found, stack = [], [*scheme.eligibility, *scheme.amount.members]
    while stack:
        condition = stack.pop()
        found.append(condition)
        stack.extend(condition.any_member or [])
    return found


def cross_field_problems(schemes: SchemesFile) -> list[str]:
    """Rules spanning several fields: names that exist, forms that fit, entities that match."""
    out: list[str] = []
    names = [scheme.name for scheme in schemes.schemes]
    for name in {name for name in names if names.count(name) > 1}:
        out.append(f"scheme '{name}' is defined twice")
    for scheme in schemes.schemes:
        if scheme.name in RESERVED_NAMES or scheme.name.startswith("household_"):
            out.append(f"scheme name '{scheme.name}' is taken by the package (or starts with 'household_')")
        _check_conditions(schemes, scheme, scheme.eligibility, "scheme", out)
        _check_conditions(schemes, scheme, scheme.amount.members, "person", out)
        amount = scheme.amount
        if amount.form in ("by_household_size", "per_member") and scheme.entity != "household":
            out.append(f"scheme '{scheme.name}': a {amount.form} amount is paid to a household (entity: household)")
        if amount.form in ("by_age",) and scheme.entity != "person":
            out.append(f"scheme '{scheme.name}': a by_age amount is paid to a person (entity: person)")
        _check_parameter(scheme, amount.flat, ("values",), "amount.flat", out)
        _check_parameter(scheme, amount.per_member, ("values",), "amount.per_member", out)
        _check_parameter(scheme, amount.cap, ("values",), "amount.cap", out)
        _check_parameter(scheme, amount.by_age, ("brackets",), "amount.by_age", out)
        _check_parameter(scheme, amount.by_household_size, ("brackets",), "amount.by_household_size", out)
        forms = ("values", "brackets") if scheme.entity == "person" else ("values",)
        _check_parameter(scheme, amount.coefficient, forms, "amount.coefficient", out)
        if amount.base is not None and amount.base not in schemes.base_levels:
            out.append(f"scheme '{scheme.name}': base level '{amount.base}' is not among base_levels")
        for field in ("phase_in", "take_up"):
            _check_parameter(scheme, getattr(scheme, field), ("values",), field, out)
        if scheme.pmt is not None:
            for where, name in [("pmt.intercept", scheme.pmt.intercept), *scheme.pmt.weights.items()]:
                _check_parameter(scheme, name, ("values",), f"pmt {where}", out)
        if scheme.non_cumulation and scheme.entity != "person":
            out.append(f"scheme '{scheme.name}': non_cumulation groups person schemes only")
        for example in scheme.examples:
            region = example.household.region
            if region is not None and region not in schemes.regions:
                out.append(f"scheme '{scheme.name}': example '{example.name}' has region '{region}', not in regions")
    groups = [scheme.non_cumulation for scheme in schemes.schemes if scheme.non_cumulation]
    for group in {group for group in groups if groups.count(group) == 1}:
        out.append(f"non_cumulation group '{group}' has one scheme: name at least two schemes in it")
    return out


def read_schemes_file(path: str | Path) -> SchemesFile:
    """Read and validate a schemes file.

    Raises:
        SchemesFileError: the file cannot be read safely, or breaks a rule of the format (file and fields named).
    """
    path = Path(path)
    raw = read_yaml_file(path, error=SchemesFileError)
    if not isinstance(raw, dict):
        raise SchemesFileError(f"{path}: a schemes file is a mapping (country, currency, poverty_line, schemes)")
    try:
        return SchemesFile(**raw)
    except ValidationError as error:
        raise SchemesFileError(f"{path}: invalid schemes file: {validation_problems(error)}") from None


def uses(schemes: SchemesFile) -> set[str]:
    """The data-model columns and derived inputs the schemes (and their worked examples) read."""
    used: set[str] = set()
    for scheme in schemes.schemes:
        for condition in _conditions_of(scheme):
            kind = condition.kind
            if kind in ("age_at_least", "age_below"):
                used.add("age")
            elif kind == "disability":
                used.add("disability_severity")
            elif kind in ("sex", *PERSON_FLAGS):
                used.add(kind)
            elif kind == "region_rolled_out":
                used.add("region")
            elif kind in ("welfare_per_capita_below", "welfare_per_adult_equivalent_below"):
                used.update({"welfare", kind.removesuffix("_below")})
                if kind == "welfare_per_adult_equivalent_below":
                    used.add("adult_equivalents")
        if scheme.amount.form in ("by_age",) or (scheme.amount.form == "coefficient"
                                                 and scheme.parameters[scheme.amount.coefficient].form == "brackets"):
            used.add("age")
        if scheme.pmt is not None:
            terms = set(scheme.pmt.weights)
            used.update(terms & {"urban"})
            if terms & {"members_aged_under_15", "members_aged_65_or_over"}:
                used.add("age")
            if "members_with_disability" in terms:
                used.add("disability_severity")
        for example in scheme.examples:
            for person in example.household.persons:
                used.update(name for name, value in person if value is not None)
            used.update(name for name in ("region", "urban", "welfare", "adult_equivalents")
                        if getattr(example.household, name) is not None)
    return used
