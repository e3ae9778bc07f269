"""A household for the single-household explainer: read from a YAML/JSON file or ``key=value`` flags, and checked.

A household is a list of persons with their inputs (``age`` or ``date_of_birth``, ``sex``, ``disability_severity``…)
and household inputs (``municipality``, ``household_consumption``…), given as a YAML/JSON file::

    period: 2024-03            # optional: a month, or a year for annual amounts
    household:
      municipality: Ainaro
      household_consumption: 150
    persons:
      - name: ana              # optional (default person_1, person_2...)
        role: head             # optional (default: the first person is the head; the others are members, or
                               # adult members from the package's adult age when it distinguishes them)
        age: 72
      - age: 5
        in_school: true

or built from ``key=value`` strings (``--person age=67,sex=male``). Inputs are checked with pydantic against the
package's *input variables* (variables without a formula, or with a ``set_input`` so that a formula can be
overridden): an unknown name is reported with the closest input names, a value of the wrong type with the person and
the field.

A package with other group entities (a tax household such as Tunisia's ``foyer_fiscal``) has them filled by the
rules of its ``floorsim.yaml`` (``groups``), as a survey is (``floorsim/simulations/engine/entities.py``). A person may say
which group they belong to within the household (``foyer_fiscal: 2``; default: one group for everybody), their role
in it (``foyer_fiscal_role: conjoint``) and their ``relationship`` to the head (the data model's values, read by
``household_roles`` and ``groups.ENTITY.roles``); inputs of a group go under ``groups``::

    persons:
      - {name: sami, relationship: head, age: 45, foyer_fiscal_role: declarant_principal}
      - {name: mouna, relationship: parent, age: 70, foyer_fiscal: 2, foyer_fiscal_role: declarant_principal}
    groups:
      foyer_fiscal:
        2: {nb_parents: 1}     # inputs of the tax household 2 of this household
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from openfisca_core.indexed_enums import Enum as OpenFiscaEnum
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr, ValidationError, create_model

from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.engine.entities import other_group_entities
from floorsim.simulations.engine.scenarios import scenario_system
from floorsim.simulations.engine.parameter_ranges import MAX_AGE
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.explain.json_values import jsonable
from floorsim.surveys.input_files import read_yaml_file
from floorsim.surveys.model import RELATIONSHIPS

HOUSEHOLD_ID = "household"  # the id of the household group entity in the OpenFisca situation
DEFAULT_GROUP = "1"  # a person's group within the household when the file does not say (one group for everybody)


def group_id(entity: str, key: str) -> str:
    """The id of group ``key`` of ``entity`` in the simulation and the explainer's output, e.g. ``foyer_fiscal_1``."""
    return f"{entity}_{key}"


class HouseholdError(FloorsimError, ValueError):
    """A household description, its period or a programme of the country description cannot be used."""


@dataclass(frozen=True)
class PersonInputs:
    """A validated person: its id, the role given for it in the household (``None``: decided by
    :func:`resolve_roles`), and input values (enums as member names).

    ``relationship`` (to the head, the data model's values) and, per other group entity of the package, the group
    within the household (``groups``) and the role in it (``group_roles``) when the file gives them.
    """

    name: str
    role: str | None
    inputs: dict[str, Any]
    relationship: str | None = None
    groups: dict[str, str] = field(default_factory=dict)
    group_roles: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        given = {"relationship": self.relationship} if self.relationship else {}
        for entity, key in self.groups.items():
            given[entity] = key
        for entity, role in self.group_roles.items():
            given[f"{entity}_role"] = role
        return {"name": self.name, "role": self.role, **given, **jsonable(self.inputs)}


@dataclass(frozen=True)
class HouseholdInputs:
    """A validated household: its persons, household inputs, inputs of the groups of other group entities
    (entity → group key → inputs), and the period the file asked for."""

    persons: tuple[PersonInputs, ...]
    inputs: dict[str, Any]
    period: str | None = None
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        result = {
            "period": self.period,
            "household": jsonable(self.inputs),
            "persons": [person.to_dict() for person in self.persons],
        }
        if self.groups:
            result["groups"] = jsonable(self.groups)
        return result


