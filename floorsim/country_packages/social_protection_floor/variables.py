"""The floor's OpenFisca variables, built for one host (its entities and input variables).

Every amount is monthly (``definition_period = MONTH``), in the host's currency, and is a share of the poverty
line of the simulated year times the phase-in rate ``social_protection_floor.phase_in``. The line is
``social_protection_floor.poverty_line.amount`` when positive, else the host's national line in the year's prices,
``social_protection_floor.poverty_line.host`` (given by the host side when the floor is applied):

* child benefit: ``child.share × line`` if ``child.minimum_age <= age < child.age_limit``;
* orphan benefit: ``orphan.share × line`` if orphan and ``age < orphan.age_limit`` (on top of the child benefit);
* maternity benefit: ``maternity.share × line × maternity.months / 12 × births`` in each month, i.e.
  ``share × line × months`` per birth over a year, paid to the mother. ``births`` is 1 for a woman who gave birth in
  the twelve months before the survey (the survey's ``gave_birth`` column, through the host) and otherwise the
  expected number ``maternity.births_per_woman`` for a woman aged ``maternity.minimum_age`` to
  ``maternity.maximum_age`` (the calculator's beneficiaries "based on the observed country specific fertility
  rates");
* disability benefit: ``disability.share × line`` if disability severity ``>= disability.minimum_severity``;
* old-age pension: ``old_age.share × line`` from ``old_age.minimum_age`` (``minimum_age_women`` for women).

Benefits cumulate (a severely disabled older person receives both); the household total is added to the host's
transfers total. The administrative cost (``administrative_cost_share × household total``) is a cost, never paid.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.holders import set_input_dispatch_by_period
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.periods import ETERNITY, MONTH, YEAR
from openfisca_core.populations import ADD
from openfisca_core.variables import Variable

from floorsim.country_packages.social_protection_floor.host import FloorError, FloorHost

PREFIX = "social_protection_floor"
COMPONENTS = {
    "child": f"{PREFIX}_child_benefit",
    "orphan": f"{PREFIX}_orphan_benefit",
    "maternity": f"{PREFIX}_maternity_benefit",
    "disability": f"{PREFIX}_disability_benefit",
    "old_age": f"{PREFIX}_old_age_pension",
}
POVERTY_LINE = f"{PREFIX}_poverty_line"
PERSON_TOTAL = f"{PREFIX}_person_total"
HOUSEHOLD_TOTAL = f"{PREFIX}_household_total"
ADMINISTRATIVE_COST = f"{PREFIX}_administrative_cost"
FEMALE = f"{PREFIX}_female"
ORPHAN = f"{PREFIX}_orphan"
BIRTHS = f"{PREFIX}_gave_birth"
DISABILITY_SEVERITY = f"{PREFIX}_disability_severity"
REFERENCE = "docs/social_protection_floor.md (ILO Social Protection Floors Calculator, ESS Working Paper 58, 2017)"


def _read(population, name: str, period):
    """A host variable in the month ``period``, whatever its definition period."""
    variable = population.simulation.tax_benefit_system.variables[name]
    if variable.definition_period == YEAR:
        return population(name, period.this_year)
    return population(name, period)


def _variable(name: str, entity, value_type, label: str, formula=None, **attributes) -> type[Variable]:
    body = {
        "value_type": value_type,
        "entity": entity,
        "definition_period": attributes.pop("definition_period", MONTH),
        "label": label,
        "reference": REFERENCE,
        **attributes,
    }
    if formula is not None:
        body["formula"] = formula
    return type(name, (Variable,), body)


def floor_variables(host: FloorHost, entities: dict) -> list[type[Variable]]:
    """The floor's variables for ``host`` (``entities``: the host's entities by key)."""
    person = entities[host.person_entity]
    household = entities[host.household_entity]
    inputs = host.inputs
    age_name = inputs.age
    variables: list[type[Variable]] = []

    # Inputs the host lacks: neutral defaults, settable like any input (set_input spreads a year over its months).
    if inputs.sex is None:
        variables.append(
            _variable(FEMALE, person, bool, "Female (input of the social protection floor; false unless given)",
                      definition_period=ETERNITY)
        )
    if inputs.orphan is None:
        variables.append(
            _variable(ORPHAN, person, bool, "Orphan: has lost one or both parents (floor input; false unless given)",
                      set_input=set_input_dispatch_by_period,
                      documentation="No survey of floorsim's data model records orphanhood: unless a host variable "
                      "or an input gives it, nobody is an orphan and the orphan benefit costs nothing.")
        )
    if inputs.disability_severity is None:
        variables.append(
            _variable(DISABILITY_SEVERITY, person, int,
                      "Disability severity, Washington Group scale 0-3 (floor input; 0 unless given)",
                      set_input=set_input_dispatch_by_period)
        )
    if inputs.gave_birth is None:

        def births(person_, period, parameters):
            """Expected births in the twelve months: births per woman for a woman of childbearing age, else 0."""
            rules = parameters(period).social_protection_floor.maternity
            age = _read(person_, age_name, period)
            woman = is_female(person_, period) & (age >= rules.minimum_age) & (age <= rules.maximum_age)
            if rules.births_per_woman <= 0 and rules.share > 0:
                raise FloorError(
                    f"host '{host.name}': the maternity benefit needs births - the survey has no gave_birth column "
                    "mapped to social_protection_floor_gave_birth and social_protection_floor.maternity."
                    "births_per_woman is 0; give the country's births per woman aged 15-49 (with its source) in "
                    "the scenario or the host's floor adapter, or set social_protection_floor.maternity.share to 0"
                )
            return np.where(woman, rules.births_per_woman, 0.0)

        variables.append(
            _variable(BIRTHS, person, float,
                      "Births in the twelve months before the survey date: 1 for a woman who gave birth (survey "
                      "column gave_birth), else the expected number (floor input)",
                      formula=births, set_input=set_input_dispatch_by_period,
                      documentation="Set from the survey's gave_birth column where the host maps it; otherwise "
                      "maternity.births_per_woman for women aged maternity.minimum_age to maximum_age.")
        )

    female_name = inputs.sex.variable if inputs.sex else FEMALE
    female_value = inputs.sex.female if inputs.sex else True
    orphan_name = inputs.orphan or ORPHAN
    births_name = inputs.gave_birth or BIRTHS
    severity_name = inputs.disability_severity or DISABILITY_SEVERITY

    def is_female(person_, period):
        values = _read(person_, female_name, period)
        if isinstance(values, EnumArray):
            members = values.possible_values
            member = next(m for m in members if m.name == str(female_value) or str(m.value) == str(female_value))
            return values == member
        return np.asarray(values) == female_value

    def poverty_line(person_, period, parameters):
        """The explicit amount if positive, else the host's national line in the prices of the simulated year."""
        line = parameters(period).social_protection_floor.poverty_line
        amount = float(line.amount) if line.amount > 0 else float(line.host)
        if amount <= 0:
            raise FloorError(
                f"host '{host.name}' has no national poverty line for {period.start.year} (its floorsim.yaml uses a "
                "relative line, or its price index does not reach that year), so the floor's benefit levels have "
                "nothing to be shares of: set social_protection_floor.poverty_line.amount (per person per month) in "
                "the scenario, e.g. the relative line of a baseline run"
            )
        return np.full(person_.count, amount)

    variables.append(
        _variable(POVERTY_LINE, person, float, "Poverty line the floor's benefits are shares of (per person per month)",
                  formula=poverty_line, unit=f"currency-{host.currency}")
    )

    def level(person_, period, parameters):
        return person_(POVERTY_LINE, period) * parameters(period).social_protection_floor.phase_in

    def child(person_, period, parameters):
        rules = parameters(period).social_protection_floor.child
        age = _read(person_, age_name, period)
        eligible = (age >= rules.minimum_age) & (age < rules.age_limit)
        return np.where(eligible, rules.share * level(person_, period, parameters), 0.0)

    def orphan(person_, period, parameters):
        rules = parameters(period).social_protection_floor.orphan
        eligible = np.asarray(_read(person_, orphan_name, period), dtype=bool) & (
            _read(person_, age_name, period) < rules.age_limit
        )
        return np.where(eligible, rules.share * level(person_, period, parameters), 0.0)

    def maternity(person_, period, parameters):
        rules = parameters(period).social_protection_floor.maternity
        births = np.asarray(_read(person_, births_name, period), dtype=np.float64)
        return births * (rules.share * rules.months / 12) * level(person_, period, parameters)

    def disability(person_, period, parameters):
        rules = parameters(period).social_protection_floor.disability
        eligible = _read(person_, severity_name, period) >= rules.minimum_severity
        return np.where(eligible, rules.share * level(person_, period, parameters), 0.0)

    def old_age(person_, period, parameters):
        rules = parameters(period).social_protection_floor.old_age
        pension_age = np.where(is_female(person_, period), rules.minimum_age_women, rules.minimum_age)
        eligible = _read(person_, age_name, period) >= pension_age
        return np.where(eligible, rules.share * level(person_, period, parameters), 0.0)

    labels = {
        "child": ("Universal child benefit of the social protection floor", child),
        "orphan": ("Orphan benefit of the social protection floor", orphan),
        "maternity": ("Maternity benefit of the social protection floor, paid to the mother per birth (monthly expectation)", maternity),
        "disability": ("Benefit of the social protection floor for persons with severe disabilities", disability),
        "old_age": ("Universal old-age pension of the social protection floor", old_age),
    }
    unit = f"currency-{host.currency}"
    for key, name in COMPONENTS.items():
        label, formula = labels[key]
        variables.append(_variable(name, person, float, f"{label} (per month)", formula=formula, unit=unit))

    def person_total(person_, period, _parameters):
        return sum(person_(name, period) for name in COMPONENTS.values())

    def household_total(household_, period, _parameters):
        return household_.sum(household_.members(PERSON_TOTAL, period))

    def administrative_cost(household_, period, parameters):
        share = parameters(period).social_protection_floor.administrative_cost_share
        return share * household_(HOUSEHOLD_TOTAL, period)

    variables += [
        _variable(PERSON_TOTAL, person, float, "All benefits of the social protection floor for the person (per month)",
                  formula=person_total, unit=unit),
        _variable(HOUSEHOLD_TOTAL, household, float,
                  "All benefits of the social protection floor received by the household's members (per month)",
                  formula=household_total, unit=unit),
        _variable(ADMINISTRATIVE_COST, household, float,
                  "Administrative cost of the household's floor benefits (a cost to government, not paid; per month)",
                  formula=administrative_cost, unit=unit),
    ]
    return variables


