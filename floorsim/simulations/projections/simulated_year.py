"""The simulated year of a single-year run (``floorsim run``): its population and its cost denominators.

Population. Where the country has projection assumptions (``floorsim/country_packages/<country>/projections/*.yaml``) whose
population file covers the year, the survey is moved to that year exactly as ``floorsim project`` moves it
(``StaticAgeing``: weights calibrated to the year's projected persons by age group, money × the CPI factor of the
``MacroPath``), and the run's poverty line and uprating come from the same projected CPI. So ``run --period Y`` and
``project`` give the same population, and the same cost where the year's parameters are legislated. Otherwise, or
with ``--population-year survey``, the survey's own weights are used (the population of its reference year).

Cost denominators. GDP and general government expenditure of the year, in currency units per year:

* a year of the assumptions' GDP path (``MacroPath.gdp``, from ``gdp.base_year`` to the horizon): the same GDP
  ``project`` divides by; expenditure = the year's ``government_expenditure_share_of_gdp`` × GDP;
* an earlier year: the country package's GDP parameter (``gdp.parameter`` × ``gdp.scale``) when it has a value
  dated in that year; no expenditure (the share series starts with the horizon);
* otherwise: absent, with a note saying why. No figure is ever made up.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from floorsim.simulations.analysis.covered_years import covered_years
from floorsim.simulations.engine.countries import CountrySpec
from floorsim.simulations.engine.parameters import find_parameter
from floorsim.simulations.engine.run_warnings import emit, price_data_warning
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.projections.ageing import StaticAgeing
from floorsim.simulations.projections.assumptions import Assumptions, load_assumptions, series_value
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.macro import MacroPath
from floorsim.simulations.projections.population import PopulationProjection, read_population_projection
from floorsim.simulations.reports.labels import Labels
from floorsim.surveys.model import Survey
from floorsim.surveys.streamed import StreamedSurvey

SURVEY_POPULATION = "survey"
PROJECTIONS_FOLDER = "projections"


@dataclass
class SimulatedYear:
    """The survey a run uses for ``year``, the macro path it was moved with (None: survey population and no
    projection), the recorded population and cost denominators, and notes on what was not available."""

    year: int
    survey: Survey | StreamedSurvey
    macro: MacroPath | None
    population: dict
    cost_denominators: dict
    notes: list[str] = field(default_factory=list)


def parse_population_year(option: str | None) -> int | str | None:
    """``--population-year``: None (default: the simulated year where a projection exists), ``"survey"``, or a
    year; anything else is a :class:`ProjectionError`."""
    if option is None or option == SURVEY_POPULATION:
        return option
    try:
        return int(option)
    except ValueError:
        raise ProjectionError(
            f"--population-year: {option!r} is neither 'survey' nor a year (e.g. 2025)"
        ) from None


def _data_warnings(
    spec: CountrySpec, year: int, assumptions: Assumptions | None, population: PopulationProjection | None,
    population_year: int | str | None,
) -> list[str]:
    """Warnings for a year beyond the data: the package's prices (unless the assumptions' macro path covers the
    year) and, when the country has a population projection, its years."""
    found = []
    horizon = assumptions.years.end if assumptions is not None else None
    price = price_data_warning(baseline_system(spec.key), spec, year, extended_to=horizon)
    if price:
        found.append(price)
    if population is not None and population_year is None and year not in population.counts:
        found.append(f"period {year} is beyond the population projection {population.path.name} "
                     f"({population.years[0]}-{population.years[-1]}): the survey's own weights are used")
    return found


def country_assumptions(spec: CountrySpec) -> Assumptions | None:
    """The country's projection assumptions: the first file (by name) of ``<package>/projections/*.yaml`` whose
    ``country`` is this country; None when the package has none."""
    folder = Path(spec.folder) / PROJECTIONS_FOLDER
    for path in sorted(folder.glob("*.yaml")):
        assumptions = load_assumptions(path)
        if assumptions.country == spec.name:
            return assumptions
    return None


def _fact(key: str, **values: object) -> dict:
    """A fact recorded as data, ``{"fact": "fact.<key>", **values}``: the reports write it in their language
    (``Labels.fact``); ``_english`` gives the English sentence kept beside it in the record."""
    return {"fact": f"fact.{key}", **values}


def _english(fact: dict | str) -> str:
    """The English sentence of a recorded fact (its label in ``floorsim.simulations.reports.labels``)."""
    return fact if isinstance(fact, str) else Labels().fact(fact)


def _survey_population(survey: Survey | StreamedSurvey, reason: dict) -> dict:
    fact = _fact("population_survey", reason=reason)
    return {"year": survey.metadata.reference_year, "projected": False, "source": _english(fact), "source_fact": fact}


def _choose_population_year(
    option: int | str | None, year: int, assumptions: Assumptions | None, population: PopulationProjection | None,
    notes: list[dict],
) -> int | None:
    """The year whose projected population the run is calibrated to; None: the survey's own weights."""
    if option == SURVEY_POPULATION:
        return None
    wanted = year if option is None else int(option)
    if assumptions is None or population is None:
        if option is not None:
            raise ProjectionError(f"--population-year {option}: the country has no population projection "
                                  "(projections/*.yaml in its package); use --population-year survey")
        notes.append(_fact("no_projection"))
        return None
    if wanted not in population.counts:
        message = (f"{population.path}: no population for {wanted} (the file has {population.years[0]}-"
                   f"{population.years[-1]})")
        if option is not None:
            raise ProjectionError(f"--population-year {option}: {message}")
        notes.append(_fact("projection_missing_year", file=str(population.path), year=wanted,
                           first=population.years[0], last=population.years[-1]))
        return None
    return wanted


