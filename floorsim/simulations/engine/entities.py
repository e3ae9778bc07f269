"""The group entities of any OpenFisca package, filled from a survey: who belongs to which group, in which role.

floorsim's data model has persons and households. An OpenFisca package may declare other group entities (a tax
unit such as Tunisia's ``foyer_fiscal``, France's ``famille``), each with its own roles. ``floorsim.yaml`` says how
each is read from the survey (:class:`floorsim.simulations.engine.countries.GroupSpec`):

- membership: a person column (``column``) naming the person's group *within the household* (e.g. tax unit 1 or 2
  of the household); without it, each household is one group. A group is therefore always inside one household,
  which keeps chunks of whole households self-contained.
- role: a person column of role keys (``role_column``), or the person's ``relationship`` looked up in ``roles``
  (``default_role`` for relationships not listed).

The household entity's roles come from ``head_role`` / ``member_role`` / ``adult_member_role``, or, when
``household_roles`` is given, from the person's relationship (e.g. ``child: enfant``).

- inputs: variables of the entity read from survey columns (``groups.ENTITY.inputs``), one value per group:
  the value every member carries (checked), the sum over members, or the value of the first member in a role.

Everything here is computed once per survey in the parent process as arrays (group positions, role codes, group
inputs); :func:`slice_groups` cuts them for a chunk and :func:`fill_group` sets them on a worker's population. The
rules that turn relationships and role values into roles (:func:`household_roles_by_relationship`,
:func:`member_roles`) and members into groups (:func:`group_positions`) serve the single-household explainer too
(``floorsim/simulations/explain/situation.py``).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openfisca_core.indexed_enums import Enum
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec, GroupInput, GroupSpec
from floorsim.simulations.errors import ScenarioError
from floorsim.surveys.model import Survey, is_money_column

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
        inputs: input variable of the entity → one value per group (enums encoded as indices).
    """

    entity: str
    ids: np.ndarray
    person_group: np.ndarray
    person_role: np.ndarray
    roles: tuple[str, ...]
    group_household: np.ndarray
    inputs: dict[str, np.ndarray] = field(default_factory=dict)

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


