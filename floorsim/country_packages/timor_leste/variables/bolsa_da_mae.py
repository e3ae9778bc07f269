"""Bolsa da Mãe — the conditional cash transfer (Subsídio de Apoio Condicional) for vulnerable households with
dependent children.

Created in law by Decree-Law No. 18/2012 of 4 April and regulated by Ministerial Diploma No. 27/2012 (poverty line,
vulnerability scale, amounts); first amended by Decree-Law No. 22/2021 (which added the Jerasaun Foun benefits,
see ``bolsa_da_mae_jerasaun_foun.py``) and secondly by the decree-law approved by the Council of Ministers on
6 December 2023 (amounts by school cycle and a disability supplement from 2024). The 2008–2012 pilot is not encoded:
its rules and amounts were not found. Parameters are under ``benefits.bolsa_da_mae`` with their sources
(``docs/sources/timor_leste_cash_transfers.md``).

One rule over the whole period, with the changes carried by dated parameters: a household that passes the poverty
test receives, for each child who counts (aged 0–17; from age 6 enrolled in school), the amount of the child's
cycle plus, from 2024, a disability supplement for a school-age child in school; at most ``max_children``
children are paid (the largest amounts first). Before 2024 every child's amount is USD 5 and the supplement is 0.
Formulas start in May 2012, the first full month after the decree-law of 4 April 2012.
"""

import numpy as np
from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household, Person
from floorsim.country_packages.timor_leste.variables._helpers import sum_of_largest_per_household

BDM_REFERENCE = [
    "Decree-Law No. 18/2012 of 4 April, Subsídio de Apoio Condicional 'Bolsa da Mãe': "
    "http://www.mj.gov.tl/jornal/?q=node/1059",
    "Ministerial Diploma No. 27/2012, Regulamentação do Subsídio de Apoio Condicional Bolsa da Mãe: "
    "https://mj.gov.tl/jornal/?q=node%2F3272",
]


class bolsa_da_mae_poverty_line(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Bolsa da Mãe poverty line per person per month (USD): the daily line of Ministerial Diploma 27/2012"
    reference = BDM_REFERENCE

    def formula_2012_05(household, period, parameters):
        """line per month = line per day (USD 1.25) x days per year (365, a convention) / 12 = USD 38.02."""
        vulnerability = parameters(period).benefits.bolsa_da_mae.vulnerability
        line = vulnerability.poverty_line_per_day * vulnerability.days_per_year / 12
        return household.filled_array(line)


class bolsa_da_mae_vulnerable(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Household selected as economically and socially vulnerable for Bolsa da Mãe"
    reference = BDM_REFERENCE
    documentation = """
    The law selects households by two tests: per-capita income not above USD 1.25 a day (Ministerial Diploma
    27/2012, Art. 1, for Decree-Law 18/2012, Art. 8(2)) and a vulnerability scale (Art. 2), whose indicators,
    points and thresholds could not be read. Give this variable as an input when the selection is known (for
    instance a proxy-means-test score computed outside the package). Otherwise floorsim approximates the selection
    by the poverty test alone, on consumption instead of income: household consumption per person per month at
    or below the line converted to a month (bolsa_da_mae_poverty_line). Consumption measured in a survey already
    includes the Bolsa da Mãe of current recipients, and the line is not moved with prices after 2012.
    """

    def formula_2012_05(household, period, _parameters):
        per_capita = household("household_consumption", period) / household("household_size", period)
        return per_capita <= household("bolsa_da_mae_poverty_line", period)


class bolsa_da_mae_eligible_child(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Child who counts for Bolsa da Mãe: aged 0-17 and, from the school-condition age, enrolled in school"
    reference = BDM_REFERENCE

    def formula_2012_05(person, period, parameters):
        bdm = parameters(period).benefits.bolsa_da_mae
        age = person("age", period)
        meets_school_condition = (age < bdm.school_condition_minimum_age) | person("in_school", period)
        return (age >= 0) & (age <= bdm.child_maximum_age) & meets_school_condition


class bolsa_da_mae_child_amount(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    label = "Bolsa da Mãe amount a child counts for in the month, before the household's cap and poverty test (USD)"
    reference = BDM_REFERENCE + [
        "Council of Ministers, 6 December 2023 (second amendment of Decree-Law 18/2012), reported by Independente: "
        "https://www.independente.tl/nasionali/km-aprova-revogasaun-dekretu-lei-bolsa-da-mae-nova-jerasaun",
    ]

    def formula_2012_05(person, period, parameters):
        """amount = cycle amount (basic or secondary, by age) + supplement if disabled, of school age and in school.

        Before 2024 both cycle amounts are USD 5 and the supplement is 0; from 2024 USD 8 / 10 and USD 5.
        """
        bdm = parameters(period).benefits.bolsa_da_mae
        age = person("age", period)
        secondary = age >= bdm.secondary_cycle_minimum_age
        cycle_amount = np.where(secondary, bdm.amount.secondary, bdm.amount.basic)
        supplement_applies = (
            person("has_disability", period) & person("in_school", period) & (age >= bdm.school_condition_minimum_age)
        )
        amount = cycle_amount + np.where(supplement_applies, bdm.disability_supplement, 0)
        return np.where(person("bolsa_da_mae_eligible_child", period), amount, 0)


class bolsa_da_mae(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Bolsa da Mãe received by the household in the month (USD)"
    reference = BDM_REFERENCE

    def formula_2012_05(household, period, parameters):
        """Sum of the ``max_children`` largest child amounts (3 x USD 5 = USD 15 at most before 2024), if vulnerable."""
        cap = parameters(period).benefits.bolsa_da_mae.max_children
        child_amounts = household.members("bolsa_da_mae_child_amount", period)
        total = sum_of_largest_per_household(household, child_amounts, cap)
        return np.where(household("bolsa_da_mae_vulnerable", period), total, 0)


class bolsa_da_mae_annual(Variable):
    value_type = float
    entity = Household
    definition_period = YEAR
    unit = "currency-USD"
    label = "Bolsa da Mãe received by the household over the year: the sum of the months in force (USD)"
    reference = BDM_REFERENCE

    def formula(household, period, _parameters):
        return household("bolsa_da_mae", period, options=[ADD])
