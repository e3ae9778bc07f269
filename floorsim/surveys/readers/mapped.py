"""Building a :class:`~floorsim.surveys.model.Survey` from source tables and a mapping.

Two layouts:

- **one file**: one row per person, household variables repeated on every member's row. Household variables are
  evaluated on person rows and must be the same for all members of a household (an error names the households
  where they differ); ``household_total`` sums person columns over members.
- **two files**: a household file (one row per household) and a person file; ``household_total`` sums columns of
  the person file over the persons whose ``household_id`` points to the household.

Every value is converted to the model's type here, with errors naming the file, the mapping key, the rows' ids
and the rule; the assembled tables then go through the data model's own validation (``Survey``'s constructor).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.mapping import SurveyMapping, VariableSpec, canonical_code
from floorsim.surveys.model import (
    EMPLOYMENT_STATUSES,
    INCOME_COMPONENT_PATTERN,
    OPTIONAL_HOUSEHOLD_COLUMNS,
    OPTIONAL_PERSON_COLUMNS,
    PERSON_COLUMNS,
    RELATIONSHIPS,
    SEXES,
    Survey,
    SurveyMetadata,
    required_household_columns,
)
from floorsim.surveys.readers.expressions import Rows, evaluate

# Model variables whose values come from a closed list: checked here so the error can point at the mapping.
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "persons.sex": SEXES,
    "persons.relationship": RELATIONSHIPS,
    "persons.employment_status": EMPLOYMENT_STATUSES,
}
TRUE_TEXT = {"true", "yes", "y", "t", "1"}
FALSE_TEXT = {"false", "no", "n", "f", "0"}


def survey_from_tables(
    mapping: SurveyMapping,
    persons_table: pd.DataFrame,
    persons_source: str,
    households_table: pd.DataFrame | None = None,
    households_source: str | None = None,
) -> Survey:
    """Apply ``mapping`` to source tables: one person table (one-file layout) or household and person tables.

    Raises:
        SurveyError: naming the source file, the mapping key (e.g. ``persons.age``) or model column, the ids of
            the offending rows and the rule broken.
    """
    persons_rows = Rows(persons_table.reset_index(drop=True), persons_source, np.arange(len(persons_table)))
    person_ids = _convert(evaluate(mapping.persons["person_id"], "persons.person_id", persons_rows), "int64",
                          "persons.person_id", persons_rows)
    persons_rows.ids = person_ids
    persons_rows.id_kind = "person ids"
    person_household = _convert(
        evaluate(mapping.persons["household_id"], "persons.household_id", persons_rows),
        "int64",
        "persons.household_id",
        persons_rows,
    )

    if households_table is None:
        households_rows, first_rows = _households_from_person_rows(mapping, persons_rows)
    else:
        households_rows = _households_from_file(mapping, households_table, households_source or "", persons_rows,
                                                person_household)
        first_rows = None

    households = _evaluate_section(mapping, "households", households_rows, first_rows)
    persons = _evaluate_section(mapping, "persons", persons_rows, None)
    if "relationship" not in persons:
        persons["relationship"] = _derive_head(mapping.persons["relationship"], persons, persons_rows)
    if mapping.checks.household_size is not None:
        _check_household_size(mapping.checks.household_size, households_rows, first_rows, households, persons)

    concept = mapping.metadata.welfare_concept
    household_order = [*required_household_columns(concept), *OPTIONAL_HOUSEHOLD_COLUMNS]
    person_order = [*PERSON_COLUMNS, *OPTIONAL_PERSON_COLUMNS]
    households_frame = _frame(households, household_order)
    persons_frame = _frame(persons, person_order)
    metadata = survey_metadata(mapping)
    origin = persons_source if households_source is None else f"{households_source} + {persons_source}"
    return Survey(households_frame, persons_frame, metadata, origin=origin)


def survey_metadata(mapping: SurveyMapping) -> SurveyMetadata:
    """The survey's metadata as the mapping states it (a currency ``conversion`` is applied after reading, by
    ``floorsim.surveys.readers.currency``, and recorded then)."""
    return SurveyMetadata(**mapping.metadata.model_dump(exclude={"conversion"}))


def _households_from_person_rows(mapping: SurveyMapping, persons_rows: Rows) -> tuple[Rows, np.ndarray]:
    """One-file layout: household variables are evaluated on person rows, one household code per row."""
    ids = _convert(
        evaluate(mapping.households["household_id"], "households.household_id", persons_rows),
        "int64",
        "households.household_id",
        persons_rows,
    )
    codes, first = _codes_in_order(ids)
    rows = Rows(
        persons_rows.table,
        persons_rows.source,
        ids,
        group=codes,
        members=persons_rows,
        member_group=codes,
        n_groups=len(first),
        id_kind="household ids",
    )
    return rows, first


def _households_from_file(
    mapping: SurveyMapping, table: pd.DataFrame, source: str, persons_rows: Rows, person_household: np.ndarray
) -> Rows:
    """Two-file layout: one row per household; members found through the persons' household ids."""
    table = table.reset_index(drop=True)
    rows = Rows(table, source, np.arange(len(table)))
    ids = _convert(
        evaluate(mapping.households["household_id"], "households.household_id", rows), "int64",
        "households.household_id", rows,
    )
    rows.ids = ids
    rows.id_kind = "household ids"
    position = pd.Series(np.arange(len(ids)), index=ids)
    if position.index.has_duplicates:
        duplicated = pd.Series(ids)[pd.Series(ids).duplicated()].tolist()
        raise SurveyError("identifiers must be unique", source=source, field="households.household_id", rows=duplicated)
    member_group = position.reindex(person_household).fillna(-1).to_numpy(np.int64)
    rows.group = np.arange(len(ids))
    rows.members = persons_rows
    rows.member_group = member_group
    rows.n_groups = len(ids)
    return rows


