"""The group entities of any OpenFisca package, filled from a survey: who belongs to which group, in which role.

floorsim's data model has persons and households. An OpenFisca package may declare other group entities (a tax
unit such as Tunisia's ``foyer_fiscal``, France's ``famille``), each with its own roles. ``floorsim.yaml`` says how
each is read from the survey (:class:`simulations.engine.countries.GroupSpec`):

- membership: a person column (``column``) naming the person's group *within the household* (e.g. tax unit 1 or 2
  of the household); without it, each household is one group. A group is therefore always inside one household,
  which keeps chunks of whole households self-contained.
- role: a person column of role keys (``role_column``), or the person's ``relationship`` looked up in ``roles``
  (``default_role`` for relationships not listed).

The household entity's roles come from ``head_role`` / ``member_role`` / ``adult_member_role``, or, when
``household_roles`` is given, from the person's relationship (e.g. ``child: enfant``).

Everything here is computed once per survey in the parent process as integer arrays (group positions and role
codes); :func:`slice_groups` cuts them for a chunk and :func:`fill_group` sets them on a worker's population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.engine.countries import CountrySpec
from simulations.errors import ScenarioError
from surveys.model import Survey

HEAD, MEMBER, ADULT_MEMBER = 0, 1, 2


@dataclass(frozen=True)
class GroupArrays:
    """Membership of one group entity, for the whole survey or for one chunk.

    Attributes:
        entity: key of the OpenFisca group entity (e.g. ``foyer_fiscal``).
        ids: one int64 id per group (1-based group number in the survey's person order).
        person_group: for each person, the 0-based position of their group in ``ids``.
        person_role: for each person, the index of their role in ``roles``.
        roles: role keys (as in the package's ``flattened_roles``), indexed by ``person_role``.
        group_household: for each group, the 0-based position of its household (in the survey, or in the chunk).
    """

    entity: str
    ids: np.ndarray
    person_group: np.ndarray
    person_role: np.ndarray
    roles: tuple[str, ...]
    group_household: np.ndarray

    @property
    def count(self) -> int:
        return len(self.ids)


def role_keys(system: TaxBenefitSystem, entity: str) -> list[str]:
    """Keys of the roles a person can hold in ``entity`` (sub-roles replace the role they refine, as in
    OpenFisca's ``flattened_roles``)."""
    return [role.key for role in system.group_entities[_position(system, entity)].flattened_roles]


def _position(system: TaxBenefitSystem, entity: str) -> int:
    keys = [group.key for group in system.group_entities]
    if entity not in keys:
        raise ScenarioError(f"floorsim.yaml names entity '{entity}', not a group entity of the package ({keys})")
    return keys.index(entity)


def household_role_keys(spec: CountrySpec) -> list[str]:
    """The household roles, indexed by the codes of :func:`household_role_codes`."""
    if spec.household_roles:
        return list(dict.fromkeys([spec.head_role, spec.member_role, *spec.household_roles.values()]))
    return [spec.head_role, spec.member_role, spec.adult_member_role or spec.member_role]


def household_role_codes(survey: Survey, spec: CountrySpec) -> np.ndarray:
    """Each person's household role as an index into :func:`household_role_keys`.

    Without ``household_roles``: the head, then adult members (if the package has such a role) and members. With
    it: the role of the person's relationship (``head`` is always ``head_role``; relationships not listed are
    ``member_role``).
    """
    relationship = survey.persons["relationship"].to_numpy()
    is_head = relationship == "head"
    if spec.household_roles:
        keys = household_role_keys(spec)
        by_relationship = {"head": spec.head_role, **spec.household_roles}
        roles = pd.Series(relationship, dtype=object).map(by_relationship).fillna(spec.member_role)
        return pd.Index(keys).get_indexer(roles).astype(np.int16)
    codes = np.where(is_head, HEAD, MEMBER).astype(np.int16)
    if spec.adult_member_role is not None:
        codes[~is_head & (survey.persons["age"].to_numpy() >= spec.adult_age)] = ADULT_MEMBER
    return codes


def other_group_entities(system: TaxBenefitSystem, spec: CountrySpec) -> list[str]:
    """Keys of the package's group entities other than the household, in the package's order."""
    return [group.key for group in system.group_entities if group.key != spec.household_entity]


def check_groups(system: TaxBenefitSystem, spec: CountrySpec) -> None:
    """Fail before any worker starts when ``floorsim.yaml`` and the package's entities disagree.

    Raises:
        ScenarioError: a group entity of the package has no ``groups`` entry (its members and roles would be
            unknown), an entry names no entity of the package, or a role is not one of the entity's roles.
    """
    where = f"{spec.folder}/floorsim.yaml" if spec.folder else "floorsim.yaml"
    household_keys = role_keys(system, spec.household_entity)
    for key in household_role_keys(spec):
        if key not in household_keys:
            raise ScenarioError(f"{where}: household role '{key}' is not a role of entity "
                                f"'{spec.household_entity}' ({household_keys})")
    expected = other_group_entities(system, spec)
    for entity in spec.groups:
        if entity not in expected:
            raise ScenarioError(f"{where}: groups.{entity} is not a group entity of the package ({expected})")
    for entity in expected:
        if entity not in spec.groups:
            raise ScenarioError(
                f"{where}: the package has group entity '{entity}', which floorsim.yaml does not map: add "
                f"groups.{entity} (column, role_column or roles; docs/third_party_packages.md)"
            )
    for entity, group in spec.groups.items():
        keys = role_keys(system, entity)
        for role in [*group.roles.values(), group.default_role]:
            if role is not None and role not in keys:
                raise ScenarioError(f"{where}: groups.{entity}: role '{role}' is not a role of '{entity}' ({keys})")


def survey_groups(survey: Survey, spec: CountrySpec, system: TaxBenefitSystem) -> tuple[GroupArrays, ...]:
    """Membership and roles of every group entity other than the household, for the whole survey.

    Groups are numbered in order of their first member; since persons are stored household by household and a
    group never spans two households, each household's groups are a contiguous range (what chunking needs).

    Raises:
        ScenarioError: a membership or role column is missing, or holds a role the entity does not have (naming
            the column, the role and the first rows).
    """
    persons = survey.persons
    household_position = survey.person_household_index
    relationship = persons["relationship"].to_numpy()
    result = []
    for entity in other_group_entities(system, spec):
        group = spec.groups[entity]
        for column in (group.column, group.role_column):
            if column is not None and column not in persons.columns:
                raise ScenarioError(
                    f"groups.{entity} reads person column '{column}', which survey '{survey.metadata.name}' "
                    "does not have"
                )
        if group.column is None:
            person_group = household_position.astype(np.int64)
        else:
            membership = persons[group.column].astype("string").fillna("").to_numpy()
            keys = pd.MultiIndex.from_arrays([household_position, membership])
            person_group = pd.factorize(keys, sort=False)[0].astype(np.int64)
        keys = role_keys(system, entity)
        if group.role_column is not None:
            roles = persons[group.role_column].astype("string").fillna("").to_numpy()
        else:
            roles = pd.Series(relationship, dtype=object).map(group.roles).fillna(group.default_role or "").to_numpy()
        codes = pd.Index(keys).get_indexer(roles)  # -1: not a role of the entity
        if (codes < 0).any():
            bad = np.flatnonzero(codes < 0)
            source = f"column '{group.role_column}'" if group.role_column else "relationship (groups roles)"
            raise ScenarioError(
                f"groups.{entity}: {source} gives role {str(roles[bad[0]])!r} to persons "
                f"{persons['person_id'].to_numpy()[bad[:5]].tolist()}; the roles of '{entity}' are {keys}"
            )
        n_groups = int(person_group.max()) + 1 if len(person_group) else 0
        group_household = np.zeros(n_groups, dtype=np.int64)
        group_household[person_group] = household_position
        result.append(
            GroupArrays(
                entity=entity,
                ids=np.arange(1, n_groups + 1, dtype=np.int64),
                person_group=person_group,
                person_role=codes.astype(np.int16),
                roles=tuple(keys),
                group_household=group_household,
            )
        )
    return tuple(result)


def slice_groups(
    groups: tuple[GroupArrays, ...], first_person: int, last_person: int, first_household: int
) -> tuple[GroupArrays, ...]:
    """The groups of the persons ``first_person:last_person`` (whole households from ``first_household`` on),
    with positions renumbered from 0 within the chunk."""
    sliced = []
    for group in groups:
        person_group = group.person_group[first_person:last_person]
        start = int(person_group[0]) if len(person_group) else 0
        stop = int(person_group.max()) + 1 if len(person_group) else 0
        sliced.append(
            GroupArrays(
                entity=group.entity,
                ids=group.ids[start:stop],
                person_group=person_group - start,
                person_role=group.person_role[first_person:last_person],
                roles=group.roles,
                group_household=group.group_household[start:stop] - first_household,
            )
        )
    return tuple(sliced)


def fill_group(population, group: GroupArrays) -> None:
    """Set ids, count, memberships and roles of an OpenFisca group population (from ``instantiate_entities``)."""
    population.ids = group.ids
    population.count = group.count
    population.members_entity_id = group.person_group
    by_key = {role.key: role for role in population.entity.flattened_roles}
    by_code = np.array([by_key[key] for key in group.roles], dtype=object)
    # The public setter copies roles through a Python list; the array is final, so it is stored as is.
    population._members_role = by_code[group.person_role]


def group_totals(entity: str, values: np.ndarray, chunk) -> np.ndarray:
    """Values of a variable of group entity ``entity`` (one per group of ``chunk``, a
    :class:`simulations.engine.chunks.ChunkInputs`) summed over each household: Σ over the household's groups."""
    group = next(group for group in chunk.groups if group.entity == entity)
    return np.bincount(
        group.group_household, weights=np.asarray(values, dtype=np.float64), minlength=chunk.n_households
    )
