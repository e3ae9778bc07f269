"""The ILO Social Protection Floors Calculator's aggregate formula, on a survey's population.

The calculator (ESS Working Paper 58, Annex II) costs each benefit as "the product of the estimated beneficiary
population and the unit cost of the benefit". Here the beneficiary populations are weighted counts from a survey
in floorsim's data model, so that the formula can be compared with the microsimulated floor
(``floorsim.country_packages.social_protection_floor``) on the same data:

    annual cost_c = eligible population_c × (share_c × poverty line × phase-in) × months_c
    administrative cost = administrative share × Σ_c annual cost_c

with months_c = 12 for recurrent benefits and ``maternity.months`` for the maternity benefit, whose beneficiary
population is the number of births, defined as the floor defines them: the women who gave birth in the twelve
months before the survey where the survey has a ``gave_birth`` column (and the host maps it), otherwise
``maternity.births_per_woman`` × the women aged ``maternity.minimum_age`` to ``maternity.maximum_age``. Eligibility is categorical (no means test)
and take-up full, as in the calculator. This module deliberately uses no OpenFisca: it reads the survey's
columns (``age``, ``sex``, ``disability_severity`` and, if present, ``orphan`` and ``gave_birth``) with pandas/numpy. Persons carry
their household's weight, as in the engine. Ages are the survey's: use it for years in which the host carries
survey ages unchanged (Timor-Leste's ``age`` input), not for hosts that age persons from a birth date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from floorsim.simulations.errors import ScenarioError
from floorsim.surveys.model import Survey

MONTHS_PER_YEAR = 12
COMPONENTS = ("child", "orphan", "maternity", "disability", "old_age")


class FloorLevels(BaseModel):
    """The floor's rules, as numbers (shares of the poverty line; ages in completed years)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    child_share: float = Field(ge=0)
    child_minimum_age: float = 0
    child_age_limit: float
    orphan_share: float = Field(ge=0)
    orphan_age_limit: float
    maternity_share: float = Field(ge=0)
    maternity_months: float = Field(ge=0)
    maternity_births_per_woman: float = Field(default=0, ge=0)
    maternity_minimum_age: float = 15
    maternity_maximum_age: float = 49
    disability_share: float = Field(ge=0)
    disability_minimum_severity: float
    old_age_share: float = Field(ge=0)
    old_age_minimum_age: float
    old_age_minimum_age_women: float
    administrative_cost_share: float = Field(default=0, ge=0)
    phase_in: float = Field(default=1, ge=0)

    @classmethod
    def from_parameters(cls, parameters, instant: str) -> FloorLevels:
        """Read the values in force at ``instant`` from a parameter tree holding ``social_protection_floor``."""
        node = parameters(instant).social_protection_floor
        return cls(
            child_share=node.child.share,
            child_minimum_age=node.child.minimum_age,
            child_age_limit=node.child.age_limit,
            orphan_share=node.orphan.share,
            orphan_age_limit=node.orphan.age_limit,
            maternity_share=node.maternity.share,
            maternity_months=node.maternity.months,
            maternity_births_per_woman=node.maternity.births_per_woman,
            maternity_minimum_age=node.maternity.minimum_age,
            maternity_maximum_age=node.maternity.maximum_age,
            disability_share=node.disability.share,
            disability_minimum_severity=node.disability.minimum_severity,
            old_age_share=node.old_age.share,
            old_age_minimum_age=node.old_age.minimum_age,
            old_age_minimum_age_women=node.old_age.minimum_age_women,
            administrative_cost_share=node.administrative_cost_share,
            phase_in=node.phase_in,
        )


@dataclass(frozen=True)
class CalculatorResult:
    """Per component: eligible population, monthly benefit, months paid and annual cost; and the totals."""

    table: pd.DataFrame
    benefits: float
    administrative_cost: float

    @property
    def total(self) -> float:
        return self.benefits + self.administrative_cost


def eligible_populations(survey: Survey, levels: FloorLevels, use_gave_birth: bool = False) -> dict[str, float]:
    """Weighted number of eligible persons per component (births for maternity: the survey's ``gave_birth``
    women when ``use_gave_birth``, else births per woman × women of childbearing age)."""
    persons = survey.persons
    missing = {"age", "sex", "disability_severity"} - set(persons.columns)
    if missing:
        raise ScenarioError(f"survey '{survey.metadata.name}' lacks person columns {sorted(missing)}")
    weight = survey.households["weight"].to_numpy(np.float64)[survey.person_household_index]
    age = persons["age"].to_numpy(np.float64)
    female = (persons["sex"].astype(str) == "female").to_numpy()
    severity = persons["disability_severity"].to_numpy(np.float64)
    orphan = persons["orphan"].to_numpy(bool) if "orphan" in persons.columns else np.zeros(len(persons), bool)
    pension_age = np.where(female, levels.old_age_minimum_age_women, levels.old_age_minimum_age)
    if use_gave_birth:
        births = persons["gave_birth"].to_numpy(np.float64)
    else:
        childbearing = female & (age >= levels.maternity_minimum_age) & (age <= levels.maternity_maximum_age)
        births = childbearing * levels.maternity_births_per_woman
    groups = {
        "child": (age >= levels.child_minimum_age) & (age < levels.child_age_limit),
        "orphan": orphan & (age < levels.orphan_age_limit),
        "maternity": births,
        "disability": severity >= levels.disability_minimum_severity,
        "old_age": age >= pension_age,
    }
    return {component: float(np.dot(weight, np.asarray(groups[component], np.float64))) for component in COMPONENTS}


def aggregate_cost(
    survey: Survey, levels: FloorLevels, poverty_line: float, use_gave_birth: bool = False
) -> CalculatorResult:
    """The calculator's annual cost of each component on ``survey`` (currency per year, float64).

    ``poverty_line`` is the line the shares apply to, per person per month in the simulated year's prices;
    ``use_gave_birth``: count births from the survey's ``gave_birth`` column (as a host mapping it does).
    """
    eligible = eligible_populations(survey, levels, use_gave_birth)
    shares = {
        "child": levels.child_share,
        "orphan": levels.orphan_share,
        "maternity": levels.maternity_share,
        "disability": levels.disability_share,
        "old_age": levels.old_age_share,
    }
    months = {component: float(MONTHS_PER_YEAR) for component in COMPONENTS} | {"maternity": levels.maternity_months}
    rows = []
    for component in COMPONENTS:
        benefit = shares[component] * float(poverty_line) * levels.phase_in
        rows.append(
            {
                "component": component,
                "eligible": eligible[component],
                "monthly_benefit": benefit,
                "months": months[component],
                "annual_cost": eligible[component] * benefit * months[component],
            }
        )
    table = pd.DataFrame(rows).set_index("component")
    benefits = float(table["annual_cost"].sum())
    return CalculatorResult(table, benefits, levels.administrative_cost_share * benefits)
