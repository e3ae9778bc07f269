"""Results of a microsimulation: annual amounts for each scenario, and the headline figures derived from them
(cost, beneficiaries, poverty, inequality).

Welfare follows DESIGN.md: observed welfare (consumption, or income for income surveys) already contains the
transfers households receive today, so under scenario ``s`` household welfare is
``observed − baseline transfers + transfers under s`` (monthly, after moving observed welfare to the simulated
year's prices), divided by household size. Everyone in a household carries its per-capita welfare; indicators are
person-weighted (household weight × size) and summed in float64.

Headline figures are computed from household-level arrays, which both in-memory and streamed runs return;
person-level arrays are kept for in-memory runs only (``ScenarioOutputs.person``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulations.countries import CountrySpec
from simulations.errors import FloorsimError, ScenarioError
from simulations.indicators import fgt, gini, weighted_count, weighted_quantile, weighted_total
from simulations.prices import PriceContext
from simulations.scenarios import Scenario
from surveys.model import Survey, SurveyMetadata

MONTHS_PER_YEAR = 12
HOUSEHOLD_SUM = "household_sum:"
RECIPIENTS = "recipients:"


@dataclass
class ScenarioOutputs:
    """Annual amounts (currency per year, float64) of one scenario, aligned with the survey's rows.

    ``household`` holds household variables, and for each person variable ``v`` its household sum
    (``household_sum:v``) and number of recipients (``recipients:v``, persons with a positive amount).
    """

    name: str
    scenario: Scenario
    person: dict[str, np.ndarray] = field(default_factory=dict)
    household: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Results:
    """Everything a run produced, with what is needed to compute indicators from it.

    ``households`` holds household-level arrays aligned with the outputs: ``household_id``, ``weight``,
    ``size`` and observed ``welfare`` (household total per month, survey prices).
    """

    spec: CountrySpec
    metadata: SurveyMetadata
    households: dict[str, np.ndarray]
    year: int
    scenarios: dict[str, ScenarioOutputs]
    price_context: PriceContext | FloorsimError
    run_info: dict
    survey: Survey | None = None

    @property
    def prices(self) -> PriceContext:
        """Poverty line and uprating of the simulated year; raises if the country's price data do not cover it."""
        if isinstance(self.price_context, FloorsimError):
            raise self.price_context
        return self.price_context

    @property
    def poverty_line(self) -> float:
        """The poverty line of the run (currency per person per month): the national line of the simulated year,
        or ``share × weighted median`` of baseline welfare per capita for a relative line (fixed across
        scenarios, so that reforms are judged against one line)."""
        share = self.spec.poverty_line.share_of_median
        if share is None:
            return float(self.prices.poverty_line)
        return share * float(weighted_quantile(self.welfare_per_capita("baseline"), self.person_weight_of_household, 0.5))

    def scenario(self, name: str) -> ScenarioOutputs:
        if name not in self.scenarios:
            raise ScenarioError(f"no scenario '{name}'; this run has {', '.join(self.scenarios)}")
        return self.scenarios[name]

    @property
    def person_weight_of_household(self) -> np.ndarray:
        """Number of persons each household represents: household weight × household size (float64)."""
        return self.households["weight"] * self.households["size"]

    def welfare_per_capita(self, name: str, baseline: str = "baseline") -> np.ndarray:
        """Monthly welfare per person of each household under scenario ``name`` (currency per person per month).

        ``(y × uprating − T_baseline / 12 + T_name / 12) / size``, where ``y`` is observed household welfare per
        month and ``T`` the household's simulated annual transfers; welfare is floored at zero.
        """
        transfers = self.spec.transfers_variable
        observed = self.households["welfare"] * self.prices.consumption_uprating
        change = (
            self.scenario(name).household[transfers] - self.scenario(baseline).household[transfers]
        ) / MONTHS_PER_YEAR
        return np.maximum(observed + change, 0.0) / self.households["size"]

    def programme_cost(self, name: str, programme: str) -> float:
        """Annual cost of ``programme`` under scenario ``name``: Σ household weight × household amount."""
        variable, entity = self._programme(programme)
        household = self.scenario(name).household
        amounts = household[f"{HOUSEHOLD_SUM}{variable}"] if entity == "person" else household[variable]
        return weighted_total(amounts, self.households["weight"])

    def programme_beneficiaries(self, name: str, programme: str) -> float:
        """Persons (person programmes) or households (household programmes) receiving a positive amount."""
        variable, entity = self._programme(programme)
        household = self.scenario(name).household
        if entity == "person":
            return weighted_total(household[f"{RECIPIENTS}{variable}"], self.households["weight"])
        return weighted_count(household[variable] > 0, self.households["weight"])

    def _programme(self, programme: str) -> tuple[str, str]:
        if programme not in self.spec.programmes:
            raise ScenarioError(f"no programme '{programme}'; the country has {', '.join(self.spec.programmes)}")
        definition = self.spec.programmes[programme]
        return definition.variable, definition.entity

    def headline(self, name: str) -> dict[str, float]:
        """Headline figures of one scenario (amounts per year in the country's currency; rates as fractions)."""
        weights = self.person_weight_of_household
        welfare = self.welfare_per_capita(name)
        line = self.poverty_line
        figures: dict[str, float] = {}
        for key in self.spec.programmes:
            figures[f"{key}_cost"] = self.programme_cost(name, key)
            figures[f"{key}_beneficiaries"] = self.programme_beneficiaries(name, key)
        figures["total_cost"] = weighted_total(
            self.scenario(name).household[self.spec.transfers_variable], self.households["weight"]
        )
        figures["poverty_headcount"] = fgt(welfare, weights, line, 0)
        figures["poverty_gap"] = fgt(welfare, weights, line, 1)
        figures["poor_persons"] = figures["poverty_headcount"] * float(weights.sum())
        figures["gini"] = gini(welfare, weights)
        return figures

    def comparison(self, reform: str, baseline: str = "baseline") -> dict[str, dict[str, float]]:
        """``{figure: {"baseline": b, "reform": r, "change": r − b}}`` for every headline figure."""
        before, after = self.headline(baseline), self.headline(reform)
        return {key: {"baseline": before[key], "reform": after[key], "change": after[key] - before[key]} for key in before}
