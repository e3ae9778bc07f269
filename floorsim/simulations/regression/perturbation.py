"""Whether a parameter moves an output on the survey: step 3 of the dead-parameter check
(:mod:`floorsim.simulations.regression.dead`).

Each parameter is perturbed — every dated value: non-zero numbers −10% (integers by at least 1), zero → 1, booleans
flipped — and the programme variables and the transfers total are recomputed on the survey for the reference years
(newest first); if nothing changes, the same is tried under each reform of the package's library (from the year its
changes start), then with +10%. The parameter is alive as soon as one household or person amount changes by more
than :data:`CHANGE_TOLERANCE` (currency units).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from openfisca_core import periods
from openfisca_core.parameters import ParameterNode
from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.builder import build_simulation
from floorsim.simulations.engine.chunks import make_chunks
from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.engine.periods import annual_total, month_segments
from floorsim.simulations.engine.reforms import ReformSpec, apply_reform
from floorsim.simulations.regression.rules import resolve_node
from floorsim.surveys.model import Survey

CHANGE_TOLERANCE = 1e-9


def perturb(value: object, step: int) -> object:
    """The perturbed value (``step`` 0: −10%, zero → 1, booleans flipped; ``step`` 1: +10%); ``None`` when the
    value cannot be perturbed that way (``None`` values, zero and booleans on the second step, non-numbers)."""
    if isinstance(value, bool):
        return (not value) if step == 0 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0:
            return (1 if isinstance(value, int) else 1.0) if step == 0 else None
        if isinstance(value, int):
            delta = max(1, round(abs(value) * 0.1))
            return value - delta if step == 0 else value + delta
        return value * (0.9 if step == 0 else 1.1)
    return None


def perturbation_label(leaf, step: int) -> str:
    """How :func:`perturb` changes a leaf's values, in words (``-10%``, ``0 → 1``, ``flipped``...)."""
    values = [at.value for at in leaf.values_list if at.value is not None]
    if values and all(isinstance(value, bool) for value in values):
        return "flipped"
    words = []
    if any(value != 0 for value in values):
        words.append("-10%" if step == 0 else "+10%")
    if step == 0 and any(value == 0 for value in values):
        words.append("0 → 1")
    return " and ".join(words) or "unchanged"


def perturbed_system(system: TaxBenefitSystem, path: str, step: int) -> TaxBenefitSystem | None:
    """``system`` with every dated value of the leaf ``path`` perturbed; ``None`` if no value can be."""
    leaf = resolve_node(system.parameters, path)
    if leaf is None or not any(perturb(at.value, step) is not None for at in leaf.values_list):
        return None

    def modify(parameters: ParameterNode) -> ParameterNode:
        target = resolve_node(parameters, path)
        for at in target.values_list:
            changed = perturb(at.value, step)
            if changed is not None:
                at.value = changed
        return parameters

    class Perturbation(Reform):
        name = f"perturb {path}"

        def apply(self) -> None:
            self.modify_parameters(modifier_function=modify)

    return Perturbation(system)


@dataclass
class SurveyRunner:
    """Programme amounts and the transfers total of the whole survey under a tax-benefit system, one year."""

    spec: CountrySpec
    survey: Survey
    system: TaxBenefitSystem

    def __post_init__(self) -> None:
        (self.chunk,) = make_chunks(self.survey, self.spec, self.system, max(1, len(self.survey.households)))
        self.variables = list(dict.fromkeys([p.variable for p in self.spec.programmes.values()]
                                            + [self.spec.transfers_variable]))
        dated = [
            name for mapping in self.spec.inputs.values() for name in mapping
            if self.system.variables[name].value_type is datetime.date
        ]
        self.segmented = self.spec.constant_within_year and not dated

    def outputs(self, system: TaxBenefitSystem, year: int, trace: bool = False):
        segments = month_segments(system, year) if self.segmented else None
        simulation = build_simulation(system, self.spec, self.chunk, periods.period(str(year)))
        simulation.trace = trace
        values = {name: annual_total(simulation, name, year, segments) for name in self.variables}
        return (values, simulation) if trace else values


def _differs(left: dict[str, np.ndarray], right: dict[str, np.ndarray]) -> str | None:
    for name, values in left.items():
        if np.any(np.abs(values - right[name]) > CHANGE_TOLERANCE):
            return name
    return None


def liveness(
    runner: SurveyRunner,
    paths: list[str],
    years: list[int],
    reforms: dict[str, ReformSpec],
) -> dict[str, str | None]:
    """``{leaf: where perturbing it first changed an output (e.g. "2025, baseline, -10%: saii") or None}``."""
    baseline = runner.system
    contexts: list[tuple[str, TaxBenefitSystem, list[int]]] = [("baseline", baseline, sorted(years, reverse=True))]
    for name, spec in reforms.items():
        first = min(change.start.year for change in spec.changes)
        reform_years = sorted((year for year in years if year >= first), reverse=True) or [max(years)]
        contexts.append((f"reform {name}", apply_reform(baseline, spec), reform_years))
    reference: dict[tuple[str, int], dict[str, np.ndarray]] = {}
    found: dict[str, str | None] = {}
    for path in paths:
        found[path] = None
        for step in (0, 1):
            label = perturbation_label(resolve_node(baseline.parameters, path), step)
            for context, system, context_years in contexts:
                changed_system = perturbed_system(system, path, step)
                if changed_system is None:
                    continue
                for year in context_years:
                    if (context, year) not in reference:
                        reference[(context, year)] = runner.outputs(system, year)
                    variable = _differs(runner.outputs(changed_system, year), reference[(context, year)])
                    if variable:
                        found[path] = f"{year}, {context}, {label}: {variable}"
                        break
                if found[path]:
                    break
            if found[path]:
                break
    return found
