"""Totals across schemes, which the engine uses for the welfare effect of a reform."""

from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Household

# Household-level amounts of every cash scheme in the package; a new scheme adds its household total here.
HOUSEHOLD_TRANSFERS = (
    "household_monthly_social_allowance",
    "household_social_pension",
    "household_universal_child_benefit",  # not in law: 0 unless a reform sets it
)


class social_transfers(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    label = "Social assistance cash transfers received by the household in the month (VND)"
    reference = "Sum of the schemes encoded in this package; see each scheme's variable for its legal basis"

    def formula(household, period, _parameters):
        return sum(household(name, period) for name in HOUSEHOLD_TRANSFERS)
