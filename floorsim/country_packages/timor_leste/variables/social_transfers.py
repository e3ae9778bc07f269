"""Totals across schemes, which the engine uses for the welfare effect of a reform."""

from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household

# Household-level amounts of every cash scheme in the package; a new scheme adds its household total here.
HOUSEHOLD_TRANSFERS = (
    "household_saii",
    "bolsa_da_mae",
    "household_bolsa_da_mae_jerasaun_foun",
    "covid_household_transfer",
    "year_end_payment_2022",
    "household_universal_child_grant",  # not in law: 0 unless a reform sets it
)


class social_transfers(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    label = "Non-contributory cash transfers received by the household in the month (USD)"
    reference = "Sum of the schemes encoded in this package; see each scheme's variable for its legal basis"

    def formula(household, period, _parameters):
        return sum(household(name, period) for name in HOUSEHOLD_TRANSFERS)
