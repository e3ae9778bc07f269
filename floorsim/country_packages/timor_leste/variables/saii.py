"""SAII — Subsídio de Apoio a Idosos e Inválidos, the universal old-age and invalidity allowance.

Created by Decree-Law No. 19/2008 of 19 June (Jornal da República); since 2022 the non-contributory social pension
of the social security system (Decree-Law 53/2022 of 20 July, amended in January 2024). A monthly cash allowance
for Timorese citizens who have reached the old-age minimum age, and for citizens above the invalidity minimum age
who are permanently unable to work. Amounts, age supplements and ages are parameters under ``benefits.saii`` with
their references (``docs/sources/timor_leste.md``).

Formulas start in January 2008: the decree-law is of 19 June 2008, but the Government's account of the allowance
says the first payment was backdated to the start of 2008 (``benefits.saii.amount``, gov.tl p=4157).
"""

from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable


from floorsim.country_packages.timor_leste.entities import Household, Person

SAII_REFERENCE = "Decree-Law No. 19/2008 of 19 June (Subsídio de Apoio a Idosos e Inválidos), Jornal da República"


class saii_old_age_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Meets the SAII old-age conditions (citizen at or above the minimum age)"
    reference = SAII_REFERENCE

    def formula_2008_01(person, period, parameters):
        saii = parameters(period).benefits.saii
        return person("is_citizen", period) & (person("age", period) >= saii.old_age_minimum_age)


class saii_invalidity_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Meets the SAII invalidity conditions (citizen of working age or over, unable to work)"
    reference = SAII_REFERENCE

    def formula_2008_01(person, period, parameters):
        saii = parameters(period).benefits.saii
        adult = person("age", period) >= saii.invalidity_minimum_age
        return person("is_citizen", period) & adult & person("unable_to_work", period)


class saii(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    label = "SAII allowance paid to the person in the month (USD)"
    reference = SAII_REFERENCE

    def formula_2008_01(person, period, parameters):
        """One allowance per person, whichever of the two conditions (or both) is met.

        amount = (base amount + age supplement(age)) if eligible and not excluded, else 0. The age supplement is
        zero before 2024. A person receiving another permanent State cash benefit larger than the allowance is
        excluded (Decree-Law 19/2008, non-cumulation rule). From 2024, when ``work_income_excludes`` is true, a
        person with any regular monthly earnings (USD > 0) is excluded too (2024 amendment of Decree-Law 53/2022).
        """
        saii = parameters(period).benefits.saii
        eligible = person("saii_old_age_eligible", period) | person("saii_invalidity_eligible", period)
        full_amount = saii.amount + saii.age_supplement.calc(person("age", period))
        larger_state_benefit = person("other_state_benefit", period) > full_amount
        # The release gives no threshold ("não acumulável com o rendimento do trabalho"): any earnings exclude.
        has_work_income = saii.work_income_excludes & (person("regular_monthly_earnings", period) > 0)
        excluded = larger_state_benefit | has_work_income
        return (eligible & ~excluded) * full_amount


class other_state_benefit(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    set_input = set_input_dispatch_by_period
    label = "Other permanent cash benefit paid by the State to the person in the month (USD; pensions, veterans' pensions)"
    reference = SAII_REFERENCE
    documentation = """
    Decree-Law 19/2008 does not allow the SAII to be combined with another permanent cash benefit paid by the
    State when that benefit is larger. Surveys rarely identify such benefits, so the default is 0 (no exclusion).
    Non-cumulation with work income (2024 amendment of Decree-Law 53/2022) uses ``regular_monthly_earnings`` and
    the parameter ``benefits.saii.work_income_excludes``.
    """


class household_saii(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "SAII received by members of the household in the month (USD)"
    reference = SAII_REFERENCE

    def formula(household, period, _parameters):
        return household.sum(household.members("saii", period))


class saii_annual(Variable):
    value_type = float
    entity = Person
    definition_period = YEAR
    unit = "currency-USD"
    label = "SAII received by the person over the year: the sum of the months in force (USD)"
    reference = SAII_REFERENCE

    def formula(person, period, _parameters):
        return person("saii", period, options=[ADD])
