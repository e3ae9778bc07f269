"""The survey data model: a households table, a persons table and metadata.

The model is deliberately small and explicit. Column names, types and units are fixed here (and documented, with
every rule, in ``docs/data_model.md``); readers and mappings translate other surveys into it, and the engine
translates it into the inputs of a country package.

Money is always an amount per month in ``metadata.currency`` (readers convert annual, quarterly, weekly or daily
amounts with the mapping's ``per`` key).

Households (one row per household)
    ``household_id`` int64, unique · ``weight`` float64 > 0, number of households represented ·
    ``region`` string · ``urban`` bool · the welfare aggregate named by ``metadata.welfare_concept``:
    ``consumption`` (float64 >= 0, household total consumption per month; the default) or ``income`` (float64,
    household disposable income per month, may be negative) · optional ``stratum`` string and ``psu`` int64
    (primary sampling unit) for design-based standard errors · optional ``adult_equivalents`` float64 > 0
    (household size on the equivalence scale named in ``metadata.equivalence_scale``) · optional household-level
    income components ``income_<component>`` float64 per month.

Persons (one row per person)
    ``person_id`` int64, unique · ``household_id`` int64, present in the households table · ``age`` int, completed
    years at the survey date · ``sex`` "female" / "male" · ``relationship`` one of :data:`RELATIONSHIPS` ·
    ``disability_severity`` int 0–3, the Washington Group scale (0 no difficulty, 1 some difficulty, 2 a lot of
    difficulty, 3 cannot do at all; the worst domain) · ``pregnant`` bool · ``in_school`` bool · optional
    ``employment_status`` one of :data:`EMPLOYMENT_STATUSES` · optional ``gave_birth`` bool (a woman who gave birth
    in the 12 months before the survey date) · optional ``orphan`` bool (mother or father or both have died) ·
    optional ``weight`` float64 > 0 (a person weight
    given by the survey; otherwise each person carries the household weight) · optional person-level income
    components ``income_<component>`` float64 per month · optional ``age_sex_unknown`` bool: a member implied by a
    household-level file's household size, whose age and sex the survey does not give; such a member carries the
    placeholder age :data:`UNKNOWN_MEMBER_AGE` and sex :data:`UNKNOWN_MEMBER_SEX` (never read as a fact: see
    ``docs/data_model.md``, "Household-level files").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError

RELATIONSHIPS = ("head", "spouse", "child", "parent", "other_relative", "non_relative")
SEXES = ("female", "male")
# ILO labour-force status; "not_applicable" is for persons the survey's labour module did not ask (usually the
# young), so that a missing answer is never silently read as "inactive".
EMPLOYMENT_STATUSES = ("employed", "unemployed", "inactive", "not_applicable")
WELFARE_CONCEPTS = ("consumption", "income")

# Required household columns of a consumption-based survey (the default concept). For an income-based survey the
# welfare column is ``income`` instead of ``consumption``: see :func:`required_household_columns`.
HOUSEHOLD_COLUMNS: dict[str, str] = {
    "household_id": "int64",
    "weight": "float64",
    "region": "string",
    "urban": "bool",
    "consumption": "float64",
}
OPTIONAL_HOUSEHOLD_COLUMNS: dict[str, str] = {
    "stratum": "string",
    "psu": "int64",
    "consumption": "float64",
    "income": "float64",
    "adult_equivalents": "float64",
    # Administrative statuses (a country's certification lists; Viet Nam's Decree 07/2021/ND-CP review):
    # certified poor / near-poor household, number of basic-service deprivations (0-12), commune designated
    # especially difficult (ethnic-minority and mountainous).
    "poverty_certificate": "string",
    "deprivation_count": "int64",
    "especially_difficult_commune": "bool",
}

PERSON_COLUMNS: dict[str, str] = {
    "person_id": "int64",
    "household_id": "int64",
    "age": "int64",
    "sex": "string",
    "relationship": "string",
    "disability_severity": "int64",
    "pregnant": "bool",
    "in_school": "bool",
}
# The person column marking the members a household-level file implies, whose age and sex are placeholders.
UNKNOWN_AGE_SEX = "age_sex_unknown"
OPTIONAL_PERSON_COLUMNS: dict[str, str] = {
    "employment_status": "string",
    "weight": "float64",
    # Maternity benefits count births, not children aged 0 (who are fewer: infant deaths, age heaping, children
    # born earlier in the year than the survey date's twelve months): a woman who gave birth in the 12 months
    # before the survey date. Orphanhood: a person under 18 whose mother or father (or both) has died.
    "gave_birth": "bool",
    "orphan": "bool",
    # True for the members a household-level file implies (household size − 1 beyond the head): their age and sex
    # are unknown, and the values in ``age`` and ``sex`` are the placeholders below, never observations.
    UNKNOWN_AGE_SEX: "bool",
    # Administrative statuses: no one obliged or able to support them; living with HIV; cared for in the
    # community; certified disability level (Viet Nam: Decree 28/2012 Art. 3); pension, monthly social-insurance
    # benefit or other regular monthly allowance received (money, 0 when none).
    "no_supporter": "bool",
    "hiv": "bool",
    "community_care": "bool",
    "disability_certificate": "string",
    "monthly_pension": "float64",
}

# Allowed values of the administrative-status columns (checked when present).
POVERTY_CERTIFICATES = ("poor", "near_poor", "none")
DISABILITY_CERTIFICATES = ("none", "mild", "severe", "especially_severe")
DEPRIVATION_COUNT_RANGE = (0, 12)  # Decree 07/2021/ND-CP: 12 basic-social-service indicators

# Placeholders carried by members of unknown age and sex (``age_sex_unknown``). The engine needs an age and a sex
# for every person; a working age is chosen so that no child rule (ages below 18, or 24 for students) and no
# old-age rule (ages from 50 up) of any package floorsim knows counts these members as children or elders; they
# are neither pregnant, nor disabled, nor at school (nothing is known). The analysis layer puts them in an
# "unknown" age group and sex, and every run says how many there are and what person benefits reach them.
UNKNOWN_MEMBER_AGE = 30
UNKNOWN_MEMBER_SEX = "male"

# Income components, in either table, follow one naming convention: ``income_`` and a lower-case snake_case name
# (e.g. ``income_wages``, ``income_old_age_pension``); always float64, money per month.
INCOME_COMPONENT_PREFIX = "income_"
INCOME_COMPONENT_PATTERN = re.compile(r"^income_[a-z][a-z0-9_]*$")


def required_household_columns(welfare_concept: str) -> dict[str, str]:
    """Required household columns (name -> dtype) of a survey whose welfare aggregate is ``welfare_concept``."""
    _check_concept(welfare_concept)
    columns = {name: dtype for name, dtype in HOUSEHOLD_COLUMNS.items() if name != "consumption"}
    columns[welfare_concept] = "float64"
    return columns


def income_components(table: pd.DataFrame) -> list[str]:
    """Names of the income-component columns (``income_<component>``) of ``table``, in table order."""
    return [str(name) for name in table.columns if INCOME_COMPONENT_PATTERN.match(str(name))]


def is_money_column(name: str) -> bool:
    """Whether a column of the data model holds money (currency per month at the survey's prices)."""
    return name in ("consumption", "income", "monthly_pension") or bool(INCOME_COMPONENT_PATTERN.match(name))


def _check_concept(welfare_concept: str) -> None:
    if welfare_concept not in WELFARE_CONCEPTS:
        raise SurveyError(
            f"welfare_concept must be one of {WELFARE_CONCEPTS}, got {welfare_concept!r}", field="welfare_concept"
        )


@dataclass(frozen=True)
class SurveyMetadata:
    """What a survey is and how its numbers are to be read.

    Attributes:
        name: short identifier, e.g. ``"timor_leste_synthetic"``.
        country: ISO 3166 alpha-3 code, e.g. ``"TLS"``.
        reference_year: year the survey's money values and ages refer to.
        currency: ISO 4217 code of money values, e.g. ``"USD"``. All money columns are amounts per month in it.
        welfare_concept: ``"consumption"`` or ``"income"``: which household column (of the same name) holds the
            welfare aggregate, a household total per month.
        synthetic: True when the microdata are simulated rather than collected.
        source: where the data come from (or how they were generated), in words.
        extra: anything else worth keeping with the data (seeds, generator version, targets file hash).
        reference_period: the period money values refer to, in words or ISO 8601, e.g. ``"2014-07/2015-06"`` or
            ``"2005 (income reference year of EU-SILC 2006)"``; empty when it is ``reference_year``.
        welfare_definition: what the welfare aggregate contains, e.g. ``"household disposable income (HY020)"``.
        equivalence_scale: name of the scale behind the ``adult_equivalents`` column, e.g. ``"modified OECD"``;
            empty when the survey has no such column.
        calibration: the calibration the household weights satisfy, so that replicate weights can be re-calibrated
            to the same margins (``floorsim.surveys.recorded_calibration``): ``{"method": "raking" | "linear" | "logit",
            "bounds": [L, U] or None, "margins": [...]}``, each margin ``{"name", "level", "by", "targets":
            [[category..., count], ...], "age_groups"}`` or a total ``{"name", "level", "target", "column"}``.
            None when the survey records none (older folders): its standard errors then ignore calibration.
    """

    name: str
    country: str
    reference_year: int
    currency: str = "USD"
    welfare_concept: str = "consumption"
    synthetic: bool = False
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    reference_period: str = ""
    welfare_definition: str = ""
    equivalence_scale: str = ""
    calibration: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _check_concept(self.welfare_concept)

    @property
    def welfare_unit(self) -> str:
        """Unit of the welfare aggregate column, e.g. ``"USD per household per month"``."""
        return f"{self.currency} per household per month"


@dataclass
class Survey:
    """A household survey in floorsim's data model, validated on construction.

    Persons are sorted by household (in the households table's order) so that any contiguous slice of
    households maps to a contiguous slice of persons; the engine relies on this to cut chunks cheaply.
    """

    households: pd.DataFrame
    persons: pd.DataFrame
    metadata: SurveyMetadata
    origin: str = "<memory>"

    def __post_init__(self) -> None:
        required = required_household_columns(self.metadata.welfare_concept)
        self.households = _coerce(self.households, required, OPTIONAL_HOUSEHOLD_COLUMNS, self.origin, "household_id")
        self.persons = _coerce(self.persons, PERSON_COLUMNS, OPTIONAL_PERSON_COLUMNS, self.origin, "person_id")
        validate(self)
        order = pd.Series(np.arange(len(self.households)), index=self.households["household_id"].to_numpy())
        position = order.loc[self.persons["household_id"].to_numpy()].to_numpy()
        # Stable sort keeps the persons' original order inside each household (head first, if it was so).
        self.persons = self.persons.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)
        self.households = self.households.reset_index(drop=True)

    @property
    def household_size(self) -> np.ndarray:
        """Number of persons in each household, aligned with ``households`` (int64)."""
        counts = self.persons.groupby("household_id", sort=False).size()
        return counts.reindex(self.households["household_id"]).to_numpy(dtype=np.int64)

    @property
    def person_household_index(self) -> np.ndarray:
        """For each person, the 0-based row of their household in ``households`` (int64)."""
        sizes = self.household_size
        return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)

    @property
    def person_weight(self) -> np.ndarray:
        """Person weights (float64): the survey's own person weights when it has a ``weight`` column in
        ``persons``, otherwise each person carries their household's weight."""
        if "weight" in self.persons.columns:
            return self.persons["weight"].to_numpy(np.float64)
        return self.households["weight"].to_numpy(np.float64)[self.person_household_index]

    @property
    def welfare_column(self) -> str:
        """Name of the household column holding the welfare aggregate (``"consumption"`` or ``"income"``)."""
        return self.metadata.welfare_concept

    def welfare(self) -> np.ndarray:
        """Household welfare aggregate (consumption or income, per ``metadata.welfare_concept``), household total
        per month in ``metadata.currency``, aligned with ``households`` (float64)."""
        return self.households[self.welfare_column].to_numpy(np.float64)

    def welfare_per_capita(self) -> np.ndarray:
        """Welfare aggregate per person per month: ``welfare / household_size``, aligned with ``households``."""
        return self.welfare() / self.household_size

    def welfare_per_adult_equivalent(self) -> np.ndarray:
        """Welfare per adult equivalent per month: ``welfare / adult_equivalents`` (needs that column)."""
        if "adult_equivalents" not in self.households.columns:
            raise SurveyError(
                "the survey has no adult_equivalents column (map one, e.g. a modified-OECD scale)",
                source=self.origin,
                field="adult_equivalents",
            )
        return self.welfare() / self.households["adult_equivalents"].to_numpy(np.float64)

    def consumption_per_capita(self) -> np.ndarray:
        """Household consumption per person per month, aligned with ``households`` (float64)."""
        if "consumption" not in self.households.columns:
            raise SurveyError(
                f"the survey's welfare aggregate is {self.welfare_column!r} and it has no consumption column;"
                " use welfare_per_capita()",
                source=self.origin,
                field="consumption",
            )
        return self.households["consumption"].to_numpy(np.float64) / self.household_size

    def __len__(self) -> int:
        return len(self.households)

    def select_households(self, start: int, stop: int) -> Survey:
        """Households ``start:stop`` (in table order) with their members, as a new ``Survey`` (no revalidation)."""
        sizes = self.household_size
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        part = object.__new__(Survey)
        part.households = self.households.iloc[start:stop].reset_index(drop=True)
        part.persons = self.persons.iloc[bounds[start] : bounds[stop]].reset_index(drop=True)
        part.metadata = self.metadata
        part.origin = self.origin
        return part


