"""Bolsa da Mãe – Nova Geração / Jerasaun Foun: universal support in pregnancy and early childhood.

Created by Decree-Law No. 22/2021 of 10 November (the first amendment of Decree-Law 18/2012) as two benefits added
to Bolsa da Mãe, with no means test, rolled out municipality by municipality: payments began in July 2022 in
Ainaro, Bobonaro and the RAEOA (Oé-Cusse Ambeno), reached Covalima, Liquiçá, Manatuto and Viqueque in 2023, and
stopped with the repeal approved by the Council of Ministers on 6 December 2023 (not budgeted for 2024). Amounts
per month: USD 15 for a pregnant woman, USD 20 for a child under three, plus USD 10 for a child with a disability.
Parameters are under ``benefits.bolsa_da_mae_jerasaun_foun`` (in force, roll-out by municipality, amounts) with
their sources and the points where sources disagree.
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household, Person
from floorsim.country_packages.timor_leste.variables._helpers import lookup_by_enum

JF_REFERENCE = [
    "Decree-Law No. 22/2021 of 10 November (Bolsa da Mãe – Nova Geração): "
    "https://socialprotection.org/discover/legal_policy_frameworks/"
    "jornal-da-rep%C3%BAblica-decreto-lei-n%C2%BA-22-2021-de-10-de-novembro",
    "Government of Timor-Leste, launch of payments, 22 July 2022: https://timor-leste.gov.tl/?lang=pt&p=30831&print=1",
    "Government of Timor-Leste, repeal approved 6 December 2023: https://timor-leste.gov.tl/?p=35409&lang=en",
]


class bolsa_da_mae_jerasaun_foun_covered(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Bolsa da Mãe – Jerasaun Foun is in force and has reached the household's municipality in the month"
    reference = JF_REFERENCE

    def formula_2022_07(household, period, parameters):
        jf = parameters(period).benefits.bolsa_da_mae_jerasaun_foun
        covered = lookup_by_enum(household("municipality", period), jf.coverage)
        return covered & bool(jf.in_force)


class bolsa_da_mae_jerasaun_foun(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    label = "Bolsa da Mãe – Jerasaun Foun paid for the person in the month (USD): pregnancy or young-child benefit"
    reference = JF_REFERENCE

    def formula_2022_07(person, period, parameters):
        """amount = 15 if pregnant + (20 + 10 if disabled) if younger than 3, where the household is covered.

        Universal: no means test; the benefits add up per person, with no cap (none was found).
        """
        jf = parameters(period).benefits.bolsa_da_mae_jerasaun_foun
        covered = person.household("bolsa_da_mae_jerasaun_foun_covered", period)
        age = person("age", period)
        young_child = (age >= 0) & (age < jf.child_age_limit)
        child_amount = jf.child_amount + np.where(person("has_disability", period), jf.disability_supplement, 0)
        amount = np.where(person("pregnant", period), jf.pregnancy_amount, 0) + np.where(young_child, child_amount, 0)
        return np.where(covered, amount, 0)


class household_bolsa_da_mae_jerasaun_foun(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Bolsa da Mãe – Jerasaun Foun received by members of the household in the month (USD)"
    reference = JF_REFERENCE

    def formula(household, period, _parameters):
        return household.sum(household.members("bolsa_da_mae_jerasaun_foun", period))


class bolsa_da_mae_jerasaun_foun_annual(Variable):
    value_type = float
    entity = Person
    definition_period = YEAR
    unit = "currency-USD"
    label = "Bolsa da Mãe – Jerasaun Foun paid for the person over the year: the sum of the months in force (USD)"
    reference = JF_REFERENCE

    def formula(person, period, _parameters):
        return person("bolsa_da_mae_jerasaun_foun", period, options=[ADD])
