"""One household through every programme of a country package: amounts, eligibility and why ("single window").

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

The household is simulated with OpenFisca's documented builder (``SimulationBuilder.build_from_entities``; speed is
irrelevant for one household), once per programme of ``floorsim.yaml`` and per scenario (the baseline and each
reform), with OpenFisca's tracer on. The explanation of a programme is read from the trace: the values of the
variables and parameters its formula used, down to a readable depth, and a verdict per person (person programmes)
or for the household: paid, not paid — with the yes/no factors that were false — or no rule in force at the date.
A programme of ``floorsim.yaml`` may list ``conditions`` (variables); when it does, verdicts are stated with them.

For a year, amounts are the sum of the twelve months and values that change within the year are shown by month
ranges. Nothing here prints: :class:`HouseholdReport` has ``to_dict()`` for JSON and the ``format_*`` helpers give
text for any front end.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import numpy as np
import yaml
from openfisca_core import periods
from openfisca_core.errors import SituationParsingError, VariableNotFoundError
from openfisca_core.indexed_enums import Enum as OpenFiscaEnum
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.periods import DateUnit, Period
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.taxscales import TaxScaleLike
from openfisca_core.tracers import TraceNode, TracingParameterNodeAtInstant
from openfisca_core.variables import Variable
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from simulations.engine.countries import CountrySpec, Programme, load_country
from simulations.errors import FloorsimError
from simulations.engine.parameters import latest_value_date
from simulations.engine.reforms import ReformSpec
from simulations.engine.scenarios import make_scenario, scenario_system

BASELINE = "baseline"
HOUSEHOLD_ID = "household"
DEFAULT_DEPTH = 2


class HouseholdError(FloorsimError, ValueError):
    """A household description, its period or a programme of the country description cannot be used."""


# ----- the household description -----


@dataclass(frozen=True)
class PersonInputs:
    """A validated person: its id, the role given for it in the household (``None``: decided by
    :func:`resolve_roles`), and input values (enums as member names)."""

    name: str
    role: str | None
    inputs: dict[str, Any]


@dataclass(frozen=True)
class HouseholdInputs:
    """A validated household: its persons, household inputs, and the period the file asked for."""

    persons: tuple[PersonInputs, ...]
    inputs: dict[str, Any]
    period: str | None = None

    def to_dict(self) -> dict:
        return {
            "period": self.period,
            "household": _jsonable(self.inputs),
            "persons": [{"name": p.name, "role": p.role, **_jsonable(p.inputs)} for p in self.persons],
        }


class _HouseholdFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Optional[str | int | datetime.date] = None
    household: dict[str, Any] = Field(default_factory=dict)
    persons: list[dict[str, Any]] = Field(min_length=1)


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
        return Annotated[variable.value_type, BeforeValidator(_no_bool)]
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
    person_model = _inputs_model(
        system, spec.person_entity, {"name": (Optional[str], None), "role": (Optional[Literal[roles]], None)}
    )
    household_model = _inputs_model(system, spec.household_entity, {})
    person_known = list(input_variables(system, spec.person_entity))
    household_known = list(input_variables(system, spec.household_entity))

    messages: list[str] = []
    persons: list[tuple[str | None, str | None, dict]] = []
    for number, raw_person in enumerate(described.persons, start=1):
        label = f"person {number}" + (f" ({raw_person['name']})" if raw_person.get("name") else "")
        try:
            checked = person_model(**{str(key): value for key, value in raw_person.items()})
            values = checked.model_dump(exclude_none=True)
        except ValidationError as error:
            messages.extend(_problems(error, f"{prefix}{label}", person_known, spec.person_entity))
            continue
        persons.append((values.pop("name", None), values.pop("role", None), values))
    try:
        checked = household_model(**{str(key): value for key, value in described.household.items()})
        household_values = checked.model_dump(exclude_none=True)
    except ValidationError as error:
        messages.extend(_problems(error, f"{prefix}household", household_known, spec.household_entity))
        household_values = {}
    if messages:
        raise HouseholdError("; ".join(messages))

    names = [name or f"person_{number}" for number, (name, _, _) in enumerate(persons, start=1)]
    # OpenFisca takes an input for every person at once: those who did not give a variable that has a formula
    # would get its default value (an age of 0), not the formula's result. Refuse rather than mislead.
    for variable, entry in input_variables(system, spec.person_entity).items():
        given = [name for name, (_, _, values) in zip(names, persons) if variable in values]
        if entry.formulas and 0 < len(given) < len(persons):
            missing = [name for name in names if name not in given]
            raise HouseholdError(
                f"{prefix}'{variable}' is given for {', '.join(given)} but not for {', '.join(missing)}: as it is "
                f"otherwise computed by a formula, give it for every person or for none"
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise HouseholdError(f"{prefix}person names must be distinct: {', '.join(duplicates)} used more than once")
    _check_role_counts(group_entity, {name: role for name, (_, role, _) in zip(names, persons)}, prefix)
    members = [PersonInputs(name=name, role=role, inputs=values) for name, (_, role, values) in zip(names, persons)]
    period = None if described.period is None else str(described.period)
    return HouseholdInputs(persons=tuple(members), inputs=household_values, period=period)


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except (yaml.YAMLError, ValueError) as error:
        raise HouseholdError(f"{path}: not valid YAML/JSON: {error}") from None
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


def _check_role_counts(entity, roles: dict[str, str | None], prefix: str = "") -> None:
    for role in entity.flattened_roles:
        holders = [name for name, key in roles.items() if key == role.key]
        if role.max is not None and len(holders) > role.max:
            raise HouseholdError(
                f"{prefix}a household has at most {role.max} '{role.key}'; {', '.join(holders)} are all '{role.key}'"
            )


def resolve_roles(
    system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, period: Period
) -> dict[str, str]:
    """Each person's role: the one given; else the head role for the first person when nobody was given it; else
    the adult member role (if the package has one, ``adult_member_role`` in floorsim.yaml) for persons whose ``age``
    at the start of ``period`` is at least ``adult_age``, and the member role for the others."""
    roles = {person.name: person.role for person in household.persons}
    if spec.head_role not in roles.values():
        first = next((name for name, role in roles.items() if role is None), None)
        if first is not None:
            roles[first] = spec.head_role
    adult_role = getattr(spec, "adult_member_role", None)
    age = system.variables.get("age")
    if adult_role and None in roles.values() and age is not None and age.entity.key == spec.person_entity:
        provisional = {name: role or spec.member_role for name, role in roles.items()}
        simulation = build_simulation(system, spec, household, period, provisional)
        ages = simulation.calculate("age", _condition_period(system, "age", _months(period)[0]))
        adult_age = getattr(spec, "adult_age", 18)
        for (name, role), years in zip(list(roles.items()), ages):
            if role is None:
                roles[name] = adult_role if years >= adult_age else spec.member_role
    resolved = {name: role or spec.member_role for name, role in roles.items()}
    _check_role_counts(household_entity(system, spec), resolved)
    return resolved


# ----- periods -----


def default_period(system: TaxBenefitSystem, today: datetime.date | None = None) -> Period:
    """The current month, in the latest year for which the package has legislation (dated parameter values)."""
    today = today or datetime.date.today()
    latest = latest_value_date(system.parameters)
    year = min(today.year, latest.year) if latest else today.year
    return periods.period(f"{year}-{today.month:02d}")


def parse_period(value: object, system: TaxBenefitSystem, today: datetime.date | None = None) -> Period:
    """A month (``2025-03``; a date means its month) or a year (``2025``); ``None``: :func:`default_period`."""
    if value is None or value == "":
        return default_period(system, today)
    try:
        period = periods.period(str(value).strip())
    except Exception:  # OpenFisca raises PeriodError, its date parser ParserError
        period = None
    if period is None or period.unit not in (DateUnit.DAY, DateUnit.MONTH, DateUnit.YEAR) or period.size != 1:
        raise HouseholdError(f"invalid period '{value}': give a month (2025-03) or a year (2025)")
    if period.unit == DateUnit.DAY:
        period = period.first_month
    return period


def _months(period: Period) -> list[Period]:
    return list(period.get_subperiods(DateUnit.MONTH)) if period.unit == DateUnit.YEAR else [period]


# ----- simulation -----


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, np.datetime64)):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6)
    return value


def _input_periods(variable: Variable, period: Period) -> list[str]:
    months = _months(period)
    if variable.definition_period == DateUnit.ETERNITY:
        return ["ETERNITY"]
    if variable.definition_period == DateUnit.YEAR:
        return sorted({str(month.this_year) for month in months})
    if variable.definition_period == DateUnit.MONTH:
        return [str(month) for month in months]
    return [str(period)]


def build_simulation(
    system: TaxBenefitSystem,
    spec: CountrySpec,
    household: HouseholdInputs,
    period: Period,
    roles: dict[str, str] | None = None,
) -> Simulation:
    """A simulation of the household with its inputs set for every month of ``period`` (documented builder path);
    ``roles`` by person name (default: :func:`resolve_roles`)."""
    group_entity = household_entity(system, spec)
    plural_role = {role.key: role.plural or role.key for role in group_entity.flattened_roles}
    roles = roles if roles is not None else resolve_roles(system, spec, household, period)

    def values(inputs: dict[str, Any]) -> dict:
        result = {}
        for name, value in inputs.items():
            variable = system.get_variable(name, check_existence=True)
            result[name] = {key: value for key in _input_periods(variable, period)}
        return result

    group: dict[str, Any] = {}
    for person in household.persons:
        group.setdefault(plural_role[roles[person.name]], []).append(person.name)
    group.update(values(household.inputs))
    situation = {
        system.person_entity.plural: {person.name: values(person.inputs) for person in household.persons},
        group_entity.plural: {HOUSEHOLD_ID: group},
    }
    try:
        return SimulationBuilder().build_from_entities(system, situation)
    except SituationParsingError as error:
        raise HouseholdError(f"OpenFisca refused the household: {error.error}") from None


class _ScaleTracingNode(TracingParameterNodeAtInstant):
    """OpenFisca's parameter tracer, also recording scales (e.g. age supplements by age bracket), which it skips."""

    def get_traced_child(self, child, key):
        if isinstance(child, TaxScaleLike) and isinstance(key, str):
            node = self.parameter_node_at_instant
            name = ".".join(part for part in (node._name, key) if part)
            self.tracer.record_parameter_access(name, node._instant_str, child)
            return child
        traced = super().get_traced_child(child, key)
        if type(traced) is TracingParameterNodeAtInstant:
            return _ScaleTracingNode(traced.parameter_node_at_instant, self.tracer)
        return traced


