"""Totals across schemes, which the engine uses for the welfare effect of a reform."""

from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from country_packages.timor_leste.entities import Household

# Household-level amounts of every cash scheme in the package; a new scheme adds its household total here.
HOUSEHOLD_TRANSFERS = ("household_saii",)


class social_transfers(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Non-contributory cash transfers received by the household in the month (USD)"
    reference = "Sum of the schemes encoded in this package; see each scheme's variable for its legal basis"

    def formula(household, period, _parameters):
        return sum(household(name, period) for name in HOUSEHOLD_TRANSFERS)