class _HouseholdFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Optional[str | int | datetime.date] = None
    household: dict[str, Any] = Field(default_factory=dict)
    persons: list[dict[str, Any]] = Field(min_length=1)
    groups: dict[str, dict[str | int, Optional[dict[str, Any]]]] = Field(default_factory=dict)


def input_variables(system: TaxBenefitSystem, entity: str) -> dict[str, Variable]:
    """Variables of ``entity`` a user may give: those without a formula, and those whose formula may be overridden
    (a ``set_input`` is declared, e.g. ``age`` computed from ``date_of_birth`` or given directly)."""
    return {
        name: variable
        for name, variable in sorted(system.variables.items())
        if variable.entity.key == entity and (not variable.formulas or variable.set_input is not None)
    }


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    return value


def _enum_validator(possible_values: type[OpenFiscaEnum]):
    names = {member.name.lower(): member.name for member in possible_values}
    names.update({str(member.value).lower(): member.name for member in possible_values})

    def check(value: Any) -> Any:
        if isinstance(value, OpenFiscaEnum):
            return value.name
        key = str(value).strip().lower()
        if key not in names:
            allowed = ", ".join(member.name for member in possible_values)
            raise ValueError(f"'{value}' is not one of: {allowed}")
        return names[key]

    return check


def _field_type(variable: Variable) -> Any:
    if variable.value_type == OpenFiscaEnum:
        return Annotated[str, BeforeValidator(_enum_validator(variable.possible_values))]
    if variable.value_type in (int, float):
        # Ages and severities within the data model's ranges (floorsim/surveys/model.py); every number finite: a household of
        # age -5 or a NaN income would otherwise be explained as if it meant something.
        bounds = {"age": Field(ge=0, le=MAX_AGE), "disability_severity": Field(ge=0, le=3)}.get(variable.name)
        extra = (bounds,) if bounds is not None else ()
        return Annotated[variable.value_type, BeforeValidator(_no_bool), Field(allow_inf_nan=False), *extra]
    return variable.value_type  # bool, str, datetime.date: pydantic's lax parsing (e.g. "true", "1950-02-03")


def _inputs_model(system: TaxBenefitSystem, entity: str, extra_fields: dict[str, Any]) -> type[BaseModel]:
    variables = input_variables(system, entity)
    fields = {name: (Optional[_field_type(variable)], None) for name, variable in variables.items()}
    fields.update(extra_fields)
    return create_model(f"{entity}_inputs", __config__=ConfigDict(extra="forbid"), **fields)


def _problems(error: ValidationError, where: str, known: list[str], entity: str) -> list[str]:
    messages = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "?"
        if problem["type"] == "extra_forbidden":
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            messages.append(
                f"{where}: unknown input '{name}'{hint} (inputs of a {entity}: {', '.join(known)})"
            )
        else:
            reason = problem["msg"].removeprefix("Value error, ")
            got = f" (got {problem.get('input')!r})" if str(problem.get("input")) not in reason else ""
            messages.append(f"{where}, field '{name}': {reason}{got}")
    return messages


