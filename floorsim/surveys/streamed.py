"""A survey folder processed one household-aligned row group at a time, with only household-level data in memory.

A survey of 10-20 million persons does not fit in the memory of a laptop as a :class:`~floorsim.surveys.model.Survey`
(about 2.4 GB per million persons through the whole run), but its households table does (1.84 million households
for 10 million persons: about 150 MB). :class:`StreamedSurvey` holds that table, the number of members of each
household, and the changes made to the survey without reading its persons:

* new household weights (a calibration, the simulated year's population: ``replaced(households=...)``), which every
  row group then reads;
* a factor on money (a currency rate, the simulated year's prices: ``money_factor``), applied to every money column
  of both tables when a row group is read (:func:`floorsim.surveys.money.scaled_money`, the same function the
  in-memory conversions use);
* the metadata.

So currency conversion, static ageing and calibration take a streamed survey through exactly the steps of an
in-memory one, and the engine reads the persons of one row group at a time in its workers. The folder is the format
of :mod:`floorsim.surveys.io` (``write_survey``): row group ``k`` of ``persons.parquet`` holds exactly the members of
the households of row group ``k`` of ``households.parquet``, in the households' order; :meth:`StreamedSurvey.open`
checks it while counting household sizes, reading one column of one row group at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, decode_metadata
from floorsim.surveys.model import (
    OPTIONAL_HOUSEHOLD_COLUMNS,
    Survey,
    SurveyMetadata,
    _coerce,
    required_household_columns,
)
from floorsim.surveys.money import scaled_money

REWRITE = "rewrite the survey with write_survey"


@dataclass(frozen=True, eq=False)
class StreamedSurvey:
    """A survey folder processed one household-aligned row group at a time; only household-level data in memory.

    Attributes:
        folder: the survey folder (``households.parquet`` and ``persons.parquet``, :mod:`floorsim.surveys.io`).
        metadata: the survey's metadata (as changed by conversions and ageing; the folder's own on opening).
        households: every column of ``households.parquet``, coerced as :class:`Survey` coerces them, in file order
            (H rows); its ``weight`` is the survey's (possibly re-weighted) household weight. Money columns are as
            stored: × ``money_factor`` for their value (:meth:`welfare`, :meth:`read_chunk`).
        household_size: members of each household (int64, H), counted from ``persons.parquet``'s ``household_id``.
        money_factor: every money column of both tables (:func:`floorsim.surveys.model.is_money_column`) × this
            when read.
        origin: ``str(folder)``, named in errors.
        row_groups: households in each row group, in order (sums to H).
    """

    folder: Path
    metadata: SurveyMetadata
    households: pd.DataFrame
    household_size: np.ndarray
    money_factor: float = 1.0
    origin: str = ""
    row_groups: tuple[int, ...] = ()

    @classmethod
    def open(cls, folder: str | Path) -> StreamedSurvey:
        """Open a survey folder: read its metadata and households table, count every household's members.

        Persons are never held: their ``household_id`` column is read one row group at a time.

        Raises:
            SurveyError: (one line naming the folder and the rule) not a folder, a file missing or unreadable, no
                floorsim metadata, no households, row groups not aligned between the two files, duplicate or
                invalid household ids or weights, persons of a household id absent from the households table,
                households without members, or persons not stored household by household in the households' order.
        """
        folder = Path(folder)
        source = str(folder)
        if not folder.is_dir():
            raise SurveyError("survey not found (no such folder; a streamed survey is a folder written by "
                              "write_survey)", source=source)
        for name in (HOUSEHOLDS_FILE, PERSONS_FILE):
            if not (folder / name).is_file():
                raise SurveyError(f"missing {name}", source=source)
        try:
            household_file = pq.ParquetFile(folder / HOUSEHOLDS_FILE)
            person_file = pq.ParquetFile(folder / PERSONS_FILE)
            raw_meta = (household_file.schema_arrow.metadata or {}).get(METADATA_KEY)
            if raw_meta is None:
                raise SurveyError(f"{HOUSEHOLDS_FILE} carries no floorsim survey metadata", source=source)
            metadata = decode_metadata(raw_meta, source)
            if household_file.num_row_groups != person_file.num_row_groups:
                raise SurveyError(
                    f"{HOUSEHOLDS_FILE} has {household_file.num_row_groups} row groups and {PERSONS_FILE} "
                    f"{person_file.num_row_groups}: the files are not household-aligned ({REWRITE})", source=source)
            if household_file.metadata.num_rows == 0:
                raise SurveyError(f"{HOUSEHOLDS_FILE} holds no households: there is nothing to simulate",
                                  source=source)
            if "household_id" not in person_file.schema_arrow.names:
                raise SurveyError(f"{PERSONS_FILE} has no household_id column", source=source, field="household_id")
            # Read and coerced one row group at a time, then joined: the whole file decoded at once peaks at about
            # three times the table's size (1.84 million households: +430 MB, against +250 MB so).
            required = required_household_columns(metadata.welfare_concept)
            households = pd.concat(
                [_coerce(household_file.read_row_group(i).to_pandas(), required, OPTIONAL_HOUSEHOLD_COLUMNS, source,
                         "household_id") for i in range(household_file.num_row_groups)],
                ignore_index=True,
            )
            row_groups = tuple(household_file.metadata.row_group(i).num_rows for i in range(household_file.num_row_groups))
            _check_households(households, source)
            sizes = _household_sizes(person_file, households["household_id"].to_numpy(np.int64), row_groups, source)
        except (pa.ArrowException, OSError) as error:
            raise SurveyError(f"not a readable Parquet file: {error}", source=source) from None
        return cls(folder, metadata, households, sizes, 1.0, source, row_groups)

    @property
    def n_households(self) -> int:
        return len(self.households)

    @property
    def n_persons(self) -> int:
        return int(self.household_size.sum())

    @property
    def n_chunks(self) -> int:
        """Number of household-aligned row groups."""
        return len(self.row_groups)

    @property
    def household_columns(self) -> list[str]:
        return [str(name) for name in self.households.columns]

    @property
    def person_columns(self) -> list[str]:
        return list(pq.ParquetFile(self.folder / PERSONS_FILE).schema_arrow.names)

    @property
    def household_bounds(self) -> np.ndarray:
        """The first household of each row group, and H last (int64, n_chunks + 1)."""
        return np.concatenate([[0], np.cumsum(self.row_groups, dtype=np.int64)]).astype(np.int64)

    def welfare(self) -> np.ndarray:
        """Household welfare aggregate (``metadata.welfare_concept``) per month × ``money_factor``, in file order
        (float64), as :meth:`Survey.welfare` of the same survey in memory."""
        return self.households[self.metadata.welfare_concept].to_numpy(np.float64) * self.money_factor

    def person_chunks(self, columns: Sequence[str]) -> Iterator[tuple[int, pd.DataFrame]]:
        """For each row group in order: the position of its first household in :attr:`households`, and its persons
        with only ``columns`` (money × ``money_factor``), in file order: the members of each household together, in
        the households' order (checked on opening, and again here when ``household_id`` is read)."""
        person_file = pq.ParquetFile(self.folder / PERSONS_FILE)
        bounds = self.household_bounds
        person_bounds = np.concatenate([[0], np.cumsum(self.household_size)])
        ids = self.households["household_id"].to_numpy(np.int64)
        for index in range(self.n_chunks):
            start, stop = int(bounds[index]), int(bounds[index + 1])
            persons = person_file.read_row_group(index, columns=list(columns)).to_pandas()
            expected = int(person_bounds[stop] - person_bounds[start])
            if len(persons) != expected or (
                "household_id" in persons.columns
                and not np.array_equal(persons["household_id"].to_numpy(np.int64),
                                       np.repeat(ids[start:stop], self.household_size[start:stop]))
            ):
                raise SurveyError(f"row group {index} of {PERSONS_FILE} changed since the survey was opened",
                                  source=self.origin)
            yield start, scaled_money(persons, self.money_factor)

    def read_chunk(self, index: int) -> Survey:
        """Row group ``index`` as a validated :class:`Survey`: its households with this survey's weights (so a
        re-weighted survey reads re-weighted; a persons ``weight`` column then carries the household weight, as
        calibration gives it), money × ``money_factor``, ``metadata`` this survey's."""
        if not 0 <= index < self.n_chunks:
            raise SurveyError(f"no row group {index} (the survey has {self.n_chunks})", source=self.origin)
        bounds = self.household_bounds
        households = self.households.iloc[int(bounds[index]) : int(bounds[index + 1])].reset_index(drop=True)
        persons = pq.ParquetFile(self.folder / PERSONS_FILE).read_row_group(index).to_pandas()
        if "weight" in persons.columns:
            stored = pq.ParquetFile(self.folder / HOUSEHOLDS_FILE).read_row_group(index, columns=["weight"])
            weight = households["weight"].to_numpy(np.float64)
            if not np.array_equal(stored.column(0).to_numpy(), weight):  # re-weighted: integrated weighting
                sizes = self.household_size[int(bounds[index]) : int(bounds[index + 1])]
                persons = persons.assign(weight=np.repeat(weight, sizes))
        origin = f"{self.origin} (row group {index})"
        return Survey(scaled_money(households, self.money_factor), scaled_money(persons, self.money_factor),
                      self.metadata, origin=origin)

    def replaced(self, **changes: Any) -> StreamedSurvey:
        """This survey with fields changed (``dataclasses.replace``), e.g. ``households=`` re-weighted."""
        return dataclasses.replace(self, **changes)


