"""Python OpenFisca reforms used by the engine tests (importable by worker processes)."""

from __future__ import annotations

import numpy as np
from openfisca_core.periods import MONTH
from openfisca_core.reforms import Reform
from openfisca_core.variables import Variable

from floorsim.country_packages.timor_leste.entities import Person


class SaiiPlusTen(Reform):
    """Structural reform: every recipient gets USD 10 more than the parametric amount."""

    name = "saii_plus_ten"

    def apply(self) -> None:
        class saii(Variable):
            value_type = float
            entity = Person
            definition_period = MONTH
            label = "SAII with USD 10 more for every recipient (test reform)"

            def formula(person, period, parameters):
                eligible = person("saii_old_age_eligible", period) | person("saii_invalidity_eligible", period)
                rules = parameters(period).benefits.saii
                return eligible * (rules.amount + rules.age_supplement.calc(person("age", period)) + 10)

        self.update_variable(saii)


class FailsOnAge84(Reform):
    """A reform whose formula fails for anyone aged 84, to test error reporting from workers."""

    name = "fails_on_age_84"

    def apply(self) -> None:
        class saii(Variable):
            value_type = float
            entity = Person
            definition_period = MONTH
            label = "Fails for anyone aged 84 (test reform)"

            def formula(person, period, _parameters):
                if np.any(person("age", period) == 84):
                    raise ValueError("cannot handle age 84")
                return person("age", period) * 0.0

        self.update_variable(saii)
