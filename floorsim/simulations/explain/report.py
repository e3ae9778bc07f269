"""What the single-household explainer finds: per scenario and programme, amounts, verdicts and the factors behind
them (plain data; ``HouseholdReport.to_dict()`` for JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from floorsim.simulations.explain.household_file import HouseholdInputs
from floorsim.simulations.explain.json_values import jsonable


@dataclass
class Factor:
    """A variable or parameter a programme's formula used, with its values.

    ``values`` is a list of ``{"period": ..., "value": ...}`` runs (one per range of months with the same value).
    A person variable's value is ``{person: value}``; a household variable's or a parameter's is a single value (a
    scale's: its brackets). ``parent`` is the variable whose formula used it (``None``: the programme itself).
    """

    kind: Literal["variable", "parameter"]
    name: str
    label: str
    depth: int
    parent: str | None
    entity: str | None
    values: list[dict] = field(default_factory=list)


@dataclass
class Verdict:
    """Why a person (person programmes) or the household got what it got over a range of months.

    ``status``: ``paid``, ``not_paid`` or ``not_in_force`` (no rule of the programme applies at that date).
    ``amount`` is per month (per year for yearly programmes). ``because`` lists the yes/no factors that decided:
    those that were true when paid, false when not (or, lacking any, numeric factors that were zero).
    """

    period: str
    member: str
    status: Literal["paid", "not_paid", "not_in_force"]
    amount: float
    amount_per: str = "month"
    because: list[dict] = field(default_factory=list)
    note: str = ""


@dataclass
class ProgrammeResult:
    """One programme for the household under one scenario."""

    name: str
    label: str
    variable: str
    entity: str
    amount: float  # household total over the period (months summed for a year)
    amounts: dict[str, float]  # by person (person programmes), by group (e.g. foyer_fiscal_1), or {"household": total}
    applies: bool
    verdicts: list[Verdict]
    factors: list[Factor]
    conditions: list[str] = field(default_factory=list)
    defaults_used: dict[str, Any] = field(default_factory=dict)  # inputs the formulas read but nobody gave


@dataclass
class ScenarioResult:
    """Every programme for the household under one scenario (``baseline`` or a reform)."""

    name: str
    label: str
    programmes: list[ProgrammeResult]

    @property
    def total(self) -> float:
        return float(sum(programme.amount for programme in self.programmes))


@dataclass
class HouseholdReport:
    """The single-window result: the household, the period and one :class:`ScenarioResult` per scenario."""

    country: str
    country_label: str
    currency: str
    period: str
    period_unit: Literal["month", "year"]
    household: HouseholdInputs
    roles: dict[str, str]  # by person name, as simulated
    scenarios: list[ScenarioResult]
    depth: int
    # Other group entities, as simulated: entity → person name → {"group": id, "role": role key}.
    group_roles: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def person_groups(self, name: str) -> dict[str, dict[str, str]]:
        """The groups of person ``name``: entity → {"group", "role"}."""
        return {entity: persons[name] for entity, persons in self.group_roles.items() if name in persons}

    def scenario(self, name: str) -> ScenarioResult:
        return next(scenario for scenario in self.scenarios if scenario.name == name)

    @property
    def defaults_used(self) -> dict[str, Any]:
        """Inputs read by some programme's formulas but not given (for some or all persons): their default values
        were used. Worth checking: e.g. a household consumption of 0 passes a poverty test."""
        found: dict[str, Any] = {}
        for scenario in self.scenarios:
            for programme in scenario.programmes:
                found.update(programme.defaults_used)
        return dict(sorted(found.items()))

    def to_dict(self) -> dict:
        baseline = self.scenarios[0]
        return jsonable(
            {
                "country": self.country,
                "country_label": self.country_label,
                "currency": self.currency,
                "period": self.period,
                "period_unit": self.period_unit,
                "amounts_are": "sum over the months of the year" if self.period_unit == "year" else "for the month",
                "explanation_depth": self.depth,
                "defaults_used": self.defaults_used,
                "household": {
                    **self.household.to_dict(),
                    "persons": [
                        {**person, "role": self.roles[person["name"]],
                         **({"groups": self.person_groups(person["name"])} if self.group_roles else {})}
                        for person in self.household.to_dict()["persons"]
                    ],
                },
                "scenarios": {
                    scenario.name: {
                        "label": scenario.label,
                        "total": scenario.total,
                        "programmes": {programme.name: asdict(programme) for programme in scenario.programmes},
                    }
                    for scenario in self.scenarios
                },
                "changes": {
                    scenario.name: {
                        "total": scenario.total - baseline.total,
                        "programmes": {
                            programme.name: programme.amount - base.amount
                            for programme, base in zip(scenario.programmes, baseline.programmes)
                        },
                    }
                    for scenario in self.scenarios[1:]
                },
            }
        )