def _check_households(households: pd.DataFrame, source: str) -> None:
    """Household ids unique over the whole file (a row group checks its own only) and weights positive."""
    ids = households["household_id"].to_numpy(np.int64)
    ordered = np.sort(ids)  # a sort, not a hash table: a quarter of the memory for 1.84 million ids
    repeated = ordered[1:] == ordered[:-1]
    if repeated.any():
        raise SurveyError("identifiers must be unique", source=source, field="household_id",
                          rows=np.unique(ordered[1:][repeated]).tolist())
    weight = households["weight"].to_numpy(np.float64)
    bad = ~(np.isfinite(weight) & (weight > 0))
    if bad.any():
        raise SurveyError("household weights must be positive", source=source, field="weight",
                          rows=ids[bad].tolist())


def _household_sizes(
    person_file: pq.ParquetFile, household_ids: np.ndarray, row_groups: tuple[int, ...], source: str
) -> np.ndarray:
    """Members of each household, counted from the runs of ``household_id`` in each row group of the persons file;
    each row group's runs must be exactly its households, in order (see the module docstring)."""
    sizes = np.empty(len(household_ids), dtype=np.int64)
    start = 0
    for index, count in enumerate(row_groups):
        stop = start + count
        column = person_file.read_row_group(index, columns=["household_id"]).column(0)
        if not pa.types.is_integer(column.type) or column.null_count:
            raise SurveyError(f"{PERSONS_FILE}: household_id must be whole numbers without missing values",
                              source=source, field="household_id")
        ids = column.to_numpy().astype(np.int64, copy=False)
        firsts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]])) if len(ids) else np.zeros(0, np.int64)
        expected = household_ids[start:stop]
        if len(firsts) == count and np.array_equal(ids[firsts], expected):
            sizes[start:stop] = np.diff(np.append(firsts, len(ids)))
        else:
            _misaligned(ids, expected, household_ids, index, source)
        start = stop
    return sizes


def _misaligned(ids: np.ndarray, expected: np.ndarray, household_ids: np.ndarray, index: int, source: str) -> None:
    """Say why row group ``index`` of the persons file does not hold exactly its households' members, in order."""
    absent = np.unique(ids[~np.isin(ids, household_ids)])
    if absent.size:
        raise SurveyError(f"persons of household ids absent from {HOUSEHOLDS_FILE} (row group {index})",
                          source=source, field="household_id", rows=absent.tolist())
    elsewhere = np.unique(ids[~np.isin(ids, expected)])
    if elsewhere.size:
        raise SurveyError(f"row group {index} of {PERSONS_FILE} holds members of households of another row group:"
                          f" the files are not household-aligned ({REWRITE})", source=source, field="household_id",
                          rows=elsewhere.tolist())
    empty = expected[~np.isin(expected, ids)]
    if empty.size:
        raise SurveyError("household has no members", source=source, field="household_id", rows=empty.tolist())
    raise SurveyError(f"row group {index} of {PERSONS_FILE}: persons are not stored household by household in the"
                      f" order of {HOUSEHOLDS_FILE} ({REWRITE})", source=source, field="household_id")