def household_roles_by_relationship(spec: CountrySpec) -> dict[str, str]:
    """The household role of each relationship when ``household_roles`` is given (``head`` is always
    ``head_role``; relationships not listed are ``member_role``); empty when roles follow age instead."""
    return {"head": spec.head_role, **spec.household_roles} if spec.household_roles else {}


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
        by_relationship = household_roles_by_relationship(spec)
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
            unknown), an entry names no entity of the package, a role is not one of the entity's roles, or a group
            input is not an input variable of its entity (or is a date, which month segments cannot see).
    """
    where = _where(spec)
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
        declared = [*group.roles.values(), group.default_role, *(rule.role for rule in group.inputs.values())]
        for role in declared:
            if role is not None and role not in keys:
                raise ScenarioError(f"{where}: groups.{entity}: role '{role}' is not a role of '{entity}' ({keys})")
        for name in group.inputs:
            variable = system.variables.get(name)
            if variable is None:
                raise ScenarioError(f"{where}: groups.{entity}.inputs.{name} is not a variable of the package")
            if variable.entity.key != entity:
                raise ScenarioError(f"{where}: groups.{entity}.inputs.{name} is a variable of entity "
                                    f"'{variable.entity.key}', not of '{entity}'")
            if variable.value_type is datetime.date:
                raise ScenarioError(f"{where}: groups.{entity}.inputs.{name} is a date: map dates to person inputs")


def _where(spec: CountrySpec) -> str:
    return f"{spec.folder}/floorsim.yaml" if spec.folder else "floorsim.yaml"


def group_positions(household_position: np.ndarray, membership: np.ndarray | None) -> np.ndarray:
    """Each person's group as a 0-based position, groups numbered in order of their first member.

    ``membership`` names the person's group *within their household* (any values: 1, 2 or names); ``None`` makes
    each household one group. A group is identified by (household, membership), so it never spans two households.
    """
    if membership is None:  # household positions are already 0, 1, ... in person order
        return np.asarray(household_position).astype(np.int64)
    keys = pd.MultiIndex.from_arrays([np.asarray(household_position), np.asarray(membership)])
    return pd.factorize(keys, sort=False)[0].astype(np.int64)


def member_roles(group: GroupSpec, relationship: np.ndarray, role_values: np.ndarray | None) -> np.ndarray:
    """Each person's role key in a group entity (strings; ``""`` where none is known).

    The value of the entity's role column when it has one (``role_values``, one per person), else the person's
    ``relationship`` looked up in ``roles`` (``default_role`` for relationships not listed).
    """
    if group.role_column is not None:
        if role_values is None:
            raise ValueError("role_values are needed: the entity's roles come from a role column")
        return np.asarray(pd.Series(role_values, dtype="string").fillna(""), dtype=object)
    mapped = pd.Series(np.asarray(relationship), dtype=object).map(group.roles)
    return mapped.fillna(group.default_role or "").to_numpy(dtype=object)


def survey_groups(
    survey: Survey, spec: CountrySpec, system: TaxBenefitSystem, money_uprating: float | None = None
) -> tuple[GroupArrays, ...]:
    """Membership, roles and inputs of every group entity other than the household, for the whole survey.

    Groups are numbered in order of their first member; since persons are stored household by household and a
    group never spans two households, each household's groups are a contiguous range (what chunking needs).
    Group inputs from money columns are multiplied by ``money_uprating`` (the simulated year's prices over the
    survey's, as person and household inputs are); without it, a money column cannot feed a group input.

    Raises:
        ScenarioError: a membership, role or input column is missing; a role the entity does not have (naming the
            column, the role and the first persons); a group input column that breaks its aggregation rule
            (:func:`group_input_values`).
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
        for name, rule in group.inputs.items():
            if rule.column not in persons.columns and rule.column not in survey.households.columns:
                raise ScenarioError(
                    f"{_where(spec)}: groups.{entity}.inputs.{name} reads column '{rule.column}', which survey "
                    f"'{survey.metadata.name}' has in neither its persons nor its households"
                )
        membership = None if group.column is None else persons[group.column].astype("string").fillna("").to_numpy()
        person_group = group_positions(household_position, membership)
        keys = role_keys(system, entity)
        role_values = None if group.role_column is None else persons[group.role_column].to_numpy()
        roles = member_roles(group, relationship, role_values)
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
        arrays = GroupArrays(
            entity=entity,
            ids=np.arange(1, n_groups + 1, dtype=np.int64),
            person_group=person_group,
            person_role=codes.astype(np.int16),
            roles=tuple(keys),
            group_household=group_household,
        )
        inputs = {
            name: group_input_values(survey, spec, system, arrays, name, rule, money_uprating)
            for name, rule in group.inputs.items()
        }
        result.append(dataclasses.replace(arrays, inputs=inputs))
    return tuple(result)


def group_input_values(
    survey: Survey, spec: CountrySpec, system: TaxBenefitSystem, groups: GroupArrays, name: str, rule: GroupInput,
    money_uprating: float | None = None,
) -> np.ndarray:
    """One value per group of ``groups`` for the group input ``name``, from its survey column by ``rule``, as
    OpenFisca stores the variable (its dtype; enum member names as indices, encoded once here in the parent).

    The column's values are first read as the variable's type (``group_<name>`` columns are kept as text by the
    survey mapping: ``true``/``false``, ``1``/``0`` for yes/no, numbers for numbers). ``constant``: the value the
    members carry (a household column is constant within groups by construction); ``sum``: Σ of the members'
    values; ``first_of_role``: the value of the first member in ``rule.role``. Numbers are then multiplied by
    ``rule.scale`` (and by ``money_uprating`` for money columns).

    Raises:
        ScenarioError: naming floorsim.yaml, the column, the rule and the first offending groups (household id and
            person ids): values that differ within a group (``constant``), a group without a member in the role
            (``first_of_role``), ``sum``/``first_of_role`` on a household column, a money column without
            ``money_uprating``, or values that are not of the variable's type.
    """
    variable = system.variables[name]
    entity, column = groups.entity, rule.column
    where = (f"{_where(spec)}: groups.{entity}.inputs.{name} reads column '{column}' of survey "
             f"'{survey.metadata.name}' ({survey.origin})")
    person_ids = survey.persons["person_id"].to_numpy()
    household_ids = survey.households["household_id"].to_numpy()
    if column not in survey.persons.columns:  # a household column: each group takes its household's value
        if rule.aggregate != "constant":
            raise ScenarioError(f"{where}, a household column: aggregate: {rule.aggregate} needs a person column")
        values = _typed(survey.households[column].to_numpy(), variable, where)[groups.group_household]
    else:
        members = _typed(survey.persons[column].to_numpy(), variable, where)
        if rule.aggregate == "sum":
            values = np.bincount(groups.person_group, weights=members.astype(np.float64), minlength=groups.count)
        elif rule.aggregate == "first_of_role":
            holders = np.flatnonzero(groups.person_role == groups.roles.index(rule.role))
            with_holder, first_holder = np.unique(groups.person_group[holders], return_index=True)
            first = np.full(groups.count, -1, dtype=np.int64)
            first[with_holder] = holders[first_holder]  # persons are in survey order: the first holder
            missing = np.flatnonzero(first < 0)
            if len(missing):
                shown = [_describe_group(household_ids, person_ids, groups, g) for g in missing[:3]]
                raise ScenarioError(
                    f"{where} with aggregate: first_of_role (role '{rule.role}'), but {len(missing)} {entity} "
                    f"group(s) have no member in that role: {'; '.join(shown)}"
                )
            values = members[first]
        else:
            _, first_member = np.unique(groups.person_group, return_index=True)  # groups are 0 .. count-1
            values = members[first_member]
            differs = pd.Series(members).ne(values[groups.person_group]) & ~(
                pd.isna(members) & pd.isna(values[groups.person_group])
            )
            bad = np.unique(groups.person_group[differs.to_numpy()])
            if len(bad):
                shown = []
                for g in bad[:3]:
                    found = members[groups.person_group == g]
                    shown.append(f"{_describe_group(household_ids, person_ids, groups, g)}: values "
                                 f"{[_plain(v) for v in found]}")
                raise ScenarioError(
                    f"{where}, which must be constant within each {entity} (aggregate: constant), but it differs "
                    f"in {len(bad)} group(s): {'; '.join(shown)}. Give one value per {entity}, or declare "
                    "aggregate: sum or first_of_role"
                )
    if is_money_column(column):
        if money_uprating is None:
            raise ScenarioError(f"{where}, a money column: the engine cannot move it to the simulated year's prices "
                                "here; map it to a person input and let the package add it up")
        values = values.astype(np.float64) * money_uprating
    if rule.scale != 1.0:
        values = values * rule.scale
    if variable.value_type is Enum:
        from floorsim.simulations.engine.chunks import encode_input  # the one encoder; chunks imports this module at load

        return encode_input(variable, pd.Series(values, dtype=object))
    return np.asarray(values).astype(variable.dtype)


_YES_NO = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False, "yes": True, "no": False}