def transfers_with_floor(host: FloorHost, original: Variable) -> type[Variable]:
    """The host's transfers total with the floor's household total added (same name, entity and period)."""
    if not original.formulas:
        raise FloorError(
            f"host '{host.name}': transfers variable '{original.name}' has no formula to add the floor to"
        )
    if original.entity.key != host.household_entity:
        raise FloorError(
            f"host '{host.name}': transfers variable '{original.name}' is not a {host.household_entity} variable"
        )
    yearly = original.definition_period == YEAR

    def formula(household_, period, parameters):
        """The host's own total, plus the floor's benefits received by the household."""
        host_formula = original.get_formula(period)
        base = 0 if host_formula is None else (
            host_formula(household_, period)
            if host_formula.__code__.co_argcount == 2
            else host_formula(household_, period, parameters)
        )
        floor = household_(HOUSEHOLD_TOTAL, period, options=[ADD]) if yearly else household_(HOUSEHOLD_TOTAL, period)
        return base + floor

    attributes = {
        "unit": getattr(original, "unit", None),
        "documentation": (original.documentation or "") + "\nWith the social protection floor's household total added.",
    }
    if original.set_input is not None:
        attributes["set_input"] = original.set_input
    if original.default_value is not None:
        attributes["default_value"] = original.default_value
    return _variable(
        original.name,
        original.entity,
        original.value_type,
        f"{original.label} (with the social protection floor)",
        formula=formula,
        definition_period=original.definition_period,
        **{key: value for key, value in attributes.items() if value is not None},
    )
