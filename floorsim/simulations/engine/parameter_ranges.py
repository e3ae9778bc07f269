"""The documented range of a parameter, read from its metadata, and reform values checked against it.

A reform can set any number; a take-up rate of 5 or a pension of −500 would run and print results that mean
nothing (a negative amount is silently paid as 0 by ``max`` in a formula). Each parameter's range follows from what
its metadata says it is:

=====================================  ===========================  ====================================
metadata                               kind                         range
=====================================  ===========================  ====================================
``minimum`` / ``maximum``              as the parameter says        ``[minimum, maximum]`` (either side)
unit ``currency…`` or ``… USD …``      money                        ``≥ 0``
unit ``year``                          age or duration in years     ``0 – 130``
unit ``month``, ``day``, ``persons``,  count                        ``≥ 0``
``households``
unit ``boolean``                       yes/no                       ``0`` or ``1``
unit ``/1``, named a rate, every      rate                         ``0 – 1``
value in [0, 1]
unit ``/1``, every value ≥ 0           ratio or index (a CPI)       ``≥ 0``
anything else, or no unit              unknown                      not checked
=====================================  ===========================  ====================================

The bracket values of a scale take the scale's ``threshold_unit``, ``amount_unit`` or ``rate_unit``. Ages stop at
130 (no recorded human life is longer: Jeanne Calment, 122 years). Units do not tell rates from ratios (a CPI level,
a benefit coefficient of a base level and a share of the poverty line all have unit ``/1``, and 1.5 times the line
is a legitimate floor), so a ``/1`` parameter counts as a rate only when its name says it is one (:data:`RATE_NAMES`:
take-up, coverage, phase-in, ``rate``) and every value it has ever had lies in [0, 1]; other ``/1`` parameters are
ratios (at least 0). A parameter can always state its own ``minimum`` and ``maximum``.

A value outside its range raises :class:`~floorsim.simulations.errors.ReformError` naming the reform, the parameter, the
value and the range, unless the user forces it (environment variable ``FLOORSIM_ALLOW_OUT_OF_RANGE=1``, or
``force=True``): it then runs, with a :class:`RangeWarning`.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass

from openfisca_core.parameters import Parameter, ParameterNode

from floorsim.simulations.engine.parameters import BRACKET_KEYS, find_parameter, resolve
from floorsim.simulations.engine.run_warnings import FloorsimWarning
from floorsim.simulations.errors import ReformError

FORCE_VARIABLE = "FLOORSIM_ALLOW_OUT_OF_RANGE"
MAX_AGE = 130
_COUNT_UNITS = ("month", "day", "persons", "households")
# Words in a parameter's path that make a ``/1`` parameter a share of people, bounded by 1 (see the docstring).
RATE_NAMES = ("take_up", "coverage", "phase_in", "rate")


class RangeWarning(FloorsimWarning):
    """A forced reform value outside its parameter's documented range (it runs; results may mean nothing)."""


@dataclass(frozen=True)
class ParameterRange:
    """The documented range of one parameter: ``kind`` in words, and inclusive bounds (``None``: unbounded)."""

    kind: str
    low: float | None
    high: float | None

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies within the range (bounds included)."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        """``rate: 0 to 1``, ``money: at least 0``."""
        if self.low is not None and self.high is not None:
            return f"{self.kind}: {_number(self.low)} to {_number(self.high)}"
        if self.low is not None:
            return f"{self.kind}: at least {_number(self.low)}"
        return f"{self.kind}: at most {_number(self.high)}"


def parameter_range(parameters: ParameterNode, path: str) -> ParameterRange | None:
    """The documented range of the leaf parameter at ``path`` (see the module docstring), ``None`` if unknown."""
    parameter = find_parameter(parameters, path)
    metadata = dict(parameter.metadata or {})
    unit = metadata.get("unit") or _bracket_unit(parameters, path)
    low, high = metadata.get("minimum"), metadata.get("maximum")
    if low is not None or high is not None:
        return ParameterRange("as documented by the parameter", low, high)
    if not isinstance(unit, str):
        return None
    if unit.startswith("currency") or "USD" in unit.split():
        return ParameterRange("money", 0.0, None)
    if unit == "year":
        return ParameterRange("age or duration in years", 0.0, float(MAX_AGE))
    if unit in _COUNT_UNITS:
        return ParameterRange(f"count of {unit}", 0.0, None)
    if unit == "boolean":
        return ParameterRange("yes/no", 0.0, 1.0)
    if unit == "/1":
        values = _recorded_values(parameter)
        named_rate = any(word in path.lower() for word in RATE_NAMES)
        if named_rate and values and all(0.0 <= value <= 1.0 for value in values):
            return ParameterRange("rate", 0.0, 1.0)
        if values and all(value >= 0.0 for value in values):
            return ParameterRange("ratio", 0.0, None)
    return None


def out_of_range_changes(spec, parameters: ParameterNode) -> list[str]:
    """One sentence per change of the reform ``spec`` (a ``ReformSpec``) whose value is outside its range."""
    problems = []
    for change in spec.changes:
        documented = parameter_range(parameters, change.parameter)
        value = float(change.value)
        if documented is not None and math.isfinite(value) and not documented.contains(value):
            problems.append(
                f"reform '{spec.name}': {change.parameter} = {_number(value)} is outside its documented range "
                f"({documented.describe()})"
            )
    return problems


def check_parameter_ranges(spec, parameters: ParameterNode, *, force: bool | None = None) -> list[str]:
    """Refuse the reform ``spec`` if a value is outside its parameter's documented range; when forced (``force``,
    default: the environment variable ``FLOORSIM_ALLOW_OUT_OF_RANGE=1``) warn instead. Returns the warnings.

    Raises:
        ReformError: naming the reform, each parameter, its value and its range, and how to force it.
    """
    problems = out_of_range_changes(spec, parameters)
    if not problems:
        return []
    if force is None:
        force = os.environ.get(FORCE_VARIABLE, "") not in ("", "0")
    if not force:
        raise ReformError(
            "; ".join(problems) + f" (to run it anyway, set {FORCE_VARIABLE}=1: it is then warned, not refused)"
        )
    for problem in problems:
        warnings.warn(f"{problem}; forced with {FORCE_VARIABLE}", RangeWarning, stacklevel=2)
    return problems


def _bracket_unit(parameters: ParameterNode, path: str) -> object:
    """The unit of a scale's bracket value: the scale's ``<key>_unit`` (``amount_unit`` for ``...[1].amount``)."""
    scale_path, _, rest = path.partition("[")
    key = rest.rpartition(".")[2]
    if not rest or key not in BRACKET_KEYS:
        return None
    scale = resolve(parameters, scale_path)
    return (getattr(scale, "metadata", None) or {}).get(f"{key}_unit")


def _recorded_values(parameter: Parameter) -> list[float]:
    """Every numeric value the parameter has had (its history), ``None`` (end of a value) left out."""
    return [float(at.value) for at in parameter.values_list if isinstance(at.value, (int, float))]


def _number(value: float) -> str:
    return f"{value:g}"
