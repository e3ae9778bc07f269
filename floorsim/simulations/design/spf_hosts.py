"""The social protection floor on a floorsim host package: where the floor finds its inputs, the host's national
poverty line by year, and the reform scenarios name (``floorsim.simulations.design.spf_hosts.SocialProtectionFloor``).

The floor (``floorsim/country_packages/social_protection_floor``) needs, for each person: age (completed years), sex,
disability severity (Washington Group 0-3), orphanhood and whether the woman gave birth in the last twelve months;
and the host's poverty line, its household transfers total and its person and household entities. Everything but
the inputs comes from the host's ``floorsim.yaml``; the inputs come from an adapter, found in this order:

1. a mapping or YAML path given to a subclass of :class:`SocialProtectionFloor` (``adapter``);
2. a file ``hosts/<country>.yaml`` beside the floor package;
3. the ``floor:`` block of the host's ``floorsim.yaml`` (written once per package, no Python);
4. else DERIVED from the inputs the host's ``floorsim.yaml`` declares: the person variable fed from the survey
   column ``age`` (without conversion) is the age, the one fed from ``sex`` the sex (member ``female``), and so on
   for ``disability_severity``, ``orphan`` and ``gave_birth``; an input not declared falls back to a host variable
   named like it, then to the floor's default. A generated package therefore needs no adapter at all.

Explicit ``inputs`` of 1-3 override the derived ones::

    inputs:
      age: age                                  # required: a person variable in completed years
      sex: {variable: sex, female: female}      # optional: enum member (or true for a boolean) meaning female
      disability_severity: disability_severity  # optional: Washington Group scale 0-3
      orphan: null                              # optional: a boolean person variable
      gave_birth: null                          # optional: a person variable, 1 for a woman who gave birth in the
                                                # twelve months before the survey
    births_per_woman:                           # optional: births per woman aged 15-49 per year, with its source
      values: {2015-01-01: 0.129}
      reference: where the figure comes from

An input the host does not provide (``null``, or left out when the host has no variable of that name) is replaced
by an input variable the floor adds to the reformed system, documented in ``docs/social_protection_floor.md``:
``social_protection_floor_female`` and ``social_protection_floor_orphan`` (false), and
``social_protection_floor_disability_severity`` (0) and ``social_protection_floor_gave_birth`` (fed by the survey's
``gave_birth`` column where ``floorsim.yaml`` maps it, else ``births_per_woman`` for each woman aged 15-49).

The host's national line reaches the floor as the parameter ``social_protection_floor.poverty_line.host``: one
value per year from 1 January, the line moved to that year's prices by :func:`floorsim.simulations.engine.prices.price_context`
(``line_Y = line_base × P(Y) / P(base)``), computed when the floor is applied.
"""

from __future__ import annotations

import datetime
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from floorsim.country_packages.social_protection_floor import HOSTS_DIR, PARAMETER_NODE, FloorHost, FloorReform, Inputs
from floorsim.country_packages.social_protection_floor.variables import PREFIX
from floorsim.simulations.engine.countries import (
    CountrySpec,
    PovertyLine,
    available_countries,
    load_country,
    tax_benefit_system_class,
)
from floorsim.simulations.engine.parameters import dated_instants, find_parameter
from floorsim.simulations.engine.prices import price_context
from floorsim.simulations.errors import FloorsimError, ReformError
from floorsim.surveys.input_files import read_yaml_file

DOTTED_PATH = "floorsim.simulations.design.spf_hosts.SocialProtectionFloor"


class SocialProtectionFloorError(ReformError):
    """The floor cannot be applied to, or computed on, a host package; the message says what to give instead."""


# The survey data model's person columns (floorsim/surveys/model.py) that are the floor's inputs, by the floor's role.
DATA_MODEL_INPUTS = {
    "age": "age",
    "sex": "sex",
    "disability_severity": "disability_severity",
    "orphan": "orphan",
    "gave_birth": "gave_birth",
}


