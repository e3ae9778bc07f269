"""Reforms written as parameter changes (YAML/JSON), checked against a parameter tree and applied as OpenFisca
``Reform`` objects.

A reform file looks like::

    name: saii_50
    label: SAII raised to USD 50 a month
    description: Why, and from whom the proposal comes.
    changes:
      - parameter: benefits.saii.amount   # path in the country package's parameter tree
        value: 50
        start: 2025-01-01                  # date the new value takes effect
        stop: 2030-12-31                   # optional last day; without it the value holds afterwards
      - parameter: benefits.saii.age_supplement[1].amount   # bracket 1 of a scale

Unknown parameter paths are reported with the closest existing paths, before any simulation starts.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from pathlib import Path

from openfisca_core import periods
from openfisca_core.parameters import ParameterNode
from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from floorsim.simulations.engine.parameter_ranges import check_parameter_ranges
from floorsim.simulations.engine.parameters import find_parameter, parameter_paths
from floorsim.simulations.errors import ReformError
from floorsim.surveys.input_files import read_yaml_file, validation_problems

__all__ = [  # find_parameter and parameter_paths live with the one tree walker; reform code imports them from here
    "ParameterChange",
    "ReformSpec",
    "apply_reform",
    "check_reform",
    "find_parameter",
    "load_reform",
    "parameter_paths",
    "reform_as_json",
]


class ParameterChange(BaseModel):
    """One dated change of one parameter."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: str = Field(min_length=1)
    value: float | int | bool
    start: datetime.date
    stop: datetime.date | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float | int | bool) -> float | int | bool:
        # A NaN age or an infinite amount would run and silently empty or flood a programme.
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"must be a finite number, got {value}")
        return value

    @model_validator(mode="after")
    def _stop_after_start(self) -> ParameterChange:
        if self.stop is not None and self.stop < self.start:
            raise ValueError(f"stop {self.stop} is before start {self.start}")
        return self


class ReformSpec(BaseModel):
    """A named set of parameter changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    label: str = ""
    description: str = ""
    changes: tuple[ParameterChange, ...] = Field(min_length=1)

    def digest(self) -> str:
        """SHA-256 of the reform's canonical JSON, for provenance and caching."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def load_reform(path: str | Path) -> ReformSpec:
    """Read a reform from a YAML or JSON file; raise :class:`ReformError` naming the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise ReformError(f"reform file not found: {path}")
    raw = read_yaml_file(path, error=ReformError)  # YAML is a superset of JSON
    if not isinstance(raw, dict):
        raise ReformError(f"{path}: a reform must be a mapping with 'name' and 'changes'")
    raw.setdefault("name", path.stem)
    try:
        return ReformSpec(**raw)
    except ValidationError as error:
        raise ReformError(f"{path}: {validation_problems(error)}") from None


def check_reform(spec: ReformSpec, tax_benefit_system: TaxBenefitSystem) -> None:
    """Raise :class:`ReformError` if any change names an unknown parameter."""
    for change in spec.changes:
        find_parameter(tax_benefit_system.parameters, change.parameter, spec.name)
    check_parameter_ranges(spec, tax_benefit_system.parameters)  # rates 0-1, ages 0-130, money >= 0 (issue 20)


def apply_reform(tax_benefit_system: TaxBenefitSystem, spec: ReformSpec) -> TaxBenefitSystem:
    """The reformed tax-benefit system (the baseline is left untouched)."""
    check_reform(spec, tax_benefit_system)

    def modify(parameters: ParameterNode) -> ParameterNode:
        for change in spec.changes:
            parameter = find_parameter(parameters, change.parameter, spec.name)
            stop = periods.instant(change.stop.isoformat()) if change.stop else None
            parameter.update(start=periods.instant(change.start.isoformat()), stop=stop, value=change.value)
        return parameters

    class ParametricReform(Reform):
        name = spec.name

        def apply(self) -> None:
            self.modify_parameters(modifier_function=modify)

    return ParametricReform(tax_benefit_system)


def reform_as_json(spec: ReformSpec) -> dict:
    """The reform as plain JSON-able data, for provenance."""
    return json.loads(spec.model_dump_json())
