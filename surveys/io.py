"""Reading and writing surveys in floorsim's own format.

A survey on disk is a folder holding ``households.parquet`` and ``persons.parquet`` in the columns of
:mod:`surveys.model`; the survey's metadata travels inside the households file's Parquet key-value metadata
(key ``floorsim.survey``), so the two files are all there is. Writes go to a temporary folder that is renamed
into place, so an interrupted write never leaves a half-written survey behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from surveys.errors import SurveyError
from surveys.model import Survey, SurveyMetadata

METADATA_KEY = b"floorsim.survey"
HOUSEHOLDS_FILE = "households.parquet"
PERSONS_FILE = "persons.parquet"


def write_survey(survey: Survey, folder: str | Path) -> Path:
    """Write ``survey`` to ``folder`` (created or replaced atomically) and return the folder's path."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        households = pa.Table.from_pandas(survey.households, preserve_index=False)
        meta = json.dumps(dataclasses.asdict(survey.metadata), sort_keys=True).encode()
        households = households.replace_schema_metadata({**(households.schema.metadata or {}), METADATA_KEY: meta})
        pq.write_table(households, staging / HOUSEHOLDS_FILE)
        pq.write_table(pa.Table.from_pandas(survey.persons, preserve_index=False), staging / PERSONS_FILE)
        if folder.exists():
            backup = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(folder, backup)
            os.replace(staging, folder)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def read_survey(folder: str | Path) -> Survey:
    """Read a survey written by :func:`write_survey`; raise :class:`SurveyError` naming what is missing or wrong."""
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
    metadata = SurveyMetadata(**json.loads(raw_meta))
    return Survey(households_table.to_pandas(), persons, metadata, origin=str(folder))


def survey_hash(folder: str | Path) -> str:
    """SHA-256 of the survey's files (households then persons), for provenance."""
    digest = hashlib.sha256()
    for name in (HOUSEHOLDS_FILE, PERSONS_FILE):
        with open(Path(folder) / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
