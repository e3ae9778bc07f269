"""Scenarios: a name and a stack of reforms applied in order to the baseline tax-benefit system.

A reform in a stack is either a :class:`ReformSpec` (parameter changes from YAML/JSON) or the dotted import path
of a Python OpenFisca ``Reform`` class (for structural reforms). Scenarios are hashable and picklable, so worker
processes can build each scenario's tax-benefit system once and cache it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.engine.countries import load_country, tax_benefit_system_class
from simulations.errors import ReformError
from simulations.engine.reforms import ReformSpec, apply_reform, load_reform

ReformStep = ReformSpec | str
ScenarioInput = None | ReformSpec | str | Path | type | Sequence


@dataclass(frozen=True)
class Scenario:
    """A named stack of reforms (empty: the baseline rules)."""

    name: str
    steps: tuple[ReformStep, ...] = ()

    def describe(self) -> list[dict]:
        """JSON-able description of the steps, for provenance."""
        return [
            {"parameter_changes": step.model_dump(mode="json"), "sha256": step.digest()}
            if isinstance(step, ReformSpec)
            else {"python_reform": step}
            for step in self.steps
        ]


def _step(value: object) -> tuple[ReformStep, ...]:
    if value is None:
        return ()
    if isinstance(value, ReformSpec):
        return (value,)
    if isinstance(value, type) and issubclass(value, Reform):
        return (f"{value.__module__}.{value.__qualname__}",)
    if isinstance(value, Path) or (isinstance(value, str) and Path(value).suffix in (".yaml", ".yml", ".json")):
        return (load_reform(value),)
    if isinstance(value, str):
        import_reform_class(value)  # fail now, in the parent, rather than in every worker
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(step for item in value for step in _step(item))
    raise ReformError(f"cannot use {value!r} as a reform: give a YAML/JSON file, a ReformSpec or a Reform class")


def make_scenario(name: str, value: ScenarioInput) -> Scenario:
    """A :class:`Scenario` from ``None``, a reform file path, a ReformSpec, a Reform class (or its dotted path),
    or a list of these (applied in order)."""
    return Scenario(name, _step(value))


# Reform classes that moved, by their former dotted path, so that scenario lists and variant grids written before
# the move keep working (the floor's host adaptation needs the engine, which country packages may not import).
MOVED_REFORMS = {
    "country_packages.social_protection_floor.SocialProtectionFloor": (
        "simulations.design.spf_hosts.SocialProtectionFloor"
    ),
}


def import_reform_class(dotted: str) -> type[Reform]:
    """Import an OpenFisca ``Reform`` subclass from ``package.module.ClassName`` (or a former path of a moved one)."""
    module_name, _, class_name = MOVED_REFORMS.get(dotted, dotted).rpartition(".")
    try:
        reform = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ReformError(f"cannot import reform class '{dotted}': {error}") from None
    if not (isinstance(reform, type) and issubclass(reform, Reform)):
        raise ReformError(f"'{dotted}' is not an OpenFisca Reform class")
    return reform


@functools.lru_cache(maxsize=None)
def baseline_system(country: str) -> TaxBenefitSystem:
    """The country's baseline tax-benefit system, built once per process."""
    return tax_benefit_system_class(load_country(country))()


@functools.lru_cache(maxsize=64)
def scenario_system(country: str, steps: tuple[ReformStep, ...]) -> TaxBenefitSystem:
    """The tax-benefit system of ``country`` with ``steps`` applied in order, built once per process."""
    if not steps:
        return baseline_system(country)
    system = scenario_system(country, steps[:-1])
    last = steps[-1]
    if isinstance(last, ReformSpec):
        return apply_reform(system, last)
    return import_reform_class(last)(system)
