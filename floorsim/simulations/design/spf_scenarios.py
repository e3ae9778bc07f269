"""Ready-made parameter changes for the floor: set levels, keep one component alone, give a poverty line amount.

These build :class:`floorsim.simulations.engine.reforms.ReformSpec` objects, the same thing a reform YAML file holds, so they
can be stacked after :class:`~floorsim.simulations.design.spf_hosts.SocialProtectionFloor` in a scenario::

    from floorsim.simulations.design.spf_hosts import DOTTED_PATH
    from floorsim.simulations.design.spf_scenarios import only

    {"child_alone": [DOTTED_PATH, "my_levels.yaml", only("child", "2025-01-01")]}
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec

SHARES = {
    "child": "social_protection_floor.child.share",
    "orphan": "social_protection_floor.orphan.share",
    "maternity": "social_protection_floor.maternity.share",
    "disability": "social_protection_floor.disability.share",
    "old_age": "social_protection_floor.old_age.share",
}
POVERTY_LINE_AMOUNT = "social_protection_floor.poverty_line.amount"
FLOOR_PATH = "floorsim.simulations.design.spf_hosts.SocialProtectionFloor"  # the floor's reform class (spf_hosts.DOTTED_PATH)


def on_the_run_line(steps: Sequence[object], line: float | None, start: datetime.date | str) -> list[object]:
    """``steps`` with the floor paying shares of the run's poverty line ``line`` (per person per month).

    A run that moves the survey to the simulated year measures poverty with the line of the country's projection
    assumptions; the floor's default line is the package's own, moved with the package's CPI alone, which can differ
    (USD 59.45 and 58.92 for Timor-Leste in 2025). When ``steps`` hold the floor and ``line`` is given, the line is
    set right after the floor (which adds the parameter), so that the floor's levels are shares of the same line its
    poverty effects are measured with; a line the user's own later steps set still wins (as in
    ``spf_costing.floor_scenarios``). Otherwise ``steps`` come back unchanged.
    """
    steps = list(steps)
    if line is None or FLOOR_PATH not in steps:
        return steps
    position = steps.index(FLOOR_PATH) + 1
    return [*steps[:position], poverty_line_amount(line, start), *steps[position:]]


def set_parameters(name: str, start: datetime.date | str, values: dict[str, float]) -> ReformSpec:
    """A reform setting each parameter path of ``values`` from ``start``."""
    return ReformSpec(
        name=name,
        changes=tuple(ParameterChange(parameter=path, value=value, start=start) for path, value in values.items()),
    )


def levels(start: datetime.date | str, name: str = "spf_levels", **shares: float) -> ReformSpec:
    """Shares of the poverty line by component, e.g. ``levels("2025-01-01", child=0.2, old_age=1)``."""
    unknown = set(shares) - set(SHARES)
    if unknown:
        raise ValueError(f"unknown floor components {sorted(unknown)}; choose among {', '.join(SHARES)}")
    return set_parameters(name, start, {SHARES[key]: value for key, value in shares.items()})


def only(component: str, start: datetime.date | str) -> ReformSpec:
    """Every other component's share set to 0, so that a scenario costs ``component`` alone."""
    if component not in SHARES:
        raise ValueError(f"unknown floor component '{component}'; choose among {', '.join(SHARES)}")
    return set_parameters(f"spf_only_{component}", start, {path: 0 for key, path in SHARES.items() if key != component})


def poverty_line_amount(amount: float, start: datetime.date | str) -> ReformSpec:
    """An explicit poverty line (per person per month) for the floor, e.g. the relative line of a baseline run on a
    host whose floorsim.yaml has no national line."""
    return set_parameters("spf_poverty_line", start, {POVERTY_LINE_AMOUNT: round(float(amount), 6)})
