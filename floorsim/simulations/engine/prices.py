"""Price levels read from a country package: the poverty line of the simulated year and consumption uprating.

The national poverty line is a parameter holding a monthly amount per person in the prices of the date it is
keyed by (e.g. the 2014 line in 2014 prices). For year ``Y`` it is moved with the consumer price index:
``line_Y = line_base × P(Y) / P(base)``. Survey consumption, in the prices of the survey's reference year ``R``,
is moved the same way: ``c_Y = c_R × P(Y) / P(R)``.

The price level ``P`` is the country's CPI level where one is published for the year (annual values keyed
``YYYY-01-01``), and otherwise the last published level chained with annual inflation rates, if the country
gives them: ``P(Y) = P(L) × Π_{t=L+1..Y} (1 + π_t)``. Years after the last published rate keep the last level
(prices held constant), and the provenance says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openfisca_core.parameters import Parameter
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.errors import CountryError
from floorsim.simulations.engine.reforms import find_parameter


@dataclass(frozen=True)
class PriceContext:
    """Poverty line and uprating factor for one simulated year (all monthly, per person, in currency units)."""

    year: int
    poverty_line: float | None  # None: a relative line, computed from the results
    poverty_line_base_date: str | None
    poverty_line_base_value: float | None
    consumption_uprating: float
    cpi_year: float | None
    cpi_survey_year: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _value_in_force(parameter: Parameter, instant: str) -> tuple[str, float]:
    """(date key, value) of the value of ``parameter`` in force at ``instant`` (ISO date)."""
    for at_instant in parameter.values_list:  # newest first
        if at_instant.instant_str <= instant and at_instant.value is not None:
            return at_instant.instant_str, float(at_instant.value)
    raise CountryError(f"parameter '{parameter.name}' has no value on or before {instant}")


def _annual_values(parameter: Parameter) -> dict[int, float]:
    """Values keyed by year, for an annual series keyed ``YYYY-01-01``."""
    return {int(at.instant_str[:4]): float(at.value) for at in parameter.values_list if at.value is not None}


class PriceIndex:
    """The price level of any year from a CPI level series and, optionally, annual inflation rates."""

    def __init__(self, levels: Parameter, inflation: Parameter | None = None) -> None:
        self.name = levels.name
        self.levels = _annual_values(levels)
        self.inflation = _annual_values(inflation) if inflation is not None else {}
        self.notes: set[str] = set()

    def __call__(self, year: int) -> float:
        if year in self.levels:
            return self.levels[year]
        first, last = min(self.levels), max(self.levels)
        if year < first:
            raise CountryError(
                f"price index '{self.name}' starts in {first}: the poverty line and consumption cannot be moved to "
                f"or from {year} prices"
            )
        level = self.levels[last]
        for t in range(last + 1, year + 1):
            if t not in self.inflation:
                self.notes.add(f"prices held at their {t - 1} level for {t}-{year}: no published inflation rate")
                break
            level *= 1 + self.inflation[t]
        else:
            self.notes.add(f"price level of {year} chained from the {last} CPI with annual inflation rates")
        return level


def price_context(
    tax_benefit_system: TaxBenefitSystem, spec: CountrySpec, year: int, survey_year: int
) -> PriceContext:
    """The poverty line of ``year`` and the factor moving survey consumption from ``survey_year`` prices to it."""
    parameters = tax_benefit_system.parameters
    if spec.poverty_line.parameter is None:
        return PriceContext(year, None, None, None, 1.0, None, None, ("relative poverty line: no price uprating",))
    line_parameter = find_parameter(parameters, spec.poverty_line.parameter)
    base_date, base_value = _value_in_force(line_parameter, f"{year}-12-31")
    if spec.poverty_line.price_index is None:
        return PriceContext(year, base_value, base_date, base_value, 1.0, None, None)
    inflation = spec.poverty_line.inflation
    index = PriceIndex(
        find_parameter(parameters, spec.poverty_line.price_index),
        find_parameter(parameters, inflation) if inflation else None,
    )
    p_base, p_year, p_survey = (index(y) for y in (int(base_date[:4]), year, survey_year))
    return PriceContext(
        year=year,
        poverty_line=base_value * p_year / p_base,
        poverty_line_base_date=base_date,
        poverty_line_base_value=base_value,
        consumption_uprating=p_year / p_survey,
        cpi_year=p_year,
        cpi_survey_year=p_survey,
        notes=tuple(sorted(index.notes)),
    )
