"""The years a country package covers: a run for any other year stops before anything is simulated or written.

"Covered" is defined from the package's own dated parameters, read with the one parameter walker
(``floorsim.simulations.engine.parameters``):

- **first year**: the year of the earliest value of any rule parameter (every leaf but the poverty line and the
  price series: before it the package encodes no rule at all), and, for a national line moved with a price index,
  not before the first value of the line dated in a year the index has a level for (the line in force in a year
  is moved from its own date's prices: a line dated before the first price level cannot be moved at all);
- **last year**: the year of the latest dated value of any parameter (rules or prices: the last year the package
  records anything; OpenFisca would carry values on forever, floorsim does not pretend to know later law), or the
  last year of the package's projection assumptions when it has some (their price path moves the line and
  survey money to those years, ``floorsim project``).

A relative line (a share of the median) needs no prices: the rule parameters alone set the range.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from floorsim.simulations.engine.parameters import dated_instants, latest_value_date, leaves, resolve
from floorsim.simulations.errors import FloorsimError

if TYPE_CHECKING:
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    from floorsim.simulations.engine.countries import CountrySpec


@dataclass(frozen=True)
class CoveredYears:
    """First and last year a package covers, and in words what sets them."""

    first: int
    last: int
    basis: str

    def check(self, country: str, period: int) -> None:
        """Raise :class:`FloorsimError` (one line naming the years covered) when ``period`` is outside them."""
        if not self.first <= period <= self.last:
            raise FloorsimError(
                f"period {period} is outside the years country '{country}' covers: {self.first}-{self.last}"
                f" ({self.basis}); choose a year in that range"
            )


def _years(system: TaxBenefitSystem, path: str | None) -> list[int]:
    node = resolve(system.parameters, path) if path else None
    return sorted({int(date[:4]) for date in dated_instants(node)}) if node is not None else []


def covered_years(system: TaxBenefitSystem, spec: CountrySpec, projected_until: int | None = None) -> CoveredYears:
    """The years ``spec``'s package covers (module docstring); ``projected_until``: the last year of the package's
    projection assumptions, if it has some."""
    line = spec.poverty_line
    price_paths = [path for path in (line.parameter, line.price_index, line.inflation) if path]
    rule_years = [
        int(date[:4])
        for leaf in leaves(system.parameters)
        if not any(leaf.path == path or leaf.path.startswith(f"{path}.") for path in price_paths)
        for date in dated_instants(leaf.parameter)
    ]
    if not rule_years:
        raise FloorsimError(f"country '{spec.name}' has no dated parameter: no year can be simulated")
    first = min(rule_years)
    basis = [f"rules from {first}"]
    if line.price_index:
        levels, line_years = _years(system, line.price_index), _years(system, line.parameter)
        movable = [year for year in line_years if year >= levels[0]]
        if not movable:
            raise FloorsimError(f"country '{spec.name}': no value of the poverty line {line.parameter} is dated in a "
                                f"year its price index {line.price_index} covers (from {levels[0]})")
        first = max(first, movable[0])
        basis.append(f"price index from {levels[0]}, so the poverty line dated {movable[0]}")
    latest = latest_value_date(system.parameters) or datetime.date(first, 1, 1)
    last = latest.year
    basis.append(f"parameter values to {last}")
    if projected_until is not None and projected_until > last:
        last = projected_until
        basis.append(f"projection assumptions to {projected_until}")
    return CoveredYears(first, last, "; ".join(basis))
