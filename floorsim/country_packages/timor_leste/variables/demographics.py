"""Who a person is: age, sex, nationality and disability — the inputs eligibility rules read."""

from datetime import date

import numpy as np
from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import ETERNITY, MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Household, Person


class date_of_birth(Variable):
    value_type = date
    default_value = date(1970, 1, 1)
    entity = Person
    definition_period = ETERNITY
    label = "Date of birth"
    reference = "https://openfisca.org/doc/coding-the-legislation/index.html"


class age(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Age in completed years on the first day of the month"
    reference = "Decree-Law No. 19/2008 (SAII): age conditions are stated in completed years"
    # Surveys give age at interview, not a birth date: an age given for a year is carried to each of its months.
    set_input = set_input_dispatch_by_period

    def formula(person, period, _parameters):
        """Age on the first day of ``period`` from ``date_of_birth``: a birthday on the 1st counts that month."""
        birth = person("date_of_birth", period)
        birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
        birth_month = birth.astype("datetime64[M]").astype(int) % 12 + 1
        birth_day = (birth - birth.astype("datetime64[M]")).astype(int) + 1
        had_birthday = (birth_month < period.start.month) | (
            (birth_month == period.start.month) & (birth_day <= period.start.day)
        )
        return period.start.year - birth_year - np.where(had_birthday, 0, 1)


class Sex(Enum):
    __order__ = "female male"
    female = "Female"
    male = "Male"


class sex(Variable):
    value_type = Enum
    possible_values = Sex
    default_value = Sex.female
    entity = Person
    definition_period = ETERNITY
    label = "Sex"
    reference = "https://openfisca.org/doc/coding-the-legislation/20_input_variables.html"


class is_citizen(Variable):
    value_type = bool
    default_value = True
    entity = Person
    definition_period = ETERNITY
    label = "Holds Timorese nationality"
    reference = "Decree-Law No. 19/2008 (SAII): the allowance is for Timorese citizens"


class disability_severity(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Disability severity on the Washington Group scale (0 none, 1 some, 2 a lot of difficulty, 3 cannot do)"
    reference = "https://www.washingtongroup-disability.com/question-sets/wg-short-set-on-functioning-wg-ss/"


class unable_to_work(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Permanently unable to work because of a disability (the SAII invalidity condition)"
    reference = "Decree-Law No. 19/2008 (SAII): invalidity means incapacity for work"
    documentation = """
    In law the incapacity is certified case by case. Surveys only record functioning, so unless this variable is
    given as an input it is approximated as 'cannot do at all' (level 3) in a Washington Group domain. This is a
    modelling assumption of floorsim, not a legal rule; pass the variable directly when better data exist.
    """

    def formula(person, period, _parameters):
        return person("disability_severity", period) >= 3


class household_size(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Number of persons in the household"
    reference = "https://openfisca.org/doc/coding-the-legislation/50_entities.html"

    def formula(household, _period, _parameters):
        return household.nb_persons()


class has_disability(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Has a disability, for the disability amounts of Bolsa da Mãe and Bolsa da Mãe – Jerasaun Foun"
    reference = "https://www.washingtongroup-disability.com/question-sets/wg-short-set-on-functioning-wg-ss/"
    documentation = """
    Decree-Law 22/2021 (Jerasaun Foun) and the 2023 amendment of Decree-Law 18/2012 (Bolsa da Mãe) pay more for
    children with a disability, but the legal definition and its certification could not be read. Unless this
    variable is given as an input it is approximated by the Washington Group disability identifier: 'a lot of
    difficulty' or 'cannot do at all' (level 2 or 3) in at least one domain, the cut-off the Washington Group
    recommends for disability statistics and the one the bundled survey targets use. A modelling assumption of
    floorsim, not a legal rule.
    """

    def formula(person, period, _parameters):
        return person("disability_severity", period) >= 2


class pregnant(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Pregnant in the month"
    reference = "Decree-Law No. 22/2021 of 10 November (Bolsa da Mãe – Nova Geração): support during pregnancy"
    documentation = """
    Surveys record pregnancy at the interview; the engine carries that value to every month of the simulated year.
    Individually this is wrong (a pregnancy lasts at most nine months), but the share of women pregnant at a random
    date times twelve months is the expected number of pregnant person-months in a year, so annual totals and
    costs are right in expectation when interviews are spread over the year.
    """


class in_school(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Enrolled in and attending school in the month"
    reference = "Decree-Law No. 18/2012 of 4 April (Bolsa da Mãe): conditional on school attendance"
