"""The survey data model's rules and floorsim's own survey format."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from floorsim.surveys import SurveyError, load_survey, survey_hash, write_survey
from floorsim.surveys.model import Survey
from tests.conftest import make_tiny_survey


def rebuild(survey: Survey, households: pd.DataFrame | None = None, persons: pd.DataFrame | None = None) -> Survey:
    return Survey(
        households if households is not None else survey.households,
        persons if persons is not None else survey.persons,
        survey.metadata,
        origin="test.parquet",
    )


def test_derived_arrays_follow_households(tiny_survey):
    assert tiny_survey.household_size.tolist() == [3, 2, 2, 2]
    assert tiny_survey.person_household_index.tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3]
    assert tiny_survey.person_weight.tolist() == [100, 100, 100, 200, 200, 50, 50, 300, 300]
    np.testing.assert_allclose(tiny_survey.consumption_per_capita(), [50, 40, 60, 150])


def test_persons_are_reordered_by_household():
    survey = make_tiny_survey()
    shuffled = survey.persons.iloc[[8, 0, 3, 5, 1, 7, 4, 2, 6]]
    reordered = rebuild(survey, persons=shuffled)
    assert reordered.persons["household_id"].tolist() == [1, 1, 1, 2, 2, 3, 3, 4, 4]
    # Order inside a household is kept as given (head 11 came before spouse 12 and grandchild 13).
    assert reordered.persons["person_id"].tolist()[:3] == [11, 12, 13]


def test_select_households_keeps_members_together(tiny_survey):
    part = tiny_survey.select_households(1, 3)
    assert part.households["household_id"].tolist() == [2, 3]
    assert part.persons["person_id"].tolist() == [21, 22, 31, 32]


@pytest.mark.parametrize(
    ("table", "change", "field", "rows"),
    [
        ("persons", lambda p: p.drop(columns="age"), "age", None),
        ("households", lambda h: h.assign(weight=[100.0, -1.0, 50.0, 0.0]), "weight", [2, 4]),
        ("persons", lambda p: p.assign(person_id=[11, 11, 13, 21, 22, 31, 32, 41, 42]), "person_id", [11]),
        ("persons", lambda p: p.assign(age=[72, 65, 8, 35, 2, 59, 184, 40, 10]), "age", [32]),
        ("persons", lambda p: p.assign(sex=["m", "female", "female", "female", "male", "male", "female", "male", "female"]), "sex", [11]),
        ("persons", lambda p: p.assign(household_id=[1, 1, 1, 2, 2, 3, 3, 9, 9]), "household_id", [41, 42]),
        ("persons", lambda p: p.assign(relationship=["spouse"] + p["relationship"].tolist()[1:]), "relationship", [1]),
        ("households", lambda h: h.assign(consumption=[1.0, np.nan, 2.0, 3.0]), "consumption", [2]),
    ],
)
def test_rule_violations_name_field_and_rows(tiny_survey, table, change, field, rows):
    households, persons = tiny_survey.households, tiny_survey.persons
    if table == "persons":
        persons = change(persons)
    else:
        households = change(households)
    with pytest.raises(SurveyError) as caught:
        rebuild(tiny_survey, households, persons)
    assert caught.value.field == field
    assert caught.value.source == "test.parquet"
    assert "test.parquet" in str(caught.value)
    if rows is not None:
        assert caught.value.rows == rows


def test_round_trip_preserves_tables_and_metadata(tmp_path, tiny_survey):
    folder = write_survey(tiny_survey, tmp_path / "tiny")
    again = load_survey(folder)
    pd.testing.assert_frame_equal(again.households, tiny_survey.households)
    pd.testing.assert_frame_equal(again.persons, tiny_survey.persons)
    assert again.metadata == tiny_survey.metadata
    # Writing the same survey again gives the same bytes (the hash is usable as provenance).
    first = survey_hash(folder)
    write_survey(tiny_survey, folder)
    assert survey_hash(folder) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]  # no staging or backup folder left behind


def test_missing_survey_names_the_path(tmp_path):
    with pytest.raises(SurveyError, match="nowhere"):
        load_survey(tmp_path / "nowhere")


def test_folder_without_persons_file_is_rejected(tmp_path, tiny_survey):
    folder = write_survey(tiny_survey, tmp_path / "tiny")
    (folder / "persons.parquet").unlink()
    with pytest.raises(SurveyError, match="missing persons.parquet"):
        load_survey(folder)


def test_corrupt_parquet_is_a_survey_error(tmp_path, tiny_survey):
    folder = write_survey(tiny_survey, tmp_path / "tiny")
    (folder / "persons.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(SurveyError, match="Parquet"):
        load_survey(folder)


def test_written_surveys_are_readable_by_others_under_umask_022(tmp_path, tiny_survey):
    previous = os.umask(0o022)
    try:
        folder = write_survey(tiny_survey, tmp_path / "survey")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # not mkdtemp's 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {0o644}


def test_a_failed_rewrite_keeps_the_previous_survey(tmp_path, tiny_survey, monkeypatch):
    folder = write_survey(tiny_survey, tmp_path / "survey")
    before = survey_hash(folder)

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    with pytest.raises(OSError, match="disk full"):
        write_survey(tiny_survey.select_households(1, 2), folder)
    assert survey_hash(folder) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["survey"]