def _traced(simulation: Simulation) -> Simulation:
    simulation.trace = True
    system = simulation.tax_benefit_system
    simulation.trace_parameters_at_instant = lambda instant: _ScaleTracingNode(  # type: ignore[method-assign]
        system.get_parameters_at_instant(instant), simulation.tracer
    )
    return simulation


# ----- explanation data -----


@dataclass
class Factor:
    """A variable or parameter a programme's formula used, with its values.

    ``values`` is a list of ``{"period": ..., "value": ...}`` runs (one per range of months with the same value).
    A person variable's value is ``{person: value}``; a household variable's or a parameter's is a single value (a
    scale's: its brackets). ``parent`` is the variable whose formula used it (``None``: the programme itself).
    """

    kind: Literal["variable", "parameter"]
    name: str
    label: str
    depth: int
    parent: str | None
    entity: str | None
    values: list[dict] = field(default_factory=list)


@dataclass
class Verdict:
    """Why a person (person programmes) or the household got what it got over a range of months.

    ``status``: ``paid``, ``not_paid`` or ``not_in_force`` (no rule of the programme applies at that date).
    ``amount`` is per month (per year for yearly programmes). ``because`` lists the yes/no factors that decided:
    those that were true when paid, false when not (or, lacking any, numeric factors that were zero).
    """

    period: str
    member: str
    status: Literal["paid", "not_paid", "not_in_force"]
    amount: float
    amount_per: str = "month"
    because: list[dict] = field(default_factory=list)
    note: str = ""


