"""The row groups of a survey folder as the engine's workers read them (streaming), and the household arrays of a run.

A streamed run sends each worker a :class:`FileChunk` (folder, row group, money factor: a few bytes, never the
households table); the worker reads the row group itself (:class:`floorsim.surveys.io.SurveyFile`, opened once per
process) and applies the money factor of the parent's :class:`~floorsim.surveys.streamed.StreamedSurvey` (a currency
rate, the simulated year's prices) with :func:`floorsim.surveys.money.scaled_money`, the function the in-memory
conversions use. Household weights are the parent's: a re-weighted survey (the simulated year's population) keeps
its weights in the parent, and :func:`streamed_households` puts them in the run's household arrays.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from floorsim.simulations.errors import ChunkError
from floorsim.surveys.io import SurveyFile
from floorsim.surveys.model import Survey
from floorsim.surveys.money import scaled_money
from floorsim.surveys.streamed import StreamedSurvey


@dataclass(frozen=True)
class FileChunk:
    """A household-aligned row group of a survey folder, read by the worker itself (streaming); its money values
    × ``money_factor`` (:attr:`StreamedSurvey.money_factor`) when read, and its metadata's ``reference_year`` that of
    the streamed survey when given (a survey moved to a projection year: ages become birth dates in that year, as in
    memory)."""

    folder: str
    index: int
    money_factor: float = 1.0
    reference_year: int | None = None


@functools.lru_cache(maxsize=8)
def _survey_file(folder: str) -> SurveyFile:
    return SurveyFile(folder)


def read_file_chunk(task: FileChunk) -> Survey:
    """The row group of ``task`` as a validated survey (the file's weights), money × ``task.money_factor``."""
    part = _survey_file(task.folder).read_chunk(task.index)
    if task.reference_year is not None and task.reference_year != part.metadata.reference_year:
        part.metadata = dataclasses.replace(part.metadata, reference_year=task.reference_year)
    if task.money_factor != 1.0:  # scaling by a positive factor keeps every rule of the data model: no revalidation
        part.households = scaled_money(part.households, task.money_factor)
        part.persons = scaled_money(part.persons, task.money_factor)
    return part


def household_frame(survey: Survey) -> dict[str, np.ndarray]:
    """The household-level columns results need: id, weight, size and observed welfare (per month)."""
    return {
        "household_id": survey.households["household_id"].to_numpy(np.int64),
        "weight": survey.households["weight"].to_numpy(np.float64),
        "size": survey.household_size.astype(np.int64),
        "welfare": survey.welfare(),
    }


def streamed_households(frames: list[dict[str, np.ndarray]], streamed: StreamedSurvey | None) -> dict[str, np.ndarray]:
    """The household arrays of a streamed run: the workers' frames (one per row group, in order) joined, with the
    weights of ``streamed`` (its households in file order, possibly re-weighted) when the run is on one.

    Raises:
        ChunkError: the households the workers read are not the streamed survey's, in its order (the folder
            changed since it was opened).
    """
    households = {key: np.concatenate([frame[key] for frame in frames]) for key in frames[0]}
    if streamed is not None:
        if not np.array_equal(households["household_id"], streamed.households["household_id"].to_numpy(np.int64)):
            raise ChunkError(f"{streamed.origin}: the households read by the workers are not those of the survey "
                             "opened (the folder changed since): open it again")
        households["weight"] = streamed.households["weight"].to_numpy(np.float64).copy()
    return households
