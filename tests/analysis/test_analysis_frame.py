"""The person frame: assembly, attribution of household amounts, name parsing, design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.analysis import (
    AnalysisError,
    amount_column,
    attribute_household_amounts,
    build_person_frame,
    design_from_frame,
    programmes_in,
    scenarios_in,
)


def test_names_are_parsed_against_the_scenarios(frame: pd.DataFrame) -> None:
    assert scenarios_in(frame) == ["baseline", "reform"]
    assert programmes_in(frame) == ["pension", "child_grant"]
    # Underscores in both names, and a scenario whose name ends with another's: the longest match wins.
    tricky = pd.DataFrame(
        columns=["welfare_reform", "welfare_big_reform", "amount_child_grant_big_reform", "amount_child_grant_reform"]
    )
    assert programmes_in(tricky) == ["child_grant"]
    assert amount_column("child_grant", "big_reform") == "amount_child_grant_big_reform"


def test_household_amounts_split_equally_when_members_carry_the_household_weight() -> None:
    # Household 10 (3 members) gets 300, household 20 (1 member) 50.
    amounts = attribute_household_amounts([300.0, 50.0], [10, 20], [10, 10, 20, 10], [5.0, 5.0, 2.0, 5.0])
    np.testing.assert_allclose(amounts, [100.0, 100.0, 50.0, 100.0])


def test_household_amounts_keep_household_totals_with_person_weights() -> None:
    # Household 10: weight 6, members weighted 4, 8 and 12 (sum 24): a_i = 300 * 6 / 24 = 75 each.
    # Person-weighted total: (4 + 8 + 12) * 75 = 1800 = 6 * 300, the household-weighted total.
    person_w = np.array([4.0, 8.0, 3.0, 12.0])
    amounts = attribute_household_amounts([300.0, 50.0], [10, 20], [10, 10, 20, 10], person_w, [6.0, 2.0])
    # Household 20: weight 2, one member weighted 3: 50 * 2 / 3.
    np.testing.assert_allclose(amounts, [75.0, 75.0, 50.0 * 2 / 3, 75.0])
    np.testing.assert_allclose(person_w @ amounts, 6 * 300 + 2 * 50)
    with pytest.raises(AnalysisError, match="not in household_ids"):
        attribute_household_amounts([1.0], [10], [10, 11], [1.0, 1.0])


def test_build_person_frame_names_columns_and_checks_lengths() -> None:
    frame = build_person_frame(
        [1, 1, 2],
        [10.0, 10.0, 5.0],
        {"baseline": [1.0, 1.0, 2.0], "reform": [1.5, 1.5, 2.0]},
        {("grant", "reform"): [6.0, 6.0, 0.0]},
        stratum=["a", "a", "b"],
        groups={"sex": ["female", "male", "female"]},
    )
    assert list(frame.columns) == [
        "household_id",
        "weight",
        "stratum",
        "welfare_baseline",
        "welfare_reform",
        "amount_grant_reform",
        "sex",
    ]
    with pytest.raises(AnalysisError, match="one entry per person"):
        build_person_frame([1, 2], [1.0], {"baseline": [1.0, 2.0]})
    with pytest.raises(AnalysisError, match="no welfare"):
        build_person_frame([1], [1.0], {"baseline": [1.0]}, {("grant", "reform"): [1.0]})
    with pytest.raises(AnalysisError, match="weight"):
        build_person_frame([1], [-1.0], {"baseline": [1.0]})


def test_design_defaults_to_households_as_psus(frame: pd.DataFrame) -> None:
    design = design_from_frame(frame)
    assert design.n_psu == 4 and design.n_strata == 2
    no_strata = design_from_frame(frame.drop(columns="stratum"))
    assert no_strata.n_strata == 1 and no_strata.n_psu == 4
