"""Which parameters are looked up while simulations run: step 2 of the dead-parameter check
(:mod:`floorsim.simulations.regression.dead`), and the traces that complement the static analysis of formulas.

OpenFisca's tracer (``simulation.trace = True``) records the parameters looked up while the package's YAML tests
(run as OpenFisca's test runner does: reforms, extensions and ``parameters`` overrides honoured) and the survey run;
scales are recorded too (OpenFisca's tracer skips them, so its ``TracingParameterNodeAtInstant`` is wrapped for the
duration of the check).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import yaml
from openfisca_core.parameters import ParameterNode
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.taxscales import TaxScaleLike
from openfisca_core.tracers import TracingParameterNodeAtInstant

from floorsim.simulations.regression.formula_reads import leaves_of_path


@contextlib.contextmanager
def trace_scales() -> Iterator[None]:
    """Make OpenFisca's tracer record scales too (it records numbers, booleans and arrays only)."""
    original = TracingParameterNodeAtInstant.get_traced_child

    def get_traced_child(self, child, key):
        if isinstance(child, TaxScaleLike) and isinstance(key, str):
            node = self.parameter_node_at_instant
            self.tracer.record_parameter_access(f"{node._name}.{key}", node._instant_str, np.zeros(0))
        return original(self, child, key)

    TracingParameterNodeAtInstant.get_traced_child = get_traced_child
    try:
        yield
    finally:
        TracingParameterNodeAtInstant.get_traced_child = original


def traced_leaves(simulation, parameters: ParameterNode) -> set[str]:
    """Leaf parameters looked up during a traced simulation (folders and scales expanded to their leaves)."""
    names = {
        access.name for tree in simulation.tracer.trees for calculation in _walk(tree) for access in calculation.parameters
    }
    return {leaf for name in names for leaf in leaves_of_path(parameters, name)}


def _walk(node) -> Iterator:
    yield node
    for child in node.children:
        yield from _walk(child)


def _test_system(system: TaxBenefitSystem, test: dict) -> TaxBenefitSystem:
    """The system a YAML test runs against: its reforms, extensions and parameter overrides applied."""
    from openfisca_core.tools.test_runner import _get_tax_benefit_system

    tested = _get_tax_benefit_system(system, test.get("reforms") or [], test.get("extensions") or [])
    if test.get("parameters"):
        from openfisca_core.tools.test_runner import InYamlTestReform

        tested = InYamlTestReform(tested, test["parameters"])
    return tested


def _outputs_to_calculate(system: TaxBenefitSystem, simulation, test: dict) -> Iterator[tuple[str, str, int | None]]:
    """``(variable, period, entity index)`` of every expected output of a YAML test (as OpenFisca's runner reads
    ``output``: variables, entity singulars, entity plurals with instance ids, and per-period values)."""

    def expand(variable: str, expected, period: str, index: int | None):
        if isinstance(expected, dict):
            for requested, value in expected.items():
                yield from expand(variable, value, str(requested), index)
        else:
            yield variable, period, index

    period = str(test.get("period"))
    for key, expected in (test.get("output") or {}).items():
        if key in system.variables:
            yield from expand(key, expected, period, None)
        elif simulation.populations.get(key) is not None:
            for variable, value in expected.items():
                yield from expand(variable, value, period, None)
        else:
            population = simulation.get_population(plural=key)
            if population is None:
                continue
            for instance, values in expected.items():
                for variable, value in values.items():
                    yield from expand(variable, value, period, population.get_index(instance))


def yaml_test_reads(system: TaxBenefitSystem, tests_folder: Path) -> tuple[dict[str, set[str]], list[str]]:
    """``({leaf parameter: {test ids}}, [tests that could not run])`` for the YAML tests in ``tests_folder``."""
    reads: dict[str, set[str]] = defaultdict(set)
    failures = []
    with trace_scales():
        for path in sorted([*tests_folder.rglob("*.yaml"), *tests_folder.rglob("*.yml")]):
            tests = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            tests = tests if isinstance(tests, list) else [tests]
            if not all(isinstance(test, dict) and "output" in test for test in tests):
                continue  # not a file of OpenFisca tests
            for number, test in enumerate(tests, start=1):
                test_id = f"{path.name} #{number}: {test.get('name', '')}".rstrip(": ")
                try:
                    tested = _test_system(system, test)
                    builder = SimulationBuilder()
                    builder.set_default_period(str(test.get("period")))
                    simulation = builder.build_from_dict(tested, test.get("input") or {})
                    simulation.trace = True
                    for variable, period, _index in _outputs_to_calculate(tested, simulation, test):
                        simulation.calculate(variable, period)
                except Exception as error:  # noqa: BLE001 - reported, not fatal: the YAML suite itself fails loudly
                    failures.append(f"{test_id}: {type(error).__name__}: {error}")
                    continue
                for leaf in traced_leaves(simulation, system.parameters):
                    reads[leaf].add(test_id)
    return dict(reads), failures
