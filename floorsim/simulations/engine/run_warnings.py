"""Runs that are valid but easy to misread: a period beyond the package's price data, a reform that changes
nothing in the simulated year. Each is a sentence, emitted as a :class:`FloorsimWarning` (the command line prints
it as ``floorsim: warning: ...``) and recorded in the run's provenance (``run_info["warnings"]``, hence in
``summary.json``).

:func:`period_warnings` is the one function to call for a simulated year (``floorsim run`` may call it to warn
before the engine runs; the check that a period before the package's parameters is an error lives with the
command). The engine warns about inactive reforms itself; the price-data warning is given by
``floorsim.simulations.projections.simulated_year``, which knows whether an assumptions file extends the prices.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import resolve

if TYPE_CHECKING:  # not imported at run time: reforms -> parameter_ranges -> this module must not reach countries
    from floorsim.simulations.engine.countries import CountrySpec


class FloorsimWarning(UserWarning):
    """Something the user should know about a run that still ran: printed by the CLI, recorded in provenance."""


def price_data_warning(
    tax_benefit_system: TaxBenefitSystem, spec: CountrySpec, year: int, extended_to: int | None = None
) -> str | None:
    """A sentence when ``year`` is after the last year of the package's price data (CPI levels, and inflation
    rates that extend them), else ``None``. Prices are then held at the last level (``prices.PriceIndex``): amounts,
    survey consumption and the poverty line stay in that year's prices, which no one reading "2099" expects.
    ``extended_to``: the last year of a macro path that extends the prices (an assumptions file), if any."""
    line = spec.poverty_line
    if line.price_index is None:
        return None
    last = {}
    for name in filter(None, (line.price_index, line.inflation)):
        parameter = resolve(tax_benefit_system.parameters, name)
        years = [int(at.instant_str[:4]) for at in getattr(parameter, "values_list", []) if at.value is not None]
        if years:
            last[name] = max(years)
    if not last or year <= max(last.values()) or (extended_to is not None and year <= extended_to):
        return None
    data = ", ".join(f"{name} to {final}" for name, final in last.items())
    return (
        f"period {year} is beyond the price data of country package '{spec.name}' ({data}): prices are held at "
        f"their {max(last.values())} level, so the poverty line and survey incomes are not moved to {year} prices"
    )


def inactive_reform_warnings(scenarios: Iterable, year: int) -> list[str]:
    """One sentence per scenario whose parameter changes all take effect after ``year`` or stop before it: the
    reform is identical to the law in that year (an all-zero change, not an error in the reform)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = []
    for scenario in scenarios:
        for step in getattr(scenario, "steps", ()):
            changes = getattr(step, "changes", None)
            if not changes:
                continue  # a Python reform: what it changes cannot be read from dates
            if all(change.start > last or (change.stop is not None and change.stop < first) for change in changes):
                starts = sorted({change.start.isoformat() for change in changes})
                found.append(
                    f"reform '{step.name}' of scenario '{scenario.name}' changes nothing in {year}: its changes are "
                    f"in force from {', '.join(starts)}" + (" to their stop dates" if any(c.stop for c in changes) else "")
                    + f", not during the simulated year (simulate a later --period, or date the changes in {year})"
                )
    return found


def period_warnings(
    tax_benefit_system: TaxBenefitSystem, spec: CountrySpec, year: int, scenarios: Iterable = (),
    prices_extended_to: int | None = None,
) -> list[str]:
    """Every warning about simulating ``year`` with ``scenarios``: price data (extended by a macro path to
    ``prices_extended_to``), then reforms inactive in ``year``."""
    price = price_data_warning(tax_benefit_system, spec, year, prices_extended_to)
    return ([price] if price else []) + inactive_reform_warnings(scenarios, year)


def emit(messages: Iterable[str]) -> None:
    """Issue each message as a :class:`FloorsimWarning`."""
    for message in messages:
        warnings.warn(message, FloorsimWarning, stacklevel=2)
