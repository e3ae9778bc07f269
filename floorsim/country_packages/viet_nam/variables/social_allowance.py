"""Monthly social allowance (trợ cấp xã hội hàng tháng) of Decree 20/2021/NĐ-CP, from 1 July 2021.

allowance = base level (Art. 4, ``social_assistance.base_level``) × coefficient (Art. 6(1)). Each category of
Art. 5 has its own coefficient variable below (0 when the person is not in the category). A person in several
categories receives only the highest (Art. 6(2)), except that a poor single parent raising children (Art. 5(4),
1.0 per child) who is also an older person (5(5)), a person with a disability (5(6)) or a person with HIV (5(8))
receives both the per-child allowance and their own. From July 2025 the social pension (social_pension.py) is
compared with this allowance and only the higher is paid.
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Household, Person
from floorsim.country_packages.viet_nam.variables.demographics import DisabilityLevel, Relationship

DECREE_20 = "Decree 20/2021/NĐ-CP of 15 March 2021, in force 1 July 2021"


def _poor(person, period):
    return person.household("poor_household", period)


def _poor_or_near_poor(person, period):
    return person.household("poor_or_near_poor_household", period)


class coefficient_child_without_support(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(1): child under 16 without a source of support - coefficient (2.5 under 4, 1.5 from 4)"
    reference = f"{DECREE_20}, Art. 5(1) and 6(1)(a)"

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        age = person("age", period)
        eligible = person("no_supporter", period) & (age < sa.ages.child_limit)
        return eligible * sa.coefficients.child_without_support.calc(age)


class coefficient_student_without_support(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(2): person of Art. 5(1) aged 16 to 22 still in education - coefficient 1.5"
    reference = f"{DECREE_20}, Art. 5(2) and 6(1)(b)"

    def formula_2021_07(person, period, parameters):
        """Without a source of support, from 16 up to 22 (completed years) and in education."""
        sa = parameters(period).social_assistance
        age = person("age", period)
        in_band = (age >= sa.ages.child_limit) & (age <= sa.ages.student_maximum)
        eligible = person("no_supporter", period) & in_band & person("in_school", period)
        return eligible * sa.coefficients.student_without_support


class coefficient_child_with_hiv(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(3): child with HIV in a poor household - coefficient (2.5 under 4, 2.0 from 4 to 15)"
    reference = f"{DECREE_20}, Art. 5(3) and 6(1)(c)"

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        age = person("age", period)
        eligible = person("hiv", period) & _poor(person, period) & (age < sa.ages.child_limit)
        return eligible * sa.coefficients.child_with_hiv.calc(age)


class older_poor_without_supporter(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Art. 5(5)(a): older person (60+) in a poor household with no one obliged to support them"
    reference = f"{DECREE_20}, Art. 5(5)(a)"

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        older = person("age", period) >= sa.ages.older_person
        return older & _poor(person, period) & person("no_supporter", period)


class coefficient_older_poor_without_supporter(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(5)(a): older person in a poor household without a supporter - coefficient (1.5 at 60-79, 2.0 at 80+)"
    reference = f"{DECREE_20}, Art. 5(5)(a) and 6(1)(đ)"

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        eligible = person("older_poor_without_supporter", period)
        return eligible * sa.coefficients.older_poor_without_supporter.calc(person("age", period))


class coefficient_older_75_difficult_commune(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(5)(b): 75 to 79 in a poor or near-poor household of an especially difficult commune - coefficient 1.0"
    reference = f"{DECREE_20}, Art. 5(5)(b), 6(1)(đ) and 8(1) (from the month the person reaches 75)"

    def formula_2021_07(person, period, parameters):
        """From the month of the 75th birthday (``age`` is the age reached in the month) to the month before the
        80th, when Art. 5(5)(c) takes over with the same coefficient; not for persons of Art. 5(5)(a)."""
        sa = parameters(period).social_assistance
        age = person("age", period)
        in_band = (age >= sa.ages.older_75) & (age < sa.ages.older_80)
        commune = person.household("especially_difficult_commune", period)
        eligible = in_band & _poor_or_near_poor(person, period) & commune
        eligible = eligible & ~person("older_poor_without_supporter", period)
        return eligible * sa.coefficients.older_75_difficult_commune


class coefficient_older_80_without_pension(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(5)(c): 80 or over without a pension or monthly social-insurance benefit - coefficient 1.0"
    reference = f"{DECREE_20}, Art. 5(5)(c), 6(1)(đ) and 8(1) (from the month the person reaches 80)"

    def formula_2021_07(person, period, parameters):
        """Any pension, monthly social-insurance benefit or other monthly allowance above 0 excludes; persons of
        Art. 5(5)(a) are paid under (a) instead."""
        sa = parameters(period).social_assistance
        eligible = (person("age", period) >= sa.ages.older_80) & (person("monthly_pension", period) <= 0)
        eligible = eligible & ~person("older_poor_without_supporter", period)
        return eligible * sa.coefficients.older_80_without_pension


class coefficient_older_community_care(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(5)(d): poor older person without a supporter, cared for in the community - coefficient 3.0"
    reference = f"{DECREE_20}, Art. 5(5)(d) and 6(1)(đ)"

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        eligible = person("older_poor_without_supporter", period) & person("community_care", period)
        return eligible * sa.coefficients.older_community_care


class coefficient_disability(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(6): severe or especially severe disability - coefficient (1.5 to 2.5 by level and age)"
    reference = f"{DECREE_20}, Art. 5(6), 6(1)(e) and 8(1) (from the month the level is certified)"

    def formula_2021_07(person, period, parameters):
        """Especially severe: 2.0, or 2.5 for a child (under 16) or an older person (60+); severe: 1.5, or 2.0 for
        a child or an older person. No poverty condition. The level is the certified one (disability_certificate)."""
        sa = parameters(period).social_assistance
        rates = sa.coefficients.disability
        age = person("age", period)
        child_or_older = (age < sa.ages.child_limit) | (age >= sa.ages.older_person)
        level = person("disability_certificate", period)
        especially_severe = np.where(
            child_or_older, rates.especially_severe_child_or_older, rates.especially_severe_adult
        )
        severe = np.where(child_or_older, rates.severe_child_or_older, rates.severe_adult)
        return np.select(
            [level == DisabilityLevel.especially_severe, level == DisabilityLevel.severe],
            [especially_severe, severe],
            0.0,
        )


class coefficient_infant_difficult_commune(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(7): child under 3 in a poor or near-poor household of an especially difficult commune - coefficient 1.5"
    reference = f"{DECREE_20}, Art. 5(7) and 6(1)(g)"

    def formula_2021_07(person, period, parameters):
        """Not for children of Art. 5(1), 5(3) or 5(6) (who receive a higher coefficient anyway)."""
        sa = parameters(period).social_assistance
        infant = person("age", period) < sa.ages.infant_limit
        commune = person.household("especially_difficult_commune", period)
        other_category = (
            (person("coefficient_child_without_support", period) > 0)
            | (person("coefficient_child_with_hiv", period) > 0)
            | (person("coefficient_disability", period) > 0)
        )
        eligible = infant & _poor_or_near_poor(person, period) & commune & ~other_category
        return eligible * sa.coefficients.infant_difficult_commune


class coefficient_hiv_poor(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(8): person with HIV in a poor household without a stable monthly income - coefficient 1.5"
    reference = f"{DECREE_20}, Art. 5(8) and 6(1)(g)"
    documentation = """
    "Không có nguồn thu nhập ổn định hàng tháng như tiền lương, tiền công, lương hưu, trợ cấp bảo hiểm xã hội, trợ
    cấp xã hội hàng tháng": the package tests the pension input only (monthly_pension = 0). Wages of a person in a
    poor household are assumed not to be a stable monthly income: an ASSUMPTION, as surveys rarely say whether
    earnings are regular.
    """

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        no_stable_income = person("monthly_pension", period) <= 0
        eligible = person("hiv", period) & _poor(person, period) & no_stable_income
        return eligible * sa.coefficients.hiv_poor


class single_parent_children_raised(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Art. 5(4): children a poor or near-poor single parent is raising (under 16, or 16-22 in education)"
    reference = f"{DECREE_20}, Art. 5(4)"
    documentation = """
    The law covers a parent who never married or whose spouse died or is declared missing. Surveys give
    relationships to the head, not marital status, so the package reads a single parent as the head of a poor or
    near-poor household with no spouse in the household and with children of the head (relationship 'child')
    under 16, or aged 16 to 22 in education. ASSUMPTION: divorced or separated heads are counted too (an
    overstatement), and single parents who are not the head (living with their parents) are missed (an
    understatement).
    """

    def formula_2021_07(person, period, parameters):
        sa = parameters(period).social_assistance
        age = person("age", period)
        relationship = person("relationship", period)
        raised = (relationship == Relationship.child) & (
            (age < sa.ages.child_limit)
            | ((age <= sa.ages.student_maximum) & person("in_school", period))
        )
        # person.household.sum(...) gives each member the total of their household.
        children = person.household.sum(raised)
        spouses = person.household.sum(relationship == Relationship.spouse)
        is_head = relationship == Relationship.head
        single_parent = is_head & (spouses == 0) & _poor_or_near_poor(person, period)
        return np.where(single_parent, children, 0)


class coefficient_single_parent(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Art. 5(4): poor single parent raising children - coefficient (1.0 per child raised)"
    reference = f"{DECREE_20}, Art. 5(4) and 6(1)(d)"

    def formula_2021_07(person, period, parameters):
        per_child = parameters(period).social_assistance.coefficients.single_parent_per_child
        return person("single_parent_children_raised", period) * per_child


class social_allowance_coefficient(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "Coefficient of the monthly social allowance after Art. 6(2): the highest, plus the single-parent one where cumulable"
    reference = f"{DECREE_20}, Art. 6(2)"

    def formula_2021_07(person, period, _parameters):
        """max(highest own coefficient, single-parent coefficient + highest of the 5(5), 5(6), 5(8) coefficients).

        Art. 6(2): only the highest; but a poor single parent who is in 5(5), 5(6) or 5(8) receives both regimes.
        With no such category the second term is the single-parent coefficient alone, so the formula is the plain
        highest-only rule there.
        """
        cumulable = np.maximum.reduce([
            person("coefficient_older_poor_without_supporter", period),
            person("coefficient_older_75_difficult_commune", period),
            person("coefficient_older_80_without_pension", period),
            person("coefficient_older_community_care", period),
            person("coefficient_disability", period),
            person("coefficient_hiv_poor", period),
        ])
        own = np.maximum.reduce([
            cumulable,
            person("coefficient_child_without_support", period),
            person("coefficient_student_without_support", period),
            person("coefficient_child_with_hiv", period),
            person("coefficient_infant_difficult_commune", period),
        ])
        return np.maximum(own, person("coefficient_single_parent", period) + cumulable)


class social_allowance_entitlement(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    label = "Monthly social allowance the person is entitled to under Decree 20/2021 (VND), before the social pension"
    reference = f"{DECREE_20}, Art. 4 and 6; Decree 76/2024/NĐ-CP (base level from 1 July 2024)"

    def formula_2021_07(person, period, parameters):
        base = parameters(period).social_assistance.base_level
        return base * person("social_allowance_coefficient", period)


class monthly_social_allowance(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    label = "Monthly social allowance paid to the person in the month (VND)"
    reference = f"{DECREE_20}; Law on Social Insurance 41/2024/QH15 Art. 21 (only the higher of this and the social pension)"

    def formula_2021_07(person, period, _parameters):
        """The entitlement, unless the social pension is paid instead (it is the higher or equal amount)."""
        entitlement = person("social_allowance_entitlement", period)
        return np.where(person("social_pension", period) > 0, 0.0, entitlement)


class household_monthly_social_allowance(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    label = "Monthly social allowance received by members of the household in the month (VND)"
    reference = DECREE_20

    def formula(household, period, _parameters):
        return household.sum(household.members("monthly_social_allowance", period))


class monthly_social_allowance_annual(Variable):
    value_type = float
    entity = Person
    definition_period = YEAR
    unit = "currency-VND"
    label = "Monthly social allowance received by the person over the year (VND)"
    reference = DECREE_20

    def formula(person, period, _parameters):
        return person("monthly_social_allowance", period, options=[ADD])
