"""Results of a microsimulation: annual amounts for each scenario, and the headline figures derived from them
(cost, beneficiaries, poverty, inequality; defined in ``floorsim.simulations.analysis.headline``).

Welfare follows DESIGN.md: observed welfare (consumption, or income for income surveys) already contains the
transfers households receive today, so under scenario ``s`` household welfare is
``observed − baseline transfers + transfers under s`` (monthly, after moving observed welfare to the simulated
year's prices), divided by household size. Everyone in a household carries its per-capita welfare; indicators are
person-weighted (household weight × size) and summed in float64.

Headline figures are computed from household-level arrays, which both in-memory and streamed runs return;
person-level arrays are kept for in-memory runs only (``ScenarioOutputs.person``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.errors import FloorsimError, ScenarioError
from floorsim.indicators import weighted_count, weighted_quantile, weighted_total
from floorsim.simulations.engine.prices import PriceContext
from floorsim.simulations.engine.scenarios import Scenario
from floorsim.surveys.model import UNKNOWN_AGE_SEX, Survey, SurveyMetadata
from floorsim.surveys.streamed import StreamedSurvey

MONTHS_PER_YEAR = 12
AGE_GROUP_EDGES = [0, 6, 18, 60, 200]
AGE_GROUP_LABELS = ["0-5", "6-17", "18-59", "60+"]
HOUSEHOLD_SUM = "household_sum:"
RECIPIENTS = "recipients:"
# Members of a household receiving at least one person programme (amount > 0 after take-up): with the recipients of
# each programme, what a household-level (compact) report needs to count the persons receiving any programme.
RECIPIENTS_ANY = "recipients:any_person_programme"
# Of a streamed survey with members of unknown age and sex (``age_sex_unknown``, a household-level file): how many
# each household has, and each person variable summed over them (``analysis.unknown_members`` reports them).
UNKNOWN_MEMBERS = "unknown_age_sex:members"
UNKNOWN_SUM = "unknown_age_sex:sum:"


@dataclass
class ScenarioOutputs:
    """Annual amounts (currency per year, float64) of one scenario, aligned with the survey's rows.

    ``household`` holds household variables, and for each person variable ``v`` its household sum
    (``household_sum:v``) and number of recipients (``recipients:v``, persons with a positive amount), and the
    number of members receiving at least one person programme (``RECIPIENTS_ANY``).
    """

    name: str
    scenario: Scenario
    person: dict[str, np.ndarray] = field(default_factory=dict)
    household: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Results:
    """Everything a run produced, with what is needed to compute indicators from it.

    ``households`` holds household-level arrays aligned with the outputs: ``household_id``, ``weight``,
    ``size`` and observed ``welfare`` (household total per month, survey prices).
    """

    spec: CountrySpec
    metadata: SurveyMetadata
    households: dict[str, np.ndarray]
    year: int
    scenarios: dict[str, ScenarioOutputs]
    price_context: PriceContext | FloorsimError
    run_info: dict
    survey: Survey | None = None
    # What produced these results (versions, hashes, seeds, prices), recorded by the engine when the run happened
    # (``floorsim.simulations.engine.provenance.provenance``); reports present it and never recompute it.
    provenance: dict = field(default_factory=dict)
    # The streamed survey a streamed run was on (its household weights are ``households["weight"]``); None for an
    # in-memory run or a run on a folder path. Its persons are read one row group at a time (``person_chunks``).
    streamed: StreamedSurvey | None = None

    @property
    def prices(self) -> PriceContext:
        """Poverty line and uprating of the simulated year; raises if the country's price data do not cover it."""
        if isinstance(self.price_context, FloorsimError):
            raise self.price_context
        return self.price_context

    @property
    def poverty_line(self) -> float:
        """The poverty line of the run (currency per person per month): the national line of the simulated year,
        or ``share × weighted median`` of baseline welfare per capita for a relative line (fixed across
        scenarios, so that reforms are judged against one line)."""
        share = self.spec.poverty_line.share_of_median
        if share is None:
            return float(self.prices.poverty_line)
        return share * float(weighted_quantile(self.welfare_per_capita("baseline"), self.person_weight_of_household, 0.5))

    def scenario(self, name: str) -> ScenarioOutputs:
        if name not in self.scenarios:
            raise ScenarioError(f"no scenario '{name}'; this run has {', '.join(self.scenarios)}")
        return self.scenarios[name]

    @property
    def person_weight_of_household(self) -> np.ndarray:
        """Number of persons each household represents: household weight × household size (float64)."""
        return self.households["weight"] * self.households["size"]

    def welfare_per_capita(self, name: str, baseline: str = "baseline") -> np.ndarray:
        """Monthly welfare per person of each household under scenario ``name`` (currency per person per month).

        ``(y × uprating − T_baseline / 12 + T_name / 12) / size``, where ``y`` is observed household welfare per
        month and ``T`` the household's simulated annual transfers; welfare is floored at zero.
        """
        transfers = self.spec.transfers_variable
        observed = self.households["welfare"] * self.prices.consumption_uprating
        change = (
            self.scenario(name).household[transfers] - self.scenario(baseline).household[transfers]
        ) / MONTHS_PER_YEAR
        return np.maximum(observed + change, 0.0) / self.households["size"]

    def programme_cost(self, name: str, programme: str) -> float:
        """Annual cost of ``programme`` under scenario ``name``: Σ household weight × household amount."""
        variable, entity = self._programme(programme)
        household = self.scenario(name).household
        amounts = household[f"{HOUSEHOLD_SUM}{variable}"] if entity == "person" else household[variable]
        return weighted_total(amounts, self.households["weight"])

    def programme_beneficiaries(self, name: str, programme: str) -> float:
        """Persons (person programmes) or households (household programmes) receiving a positive amount."""
        variable, entity = self._programme(programme)
        household = self.scenario(name).household
        if entity == "person":
            return weighted_total(household[f"{RECIPIENTS}{variable}"], self.households["weight"])
        return weighted_count(household[variable] > 0, self.households["weight"])

    def _programme(self, programme: str) -> tuple[str, str]:
        if programme not in self.spec.programmes:
            raise ScenarioError(f"no programme '{programme}'; the country has {', '.join(self.spec.programmes)}")
        definition = self.spec.programmes[programme]
        return definition.variable, definition.entity

    def headline(self, name: str) -> dict[str, float]:
        """Headline figures of one scenario (amounts per year in the country's currency; rates as fractions):
        ``floorsim.simulations.analysis.headline.point_figures``, where every figure is defined."""
        from floorsim.simulations.analysis.headline import point_figures  # the one definition, in the layer above

        return point_figures(self, name)

    def comparison(self, reform: str, baseline: str = "baseline") -> dict[str, dict[str, float]]:
        """``{figure: {"baseline": b, "reform": r, "change": r − b}}`` for every headline figure."""
        before, after = self.headline(baseline), self.headline(reform)
        return {key: {"baseline": before[key], "reform": after[key], "change": after[key] - before[key]} for key in before}

    def design_frame(self) -> pd.DataFrame:
        """The design columns of :meth:`person_frame` alone, one row per person: ``household_id``, ``weight``,
        ``household_weight`` and ``stratum``, ``psu`` when the survey has them. The sampling design and its
        replicate weights depend on these only (``reports.sampling.survey_uncertainty``), so they can be drawn
        before the full frame exists (a lower peak of memory). Needs an in-memory run."""
        if self.survey is None:
            raise ScenarioError("a person frame needs an in-memory run; this run was streamed from a survey folder")
        index = self.survey.person_household_index
        households = self.survey.households
        weight = self.households["weight"][index]
        frame = pd.DataFrame({"household_id": self.households["household_id"][index], "weight": weight,
                              "household_weight": weight})
        for column in ("stratum", "psu"):
            if column in households:
                frame[column] = households[column].to_numpy()[index]  # as in person_frame
        return frame

    def compact_frame(self, scenarios: list[str] | None = None) -> pd.DataFrame:
        """The run as a *compact frame*, one row per household (``floorsim.simulations.analysis.compact``), built from
        the household results alone: what a report of a streamed run (no person frame) is computed on, and equal
        to ``compact_frame(person_frame())`` for an in-memory run (tested).

        Columns: those of ``analysis.compact.household_compact_frame`` (weight w_h n_h, persons n_h, household
        weight, stratum and psu, welfare per capita, per-person mean amounts and recipient shares, the share
        receiving any programme), the household's ``region`` and ``urban``, and its members by age group and sex
        (``members_age_group=<label>``, ``members_sex=<value>``; persons of unknown age and sex in no age group
        and in the sex ``unknown``, as in the person frame)."""
        from floorsim.simulations.analysis.compact import household_compact_frame, person_group_counts

        names = list(self.scenarios) if scenarios is None else scenarios
        size = np.asarray(self.households["size"], dtype=np.float64)
        amounts, recipients, receiving_any = {}, {}, {}
        for name in names:
            household = self.scenario(name).household
            household_paid = np.zeros(size.size, dtype=bool)
            for key, programme in self.spec.programmes.items():
                if programme.entity == "person":
                    amounts[(key, name)] = household[f"{HOUSEHOLD_SUM}{programme.variable}"]
                    recipients[(key, name)] = household[f"{RECIPIENTS}{programme.variable}"]
                else:  # every member receives a household amount (split equally, as in the person frame)
                    paid = household[programme.variable] > 0
                    amounts[(key, name)] = household[programme.variable]
                    recipients[(key, name)] = np.where(paid, size, 0.0)
                    household_paid |= paid
            receiving_any[name] = np.where(household_paid, size, household[RECIPIENTS_ANY])
        table = self._household_table()
        aligned = table["household_id"].to_numpy(np.int64)
        if not np.array_equal(aligned, np.asarray(self.households["household_id"], dtype=np.int64)):
            raise ScenarioError("the survey's households are not those of the results (a different survey?)")
        return household_compact_frame(
            self.households["household_id"], self.households["weight"], size,
            {name: self.welfare_per_capita(name) for name in names}, amounts, recipients, receiving_any,
            design={c: table[c].to_numpy() for c in ("stratum", "psu") if c in table.columns},
            attributes={"region": pd.Categorical(table["region"]), "urban": table["urban"].to_numpy(bool)},
            members=person_group_counts(self._person_parts(), size.size, AGE_GROUP_EDGES, AGE_GROUP_LABELS),
        )

    def _household_table(self) -> pd.DataFrame:
        """The survey's households table (in-memory or streamed), in the order of the results."""
        if self.survey is not None:
            return self.survey.households
        if self.streamed is None:
            raise ScenarioError("this run keeps no survey (neither in memory nor streamed): no compact frame")
        return self.streamed.households

    def _person_parts(self):
        """(household code of each person, persons' age, sex and unknown-age flag) of the survey, in parts: the
        whole survey in memory, or one row group at a time of a streamed one (never all persons at once)."""
        columns = ["household_id", "age", "sex"]
        if self.survey is not None:
            persons = self.survey.persons
            wanted = [c for c in [*columns, UNKNOWN_AGE_SEX] if c in persons.columns]
            yield self.survey.person_household_index, persons[wanted]
            return
        wanted = [c for c in [*columns, UNKNOWN_AGE_SEX] if c in self.streamed.person_columns]
        for first, persons in self.streamed.person_chunks(wanted):
            ids = persons["household_id"].to_numpy()
            codes = np.zeros(ids.size, dtype=np.int64)
            np.cumsum(ids[1:] != ids[:-1], out=codes[1:])  # persons of a household are contiguous (checked on read)
            yield first + codes, persons

    def person_frame(self, scenarios: list[str] | None = None) -> pd.DataFrame:
        """The run as a *person frame* (``floorsim.simulations.analysis.frame``), the input of every analysis table.

        One row per person: ``household_id``, ``weight`` (the household weight each member carries, as in the
        headline figures), ``household_weight``, ``stratum`` and ``psu`` when the survey has them,
        ``welfare_<scenario>`` (monthly welfare per capita of the person's household), ``amount_<programme>_<scenario>``
        (annual; household programmes split equally over members so weighted totals equal household totals), and
        grouping columns ``sex``, ``age``, ``age_group``, ``region``, ``urban``, ``disability_severity``,
        ``relationship``. Needs an in-memory run (streamed runs keep household-level results only).
        """
        from floorsim.simulations.analysis import attribute_household_amounts, build_person_frame

        if self.survey is None:
            raise ScenarioError("a person frame needs an in-memory run; this run was streamed from a survey folder")
        person_programmes = [p.variable for p in self.spec.programmes.values() if p.entity == "person"]
        if not self.scenarios or any(v not in next(iter(self.scenarios.values())).person for v in person_programmes):
            # (A package whose programmes are all household-level needs no person-level results.)
            raise ScenarioError("a person frame needs person-level results: run with keep_persons=True")
        names = list(self.scenarios) if scenarios is None else scenarios
        survey = self.survey
        index = survey.person_household_index
        household_weight = self.households["weight"]
        weight = household_weight[index]
        person_household_ids = self.households["household_id"][index]
        amounts = {}
        for name in names:
            outputs = self.scenario(name)
            for key, programme in self.spec.programmes.items():
                if programme.entity == "person":
                    amounts[(key, name)] = outputs.person[programme.variable]
                else:
                    amounts[(key, name)] = attribute_household_amounts(
                        outputs.household[programme.variable],
                        self.households["household_id"],
                        person_household_ids,
                        weight,
                        household_weight,
                    )
        persons, households = survey.persons, survey.households
        age = persons["age"].to_numpy()
        def text(column: pd.Series) -> pd.Series:  # Arrow text as it is: no n Python strings in between
            return column.astype("str")

        groups = {
            "sex": text(persons["sex"]),
            "age": age,
            "age_group": pd.cut(age, AGE_GROUP_EDGES, right=False, labels=AGE_GROUP_LABELS).astype(str),
            "region": text(households["region"]).take(index),
            "urban": households["urban"].to_numpy()[index],
            "disability_severity": persons["disability_severity"].to_numpy(),
            "relationship": text(persons["relationship"]),
        }
        design = {column: households[column].to_numpy()[index] for column in ("stratum", "psu") if column in households}
        return build_person_frame(
            person_household_ids,
            weight,
            {name: self.welfare_per_capita(name)[index] for name in names},
            amounts,
            household_weight=weight,
            groups=groups,
            **design,
        )