@dataclass
class ProgrammeResult:
    """One programme for the household under one scenario."""

    name: str
    label: str
    variable: str
    entity: str
    amount: float  # household total over the period (months summed for a year)
    amounts: dict[str, float]  # by person (person programmes) or {"household": total}
    applies: bool
    verdicts: list[Verdict]
    factors: list[Factor]
    conditions: list[str] = field(default_factory=list)
    defaults_used: dict[str, Any] = field(default_factory=dict)  # inputs the formulas read but nobody gave


@dataclass
class ScenarioResult:
    """Every programme for the household under one scenario (``baseline`` or a reform)."""

    name: str
    label: str
    programmes: list[ProgrammeResult]

    @property
    def total(self) -> float:
        return float(sum(programme.amount for programme in self.programmes))


@dataclass
class HouseholdReport:
    """The single-window result: the household, the period and one :class:`ScenarioResult` per scenario."""

    country: str
    country_label: str
    currency: str
    period: str
    period_unit: Literal["month", "year"]
    household: HouseholdInputs
    roles: dict[str, str]  # by person name, as simulated
    scenarios: list[ScenarioResult]
    depth: int

    def scenario(self, name: str) -> ScenarioResult:
        return next(scenario for scenario in self.scenarios if scenario.name == name)

    @property
    def defaults_used(self) -> dict[str, Any]:
        """Inputs read by some programme's formulas but not given (for some or all persons): their default values
        were used. Worth checking: e.g. a household consumption of 0 passes a poverty test."""
        found: dict[str, Any] = {}
        for scenario in self.scenarios:
            for programme in scenario.programmes:
                found.update(programme.defaults_used)
        return dict(sorted(found.items()))

    def to_dict(self) -> dict:
        baseline = self.scenarios[0]
        return _jsonable(
            {
                "country": self.country,
                "country_label": self.country_label,
                "currency": self.currency,
                "period": self.period,
                "period_unit": self.period_unit,
                "amounts_are": "sum over the months of the year" if self.period_unit == "year" else "for the month",
                "explanation_depth": self.depth,
                "defaults_used": self.defaults_used,
                "household": {
                    **self.household.to_dict(),
                    "persons": [
                        {**person, "role": self.roles[person["name"]]} for person in self.household.to_dict()["persons"]
                    ],
                },
                "scenarios": {
                    scenario.name: {
                        "label": scenario.label,
                        "total": scenario.total,
                        "programmes": {programme.name: asdict(programme) for programme in scenario.programmes},
                    }
                    for scenario in self.scenarios
                },
                "changes": {
                    scenario.name: {
                        "total": scenario.total - baseline.total,
                        "programmes": {
                            programme.name: programme.amount - base.amount
                            for programme, base in zip(scenario.programmes, baseline.programmes)
                        },
                    }
                    for scenario in self.scenarios[1:]
                },
            }
        )


