"""Group entities other than the household, filled from survey columns (simulations/engine/entities.py), on a tiny
system declaring the same three entities as openfisca-tunisia and the example survey of examples/third_party."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openfisca_core.entities import build_entity
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.engine.countries import CountrySpec
from simulations.engine.entities import check_groups, slice_groups, survey_groups
from simulations.errors import ScenarioError
from surveys import load_survey

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/third_party/tunisia"

INDIVIDU = build_entity(key="individu", plural="individus", label="Individu", is_person=True)
FOYER = build_entity(
    key="foyer_fiscal", plural="foyers_fiscaux", label="Foyer fiscal",
    roles=[{"key": "declarant", "plural": "declarants", "label": "D", "subroles": ["declarant_principal", "conjoint"]},
           {"key": "personne_a_charge", "plural": "personnes_a_charge", "label": "P"}],
)
MENAGE = build_entity(
    key="menage", plural="menages", label="Ménage",
    roles=[{"key": "personne_de_reference", "label": "R", "max": 1}, {"key": "conjoint", "label": "C", "max": 1},
           {"key": "enfant", "plural": "enfants", "label": "E"}, {"key": "autre", "plural": "autres", "label": "A"}],
)


def spec(**changes) -> CountrySpec:
    base = dict(
        label="test", tax_benefit_system="x.Y", currency="TND", person_entity="individu", household_entity="menage",
        head_role="personne_de_reference", member_role="autre", household_roles={"spouse": "conjoint", "child": "enfant"},
        groups={"foyer_fiscal": {"column": "group_foyer_fiscal", "role_column": "group_foyer_fiscal_role"}},
        inputs={"person": {}}, transfers_variable="t", programmes={}, poverty_line={"share_of_median": 0.6},
    )
    return CountrySpec(**{**base, **changes})


@pytest.fixture(scope="module")
def system():
    return TaxBenefitSystem([INDIVIDU, FOYER, MENAGE])


@pytest.fixture(scope="module")
def survey():
    return load_survey(EXAMPLE / "survey.csv", mapping=EXAMPLE / "mapping.yaml")


def test_groups_follow_the_survey_columns_within_households(system, survey):
    (foyers,) = survey_groups(survey, spec(), system)
    # survey.csv: one tax household in households 1, 2, 4, 5 and two in household 3 (persons 305-306 in the second).
    assert foyers.count == 6
    sizes = np.bincount(foyers.person_group)
    np.testing.assert_array_equal(sizes, [4, 3, 6, 2, 1, 4])
    np.testing.assert_array_equal(foyers.group_household, [0, 1, 2, 2, 3, 4])
    roles = np.array(foyers.roles)[foyers.person_role]
    assert list(roles[:4]) == ["declarant_principal", "conjoint", "personne_a_charge", "personne_a_charge"]
    # A chunk of households 3 to 5 (persons 8 to 21) renumbers groups and households from 0.
    (part,) = slice_groups((foyers,), 7, len(survey.persons), 2)
    np.testing.assert_array_equal(part.ids, [3, 4, 5, 6])
    np.testing.assert_array_equal(part.group_household, [0, 0, 1, 2])
    assert part.person_group[0] == 0 and part.person_group[-1] == 3


def test_one_group_per_household_with_roles_by_relationship(system, survey):
    by_relationship = spec(groups={"foyer_fiscal": {"roles": {"head": "declarant_principal", "spouse": "conjoint"},
                                                    "default_role": "personne_a_charge"}})
    (foyers,) = survey_groups(survey, by_relationship, system)
    np.testing.assert_array_equal(foyers.person_group, survey.person_household_index)
    roles = np.array(foyers.roles)[foyers.person_role]
    expected = np.where(survey.persons["relationship"] == "head", "declarant_principal",
                        np.where(survey.persons["relationship"] == "spouse", "conjoint", "personne_a_charge"))
    np.testing.assert_array_equal(roles, expected)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"groups": {}}, "group entity 'foyer_fiscal', which floorsim.yaml does not map"),
        ({"groups": {"famille": {"default_role": "x"}}}, "groups.famille is not a group entity"),
        ({"groups": {"foyer_fiscal": {"default_role": "parent"}}}, "role 'parent' is not a role of 'foyer_fiscal'"),
        ({"household_roles": {"child": "child"}}, "household role 'child' is not a role of entity 'menage'"),
    ],
)
def test_a_mismatch_with_the_package_names_the_key(system, changes, message):
    with pytest.raises(ScenarioError, match=message):
        check_groups(system, spec(**changes))


def test_an_unknown_role_in_the_survey_names_the_persons(system, survey):
    bad = survey.persons.copy()
    bad.loc[bad["person_id"] == 103, "group_foyer_fiscal_role"] = "enfant"
    with pytest.raises(ScenarioError, match=r"gives role 'enfant' to persons \[103\]"):
        survey_groups(type(survey)(survey.households, bad, survey.metadata), spec(), system)
