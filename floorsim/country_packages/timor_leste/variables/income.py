"""Income inputs used by income ceilings (the 2020 and 2022 household payments)."""

from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Person


class regular_monthly_earnings(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-USD"
    set_input = set_input_dispatch_by_period
    label = "Income the person regularly receives each month from work, business or property (USD)"
    reference = "Decree-Law No. 15/2020 of 30 April and Decree-Law No. 37/2022 of 25 May as amended in November 2022"
    documentation = """
    The 2020 COVID-19 household transfer and the 2022 year-end payment exclude households in which a member
    regularly receives more than USD 500 a month. The bundled survey has no income, so the default is 0 (no
    household excluded): pass it from a survey's earnings when available. Social benefits are not included
    here; where a rule counts them (the 2022 amendment) the formula adds them.
    """
