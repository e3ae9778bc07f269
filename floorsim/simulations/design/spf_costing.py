"""The social protection floor costed the ILO way, on microdata: one row per guarantee, the floor's total, the gap
with what current programmes already pay, and poverty and inequality impacts with confidence intervals.

One engine run holds the baseline (current law), the whole floor and each guarantee alone (every other share set
to 0, ``spf_scenarios.only``), all on the same survey and chunks. For guarantee c (person i, household weight w_i,
annual amounts from the floor scenario):

    beneficiaries_c = Σ_i w_i 1[amount_c,i > 0]   (maternity: Σ_i w_i births_i, births as the floor defines them;
                                                   total: Σ_i w_i max(1[other guarantees_i > 0], births_i))
    cost_c          = Σ_i w_i amount_c,i                              (currency per year)
    cost share      = cost_c / GDP, cost_c / government expenditure   (the run's recorded denominators)
    existing_c      = Σ_i w_i min(amount_c,i, what is left of e_i)    (e_i: the person's baseline amounts from the
                      host's person-level programmes, offset against the guarantees in the order of GAP_ORDER)
    gap_c           = cost_c − existing_c                             (the floor as a top-up of current benefits)

Poverty headcount and Gini changes (scenario − baseline, paired) come from THE headline statistics
(``analysis.headline.headline_statistics``) with the report's uncertainty (``reports.sampling.survey_uncertainty``:
the survey's design, Rao–Wu bootstrap replicates re-calibrated to its margins, or Taylor linearisation): the impact
of a guarantee is that of the guarantee alone; the total's is the whole floor's. Household-level programmes of the
host (e.g. Bolsa da Mãe) cannot be attributed to persons and are left out of the gap view (stated in the notes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from floorsim.country_packages.social_protection_floor import BIRTHS, COMPONENTS
from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.analysis.headline import cost_denominators, headline_statistics, statistic_line
from floorsim.simulations.analysis.uncertainty import scenario_estimates
from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.design.spf_scenarios import only, poverty_line_amount
from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.engine.provenance import record_simulated_year
from floorsim.simulations.engine.results import Results
from floorsim.simulations.engine.scenarios import ScenarioInput, scenario_system
from floorsim.simulations.projections.simulated_year import simulated_year
from floorsim.simulations.reports.sampling import survey_uncertainty
from floorsim.simulations.reports.tables import DEFAULT_REPLICATES
from floorsim.surveys.model import Survey

FLOOR = "floor"
TOTAL = "total"
# The order in which a person's existing benefits are set against the floor's guarantees (old age first: current
# pensions are the benefits most often paid to the same people).
GAP_ORDER = ("old_age", "disability", "child", "maternity", "orphan")
IMPACTS = ("poverty_headcount", "gini")


@dataclass(frozen=True)
class FloorCosting:
    """The floor's table (one row per guarantee and the total), the run it comes from, and notes to print."""

    table: pd.DataFrame
    results: Results
    notes: list[str] = field(default_factory=list)
    phase_timings: dict | None = None  # ``Phases.record()`` of the costing (written into spf.json)

    def as_json(self) -> dict:
        """The table and its context, JSON-able (``--out`` writes it as ``spf.json``)."""
        results = self.results
        return {
            "country": results.spec.name,
            "year": results.year,
            "currency": results.spec.currency,
            "survey": results.metadata.name,
            "synthetic": bool(results.metadata.synthetic),
            "poverty_line": float(results.poverty_line),
            "notes": self.notes,
            "births": births_definition(results),
            "rows": json_rows(self.table),
            "phase_timings": self.phase_timings,
        }