def _coerce(
    table: pd.DataFrame, required: dict[str, str], optional: dict[str, str], origin: str, key: str
) -> pd.DataFrame:
    """Check required columns are present and cast columns to their model types; rows are named by ``key`` ids."""
    missing = [name for name in required if name not in table.columns]
    if missing:
        raise SurveyError(f"missing required column(s) {missing}", source=origin, field=missing[0])
    table = table.copy()
    present = {k: v for k, v in optional.items() if k in table.columns and k not in required}
    present.update({name: "float64" for name in income_components(table)})
    for name, dtype in {**required, **present}.items():
        column = table[name]
        ids = table[key] if key in table.columns and name != key else pd.Series(table.index, index=table.index)
        if column.isna().any():
            raise SurveyError("missing values are not allowed", source=origin, field=name, rows=ids[column.isna()].tolist())
        table[name] = _cast(column, dtype, ids, origin, name)
    return table


TRUE_TEXT = frozenset({"true", "yes", "1"})
FALSE_TEXT = frozenset({"false", "no", "0"})


def _cast(column: pd.Series, dtype: str, ids: pd.Series, origin: str, name: str) -> pd.Series:
    """``column`` as the model's ``dtype``, refusing what a plain ``astype`` would silently change.

    Booleans: bool columns as they are; numbers 0 and 1; text ``true/false``, ``yes/no``, ``1/0`` (any case,
    surrounding spaces ignored). Anything else — ``"maybe"``, 2, and every non-empty text ``astype(bool)`` would read
    as True — is an error naming the rows. Integers: whole numbers only; a fraction (an age of 3.5, an id of 1.5) is
    an error naming the rows, never truncated.
    """
    if dtype == "bool":
        if pd.api.types.is_bool_dtype(column):
            return column.astype("bool")
        if pd.api.types.is_numeric_dtype(column):
            bad = ~column.isin([0, 1])
            if bad.any():
                raise SurveyError("yes/no values must be 0 or 1 (or true/false)", source=origin, field=name,
                                  rows=ids[bad].tolist())
            return column.astype("bool")
        text = column.astype(str).str.strip().str.lower()
        bad = ~text.isin(TRUE_TEXT | FALSE_TEXT)
        if bad.any():
            raise SurveyError("yes/no values must be true/false, yes/no or 1/0", source=origin, field=name,
                              rows=ids[bad].tolist())
        return text.isin(TRUE_TEXT)
    if dtype.startswith("int") and not pd.api.types.is_integer_dtype(column):
        numbers = pd.to_numeric(column, errors="coerce") if not pd.api.types.is_bool_dtype(column) else column
        bad = numbers.isna() | ~np.isfinite(numbers.astype("float64")) | (numbers.astype("float64") % 1 != 0)
        if bad.any():
            raise SurveyError("must be whole numbers", source=origin, field=name, rows=ids[bad].tolist())
        column = numbers
    try:
        return column.astype(dtype)
    except (TypeError, ValueError) as error:
        raise SurveyError(f"cannot be read as {dtype}: {error}", source=origin, field=name) from None