class BirthsPerWoman(BaseModel):
    """The host's births per woman aged 15-49 per year, by the date each value holds from, and its source."""

    model_config = ConfigDict(extra="forbid")
    values: dict[datetime.date, float] = Field(min_length=1)
    reference: str = Field(min_length=1, description="the source of the figure (and how it was derived)")

    @field_validator("values")
    @classmethod
    def _rates(cls, values: dict[datetime.date, float]) -> dict[datetime.date, float]:
        bad = {str(date): rate for date, rate in values.items() if not 0 <= rate < 1}
        if bad:
            raise ValueError(f"births per woman per year must be in [0, 1): {bad}")
        return values


class Adapter(BaseModel):
    """How the floor reads its inputs from a host (``hosts/<country>.yaml``, the ``floor:`` block of its
    ``floorsim.yaml``, or derived from the inputs that file declares)."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    inputs: Inputs = Inputs()
    births_per_woman: BirthsPerWoman | None = None
    poverty_line: PovertyLine | None = Field(
        default=None, description="overrides the host floorsim.yaml poverty_line for the floor's benefit levels"
    )


@dataclass(frozen=True)
class ResolvedHost:
    """A host package as the floor sees it: its floorsim description and the resolved adapter."""

    spec: CountrySpec
    adapter: Adapter
    adapter_source: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def poverty_line(self) -> PovertyLine:
        return self.adapter.poverty_line or self.spec.poverty_line


def load_adapter(source: str | Path | dict | None, spec: CountrySpec, system: TaxBenefitSystem) -> tuple[Adapter, str]:
    """The adapter from a mapping, a YAML path, ``hosts/<country>.yaml``, the ``floor:`` block of the host's
    ``floorsim.yaml``, or else derived from the inputs that file declares (see the module docstring); checked
    against the host's variables."""
    path = Path(source) if isinstance(source, (str, Path)) else HOSTS_DIR / f"{spec.name}.yaml"
    if isinstance(source, dict):
        raw, origin = source, "adapter given to the reform"
    elif path.is_file():
        raw, origin = read_yaml_file(path, error=SocialProtectionFloorError) or {}, str(path)
    elif source is not None:
        raise SocialProtectionFloorError(f"floor adapter file not found: {path}")
    elif spec.floor is not None:
        raw, origin = spec.floor, f"{spec.folder}/floorsim.yaml (floor)"
    else:
        raw, origin = {}, f"derived from {spec.folder}/floorsim.yaml (its declared inputs)"
    if not isinstance(raw, dict) or not isinstance(raw.get("inputs") or {}, dict):
        raise SocialProtectionFloorError(f"{origin}: a floor adapter is a mapping (inputs, births_per_woman)")
    raw = {**raw, "inputs": {**derived_inputs(spec, system), **(raw.get("inputs") or {})}}
    try:
        adapter = Adapter(**raw)
    except (ValidationError, TypeError) as error:
        raise SocialProtectionFloorError(f"{origin}: invalid floor adapter: {error}") from None
    _check_adapter(adapter, origin, spec, system)
    return adapter, origin


def derived_inputs(spec: CountrySpec, system: TaxBenefitSystem) -> dict[str, Any]:
    """The floor's inputs as the host's ``floorsim.yaml`` declares them: for each role, the person variable fed
    (without conversion) from the data model's column of that name, else a host variable named like the role.
    The floor's own input variables (``social_protection_floor_*``) are not host variables and are left out: the
    floor adds them itself. An adapter's explicit ``inputs`` override these."""
    declared = {
        column.column: variable
        for variable, column in spec.inputs.get("person", {}).items()
        if column.convert is None and variable in system.variables and not variable.startswith(PREFIX)
    }
    found: dict[str, Any] = {}
    for role, column in DATA_MODEL_INPUTS.items():
        variable = declared.get(column) or (role if role in system.variables else None)
        if variable is None or system.variables[variable].entity.key != spec.person_entity:
            continue
        if role == "sex":
            members = getattr(system.variables[variable], "possible_values", None)
            if members is None or "female" not in members.__members__:
                continue  # the data model's "female" must be a member of the host's enum
            found[role] = {"variable": variable, "female": "female"}
        else:
            found[role] = variable
    return found


