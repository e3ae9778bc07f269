"""Who a person is: age, sex, relationship to the head, schooling and the administrative statuses the
eligibility rules of Decree 20/2021/NĐ-CP and Law 41/2024/QH15 read (certified disability level, no one obliged
to support them, HIV, community care, pension received)."""

from datetime import date

import numpy as np
from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import ETERNITY, MONTH
from openfisca_core.variables import Variable

from floorsim.country_packages.viet_nam.entities import Person

DECREE_20 = "Decree 20/2021/NĐ-CP of 15 March 2021 (social assistance for social protection beneficiaries)"


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
    label = "Age in completed years reached by the last day of the month (đủ ... tuổi)"
    reference = f"{DECREE_20}, Art. 8(1): the allowance of Art. 5(5)(b) and (c) is paid from the time the person reaches 75 and 80"
    documentation = """
    Decree 20/2021 Art. 8(1) pays the older-person allowances "kể từ thời điểm người đó đủ 75 tuổi / đủ 80 tuổi" and
    adjusts an amount "kể từ tháng đối tượng đủ điều kiện điều chỉnh" (from the month the person qualifies for the
    adjustment). A month is therefore counted at the age reached during it: computed from date_of_birth, the age
    is the one on the last day of the month, so the month of the 75th or 80th birthday is paid.
    Surveys give age in completed years at the interview, not a birth date: that age is carried to every month of
    the simulated year (set_input_dispatch_by_period). A person who turns 75 during the year is then counted at 74
    all year and one who turned 75 earlier in the year at 75; over many persons the two errors offset, so annual
    costs are right in expectation when birthdays are spread over the year. Individual months around a birthday are
    not.
    """
    set_input = set_input_dispatch_by_period

    def formula(person, period, _parameters):
        """Completed years on the last day of ``period`` (a birthday anywhere in the month counts that month)."""
        birth = person("date_of_birth", period)
        birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
        birth_month = birth.astype("datetime64[M]").astype(int) % 12 + 1
        month = period.start.month
        return period.start.year - birth_year - np.where(birth_month <= month, 0, 1)


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


class Relationship(Enum):
    __order__ = "head spouse child parent other_relative non_relative"
    head = "Head of household"
    spouse = "Spouse of the head"
    child = "Child of the head"
    parent = "Parent of the head"
    other_relative = "Other relative of the head"
    non_relative = "Not related to the head"


class relationship(Variable):
    value_type = Enum
    possible_values = Relationship
    default_value = Relationship.head
    entity = Person
    definition_period = ETERNITY
    label = "Relationship to the head of household (the survey data model's values)"
    reference = f"{DECREE_20}, Art. 5(4): the single parent raising their children is read from relationships"


class in_school(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Attending general education, vocational training, college or a first university degree"
    reference = f"{DECREE_20}, Art. 5(2) and 5(4) (đang học văn hóa, học nghề, trung học chuyên nghiệp, cao đẳng, đại học văn bằng thứ nhất)"


class disability_severity(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Disability severity on the Washington Group scale (0 none, 1 some, 2 a lot of difficulty, 3 cannot do)"
    reference = "https://www.washingtongroup-disability.com/question-sets/wg-short-set-on-functioning-wg-ss/"
    documentation = """
    Not read by Viet Nam's rules, which use the certified level (disability_certificate). Kept as an input for the
    social protection floor (its disability guarantee reads the Washington Group scale).
    """


class DisabilityLevel(Enum):
    __order__ = "none mild severe especially_severe"
    none = "No certified disability"
    mild = "Mild disability (khuyết tật nhẹ)"
    severe = "Severe disability (khuyết tật nặng)"
    especially_severe = "Especially severe disability (khuyết tật đặc biệt nặng)"


class disability_certificate(Variable):
    value_type = Enum
    possible_values = DisabilityLevel
    default_value = DisabilityLevel.none
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Disability level certified by the commune's council (Law on Persons with Disabilities 51/2010 Art. 3, Decree 28/2012)"
    reference = "Decree 28/2012/NĐ-CP Art. 3: especially severe (needs full care), severe (needs partial help), mild"
    documentation = """
    Decree 20/2021 Art. 5(6) pays persons with a severe or especially severe disability "theo quy định pháp luật
    về người khuyết tật": the level certified under the Law on Persons with Disabilities and Decree 28/2012 Art. 3
    (especially severe: unable to carry out daily activities themselves and needing full care; severe: needing
    partial help). The allowance starts in the month the certificate is issued (Decree 20/2021 Art. 8(1)): the
    simulation pays every month in which the certificate is held.
    """


class no_supporter(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "No one legally obliged to support them, or no source of support (certified by the commune)"
    reference = f"{DECREE_20}, Art. 5(1) (trẻ em không có nguồn nuôi dưỡng) and Art. 5(5)(a) (không có người có nghĩa vụ và quyền phụng dưỡng)"
    documentation = """
    One status for two texts: for a child, "without a source of support" in one of the cases of Art. 5(1)(a)-(l)
    (abandoned, orphaned of both parents, or of one with the other missing, imprisoned or in care); for an older
    person, no one with the duty and right to support them (spouse, children, grandchildren: Art. 2(6)), or a
    supporter who is themselves on the monthly social allowance. The survey's ``orphan`` column (one parent dead
    suffices) is not the legal status and is not read here.
    """


class hiv(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Living with HIV (certified by the competent health authority)"
    reference = f"{DECREE_20}, Art. 5(3) and 5(8); Art. 8(1)(a) (giấy tờ xác nhận bị nhiễm HIV)"


class community_care(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Older person eligible for a social assistance facility but cared for by someone in the community"
    reference = f"{DECREE_20}, Art. 5(5)(d) (có người nhận nuôi dưỡng, chăm sóc tại cộng đồng)"


class monthly_pension(Variable):
    value_type = float
    entity = Person
    definition_period = MONTH
    unit = "currency-VND"
    set_input = set_input_dispatch_by_period
    label = "Pension, monthly social-insurance benefit or other regular monthly allowance received (VND per month)"
    reference = f"{DECREE_20}, Art. 5(5)(c); Law on Social Insurance 41/2024/QH15 Art. 21(1)"
    documentation = """
    Art. 5(5)(c) of Decree 20/2021 pays persons of 80 or over "mà không có lương hưu, trợ cấp bảo hiểm xã hội hàng
    tháng, trợ cấp xã hội hàng tháng": any amount above zero excludes. The social pension of Law 41/2024 compares
    the amount with its own (see social_pension.pension_below_amount_qualifies). The monthly social allowance of
    Decree 20/2021 itself is simulated, never read from this input.
    """


class gave_birth(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Gave birth in the twelve months before the survey (read by the social protection floor's maternity guarantee)"
    reference = "Survey data model column gave_birth (floorsim/surveys/model.py); no Viet Nam rule of this package reads it"


class orphan(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    set_input = set_input_dispatch_by_period
    label = "Under 18 with mother or father (or both) dead (read by the social protection floor's orphan guarantee)"
    reference = "Survey data model column orphan (floorsim/surveys/model.py); Decree 20/2021 Art. 5(1) reads no_supporter instead"
