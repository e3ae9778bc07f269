"""The mapping file: how the columns of a survey's own files become floorsim's data model.

A mapping is a YAML file validated with pydantic (unknown keys are errors, so a typo never passes silently). It
names, for every model variable, where its values come from, and how they are recoded, combined and converted.
The format is documented with an example in ``docs/data_model.md``; ``floorsim/surveys/examples/eusilc_mapping.yaml`` is
a complete one. In short::

    version: 1
    metadata: {name: ..., country: AUT, reference_year: 2006, currency: EUR, welfare_concept: income}
    read: {value_labels: true}            # optional reader options
    households:
      household_id: db030                 # a bare string names a source column
      weight: db090
      urban: {constant: false}
      income:                             # safe combinations only: sum, difference, household_total
        difference: [{sum: [hy040n, {household_total: [py010n, py050n]}]}, hy130n]
        fill_missing: 0
        per: year                         # annual amounts, converted to per month
    persons:
      sex: {column: rb090, recode: {1: male, 2: female}}
      relationship: {derive: head_lowest_person_id, others: other_relative}
    checks: {household_size: hsize}

A household-level file (one row per household, no person records) has a ``members`` section instead of
``persons``: the household size and the head's columns; the reader builds the head and ``size − 1`` members of
unknown age and sex (``floorsim.surveys.readers.household_level``). Ids a file lacks are generated from the row number
(``household_id: {generate: row_number}``). ``metadata.conversion: {currency, rate, source}`` converts every
money value into another currency on reading (recorded in the survey's metadata)::

    households:
      household_id: {generate: row_number}
      ...
    members:
      size: hh_size
      head: {age: head_age, sex: {column: head_sex, recode: {1: male, 2: female}}}

Each variable has exactly one source: ``column``, ``constant``, ``sum``, ``difference``, ``household_total``,
(for ``household_id`` and ``person_id``) ``generate`` or (for ``relationship`` only) ``derive``; then, in this order, ``fill_missing`` (replaces missing values of the
source columns read), the combination, ``recode`` (with ``other`` for codes not listed), ``per`` / ``scale``
(value × per-month factor × scale), and ``clip: [lowest, highest]`` (either may be null). Nothing is evaluated as
code.

Stata and SPSS files carry value labels (``1 → "working full time"``). ``read.value_labels`` (default true) says
whether labelled codes arrive as their labels; a variable may choose otherwise for the columns it reads with
``values: codes`` or ``values: labels`` (so one mapping recodes ``pl030``'s codes while reading a region's names).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError
from pydantic import field_validator, model_validator

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.input_files import read_yaml_file
from floorsim.surveys.model import (
    INCOME_COMPONENT_PATTERN,
    OPTIONAL_HOUSEHOLD_COLUMNS,
    OPTIONAL_PERSON_COLUMNS,
    PERSON_COLUMNS,
    required_household_columns,
)

Scalar = Union[StrictBool, StrictInt, StrictFloat, StrictStr]

# Factors turning an amount per ``per`` into an amount per month. A year has 12 months; a week is 1/52 of a year
# and a day 1/365, the conventions of most statistical offices' annualisation of survey recall periods.
PER_MONTH: dict[str, float] = {"year": 1 / 12, "quarter": 1 / 3, "month": 1.0, "week": 52 / 12, "day": 365 / 12}

HEAD_RULES = ("head_lowest_person_id", "head_oldest")
# Person columns kept as they are for a country package's other group entities (a tax unit, a family): the
# person's group within the household and their role in it, e.g. ``group_tax_unit`` and ``group_tax_unit_role``.
# floorsim.yaml's ``groups`` says which column feeds which entity (docs/third_party_packages.md).
GROUP_COLUMN_PATTERN = re.compile(r"^group_[a-z][a-z0-9_]*$")
# Identifiers a mapping may generate when a file has none: ``row_number`` is the 1-based row of the data file.
GENERATED_IDS = ("households.household_id", "persons.person_id")
# Person variables a household-level file may give for the head (``members.head``); ``age`` and ``sex`` are needed.
HEAD_REQUIRED = ("age", "sex")
HEAD_VARIABLES = (*HEAD_REQUIRED, "disability_severity", "pregnant", "in_school", "employment_status", "gave_birth",
                  "orphan")


def canonical_code(value: Any) -> str:
    """The text form under which a source value is looked up in a ``recode`` table.

    Integral numbers lose their decimal part (``1``, ``1.0`` and ``"1"`` are all ``"1"``), so one mapping works
    whether a file stored codes as integers, floats (Stata, SPSS, CSV with missing values) or strings (Parquet).
    """
    if isinstance(value, str):
        text = value.strip()
        if _INTEGRAL_TEXT.match(text):
            return str(int(float(text)))
        return text
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip()


_INTEGRAL_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expression(_Strict):
    """A combination of source columns: exactly one of ``sum``, ``difference`` or ``household_total``.

    Operands are a column name, a number, or a nested expression.
    """

    sum: list[Operand] | None = Field(default=None, min_length=1, description="a + b + c ...")
    difference: list[Operand] | None = Field(default=None, min_length=2, description="a - b - c ...")
    household_total: list[StrictStr] | None = Field(
        default=None,
        min_length=1,
        description="sum over the household's members of these person-level columns (households only)",
    )

    @model_validator(mode="after")
    def _one_operation(self) -> Expression:
        given = [name for name in ("sum", "difference", "household_total") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"an expression needs exactly one of sum, difference, household_total (got {given})")
        return self

    @property
    def operation(self) -> str:
        return next(name for name in ("sum", "difference", "household_total") if getattr(self, name) is not None)


Operand = Union[StrictStr, StrictInt, StrictFloat, Expression]
Expression.model_rebuild()


class VariableSpec(Expression):
    """Where one model variable comes from, and how it is transformed."""

    column: StrictStr | None = None
    constant: Scalar | None = None
    generate: Literal["row_number"] | None = Field(
        default=None, description="ids only: the 1-based row number of the data file (for files without ids)"
    )
    derive: Literal["head_lowest_person_id", "head_oldest"] | None = Field(
        default=None,
        description="relationship only: the member with the lowest person id (or the oldest) is the head",
    )
    others: StrictStr | None = Field(default=None, description="with derive: relationship of the other members")
    recode: dict[str, Scalar] | None = None
    other: Scalar | None = Field(default=None, description="value for source codes not listed in recode")
    fill_missing: Scalar | None = None
    per: Literal["year", "quarter", "month", "week", "day"] | None = None
    scale: StrictFloat | StrictInt | None = None
    clip: tuple[StrictFloat | StrictInt | None, StrictFloat | StrictInt | None] | None = Field(
        default=None, description="[lowest, highest] value kept (null: no bound); applied last"
    )
    values: Literal["codes", "labels"] | None = Field(
        default=None,
        description="Stata/SPSS: read the columns of this variable as their codes or their value labels "
        "(default: read.value_labels)",
    )

    @field_validator("recode", mode="before")
    @classmethod
    def _canonical_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {canonical_code(key): item for key, item in value.items()}
        return value

    @model_validator(mode="after")
    def _one_operation(self) -> VariableSpec:
        sources = [
            name
            for name in ("column", "constant", "sum", "difference", "household_total", "generate", "derive")
            if getattr(self, name) is not None
        ]
        if len(sources) != 1:
            raise ValueError(
                "give exactly one source: column, constant, sum, difference, household_total, generate or derive"
                f" (got {sources or 'none'})"
            )
        if self.generate is not None and (
            self.recode or self.per or self.scale is not None or self.fill_missing is not None or self.clip
        ):
            raise ValueError("a generated id takes no recode, per, scale, clip or fill_missing")
        if self.derive is not None and self.others is None:
            raise ValueError("derive needs 'others': the relationship given to members who are not the head")
        if self.others is not None and self.derive is None:
            raise ValueError("'others' is only meaningful with derive")
        if self.other is not None and self.recode is None:
            raise ValueError("'other' is only meaningful with recode")
        if self.derive is not None and (
            self.recode or self.per or self.scale is not None or self.fill_missing is not None or self.clip
        ):
            raise ValueError("a derived variable takes no recode, per, scale, clip or fill_missing")
        if self.clip is not None and None not in self.clip and self.clip[0] > self.clip[1]:
            raise ValueError("clip needs [lowest, highest] with lowest <= highest")
        if self.values is not None and not self.columns():
            raise ValueError("'values' (codes or labels) is only meaningful for a variable read from columns")
        return self

    @property
    def source(self) -> str:
        """Which source key the variable uses."""
        for name in ("column", "constant", "generate", "derive"):
            if getattr(self, name) is not None:
                return name
        return self.operation

    def columns(self) -> list[str]:
        """Every source column the variable reads (for checks that they exist)."""
        if self.column is not None:
            return [self.column]
        return _columns_of(self) if self.source in ("sum", "difference", "household_total") else []


def _columns_of(operand: Operand) -> list[str]:
    if isinstance(operand, str):
        return [operand]
    if isinstance(operand, Expression):
        items = getattr(operand, operand.operation)
        return [name for item in items for name in _columns_of(item)]
    return []


def _spec(value: Any) -> Any:
    # A bare string is shorthand for {column: NAME}.
    return {"column": value} if isinstance(value, str) else value


class MetadataSpec(_Strict):
    """The survey's metadata, as in :class:`floorsim.surveys.model.SurveyMetadata`."""

    name: StrictStr
    country: StrictStr = Field(min_length=3, max_length=3)
    reference_year: StrictInt
    currency: StrictStr = Field(min_length=3, max_length=3)
    welfare_concept: Literal["consumption", "income"]
    synthetic: StrictBool = False
    source: StrictStr = ""
    reference_period: StrictStr = ""
    welfare_definition: StrictStr = ""
    equivalence_scale: StrictStr = ""
    extra: dict[str, Any] = Field(default_factory=dict)
    conversion: CurrencyConversion | None = None


