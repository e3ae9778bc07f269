"""Multi-year projection: for each year, static ageing of the survey, indexed parameters, the engine, indicators.

For every year ``Y`` of the horizon:

1. the survey is reweighted to the year's projected population and its money moved to the year (``ageing.py``);
2. each scenario (the baseline and every reform) gets the year's reform (``uprating.py``): parameters indexed
   where no value is legislated for ``Y``, and the take-up phase-in of the assumptions file;
3. the engine runs all scenarios on the aged survey (``floorsim.simulations.Microsimulation``, unchanged);
4. the poverty line comes from the projected CPI (``MacroPath.price_context``), and each scenario's cost (money,
   % of GDP, % of government expenditure), beneficiaries, poverty and Gini go into one tidy table, with the
   aggregate (RAP) cross-checks of universal schemes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd

from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.projections.ageing import StaticAgeing
from floorsim.simulations.projections.aggregate import check_cross_checks, cross_check_frame, cross_check_rows
from floorsim.simulations.projections.assumptions import Assumptions, load_assumptions
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.macro import MacroPath
from floorsim.simulations.projections.population import read_population_projection
from floorsim.simulations.projections.uprating import take_up_changes, uprating_rules, year_changes, year_reform
from floorsim.simulations.engine.provenance import git_commit, package_hash
from floorsim.simulations.engine.reforms import find_parameter, load_reform
from floorsim.simulations.engine.results import Results
from floorsim.simulations.engine.scenarios import Scenario, ScenarioInput, baseline_system, make_scenario, scenario_system
from floorsim.surveys.model import Survey

TABLE_COLUMNS = ["year", "scenario", "programme", "indicator", "value", "unit"]
ALL = "all"


@dataclass
class ProjectionResult:
    """Everything a projection produced.

    Attributes:
        table: the tidy table, one row per (year, scenario, programme, indicator): ``value`` in ``unit``.
            Programme ``"all"`` holds scenario-wide figures (all transfers, additional cost over the baseline,
            poverty, Gini, population, poverty line).
        macro: the assumptions by year (population, inflation, price and wage indices, GDP, expenditure) with
            the status of each (``sourced``, ``assumption``, ``country package``).
        indexation: what indexation did to each parameter, per year and scenario.
        calibration: each year's margins: target, calibrated total, relative error.
        cross_checks: microsimulated vs aggregate (RAP) cost of the universal schemes of the assumptions file.
        provenance: versions, hashes, files and settings.
        results: the engine's :class:`Results` per year (only with ``keep_results=True``).
    """

    assumptions: Assumptions
    table: pd.DataFrame
    macro: pd.DataFrame
    indexation: pd.DataFrame
    calibration: pd.DataFrame
    cross_checks: pd.DataFrame
    provenance: dict
    results: dict[int, Results] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(self.table["scenario"]))

    def value(self, year: int, scenario: str, indicator: str, programme: str = ALL) -> float:
        """One number of the table."""
        rows = self.table[
            (self.table["year"] == year)
            & (self.table["scenario"] == scenario)
            & (self.table["programme"] == programme)
            & (self.table["indicator"] == indicator)
        ]
        if len(rows) != 1:
            raise ProjectionError(f"no single value for {year}, {scenario}, {programme}, {indicator}")
        return float(rows["value"].iloc[0])

    def pivot(self, indicator: str = "cost_pct_gdp", programme: str = ALL) -> pd.DataFrame:
        """Years as rows, scenarios as columns (in scenario order) for one indicator of one programme."""
        rows = self.table[(self.table["indicator"] == indicator) & (self.table["programme"] == programme)]
        return rows.pivot(index="year", columns="scenario", values="value")[self.scenarios]


def _scenarios(
    assumptions: Assumptions, reforms: Mapping[str, ScenarioInput] | Sequence[str | Path] | None
) -> dict[str, Scenario]:
    if reforms is None:
        reforms = [assumptions.resolve(path) for path in assumptions.reforms]
    if not isinstance(reforms, Mapping):
        named = {}
        for path in reforms:
            spec = load_reform(path)
            if spec.name in named:
                raise ProjectionError(f"two reforms are named '{spec.name}': {named[spec.name]} and {path}")
            named[spec.name] = spec
        reforms = named
    if BASELINE in reforms:
        raise ProjectionError(f"a reform cannot be named '{BASELINE}': the baseline is always projected")
    scenarios = {BASELINE: Scenario(BASELINE)}
    for name, value in reforms.items():
        scenarios[name] = make_scenario(name, value)
    return scenarios


def _survey(assumptions: Assumptions, survey: Survey | str | Path | None) -> Survey:
    if isinstance(survey, Survey):
        return survey
    from floorsim.surveys import load_survey

    if survey is None and assumptions.survey is not None:
        survey = assumptions.resolve(assumptions.survey)
    if survey is None:
        from floorsim.surveys.bundled import load_bundled_survey

        return load_bundled_survey()
    return load_survey(survey)


def _take_up_rate(system, path: str, year: int) -> float:
    value = find_parameter(system.parameters, path)(f"{year}-12-31")
    return 1.0 if value is None else float(value)


def indicator_rows(results: Results, macro: MacroPath, baseline: str = BASELINE) -> list[dict]:
    """The tidy rows of one year: per programme and scenario-wide figures, for every scenario."""
    year = results.year
    spec = results.spec
    currency = spec.currency
    gdp, expenditure = macro.gdp[year], macro.expenditure(year)
    population = float(np.sum(results.person_weight_of_household, dtype=np.float64))
    line = results.poverty_line
    base = results.headline(baseline)
    rows = []

    def add(scenario: str, programme: str, indicator: str, value: float, unit: str) -> None:
        rows.append({"year": year, "scenario": scenario, "programme": programme, "indicator": indicator,
                     "value": float(value), "unit": unit})

    def money(scenario: str, programme: str, prefix: str, amount: float) -> None:
        add(scenario, programme, prefix, amount, currency)
        add(scenario, programme, f"{prefix}_pct_gdp", 100 * amount / gdp, "% of GDP")
        add(scenario, programme, f"{prefix}_pct_expenditure", 100 * amount / expenditure,
            "% of government expenditure")

    for name in results.scenarios:
        figures = results.headline(name)
        for key, programme in spec.programmes.items():
            money(name, key, "cost", figures[f"{key}_cost"])
            unit = "persons" if programme.entity == spec.person_entity else "households"
            add(name, key, "beneficiaries", figures[f"{key}_beneficiaries"], unit)
        money(name, ALL, "cost", figures["total_cost"])
        money(name, ALL, "additional_cost", figures["total_cost"] - base["total_cost"])
        add(name, ALL, "poverty_headcount", figures["poverty_headcount"], "share of persons")
        add(name, ALL, "poverty_gap", figures["poverty_gap"], "share of the poverty line")
        add(name, ALL, "poor_persons", figures["poor_persons"], "persons")
        add(name, ALL, "gini", figures["gini"], "index (0-1)")
        add(name, ALL, "population", population, "persons")
        add(name, ALL, "poverty_line", line, f"{currency} per person per month")
    return rows


def _drop_silent_programmes(table: pd.DataFrame) -> pd.DataFrame:
    """Programmes that pay nothing in any year and scenario (e.g. one-off payments of past years) are left out."""
    programme_rows = table[table["programme"] != ALL]
    paying = programme_rows.groupby("programme")["value"].apply(lambda v: bool((v.abs() > 0).any()))
    silent = set(paying.index[~paying])
    return table[~table["programme"].isin(silent)].reset_index(drop=True)


def _version(distribution: str) -> str | None:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return None


def project(
    assumptions: Assumptions | str | Path,
    reforms: Mapping[str, ScenarioInput] | Sequence[str | Path] | None = None,
    *,
    survey: Survey | str | Path | None = None,
    backend: str = "sequential",
    n_jobs: int = 1,
    chunk_size: int | None = None,
    keep_results: bool = False,
    progress: Callable[[int], None] | None = None,
    phases: Phases | None = None,
) -> ProjectionResult:
    """Project the baseline and ``reforms`` over the horizon of ``assumptions`` (see the module docstring).

    Args:
        assumptions: a validated :class:`Assumptions` or the path of an assumptions file.
        reforms: ``{name: reform}`` (anything :class:`~floorsim.simulations.Microsimulation` accepts), or reform files
            (named by their ``name``); default: the file's ``reforms``. The baseline is always added.
        survey: an in-memory survey or a survey folder; default: the file's ``survey``, else the bundled survey.
        backend, n_jobs, chunk_size: passed to the engine for each year (``chunk_size`` None: the engine's plan,
            ``floorsim/simulations/engine/plan.py``; the projection used 5,000 households before, which at a million persons
            made 37 chunks a year on one worker).
        keep_results: keep each year's engine :class:`Results` in ``ProjectionResult.results``.
        progress: called with each year once it is done.
        phases: the command's phases (``floorsim.simulations.analysis.phases``), to which the projection adds its own:
            preparing, then per year ageing and calibration, simulation, indicators and cross-checks (timed, and
            shown when the command shows them); recorded in ``provenance["phase_timings"]``.

    Raises:
        ProjectionError: assumptions inconsistent with the country package or the population file (naming the
            file and the field); ReformError, ScenarioError, SurveyError from the layers below.
    """
    phases = phases or Phases()
    with phases.phase("preparing: assumptions, population, survey, macro path"):
        a, spec, system, population_file, population, rules, rate_parameters, scenarios, data, macro = _prepare(
            assumptions, reforms, survey)

    rows: list[dict] = []
    indexation: list[dict] = []
    calibration: list[pd.DataFrame] = []
    checks: list[dict] = []
    kept: dict[int, Results] = {}
    price_notes: dict[int, list[str]] = {}
    ageing = StaticAgeing(data, a.population.method, a.population.bounds, a.where)
    chosen = chunk_size
    for year in a.years.years:
        with phases.phase(f"{year}: ageing and calibration"):
            aged, calibrated = ageing.age(population.margin(year), year, macro.survey_money_factor(year))
            calibration.append(calibrated.margins.assign(year=year))
            inputs = {}
            for name, scenario in scenarios.items():
                changes, records = year_changes(
                    scenario_system(a.country, scenario.steps), rules, year, a.base_year, macro.index_level
                )
                changes += take_up_changes(a, rate_parameters, year)
                reform = year_reform(name, year, changes)
                inputs[name] = list(scenario.steps) + ([reform] if reform is not None else [])
                indexation += [{"scenario": name, **dataclasses.asdict(record)} for record in records]
        with phases.phase(f"{year}: simulation ({len(inputs)} scenarios)"):
            simulation = Microsimulation(
                a.country, aged, year, backend=backend, n_jobs=n_jobs, chunk_size=chunk_size, seed=a.seed
            )
            results = simulation.run(inputs)
            chosen = results.run_info.get("chunk_size", chunk_size)  # what the engine chose, for the provenance
        with phases.phase(f"{year}: indicators and cross-checks"):
            prices = macro.price_context(year, aged.metadata.reference_year)
            price_notes[year] = list(prices.notes)
            results = dataclasses.replace(results, price_context=prices)
            rows += indicator_rows(results, macro)
            for name in scenarios:
                year_system = scenario_system(a.country, results.scenario(name).scenario.steps)
                rates = {key: _take_up_rate(year_system, path, year) for key, path in rate_parameters.items()}
                checks += cross_check_rows(results, name, year_system, population, a, rates)
        if keep_results:
            kept[year] = results
        if progress is not None:
            progress(year)
    return _result(a, spec, population_file, population, rules, scenarios, data, macro, rows, indexation,
                   calibration, checks, kept, price_notes, backend, n_jobs, chosen, phases)


def _prepare(assumptions: Assumptions | str | Path, reforms, survey) -> tuple:
    """The checked inputs of a projection: assumptions, country, population, uprating rules, take-up rates,
    scenarios, survey and macro path (everything that can fail fails here, before any year is simulated)."""
    if not isinstance(assumptions, Assumptions):
        assumptions = load_assumptions(assumptions)
    a = assumptions
    try:
        spec = load_country(a.country)
    except FloorsimError as error:
        raise ProjectionError(f"{a.where}: country: {error}") from None
    system = baseline_system(a.country)
    population_file = a.resolve(a.population.file)
    population = read_population_projection(population_file)
    missing = [year for year in a.years.years if year not in population.counts]
    if missing:
        raise ProjectionError(
            f"{a.where}: population.file: {population_file} has no population for "
            f"{', '.join(map(str, missing))}"
        )
    rules = uprating_rules(system, a)
    rate_parameters = {key: p.take_up for key, p in spec.programmes.items() if p.take_up is not None}
    take_up_changes(a, rate_parameters, a.years.start)  # unknown programmes fail now
    check_cross_checks(a, system, spec.programmes)
    scenarios = _scenarios(a, reforms)
    for scenario in scenarios.values():
        scenario_system(a.country, scenario.steps)  # reforms that do not apply fail before any work
    data = _survey(a, survey)
    macro = MacroPath.build(a, spec, system, data.metadata.reference_year)
    return a, spec, system, population_file, population, rules, rate_parameters, scenarios, data, macro


def _result(a: Assumptions, spec, population_file, population, rules, scenarios, data: Survey, macro: MacroPath,
            rows: list[dict], indexation: list[dict], calibration: list[pd.DataFrame], checks: list[dict],
            kept: dict[int, Results], price_notes: dict[int, list[str]], backend: str, n_jobs: int,
            chunk_size: int | None, phases: Phases) -> ProjectionResult:
    """The projection's tables and provenance (with the phase timings) from what the years produced."""
    table = _drop_silent_programmes(pd.DataFrame(rows, columns=TABLE_COLUMNS))
    calibration_table = pd.concat(calibration, ignore_index=True)[
        ["year", "margin", "category", "target", "initial", "calibrated", "relative_error"]
    ]
    provenance = {
        "floorsim_version": _version("floorsim"),
        "openfisca_core_version": _version("openfisca-core"),
        "git_commit": git_commit(),
        "assumptions": {"name": a.name, "label": a.label, "path": str(a.path) if a.path else None,
                        "sha256": a.sha256 or hashlib.sha256(a.model_dump_json().encode()).hexdigest()},
        "country": spec.name,
        "country_package_sha256": package_hash(spec),
        "population": {"path": str(population_file), "source": population.source, "unit": population.unit},
        "survey": {"name": data.metadata.name, "origin": data.origin, "synthetic": data.metadata.synthetic,
                   "reference_year": data.metadata.reference_year, "households": len(data.households),
                   "persons": len(data.persons)},
        "years": a.years.years,
        "indexation_base_year": a.base_year,
        "survey_money": a.prices.survey_money,
        "scenarios": {name: scenario.describe() for name, scenario in scenarios.items()},
        "uprating_rules": {path: dataclasses.asdict(rule) for path, rule in rules.items()},
        "seed": a.seed,
        "engine": {"backend": backend, "n_jobs": n_jobs, "chunk_size": chunk_size},
        "price_notes": price_notes,
        "phase_timings": phases.record(),
    }
    return ProjectionResult(
        assumptions=a,
        table=table,
        macro=macro.table(population),
        indexation=pd.DataFrame(indexation),
        calibration=calibration_table,
        cross_checks=cross_check_frame(checks),
        provenance=json.loads(json.dumps(provenance, default=str)),
        results=kept,
    )
