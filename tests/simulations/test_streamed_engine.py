"""A streamed survey goes through the steps of an in-memory one: currency conversion, the simulated year's
population (static ageing), the engine and the re-calibration of replicates, with the same results.

The reference is always the in-memory path on the same bundled survey (the whole files read at once); the streamed
path reads the folder written with row groups of 500 households (8 of them), persons never whole in memory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations import Microsimulation
from floorsim.simulations.analysis.uncertainty import survey_recalibration
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.file_chunks import FileChunk, read_file_chunk, streamed_households
from floorsim.simulations.errors import ChunkError
from floorsim.simulations.projections.simulated_year import simulated_year
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.calibration import calibration_matrix
from floorsim.surveys.io import write_survey
from floorsim.surveys.readers.currency import convert_currency
from floorsim.surveys.recorded_calibration import margins_from_record
from floorsim.surveys.streamed import StreamedSurvey

REFORMS = {"baseline": None, "saii_increase": "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}
YEAR = 2030
RATE = 1.25  # a made-up rate (USD to "USD"): only that both paths multiply the same money by it matters


@pytest.fixture(scope="module")
def survey():
    return load_bundled_survey()


@pytest.fixture(scope="module")
def streamed(survey, tmp_path_factory):
    folder = write_survey(survey, tmp_path_factory.mktemp("streamed") / "survey", households_per_row_group=500)
    return StreamedSurvey.open(folder)


@pytest.fixture(scope="module")
def years(survey, streamed):
    """The simulated year of the converted survey, in memory and streamed."""
    spec = load_country("timor_leste")
    memory = simulated_year(spec, convert_currency(survey, "USD", RATE, "test"), YEAR)
    return memory, simulated_year(spec, convert_currency(streamed, "USD", RATE, "test"), YEAR)


def test_the_simulated_year_of_a_streamed_survey_is_the_in_memory_one(years, survey):
    memory, streamed = years
    assert memory.population["projected"] and isinstance(streamed.survey, StreamedSurvey)
    aged = streamed.survey
    np.testing.assert_array_equal(aged.households["weight"], memory.survey.households["weight"])
    assert not np.allclose(aged.households["weight"], survey.households["weight"])  # it was re-weighted
    assert aged.metadata == memory.survey.metadata and aged.metadata.reference_year == YEAR
    assert streamed.population == memory.population and streamed.cost_denominators == memory.cost_denominators
    factor = memory.survey.metadata.extra["projection"]["money_factor"]
    assert aged.money_factor == pytest.approx(RATE * factor, rel=1e-15) and factor > 1
    part = aged.read_chunk(5)
    expected = memory.survey.select_households(2500, 3000)
    pd.testing.assert_frame_equal(part.persons, expected.persons)
    pd.testing.assert_frame_equal(part.households, expected.households, check_exact=False, rtol=1e-14)


def test_a_streamed_run_gives_the_in_memory_household_arrays(years):
    memory, streamed = years
    expected = Microsimulation("timor_leste", memory.survey, YEAR, backend="sequential").run(REFORMS)
    results = Microsimulation("timor_leste", streamed.survey, YEAR, backend="loky", n_jobs=2).run(REFORMS)
    assert results.run_info["streamed"] and results.run_info["chunks"] == 8
    assert results.survey is None and results.streamed is streamed.survey and expected.streamed is None
    assert results.metadata == streamed.survey.metadata == expected.metadata
    for key in ("household_id", "weight", "size"):
        np.testing.assert_array_equal(results.households[key], expected.households[key], err_msg=key)
    np.testing.assert_allclose(results.households["welfare"], expected.households["welfare"], rtol=1e-14)
    assert results.run_info["money_inputs_uprating"] == expected.run_info["money_inputs_uprating"] == 1.0
    for name in REFORMS:
        for key, values in expected.scenario(name).household.items():
            np.testing.assert_allclose(results.scenario(name).household[key], values, rtol=1e-9, err_msg=key)
        assert results.headline(name) == pytest.approx(expected.headline(name), rel=1e-9)
    # the saii (social pension) is paid to someone: the comparison is not of zeros
    assert expected.headline("baseline")["saii_cost"] > 0


def test_a_worker_reads_the_row_group_as_the_streamed_survey_does(streamed):
    changed = streamed.replaced(money_factor=2.0)
    part = read_file_chunk(FileChunk(str(streamed.folder), 2, 2.0, YEAR))
    reference = changed.read_chunk(2)
    pd.testing.assert_frame_equal(part.households, reference.households)
    pd.testing.assert_frame_equal(part.persons, reference.persons)
    assert part.metadata.reference_year == YEAR


def test_streamed_households_take_the_streamed_weights_and_check_the_ids(streamed):
    ids = streamed.households["household_id"].to_numpy()
    frames = [{"household_id": ids[:1000], "weight": np.ones(1000)},
              {"household_id": ids[1000:], "weight": np.ones(3000)}]
    joined = streamed_households(frames, streamed)
    np.testing.assert_array_equal(joined["weight"], streamed.households["weight"])
    np.testing.assert_array_equal(streamed_households(frames, None)["weight"], np.ones(4000))
    with pytest.raises(ChunkError, match="not those of the survey opened"):
        streamed_households(frames[::-1], streamed)


def _household_frame(streamed: StreamedSurvey) -> pd.DataFrame:
    """One row per household in file order: weight w_h n_h (the persons it stands for), household_weight w_h."""
    weight = streamed.households["weight"].to_numpy()
    return pd.DataFrame({"household_id": streamed.households["household_id"].to_numpy(),
                         "weight": weight * streamed.household_size, "household_weight": weight})


def test_survey_recalibration_of_a_streamed_survey_equals_the_person_frames(survey, streamed):
    index = survey.person_household_index
    weight = survey.households["weight"].to_numpy()[index]
    persons = pd.DataFrame({"household_id": survey.households["household_id"].to_numpy()[index], "weight": weight,
                            "household_weight": weight})
    memory, status = survey_recalibration(persons, survey)
    compact, compact_status = survey_recalibration(_household_frame(streamed), streamed)
    assert status == compact_status == "recalibrated" and compact.description == memory.description
    np.testing.assert_array_equal(compact.unit_index, np.arange(4000))
    rng = np.random.default_rng(3)
    D = survey.households["weight"].to_numpy() * rng.uniform(0.5, 1.5, size=(3, 4000))
    np.testing.assert_allclose(compact.calibrate(D), memory.calibrate(D), rtol=1e-12)
    # weights that no longer meet the recorded margins are not re-calibrated to them
    heavier = streamed.replaced(households=streamed.households.assign(weight=streamed.households["weight"] * 1.1))
    assert survey_recalibration(_household_frame(heavier), heavier) == (None, "not_met")


def test_the_population_projections_margin_streamed(years, survey, streamed):
    memory, aged = years
    # the margin the simulated year was calibrated to (persons by age group of the projection), as recorded
    margins = margins_from_record(memory.survey.metadata.calibration)
    assert margins[0].name == "persons by age group (timor_leste_population_projection.yaml)"
    X, t, names = calibration_matrix(survey, margins)
    Xs, ts, names_s = calibration_matrix(streamed, margins)
    np.testing.assert_array_equal(Xs, X)
    assert names_s == names and np.array_equal(ts, t) and X.shape == (4000, 17)
    np.testing.assert_array_equal(Xs.sum(axis=1), survey.household_size)  # every person in one age group
    # and the aged weights meet it, in memory and streamed: replicates are re-calibrated to it
    persons = memory.survey.person_weight
    frame = pd.DataFrame({"household_id": memory.survey.households["household_id"].to_numpy()[
        memory.survey.person_household_index], "weight": persons, "household_weight": persons})
    in_memory, status = survey_recalibration(frame, memory.survey)
    compact, compact_status = survey_recalibration(_household_frame(aged.survey), aged.survey)
    assert status == compact_status == "recalibrated" and compact.description == in_memory.description
    D = aged.survey.households["weight"].to_numpy() * np.random.default_rng(4).uniform(0.5, 1.5, size=(2, 4000))
    np.testing.assert_allclose(compact.calibrate(D), in_memory.calibrate(D), rtol=1e-12)
