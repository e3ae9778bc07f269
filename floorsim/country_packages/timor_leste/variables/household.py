"""Where a household lives, what it consumes and whether it is in the household register: inputs of the household
schemes (Bolsa da Mãe targeting, the Jerasaun Foun roll-out by municipality, the 2020 and 2022 household payments).
"""

from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household


class Municipality(Enum):
    """The 13 first-level divisions: 12 municipalities and the Oé-Cusse Ambeno special region (RAEOA).

    Member NAMES are the ASCII spellings of the survey's ``region`` column (floorsim/surveys/data/profiles/timor_leste.yaml,
    ``population.regions``), because the engine encodes survey strings by member name; the values are the
    official spellings. Ataúro, an administrative post of Dili until the Government created a municipality of Ataúro
    (approved February 2021, in force 2022), is part of ``Dili`` here, as in the 2015 census figures the bundled
    survey is built on; no scheme encoded here treats it differently from Dili.
    """

    __order__ = "Aileu Ainaro Baucau Bobonaro Covalima Dili Ermera Lautem Liquica Manatuto Manufahi Oecusse Viqueque"
    Aileu = "Aileu"
    Ainaro = "Ainaro"
    Baucau = "Baucau"
    Bobonaro = "Bobonaro"
    Covalima = "Covalima"
    Dili = "Díli (with Ataúro)"
    Ermera = "Ermera"
    Lautem = "Lautém"
    Liquica = "Liquiçá"
    Manatuto = "Manatuto"
    Manufahi = "Manufahi"
    Oecusse = "Oé-Cusse Ambeno (Região Administrativa Especial, RAEOA)"
    Viqueque = "Viqueque"


class municipality(Variable):
    value_type = Enum
    possible_values = Municipality
    default_value = Municipality.Dili
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Municipality (or the RAEOA special region) where the household lives"
    reference = [
        "Law No. 11/2009, Divisão Administrativa do Território, Jornal da República: "
        "https://mj.gov.tl/jornal/?q=node/849",
        "Decree-Law No. 22/2021 of 10 November (Bolsa da Mãe – Nova Geração), phased roll-out by municipality",
    ]
    documentation = """
    Used for the geographic roll-out of Bolsa da Mãe – Jerasaun Foun. The default, Dili, is a municipality the
    programme never reached, so a household without a municipality never receives it.
    """


class household_consumption(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-USD"
    set_input = set_input_dispatch_by_period
    label = "Household total consumption in the month (USD): the survey's welfare aggregate"
    reference = "Ministerial Diploma No. 27/2012, Art. 1 (Bolsa da Mãe per-capita income test), proxied by consumption"
    documentation = """
    The engine feeds it from the survey's ``consumption`` column (household total per month). Surveys of
    Timor-Leste measure consumption, not income, so floorsim uses it as the proxy for the per-capita income in
    the Bolsa da Mãe poverty test (see ``bolsa_da_mae_vulnerable``). It already includes any benefit received at
    the time of the survey. Default 0 (which passes the poverty test): give it whenever Bolsa da Mãe matters.
    """


class registered_in_uma_kain_book(Variable):
    value_type = bool
    default_value = True
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Registered in the household register (Livro de Registo de Uma Kain) by the cut-off date of a payment"
    reference = "Ministerial Diploma 49/2017 of 23 August (Livro de Registo de Uma Kain); Decree-Laws 15/2020, 37/2022"
    documentation = """
    The 2020 COVID-19 household transfer required registration by 31 March 2020 and the 2022 year-end payment by
    28 February 2022. Surveys do not record it, so the default is True (every household registered): a modelling
    assumption of floorsim, which overstates coverage where households were missing from the register.
    """
