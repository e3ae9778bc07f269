"""The bundled survey replicated to a chosen size, for benchmarks (ids made unique per copy)."""

from __future__ import annotations

import os

import pandas as pd

from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.model import Survey

ID_OFFSET = 10**8


def benchmark_persons(default: int) -> int:
    """Target number of persons: ``FLOORSIM_BENCH_PERSONS`` if set, else ``default`` (kept small for the suite)."""
    return int(os.environ.get("FLOORSIM_BENCH_PERSONS", default))


def scaled_survey(persons: int) -> Survey:
    """Copies of the bundled survey, enough to hold at least ``persons`` persons (weights unchanged per copy)."""
    survey = load_bundled_survey()
    copies = max(1, -(-persons // len(survey.persons)))
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
