"""Results as a person frame: the analysis layer sees the same totals and welfare as the headline."""

from __future__ import annotations

import numpy as np
import pytest

from floorsim.simulations import Microsimulation
from floorsim.simulations.errors import ScenarioError
from floorsim.surveys.bundled import load_bundled_survey

REFORMS = {"baseline": None, "saii_increase": "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"}


@pytest.fixture(scope="module")
def results():
    return Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential").run(REFORMS)


def test_weighted_amounts_equal_programme_costs(results):
    frame = results.person_frame()
    assert len(frame) == len(results.survey.persons)
    for name in REFORMS:
        for programme in results.spec.programmes:
            total = float(np.sum(frame["weight"] * frame[f"amount_{programme}_{name}"]))
            assert total == pytest.approx(results.programme_cost(name, programme), rel=1e-12, abs=1e-6)


def test_welfare_and_groups_follow_the_survey(results):
    frame = results.person_frame(["baseline"])
    survey = results.survey
    index = survey.person_household_index
    np.testing.assert_allclose(frame["welfare_baseline"], results.welfare_per_capita("baseline")[index])
    assert list(frame["age"]) == list(survey.persons["age"])
    assert set(frame["age_group"]) == {"0-5", "6-17", "18-59", "60+"}
    assert (frame.loc[frame["age"] >= 60, "age_group"] == "60+").all()
    assert "welfare_saii_increase" not in frame.columns


def test_streamed_runs_have_no_person_frame(tmp_path):
    from floorsim.surveys import write_survey

    folder = write_survey(load_bundled_survey(), tmp_path / "s")
    streamed = Microsimulation("timor_leste", folder, 2025, backend="sequential").run({"baseline": None})
    with pytest.raises(ScenarioError, match="in-memory run"):
        streamed.person_frame()