class CurrencyConversion(_Strict):
    """Money of the file converted on reading: every money value × ``rate`` is in ``currency``."""

    currency: StrictStr = Field(min_length=3, max_length=3, description="ISO 4217 code money is converted into")
    rate: StrictFloat | StrictInt = Field(gt=0, description="units of `currency` per unit of the file's currency")
    source: StrictStr = Field(min_length=1, description="where the rate comes from (e.g. central bank, date)")


class ReadOptions(_Strict):
    """How source files are read."""

    value_labels: StrictBool = Field(
        default=True, description="Stata/SPSS: replace labelled codes by their value labels before recoding"
    )
    csv_separator: StrictStr = ","
    csv_decimal: StrictStr = "."
    encoding: StrictStr | None = None


class Checks(_Strict):
    """Consistency checks against columns of the source that the model does not keep."""

    household_size: StrictStr | None = Field(
        default=None, description="source column of the declared household size, checked against members"
    )


class HouseholdMembers(_Strict):
    """A household-level file: the persons each household row implies (the head and ``size − 1`` others)."""

    size: VariableSpec = Field(description="household size (persons), a whole number >= 1")
    head: dict[str, VariableSpec] = Field(description="person variables of the head: age and sex at least")

    @field_validator("size", mode="before")
    @classmethod
    def _size_shorthand(cls, value: Any) -> Any:
        return _spec(value)

    @field_validator("head", mode="before")
    @classmethod
    def _head_shorthand(cls, value: Any) -> Any:
        return {key: _spec(item) for key, item in value.items()} if isinstance(value, dict) else value


