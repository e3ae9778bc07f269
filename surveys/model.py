"""The survey data model: a households table, a persons table and metadata.

The model is deliberately small and explicit. Column names, types and units are fixed here (and documented in
``docs/data_model.md``); readers and mappings translate other surveys into it, and the engine translates it into
the inputs of a country package.

Households (one row per household)
    ``household_id`` int64, unique · ``weight`` float64 > 0, number of households represented ·
    ``region`` string · ``urban`` bool · ``consumption`` float64, household total consumption in the survey's
    currency per month (the welfare aggregate; see ``metadata.welfare_concept``) · optional ``stratum`` string and
    ``psu`` int64 (primary sampling unit) for design-based standard errors.

Persons (one row per person)
    ``person_id`` int64, unique · ``household_id`` int64, present in the households table · ``age`` int, completed
    years at the survey date · ``sex`` "female" / "male" · ``relationship`` one of :data:`RELATIONSHIPS` ·
    ``disability_severity`` int 0–3, the Washington Group scale (0 no difficulty, 1 some difficulty, 2 a lot of
    difficulty, 3 cannot do at all; the worst domain) · ``pregnant`` bool · ``in_school`` bool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveys.errors import SurveyError

RELATIONSHIPS = ("head", "spouse", "child", "parent", "other_relative", "non_relative")
SEXES = ("female", "male")

HOUSEHOLD_COLUMNS: dict[str, str] = {
    "household_id": "int64",
    "weight": "float64",
    "region": "string",
    "urban": "bool",
    "consumption": "float64",
}
OPTIONAL_HOUSEHOLD_COLUMNS: dict[str, str] = {"stratum": "string", "psu": "int64"}

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


@dataclass(frozen=True)
class SurveyMetadata:
    """What a survey is and how its numbers are to be read.

    Attributes:
        name: short identifier, e.g. ``"timor_leste_synthetic"``.
        country: ISO 3166 alpha-3 code, e.g. ``"TLS"``.
        reference_year: year the survey's money values and ages refer to.
        currency: ISO 4217 code of money values, e.g. ``"USD"``.
        welfare_concept: ``"consumption"`` or ``"income"``; ``consumption`` is per household per month.
        synthetic: True when the microdata are simulated rather than collected.
        source: where the data come from (or how they were generated), in words.
        extra: anything else worth keeping with the data (seeds, generator version, targets file hash).
    """

    name: str
    country: str
    reference_year: int
    currency: str = "USD"
    welfare_concept: str = "consumption"
    synthetic: bool = False
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


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
        self.households = _coerce(self.households, HOUSEHOLD_COLUMNS, OPTIONAL_HOUSEHOLD_COLUMNS, self.origin)
        self.persons = _coerce(self.persons, PERSON_COLUMNS, {}, self.origin)
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
        """Person weights: each person carries their household's weight (float64)."""
        return self.households["weight"].to_numpy(np.float64)[self.person_household_index]

    def consumption_per_capita(self) -> np.ndarray:
        """Household consumption per person per month, aligned with ``households`` (float64)."""
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
    table: pd.DataFrame, required: dict[str, str], optional: dict[str, str], origin: str
) -> pd.DataFrame:
    missing = [name for name in required if name not in table.columns]
    if missing:
        raise SurveyError(f"missing required column(s) {missing}", source=origin, field=missing[0])
    table = table.copy()
    for name, dtype in {**required, **{k: v for k, v in optional.items() if k in table.columns}}.items():
        column = table[name]
        if column.isna().any():
            bad = table.index[column.isna()].tolist()
            raise SurveyError("missing values are not allowed", source=origin, field=name, rows=bad)
        try:
            table[name] = column.astype(dtype)
        except (TypeError, ValueError) as error:
            raise SurveyError(f"cannot be read as {dtype}: {error}", source=origin, field=name) from None
    return table


def validate(survey: Survey) -> None:
    """Check the rules of the data model; raise :class:`SurveyError` on the first rule broken."""
    households, persons, origin = survey.households, survey.persons, survey.origin
    for table, key in ((households, "household_id"), (persons, "person_id")):
        duplicated = table[key][table[key].duplicated()]
        if len(duplicated):
            raise SurveyError("identifiers must be unique", source=origin, field=key, rows=duplicated.tolist())
    bad = households.loc[~(households["weight"] > 0), "household_id"]
    if len(bad):
        raise SurveyError("household weights must be positive", source=origin, field="weight", rows=bad.tolist())
    bad = households.loc[~np.isfinite(households["consumption"]) | (households["consumption"] < 0), "household_id"]
    if len(bad):
        raise SurveyError(
            "consumption must be finite and non-negative", source=origin, field="consumption", rows=bad.tolist()
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
    heads = persons.loc[persons["relationship"] == "head"].groupby("household_id").size()
    heads = heads.reindex(households["household_id"], fill_value=0)
    bad = heads.index[heads != 1]
    if len(bad):
        raise SurveyError(
            "each household must have exactly one head", source=origin, field="relationship", rows=bad.tolist()
        )
