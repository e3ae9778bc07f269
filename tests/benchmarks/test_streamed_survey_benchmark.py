"""StreamedSurvey benchmark: opening a survey folder (households table, members counted row group by row group) and
its calibration matrix of the recorded margins (59 columns), built one row group at a time.

The ordinary suite runs it once on the bundled survey's size with timing disabled; bigger sizes:

    FLOORSIM_BENCH_PERSONS=1000000 .venv/bin/python -m pytest tests/benchmarks/test_streamed_survey_benchmark.py \
        --benchmark-enable --benchmark-columns=min,mean,max,rounds -s

The folder is written with row groups of 1,000 households (so that the suite's small survey has several); at 1.0
million persons (184 row groups) this benchmark measured open 0.54 s and the matrix 1.1 s (minimum of 3, under
load). With ``write_survey``'s default 20,000 households per row group, measured on the 2-core machine in a fresh
process (peak RSS over the 122 MB of the imports): 1.0 million persons (184,000 households, 10 row groups) open in
0.10-0.13 s (+70 MB), calibration matrix 0.7-1.1 s (X: 83 MB); 10.1 million persons (1.84 million households, 100
row groups) open in 2.1 s (+270 MB), calibration matrix 11.5 s (X: 828 MB, peak 1.2 GB).
"""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.surveys.calibration import calibration_matrix
from floorsim.surveys.io import write_survey
from floorsim.surveys.recorded_calibration import margins_from_record
from floorsim.surveys.streamed import StreamedSurvey
from tests.benchmarks.scaled_survey import benchmark_persons, scaled_survey

IN_MEMORY_CHECK_UP_TO = 200_000  # persons: beyond, the in-memory reference would cost more than the benchmark


@pytest.fixture(scope="module")
def folder_and_survey(tmp_path_factory):
    survey = scaled_survey(benchmark_persons(20_000))
    folder = write_survey(survey, tmp_path_factory.mktemp("bench") / "survey", households_per_row_group=1000)
    return folder, survey if len(survey.persons) <= IN_MEMORY_CHECK_UP_TO else None


def test_streamed_survey_open(benchmark, folder_and_survey):
    folder, survey = folder_and_survey
    streamed = benchmark.pedantic(StreamedSurvey.open, args=(folder,), rounds=3, iterations=1)
    benchmark.extra_info.update(persons=streamed.n_persons, households=streamed.n_households,
                                row_groups=streamed.n_chunks)
    if survey is not None:
        np.testing.assert_array_equal(streamed.household_size, survey.household_size)


def test_streamed_calibration_matrix(benchmark, folder_and_survey):
    folder, survey = folder_and_survey
    streamed = StreamedSurvey.open(folder)
    margins = margins_from_record(streamed.metadata.calibration)
    X, _, _ = benchmark.pedantic(calibration_matrix, args=(streamed, margins), rounds=3, iterations=1)
    benchmark.extra_info.update(persons=streamed.n_persons, columns=X.shape[1], megabytes=round(X.nbytes / 2**20, 1))
    assert X.shape == (streamed.n_households, 59)
    if survey is not None:
        np.testing.assert_array_equal(X, calibration_matrix(survey, margins)[0])