class SurveyMapping(_Strict):
    """A whole mapping file."""

    version: Literal[1] = 1
    metadata: MetadataSpec
    read: ReadOptions = Field(default_factory=ReadOptions)
    households: dict[str, VariableSpec]
    persons: dict[str, VariableSpec] = Field(default_factory=dict)
    members: HouseholdMembers | None = Field(
        default=None, description="household-level file: the persons it implies (instead of persons)"
    )
    checks: Checks = Field(default_factory=Checks)

    @field_validator("households", "persons", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: _spec(item) for key, item in value.items()}
        return value

    def column_values(self) -> dict[str, str]:
        """``{source column: "codes" | "labels"}`` for the columns of the variables that choose (``values:``);
        the other columns follow ``read.value_labels``. A column read as codes by one variable and as labels by
        another is refused when the mapping is loaded (a SurveyError naming the second variable)."""
        chosen: dict[str, tuple[str, str]] = {}
        sections = {"households": self.households, "persons": self.persons}
        if self.members is not None:
            sections["members.head"] = self.members.head
            sections["members"] = {"size": self.members.size}
        for section, specs in sections.items():
            for key, spec in specs.items():
                if spec.values is None:
                    continue
                for column in spec.columns():
                    earlier = chosen.setdefault(column, (spec.values, f"{section}.{key}"))
                    if earlier[0] != spec.values:
                        raise _KeyError(
                            f"{section}.{key}.values",
                            f"column {column!r} is read as {earlier[0]} by {earlier[1]} and as {spec.values} here:"
                            " one file column is read one way",
                        )
        return {column: choice for column, (choice, _) in chosen.items()}

    @property
    def household_level(self) -> bool:
        """Whether the mapping reads a household-level file (one row per household, no person records)."""
        return self.members is not None

    def _check_members(self) -> None:
        """Rules of a household-level mapping (``members`` instead of ``persons``)."""
        assert self.members is not None
        if self.persons:
            raise _KeyError("persons", "a household-level mapping gives members (size, head) instead of persons")
        if self.checks.household_size is not None:
            raise _KeyError("checks.household_size", "members.size is the household size of a household-level file")
        for key, spec in self.members.head.items():
            if key not in HEAD_VARIABLES:
                raise _KeyError(f"members.head.{key}", f"the head's variables are {list(HEAD_VARIABLES)}")
            if spec.generate is not None or spec.derive is not None or spec.source == "household_total":
                raise _KeyError(f"members.head.{key}", "the head's variables come from columns, constants or sums")
        absent = [key for key in HEAD_REQUIRED if key not in self.members.head]
        if absent:
            raise _KeyError(f"members.head.{absent[0]}", f"the mapping must say where the head's {absent} come from")

    @model_validator(mode="after")
    def _model_variables(self) -> SurveyMapping:
        concept = self.metadata.welfare_concept
        sections = {
            "households": (required_household_columns(concept), OPTIONAL_HOUSEHOLD_COLUMNS),
            "persons": (PERSON_COLUMNS, OPTIONAL_PERSON_COLUMNS),
        }
        if self.members is not None:
            self._check_members()
            del sections["persons"]
        for section, (required, optional) in sections.items():
            specs: dict[str, VariableSpec] = getattr(self, section)
            for key, spec in specs.items():
                if key not in required and key not in optional and not INCOME_COMPONENT_PATTERN.match(key) and not (
                    section == "persons" and GROUP_COLUMN_PATTERN.match(key)
                ):
                    raise _KeyError(
                        f"{section}.{key}",
                        f"not a variable of the data model's {section} table (see docs/data_model.md;"
                        " income components are named income_<component>; membership and role columns of a package's"
                        " other group entities group_<name>)",
                    )
                if spec.derive is not None and (section, key) != ("persons", "relationship"):
                    raise _KeyError(f"{section}.{key}", "derive is only available for persons.relationship")
                if spec.source == "household_total" and section != "households":
                    raise _KeyError(f"{section}.{key}", "household_total is only available for household variables")
                if spec.generate is not None and f"{section}.{key}" not in GENERATED_IDS:
                    raise _KeyError(f"{section}.{key}", f"generate is only available for {list(GENERATED_IDS)}")
                if spec.source == "household_total" and self.members is not None:
                    raise _KeyError(f"{section}.{key}", "a household-level file has no person rows to total")
            absent = [key for key in required if key not in specs]
            if absent:
                raise _KeyError(
                    f"{section}.{absent[0]}",
                    f"the mapping must say where {absent} come(s) from (a column, a constant or a combination)",
                )
        self.column_values()  # one way of reading each labelled column
        return self


