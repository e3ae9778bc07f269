"""The by-group table on households (``reports.groups.compact_by_group``) equals the person-frame computation
(``person_by_group``, the second method) to 1e-10: estimates, standard errors and intervals, with re-calibrated
bootstrap replicates and with linearisation, for a comparison and for a baseline-only run; persons of unknown age
form the same unnamed group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis.frame import welfare_of
from floorsim.simulations.reports.groups import compact_by_group, person_by_group, population_groups
from floorsim.simulations.reports.labels import get_labels
from floorsim.simulations.reports.sampling import survey_uncertainty

COLUMNS = ["estimate", "se", "ci_low", "ci_high"]


def _both(results, replicates: int, reform: str | None, unknown_age: bool = False):
    frame = results.person_frame()
    if unknown_age:  # some persons in no age group: the table says so in a <NA> row
        frame = frame.assign(age_group=np.where(np.arange(len(frame)) % 7 == 0, "unknown",
                                                frame["age_group"].astype(str)))
    uncertainty = survey_uncertainty(frame, replicates, 5, results.survey)
    base = welfare_of(frame, "baseline")
    line = float(results.poverty_line)
    groups = population_groups(frame, base < line, get_labels("en"))
    after = None if reform is None else welfare_of(frame, reform)
    by_persons = person_by_group(frame, groups, base, after, line, uncertainty)
    by_households = compact_by_group(frame, groups, base, after, line, uncertainty)
    return by_persons, by_households


def _assert_same(by_persons: pd.DataFrame, by_households: pd.DataFrame) -> None:
    assert list(by_households.columns) == list(by_persons.columns)
    keys = ["group_variable", "group", "group_label", "indicator", "level", "method", "replicates"]
    pd.testing.assert_frame_equal(by_households[keys], by_persons[keys])
    # relative to each row's estimate: the persons of a group calibrated to a margin have an SE of rounding noise
    scale = np.abs(by_persons["estimate"].to_numpy()) + 1e-12
    for column in COLUMNS:
        gap = np.abs(by_households[column].to_numpy() - by_persons[column].to_numpy())
        assert (gap <= 1e-10 * scale).all(), (column, by_persons.loc[np.argmax(gap / scale)].to_dict())


@pytest.mark.parametrize("replicates", [20, 0])
def test_compact_by_group_equals_the_person_frame(bundled_results, replicates):
    by_persons, by_households = _both(bundled_results, replicates, "saii_increase")
    _assert_same(by_persons, by_households)
    assert set(by_persons["indicator"]) == {"persons", "headcount_baseline", "headcount_reform",
                                            "headcount_change", "mean_gain", "winners"}
    assert (by_persons["se"] > 0).any()


def test_compact_by_group_baseline_only_and_unknown_age(bundled_results):
    by_persons, by_households = _both(bundled_results, 10, None, unknown_age=True)
    _assert_same(by_persons, by_households)
    persons = by_households[by_households["indicator"] == "persons"]
    ages = persons[persons["group_variable"] == "age_group"]
    assert ages["group"].isna().sum() == 1  # the persons in no age group, last
    # the age groups and the unnamed group add up to everybody
    everybody = persons[persons["group_variable"] == "all"]["estimate"].iloc[0]
    assert ages["estimate"].sum() == pytest.approx(everybody, rel=1e-12)
