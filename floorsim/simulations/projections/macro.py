"""The macro-economic path of a projection: price level, wage index, nominal GDP and government expenditure by year.

Prices. The price level ``P(Y)`` is the country package's CPI (``poverty_line.price_index`` levels, chained with
the ``poverty_line.inflation`` rates: ``floorsim/simulations/engine/prices.py``), with the assumptions file's inflation filling the
projection years the package has no published rate for (a published rate always wins). The same chained index
moves the poverty line, the survey's money values and the parameters indexed to prices, so the three agree.

Wages. ``W(base year) = 1`` and ``W(Y) = W(Y-1) × (1 + wage growth_Y)``.

GDP. ``GDP(base) =`` the package's value of ``gdp.parameter`` for ``gdp.base_year`` (× ``gdp.scale``);
``GDP(Y) = GDP(Y-1) × (1 + nominal growth_Y)``. Government expenditure ``= share_Y × GDP(Y)``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pandas as pd
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.engine.prices import PriceContext, PriceIndex, price_context
from floorsim.simulations.projections.assumptions import Assumptions, series_value
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.population import PopulationProjection
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, apply_reform, find_parameter


@dataclass
class MacroPath:
    """Indices and aggregates for every year the projection needs (see the module docstring)."""

    assumptions: Assumptions
    spec: CountrySpec
    priced_system: TaxBenefitSystem
    index: PriceIndex
    survey_year: int
    inflation_origin: dict[int, str] = field(default_factory=dict)
    wages: dict[int, float] = field(default_factory=dict)
    gdp: dict[int, float] = field(default_factory=dict)

    @classmethod
    def build(cls, assumptions: Assumptions, spec: CountrySpec, system: TaxBenefitSystem, survey_year: int) -> MacroPath:
        where = assumptions.where
        if spec.poverty_line.price_index is None or spec.poverty_line.inflation is None:
            raise ProjectionError(
                f"{where}: country '{spec.name}' has no CPI (poverty_line.price_index and poverty_line.inflation in "
                "its floorsim.yaml): projections need one to move prices, the poverty line and the survey's money"
            )
        inflation = find_parameter(system.parameters, spec.poverty_line.inflation)
        published = {int(at.instant_str[:4]) for at in inflation.values_list if at.value is not None}
        changes = []
        origin = {}
        for year in assumptions.years.years:
            if year in published:
                origin[year] = "country package"
                continue
            entry = series_value(assumptions.prices.inflation, year)
            origin[year] = entry.status
            changes.append(
                ParameterChange(parameter=spec.poverty_line.inflation, value=entry.value, start=datetime.date(year, 1, 1))
            )
        priced = (
            apply_reform(system, ReformSpec(name="projected_prices", changes=tuple(changes))) if changes else system
        )
        index = PriceIndex(
            find_parameter(priced.parameters, spec.poverty_line.price_index),
            find_parameter(priced.parameters, spec.poverty_line.inflation),
        )
        path = cls(assumptions, spec, priced, index, survey_year, origin)
        path._check_prices()
        path._build_wages()
        path._build_gdp(system)
        return path

    # ----- prices -----

    def _check_prices(self) -> None:
        self.index.notes.clear()
        for year in range(min(self.survey_year, self.assumptions.base_year), self.assumptions.years.end + 1):
            try:
                self.index(year)
            except FloorsimError as error:
                raise ProjectionError(f"{self.assumptions.where}: prices: {error}") from None
        held = sorted(note for note in self.index.notes if note.startswith("prices held"))
        if held:
            raise ProjectionError(
                f"{self.assumptions.where}: prices.inflation: the country package has no inflation rate for some "
                f"years before the projection and the file gives none ({held[0]}); add them to prices.inflation"
            )

    def price_level(self, year: int) -> float:
        """CPI level of ``year`` (the package's base, e.g. 2010 = 100)."""
        return float(self.index(year))

    def inflation(self, year: int) -> float:
        return self.price_level(year) / self.price_level(year - 1) - 1

    def price_context(self, year: int, survey_year: int) -> PriceContext:
        """The poverty line of ``year`` and the survey uprating, from the projected CPI (the engine's own code)."""
        try:
            return price_context(self.priced_system, self.spec, year, survey_year)
        except FloorsimError as error:
            raise ProjectionError(f"{self.assumptions.where}: prices: {error}") from None

    # ----- wages -----

    def _build_wages(self) -> None:
        base = self.assumptions.base_year
        self.wages = {base: 1.0}
        for year in range(base + 1, self.assumptions.years.end + 1):
            self.wages[year] = self.wages[year - 1] * (1 + series_value(self.assumptions.wage_growth, year).value)

    def wage_level(self, year: int) -> float:
        """Wage index, 1 in the indexation base year."""
        if year not in self.wages:
            raise ProjectionError(
                f"{self.assumptions.where}: wage_growth: no wage index for {year} (it starts in "
                f"{self.assumptions.base_year}, the indexation base year)"
            )
        return self.wages[year]

    def index_level(self, rule: str, year: int) -> float:
        """Level of the index a parameter follows: ``prices`` (CPI) or ``wages``."""
        return self.price_level(year) if rule == "prices" else self.wage_level(year)

    # ----- survey money -----

    def survey_money_factor(self, year: int) -> float:
        """Factor moving the survey's money values from its reference year to ``year``.

        ``prices``: ``P(Y) / P(survey year)``. ``wages``: prices up to the indexation base year (there is no wage
        series before it), then wages: ``P(base) / P(survey year) × W(Y) / W(base)``.
        """
        if self.assumptions.prices.survey_money == "prices" or year <= self.assumptions.base_year:
            return self.price_level(year) / self.price_level(self.survey_year)
        base = self.assumptions.base_year
        return self.price_level(base) / self.price_level(self.survey_year) * self.wage_level(year)

    # ----- GDP and expenditure -----

    def _build_gdp(self, system: TaxBenefitSystem) -> None:
        gdp = self.assumptions.gdp
        try:
            parameter = find_parameter(system.parameters, gdp.parameter)
        except FloorsimError as error:
            raise ProjectionError(f"{self.assumptions.where}: gdp.parameter: {error}") from None
        values = {int(at.instant_str[:4]): at.value for at in parameter.values_list if at.value is not None}
        if gdp.base_year not in values:
            known = ", ".join(str(year) for year in sorted(values))
            raise ProjectionError(
                f"{self.assumptions.where}: gdp.base_year: '{gdp.parameter}' has no value for {gdp.base_year} "
                f"(it has {known})"
            )
        self.gdp = {gdp.base_year: float(values[gdp.base_year]) * gdp.scale}
        for year in range(gdp.base_year + 1, self.assumptions.years.end + 1):
            self.gdp[year] = self.gdp[year - 1] * (1 + series_value(gdp.nominal_growth, year).value)

    def expenditure(self, year: int) -> float:
        """Government expenditure of ``year`` in currency units."""
        return series_value(self.assumptions.government_expenditure_share_of_gdp, year).value * self.gdp[year]

    # ----- table -----

    def table(self, population: PopulationProjection) -> pd.DataFrame:
        """One row per projection year: every assumption used, its value and whether it is sourced."""
        a = self.assumptions
        rows = []
        for year in a.years.years:
            growth = series_value(a.gdp.nominal_growth, year)
            share = series_value(a.government_expenditure_share_of_gdp, year)
            wage = series_value(a.wage_growth, year)
            rows.append(
                {
                    "year": year,
                    "population": population.total(year),
                    "population_status": "sourced",
                    "inflation": self.inflation(year),
                    "inflation_status": self.inflation_origin.get(year, "country package"),
                    "price_level": self.price_level(year),
                    "price_index_vs_base_year": self.price_level(year) / self.price_level(a.base_year),
                    "wage_growth": wage.value,
                    "wage_growth_status": wage.status,
                    "wage_index_vs_base_year": self.wage_level(year),
                    "nominal_gdp_growth": growth.value,
                    "nominal_gdp_growth_status": growth.status,
                    "gdp": self.gdp[year],
                    "government_expenditure_share_of_gdp": share.value,
                    "government_expenditure_status": share.status,
                    "government_expenditure": self.expenditure(year),
                    "survey_money_factor": self.survey_money_factor(year),
                }
            )
        return pd.DataFrame(rows)
