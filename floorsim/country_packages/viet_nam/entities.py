"""Entities of the Viet Nam package: persons, grouped into households.

The monthly social allowance and the social pension are paid to persons; poverty and near-poverty status
(Decree 07/2021/NĐ-CP) and residence in an especially difficult commune are properties of the household. The head
is a role of its own because the single-parent allowance (Decree 20/2021 Art. 5(4)) is read from the head's
household: the head without a spouse in the household raising their children.
"""

from openfisca_core.entities import build_entity

Household = build_entity(
    key="household",
    plural="households",
    label="Household: people who live together and share meals and income",
    doc="The survey household; its poverty status is certified by the commune (Decree 07/2021/NĐ-CP).",
    roles=[
        {"key": "head", "plural": "heads", "label": "Head of household", "max": 1},
        {"key": "member", "plural": "other_members", "label": "Other member of the household"},
    ],
)

Person = build_entity(
    key="person",
    plural="persons",
    label="Person",
    doc="An individual, the unit to which the monthly social allowance and the social pension are paid.",
    is_person=True,
)

entities = [Household, Person]
