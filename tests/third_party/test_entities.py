"""Group entities other than the household, filled from survey columns (floorsim/simulations/engine/entities.py), on a tiny
system declaring the same three entities as openfisca-tunisia and the example survey of examples/third_party."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.engine.entities import check_groups, slice_groups, survey_groups
from floorsim.simulations.errors import ScenarioError
from floorsim.surveys import load_survey

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


class Statut(Enum):
    seul = "Seul"
    couple = "Couple"


class nb_parents(Variable):  # noqa: N801 - OpenFisca names variables in snake case
    value_type = float
    entity = FOYER
    definition_period = DateUnit.YEAR
    label = "Parents supported"


class chef(Variable):  # noqa: N801
    value_type = bool
    entity = FOYER
    definition_period = DateUnit.YEAR
    label = "Chef de famille"


class statut(Variable):  # noqa: N801
    value_type = Enum
    possible_values = Statut
    default_value = Statut.seul
    entity = FOYER
    definition_period = DateUnit.YEAR
    label = "Statut"


class age_declarant(Variable):  # noqa: N801
    value_type = int
    entity = FOYER
    definition_period = DateUnit.YEAR
    label = "Age of the principal declarant"


@pytest.fixture(scope="module")
def system():
    system = TaxBenefitSystem([INDIVIDU, FOYER, MENAGE])
    for variable in (nb_parents, chef, statut, age_declarant):
        system.add_variable(variable)
    return system


@pytest.fixture(scope="module")
def survey():
    return load_survey(EXAMPLE / "survey.csv", mapping=EXAMPLE / "mapping.yaml")


def test_groups_follow_the_survey_columns_within_households(system, survey):
    (foyers,) = survey_groups(survey, spec(), system)
    # survey.csv: one tax household in households 1, 2, 4, 5 and two in household 3 (persons 305-306 in the second).
    assert foyers.count == 6
    sizes = np.bincount(foyers.person_group)
    np.testing.assert_array_equal(sizes, [4, 4, 6, 2, 1, 4])
    np.testing.assert_array_equal(foyers.group_household, [0, 1, 2, 2, 3, 4])
    roles = np.array(foyers.roles)[foyers.person_role]
    assert list(roles[:4]) == ["declarant_principal", "conjoint", "personne_a_charge", "personne_a_charge"]
    # A chunk of households 3 to 5 (persons 9 to 22) renumbers groups and households from 0.
    (part,) = slice_groups((foyers,), 8, len(survey.persons), 2)
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


# ----- inputs of a group entity from survey columns -----

FOYER_COLUMNS = {"column": "group_foyer_fiscal", "role_column": "group_foyer_fiscal_role"}


def with_inputs(inputs: dict) -> CountrySpec:
    return spec(groups={"foyer_fiscal": {**FOYER_COLUMNS, "inputs": inputs}})


def test_group_inputs_follow_their_rule(system, survey):
    (foyers,) = survey_groups(survey, with_inputs({
        "chef": "group_foyer_fiscal_chef_de_famille",                                  # constant within each
        "nb_parents": {"column": "group_foyer_fiscal_parent_a_charge", "aggregate": "sum"},
        "age_declarant": {"column": "age", "aggregate": "first_of_role", "role": "declarant_principal"},
    }), system)
    # survey.csv, the column chef by tax household: households 1, 2, 3 (both) yes; 4 and 5 no.
    np.testing.assert_array_equal(foyers.inputs["chef"], [True, True, True, True, False, False])
    # Person 204 (household 2) is the only parent supported.
    np.testing.assert_array_equal(foyers.inputs["nb_parents"], [0, 1, 0, 0, 0, 0])
    # Principal declarants: 101 (35), 201 (70), 301 (40), 305 (67), 401 (25), 501 (29).
    np.testing.assert_array_equal(foyers.inputs["age_declarant"], [35, 70, 40, 67, 25, 29])
    # Sliced with their groups: households 3 to 5.
    (part,) = slice_groups((foyers,), 8, len(survey.persons), 2)
    np.testing.assert_array_equal(part.inputs["age_declarant"], [40, 67, 25, 29])


def test_a_household_column_gives_each_group_its_household_value_and_enums_are_encoded(system, survey):
    households = survey.households.assign(statut=["couple", "couple", "seul", "seul", "couple"])
    survey = type(survey)(households, survey.persons, survey.metadata)
    (foyers,) = survey_groups(survey, with_inputs({"statut": "statut"}), system)
    # Six tax households in households 1, 2, 3, 3, 4, 5; enum indices (seul 0, couple 1), encoded in the parent.
    np.testing.assert_array_equal(foyers.inputs["statut"], [1, 1, 0, 0, 0, 1])
    assert foyers.inputs["statut"].dtype == np.int16


def test_a_column_that_differs_within_a_group_names_the_file_column_groups_and_rule(system, survey):
    persons = survey.persons.copy()
    persons.loc[persons["person_id"] == 102, "group_foyer_fiscal_chef_de_famille"] = "false"  # as the mapping keeps it
    bad = type(survey)(survey.households, persons, survey.metadata, origin="survey.csv")
    with pytest.raises(ScenarioError) as raised:
        survey_groups(bad, with_inputs({"chef": "group_foyer_fiscal_chef_de_famille"}), system)
    message = str(raised.value)
    assert "groups.foyer_fiscal.inputs.chef reads column 'group_foyer_fiscal_chef_de_famille'" in message
    assert "(survey.csv)" in message and "aggregate: constant" in message
    assert "differs in 1 group(s): household 1 (persons [101, 102, 103, 104]): values [True, False, True, True]" in message


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"age_declarant": {"column": "age", "aggregate": "first_of_role", "role": "conjoint"}},
         r"first_of_role \(role 'conjoint'\), but 3 foyer_fiscal group\(s\) have no member in that role: "
         r"household 3 \(persons \[305, 306\]\); household 4 \(persons \[401\]\)"),
        ({"nb_parents": {"column": "consumption", "aggregate": "sum"}}, "a household column: aggregate: sum"),
        ({"nb_parents": {"column": "income_pension", "aggregate": "sum"}}, "a money column"),
        ({"nb_parents": "no_such_column"}, "reads column 'no_such_column', which survey"),
    ],
)
def test_group_inputs_that_cannot_be_read_are_refused(system, survey, inputs, message):
    with pytest.raises(ScenarioError, match=message):
        survey_groups(survey, with_inputs(inputs), system)


def test_money_columns_are_moved_to_the_simulated_years_prices(system, survey):
    (foyers,) = survey_groups(survey, with_inputs({"nb_parents": {"column": "income_pension", "aggregate": "sum"}}),
                              system, money_uprating=1.5)
    # Pensions: 201 has 2000 a month (household 2), 305 has 500 (household 3's second tax household).
    np.testing.assert_array_equal(foyers.inputs["nb_parents"], [0, 3000, 0, 750, 0, 0])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"age": "age"}, "inputs.age is not a variable of the package"),
        ({"nb_enfants": "age"}, "inputs.nb_enfants is not a variable of the package"),
        ({"age_declarant": {"column": "age", "aggregate": "first_of_role", "role": "chef"}},
         "role 'chef' is not a role of 'foyer_fiscal'"),
    ],
)
def test_group_inputs_that_do_not_fit_the_package_stop_the_run_before_the_workers(system, inputs, message):
    with pytest.raises(ScenarioError, match=message):
        check_groups(system, with_inputs(inputs))