def simulated_year(
    spec: CountrySpec, survey: Survey | StreamedSurvey, year: int, population_year: int | str | None = None
) -> SimulatedYear:
    """The survey moved to ``year``'s population (see the module docstring) and the year's GDP and government
    expenditure; a :class:`~floorsim.surveys.streamed.StreamedSurvey` is moved without reading its persons whole
    (``StaticAgeing``) and comes back streamed. ``population_year``: None (the simulated year where a projection covers it), ``"survey"`` (the
    survey's own weights, today's figures), or a year of the population projection."""
    notes: list[dict] = []
    assumptions = country_assumptions(spec)
    population = None
    macro = None
    if assumptions is not None:
        population = read_population_projection(assumptions.resolve(assumptions.population.file))
        macro = MacroPath.build(assumptions, spec, baseline_system(spec.key), survey.metadata.reference_year)
    chosen = _choose_population_year(population_year, year, assumptions, population, notes)
    if chosen is not None and macro is not None and population is not None:
        ageing = StaticAgeing(survey, assumptions.population.method, assumptions.population.bounds, assumptions.where)
        try:
            aged, _ = ageing.age(population.margin(chosen), year, macro.survey_money_factor(year), chosen)
        except ProjectionError as error:
            if population_year is not None:  # asked for by name: say it cannot be done
                raise
            # by default a survey too small for the margins keeps its own weights, and the outputs say why
            notes.append(_fact("not_reweighted", year=chosen, error=str(error)))
            chosen = None
    if chosen is None or macro is None or population is None:
        reason = _fact("population_year_survey") if population_year == SURVEY_POPULATION else notes[-1]
        record = _survey_population(survey, reason)
    else:
        survey = aged
        cited = population.source.get("citation") or population.source["title"]
        fact = _fact("population_projection", method=assumptions.population.method, file=population.path.name,
                     citation=cited)
        record = {"year": chosen, "projected": True, "projection_total": population.total(chosen),
                  "projection_file": str(population.path), "source": _english(fact), "source_fact": fact}
    # The macro path's prices apply only when the survey was moved to the year: with its own weights the run keeps
    # the package's prices, so a year beyond them is warned even inside the assumptions' years.
    record["warnings"] = _data_warnings(spec, year, assumptions if record["projected"] else None, population,
                                        population_year)
    emit(record["warnings"])  # printed by the CLI; in summary.json through the population record
    denominators = cost_denominators(spec, assumptions, macro, year)
    return SimulatedYear(year, survey, macro if record["projected"] else None, record, denominators,
                         [_english(note) for note in notes] + denominators["notes"])


