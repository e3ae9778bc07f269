"""Results of a microsimulation: per-person and per-household annual amounts for each scenario, and the headline
figures derived from them (cost, beneficiaries, poverty, inequality).

Welfare follows DESIGN.md: observed consumption already contains the transfers households receive today, so
under scenario ``s`` household welfare is ``observed − baseline transfers + transfers under s`` (monthly, after
moving observed consumption to the simulated year's prices), divided by household size. Everyone in a household
carries its per-capita welfare and its weight; indicators are person-weighted and summed in float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulations.countries import CountrySpec
from simulations.errors import FloorsimError, ScenarioError
from simulations.indicators import fgt, gini, weighted_count, weighted_total
from simulations.prices import PriceContext
from simulations.scenarios import Scenario
from surveys.model import Survey

MONTHS_PER_YEAR = 12


@dataclass
class ScenarioOutputs:
    """Annual amounts (currency per year, float64) of one scenario, aligned with the survey's rows."""

    name: str
    scenario: Scenario
    person: dict[str, np.ndarray] = field(default_factory=dict)
    household: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Results:
    """Everything a run produced, with what is needed to compute indicators from it."""

    spec: CountrySpec
    survey: Survey
    year: int
    scenarios: dict[str, ScenarioOutputs]
    price_context: PriceContext | FloorsimError
    run_info: dict

    @property
    def prices(self) -> PriceContext:
        """Poverty line and uprating of the simulated year; raises if the country's price data do not cover it."""
        if isinstance(self.price_context, FloorsimError):
            raise self.price_context
        return self.price_context

    def scenario(self, name: str) -> ScenarioOutputs:
        if name not in self.scenarios:
            raise ScenarioError(f"no scenario '{name}'; this run has {', '.join(self.scenarios)}")
        return self.scenarios[name]

    def welfare_per_capita(self, name: str, baseline: str = "baseline") -> np.ndarray:
        """Monthly welfare per person of each household under scenario ``name`` (currency per person per month).

        ``(c × uprating − T_baseline / 12 + T_name / 12) / size``, where ``T`` are the household's annual transfers.
        """
        transfers = self.spec.transfers_variable
        observed = self.survey.households["consumption"].to_numpy(np.float64) * self.prices.consumption_uprating
        change = (self.scenario(name).household[transfers] - self.scenario(baseline).household[transfers]) / MONTHS_PER_YEAR
        # Consumption cannot fall below zero because a simulated transfer is removed.
        return np.maximum(observed + change, 0.0) / self.survey.household_size

    def headline(self, name: str) -> dict[str, float]:
        """Headline figures of one scenario (amounts per year in the country's currency; rates as fractions)."""
        outputs = self.scenario(name)
        person_weight = self.survey.person_weight
        household_weight = self.survey.households["weight"].to_numpy(np.float64)
        welfare = self.welfare_per_capita(name)[self.survey.person_household_index]
        figures: dict[str, float] = {}
        for key, programme in self.spec.programmes.items():
            amounts = (outputs.person if programme.entity == "person" else outputs.household)[programme.variable]
            weights = person_weight if programme.entity == "person" else household_weight
            figures[f"{key}_cost"] = weighted_total(amounts, weights)
            figures[f"{key}_beneficiaries"] = weighted_count(amounts > 0, weights)
        figures["total_cost"] = weighted_total(outputs.household[self.spec.transfers_variable], household_weight)
        figures["poverty_headcount"] = fgt(welfare, person_weight, self.prices.poverty_line, 0)
        figures["poverty_gap"] = fgt(welfare, person_weight, self.prices.poverty_line, 1)
        figures["poor_persons"] = figures["poverty_headcount"] * float(person_weight.sum())
        figures["gini"] = gini(welfare, person_weight)
        return figures

    def comparison(self, reform: str, baseline: str = "baseline") -> dict[str, dict[str, float]]:
        """``{figure: {"baseline": b, "reform": r, "change": r − b}}`` for every headline figure."""
        before, after = self.headline(baseline), self.headline(reform)
        return {key: {"baseline": before[key], "reform": after[key], "change": after[key] - before[key]} for key in before}