def validate_household(raw: object, spec: CountrySpec, system: TaxBenefitSystem, source: str = "") -> HouseholdInputs:
    """Check a household description (the mapping of a YAML/JSON file named ``source``) against the package's input
    variables."""
    prefix = f"{source}: " if source else ""
    if not isinstance(raw, dict):
        raise HouseholdError(f"{prefix}a household is a mapping with 'persons' (and optionally 'household', 'period')")
    try:
        described = _HouseholdFile(**raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}" for problem in error.errors()
        )
        raise HouseholdError(f"{prefix}{problems}") from None

    group_entity = household_entity(system, spec)
    roles = tuple(role.key for role in group_entity.flattened_roles)
    others = other_group_entities(system, spec)
    membership_fields: dict[str, Any] = {"relationship": (Optional[Literal[RELATIONSHIPS]], None)}  # type: ignore[valid-type]
    for entity in others:
        entity_roles = tuple(role.key for role in _group_entity(system, entity).flattened_roles)
        membership_fields[entity] = (Optional[StrictStr | StrictInt], None)
        membership_fields[f"{entity}_role"] = (Optional[Literal[entity_roles]], None)  # type: ignore[valid-type]
    person_model = _inputs_model(
        system, spec.person_entity,
        {"name": (Optional[str], None), "role": (Optional[Literal[roles]], None), **membership_fields},
    )
    household_model = _inputs_model(system, spec.household_entity, {})
    person_known = list(input_variables(system, spec.person_entity))
    household_known = list(input_variables(system, spec.household_entity))

    messages: list[str] = []
    persons: list[tuple[str | None, str | None, dict, dict]] = []
    for number, raw_person in enumerate(described.persons, start=1):
        label = f"person {number}" + (f" ({raw_person['name']})" if raw_person.get("name") else "")
        try:
            checked = person_model(**{str(key): value for key, value in raw_person.items()})
            values = checked.model_dump(exclude_none=True)
        except ValidationError as error:
            messages.extend(_problems(error, f"{prefix}{label}", person_known, spec.person_entity))
            continue
        membership = {key: values.pop(key) for key in membership_fields if key in values}
        persons.append((values.pop("name", None), values.pop("role", None), values, membership))
    try:
        checked = household_model(**{str(key): value for key, value in described.household.items()})
        household_values = checked.model_dump(exclude_none=True)
    except ValidationError as error:
        messages.extend(_problems(error, f"{prefix}household", household_known, spec.household_entity))
        household_values = {}
    group_values = _group_inputs(system, spec, described.groups, prefix, messages)
    if messages:
        raise HouseholdError("; ".join(messages))

    names = [name or f"person_{number}" for number, (name, _, _, _) in enumerate(persons, start=1)]
    # OpenFisca takes an input for every person at once: those who did not give a variable that has a formula
    # would get its default value (an age of 0), not the formula's result. Refuse rather than mislead.
    for variable, entry in input_variables(system, spec.person_entity).items():
        given = [name for name, (_, _, values, _) in zip(names, persons) if variable in values]
        if entry.formulas and 0 < len(given) < len(persons):
            missing = [name for name in names if name not in given]
            raise HouseholdError(
                f"{prefix}'{variable}' is given for {', '.join(given)} but not for {', '.join(missing)}: as it is "
                f"otherwise computed by a formula, give it for every person or for none"
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise HouseholdError(f"{prefix}person names must be distinct: {', '.join(duplicates)} used more than once")
    check_role_counts(group_entity, {name: role for name, (_, role, _, _) in zip(names, persons)}, prefix)
    members = [
        PersonInputs(
            name=name, role=role, inputs=values, relationship=membership.get("relationship"),
            groups={entity: str(membership[entity]) for entity in others if entity in membership},
            group_roles={entity: membership[f"{entity}_role"] for entity in others if f"{entity}_role" in membership},
        )
        for name, (_, role, values, membership) in zip(names, persons)
    ]
    _check_group_keys(system, members, group_values, prefix)
    period = None if described.period is None else str(described.period)
    return HouseholdInputs(persons=tuple(members), inputs=household_values, period=period, groups=group_values)


def _group_entity(system: TaxBenefitSystem, key: str):
    return next(entity for entity in system.group_entities if entity.key == key)


def _group_inputs(
    system: TaxBenefitSystem, spec: CountrySpec, raw: dict, prefix: str, messages: list[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """The file's ``groups`` section checked: entity → group key → inputs of the entity (problems to ``messages``)."""
    others = other_group_entities(system, spec)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for entity, groups in raw.items():
        if entity not in others:
            messages.append(f"{prefix}groups.{entity}: not a group entity of the package other than the household "
                            f"(those are: {', '.join(others) or 'none'})")
            continue
        model = _inputs_model(system, entity, {})
        known = list(input_variables(system, entity))
        result[entity] = {}
        for key, inputs in groups.items():
            try:
                checked = model(**{str(name): value for name, value in (inputs or {}).items()})
            except ValidationError as error:
                messages.extend(_problems(error, f"{prefix}groups.{entity}.{key}", known, entity))
                continue
            result[entity][str(key)] = checked.model_dump(exclude_none=True)
    return result


def _check_group_keys(
    system: TaxBenefitSystem, persons: list[PersonInputs], groups: dict[str, dict[str, dict]], prefix: str
) -> None:
    """Inputs given for a group nobody belongs to would be silently lost: refuse them; and as for persons, an input
    with a formula is given for every group of its entity or for none."""
    for entity, inputs in groups.items():
        used = sorted({person.groups.get(entity, DEFAULT_GROUP) for person in persons})
        for key in inputs:
            if key not in used:
                raise HouseholdError(
                    f"{prefix}groups.{entity}.{key}: no person belongs to {entity} '{key}' (persons belong to "
                    f"{', '.join(used)}; say so with '{entity}: {key}' on a person)"
                )
        names = {name for values in inputs.values() for name in values}
        for name in sorted(names):
            given = [key for key in used if name in inputs.get(key, {})]
            if system.variables[name].formulas and 0 < len(given) < len(used):
                missing = [key for key in used if key not in given]
                raise HouseholdError(
                    f"{prefix}groups.{entity}: '{name}' is given for {entity} {', '.join(given)} but not for "
                    f"{', '.join(missing)}: as it is otherwise computed by a formula, give it for every {entity} "
                    "or for none"
                )


def parse_assignments(text: str, flag: str) -> dict[str, str]:
    """``"age=67,sex=male"`` → ``{"age": "67", "sex": "male"}`` (values are parsed later, by the input's type)."""
    result: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise HouseholdError(
                f"{flag} '{text}': expected NAME=VALUE pairs separated by commas, e.g. age=67,sex=male"
            )
        result[name.strip()] = value.strip()
    return result


def read_household_file(path: str | Path) -> dict:
    """The raw mapping of a YAML or JSON household file."""
    path = Path(path)
    if not path.is_file():
        raise HouseholdError(f"household file not found: {path}")
    raw = read_yaml_file(path, error=HouseholdError)  # YAML is a superset of JSON
    if not isinstance(raw, dict):
        raise HouseholdError(
            f"{path}: a household file is a mapping with 'persons' (and optionally 'household', 'period')"
        )
    return raw


def load_household(
    country: str,
    path: str | Path | None = None,
    persons: Sequence[str] = (),
    household: Sequence[str] = (),
) -> HouseholdInputs:
    """A validated household from a file and/or flags: ``persons`` strings add persons after the file's, and
    ``household`` strings set household inputs (over the file's)."""
    spec = load_country(country)
    system = scenario_system(country, ())
    raw: dict = read_household_file(path) if path is not None else {}
    source = str(path) if path is not None else ""
    extra_persons = [parse_assignments(text, "--person") for text in persons]
    extra_household: dict[str, str] = {}
    for text in household:
        extra_household.update(parse_assignments(text, "--household"))
    if extra_persons or extra_household:
        raw = {**raw, "persons": [*(raw.get("persons") or []), *extra_persons]}
        raw["household"] = {**(raw.get("household") or {}), **extra_household}
    if not raw.get("persons"):
        raise HouseholdError("describe the household: give a FILE or at least one --person, e.g. --person age=67")
    return validate_household(raw, spec, system, source)


def household_entity(system: TaxBenefitSystem, spec: CountrySpec):
    """The OpenFisca group entity floorsim uses as the household."""
    entity = next((entity for entity in system.group_entities if entity.key == spec.household_entity), None)
    if entity is None:
        raise HouseholdError(f"country '{spec.name}' has no group entity '{spec.household_entity}'")
    return entity


def check_role_counts(entity, roles: dict[str, str | None], prefix: str = "", unit: str = "household") -> None:
    """Refuse more persons in a role than the group entity allows (e.g. two heads); ``prefix`` names the file,
    ``unit`` the group (the household, or e.g. ``foyer_fiscal '1'``)."""
    for role in entity.flattened_roles:
        holders = [name for name, key in roles.items() if key == role.key]
        if role.max is not None and len(holders) > role.max:
            raise HouseholdError(
                f"{prefix}a {unit} has at most {role.max} '{role.key}'; {', '.join(holders)} are all '{role.key}'"
            )
