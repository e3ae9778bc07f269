"""The 2020 COVID-19 household cash transfer (Apoio Monetário aos Agregados Familiares no Âmbito da Pandemia de
Covid-19), Decree-Law No. 15/2020 of 30 April.

USD 100 per household for each of April and May 2020 (paid together as USD 200 from 9 June 2020; July in the
RAEOA), to households with at least one citizen, registered in the household register (Livro de Registo de Uma Kain)
by 31 March 2020, where no member regularly receives more than USD 500 a month. Parameters are under
``benefits.covid_household_transfer``.
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household

COVID_REFERENCE = [
    "Decree-Law No. 15/2020 of 30 April, Apoio Monetário aos Agregados Familiares no Âmbito da Pandemia de Covid-19, "
    "Jornal da República Série I N.º 18 A: "
    "https://document.onl/documents/nmero-extraordin-a-subsdio-extraordinrio-em-caso-de-suspenso-do-contrato.html",
    "Government of Timor-Leste, 9 June 2020: http://timor-leste.gov.tl/?n=1&p=24623",
]


class covid_household_transfer_eligible(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Household meets the conditions of the 2020 COVID-19 household cash transfer"
    reference = COVID_REFERENCE

    def formula_2020_04(household, period, parameters):
        """At least one citizen, registered in the Uma Kain book, and no member regularly above USD 500 a month."""
        ceiling = parameters(period).benefits.covid_household_transfer.earnings_ceiling
        has_citizen = household.any(household.members("is_citizen", period))
        high_earner = household.any(household.members("regular_monthly_earnings", period) > ceiling)
        return has_citizen & household("registered_in_uma_kain_book", period) & ~high_earner


class covid_household_transfer(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "2020 COVID-19 household cash transfer for the month (USD; April and May 2020, paid from June)"
    reference = COVID_REFERENCE

    def formula_2020_04(household, period, parameters):
        covid = parameters(period).benefits.covid_household_transfer
        paid = household("covid_household_transfer_eligible", period) & bool(covid.month_covered)
        return np.where(paid, covid.amount, 0)


class covid_household_transfer_annual(Variable):
    value_type = float
    entity = Household
    definition_period = YEAR
    unit = "currency-USD"
    label = "2020 COVID-19 household cash transfer over the year: the sum of the months covered (USD)"
    reference = COVID_REFERENCE

    def formula(household, period, _parameters):
        return household("covid_household_transfer", period, options=[ADD])
