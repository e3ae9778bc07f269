"""The one-off 2022 year-end household payment (Subsídio de Fim de Ano / apoio pontual aos agregados familiares),
Decree-Law No. 37/2022 of 25 May, as amended in November 2022.

USD 200 once per household, paid in December 2022, to households registered in the Livro de Registo de Uma Kain by
28 February 2022 (and present in the country), except, under the November 2022 amendment, households where a
member regularly receives more than USD 500 a month from work, business, property or social benefits. Parameters
are under ``benefits.year_end_payment_2022``.
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household

YEAR_END_REFERENCE = [
    "Decree-Law No. 37/2022 of 25 May; Council of Ministers of 6 May 2022: "
    "https://timor-leste.gov.tl/?lang=en&p=30546&print=1",
    "First amendment, Council of Ministers of 11 November 2022: http://timor-leste.gov.tl/?p=31513&lang=en",
]


class year_end_payment_2022_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Household meets the conditions of the 2022 year-end payment (amended rule)"
    reference = YEAR_END_REFERENCE

    def formula_2022_12(household, period, parameters):
        """Registered in the Uma Kain book, and no member with regular income (work, business, property and social
        benefits: regular_monthly_earnings + saii + other_state_benefit) above USD 500 a month."""
        ceiling = parameters(period).benefits.year_end_payment_2022.income_ceiling
        income = (
            household.members("regular_monthly_earnings", period)
            + household.members("saii", period)
            + household.members("other_state_benefit", period)
        )
        high_income = household.any(income > ceiling)
        return household("registered_in_uma_kain_book", period) & ~high_income


class year_end_payment_2022(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "2022 one-off year-end household payment, in the month it was paid (USD; December 2022)"
    reference = YEAR_END_REFERENCE

    def formula_2022_12(household, period, parameters):
        payment = parameters(period).benefits.year_end_payment_2022
        paid = household("year_end_payment_2022_eligible", period) & bool(payment.month_paid)
        return np.where(paid, payment.amount, 0)


class year_end_payment_2022_annual(Variable):
    value_type = float
    entity = Household
    definition_period = YEAR
    unit = "currency-USD"
    label = "2022 one-off year-end household payment over the year (USD)"
    reference = YEAR_END_REFERENCE

    def formula(household, period, _parameters):
        return household("year_end_payment_2022", period, options=[ADD])