# ----- analysis of one programme -----


def _plain(value: Any) -> Any:
    """Trace values as plain Python: enums as names, dates as ISO strings, scales as bracket lists."""
    if isinstance(value, EnumArray):
        return [str(item) for item in value.decode_to_str()]
    if isinstance(value, TaxScaleLike):
        amounts = getattr(value, "amounts", None)
        key, column = ("amount", amounts) if amounts is not None else ("rate", getattr(value, "rates", []))
        return [{"threshold": _jsonable(t), key: _jsonable(a)} for t, a in zip(value.thresholds, column)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return [str(item) for item in value.astype("datetime64[D]")]
        return _jsonable(value.tolist())
    return _jsonable(value)


@dataclass
class _Traced:
    kind: Literal["variable", "parameter"]
    name: str
    depth: int
    parent: str | None
    value: Any  # plain: list over the entity's members for variables


def _flatten(root: TraceNode, max_depth: int) -> list[_Traced]:
    """Variables and parameters under ``root`` down to ``max_depth``, each once (first use), depth-first."""
    seen: set[tuple[str, str]] = set()
    found: list[_Traced] = []

    def visit(node: TraceNode, depth: int) -> None:
        if depth + 1 > max_depth:
            return
        parent = None if node is root else node.name
        for child in node.children:
            if ("variable", child.name) in seen:
                continue
            seen.add(("variable", child.name))
            found.append(_Traced("variable", child.name, depth + 1, parent, _plain(child.value)))
            visit(child, depth + 1)
        for parameter in node.parameters:
            if ("parameter", parameter.name) in seen:
                continue
            seen.add(("parameter", parameter.name))
            found.append(_Traced("parameter", parameter.name, depth + 1, parent, _plain(parameter.value)))

    visit(root, 0)
    return _collapse_lookups(root, found)


LOOKUP_MIN = 5  # sibling parameters read together (a lookup table) from which on only the relevant ones are shown


def _collapse_lookups(root: TraceNode, found: list[_Traced]) -> list[_Traced]:
    """A formula that reads a whole table of parameters keyed by an enum (e.g. a roll-out flag per municipality)
    shows only the entries named after a value of the household (``coverage.Ainaro`` for a household in Ainaro) and
    one line for the rest."""
    names: set[str] = set()
    stack = [root]
    while stack:  # the enum members anywhere in the trace (e.g. the household's municipality)
        node = stack.pop()
        stack.extend(node.children)
        if isinstance(node.value, EnumArray):
            names.update(member.name for member in node.value.decode())
    groups: dict[tuple[str | None, str], list[_Traced]] = {}
    for item in found:
        if item.kind == "parameter" and "." in item.name:
            groups.setdefault((item.parent, item.name.rpartition(".")[0]), []).append(item)
    result = []
    for item in found:
        key = (item.parent, item.name.rpartition(".")[0])
        group = groups.get(key, []) if item.kind == "parameter" else []
        if len(group) < LOOKUP_MIN or item.name.rpartition(".")[2] in names:
            result.append(item)
        if len(group) >= LOOKUP_MIN and item is group[-1]:
            hidden = sum(1 for other in group if other.name.rpartition(".")[2] not in names)
            if hidden:
                note = f"{hidden} other values not shown"
                result.append(_Traced("parameter", f"{key[1]}.*", item.depth, item.parent, note))
    return result


def _is_bool(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(item, bool) for item in items)


def _is_number(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items)


class _Context:
    """What the analysis of one programme needs to know about the household and the system."""

    def __init__(self, system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, programme: Programme):
        self.system = system
        self.spec = spec
        self.persons = [person.name for person in household.persons]
        self.programme = programme
        self.programme_entity = self.entity_of(programme.variable)  # the variable's, whatever floorsim.yaml says

    def entity_of(self, variable: str) -> str:
        return self.system.get_variable(variable, check_existence=True).entity.key

    def members(self) -> list[str]:
        return self.persons if self.programme_entity == self.spec.person_entity else [HOUSEHOLD_ID]

    def relevant(self, variable: str, value: list, member: int) -> list:
        """The values of ``variable`` that concern member ``member`` of the programme's entity."""
        if not isinstance(value, list):
            return [value]
        if self.entity_of(variable) == self.spec.person_entity:
            return [value[member]] if self.programme_entity == self.spec.person_entity else value
        return value[:1]

    def label(self, kind: str, name: str) -> str:
        if kind == "variable":
            return str(self.system.get_variable(name, check_existence=True).label or name)
        return name

    def by_member(self, kind: str, name: str, value: Any) -> Any:
        """A traced value as shown: ``{person: value}`` for person variables, one value otherwise."""
        if kind == "variable" and isinstance(value, list):
            if self.entity_of(name) == self.spec.person_entity and len(value) == len(self.persons):
                return dict(zip(self.persons, value))
            if len(value) == 1:
                return value[0]
        return value


def _decisive(ctx: _Context, root: TraceNode, member: int, paid: bool, conditions: dict[str, list]) -> list[dict]:
    """The yes/no factors behind a verdict: declared conditions if any, else the formula's direct boolean inputs
    (true ones when paid, false ones when not); when nothing boolean is false, the numeric inputs that are zero
    (looking one level into those that are variables)."""

    def item(kind: str, name: str, value: Any) -> dict:
        return {"kind": kind, "name": name, "label": ctx.label(kind, name), "value": value}

    if conditions:
        found = []
        for name, value in conditions.items():
            values = ctx.relevant(name, value, member)
            holds = any(bool(v) for v in values)
            if holds == paid:
                found.append(item("variable", name, holds))
        if found or paid:
            return found
        # Every declared condition holds yet nothing is paid (e.g. a one-off payment outside its month): say why
        # from the formula itself.

    def falsy(values: list) -> bool:
        return all(not v for v in values)

    def look(node: TraceNode, levels: int) -> list[dict]:
        variables = {child.name: _plain(child.value) for child in node.children}
        parameters = {parameter.name: _plain(parameter.value) for parameter in node.parameters}
        if paid:
            return [
                item("variable", name, True)
                for name, value in variables.items()
                if _is_bool(value) and any(ctx.relevant(name, value, member))
            ]
        found = [
            item("variable", name, False)
            for name, value in variables.items()
            if _is_bool(value) and falsy(ctx.relevant(name, value, member))
        ]
        found += [item("parameter", name, False) for name, value in parameters.items() if value is False]
        if found:
            return found
        found = [
            item("parameter", name, value) for name, value in parameters.items() if _is_number(value) and value == 0
        ]
        for child in node.children:
            value = variables[child.name]
            if _is_number(value) and falsy(ctx.relevant(child.name, value, member)):
                deeper = look(child, levels - 1) if levels > 1 else []
                found += deeper or [item("variable", child.name, 0)]
        return found

    return look(root, 2)


def _formula_note(variable: Variable, period: Period) -> str:
    starts = sorted(variable.formulas.keys())
    first = starts[0] if starts else None
    if variable.end is not None and str(period.start) > str(variable.end):
        return f"no rule in force: the rules of {variable.name} ended on {variable.end}"
    if first and str(period.start) < first:
        return f"no rule in force: the rules of {variable.name} start on {first}"
    return "no rule in force at this date"


def _runs(labels: list[str], items: list[Any]) -> list[tuple[str, Any]]:
    """Consecutive equal items merged: ``[("2024-01 to 2024-03", item), ...]``."""
    result: list[tuple[str, str, Any]] = []
    for label, item in zip(labels, items):
        if result and result[-1][2] == item:
            result[-1] = (result[-1][0], label, item)
        else:
            result.append((label, label, item))
    return [(first if first == last else f"{first} to {last}", item) for first, last, item in result]


def analyse_programme(
    system: TaxBenefitSystem,
    spec: CountrySpec,
    household: HouseholdInputs,
    period: Period,
    name: str,
    programme: Programme,
    depth: int = DEFAULT_DEPTH,
    roles: dict[str, str] | None = None,
) -> ProgrammeResult:
    """Amounts of one programme for the household over ``period``, with the factors and verdicts explaining them
    (``roles``: by person name, default :func:`resolve_roles`)."""
    try:
        variable = system.get_variable(programme.variable, check_existence=True)
    except VariableNotFoundError:
        raise HouseholdError(
            f"programme '{name}' of floorsim.yaml names an unknown variable '{programme.variable}'"
        ) from None
    conditions = list(getattr(programme, "conditions", None) or [])
    for condition in conditions:
        if condition not in system.variables:
            raise HouseholdError(
                f"programme '{name}' of floorsim.yaml lists an unknown condition variable '{condition}'"
            )
    ctx = _Context(system, spec, household, programme)
    simulation = _traced(build_simulation(system, spec, household, period, roles))

    # Evaluation points: each month for monthly programmes; the year for yearly ones (a twelfth for a month).
    if variable.definition_period == DateUnit.YEAR:
        points = [(period.this_year, 1.0 if period.unit == DateUnit.YEAR else 1 / 12)]
    elif variable.definition_period == DateUnit.MONTH:
        points = [(month, 1.0) for month in _months(period)]
    else:
        points = [(period, 1.0)]

    members = ctx.members()
    read: set[str] = set()
    labels: list[str] = []
    amounts = np.zeros(len(members), dtype=np.float64)
    member_verdicts: list[list[tuple]] = [[] for _ in members]
    factor_order: list[tuple[str, str]] = []
    factor_meta: dict[tuple[str, str], _Traced] = {}
    factor_values: dict[tuple[str, str], list[Any]] = {}
    for index, (point, weight) in enumerate(points):
        label = str(point) if weight == 1.0 else f"{point} / 12"
        labels.append(label)
        values = np.asarray(simulation.calculate(programme.variable, point), dtype=np.float64) * weight
        root = simulation.tracer.trees[-1]
        condition_values = {c: _plain(simulation.calculate(c, _condition_period(system, c, point))) for c in conditions}
        amounts += values
        in_force = variable.get_formula(point) is not None
        for member in range(len(members)):
            amount = round(float(values[member]), 6)
            if not in_force:
                verdict = ("not_in_force", amount, (), _formula_note(variable, point))
            else:
                paid = amount != 0
                because = _decisive(ctx, root, member, paid, condition_values)
                keys = tuple(json.dumps(reason, sort_keys=True) for reason in because)
                verdict = ("paid" if paid else "not_paid", amount, keys, "")
            member_verdicts[member].append(verdict)
        read.update(_all_names(root))
        for traced in _flatten(root, depth):
            key = (traced.kind, traced.name)
            if key not in factor_meta:
                factor_meta[key] = traced
                factor_order.append(key)
                factor_values[key] = [None] * len(points)
            factor_values[key][index] = ctx.by_member(traced.kind, traced.name, traced.value)
        for condition, value in condition_values.items():
            key = ("variable", condition)
            if key not in factor_meta:
                factor_meta[key] = _Traced("variable", condition, 1, None, value)
                factor_order.append(key)
                factor_values[key] = [None] * len(points)
            if factor_values[key][index] is None:
                factor_values[key][index] = ctx.by_member("variable", condition, value)

    factors = []
    for key in factor_order:
        traced = factor_meta[key]
        runs = [(label, value) for label, value in zip(labels, factor_values[key]) if value is not None]
        merged = _runs([label for label, _ in runs], [value for _, value in runs])
        factors.append(
            Factor(
                kind=traced.kind,
                name=traced.name,
                label=ctx.label(traced.kind, traced.name),
                depth=traced.depth,
                parent=traced.parent,
                entity=ctx.entity_of(traced.name) if traced.kind == "variable" else None,
                values=[{"period": label, "value": value} for label, value in merged],
            )
        )

    verdicts = []
    for member, name_ in enumerate(members):
        for label, (status, amount, because, note) in _runs(labels, member_verdicts[member]):
            verdicts.append(
                Verdict(
                    period=label,
                    member=name_,
                    status=status,
                    amount=amount,
                    amount_per="year" if variable.definition_period == DateUnit.YEAR else "month",
                    because=[json.loads(text) for text in because],
                    note=note,
                )
            )
    by_member = {member: round(float(amount), 6) for member, amount in zip(members, amounts)}
    total = round(float(amounts.sum()), 6)
    return ProgrammeResult(
        name=name,
        label=programme.label,
        variable=programme.variable,
        entity=programme.entity,
        amount=total,
        amounts=by_member,
        applies=total != 0,
        verdicts=verdicts,
        factors=factors,
        defaults_used=_defaults_used(system, spec, household, read),
        conditions=conditions,
    )


def _all_names(root: TraceNode) -> set[str]:
    names, stack = set(), [root]
    while stack:
        node = stack.pop()
        names.add(node.name)
        stack.extend(node.children)
    return names


def _defaults_used(system: TaxBenefitSystem, spec: CountrySpec, household: HouseholdInputs, read: set[str]) -> dict:
    """Pure inputs (no formula) among the variables ``read``, not given for every member: name → default value."""
    result = {}
    for name in sorted(read):
        variable = system.variables.get(name)
        if variable is None or variable.formulas:
            continue
        if variable.entity.key == spec.person_entity:
            given = all(name in person.inputs for person in household.persons)
        else:
            given = name in household.inputs
        if not given:
            default = variable.default_value
            result[name] = default.name if isinstance(default, OpenFiscaEnum) else _jsonable(default)
    return result


def _condition_period(system: TaxBenefitSystem, name: str, point: Period) -> Period | str:
    unit = system.get_variable(name, check_existence=True).definition_period
    if unit == DateUnit.ETERNITY:
        return point
    if unit == DateUnit.YEAR:
        return point.this_year
    return point if point.unit == DateUnit.MONTH else point.first_month


# ----- the single window -----


def _scenarios(country: str, reforms: Sequence[str | Path | ReformSpec]) -> list[tuple[str, str, tuple]]:
    result = [(BASELINE, "current legislation", ())]
    for reform in reforms:
        spec = reform if isinstance(reform, ReformSpec) else None
        scenario = make_scenario("reform", reform)
        if spec is None and len(scenario.steps) == 1 and isinstance(scenario.steps[0], ReformSpec):
            spec = scenario.steps[0]
        name = spec.name if spec else str(reform).rpartition(".")[2]
        label = spec.label if spec else str(reform)
        if name in [existing for existing, _, _ in result]:
            raise HouseholdError(f"reform names must be distinct and not '{BASELINE}': '{name}' is used twice")
        scenario_system(country, scenario.steps)  # fails here, naming the reform, if a parameter is unknown
        result.append((name, label, scenario.steps))
    return result


def simulate_household(
    country: str,
    household: HouseholdInputs,
    period: object = None,
    reforms: Sequence[str | Path | ReformSpec] = (),
    depth: int = DEFAULT_DEPTH,
    today: datetime.date | None = None,
) -> HouseholdReport:
    """Every programme of ``country``'s ``floorsim.yaml`` for one household, under current legislation and each
    reform, over ``period`` (a month, or a year for annual sums; default: the household's own ``period``, else
    :func:`default_period`). ``depth`` limits how far down the formulas the explanation goes (1: direct inputs)."""
    if depth < 1:
        raise HouseholdError(f"explanation depth must be at least 1, not {depth}")
    spec = load_country(country)
    baseline = scenario_system(country, ())
    resolved = parse_period(period if period is not None else household.period, baseline, today)
    roles = resolve_roles(baseline, spec, household, resolved)
    results = []
    for name, label, steps in _scenarios(country, reforms):
        system = scenario_system(country, steps)
        programmes = [
            analyse_programme(system, spec, household, resolved, key, programme, depth, roles)
            for key, programme in spec.programmes.items()
        ]
        results.append(ScenarioResult(name=name, label=label, programmes=programmes))
    return HouseholdReport(
        country=spec.name,
        country_label=spec.label,
        currency=spec.currency,
        period=str(resolved),
        period_unit="year" if resolved.unit == DateUnit.YEAR else "month",
        household=household,
        roles=roles,
        scenarios=results,
        depth=depth,
    )


# ----- text for any front end -----


def format_value(value: Any) -> str:
    """One value for display: yes/no, numbers without float noise, scales as ``0+: 0 · 70+: 20``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        if value and all(isinstance(row, dict) and "threshold" in row for row in value):
            return " · ".join(
                f"{format_value(row['threshold'])}+: {format_value(row.get('amount', row.get('rate')))}"
                for row in value
            )
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        distinct = {json.dumps(item, sort_keys=True, default=str) for item in value.values()}
        if len(value) > 1 and len(distinct) == 1:
            return f"all {format_value(next(iter(value.values())))}"
        return " · ".join(f"{key} {format_value(item)}" for key, item in value.items())
    return str(value)


def format_factor_values(factor: Factor) -> str:
    """A factor's values; ranges of months when they change within the period."""
    if len(factor.values) == 1:
        return format_value(factor.values[0]["value"])
    return "; ".join(f"{run['period']}: {format_value(run['value'])}" for run in factor.values)


def format_money(amount: float) -> str:
    return f"{amount:,.2f}"


def format_verdicts(verdicts: Sequence[Verdict], currency: str) -> list[str]:
    """One line per distinct verdict, naming together the members it applies to (``tomas, rosa: not paid — ...``);
    month ranges are shown when the verdict changes within the period."""
    show_period = len(verdicts) > len({verdict.member for verdict in verdicts})
    groups: dict[str, list[str]] = {}
    for verdict in verdicts:
        anonymous = Verdict(**{**asdict(verdict), "member": HOUSEHOLD_ID})
        text = format_verdict(anonymous, currency, show_period)
        groups.setdefault(text, []).append(verdict.member)
    lines = []
    for text, members in groups.items():
        named = [member for member in members if member != HOUSEHOLD_ID]
        if named and show_period:
            period, _, rest = text.partition(": ")
            lines.append(f"{period}: {', '.join(named)}: {rest}")
        else:
            lines.append(f"{', '.join(named)}: {text}" if named else text)
    return lines


def format_verdict(verdict: Verdict, currency: str, show_period: bool = False) -> str:
    """``ana: paid 80.00 USD — yes: Meets the SAII old-age conditions...`` and the like."""
    who = f"{verdict.member}: " if verdict.member != HOUSEHOLD_ID else ""
    when = f"{verdict.period}: " if show_period else ""
    if verdict.status == "not_in_force":
        return f"{when}{who}{verdict.note}"
    if verdict.status == "paid":
        head = f"{when}{who}paid {format_money(verdict.amount)} {currency} a {verdict.amount_per}"
    else:
        head = f"{when}{who}not paid"
    if not verdict.because:
        return head if verdict.status == "paid" else f"{head} (no yes/no condition in the formula: see its inputs)"
    return f"{head} — " + "; ".join(format_reason(item) for item in verdict.because)


def format_reason(item: dict) -> str:
    """``no: <label of a yes/no variable>``, ``<label> = 0``, or ``<parameter path> = <value>``."""
    if item["kind"] == "parameter":
        return f"{item['name']} = {format_value(item['value'])}"
    if isinstance(item["value"], bool):
        return f"{'yes' if item['value'] else 'no'}: {item['label']}"
    return f"{item['label']} = {format_value(item['value'])}"
