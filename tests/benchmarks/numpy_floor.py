"""The numpy floor: the Timor-Leste rules of one year hand-written in numpy, a contender in the engine benchmark.

What a programmer who knows the rules would write without OpenFisca: every programme of
``floorsim/country_packages/timor_leste`` as array arithmetic over persons and households, parameter values read from the
package's sourced parameter tree (the baseline's or a reform's), each month's amount computed once and multiplied
by twelve where the parameters are the same in every month of the year (checked, else refused). Nothing is
simulated through OpenFisca. The benchmark checks that every output equals the engine's element by element, so
this is the same rules, not an approximation; the engine's time over the floor's is the price of OpenFisca.

Storage conventions copied from OpenFisca so that results are identical, not close: inputs are stored as float32
(money) and int32 (ages, severities), and the household's consumption per person is float32 divided by the int32
household size (numpy promotes that to float64) compared with the float32 line. Amounts are whole dollars, exact
in float32 and float64 alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.take_up import take_up_draws
from floorsim.surveys.model import Survey

MONTHS = 12


@dataclass(frozen=True)
class FloorInputs:
    """The survey as the floor's arrays: encoded once (the floor's "warm" state), like the engine's cache.

    Attributes:
        person_ids, household_ids: identifiers (for take-up draws).
        household_of: each person's household position (persons are grouped by household, in order).
        age, severity: int32 as OpenFisca stores them; pregnant, in_school: bool.
        municipality: the household's region as the index of ``Municipality`` (member order).
        consumption: household consumption per month at the simulated year's prices, float32.
        size: household size, int32.
    """

    person_ids: np.ndarray
    household_ids: np.ndarray
    household_of: np.ndarray
    age: np.ndarray
    severity: np.ndarray
    pregnant: np.ndarray
    in_school: np.ndarray
    municipality: np.ndarray
    consumption: np.ndarray
    size: np.ndarray


def floor_inputs(survey: Survey, system: TaxBenefitSystem, money_uprating: float) -> FloorInputs:
    """Encode ``survey`` once: regions to municipality indices, consumption moved to the simulated year's prices
    (``money_uprating``, the engine's CPI ratio), persons' household positions."""
    persons, households = survey.persons, survey.households
    names = list(system.variables["municipality"].possible_values._member_names_)
    municipality = pd.Categorical(households["region"], categories=names).codes
    if (municipality < 0).any():
        raise ValueError("numpy floor: a region is not a municipality of the package")
    sizes = survey.household_size.astype(np.int32)
    return FloorInputs(
        person_ids=persons["person_id"].to_numpy(np.int64),
        household_ids=households["household_id"].to_numpy(np.int64),
        household_of=np.repeat(np.arange(len(sizes), dtype=np.int64), sizes),
        age=persons["age"].to_numpy().astype(np.int32),
        severity=persons["disability_severity"].to_numpy().astype(np.int32),
        pregnant=persons["pregnant"].to_numpy(bool),
        in_school=persons["in_school"].to_numpy(bool),
        municipality=municipality.astype(np.int64),
        consumption=(households["consumption"].to_numpy(np.float64) * money_uprating).astype(np.float32),
        size=sizes,
    )


def _year_parameters(system: TaxBenefitSystem, year: int):
    """The parameters of ``year``, refused unless the same in every month (then one month × 12 is the year)."""
    first = system.parameters(f"{year}-01-01")
    reference = repr(first.benefits) + repr(first.take_up)
    for month in range(2, MONTHS + 1):
        later = system.parameters(f"{year}-{month:02d}-01")
        if repr(later.benefits) + repr(later.take_up) != reference:
            raise ValueError(f"numpy floor: parameters change within {year}; the floor covers constant years only")
    return first


def _sum_of_largest(household_of: np.ndarray, values: np.ndarray, count: int, n_households: int) -> np.ndarray:
    """Per household, the sum of its ``count`` largest member values (non-negative): one sort of the positive
    values only (most persons are not children who count)."""
    positive = np.flatnonzero(values > 0)
    households, amounts = household_of[positive], values[positive]
    order = np.lexsort((-amounts, households))
    households, amounts = households[order], amounts[order]
    positions = np.arange(len(order))
    first = np.r_[True, households[1:] != households[:-1]] if len(order) else np.zeros(0, bool)
    rank = positions - np.maximum.accumulate(np.where(first, positions, 0)) if len(order) else positions
    return np.bincount(households, weights=np.where(rank < count, amounts, 0.0), minlength=n_households)


def floor_run(inputs: FloorInputs, system: TaxBenefitSystem, year: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Annual amounts (float64) of every Timor-Leste programme and the household transfers total in ``year``.

    Person arrays: ``saii``, ``bolsa_da_mae_jerasaun_foun``, ``universal_child_grant``; household arrays:
    ``bolsa_da_mae``, ``covid_household_transfer``, ``year_end_payment_2022``, ``social_transfers`` (which adds the
    person programmes per household). Defaults of inputs the survey lacks: citizen, no earnings, no other State
    benefit, registered in the Uma Kain book (the package's defaults). Take-up of the SAII as the engine applies it.
    """
    parameters = _year_parameters(system, year)
    p, take_up = parameters.benefits, float(parameters.take_up.saii)
    n_households = len(inputs.size)
    age, household_of = inputs.age, inputs.household_of
    has_disability = inputs.severity >= 2

    # SAII: citizens at the old-age age, or adults unable to work (severity 3); no earnings, no other benefit.
    saii_p = p.saii
    eligible = (age >= saii_p.old_age_minimum_age) | ((age >= saii_p.invalidity_minimum_age) & (inputs.severity >= 3))
    thresholds = np.array(saii_p.age_supplement.thresholds, dtype=np.float64)
    supplements = np.array(saii_p.age_supplement.amounts, dtype=np.float64)
    bracket = np.searchsorted(thresholds, age, side="right") - 1
    full_amount = saii_p.amount + np.where(bracket >= 0, supplements[np.maximum(bracket, 0)], 0.0)
    # Other State benefit 0 is never larger than the allowance; earnings 0 never exclude: nobody is excluded.
    saii = np.where(eligible, full_amount, 0.0)
    if take_up < 1:
        saii = np.where(take_up_draws(inputs.person_ids, "saii", seed) < take_up, saii, 0.0)

    # Bolsa da Mãe: poverty test on consumption per person, the 3 largest child amounts.
    bdm = p.bolsa_da_mae
    line = np.float32(bdm.vulnerability.poverty_line_per_day * bdm.vulnerability.days_per_year / 12)
    vulnerable = inputs.consumption / inputs.size <= line
    child = (age >= 0) & (age <= bdm.child_maximum_age) & ((age < bdm.school_condition_minimum_age) | inputs.in_school)
    cycle = np.where(age >= bdm.secondary_cycle_minimum_age, bdm.amount.secondary, bdm.amount.basic)
    supplement = np.where(has_disability & inputs.in_school & (age >= bdm.school_condition_minimum_age),
                          bdm.disability_supplement, 0)
    child_amount = np.where(child, cycle + supplement, 0.0)
    bolsa = np.where(vulnerable, _sum_of_largest(household_of, child_amount, int(bdm.max_children), n_households), 0.0)

    # Jerasaun Foun: where in force and rolled out to the municipality; pregnancy and young-child amounts.
    jf = p.bolsa_da_mae_jerasaun_foun
    names = list(system.variables["municipality"].possible_values._member_names_)
    coverage = np.array([bool(jf.coverage[name]) for name in names]) & bool(jf.in_force)
    covered = coverage[inputs.municipality][household_of]
    young = (age >= 0) & (age < jf.child_age_limit)
    jf_amount = np.where(inputs.pregnant, jf.pregnancy_amount, 0) + np.where(
        young, jf.child_amount + np.where(has_disability, jf.disability_supplement, 0), 0
    )
    jerasaun_foun = np.where(covered, jf_amount, 0).astype(np.float64)

    # 2020 and 2022 household payments: every household registered, nobody above the ceilings (no earnings; the
    # SAII, at most USD 100 here, is below the USD 500 ceiling, checked).
    if saii.max(initial=0.0) > p.year_end_payment_2022.income_ceiling:
        raise ValueError("numpy floor: an SAII above the year-end payment's income ceiling is not covered")
    covid = np.full(n_households, float(p.covid_household_transfer.amount) if p.covid_household_transfer.month_covered else 0.0)
    year_end = np.full(n_households, float(p.year_end_payment_2022.amount) if p.year_end_payment_2022.month_paid else 0.0)

    ucg = p.universal_child_grant
    child_grant = np.where((age >= 0) & (age < ucg.age_limit), float(ucg.amount), 0.0)

    monthly_persons = saii + jerasaun_foun + child_grant
    transfers = np.bincount(household_of, weights=monthly_persons, minlength=n_households) + bolsa + covid + year_end
    return {
        "saii": saii * MONTHS,
        "bolsa_da_mae_jerasaun_foun": jerasaun_foun * MONTHS,
        "universal_child_grant": child_grant * MONTHS,
        "bolsa_da_mae": bolsa * MONTHS,
        "covid_household_transfer": covid * MONTHS,
        "year_end_payment_2022": year_end * MONTHS,
        "social_transfers": transfers * MONTHS,
    }
