"""Universal child grant — NOT IN LAW: a reform hook for ABND proposals.

Timor-Leste has no universal child grant; its parameters (``benefits.universal_child_grant``) are 0 in law, so the
baseline pays nothing. A reform sets an amount and an age limit (e.g. ``reforms/universal_child_grant.yaml``).
"""

import numpy as np
from openfisca_core.periods import MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household, Person

UCG_REFERENCE = "Not in law: reform hook (parameters benefits.universal_child_grant, 0 in law)"


class universal_child_grant(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    label = "Universal child grant paid for the child in the month (USD; not in law, 0 unless a reform sets it)"
    reference = UCG_REFERENCE

    def formula(person, period, parameters):
        """amount if 0 <= age < age limit; both parameters are 0 in law."""
        grant = parameters(period).benefits.universal_child_grant
        age = person("age", period)
        return np.where((age >= 0) & (age < grant.age_limit), grant.amount, 0)


class household_universal_child_grant(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Universal child grant received for members of the household in the month (USD; not in law)"
    reference = UCG_REFERENCE

    def formula(household, period, _parameters):
        return household.sum(household.members("universal_child_grant", period))


class universal_child_grant_annual(Variable):
    value_type = float
    entity = Person
    definition_period = YEAR
    unit = "currency-USD"
    label = "Universal child grant paid for the child over the year (USD; not in law)"
    reference = UCG_REFERENCE

    def formula(person, period, _parameters):
        return person("universal_child_grant", period, options=[ADD])
