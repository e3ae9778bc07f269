"""Reading and writing surveys in floorsim's own format.

A survey on disk is a folder holding ``households.parquet`` and ``persons.parquet`` in the columns of
:mod:`floorsim.surveys.model`; the survey's metadata travels inside the households file's Parquet key-value metadata
(key ``floorsim.survey``), so the two files are all there is. Writes go to a temporary folder that is renamed
into place (:func:`floorsim.surveys.atomic.staged_folder`), so an interrupted write never leaves a half-written survey behind.

Both files are cut into the same number of *household-aligned row groups*: row group ``k`` of the persons file
holds exactly the members of the households in row group ``k`` of the households file. A survey larger than
memory can then be processed one row group at a time (:class:`SurveyFile`), by any process that can read the
folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from floorsim.surveys.atomic import staged_folder
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import Survey, SurveyMetadata

METADATA_KEY = b"floorsim.survey"
HOUSEHOLDS_FILE = "households.parquet"
PERSONS_FILE = "persons.parquet"


DEFAULT_HOUSEHOLDS_PER_ROW_GROUP = 20_000


def write_survey(
    survey: Survey, folder: str | Path, households_per_row_group: int = DEFAULT_HOUSEHOLDS_PER_ROW_GROUP
) -> Path:
    """Write ``survey`` to ``folder`` (created or replaced atomically) and return the folder's path.

    Households are written in row groups of ``households_per_row_group``, and persons in row groups holding the
    members of the same households (see the module docstring).
    """
    if households_per_row_group < 1:
        raise ValueError(f"households_per_row_group must be at least 1, got {households_per_row_group}")
    with staged_folder(folder, marker=HOUSEHOLDS_FILE) as staging:
        households = pa.Table.from_pandas(survey.households, preserve_index=False)
        households = households.replace_schema_metadata(
            {**(households.schema.metadata or {}), METADATA_KEY: encode_metadata(survey.metadata)}
        )
        persons = pa.Table.from_pandas(survey.persons, preserve_index=False)
        person_bounds = np.concatenate([[0], np.cumsum(survey.household_size)])
        with pq.ParquetWriter(staging / HOUSEHOLDS_FILE, households.schema) as household_writer, pq.ParquetWriter(
            staging / PERSONS_FILE, persons.schema
        ) as person_writer:
            for start in range(0, len(survey.households), households_per_row_group):
                stop = min(start + households_per_row_group, len(survey.households))
                household_writer.write_table(households.slice(start, stop - start), row_group_size=stop - start)
                first, last = int(person_bounds[start]), int(person_bounds[stop])
                person_writer.write_table(persons.slice(first, last - first), row_group_size=last - first)
    return Path(folder)


def encode_metadata(metadata: SurveyMetadata) -> bytes:
    """The survey's metadata as stored under ``METADATA_KEY`` in the households file: JSON with sorted keys.

    A survey without a recorded calibration stores no ``calibration`` key, so folders written before the field
    existed keep their bytes (and hashes), and read back with ``calibration=None``."""
    fields = dataclasses.asdict(metadata)
    if fields.get("calibration") is None:
        fields.pop("calibration", None)
    return json.dumps(fields, sort_keys=True).encode()


def decode_metadata(raw: bytes, source: str) -> SurveyMetadata:
    """The survey metadata stored under ``METADATA_KEY`` (see :func:`encode_metadata`).

    Raises:
        SurveyError: the bytes are not a JSON object, or its fields are not exactly those of
            :class:`~floorsim.surveys.model.SurveyMetadata` (a field missing, unknown or misspelt).
    """
    where = f"{HOUSEHOLDS_FILE} metadata '{METADATA_KEY.decode()}'"
    try:
        fields = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise SurveyError(f"{where} is not JSON ({error})", source=source) from None
    if not isinstance(fields, dict):
        raise SurveyError(f"{where} must be a JSON object, got {type(fields).__name__}", source=source)
    known = {field.name: field for field in dataclasses.fields(SurveyMetadata)}
    required = {name for name, field in known.items() if field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING}
    unknown, missing = sorted(set(fields) - set(known)), sorted(required - set(fields))
    if unknown or missing:
        raise SurveyError(
            f"{where}: unknown fields {unknown}, missing fields {missing} (expected the fields of SurveyMetadata: "
            f"{sorted(known)}; rewrite the survey with write_survey)",
            source=source,
        )
    try:
        return SurveyMetadata(**fields)
    except (TypeError, ValueError) as error:
        raise SurveyError(f"{where}: {error}", source=source) from None


def read_survey_folder(folder: str | Path) -> Survey:
    """Read a survey folder written by :func:`write_survey`; raise :class:`SurveyError` naming what is missing or wrong.

    Code outside ``floorsim/surveys/`` reads surveys with :func:`floorsim.surveys.load_survey`, which also reads mapped files.
    """
    folder = Path(folder)
    if not folder.exists():
        raise SurveyError("survey not found (no such file or folder)", source=str(folder))
    if not folder.is_dir():
        raise SurveyError(
            "expected a floorsim survey folder holding households.parquet and persons.parquet"
            " (other formats need a mapping file: see docs/data_model.md)",
            source=str(folder),
        )
    for name in (HOUSEHOLDS_FILE, PERSONS_FILE):
        if not (folder / name).is_file():
            raise SurveyError(f"missing {name}", source=str(folder))
    try:
        households_table = pq.read_table(folder / HOUSEHOLDS_FILE)
        persons: pd.DataFrame = pq.read_table(folder / PERSONS_FILE).to_pandas()
    except (pa.ArrowInvalid, OSError) as error:
        raise SurveyError(f"not a readable Parquet file: {error}", source=str(folder)) from None
    raw_meta = (households_table.schema.metadata or {}).get(METADATA_KEY)
    if raw_meta is None:
        raise SurveyError(f"{HOUSEHOLDS_FILE} carries no floorsim survey metadata", source=str(folder))
    metadata = decode_metadata(raw_meta, str(folder))
    return Survey(households_table.to_pandas(), persons, metadata, origin=str(folder))


def survey_hash(folder: str | Path) -> str:
    """SHA-256 of the survey's files (households then persons), for provenance."""
    digest = hashlib.sha256()
    for name in (HOUSEHOLDS_FILE, PERSONS_FILE):
        with open(Path(folder) / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class SurveyFile:
    """A survey folder read one household-aligned row group at a time (for surveys larger than memory).

    Only the metadata and the Parquet footers are read on opening. Each chunk is validated as a survey of its
    own when it is read; identifiers are checked for uniqueness within a chunk only.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SurveyError("survey not found (no such folder)", source=str(self.folder))
        try:
            self._households = pq.ParquetFile(self.folder / HOUSEHOLDS_FILE)
            self._persons = pq.ParquetFile(self.folder / PERSONS_FILE)
        except (pa.ArrowInvalid, OSError) as error:
            raise SurveyError(f"not a readable floorsim survey: {error}", source=str(self.folder)) from None
        raw_meta = (self._households.schema_arrow.metadata or {}).get(METADATA_KEY)
        if raw_meta is None:
            raise SurveyError(f"{HOUSEHOLDS_FILE} carries no floorsim survey metadata", source=str(self.folder))
        self.metadata = decode_metadata(raw_meta, str(self.folder))
        if self.n_households == 0:
            raise SurveyError(f"{HOUSEHOLDS_FILE} holds no households: there is nothing to simulate",
                              source=str(self.folder))
        if self._households.num_row_groups != self._persons.num_row_groups:
            raise SurveyError(
                f"{HOUSEHOLDS_FILE} has {self._households.num_row_groups} row groups and {PERSONS_FILE} "
                f"{self._persons.num_row_groups}: the files are not household-aligned (rewrite with write_survey)",
                source=str(self.folder),
            )

    @property
    def n_chunks(self) -> int:
        """Number of household-aligned row groups."""
        return self._households.num_row_groups

    @property
    def household_columns(self) -> list[str]:
        return list(self._households.schema_arrow.names)

    @property
    def person_columns(self) -> list[str]:
        return list(self._persons.schema_arrow.names)

    @property
    def n_households(self) -> int:
        return self._households.metadata.num_rows

    @property
    def n_persons(self) -> int:
        return self._persons.metadata.num_rows

    def read_chunk(self, index: int) -> Survey:
        """Row group ``index``: its households and their members, as a validated :class:`Survey`."""
        households = self._households.read_row_group(index).to_pandas()
        persons = self._persons.read_row_group(index).to_pandas()
        try:
            return Survey(households, persons, self.metadata, origin=f"{self.folder} (row group {index})")
        except SurveyError as error:
            if error.field == "household_id":
                raise SurveyError(
                    f"{error.rule}; row group {index} of the two files do not hold the same households"
                    " (rewrite the survey with write_survey)",
                    source=error.source,
                    field=error.field,
                    rows=error.rows,
                ) from None
            raise
