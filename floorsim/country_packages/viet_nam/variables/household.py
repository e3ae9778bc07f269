"""The household: income, area, commune and its poverty status under the multidimensional poverty standard of
Decree 07/2021/NĐ-CP (the status most categories of Decree 20/2021 and the social pension of 70-74 depend on)."""

import numpy as np
from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Household

DECREE_07 = ("Decree 07/2021/NĐ-CP of 27 January 2021 on multidimensional poverty standards for 2021-2025, Art. 3: "
             "https://english.luatvietnam.vn/decree-no-07-2021-nd-cp-dated-january-27-2021-of-the-government-on-"
             "multidimensional-poverty-standards-in-the-2021-2025-period-197848-doc1.html")


class household_size(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Number of persons in the household"
    reference = "https://openfisca.org/doc/coding-the-legislation/50_entities.html"

    def formula(household, _period, _parameters):
        return household.nb_persons()


class household_income(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    set_input = set_input_dispatch_by_period
    label = "Household income per month (VND), before the simulated social assistance"
    reference = DECREE_07


class income_per_capita(Variable):
    value_type = float
    entity = Household
    definition_period = MONTH
    unit = "currency-VND"
    label = "Household income per person per month (VND): the income criterion of Decree 07/2021 Art. 3(1)(a)"
    reference = DECREE_07

    def formula(household, period, _parameters):
        size = np.maximum(household("household_size", period), 1)
        return household("household_income", period) / size


class urban(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Lives in an urban area (the urban income line of Decree 07/2021 applies)"
    reference = DECREE_07


class deprivation_count(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Number of the 12 basic-social-service indicators the household is deprived of (0-12)"
    reference = f"{DECREE_07}, Art. 3(1)(b)"


class especially_difficult_commune(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Lives in an especially difficult commune or village of the ethnic-minority and mountainous areas"
    reference = "Decree 20/2021/NĐ-CP Art. 5(5)(b) and 5(7) (xã, thôn vùng đồng bào dân tộc thiểu số và miền núi đặc biệt khó khăn)"


class PovertyStatus(Enum):
    __order__ = "poor near_poor none unknown"
    poor = "Poor household (hộ nghèo)"
    near_poor = "Near-poor household (hộ cận nghèo)"
    none = "Neither poor nor near-poor"
    unknown = "Not on the commune's list: status read from the standard"


class poverty_certificate(Variable):
    value_type = Enum
    possible_values = PovertyStatus
    default_value = PovertyStatus.unknown
    entity = Household
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Status certified by the commune's annual poverty review (poor, near_poor, none; unknown if not given)"
    reference = f"{DECREE_07}, Art. 4 (the review identifies poor and near-poor households)"
    documentation = """
    The rules pay households on the commune's list, not households whose income happens to be below the line: the
    certified status is the default eligibility input (survey column poverty_certificate). Only when it is not
    given (unknown) is the status computed from income and deprivations (poverty_status_by_standard).
    """


class poverty_status_by_standard(Variable):
    value_type = Enum
    possible_values = PovertyStatus
    default_value = PovertyStatus.none
    entity = Household
    definition_period = MONTH
    label = "Poverty status under the 2022-2025 multidimensional poverty standard, from income and deprivations"
    reference = f"{DECREE_07}, Art. 3(2)"

    def formula_2022_01(household, period, parameters):
        """Poor: income per person at or below the area's line and deprived of at least 3 of 12 indicators;
        near-poor: at or below the line and deprived of fewer than 3; otherwise neither.

        Before 2022 Decision 59/2015/QĐ-TTg applied (Decree 07/2021 Art. 2); it is not encoded, so the default
        (none) holds and rules before 2022 need the certified status.
        """
        standard = parameters(period).poverty_standard
        line = np.where(household("urban", period), standard.income_line.urban, standard.income_line.rural)
        below_line = household("income_per_capita", period) <= line
        deprived = household("deprivation_count", period) >= standard.deprivation_threshold
        return np.select(
            [below_line & deprived, below_line],
            [PovertyStatus.poor, PovertyStatus.near_poor],
            PovertyStatus.none,
        )


class poverty_status(Variable):
    value_type = Enum
    possible_values = PovertyStatus
    default_value = PovertyStatus.none
    entity = Household
    definition_period = MONTH
    label = "Poverty status the rules read: the certified status, else the one computed from the standard"
    reference = DECREE_07

    def formula(household, period, _parameters):
        certificate = household("poverty_certificate", period)
        return np.where(
            certificate == PovertyStatus.unknown, household("poverty_status_by_standard", period), certificate
        )


class poor_household(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Poor household (hộ nghèo)"
    reference = DECREE_07

    def formula(household, period, _parameters):
        return household("poverty_status", period) == PovertyStatus.poor


class poor_or_near_poor_household(Variable):
    value_type = bool
    entity = Household
    definition_period = MONTH
    label = "Poor or near-poor household (hộ nghèo, hộ cận nghèo)"
    reference = DECREE_07

    def formula(household, period, _parameters):
        status = household("poverty_status", period)
        return (status == PovertyStatus.poor) | (status == PovertyStatus.near_poor)