def _ids_where(table: pd.DataFrame, key: str, mask: pd.Series | np.ndarray) -> list[Any]:
    return table.loc[np.asarray(mask, dtype=bool), key].tolist()


def validate(survey: Survey) -> None:
    """Check the rules of the data model; raise :class:`SurveyError` on the first rule broken.

    The rules are listed in ``docs/data_model.md``; each error names the column and the offending ids.
    """
    households, persons, origin = survey.households, survey.persons, survey.origin
    for table, key in ((households, "household_id"), (persons, "person_id")):
        duplicated = table[key][table[key].duplicated()]
        if len(duplicated):
            raise SurveyError("identifiers must be unique", source=origin, field=key, rows=duplicated.tolist())
    weight = households["weight"].to_numpy(np.float64)
    bad = _ids_where(households, "household_id", ~(np.isfinite(weight) & (weight > 0)))
    if bad:
        raise SurveyError("household weights must be positive", source=origin, field="weight", rows=bad)
    if "consumption" in households.columns:
        value = households["consumption"].to_numpy(np.float64)
        bad = _ids_where(households, "household_id", ~np.isfinite(value) | (value < 0))
        if bad:
            raise SurveyError(
                "consumption must be finite and non-negative", source=origin, field="consumption", rows=bad
            )
    # Income may be negative (business losses, tax repayments), but never infinite.
    for name in (["income"] if "income" in households.columns else []) + income_components(households):
        bad = _ids_where(households, "household_id", ~np.isfinite(households[name].to_numpy(np.float64)))
        if bad:
            raise SurveyError("money values must be finite", source=origin, field=name, rows=bad)
    if "adult_equivalents" in households.columns:
        value = households["adult_equivalents"].to_numpy(np.float64)
        bad = _ids_where(households, "household_id", ~(np.isfinite(value) & (value > 0)))
        if bad:
            raise SurveyError("adult_equivalents must be positive", source=origin, field="adult_equivalents", rows=bad)
    if "stratum" in households.columns and "psu" in households.columns:
        strata_per_psu = households.groupby("psu")["stratum"].nunique()
        bad = strata_per_psu.index[strata_per_psu > 1].tolist()
        if bad:
            raise SurveyError(
                "each primary sampling unit must lie in a single stratum (rows are psu ids)",
                source=origin,
                field="psu",
                rows=bad,
            )
    orphans = persons.loc[~persons["household_id"].isin(households["household_id"]), "person_id"]
    if len(orphans):
        raise SurveyError(
            "person belongs to no household of the households table",
            source=origin,
            field="household_id",
            rows=orphans.tolist(),
        )
    empty = households.loc[~households["household_id"].isin(persons["household_id"]), "household_id"]
    if len(empty):
        raise SurveyError("household has no members", source=origin, field="household_id", rows=empty.tolist())
    bad = persons.loc[(persons["age"] < 0) | (persons["age"] > 120), "person_id"]
    if len(bad):
        raise SurveyError("age must be between 0 and 120 years", source=origin, field="age", rows=bad.tolist())
    bad = persons.loc[~persons["sex"].isin(SEXES), "person_id"]
    if len(bad):
        raise SurveyError(f"sex must be one of {SEXES}", source=origin, field="sex", rows=bad.tolist())
    bad = persons.loc[~persons["relationship"].isin(RELATIONSHIPS), "person_id"]
    if len(bad):
        raise SurveyError(
            f"relationship must be one of {RELATIONSHIPS}", source=origin, field="relationship", rows=bad.tolist()
        )
    bad = persons.loc[~persons["disability_severity"].between(0, 3), "person_id"]
    if len(bad):
        raise SurveyError(
            "disability_severity must be 0-3 (Washington Group scale)",
            source=origin,
            field="disability_severity",
            rows=bad.tolist(),
        )
    if "employment_status" in persons.columns:
        bad = persons.loc[~persons["employment_status"].isin(EMPLOYMENT_STATUSES), "person_id"]
        if len(bad):
            raise SurveyError(
                f"employment_status must be one of {EMPLOYMENT_STATUSES}",
                source=origin,
                field="employment_status",
                rows=bad.tolist(),
            )
    if "weight" in persons.columns:
        value = persons["weight"].to_numpy(np.float64)
        bad = _ids_where(persons, "person_id", ~(np.isfinite(value) & (value > 0)))
        if bad:
            raise SurveyError("person weights must be positive", source=origin, field="weight", rows=bad)
    for name in income_components(persons):
        bad = _ids_where(persons, "person_id", ~np.isfinite(persons[name].to_numpy(np.float64)))
        if bad:
            raise SurveyError("money values must be finite", source=origin, field=name, rows=bad)
    _check_statuses(households, persons, origin)
    heads = persons.loc[persons["relationship"] == "head"].groupby("household_id").size()
    heads = heads.reindex(households["household_id"], fill_value=0)
    bad = heads.index[heads != 1]
    if len(bad):
        raise SurveyError(
            "each household must have exactly one head", source=origin, field="relationship", rows=bad.tolist()
        )


