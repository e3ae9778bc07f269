"""StreamedSurvey: a survey folder read one row group at a time gives what the same survey gives in memory.

Every comparison is against the in-memory :class:`Survey` of the bundled survey (an independent path: the whole
files read at once), written with small row groups so that a survey of 4,000 households has 8 of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.calibration import Margin, Total, calibration_matrix
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import HOUSEHOLDS_FILE, METADATA_KEY, PERSONS_FILE, encode_metadata, write_survey
from floorsim.surveys.model import Survey
from floorsim.surveys.money import money_columns, scaled_money
from floorsim.surveys.readers.currency import convert_currency
from floorsim.surveys.recorded_calibration import margins_from_record
from floorsim.surveys.streamed import StreamedSurvey

ROW_GROUP = 500


@pytest.fixture(scope="module")
def survey() -> Survey:
    return load_bundled_survey()


@pytest.fixture(scope="module")
def folder(survey, tmp_path_factory):
    return write_survey(survey, tmp_path_factory.mktemp("streamed") / "survey", households_per_row_group=ROW_GROUP)


@pytest.fixture(scope="module")
def streamed(folder) -> StreamedSurvey:
    return StreamedSurvey.open(folder)


def test_open_holds_the_households_and_counts_members_as_in_memory(survey, streamed, folder):
    assert streamed.n_households == 4000 and streamed.n_chunks == 8
    assert streamed.row_groups == (ROW_GROUP,) * 8
    assert streamed.n_persons == len(survey.persons) == 21992
    pd.testing.assert_frame_equal(streamed.households, survey.households)
    np.testing.assert_array_equal(streamed.household_size, survey.household_size)
    assert streamed.household_size.dtype == np.int64
    assert streamed.metadata == survey.metadata and streamed.origin == str(folder) and streamed.money_factor == 1.0
    assert streamed.person_columns == list(survey.persons.columns)
    assert streamed.household_columns == list(survey.households.columns)
    np.testing.assert_array_equal(streamed.welfare(), survey.welfare())


def test_person_chunks_are_the_persons_of_each_row_group_in_order(survey, streamed):
    starts, parts = zip(*streamed.person_chunks(["household_id", "age"]))
    assert starts == tuple(range(0, 4000, ROW_GROUP))
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(joined, survey.persons[["household_id", "age"]])
    # row group 3's persons are the members of households 1500-1999
    assert set(parts[3]["household_id"]) == set(survey.households["household_id"].iloc[1500:2000])


def test_read_chunk_is_the_row_groups_households_as_a_survey(survey, streamed):
    part = streamed.read_chunk(3)
    expected = survey.select_households(3 * ROW_GROUP, 4 * ROW_GROUP)
    pd.testing.assert_frame_equal(part.households, expected.households)
    pd.testing.assert_frame_equal(part.persons, expected.persons)
    assert part.metadata == survey.metadata and "row group 3" in part.origin
    with pytest.raises(SurveyError, match="no row group 8"):
        streamed.read_chunk(8)


def test_read_chunk_reads_new_weights_and_scaled_money(survey, streamed):
    weights = np.arange(1, 4001, dtype=np.float64)
    changed = streamed.replaced(households=streamed.households.assign(weight=weights), money_factor=2.5)
    part = changed.read_chunk(1)
    np.testing.assert_array_equal(part.households["weight"], weights[500:1000])
    np.testing.assert_allclose(part.households["consumption"], survey.households["consumption"].iloc[500:1000] * 2.5,
                               rtol=0, atol=0)
    np.testing.assert_array_equal(changed.welfare(), survey.welfare() * 2.5)
    assert streamed.money_factor == 1.0  # replaced() makes a new survey


def test_read_chunk_gives_person_weights_the_new_household_weight(survey, tmp_path):
    persons = survey.persons.assign(weight=survey.person_weight * 1.0)
    folder = write_survey(Survey(survey.households, persons, survey.metadata), tmp_path / "s", ROW_GROUP)
    streamed = StreamedSurvey.open(folder)
    same = streamed.read_chunk(0)  # not re-weighted: the survey's own person weights
    np.testing.assert_array_equal(same.persons["weight"], persons["weight"].iloc[: len(same.persons)])
    doubled = streamed.replaced(households=streamed.households.assign(weight=streamed.households["weight"] * 2))
    part = doubled.read_chunk(0)
    np.testing.assert_array_equal(part.persons["weight"], part.person_weight)
    np.testing.assert_array_equal(part.persons["weight"], same.persons["weight"] * 2)


def test_money_columns_follow_the_data_model():
    assert money_columns(["consumption", "income", "income_wages", "monthly_pension", "weight", "age"]) == [
        "consumption", "income", "income_wages", "monthly_pension"]
    table = pd.DataFrame({"consumption": [10.0, 20.0], "weight": [3.0, 4.0], "monthly_pension": [0.0, 5.0]})
    scaled = scaled_money(table, 0.5)
    assert scaled["consumption"].tolist() == [5.0, 10.0] and scaled["monthly_pension"].tolist() == [0.0, 2.5]
    assert scaled["weight"].tolist() == [3.0, 4.0] and table["consumption"].tolist() == [10.0, 20.0]


def test_calibration_matrix_streamed_equals_in_memory(survey, streamed):
    margins = margins_from_record(survey.metadata.calibration)
    X, t, names = calibration_matrix(survey, margins)
    Xs, ts, names_s = calibration_matrix(streamed, margins)
    assert X.shape == (4000, 59)
    np.testing.assert_array_equal(Xs, X)
    np.testing.assert_array_equal(ts, t)
    assert names_s == names
    # by hand: the persons-by-stratum columns sum to each household's size
    strata = [j for j, (margin, _) in enumerate(names) if margin == "persons by stratum"]
    np.testing.assert_array_equal(Xs[:, strata].sum(axis=1), survey.household_size)


def test_calibration_matrix_streamed_totals_of_money_are_scaled(survey, streamed):
    margins = [Total("consumption", "households", 1.0, "consumption"), Total("persons", "persons", 1.0)]
    X, _, _ = calibration_matrix(streamed.replaced(money_factor=3.0), margins)
    np.testing.assert_allclose(X[:, 0], survey.households["consumption"].to_numpy() * 3.0, rtol=1e-15)
    np.testing.assert_array_equal(X[:, 1], survey.household_size)
    # in memory too: a matrix of Totals only is float64 (it was int64, truncating the consumption total's values)
    memory, _, _ = calibration_matrix(survey, margins[:1])
    np.testing.assert_array_equal(memory[:, 0], survey.households["consumption"].to_numpy())


def test_calibration_matrix_streamed_checks_categories_on_the_whole(survey, streamed):
    # row group 0 holds 3 of the 13 regions: its households have none of the others, the whole survey has all
    regions = sorted(survey.households["region"].unique())
    assert len(regions) == 13 and survey.households["region"].iloc[:ROW_GROUP].nunique() == 3
    margin = Margin("persons by region", "persons", ("region",), {region: 1.0 for region in regions})
    X, _, names = calibration_matrix(streamed, [margin])
    np.testing.assert_array_equal(X, calibration_matrix(survey, [margin])[0])
    by_hand = survey.persons.groupby(survey.households["region"].to_numpy()[survey.person_household_index]).size()
    np.testing.assert_array_equal(X.sum(axis=0), by_hand.loc[[category for _, category in names]].to_numpy())
    with pytest.raises(SurveyError, match=r"target categories \['Atlantis'\] have no sample unit"):
        calibration_matrix(streamed, [Margin("r", "households", ("region",), {**margin.targets, "Atlantis": 1.0})])
    with pytest.raises(SurveyError, match=r"sample categories \['Aileu'\] have no target"):
        calibration_matrix(streamed, [Margin("r", "households", ("region",), {r: 1.0 for r in regions[1:]})])


def test_convert_currency_streamed_equals_in_memory(survey, streamed):
    memory = convert_currency(survey, "EUR", 0.9, "test rate")
    converted = convert_currency(streamed, "EUR", 0.9, "test rate")
    assert isinstance(converted, StreamedSurvey) and converted.money_factor == 0.9
    assert converted.metadata == memory.metadata
    part = converted.read_chunk(2)
    pd.testing.assert_frame_equal(part.households, memory.select_households(1000, 1500).households)
    with pytest.raises(SurveyError, match="already converted"):
        convert_currency(converted, "USD", 1.1, "again")


# --- errors: one line naming the folder and the rule ------------------------------------------------------------


def _write(folder, households: pd.DataFrame, persons: pd.DataFrame, metadata, household_groups, person_groups):
    """Write the two files by hand, with the given row-group sizes (what write_survey would never produce)."""
    folder.mkdir()
    table = pa.Table.from_pandas(households, preserve_index=False)
    table = table.replace_schema_metadata({METADATA_KEY: encode_metadata(metadata)})
    for name, data, groups in ((HOUSEHOLDS_FILE, table, household_groups),
                               (PERSONS_FILE, pa.Table.from_pandas(persons, preserve_index=False), person_groups)):
        with pq.ParquetWriter(folder / name, data.schema) as writer:
            start = 0
            for size in groups:
                writer.write_table(data.slice(start, size), row_group_size=size)
                start += size
    return folder


@pytest.fixture(scope="module")
def small(survey):
    """The first 4 households (and members) of the bundled survey."""
    part = survey.select_households(0, 4)
    return part.households, part.persons, survey.metadata, list(part.household_size)


def test_open_refuses_what_is_not_a_survey_folder(tmp_path, folder):
    with pytest.raises(SurveyError, match="survey not found"):
        StreamedSurvey.open(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SurveyError, match="missing households.parquet"):
        StreamedSurvey.open(tmp_path / "empty")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / HOUSEHOLDS_FILE).write_bytes(b"not parquet")
    (broken / PERSONS_FILE).write_bytes((folder / PERSONS_FILE).read_bytes())
    with pytest.raises(SurveyError, match="not a readable Parquet file") as error:
        StreamedSurvey.open(broken)
    assert str(broken) in str(error.value) and "\n" not in str(error.value)


def test_open_refuses_files_without_metadata(tmp_path, small):
    households, persons, _, sizes = small
    folder = tmp_path / "s"
    folder.mkdir()
    pq.write_table(pa.Table.from_pandas(households, preserve_index=False), folder / HOUSEHOLDS_FILE)
    pq.write_table(pa.Table.from_pandas(persons, preserve_index=False), folder / PERSONS_FILE)
    with pytest.raises(SurveyError, match="carries no floorsim survey metadata"):
        StreamedSurvey.open(folder)


@pytest.mark.parametrize(
    "case, match",
    [
        ("row_groups", "2 row groups and persons.parquet 1: the files are not household-aligned"),
        ("duplicate", r"field 'household_id', rows \[\d+\]: identifiers must be unique"),
        ("absent", r"rows \[999999\]: persons of household ids absent from households.parquet"),
        ("empty", "household has no members"),
        ("order", "persons are not stored household by household in the order of households.parquet"),
        ("across", "holds members of households of another row group"),
        ("weight", "household weights must be positive"),
    ],
)
def test_open_names_the_broken_rule(tmp_path, small, case, match):
    households, persons, metadata, sizes = small
    household_groups, person_groups = [4], [sum(sizes)]
    if case == "row_groups":
        household_groups = [2, 2]
    elif case == "duplicate":
        households = households.assign(household_id=[*households["household_id"].iloc[:3], households["household_id"].iloc[0]])
    elif case == "absent":
        persons = persons.assign(household_id=[*persons["household_id"].iloc[:-1], 999999])
    elif case == "empty":
        persons = persons[persons["household_id"] != households["household_id"].iloc[1]]
        person_groups = [len(persons)]
    elif case == "order":
        persons = persons.iloc[::-1]
    elif case == "across":  # two row groups each way, the persons cut one household too late
        household_groups, person_groups = [2, 2], [sizes[0] + sizes[1] + sizes[2], sizes[3]]
    elif case == "weight":
        households = households.assign(weight=[1.0, 0.0, 1.0, 1.0])
    folder = _write(tmp_path / "s", households, persons, metadata, household_groups, person_groups)
    with pytest.raises(SurveyError, match=match) as error:
        StreamedSurvey.open(folder)
    assert str(error.value).startswith(str(folder)) and "\n" not in str(error.value)