def _check_adapter(adapter: Adapter, origin: str, spec: CountrySpec, system: TaxBenefitSystem) -> None:
    person = spec.person_entity
    inputs = adapter.inputs
    if inputs.age is None:
        raise SocialProtectionFloorError(
            f"{origin}: the floor needs the persons' age; name the host's age variable under inputs.age"
        )
    named = {
        "age": inputs.age,
        "disability_severity": inputs.disability_severity,
        "orphan": inputs.orphan,
        "gave_birth": inputs.gave_birth,
        "sex": inputs.sex.variable if inputs.sex else None,
    }
    for role, variable in named.items():
        if variable is None:
            continue
        if variable not in system.variables:
            raise SocialProtectionFloorError(
                f"{origin}: inputs.{role} names '{variable}', which is not a variable of host '{spec.name}'"
            )
        if system.variables[variable].entity.key != person:
            raise SocialProtectionFloorError(
                f"{origin}: inputs.{role} '{variable}' must be a {person} variable of host '{spec.name}'"
            )
    if inputs.sex is not None:
        variable = system.variables[inputs.sex.variable]
        members = getattr(variable, "possible_values", None)
        if members is not None:
            names = {member.name for member in members} | {str(member.value) for member in members}
            if str(inputs.sex.female) not in names:
                raise SocialProtectionFloorError(
                    f"{origin}: inputs.sex.female '{inputs.sex.female}' is not a value of '{inputs.sex.variable}' "
                    f"({', '.join(sorted(member.name for member in members))})"
                )


def root_system(system: TaxBenefitSystem) -> TaxBenefitSystem:
    """The package's own system under any stack of reforms."""
    while getattr(system, "baseline", None) is not None:
        system = system.baseline
    return system


@functools.cache
def _known_hosts() -> tuple[tuple[type, str], ...]:
    found = []
    for name in available_countries():
        try:
            found.append((tax_benefit_system_class(load_country(name)), name))
        except Exception:  # noqa: BLE001, S112 - a package that cannot be imported is simply not a candidate
            continue
    return tuple(found)


def _description_beside(root_class: type) -> CountrySpec | None:
    """The ``floorsim.yaml`` in the folder of the package defining ``root_class``, or in the folder above it (where
    ``floorsim new-country`` writes it), if it names that class: a package used from its folder, not shipped."""
    module = sys.modules.get(root_class.__module__)
    source = getattr(module, "__file__", None)
    if source is None:
        return None
    for folder in (Path(source).parent, Path(source).parent.parent):
        if (folder / "floorsim.yaml").is_file():
            spec = load_country(str(folder))
            if spec.tax_benefit_system == f"{root_class.__module__}.{root_class.__qualname__}" or (
                spec.tax_benefit_system.rpartition(".")[2] == root_class.__qualname__
                and root_class.__module__.split(".")[0] == spec.tax_benefit_system.split(".")[0]
            ):
                return spec
    return None


def find_host_spec(system: TaxBenefitSystem, host: str | Path | None = None) -> CountrySpec:
    """The floorsim description of the package ``system`` is built from: ``host`` (a country name or a
    ``floorsim.yaml`` path) when given, else the shipped package whose TaxBenefitSystem class built it."""
    if host is not None:
        return load_country(str(host))
    root_class = type(root_system(system))
    for cls, name in _known_hosts():
        if root_class is cls:
            return load_country(name)
    beside = _description_beside(root_class)
    if beside is not None:
        return beside
    raise SocialProtectionFloorError(
        f"the social protection floor cannot tell which country package {root_class.__module__}."
        f"{root_class.__qualname__} is: it matches no floorsim.yaml under floorsim/country_packages/. Subclass "
        "SocialProtectionFloor with host = 'path/to/floorsim.yaml' (and an adapter) for this package"
    )