def json_rows(table: pd.DataFrame) -> list[dict]:
    """Rows with NaN as None (strict JSON)."""
    return [
        {key: (None if isinstance(value, float) and not np.isfinite(value) else value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]


def floor_scenarios(steps: Sequence[ScenarioInput], start: str, components: Sequence[str]) -> dict[str, list]:
    """Baseline, the whole floor (``steps`` after the floor: levels, a poverty line amount) and each component
    alone."""
    floor = [DOTTED_PATH, *steps]  # a user's steps come after the run's line: an explicit amount of theirs wins
    return {BASELINE: None, FLOOR: floor, **{key: [*floor, only(key, start)] for key in components}}


def cost_floor(
    country: str,
    survey: Survey,
    period: int,
    *,
    steps: Sequence[ScenarioInput] = (),
    jobs: int = 1,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    level: float = 0.95,
    phases: Phases | None = None,
) -> FloorCosting:
    """Run the floor on ``survey`` for ``period`` and build its ILO-style table (see the module docstring).

    The survey is moved to the year's population where the country projects one, and GDP and government
    expenditure are those the run records for the year (as ``floorsim run`` does). ``phases``: the command's
    phases, to which the costing adds its own (timed, shown when the command shows them, kept in the result).
    """
    phases = phases or Phases()
    spec = load_country(country)
    with phases.phase("population of the simulated year"):
        year = simulated_year(spec, survey, period)
    simulation = Microsimulation(country, year.survey, period, backend="sequential" if jobs == 1 else "loky",
                                 n_jobs=jobs, seed=seed)
    prices = year.macro.price_context(period, year.survey.metadata.reference_year) if year.macro else None
    notes = list(year.notes)
    if prices is not None and prices.poverty_line:
        # The run measures poverty with the line moved by the country's macro path: the floor pays shares of that
        # same line (its own default would move the package's line with the package's CPI alone).
        steps = [poverty_line_amount(prices.poverty_line, f"{period}-01-01"), *steps]
        notes.append(f"The floor's levels are shares of the run's poverty line, {prices.poverty_line:,.2f} "
                     f"{spec.currency} per person per month in {period} (the country's projection assumptions).")
    scenarios = floor_scenarios(steps, f"{period}-01-01", list(COMPONENTS))
    variables = [*COMPONENTS.values(), births_variable(spec)]
    with phases.phase(f"simulation ({len(scenarios)} scenarios)"):
        results = simulation.run(scenarios, variables=variables)
    results = record_simulated_year(results, year.population, year.cost_denominators, prices)
    shown = f"{replicates} replicates" if replicates else "linearisation"
    with phases.phase(f"costing table and confidence intervals ({shown})"):
        table = floor_table(results, replicates=replicates, seed=seed, level=level)
    return FloorCosting(table, results, [*notes, *costing_notes(results)], phases.record())


def person_weights(results: Results) -> np.ndarray:
    """Each person's household weight (persons carry their household's weight, as in the headline)."""
    return results.households["weight"][results.survey.person_household_index].astype(np.float64)


def existing_offsets(results: Results) -> dict[str, np.ndarray]:
    """Per component, the part of each person's floor amount already paid by the host's person-level programmes
    at baseline (annual), offsets taken in :data:`GAP_ORDER` so that no existing benefit counts twice."""
    floor = results.scenario(FLOOR).person
    base = results.scenario(BASELINE).person
    person_programmes = [p.variable for p in results.spec.programmes.values() if p.entity == results.spec.person_entity]
    left = sum((base[name].astype(np.float64) for name in person_programmes), np.zeros(len(person_weights(results))))
    offsets = {}
    for key in GAP_ORDER:
        offset = np.minimum(floor[COMPONENTS[key]].astype(np.float64), left)
        offsets[key] = offset
        left = left - offset
    return offsets


def impact_estimates(results: Results, scenarios: Sequence[str], replicates: int, seed: int, level: float) -> pd.DataFrame:
    """Paired changes in the poverty headcount and the Gini (scenario − baseline) with standard errors and
    confidence intervals, from the one headline definition and the report's uncertainty."""
    frame = results.person_frame([BASELINE, *scenarios])
    uncertainty = survey_uncertainty(frame, replicates, seed, results.survey)
    line = statistic_line(results, frame)
    replicated = uncertainty.replicates is not None

    def statistics(scenario: str) -> dict:
        stats = headline_statistics(results, frame, scenario, line, replicated)
        return {key: stats[key] for key in IMPACTS}

    table = scenario_estimates(frame, BASELINE, scenarios, statistics, level=level, **uncertainty.variance)
    return table[table["measure"] == "change"]


def floor_table(results: Results, *, replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                level: float = 0.95) -> pd.DataFrame:
    """One row per guarantee (and ``total``): beneficiaries, monthly level, cost, cost shares, existing benefits
    to the same people, gap, and the poverty/Gini changes with their confidence intervals."""
    weight = person_weights(results)
    floor = results.scenario(FLOOR).person
    denominators = cost_denominators(results)
    offsets = existing_offsets(results)
    # The births input holds, in each month, the births of the twelve months: the annual output sums twelve of them.
    births = floor[births_variable(results.spec)].astype(np.float64) / 12
    rows = []
    for key, variable in [*COMPONENTS.items(), (TOTAL, None)]:
        if variable is None:
            amount = sum(floor[name].astype(np.float64) for name in COMPONENTS.values())
            existing = sum(offsets.values())
        else:
            amount = floor[variable].astype(np.float64)
            existing = offsets[key]
        if key == "maternity":
            receives = births
        elif key == TOTAL:  # a person counts once; a mother by her births where she has no other guarantee
            receives = np.maximum((amount - floor[COMPONENTS["maternity"]] > 0).astype(np.float64), births)
        else:
            receives = (amount > 0).astype(np.float64)
        cost = float(np.dot(weight, amount))
        rows.append({
            "guarantee": key,
            "beneficiaries": float(np.dot(weight, receives)),
            "cost": cost,
            "cost_share_gdp": cost / denominators["gdp"] if "gdp" in denominators else np.nan,
            "cost_share_expenditure": cost / denominators["government_expenditure"]
            if "government_expenditure" in denominators else np.nan,
            "existing_benefits": float(np.dot(weight, existing)),
            "gap": cost - float(np.dot(weight, existing)),
        })
    table = pd.DataFrame(rows)
    impacts = impact_estimates(results, [*COMPONENTS, FLOOR], replicates, seed, level)
    impacts = impacts.assign(guarantee=impacts["scenario"].replace({FLOOR: TOTAL}))
    for indicator in IMPACTS:
        part = impacts[impacts["indicator"] == indicator].set_index("guarantee")
        for column, name in (("estimate", "change"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            table[f"{indicator}_{name}"] = table["guarantee"].map(part[column]).astype(np.float64)
    return table


def births_variable(spec: CountrySpec) -> str:
    """The person variable holding births: the host's own variable fed by the survey's ``gave_birth`` column where
    ``floorsim.yaml`` declares one (the floor then reads it), else the floor's input :data:`BIRTHS`."""
    fed = [name for name, column in spec.inputs.get("person", {}).items() if column.column == "gave_birth"]
    return fed[0] if fed else BIRTHS


def births_definition(results: Results) -> str:
    """How the run counted the maternity benefit's births, in words (stated in the output)."""
    spec = results.spec
    mapped = any(column.column == "gave_birth" for column in spec.inputs.get("person", {}).values())
    survey = results.survey
    if mapped and survey is not None and "gave_birth" in survey.persons.columns:
        return "births: women who gave birth in the 12 months before the survey (the survey's gave_birth column)"
    system = scenario_system(spec.key, results.scenarios[FLOOR].scenario.steps)
    rate = system.parameters(f"{results.year}-12-31").social_protection_floor.maternity.births_per_woman
    return (f"births: expected number, {float(rate):.6f} births per woman aged 15-49 x the women of those ages "
            "(social_protection_floor.maternity.births_per_woman; the survey has no gave_birth column the host maps)")


def costing_notes(results: Results) -> list[str]:
    """What the table's reader must know: the births definition, the gap view's scope, the denominators."""
    notes = [f"Maternity {births_definition(results)}."]
    programmes = [p.label for p in results.spec.programmes.values() if p.entity == results.spec.person_entity]
    notes.append(
        "Existing benefits: what the host's person-level programmes pay at baseline to the floor's beneficiaries ("
        + ", ".join(programmes) + "); household-level programmes are not attributed to persons and are left out."
    )
    known = cost_denominators(results)
    recorded = results.provenance.get("cost_denominators") or {}
    for name in ("gdp", "government_expenditure"):
        if name in known:
            entry = recorded[name]
            notes.append(f"{name.replace('_', ' ')}: {entry.get('note') or entry.get('source') or entry.get('value')}")
        else:
            notes.append(f"{name.replace('_', ' ')}: not recorded for {results.year}; its share is left empty")
    return notes