def _package_gdp(spec: CountrySpec, assumptions: Assumptions, year: int) -> float | None:
    """The package's GDP parameter dated in ``year`` (× the assumptions' scale), if it has one."""
    try:
        parameter = find_parameter(baseline_system(spec.key).parameters, assumptions.gdp.parameter)
    except FloorsimError:
        return None
    dated = [at.value for at in parameter.values_list if at.instant_str.startswith(str(year)) and at.value is not None]
    return float(dated[0]) * assumptions.gdp.scale if dated else None


def cost_denominators(
    spec: CountrySpec, assumptions: Assumptions | None, macro: MacroPath | None, year: int
) -> dict:
    """``{"gdp": {...} | None, "government_expenditure": {...} | None, "notes": [...], "note_facts": [...]}``:
    each figure with its ``value`` (currency units per year), ``year``, ``source`` (English) and ``source_fact``
    (the same as data, for the reports' languages); ``notes`` say why a figure is absent (see the module docstring
    for the rules), ``note_facts`` the same as data."""
    if assumptions is None or macro is None:
        note = _fact("no_assumptions", year=year, country=spec.name)
        return {"gdp": None, "government_expenditure": None, "notes": [_english(note)], "note_facts": [note]}
    where = Path(assumptions.where).name
    label = assumptions.gdp.label or "GDP"
    base = assumptions.gdp.base_year
    notes: list[dict] = []
    gdp = expenditure = None
    parameter = assumptions.gdp.parameter
    if year in macro.gdp:
        fact = (_fact("gdp_path", parameter=parameter, base=base) if year == base else
                _fact("gdp_grown", parameter=parameter, base=base, file=where, year=year))
        gdp = {"value": macro.gdp[year], "year": year, "label": label, "source": _english(fact), "source_fact": fact}
    else:
        value = _package_gdp(spec, assumptions, year)
        if value is not None:
            fact = _fact("gdp_package", parameter=parameter, year=year)
            gdp = {"value": value, "year": year, "label": label, "source": _english(fact), "source_fact": fact}
        else:
            notes.append(_fact("no_gdp", year=year, parameter=parameter, file=where, first=base,
                               last=assumptions.years.end))
    try:
        share = series_value(assumptions.government_expenditure_share_of_gdp, year)
    except KeyError:
        notes.append(_fact("no_expenditure", year=year, file=where, first=assumptions.years.start,
                           last=assumptions.years.end))
    else:
        if gdp is not None:
            fact = _fact("expenditure", file=where, share=float(f"{share.value:.6g}"))
            expenditure = {"value": share.value * gdp["value"], "year": year, "label": "general government expenditure",
                           "source": _english(fact), "source_fact": fact}
    return {"gdp": gdp, "government_expenditure": expenditure, "notes": [_english(note) for note in notes],
            "note_facts": notes}


def check_period_covered(spec: CountrySpec, year: int, *, rules_only: bool = False) -> None:
    """Stop with one line naming the years the package covers when ``year`` is outside them: from its first rules
    and price data to its last dated values, or to the end of its projection assumptions where it has them
    (``floorsim.simulations.analysis.covered_years``). ``rules_only`` (one household, no poverty line or survey money to
    move with prices) checks the last year only: a period before the rules fails on its own, naming the parameter."""
    assumptions = country_assumptions(spec)
    covered = covered_years(baseline_system(spec.key), spec, assumptions.years.end if assumptions else None)
    if rules_only:
        covered = dataclasses.replace(covered, first=min(covered.first, year))
    covered.check(spec.name, year)
