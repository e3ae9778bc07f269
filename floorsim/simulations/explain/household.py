"""One household through every programme of a country package: amounts, eligibility and why ("single window").

The household comes from a YAML/JSON file or ``key=value`` flags, checked against the package's input variables
(``household_file.py``). It is simulated once per programme of ``floorsim.yaml`` and per scenario (the baseline
and each reform) with OpenFisca's tracer on (``situation.py``, ``programme.py``). The explanation of a programme is
read from the trace (``trace.py``): the values of the variables and parameters its formula used, down to a readable
depth, and a verdict per person (person programmes) or for the household: paid, not paid — with the yes/no factors
that were false — or no rule in force at the date (``reasons.py``). A programme of ``floorsim.yaml`` may list
``conditions`` (variables); when it does, verdicts are stated with them.

For a year, amounts are the sum of the twelve months and values that change within the year are shown by month
ranges (``period.py``). Nothing here prints: :class:`HouseholdReport` (``report.py``) has ``to_dict()`` for JSON and
the ``format_*`` helpers (``formatting.py``) give text for any front end.

This module runs the scenarios and gathers the explainer's public names.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from openfisca_core.periods import DateUnit

from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.reforms import ReformSpec
from floorsim.simulations.engine.scenarios import make_scenario, scenario_system
from floorsim.simulations.explain.formatting import (
    format_factor_values,
    format_money,
    format_reason,
    format_value,
    format_verdict,
    format_verdicts,
)
from floorsim.simulations.explain.household_file import (
    HOUSEHOLD_ID,
    HouseholdError,
    HouseholdInputs,
    PersonInputs,
    household_entity,
    input_variables,
    load_household,
    parse_assignments,
    read_household_file,
    validate_household,
)
from floorsim.simulations.explain.period import default_period, parse_period
from floorsim.simulations.explain.programme import DEFAULT_DEPTH, analyse_programme
from floorsim.simulations.explain.report import Factor, HouseholdReport, ProgrammeResult, ScenarioResult, Verdict
from floorsim.simulations.explain.situation import GroupMembership, build_simulation, resolve_group_roles, resolve_roles

BASELINE = "baseline"

__all__ = [
    "BASELINE",
    "DEFAULT_DEPTH",
    "HOUSEHOLD_ID",
    "Factor",
    "GroupMembership",
    "HouseholdError",
    "HouseholdInputs",
    "HouseholdReport",
    "PersonInputs",
    "ProgrammeResult",
    "ScenarioResult",
    "Verdict",
    "analyse_programme",
    "build_simulation",
    "default_period",
    "format_factor_values",
    "format_money",
    "format_reason",
    "format_value",
    "format_verdict",
    "format_verdicts",
    "household_entity",
    "input_variables",
    "load_household",
    "parse_assignments",
    "parse_period",
    "read_household_file",
    "resolve_group_roles",
    "resolve_roles",
    "scenario_system",
    "simulate_household",
    "validate_household",
]


def _scenarios(country: str, reforms: Sequence[str | Path | ReformSpec]) -> list[tuple[str, str, tuple]]:
    result = [(BASELINE, "current legislation", ())]
    for reform in reforms:
        spec = reform if isinstance(reform, ReformSpec) else None
        scenario = make_scenario("reform", reform)
        if spec is None and len(scenario.steps) == 1 and isinstance(scenario.steps[0], ReformSpec):
            spec = scenario.steps[0]
        name = spec.name if spec else str(reform).rpartition(".")[2]
        label = spec.label if spec else str(reform)
        if name in [existing for existing, _, _ in result]:
            raise HouseholdError(f"reform names must be distinct and not '{BASELINE}': '{name}' is used twice")
        scenario_system(country, scenario.steps)  # fails here, naming the reform, if a parameter is unknown
        result.append((name, label, scenario.steps))
    return result


def simulate_household(
    country: str,
    household: HouseholdInputs,
    period: object = None,
    reforms: Sequence[str | Path | ReformSpec] = (),
    depth: int = DEFAULT_DEPTH,
    today: datetime.date | None = None,
) -> HouseholdReport:
    """Every programme of ``country``'s ``floorsim.yaml`` for one household, under current legislation and each
    reform, over ``period`` (a month, or a year for annual sums; default: the household's own ``period``, else
    :func:`default_period`). ``depth`` limits how far down the formulas the explanation goes (1: direct inputs).
    The package's other group entities are filled as a run fills them (:func:`resolve_group_roles`)."""
    if depth < 1:
        raise HouseholdError(f"explanation depth must be at least 1, not {depth}")
    spec = load_country(country)
    baseline = scenario_system(country, ())
    resolved = parse_period(period if period is not None else household.period, baseline, today)
    roles = resolve_roles(baseline, spec, household, resolved)
    groups = resolve_group_roles(baseline, spec, household, roles)
    results = []
    for name, label, steps in _scenarios(country, reforms):
        system = scenario_system(country, steps)
        programmes = [
            analyse_programme(system, spec, household, resolved, key, programme, depth, roles, groups)
            for key, programme in spec.programmes.items()
        ]
        results.append(ScenarioResult(name=name, label=label, programmes=programmes))
    return HouseholdReport(
        country=spec.name,
        country_label=spec.label,
        currency=spec.currency,
        period=str(resolved),
        period_unit="year" if resolved.unit == DateUnit.YEAR else "month",
        household=household,
        roles=roles,
        group_roles={
            membership.entity: {
                name: {"group": membership.group_id(key), "role": membership.person_role[name]}
                for name, key in membership.person_group.items()
            }
            for membership in groups
        },
        scenarios=results,
        depth=depth,
    )
