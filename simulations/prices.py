"""Price levels read from a country package: the poverty line of the simulated year and consumption uprating.

The national poverty line is a parameter holding a monthly amount per person in the prices of the date it is
keyed by (e.g. the 2014 line in 2014 prices). For year ``Y`` it is moved with the consumer price index:
``line_Y = line_base × CPI(Y) / CPI(base)``. Survey consumption, in the prices of the survey's reference year
``R``, is moved the same way: ``c_Y = c_R × CPI(Y) / CPI(R)``. For years after the last published CPI the index
stays at its last value (OpenFisca parameters hold their last value), which the provenance records.
"""

from __future__ import annotations

from dataclasses import dataclass

from openfisca_core.parameters import Parameter
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.countries import CountrySpec
from simulations.errors import CountryError
from simulations.reforms import find_parameter


@dataclass(frozen=True)
class PriceContext:
    """Poverty line and uprating factor for one simulated year (all monthly, per person, in currency units)."""

    year: int
    poverty_line: float
    poverty_line_base_date: str
    poverty_line_base_value: float
    consumption_uprating: float
    cpi_year: float | None
    cpi_survey_year: float | None


def _value_in_force(parameter: Parameter, instant: str) -> tuple[str, float]:
    """(date key, value) of the value of ``parameter`` in force at ``instant`` (ISO date)."""
    for at_instant in parameter.values_list:  # newest first
        if at_instant.instant_str <= instant and at_instant.value is not None:
            return at_instant.instant_str, float(at_instant.value)
    raise CountryError(f"parameter '{parameter.name}' has no value on or before {instant}")


def _index(cpi: Parameter, year: int) -> float:
    value = cpi(f"{year}-01-01")
    if value is None:
        raise CountryError(
            f"price index '{cpi.name}' has no value for {year}: the poverty line and consumption cannot be moved to "
            f"or from {year} prices (first value: {cpi.values_list[-1].instant_str})"
        )
    return float(value)


def price_context(
    tax_benefit_system: TaxBenefitSystem, spec: CountrySpec, year: int, survey_year: int
) -> PriceContext:
    """The poverty line of ``year`` and the factor moving survey consumption from ``survey_year`` prices to it."""
    parameters = tax_benefit_system.parameters
    line_parameter = find_parameter(parameters, spec.poverty_line.parameter)
    base_date, base_value = _value_in_force(line_parameter, f"{year}-12-31")
    if spec.poverty_line.price_index is None:
        return PriceContext(year, base_value, base_date, base_value, 1.0, None, None)
    cpi = find_parameter(parameters, spec.poverty_line.price_index)
    cpi_base, cpi_year, cpi_survey = (_index(cpi, y) for y in (int(base_date[:4]), year, survey_year))
    return PriceContext(
        year=year,
        poverty_line=base_value * cpi_year / cpi_base,
        poverty_line_base_date=base_date,
        poverty_line_base_value=base_value,
        consumption_uprating=cpi_year / cpi_survey,
        cpi_year=float(cpi_year),
        cpi_survey_year=float(cpi_survey),
    )
