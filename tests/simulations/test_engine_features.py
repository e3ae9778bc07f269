"""Engine features: month segments, take-up, Dask, Python reforms and stacks, errors before and inside workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from floorsim.simulations import Microsimulation, ReformSpec, ScenarioError
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.errors import ChunkError, ReformError
from floorsim.simulations.engine.reforms import ParameterChange
from floorsim.simulations.engine.take_up import take_up_draws
from floorsim.surveys.model import Survey
from tests.conftest import make_tiny_survey

SAII_75_MID_YEAR = ReformSpec(
    name="saii_75_apr_sep",
    changes=(ParameterChange(parameter="benefits.saii.amount", value=75, start="2025-04-01", stop="2025-09-30"),),
)


def replicate(survey: Survey, copies: int) -> Survey:
    """``copies`` copies of a survey with fresh ids (household id h becomes h + 1000 k, persons likewise)."""
    households, persons = [], []
    for k in range(copies):
        households.append(survey.households.assign(household_id=survey.households["household_id"] + 1000 * k))
        persons.append(
            survey.persons.assign(
                household_id=survey.persons["household_id"] + 1000 * k, person_id=survey.persons["person_id"] + 1000 * k
            )
        )
    return Survey(pd.concat(households, ignore_index=True), pd.concat(persons, ignore_index=True), survey.metadata)


def saii(results, scenario="baseline"):
    return results.scenario(scenario).person["saii"]


@pytest.mark.parametrize("year", [2008, 2009, 2010, 2022, 2024, 2025])
def test_month_segments_equal_twelve_monthly_calculations(year):
    survey = make_tiny_survey()
    scenarios = {"baseline": None, "mid_year": SAII_75_MID_YEAR}
    fast = Microsimulation("timor_leste", survey, year, backend="sequential").run(scenarios)
    exact = Microsimulation("timor_leste", survey, year, backend="sequential", months="all").run(scenarios)
    for name in scenarios:
        np.testing.assert_array_equal(saii(fast, name), saii(exact, name))
        np.testing.assert_array_equal(
            fast.scenario(name).household["social_transfers"], exact.scenario(name).household["social_transfers"]
        )


def test_mid_year_reform_adds_up_the_months_in_force():
    results = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(
        {"baseline": None, "mid_year": SAII_75_MID_YEAR}
    )
    # Person 12 (65): 60 for Jan-Mar and Oct-Dec, 75 for Apr-Sep: 6*60 + 6*75 = 810.
    # Person 11 (72): supplement 20 on top: 6*80 + 6*95 = 1050. In 2008 (paid from January, backdated): 12 months.
    assert saii(results, "mid_year")[1] == 810
    assert saii(results, "mid_year")[0] == 1050
    in_2008 = Microsimulation("timor_leste", make_tiny_survey(), 2008, backend="sequential").run({"baseline": None})
    assert saii(in_2008)[1] == 12 * 20


def write_spec_with_take_up(tmp_path):
    raw = load_country("timor_leste").model_dump(mode="json", exclude={"name", "folder", "default_reform"})
    raw["programmes"]["saii"]["take_up"] = "take_up.saii"
    path = tmp_path / "tl_take_up" / "floorsim.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def test_take_up_draws_are_reproducible_and_uniform():
    ids = np.arange(200_000)
    draws = take_up_draws(ids, "saii", seed=7)
    np.testing.assert_array_equal(draws, take_up_draws(ids, "saii", seed=7))
    # Order of ids does not matter: each id's draw depends on the id only.
    np.testing.assert_array_equal(take_up_draws(ids[::-1], "saii", 7), draws[::-1])
    assert not np.array_equal(draws, take_up_draws(ids, "saii", seed=8))
    assert not np.array_equal(draws, take_up_draws(ids, "bolsa_da_mae", seed=7))
    counts, _ = np.histogram(draws, bins=10, range=(0, 1))
    # Uniform: each tenth holds 20,000 +- 4 standard deviations (sqrt(20000 * 0.9) = 134).
    assert np.all(np.abs(counts - 20_000) < 4 * 134)
    assert draws.min() >= 0 and draws.max() < 1


def test_take_up_rate_from_a_reform_applies_reproducibly(tmp_path):
    country = write_spec_with_take_up(tmp_path)
    survey = replicate(make_tiny_survey(), 250)  # 1,000 pensioners
    half = ReformSpec(name="half", changes=(ParameterChange(parameter="take_up.saii", value=0.5, start="2025-01-01"),))
    scenarios = {"baseline": None, "half": half}
    results = Microsimulation(country, survey, 2025, backend="sequential", seed=3).run(scenarios)
    full, halved = saii(results), saii(results, "half")
    eligible = full > 0
    assert eligible.sum() == 1000
    received = halved > 0
    # Recipients are a subset of the eligible, paid in full; about half take up (binomial sd = sqrt(250) = 16).
    assert np.all(halved[received] == full[received]) and not np.any(received & ~eligible)
    assert abs(received.sum() - 500) < 4 * 16
    expected = take_up_draws(survey.persons["person_id"].to_numpy(), "saii", 3) < 0.5
    np.testing.assert_array_equal(received, eligible & expected)
    # Household transfers lose exactly what was not taken up.
    lost = np.bincount(survey.person_household_index, weights=full - halved)
    np.testing.assert_allclose(
        results.scenario("half").household["social_transfers"], results.scenario("baseline").household["social_transfers"] - lost
    )
    # Same draws whatever the chunking and the worker count.
    again = Microsimulation(country, survey, 2025, backend="loky", n_jobs=2, chunk_size=97, seed=3).run(scenarios)
    np.testing.assert_array_equal(saii(again, "half"), halved)


def test_scenario_order_does_not_matter():
    survey = make_tiny_survey()
    first = Microsimulation("timor_leste", survey, 2025, backend="sequential").run(
        {"baseline": None, "a": SAII_75_MID_YEAR, "b": "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}
    )
    second = Microsimulation("timor_leste", survey, 2025, backend="sequential").run(
        {"b": "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml", "a": SAII_75_MID_YEAR, "baseline": None}
    )
    for name in ("baseline", "a", "b"):
        np.testing.assert_array_equal(saii(first, name), saii(second, name))


def test_python_reform_class_and_stack():
    survey = make_tiny_survey()
    from tests.simulations.reforms_for_tests import SaiiPlusTen

    results = Microsimulation("timor_leste", survey, 2025, backend="sequential").run(
        {
            "baseline": None,
            "class": SaiiPlusTen,
            "dotted": "tests.simulations.reforms_for_tests.SaiiPlusTen",
            "stack": ["floorsim/country_packages/timor_leste/reforms/saii_increase.yaml", SaiiPlusTen],
        }
    )
    base = saii(results)
    recipients = base > 0
    np.testing.assert_array_equal(saii(results, "class")[recipients], base[recipients] + 120)
    np.testing.assert_array_equal(saii(results, "dotted"), saii(results, "class"))
    # Stack: base amount 80 (YAML), then +10 (class): 20 + 10 more a month than the baseline.
    np.testing.assert_array_equal(saii(results, "stack")[recipients], base[recipients] + 360)
    assert results.scenario("stack").scenario.describe()[1] == {
        "python_reform": "tests.simulations.reforms_for_tests.SaiiPlusTen"
    }


def test_failure_inside_a_worker_names_chunk_and_households():
    from tests.simulations.reforms_for_tests import FailsOnAge84

    simulation = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential", chunk_size=2)
    with pytest.raises(ChunkError, match=r"chunk 1 \(households 3 to 4, 2 households\): ValueError: cannot handle age 84"):
        simulation.run({"baseline": None, "bad": FailsOnAge84})


def test_errors_before_any_worker_starts(tmp_path):
    simulation = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential")
    with pytest.raises(ScenarioError, match="'sai' is not in country package 'timor_leste'; did you mean saii"):
        simulation.run({"baseline": None}, variables=["sai"])
    with pytest.raises(ReformError, match="cannot import reform class 'nowhere.Reform'"):
        simulation.run({"baseline": None, "x": "nowhere.Reform"})
    raw = load_country("timor_leste").model_dump(mode="json", exclude={"name", "folder", "default_reform"})
    raw["inputs"]["person"]["other_state_benefit"] = "pension_income"
    path = tmp_path / "gap" / "floorsim.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError, match="'other_state_benefit' to survey column 'pension_income'"):
        Microsimulation(str(path), make_tiny_survey(), 2025, backend="sequential").run({"baseline": None})


def test_extra_variables_are_returned_per_entity():
    results = Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(
        {"baseline": None}, variables=["saii_old_age_eligible", "household_saii"]
    )
    # A boolean summed over 12 months counts the months eligible.
    np.testing.assert_array_equal(results.scenario("baseline").person["saii_old_age_eligible"], [12, 12, 0, 0, 0, 0, 12, 0, 0])
    np.testing.assert_array_equal(results.scenario("baseline").household["household_saii"], [1680, 720, 1200, 0])


def test_dask_backend_equals_sequential():
    from dask import distributed

    survey = replicate(make_tiny_survey(), 20)
    scenarios = {"baseline": None, "mid_year": SAII_75_MID_YEAR}
    reference = Microsimulation("timor_leste", survey, 2025, backend="sequential").run(scenarios)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = Microsimulation("timor_leste", survey, 2025, backend="dask", dask_client=client, chunk_size=7).run(
                scenarios
            )
    assert on_dask.run_info["workers"] == 2 and on_dask.run_info["chunks"] == 12
    for name in scenarios:
        np.testing.assert_array_equal(saii(on_dask, name), saii(reference, name))


def test_several_seeds_share_one_simulation(tmp_path):
    country = write_spec_with_take_up(tmp_path)
    survey = replicate(make_tiny_survey(), 50)
    half = ReformSpec(name="half", changes=(ParameterChange(parameter="take_up.saii", value=0.5, start="2025-01-01"),))
    simulation = Microsimulation(country, survey, 2025, backend="sequential")
    by_seed = simulation.run_seeds({"baseline": None, "half": half}, seeds=[1, 2, 3])
    assert sorted(by_seed) == [1, 2, 3]
    for seed, results in by_seed.items():
        # Each seed's result is what a single run with that seed gives.
        single = Microsimulation(country, survey, 2025, backend="sequential", seed=seed).run({"baseline": None, "half": half})
        np.testing.assert_array_equal(saii(results, "half"), saii(single, "half"))
        assert results.run_info["seed"] == seed
    # Different seeds draw different recipients; the baseline (full take-up) is the same for all.
    assert not np.array_equal(saii(by_seed[1], "half"), saii(by_seed[2], "half"))
    np.testing.assert_array_equal(saii(by_seed[1]), saii(by_seed[3]))