def _check_statuses(households: pd.DataFrame, persons: pd.DataFrame, origin: str) -> None:
    """The administrative-status columns, where present, hold allowed values (see docs/data_model.md)."""
    for table, key, name, allowed in (
        (households, "household_id", "poverty_certificate", POVERTY_CERTIFICATES),
        (persons, "person_id", "disability_certificate", DISABILITY_CERTIFICATES),
    ):
        if name in table.columns:
            bad = _ids_where(table, key, ~table[name].isin(allowed))
            if bad:
                raise SurveyError(f"{name} must be one of {allowed}", source=origin, field=name, rows=bad)
    if "deprivation_count" in households.columns:
        low, high = DEPRIVATION_COUNT_RANGE
        bad = _ids_where(households, "household_id", ~households["deprivation_count"].between(low, high))
        if bad:
            raise SurveyError(f"deprivation_count must be {low}-{high}", source=origin, field="deprivation_count",
                              rows=bad)
    if "monthly_pension" in persons.columns:
        value = persons["monthly_pension"].to_numpy(np.float64)
        bad = _ids_where(persons, "person_id", ~(np.isfinite(value) & (value >= 0)))
        if bad:
            raise SurveyError("monthly_pension must be finite and non-negative (0 when none)", source=origin,
                              field="monthly_pension", rows=bad)
