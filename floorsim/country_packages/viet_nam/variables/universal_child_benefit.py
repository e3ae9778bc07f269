"""Universal child benefit for young children: not in Viet Nam's law, a hook for reforms (0 at baseline).

A flat monthly amount for every child below ``universal_child_benefit.age_limit`` (3), paid on top of any
monthly social allowance (a reform option, so no non-cumulation rule of Decree 20/2021 applies to it).
"""

from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Household, Person

REFERENCE = "Not in law: reform hook (parameters/universal_child_benefit); age of Decree 20/2021/NĐ-CP Art. 5(7)"


class universal_child_benefit(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    label = "Universal child benefit paid to the child in the month (VND; 0 unless a reform sets an amount)"
    reference = REFERENCE

    def formula_2021_07(person, period, parameters):
        benefit = parameters(period).universal_child_benefit
        return (person("age", period) < benefit.age_limit) * benefit.amount


class household_universal_child_benefit(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    label = "Universal child benefit received by children of the household in the month (VND)"
    reference = REFERENCE

    def formula(household, period, _parameters):
        return household.sum(household.members("universal_child_benefit", period))