def _typed(values: np.ndarray, variable, where: str) -> np.ndarray:
    """A column's values as the type of ``variable``: yes/no for booleans, numbers for numbers, as they are else."""
    if variable.value_type is bool and values.dtype != bool:
        text = pd.Series(values, dtype="string").str.strip().str.lower()
        typed = text.map(_YES_NO)
        if typed.isna().any():
            raise ScenarioError(f"{where}: values {sorted(set(text[typed.isna()].astype(str)))[:5]} are not yes/no "
                                "(true/false, 1/0)")
        return typed.to_numpy(dtype=bool)
    if variable.value_type in (int, float) and values.dtype.kind not in "biuf":
        numbers = pd.to_numeric(pd.Series(values), errors="coerce")
        if numbers.isna().any():
            raise ScenarioError(f"{where}: values {sorted(set(map(str, values[numbers.isna().to_numpy()])))[:5]} "
                                "are not numbers")
        return numbers.to_numpy(dtype=np.float64)
    return values


def _describe_group(household_ids: np.ndarray, person_ids: np.ndarray, groups: GroupArrays, group: int) -> str:
    members = np.flatnonzero(groups.person_group == group)
    return (f"household {_plain(household_ids[groups.group_household[group]])} "
            f"(persons {[_plain(person_ids[i]) for i in members]})")


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


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
                inputs={name: values[start:stop] for name, values in group.inputs.items()},
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
    :class:`floorsim.simulations.engine.chunks.ChunkInputs`) summed over each household: Σ over the household's groups."""
    group = next(group for group in chunk.groups if group.entity == entity)
    return np.bincount(
        group.group_household, weights=np.asarray(values, dtype=np.float64), minlength=chunk.n_households
    )
