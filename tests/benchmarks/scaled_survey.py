"""The bundled survey replicated to a chosen size, for benchmarks (ids made unique per copy): in memory
(:func:`scaled_survey`) or written straight to a survey folder in bounded memory (:func:`write_scaled_survey_folder`,
for the 10- and 20-million-person streamed benchmarks)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from floorsim.surveys.atomic import staged_folder
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.io import DEFAULT_HOUSEHOLDS_PER_ROW_GROUP, HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, encode_metadata
from floorsim.surveys.model import Survey

ID_OFFSET = 10**8


def benchmark_persons(default: int) -> int:
    """Target number of persons: ``FLOORSIM_BENCH_PERSONS`` if set, else ``default`` (kept small for the suite)."""
    return int(os.environ.get("FLOORSIM_BENCH_PERSONS", default))


def scaled_survey(persons: int) -> Survey:
    """Copies of the bundled survey, enough to hold at least ``persons`` persons (weights unchanged per copy)."""
    survey = load_bundled_survey()
    copies = _copies(persons, len(survey.persons))
    households, members = survey.households, survey.persons
    return Survey(
        pd.concat([households.assign(household_id=households["household_id"] + ID_OFFSET * k) for k in range(copies)], ignore_index=True),
        pd.concat(
            [
                members.assign(household_id=members["household_id"] + ID_OFFSET * k, person_id=members["person_id"] + ID_OFFSET * k)
                for k in range(copies)
            ],
            ignore_index=True,
        ),
        survey.metadata,
    )


def write_scaled_survey_folder(
    persons: int, folder: str | Path, households_per_row_group: int = DEFAULT_HOUSEHOLDS_PER_ROW_GROUP
) -> Path:
    """Write ``scaled_survey(persons)`` to ``folder`` as ``write_survey`` would, without holding it in memory.

    The same copies of the bundled survey (ids offset by ``ID_OFFSET`` per copy), schema, survey metadata and
    household-aligned row groups of ``households_per_row_group`` households (a row group may span two copies, as
    in ``write_survey`` of the concatenated survey); each row group is assembled from Arrow slices of the bundled
    survey and written with ``pyarrow.parquet.ParquetWriter``, so memory is one row group and one copy, whatever
    ``persons`` (20 million persons: about 180 row groups of 20,000 households). Returns the folder's path.
    """
    if households_per_row_group < 1:
        raise ValueError(f"households_per_row_group must be at least 1, got {households_per_row_group}")
    survey = load_bundled_survey()
    copies = _copies(persons, len(survey.persons))
    households = _table_with_metadata(survey.households, {METADATA_KEY: encode_metadata(survey.metadata)})
    members = _table_with_metadata(survey.persons, {})
    per_copy = len(survey.households)
    person_bounds = np.concatenate([[0], np.cumsum(survey.household_size)])  # persons of households [a, b): bounds[a]:bounds[b]
    with staged_folder(folder, marker=HOUSEHOLDS_FILE) as staging, pq.ParquetWriter(
        staging / HOUSEHOLDS_FILE, households.schema
    ) as household_writer, pq.ParquetWriter(staging / PERSONS_FILE, members.schema) as person_writer:
        for start in range(0, per_copy * copies, households_per_row_group):
            stop = min(start + households_per_row_group, per_copy * copies)
            household_parts, person_parts = [], []
            for copy in range(start // per_copy, (stop - 1) // per_copy + 1):  # the copies this row group spans
                first, last = max(start - copy * per_copy, 0), min(stop - copy * per_copy, per_copy)
                offset = ID_OFFSET * copy
                household_parts.append(_offset(households.slice(first, last - first), offset, ("household_id",)))
                lower, upper = int(person_bounds[first]), int(person_bounds[last])
                person_parts.append(_offset(members.slice(lower, upper - lower), offset, ("household_id", "person_id")))
            household_group, person_group = pa.concat_tables(household_parts), pa.concat_tables(person_parts)
            household_writer.write_table(household_group, row_group_size=household_group.num_rows)
            person_writer.write_table(person_group, row_group_size=person_group.num_rows)
    return Path(folder)


def _copies(persons: int, per_copy: int) -> int:
    """Copies of a survey of ``per_copy`` persons needed to hold at least ``persons`` (at least one)."""
    return max(1, -(-persons // per_copy))


def _table_with_metadata(frame: pd.DataFrame, extra: dict[bytes, bytes]) -> pa.Table:
    """``frame`` as Arrow, as ``write_survey`` converts it (no index), with ``extra`` added to the schema metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})


def _offset(table: pa.Table, offset: int, columns: tuple[str, ...]) -> pa.Table:
    """``table`` with ``offset`` added to the identifier ``columns`` (their Arrow type kept, as pandas keeps the dtype)."""
    for name in columns:
        index = table.schema.get_field_index(name)
        column = table.column(index)
        table = table.set_column(index, table.schema.field(index), pc.add(column, pa.scalar(offset, column.type)))
    return table
