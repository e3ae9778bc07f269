"""Target solving: the value of one parameter that meets a target, by bracketing and bisection.

Targets (``--target`` on the command line):

* ``cost-share-of-gdp=0.01``: total cost (change in transfers plus the floor's administrative cost, see
  :mod:`floorsim.simulations.design.variants`) equal to 1 % of GDP;
* ``cost=25000000``: total cost equal to an amount per year, in the country's currency;
* ``poverty-change=-0.02``: poverty headcount 2 percentage points lower than at baseline (a fraction);
* ``budget-neutral-with=PATH``: a swap between two schemes — the reform at ``PATH`` (a file or a ``Reform`` class)
  is added to the scenario, and the parameter is solved so that total cost is zero (e.g. the amount a pension must
  be cut by to pay for a new child benefit).

The metric ``m(x)`` is evaluated at the parameter values ``x`` as scenarios: the first engine run evaluates ``low``,
``high`` and ``points`` values between them; the first sign change of ``m(x) − target`` gives a bracket, and each
further run evaluates ``points`` values inside the bracket (``points = 1`` is plain bisection; more points per run
shrink the bracket ``points + 1`` times per pass over the survey, all scenarios of a run sharing its chunks and its
baseline). The search stops when the bracket is narrower than ``2 × xtol`` (default: 10⁻⁴ of the range) or
``|m(x) − target| <= ftol``; the solution is the linear interpolation of the final bracket, re-simulated in a last
run so that the reported metric is the model's, not an interpolation. A target the metric does not cross in
``[low, high]`` raises :class:`TargetUnreachableError` with the range the metric covers.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, find_parameter
from floorsim.simulations.engine.scenarios import make_scenario, scenario_system
from floorsim.simulations.design.variants import DEFAULT_GDP_PARAMETERS, GDPSetting, compare

TargetKind = Literal["cost_share_of_gdp", "cost", "poverty_change", "budget_neutral"]
METRIC_COLUMNS = {
    "cost_share_of_gdp": "cost_share_of_gdp",
    "cost": "total_cost",
    "poverty_change": "poverty_headcount_change",
    "budget_neutral": "total_cost",
}


class SolveError(FloorsimError, ValueError):
    """A target or search range is malformed."""


class TargetUnreachableError(SolveError):
    """The metric does not reach the target anywhere in the search range."""


@dataclass(frozen=True)
class Target:
    """What to reach: ``kind`` and ``value`` (for a budget-neutral swap, the other scheme's reform and 0)."""

    kind: TargetKind
    value: float
    with_reform: str | None = None

    @property
    def metric(self) -> str:
        return METRIC_COLUMNS[self.kind]

    def describe(self) -> str:
        if self.kind == "budget_neutral":
            return f"budget neutral with {self.with_reform} (total cost = 0)"
        return f"{self.kind.replace('_', ' ')} = {self.value:g}"


def parse_target(text: str) -> Target:
    """``cost-share-of-gdp=0.01``, ``cost=25e6``, ``poverty-change=-0.02`` or ``budget-neutral-with=PATH``."""
    key, sep, value = text.partition("=")
    key = key.strip().lower().replace("_", "-")
    if not sep or not value.strip():
        raise SolveError(f"target '{text}' must be KIND=VALUE, e.g. cost-share-of-gdp=0.01")
    if key == "budget-neutral-with":
        return Target("budget_neutral", 0.0, value.strip())
    kinds = {"cost-share-of-gdp": "cost_share_of_gdp", "cost": "cost", "poverty-change": "poverty_change"}
    if key not in kinds:
        raise SolveError(
            f"unknown target '{key}'; use cost-share-of-gdp=FRACTION, cost=AMOUNT, poverty-change=FRACTION or "
            "budget-neutral-with=REFORM"
        )
    try:
        number = float(value)
    except ValueError:
        raise SolveError(f"target '{text}': '{value}' is not a number") from None
    if not math.isfinite(number):
        raise SolveError(f"target '{text}' must be finite")
    return Target(kinds[key], number)


@dataclass
class Solution:
    """The parameter value meeting the target, how close it is, and how it was found."""

    parameter: str
    value: float
    metric: str
    metric_value: float
    target: float
    residual: float
    bracket: tuple[float, float]
    tolerance: float
    iterations: int
    evaluations: list[tuple[float, float]] = field(default_factory=list)
    converged: bool = True
    notes: list[str] = field(default_factory=list)
    phase_timings: dict | None = None  # ``Phases.record()`` of the search (one phase per engine run)

    def to_dict(self) -> dict:
        return {
            "parameter": self.parameter,
            "value": self.value,
            "metric": self.metric,
            "metric_value": self.metric_value,
            "target": self.target,
            "residual": self.residual,
            "bracket": list(self.bracket),
            "tolerance": self.tolerance,
            "iterations": self.iterations,
            "evaluations": [list(pair) for pair in self.evaluations],
            "converged": self.converged,
            "notes": self.notes,
            "phase_timings": self.phase_timings,
        }


def _candidates(low: float, high: float, count: int, integer: bool) -> list[float]:
    values = np.linspace(low, high, count + 2)[1:-1]
    if integer:
        values = np.unique(np.round(values))
        values = values[(values > low) & (values < high)]
    return [float(v) for v in values]


def solve(
    simulation,
    parameter: str,
    low: float,
    high: float,
    target: Target,
    *,
    base: Sequence = (),
    baseline: Sequence = (),
    start: datetime.date | None = None,
    points: int = 3,
    xtol: float | None = None,
    ftol: float | None = None,
    max_runs: int = 40,
    integer: bool = False,
    gdp: GDPSetting | None = None,
    phases: Phases | None = None,
) -> Solution:
    """Find ``x`` in ``[low, high]`` with ``metric(x) = target`` on ``simulation`` (a Microsimulation).

    ``base``: scenario stack before the parameter change (e.g. the floor reform); for a budget-neutral target the
    other scheme's reform is appended to it. ``integer``: the parameter takes whole values (ages); the search stops
    at two neighbouring integers and returns the one closer to the target. ``phases``: the command's phases, to
    which every engine run adds its simulation and metrics phases (``engine run N``), recorded in the solution.
    """
    if not low < high:
        raise SolveError(f"the search range must have low < high, got [{low}, {high}]")
    if points < 1:
        raise SolveError(f"points per run must be at least 1, got {points}")
    if integer and (low != round(low) or high != round(high)):
        raise SolveError(f"an integer parameter needs whole bounds, got [{low}, {high}]")
    start = start or datetime.date(simulation.year, 1, 1)
    steps = [*base, *([target.with_reform] if target.with_reform else [])]
    find_parameter(scenario_system(simulation.country, make_scenario("check", steps or None).steps).parameters, parameter)
    xtol = xtol if xtol is not None else (high - low) * 1e-4
    gdp_setting = gdp or GDPSetting()
    phases = phases or Phases()
    evaluations: dict[float, float] = {}
    runs = 0

    def evaluate(xs: list[float]) -> None:
        nonlocal runs
        xs = [x for x in xs if x not in evaluations]
        if not xs:
            return
        scenarios = {
            f"x{index:02d}": [*steps, ReformSpec(name=f"x{index:02d}", changes=(
                ParameterChange(parameter=parameter, value=int(x) if integer else x, start=start),))]
            for index, x in enumerate(xs)
        }
        table, _, gdp_value = compare(simulation, scenarios, baseline, gdp_setting, phases=phases,
                                      named=f" of engine run {runs + 1}")
        runs += 1
        if target.kind == "cost_share_of_gdp":
            if gdp_value is None:
                raise SolveError(
                    f"country '{simulation.spec.name}' has no GDP parameter (tried {', '.join(DEFAULT_GDP_PARAMETERS)}): "
                    "give the GDP parameter path (--gdp-parameter PATH)"
                )
            table["cost_share_of_gdp"] = table["total_cost"] / gdp_value.value
        for x, metric in zip(xs, table[target.metric]):
            evaluations[x] = float(metric)

    first = [float(low), float(high), *_candidates(low, high, points, integer)]
    evaluate(first)
    a, b = _bracket(evaluations, target, parameter, low, high)
    notes = []
    if _crossings(evaluations, target) > 1:
        notes.append("the metric crosses the target more than once in the range; the lowest crossing was taken")

    def width_done(a: float, b: float) -> bool:
        return (b - a) <= (1.0 if integer else 2 * xtol)

    def close_enough() -> bool:
        return ftol is not None and min(abs(m - target.value) for m in evaluations.values()) <= ftol

    converged = True
    while not width_done(a, b) and not close_enough():
        if runs >= max_runs:
            converged = False
            notes.append(f"stopped after {max_runs} engine runs before reaching the tolerance")
            break
        inside = _candidates(a, b, points, integer)
        if not inside:
            break
        evaluate(inside)
        a, b = _bracket({x: m for x, m in evaluations.items() if a <= x <= b}, target, parameter, a, b)

    if close_enough() and ftol is not None:
        x = min(evaluations, key=lambda key: abs(evaluations[key] - target.value))
    elif integer:
        x = min((a, b), key=lambda key: abs(evaluations[key] - target.value))
    else:
        fa, fb = evaluations[a] - target.value, evaluations[b] - target.value
        x = a if fa == fb else a + (b - a) * fa / (fa - fb)
        x = min(max(x, a), b)
        evaluate([x])
    metric = evaluations[x]
    return Solution(
        parameter=parameter,
        value=x,
        metric=target.metric,
        metric_value=metric,
        target=target.value,
        residual=metric - target.value,
        bracket=(a, b),
        tolerance=(b - a) / 2,
        iterations=runs,
        evaluations=sorted(evaluations.items()),
        converged=converged,
        notes=notes,
        phase_timings=phases.record(),
    )


def _crossings(evaluations: dict[float, float], target: Target) -> int:
    xs = sorted(evaluations)
    signs = [np.sign(evaluations[x] - target.value) for x in xs]
    return sum(1 for s, t in itertools.pairwise(signs) if s * t < 0)


def _bracket(evaluations: dict[float, float], target: Target, parameter: str, low: float, high: float) -> tuple[float, float]:
    """The first pair of neighbouring evaluated points between which ``metric − target`` changes sign (or is 0)."""
    xs = sorted(evaluations)
    gaps = [evaluations[x] - target.value for x in xs]
    for x, gap in zip(xs, gaps):
        if gap == 0:
            return x, x
    for (x0, g0), (x1, g1) in itertools.pairwise(zip(xs, gaps)):
        if g0 * g1 < 0:
            return x0, x1
    values = [evaluations[x] for x in xs]
    raise TargetUnreachableError(
        f"{target.describe()} is not reached for {parameter} in [{low:g}, {high:g}]: {target.metric.replace('_', ' ')} "
        f"goes from {min(values):.6g} to {max(values):.6g} over the {len(xs)} values tried; widen the range "
        "(--low/--high) or change the target"
    )