def resolve_host(system: TaxBenefitSystem, host: str | Path | None, adapter: str | Path | dict | None) -> ResolvedHost:
    """The host's description and the floor's adapter for it, checked against the host's variables."""
    spec = find_host_spec(system, host)
    resolved, origin = load_adapter(adapter, spec, system)
    if spec.transfers_variable not in system.variables:
        raise SocialProtectionFloorError(
            f"{spec.folder}/floorsim.yaml names transfers_variable '{spec.transfers_variable}', which the package "
            "does not have"
        )
    return ResolvedHost(spec=spec, adapter=resolved, adapter_source=origin)


def national_poverty_lines(system: TaxBenefitSystem, host: ResolvedHost) -> dict[str, float]:
    """``{"YYYY-01-01": line}``: the host's national line (currency per person per month) in the prices of each
    year its line, price index or inflation parameters have a value for, as the engine moves it for poverty
    statistics; a year the price index cannot reach is left out (the line before it holds). Empty for a relative
    line."""
    line = host.poverty_line
    if line.parameter is None:
        return {}
    named = [path for path in (line.parameter, line.price_index, line.inflation) if path]
    years = {int(date[:4]) for path in named for date in dated_instants(find_parameter(system.parameters, path))}
    line_host = host.spec.model_copy(update={"poverty_line": line})
    lines = {}
    for year in range(min(years), max(years) + 1):
        try:
            lines[f"{year}-01-01"] = float(price_context(system, line_host, year, year).poverty_line)
        except FloorsimError:  # before the price index starts: no line in that year's prices
            continue
    return lines


def host_as_data(resolved: ResolvedHost, system: TaxBenefitSystem) -> FloorHost:
    """The host as plain data for the floor package."""
    spec = resolved.spec
    return FloorHost(
        name=spec.name,
        person_entity=spec.person_entity,
        household_entity=spec.household_entity,
        transfers_variable=spec.transfers_variable,
        currency=spec.currency,
        inputs=resolved.adapter.inputs,
        poverty_lines=national_poverty_lines(system, resolved),
        births_per_woman=births_per_woman(resolved.adapter),
    )


def births_per_woman(adapter: Adapter) -> dict[str, float]:
    """``{"YYYY-MM-DD": rate}`` from the adapter (empty when it gives none)."""
    given = adapter.births_per_woman
    return {} if given is None else {date.isoformat(): float(rate) for date, rate in given.values.items()}


def describe_inputs(host: ResolvedHost) -> dict[str, Any]:
    """Where each input comes from, for documentation and provenance."""
    inputs = host.adapter.inputs
    return {
        "age": inputs.age,
        "sex": inputs.sex.model_dump() if inputs.sex else "social_protection_floor_female (false unless given)",
        "disability_severity": inputs.disability_severity
        or "social_protection_floor_disability_severity (0 unless given)",
        "orphan": inputs.orphan or "social_protection_floor_orphan (false unless given)",
        "gave_birth": inputs.gave_birth
        or "social_protection_floor_gave_birth (the survey's gave_birth column where floorsim.yaml maps it, else "
        "births_per_woman for each woman aged 15-49)",
        "births_per_woman": host.adapter.births_per_woman.model_dump(mode="json")
        if host.adapter.births_per_woman else None,
        "poverty_line": host.poverty_line.model_dump(exclude_none=True),
        "adapter": host.adapter_source,
    }


class SocialProtectionFloor(FloorReform):
    """Adds the social protection floor to the host package it is applied to.

    Class attributes for packages that are not under ``floorsim/country_packages/``: ``host`` (a country name or a
    ``floorsim.yaml`` path) and ``adapter`` (a YAML path or a mapping, see the module docstring).
    """

    host: ClassVar[str | None] = None
    adapter: ClassVar[str | dict | None] = None

    def apply(self) -> None:
        if PARAMETER_NODE in self.parameters.children:
            raise SocialProtectionFloorError(
                "the social protection floor is applied twice in this scenario (its parameters already exist)"
            )
        resolved = resolve_host(self, self.host, self.adapter)
        self.floor_inputs = describe_inputs(resolved)
        self.floor_host = host_as_data(resolved, self)
        self.add_floor(self.floor_host)
