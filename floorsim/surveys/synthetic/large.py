"""Step 6 (opt-in) of the synthetic survey: surveys of millions of persons, written block by block."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from floorsim.surveys.atomic import staged_folder
from floorsim.surveys.io import (
    DEFAULT_HOUSEHOLDS_PER_ROW_GROUP,
    HOUSEHOLDS_FILE,
    METADATA_KEY,
    PERSONS_FILE,
    encode_metadata,
)
from floorsim.surveys.model import SurveyMetadata
from floorsim.surveys.synthetic.generator import DEFAULT_SEED, generate_timor_leste_survey
from floorsim.surveys.synthetic.targets import Targets, load_targets

MIN_BLOCK_HOUSEHOLDS = 600  # the smallest survey the generator makes (every calibration cell needs people)


def block_seed(seed: int, block: int) -> int:
    """Seed of block ``block`` of a large survey: the first 64-bit word of ``SeedSequence([seed, block])``."""
    return int(np.random.SeedSequence([int(seed), int(block)]).generate_state(1, np.uint64)[0])


def large_survey_blocks(persons: int, households_per_row_group: int, targets: Targets) -> list[int]:
    """Households in each block: about ``persons`` / (mean household size of the targets) in all, split as evenly
    as possible into the fewest blocks of at most ``households_per_row_group`` households."""
    total = round(persons * targets.households_total / targets.population_total)
    n_blocks = -(-total // households_per_row_group)
    size, extra = divmod(total, n_blocks)
    sizes = [size + 1 if block < extra else size for block in range(n_blocks)]
    if sizes[-1] < MIN_BLOCK_HOUSEHOLDS:
        raise ValueError(
            f"{persons:,} persons in blocks of at most {households_per_row_group:,} households gives blocks of "
            f"{sizes[-1]:,} households; each block needs at least {MIN_BLOCK_HOUSEHOLDS} (raise persons or "
            "households_per_row_group)"
        )
    return sizes


def write_large_synthetic_survey(
    folder: str | Path,
    persons: int = 5_000_000,
    seed: int = DEFAULT_SEED,
    households_per_row_group: int = DEFAULT_HOUSEHOLDS_PER_ROW_GROUP,
    *,
    targets: str | Path | None = None,
    year: int | None = None,
) -> Path:
    """Write a synthetic survey of about ``persons`` persons to ``folder`` without holding it in memory.

    Meant for 5-20 million persons (benchmarks of the engine's streaming path); any size giving blocks of at least
    600 households works. The survey is made of blocks (:func:`large_survey_blocks`); block ``b`` is the survey
    :func:`generate_timor_leste_survey` makes with seed :func:`block_seed` ``(seed, b)`` and its share of the
    households, so each block is calibrated to the whole population and its weights are then divided by the number
    of blocks: the whole survey's weights sum to the population (and households) target. Household, person and PSU
    ids are offset so that they are unique across blocks; each block is one household-aligned row group of both
    files. Only one block is in memory at a time. The folder is written in a temporary folder renamed into place,
    and reads with :func:`floorsim.surveys.load_survey` or, one block at a time, :class:`floorsim.surveys.io.SurveyFile`.

    The number of persons is approximate (households are drawn, persons follow: about -3.5%, as drawn households
    average about 5.5 persons and the target is the 2015 census size of 5.7). ``year`` is passed to every block
    (see :func:`generate_timor_leste_survey`). The same arguments give byte-identical files.
    """
    if isinstance(persons, bool) or not isinstance(persons, (int, np.integer)) or persons < 1:
        raise ValueError(f"persons must be a positive integer, got {persons!r}")
    if households_per_row_group < MIN_BLOCK_HOUSEHOLDS:
        raise ValueError(f"households_per_row_group must be at least {MIN_BLOCK_HOUSEHOLDS}")
    loaded = load_targets(targets)
    sizes = large_survey_blocks(int(persons), int(households_per_row_group), loaded)
    with staged_folder(folder) as staging:
        household_writer = person_writer = None
        try:
            households_done = persons_done = psus_done = 0
            for block, size in enumerate(sizes):
                survey = generate_timor_leste_survey(block_seed(seed, block), size, targets, year=year)
                households = survey.households.assign(
                    household_id=survey.households["household_id"] + households_done,
                    weight=survey.households["weight"] / len(sizes),
                    psu=survey.households["psu"] + psus_done,
                )
                members = survey.persons.assign(
                    person_id=survey.persons["person_id"] + persons_done,
                    household_id=survey.persons["household_id"] + households_done,
                )
                if household_writer is None:
                    metadata = _large_metadata(survey.metadata, seed, sizes)
                    household_schema = pa.Schema.from_pandas(households, preserve_index=False)
                    household_schema = household_schema.with_metadata(
                        {**(household_schema.metadata or {}), METADATA_KEY: encode_metadata(metadata)}
                    )
                    person_schema = pa.Schema.from_pandas(members, preserve_index=False)
                    household_writer = pq.ParquetWriter(staging / HOUSEHOLDS_FILE, household_schema)
                    person_writer = pq.ParquetWriter(staging / PERSONS_FILE, person_schema)
                household_writer.write_table(
                    pa.Table.from_pandas(households, schema=household_schema, preserve_index=False),
                    row_group_size=len(households),
                )
                person_writer.write_table(
                    pa.Table.from_pandas(members, schema=person_schema, preserve_index=False),
                    row_group_size=len(members),
                )
                households_done += len(households)
                persons_done += len(members)
                psus_done = int(households["psu"].max())
                del survey, households, members
        finally:  # closed before the staged folder is renamed into place (or removed)
            for writer in (household_writer, person_writer):
                if writer is not None:
                    writer.close()
    return Path(folder)


def _large_metadata(block_metadata: SurveyMetadata, seed: int, sizes: list[int]) -> SurveyMetadata:
    """Metadata of a large survey: that of its first block with the seed and size of the whole survey."""
    extra = {k: v for k, v in block_metadata.extra.items() if k not in ("seed", "n_households", "calibration")}
    extra.update(
        {
            "seed": int(seed),
            "n_households": int(sum(sizes)),
            "blocks": len(sizes),
            "block_households": sizes,
            "block_seeds": "SeedSequence([seed, block]).generate_state(1, uint64)[0]; weights divided by blocks",
        }
    )
    return replace(block_metadata, extra=extra)
