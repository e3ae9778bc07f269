"""Annual amounts from monthly rules without twelve monthly calculations when nothing changes within the year.

A monthly rule gives the same result in every month of a segment of the year in which (a) no parameter takes a
new value and (b) no variable switches to another dated formula — provided the inputs are the same in every month,
which holds for the engine because it sets survey inputs for the whole year (each month receives the same value).
OpenFisca looks up parameters and formulas at the *first day* of the month, so a change dated the 1st starts a
segment in that month and a change dated later in a month starts one in the following month.

The annual amount is then ``Σ_segments amount(first month of segment) × months in segment``, which equals the sum
over the twelve months (``tests/simulations/test_periods.py`` checks this against OpenFisca's own monthly sum).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

import numpy as np
from openfisca_core import periods
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import leaves


def _effective_month(date: str) -> int:
    """Month (1-12) from which a value or formula dated ``date`` (ISO) is seen by monthly calculations."""
    month, day = int(date[5:7]), int(date[8:10])
    return month if day == 1 else month + 1


def change_months(tax_benefit_system: TaxBenefitSystem, year: int) -> list[int]:
    """Months (2-12) of ``year`` in which a parameter value or a dated formula first applies."""
    prefix = f"{year}-"
    dates: set[str] = set()
    for leaf in leaves(tax_benefit_system.parameters):
        dates.update(at.instant_str for at in leaf.parameter.values_list if at.instant_str.startswith(prefix))
    for variable in tax_benefit_system.variables.values():
        dates.update(start for start in variable.formulas.keys() if start.startswith(prefix))
        if variable.end and str(variable.end).startswith(prefix):
            # A variable that ends on day d stops applying from the following day.
            dates.add(_day_after(str(variable.end)))
    months = {_effective_month(date) for date in dates}
    return sorted(month for month in months if 1 < month <= 12)


def _day_after(date: str) -> str:
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=1)).isoformat()


def month_segments(tax_benefit_system: TaxBenefitSystem, year: int) -> list[tuple[int, int]]:
    """``(first month, number of months)`` of each run of months of ``year`` with the same rules."""
    starts = [1, *change_months(tax_benefit_system, year)]
    ends = [*starts[1:], 13]
    return [(start, end - start) for start, end in zip(starts, ends)]


def annual_total(simulation: Simulation, variable: str, year: int, segments: list[tuple[int, int]] | None) -> np.ndarray:
    """Sum of ``variable`` over the months of ``year`` (float64); yearly variables are calculated directly.

    With ``segments`` (from :func:`month_segments`) each segment is calculated once, at its first month, and
    multiplied by its length; with ``None`` all twelve months are calculated (OpenFisca's ``calculate_add``).
    """
    definition = simulation.tax_benefit_system.get_variable(variable, check_existence=True).definition_period
    if definition == DateUnit.YEAR:
        return np.asarray(simulation.calculate(variable, str(year)), dtype=np.float64)
    if definition != DateUnit.MONTH or segments is None:
        return np.asarray(simulation.calculate_add(variable, str(year)), dtype=np.float64)
    total = None
    for first_month, length in segments:
        # One pass: cast to float64 and multiply (the same values as casting, then multiplying).
        values = np.multiply(simulation.calculate(variable, f"{year}-{first_month:02d}"), length, dtype=np.float64)
        total = values if total is None else np.add(total, values, out=total)
    return total


def months_to_set(
    system: TaxBenefitSystem, variables: Iterable[str], year: int, segments: Sequence[tuple[int, int]] | None
) -> list[periods.Period] | None:
    """The months whose inputs a simulation needs: the first month of each segment when every requested variable is
    monthly and segments are used (nothing else is calculated); ``None`` (every month of the year) otherwise, since
    a yearly variable or twelve monthly calculations read all months."""
    if segments is None:
        return None
    definitions = [system.variables[name].definition_period for name in variables if name in system.variables]
    if any(definition != DateUnit.MONTH for definition in definitions):
        return None
    return [periods.period(f"{year}-{first:02d}") for first, _ in segments]