class _KeyError(ValueError):
    """A rule about mapping keys, raised inside validation and turned into a SurveyError naming the key."""

    def __init__(self, key: str, rule: str) -> None:
        super().__init__(rule)
        self.key = key
        self.rule = rule


def load_mapping(mapping: str | Path | dict[str, Any] | SurveyMapping) -> SurveyMapping:
    """Read and validate a mapping (a YAML file path, an already parsed dict, or a :class:`SurveyMapping`).

    Raises:
        SurveyError: naming the mapping file, the offending key (e.g. ``persons.sex.recode``) and the rule.
    """
    if isinstance(mapping, SurveyMapping):
        return mapping
    source = "<mapping>"
    if isinstance(mapping, (str, Path)):
        source = str(mapping)
        if not Path(mapping).is_file():
            raise SurveyError("mapping file not found", source=source)
        mapping = read_yaml_file(mapping)
    if not isinstance(mapping, dict):
        raise SurveyError("a mapping must be a YAML mapping (key: value) at the top level", source=source)
    try:
        return SurveyMapping.model_validate(mapping)
    except ValidationError as error:
        problems = error.errors()
        cause = problems[0].get("ctx", {}).get("error")
        if isinstance(cause, _KeyError):
            raise SurveyError(cause.rule, source=source, field=cause.key) from None
        # Of the alternatives pydantic tried for a union, the deepest location is the one the author meant.
        paths = [[str(part) for part in problem["loc"] if not _is_union_tag(part)] for problem in problems]
        best = max(range(len(problems)), key=lambda i: len(paths[i]))
        rule = problems[best]["msg"].removeprefix("Value error, ")
        if problems[best]["type"] == "extra_forbidden":
            rule = f"unknown key {paths[best][-1]!r} (a typo, or an operation floorsim does not offer)"
        raise SurveyError(rule, source=source, field=".".join(paths[best]) or None) from None


_UNION_TAGS = ("str", "int", "float", "bool", "Expression", "VariableSpec", "HouseholdMembers", "CurrencyConversion")


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the name of the union member tried (e.g. "VariableSpec", "str") to error locations.
    return isinstance(part, str) and (part in _UNION_TAGS or "[" in part)
