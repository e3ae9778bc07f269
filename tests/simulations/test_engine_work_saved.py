"""Work the engine saves without changing results: inputs set only for the months calculated, surveys encoded once,
month segments once per scenario and year, chunks and workers chosen from the survey's size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openfisca_core import periods

from floorsim.simulations import Microsimulation, ReformSpec, ScenarioError
from floorsim.simulations.engine import chunks
from floorsim.simulations.engine.builder import build_simulation
from floorsim.simulations.engine.chunks import encode_input, make_chunks
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.microsimulation import scenario_segments
from floorsim.simulations.engine.periods import months_to_set
from floorsim.simulations.engine.plan import SEQUENTIAL_CHUNK_HOUSEHOLDS, plan_run
from floorsim.simulations.engine.reforms import ParameterChange
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.model import Survey
from tests.conftest import make_tiny_survey

SAII_75_MID_YEAR = ReformSpec(
    name="saii_75_apr_sep",
    changes=(ParameterChange(parameter="benefits.saii.amount", value=75, start="2025-04-01", stop="2025-09-30"),),
)
PROGRAMMES = [p.variable for p in load_country("timor_leste").programmes.values()]


@pytest.fixture(scope="module")
def bundled() -> Survey:
    return load_bundled_survey()


def test_months_set_are_the_first_months_of_the_segments():
    system = baseline_system("timor_leste")
    # 2022: Jerasaun Foun from July, the year-end payment in December, among other changes.
    segments = scenario_segments("timor_leste", (), 2022)
    firsts = [first for first, _ in segments]
    assert {1, 7, 12} <= set(firsts) and len(firsts) < 12
    assert sum(length for _, length in segments) == 12
    months = months_to_set(system, ["saii", "bolsa_da_mae"], 2022, segments)
    assert [str(month) for month in months] == [f"2022-{first:02d}" for first in firsts]
    # A yearly variable sums every month, and twelve monthly calculations read every month: all months are set.
    assert months_to_set(system, ["saii", "saii_annual"], 2022, segments) is None
    assert months_to_set(system, ["saii"], 2022, None) is None

    (chunk,) = make_chunks(make_tiny_survey(), load_country("timor_leste"), system, chunk_size=10)
    simulation = build_simulation(system, load_country("timor_leste"), chunk, periods.period(2022), months)
    assert sorted(str(p) for p in simulation.get_holder("age").get_known_periods()) == [str(m) for m in months]
    everything = build_simulation(system, load_country("timor_leste"), chunk, periods.period(2022))
    assert len(everything.get_holder("age").get_known_periods()) == 12


@pytest.mark.filterwarnings("ignore:reform 'saii_75_apr_sep' of scenario 'mid_year' changes nothing")
@pytest.mark.parametrize("year", [2020, 2022, 2025])
def test_inputs_of_the_months_calculated_give_the_twelve_months_results(bundled, year):
    """Every programme and the transfers total, on the bundled survey, in years with changes within the year (COVID
    transfer April-May 2020; Jerasaun Foun from July and the year-end payment in December 2022) and a mid-year
    reform: equal to twelve monthly calculations with inputs in every month."""
    scenarios = {"baseline": None, "mid_year": SAII_75_MID_YEAR}
    fast = Microsimulation("timor_leste", bundled, year, backend="sequential").run(scenarios)
    exact = Microsimulation("timor_leste", bundled, year, backend="sequential", months="all").run(scenarios)
    assert fast.run_info["months"] == "segments" and exact.run_info["months"] == "all"
    for name in scenarios:
        for key, values in exact.scenario(name).person.items():
            np.testing.assert_array_equal(fast.scenario(name).person[key], values, err_msg=key)
        for key, values in exact.scenario(name).household.items():
            np.testing.assert_array_equal(fast.scenario(name).household[key], values, err_msg=key)
    paid = {v: exact.scenario("baseline").household.get(v, exact.scenario("baseline").person.get(v)).sum() for v in PROGRAMMES}
    assert paid["saii"] > 0 and paid["bolsa_da_mae"] > 0
    if year == 2020:
        assert paid["covid_household_transfer"] == 200 * len(bundled.households)  # USD 100 in April and in May
    if year == 2022:
        assert paid["year_end_payment_2022"] == 200 * len(bundled.households) and paid["bolsa_da_mae_jerasaun_foun"] > 0


def test_a_survey_is_encoded_once_however_many_runs(monkeypatch):
    calls = []
    original = chunks.survey_inputs
    monkeypatch.setattr(chunks, "survey_inputs", lambda *args: calls.append(1) or original(*args))
    survey = make_tiny_survey()
    simulation = Microsimulation("timor_leste", survey, 2025, backend="sequential")
    first = simulation.run({"baseline": None})
    second = Microsimulation("timor_leste", survey, 2025, backend="sequential").run({"baseline": None, "x": SAII_75_MID_YEAR})
    assert len(calls) == 1  # the second run, another Microsimulation of the same survey, reused the encoding
    copy = Survey(survey.households.copy(), survey.persons.copy(), survey.metadata)
    third = Microsimulation("timor_leste", copy, 2025, backend="sequential").run({"baseline": None})
    assert len(calls) == 2  # another survey object is encoded afresh
    for results in (second, third):
        np.testing.assert_array_equal(results.scenario("baseline").person["saii"], first.scenario("baseline").person["saii"])
    Microsimulation("timor_leste", survey, 2020, backend="sequential").run({"baseline": None})
    assert len(calls) == 3  # other prices (2020's uprating): encoded again


def test_arrow_strings_and_objects_encode_alike():
    variable = baseline_system("timor_leste").variables["municipality"]
    regions = ["Dili", "Oecusse", "Aileu", "Dili", "Viqueque"]
    expected = [5, 11, 0, 5, 12]  # positions in the enum's member order (Aileu Ainaro ... Oecusse Viqueque)
    as_arrow = pd.Series(regions, dtype="string[pyarrow]")
    np.testing.assert_array_equal(encode_input(variable, as_arrow), expected)
    np.testing.assert_array_equal(encode_input(variable, np.array(regions, dtype=object)), expected)
    for values in (pd.Series(["Dili", "Atlantis"], dtype="string[pyarrow]"), np.array(["Dili", "Atlantis"], dtype=object)):
        with pytest.raises(ScenarioError, match=r"input 'municipality': values \['Atlantis'\] are not among"):
            encode_input(variable, values)


def test_the_plan_of_a_run():
    memory = plan_run(n_households=200_000, streamed=False, keep_persons=True)
    assert (memory.n_jobs, memory.chunk_size) == (1, SEQUENTIAL_CHUNK_HOUSEHOLDS)
    assert "survey in memory: one worker" in memory.reason
    streamed = plan_run(n_households=4_000_000, streamed=True, keep_persons=False)
    assert (streamed.n_jobs, streamed.chunk_size) == (1, None) and "row groups" in streamed.reason
    # As the user asks: workers and chunk size; with workers given, about four chunks each, within the bounds.
    assert plan_run(n_households=80_000, streamed=False, keep_persons=True, n_jobs=2).chunk_size == 10_000
    assert plan_run(n_households=2_000, streamed=False, keep_persons=True, n_jobs=2).chunk_size == 1_000
    assert plan_run(n_households=8_000_000, streamed=False, keep_persons=True, n_jobs=2).chunk_size == 50_000
    given = plan_run(n_households=80_000, streamed=False, keep_persons=True, n_jobs=3, chunk_size=7)
    assert (given.n_jobs, given.chunk_size) == (3, 7)


def test_default_settings_are_recorded():
    results = Microsimulation("timor_leste", make_tiny_survey(), 2025).run({"baseline": None})
    assert results.run_info["workers"] == 1 and results.run_info["workers_requested"] == -1
    assert results.run_info["chunk_size"] == SEQUENTIAL_CHUNK_HOUSEHOLDS and results.run_info["chunks"] == 1
    assert "survey in memory: one worker" in results.run_info["workers_and_chunks"]
