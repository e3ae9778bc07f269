"""Social pension (trợ cấp hưu trí xã hội) of the Law on Social Insurance 41/2024/QH15 Art. 21 and Decree
176/2025/NĐ-CP, from 1 July 2025.

VND 500,000 a month for a Vietnamese citizen aged 75 or over, or 70 to 74 in a poor or near-poor household, who
receives no monthly pension or social-insurance benefit, or one lower than the social pension, on written request
(take-up is assumed complete). A person also entitled to the monthly social allowance of Decree 20/2021 receives
only the higher of the two.
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Household, Person

LAW_41 = "Law on Social Insurance 41/2024/QH15 Art. 21; Decree 176/2025/NĐ-CP of 30 June 2025 (from 1 July 2025)"


class social_pension_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Meets the social pension's conditions: 75+, or 70+ in a poor or near-poor household, pension below the amount"
    reference = LAW_41

    def formula_2025_07(person, period, parameters):
        """age ≥ 75, or age ≥ 70 in a poor or near-poor household; and a monthly pension or social-insurance
        benefit below the social pension (0 when none). The age is the one reached in the month (Art. 8 reading of
        ``age``); the reports read give no start-month rule of their own."""
        sp = parameters(period).social_pension
        age = person("age", period)
        poor = person.household("poor_or_near_poor_household", period)
        old_enough = (age >= sp.minimum_age) | ((age >= sp.minimum_age_poor) & poor)
        return old_enough & (person("monthly_pension", period) < sp.amount)


class social_pension_entitlement(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    label = "Social pension the person is entitled to, before comparison with the monthly social allowance (VND)"
    reference = LAW_41

    def formula_2025_07(person, period, parameters):
        """amount, or amount − pension when ``top_up_only`` (an interpretation switch, false by default)."""
        sp = parameters(period).social_pension
        pension = person("monthly_pension", period)
        amount = np.where(sp.top_up_only, sp.amount - pension, sp.amount)
        return person("social_pension_eligible", period) * np.maximum(amount, 0.0)


class social_pension(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    label = "Social pension paid to the person in the month (VND)"
    reference = LAW_41
    documentation = """
    Only the higher of the social pension and the monthly social allowance of Decree 20/2021 is paid. When both are
    equal (for example a person of 80 or over without a pension: 1.0 × 500,000 under Art. 5(5)(c) of Decree 20/2021,
    or 500,000 of social pension) the package pays the social pension: INTERPRETATION, the texts read do not say
    how Art. 5(5)(c) hands over to the social pension; the total paid is the same either way, only the programme it
    is counted under changes. The comparison is with the whole Decree 20/2021 allowance, including a single
    parent's per-child amount.
    """

    def formula_2025_07(person, period, _parameters):
        entitlement = person("social_pension_entitlement", period)
        allowance = person("social_allowance_entitlement", period)
        return np.where((entitlement > 0) & (entitlement >= allowance), entitlement, 0.0)


class household_social_pension(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    label = "Social pension received by members of the household in the month (VND)"
    reference = LAW_41

    def formula(household, period, _parameters):
        return household.sum(household.members("social_pension", period))


class social_pension_annual(Variable):
    value_type = float
    entity = Person
    definition_period = YEAR
    unit = "currency-VND"
    label = "Social pension received by the person over the year (VND)"
    reference = LAW_41

    def formula(person, period, _parameters):
        return person("social_pension", period, options=[ADD])
