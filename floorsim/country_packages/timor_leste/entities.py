"""Entities of the Timor-Leste package: persons, grouped into households.

Benefits of Timor-Leste are paid to persons (SAII) or to households on behalf of their children (Bolsa da Mãe),
so two entities suffice. The household head is a role of its own because household-level benefits are paid to
(and some conditions refer to) the head.
"""

from openfisca_core.entities import build_entity

Household = build_entity(
    key="household",
    plural="households",
    label="Household: people who live together and share meals",
    doc="The survey household. Household benefits are summed over members or paid once per household.",
    roles=[
        {"key": "head", "plural": "heads", "label": "Head of household", "max": 1},
        {"key": "member", "plural": "other_members", "label": "Other member of the household"},
    ],
)

Person = build_entity(
    key="person",
    plural="persons",
    label="Person",
    doc="An individual, the unit to which the SAII and most eligibility conditions apply.",
    is_person=True,
)

entities = [Household, Person]