def _codes_in_order(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Household code of each row (0, 1, ... in order of first appearance) and each code's first row."""
    codes, uniques = pd.factorize(ids, sort=False)
    first = np.full(len(uniques), -1, dtype=np.int64)
    # Walking backwards leaves each code with its first row.
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return codes.astype(np.int64), first


def _evaluate_section(
    mapping: SurveyMapping, section: str, rows: Rows, first_rows: np.ndarray | None
) -> dict[str, np.ndarray]:
    specs: dict[str, VariableSpec] = getattr(mapping, section)
    concept = mapping.metadata.welfare_concept
    types = (
        {**OPTIONAL_HOUSEHOLD_COLUMNS, **required_household_columns(concept)}
        if section == "households"
        else {**PERSON_COLUMNS, **OPTIONAL_PERSON_COLUMNS}
    )
    out: dict[str, np.ndarray] = {}
    for name, spec in specs.items():
        if spec.derive is not None:
            continue
        key = f"{section}.{name}"
        dtype = types.get(name, "float64" if INCOME_COMPONENT_PATTERN.match(name) else "string")
        values = _convert(evaluate(spec, key, rows), dtype, key, rows)
        if key in ALLOWED_VALUES:
            _check_allowed(values, key, spec, rows)
        if first_rows is not None:
            values = _one_value_per_household(values, key, rows, first_rows)
        out[name] = values
    return out


def _one_value_per_household(values: np.ndarray, key: str, rows: Rows, first_rows: np.ndarray) -> np.ndarray:
    """One-file layout: the household's value, after checking all members carry the same one."""
    assert rows.group is not None
    reference = values[first_rows][rows.group]
    differ = reference != values
    if differ.any():
        bad = rows.ids_where(differ)
        raise SurveyError(
            "a household variable must be the same on every member's row of a household",
            source=rows.source,
            field=key,
            rows=bad,
        )
    return values[first_rows]


def _convert(values: pd.Series, dtype: str, key: str, rows: Rows) -> np.ndarray:
    """Values as the model's dtype; missing or unconvertible values are errors naming the rows."""
    missing = values.isna().to_numpy()
    if missing.any():
        raise SurveyError(
            "missing values are not allowed (give fill_missing in the mapping if a default is right)",
            source=rows.source,
            field=key,
            rows=rows.ids_where(missing),
        )
    if dtype in ("int64", "float64"):
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
        parsed = values if numeric else pd.to_numeric(values, errors="coerce")
        if dtype == "int64" and pd.api.types.is_integer_dtype(parsed.dtype):
            return parsed.to_numpy(np.int64)  # exact, even for ids beyond float64's 2**53
        numbers = parsed.to_numpy(np.float64)
        bad = ~np.isfinite(numbers)
        if bad.any():
            examples = sorted({str(v) for v in values[bad]})[:5]
            raise SurveyError(
                f"values must be finite numbers (found {examples})",
                source=rows.source,
                field=key,
                rows=rows.ids_where(bad),
            )
        if dtype == "float64":
            return numbers
        bad = numbers != np.round(numbers)
        if bad.any():
            raise SurveyError("values must be whole numbers", source=rows.source, field=key, rows=rows.ids_where(bad))
        return numbers.astype(np.int64)
    position, uniques = pd.factorize(values)  # no missing values here; convert each distinct value once
    if dtype == "bool":
        parsed_unique = [_boolean(v) for v in uniques]
        bad = np.array([v is None for v in parsed_unique], dtype=bool)[position]
        parsed = np.array([bool(v) for v in parsed_unique], dtype=bool)[position]
        if bad.any():
            examples = sorted({str(v) for v in values[bad]})[:5]
            raise SurveyError(
                f"values cannot be read as true/false (found {examples}; recode them)",
                source=rows.source,
                field=key,
                rows=rows.ids_where(bad),
            )
        return parsed
    # Text: numeric codes are written without a decimal part (a region coded 3.0 is "3").
    return np.array([v if isinstance(v, str) else canonical_code(v) for v in uniques], dtype=object)[position]


def _boolean(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return {0.0: False, 1.0: True}.get(float(value))
    text = str(value).strip().lower()
    return True if text in TRUE_TEXT else False if text in FALSE_TEXT else None


def _check_allowed(values: np.ndarray, key: str, spec: VariableSpec, rows: Rows, field: str | None = None) -> None:
    """Values of ``key`` (a model variable with a closed list) must be allowed; ``field``: the mapping key to name."""
    allowed = ALLOWED_VALUES[key]
    bad = ~np.isin(values.astype(str), allowed)
    if bad.any():
        found = sorted(set(values[bad].astype(str)))[:10]
        where = f"column {spec.column!r}" if spec.column else "the mapping"
        raise SurveyError(
            f"values {found} from {where} are not among {allowed} (add a recode)",
            source=rows.source,
            field=field or key,
            rows=rows.ids_where(bad),
        )


def _derive_head(spec: VariableSpec, persons: dict[str, np.ndarray], rows: Rows) -> np.ndarray:
    """Relationship to head when the source has none: the mapping's rule picks the head, others get ``others``."""
    if spec.others not in RELATIONSHIPS or spec.others == "head":
        raise SurveyError(
            f"'others' must be one of {RELATIONSHIPS[1:]}", source=rows.source, field="persons.relationship.others"
        )
    frame = pd.DataFrame({"person_id": persons["person_id"], "household_id": persons["household_id"]})
    if spec.derive == "head_oldest":
        if "age" not in persons:
            raise SurveyError("head_oldest needs persons.age", source=rows.source, field="persons.relationship")
        # Oldest first, ties broken by the lowest person id so the choice never depends on file order.
        frame["key"] = -persons["age"]
        order = frame.sort_values(["household_id", "key", "person_id"], kind="stable").index
    else:
        order = frame.sort_values(["household_id", "person_id"], kind="stable").index
    head_rows = frame.loc[order].drop_duplicates("household_id").index
    relationship = np.full(len(frame), spec.others, dtype=object)
    relationship[head_rows] = "head"
    return relationship


def _check_household_size(
    column: str, rows: Rows, first_rows: np.ndarray | None, households: dict[str, np.ndarray],
    persons: dict[str, np.ndarray],
) -> None:
    """The source's declared household size must equal the number of members found."""
    key = "checks.household_size"
    declared = _convert(evaluate(VariableSpec(column=column), key, rows), "int64", key, rows)
    if first_rows is not None:
        declared = _one_value_per_household(declared, key, rows, first_rows)
    counts = pd.Series(persons["household_id"]).value_counts()
    found = counts.reindex(households["household_id"], fill_value=0).to_numpy()
    bad = declared != found
    if bad.any():
        raise SurveyError(
            f"household size in column {column!r} differs from the number of members found",
            source=rows.source,
            field=key,
            rows=households["household_id"][bad].tolist(),
        )


def _frame(columns: dict[str, np.ndarray], order: list[str]) -> pd.DataFrame:
    """A table with model columns in the documented order, then income components in mapping order."""
    names = [name for name in dict.fromkeys(order) if name in columns]
    names += [name for name in columns if name not in names]
    return pd.DataFrame({name: columns[name] for name in names})
