"""Scenarios: a name and a stack of reforms applied in order to the baseline tax-benefit system.

A reform in a stack is either a :class:`ReformSpec` (parameter changes from YAML/JSON) or the dotted import path
of a Python OpenFisca ``Reform`` class (for structural reforms). Scenarios are hashable and picklable, so worker
processes can build each scenario's tax-benefit system once and cache it.

:func:`resolve_reform` turns what a user types (``floorsim run --reform X``) into a :class:`NamedReform`: a reform
file, an importable ``Reform`` class (``package.module:Class`` or ``package.module.Class``), a reform shipped with
the country package (``saii_increase`` → ``<package>/reforms/saii_increase.yaml``), or a reform floorsim names
(:data:`NAMED_REFORMS`, e.g. ``spf``, the social protection floor).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec, load_country, tax_benefit_system_class
from floorsim.simulations.errors import ReformError
from floorsim.simulations.engine.reforms import ReformSpec, apply_reform, load_reform

ReformStep = ReformSpec | str


@dataclass(frozen=True)
class NamedReform:
    """A reform as a user named it: the scenario name, a label, and the stack of steps it stands for."""

    name: str
    label: str
    steps: tuple[ReformStep, ...]


ScenarioInput = None | ReformSpec | NamedReform | str | Path | type | Sequence

# Reforms floorsim knows by name, whatever the country (their classes adapt themselves to the host package).
NAMED_REFORMS = {
    "spf": "floorsim.simulations.design.spf_hosts.SocialProtectionFloor",
    "social_protection_floor": "floorsim.simulations.design.spf_hosts.SocialProtectionFloor",
}
REFORM_SUFFIXES = (".yaml", ".yml", ".json")


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
    if isinstance(value, NamedReform):
        return value.steps
    if isinstance(value, type) and issubclass(value, Reform):
        return (f"{value.__module__}.{value.__qualname__}",)
    if isinstance(value, Path) or (isinstance(value, str) and Path(value).suffix in REFORM_SUFFIXES):
        return (load_reform(value),)
    if isinstance(value, str):
        import_reform_class(value)  # fail now, in the parent, rather than in every worker
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(step for item in value for step in _step(item))
    raise ReformError(f"cannot use {value!r} as a reform: give a YAML/JSON file, a ReformSpec or a Reform class")


def _class_reform(name: str, dotted: str) -> NamedReform:
    reform = import_reform_class(dotted)
    label = getattr(reform, "name", None) or reform.__doc__ or dotted
    return NamedReform(name, str(label).strip().splitlines()[0], (f"{reform.__module__}.{reform.__qualname__}",))


def resolve_reform(value: str | Path, spec: CountrySpec) -> NamedReform:
    """The reform a user named, for country ``spec``, tried in this order:

    1. an existing file, or a name ending in ``.yaml``/``.yml``/``.json`` (parameter changes; missing: an error);
    2. ``package.module:Class``, an importable OpenFisca ``Reform`` class;
    3. a reform shipped with the package: ``<package folder>/reforms/<value>.yaml``;
    4. a reform floorsim names (:data:`NAMED_REFORMS`);
    5. ``package.module.Class``, a dotted path to an importable ``Reform`` class.

    Raises:
        ReformError: nothing of that name; the message lists the package's shipped and floorsim's named reforms.
    """
    text = str(value)
    path = Path(text)
    if path.is_file() or path.suffix in REFORM_SUFFIXES:
        reform = load_reform(path)
        return NamedReform(reform.name, reform.label, (reform,))
    if ":" in text:
        module, _, class_name = text.partition(":")
        return _class_reform(class_name, f"{module}.{class_name}")
    shipped = spec.folder / "reforms" if spec.folder is not None else None
    if shipped is not None and (shipped / f"{text}.yaml").is_file():
        reform = load_reform(shipped / f"{text}.yaml")
        return NamedReform(reform.name, reform.label, (reform,))
    if text in NAMED_REFORMS:
        return _class_reform(text, NAMED_REFORMS[text])
    if "." in text:
        return _class_reform(text.rpartition(".")[2], text)
    names = sorted(p.stem for p in shipped.glob("*.yaml")) if shipped is not None and shipped.is_dir() else []
    raise ReformError(
        f"no reform '{text}': not a file, not a reform of country '{spec.name}' ({', '.join(names) or 'none'}), "
        f"not one floorsim names ({', '.join(NAMED_REFORMS)}), not an importable 'module:Class'"
    )


def make_scenario(name: str, value: ScenarioInput) -> Scenario:
    """A :class:`Scenario` from ``None``, a reform file path, a ReformSpec, a :class:`NamedReform`, a Reform class
    (or its dotted path), or a list of these (applied in order)."""
    return Scenario(name, _step(value))


# Reform classes that moved, by their former dotted path, so that scenario lists and variant grids written before
# the move keep working (the floor's host adaptation needs the engine, which country packages may not import).
MOVED_REFORMS = {
    "floorsim.country_packages.social_protection_floor.SocialProtectionFloor": (
        "floorsim.simulations.design.spf_hosts.SocialProtectionFloor"
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
