"""Streaming a survey folder row group by row group gives the same results as running it in memory."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from floorsim.simulations import Microsimulation
from floorsim.simulations.errors import ChunkError
from floorsim.surveys import SurveyError, write_survey
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.io import SurveyFile

REFORMS = {"baseline": None, "saii_increase": "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_survey(load_bundled_survey(), tmp_path_factory.mktemp("streamed") / "survey", households_per_row_group=700)


def test_row_groups_are_household_aligned(folder):
    survey = load_bundled_survey()
    households, persons = pq.ParquetFile(folder / "households.parquet"), pq.ParquetFile(folder / "persons.parquet")
    assert households.num_row_groups == persons.num_row_groups == -(-len(survey.households) // 700)
    for k in range(households.num_row_groups):
        ids = set(households.read_row_group(k, columns=["household_id"]).column(0).to_pylist())
        members = set(persons.read_row_group(k, columns=["household_id"]).column(0).to_pylist())
        assert ids == members


@pytest.mark.parametrize("backend", ["sequential", "loky"])
def test_streamed_run_equals_in_memory_run(folder, backend):
    in_memory = Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential").run(REFORMS)
    streamed = Microsimulation("timor_leste", folder, 2025, backend=backend, n_jobs=2).run(REFORMS)
    assert streamed.run_info["streamed"] and streamed.run_info["chunks"] == 6
    assert streamed.scenario("baseline").person == {}  # only household-level results come back
    np.testing.assert_array_equal(streamed.households["household_id"], in_memory.households["household_id"])
    for name in REFORMS:
        for key, values in in_memory.scenario(name).household.items():
            np.testing.assert_array_equal(streamed.scenario(name).household[key], values, err_msg=key)
        assert streamed.headline(name) == pytest.approx(in_memory.headline(name), rel=1e-12)


def test_household_sums_of_person_programmes_match_person_arrays():
    results = Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential").run(REFORMS)
    person = results.scenario("baseline").person["saii"]
    index = results.survey.person_household_index
    household = results.scenario("baseline").household
    np.testing.assert_allclose(household["household_sum:saii"], np.bincount(index, weights=person))
    np.testing.assert_array_equal(household["recipients:saii"], np.bincount(index, weights=person > 0))


def test_misaligned_files_are_reported(tmp_path):
    survey = load_bundled_survey()
    folder = write_survey(survey, tmp_path / "bad", households_per_row_group=1000)
    table = pq.read_table(folder / "persons.parquet")
    # Different numbers of row groups are caught on opening.
    pq.write_table(table, folder / "persons.parquet", row_group_size=4000)
    with pytest.raises(SurveyError, match="4 row groups and persons.parquet 6: the files are not household-aligned"):
        SurveyFile(folder)
    # The same number of row groups, cut elsewhere than at household boundaries, is caught on reading.
    pq.write_table(table, folder / "persons.parquet", row_group_size=-(-len(table) // 4))
    opened = SurveyFile(folder)
    with pytest.raises(SurveyError, match="row group 0 of the two files do not hold the same households"):
        opened.read_chunk(0)
    with pytest.raises(ChunkError, match="chunk 0 of .*bad"):
        Microsimulation("timor_leste", folder, 2025, backend="sequential").run({"baseline": None})


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(SurveyError, match="nowhere"):
        Microsimulation("timor_leste", tmp_path / "nowhere", 2025)
