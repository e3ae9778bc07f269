"""The microsimulation engine: a survey run through a country package for a baseline and reforms, in chunks.

Each worker process builds the country's tax-benefit system, and each scenario's reformed system, once (cached
per process) and runs one fresh Simulation per (chunk, scenario). Only arrays travel between processes. Chunks are
contiguous household ranges reassembled in order, and take-up draws depend only on (entity id, programme, seed),
so results do not depend on the backend, the number of workers, the chunk size or the order of scenarios.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core import periods

from floorsim.simulations.engine.backends import BACKENDS, check_jobs, describe_chunk, run_chunks
from floorsim.simulations.engine.builder import build_simulation
from floorsim.simulations.engine.chunks import ChunkInputs, make_chunks
from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.engine.entities import check_groups, group_totals
from floorsim.simulations.errors import ChunkError, FloorsimError, ReformError, ScenarioError
from floorsim.simulations.engine.periods import annual_total, month_segments, months_to_set
from floorsim.simulations.engine.plan import AUTO, plan_run
from floorsim.simulations.engine.prices import PriceContext, price_context
from floorsim.simulations.engine.provenance import provenance, reform_steps_record
from floorsim.simulations.engine.reforms import ReformSpec, check_reform
from floorsim.simulations.engine.run_warnings import FloorsimWarning, emit, inactive_reform_warnings
from floorsim.simulations.engine.household_sums import household_sums, unknown_member_sums
from floorsim.simulations.engine.results import (HOUSEHOLD_SUM, RECIPIENTS, RECIPIENTS_ANY, UNKNOWN_MEMBERS,
                                                 UNKNOWN_SUM, Results, ScenarioOutputs)
from floorsim.simulations.engine.scenarios import Scenario, ScenarioInput, baseline_system, make_scenario, scenario_system
from floorsim.simulations.engine.take_up import TakeUp, take_up_draws, take_up_rate
from floorsim.simulations.engine.file_chunks import FileChunk, household_frame, read_file_chunk, streamed_households
from floorsim.surveys.io import SurveyFile
from floorsim.surveys.model import UNKNOWN_AGE_SEX, Survey
from floorsim.surveys.streamed import StreamedSurvey

MONTH_MODES = ("segments", "all")
BASELINE = "baseline"


@dataclass(frozen=True)
class ChunkRequest:
    """What a worker computes for every chunk: annual totals of variables under each scenario."""

    country: str
    year: int
    scenarios: tuple[Scenario, ...]
    person_variables: tuple[str, ...]
    household_variables: tuple[str, ...]
    transfers_variable: str
    take_up: tuple[TakeUp, ...] = ()
    seeds: tuple[int, ...] = (0,)
    months: str = "segments"
    keep_persons: bool = True
    money_uprating: float = 1.0
    # Variables of the package's other group entities (a tax unit): summed over each household's groups.
    group_variables: tuple[str, ...] = ()


@functools.lru_cache(maxsize=256)
def scenario_segments(country: str, steps: tuple, year: int) -> tuple[tuple[int, int], ...]:
    """Month segments of ``year`` under a scenario's rules (:func:`month_segments`), once per process and
    (scenario, year) instead of once per chunk: walking the parameter tree costs about 1 ms."""
    return tuple(month_segments(scenario_system(country, steps), year))


@functools.lru_cache(maxsize=256)
def _scenario_months(country: str, steps: tuple, year: int, wanted: tuple[str, ...], mode: str):
    """Segments and months to set of a scenario's year for the variables ``wanted`` (once per process)."""
    segments = scenario_segments(country, steps, year) if mode == "segments" else None
    months = months_to_set(scenario_system(country, steps), wanted, year, segments)
    return (list(segments) if segments is not None else None), months


def _simulate_scenario(request: ChunkRequest, scenario: Scenario, chunk: ChunkInputs) -> dict[str, np.ndarray]:
    system = scenario_system(request.country, scenario.steps)
    spec = load_country(request.country)
    wanted = tuple(dict.fromkeys(request.person_variables + request.household_variables))
    read = (*wanted, *request.group_variables)  # a yearly group variable reads every month's inputs
    segments, months = _scenario_months(request.country, scenario.steps, request.year, read, request.months)
    simulation = build_simulation(system, spec, chunk, periods.period(str(request.year)), months)
    values = {}
    for variable in wanted:
        if variable in system.variables:
            values[variable] = annual_total(simulation, variable, request.year, segments)
        else:  # defined only by another scenario's reform: nothing under this one
            values[variable] = np.zeros(chunk.n_persons if variable in request.person_variables else chunk.n_households)
    for variable in request.group_variables:
        values[variable] = (
            group_totals(system.variables[variable].entity.key, annual_total(simulation, variable, request.year, segments), chunk)
            if variable in system.variables
            else np.zeros(chunk.n_households)
        )
    return values


def _apply_take_up(
    request: ChunkRequest, scenario: Scenario, chunk: ChunkInputs, entitled: dict[str, np.ndarray], seed: int
) -> dict[str, np.ndarray]:
    """Amounts received: entitlements of programmes with a take-up rate kept only where the draw is below it."""
    values = dict(entitled)
    system = scenario_system(request.country, scenario.steps)
    for take_up in request.take_up:
        rate = take_up_rate(system, take_up.rate_parameter, request.year)
        if rate >= 1.0:  # every draw is below 1: everyone entitled receives it, the amounts are unchanged
            continue
        ids = chunk.person_ids if take_up.entity == "person" else chunk.household_ids
        taken = take_up_draws(ids, take_up.programme, seed) < rate
        amounts = values[take_up.variable]
        not_received = np.where(taken, 0.0, amounts)
        values[take_up.variable] = amounts - not_received
        per_household = (
            np.bincount(chunk.person_household, weights=not_received, minlength=chunk.n_households)
            if take_up.entity == "person"
            else not_received
        )
        values[request.transfers_variable] = values[request.transfers_variable] - per_household
    return values


def simulate_chunk(request: ChunkRequest, task: ChunkInputs | FileChunk) -> dict[str, Any]:
    """Annual totals (float64) of the requested variables for one chunk, per scenario name.

    Returns ``{"scenarios": {seed: {name: {variable: array}}}, "households": frame or None}``: person variables are also
    summed per household (``household_sum:<name>``) with recipient counts (``recipients:<name>``); a chunk read
    from a file returns its household frame (id, weight, size, welfare). Any failure is re-raised as
    :class:`ChunkError` naming the chunk and its households, so that a problem in the data can be found.
    """
    households = None
    unknown = None
    chunk = task
    try:
        if isinstance(task, FileChunk):
            part = read_file_chunk(task)
            if UNKNOWN_AGE_SEX in part.persons.columns:  # only household results come back: sum what reaches them here
                unknown = part.persons[UNKNOWN_AGE_SEX].to_numpy(bool)
            system = baseline_system(request.country)
            (chunk,) = make_chunks(
                part, load_country(request.country), system, max(1, len(part.households)), request.money_uprating
            )
            chunk = dataclasses.replace(chunk, index=task.index)
            households = household_frame(part)
        outputs: dict[int, dict[str, dict[str, np.ndarray]]] = {seed: {} for seed in request.seeds}
        for scenario in request.scenarios:
            entitled = _simulate_scenario(request, scenario, chunk)
            for seed in request.seeds:  # draws are cheap: one simulation serves every seed
                values = _apply_take_up(request, scenario, chunk, entitled, seed)
                if unknown is not None:
                    unknown_member_sums(request, chunk, values, unknown)
                household_sums(request, chunk, values)
                outputs[seed][scenario.name] = values
        return {"scenarios": outputs, "households": households}
    except Exception as error:  # noqa: BLE001 - every failure must say which households caused it
        raise ChunkError(f"{describe_chunk(chunk)}: {type(error).__name__}: {error}") from None


class Microsimulation:
    """Run a country package over a survey for one year, baseline and reforms side by side.

    Args:
        country: name of a package under ``floorsim/country_packages/`` or path of a ``floorsim.yaml``.
        survey: the survey, in floorsim's data model — in memory (a :class:`Survey`), or streamed: a
            :class:`~floorsim.surveys.streamed.StreamedSurvey` (its weights, money factor and metadata, e.g. moved to
            the simulated year) or the path of a survey folder. Each worker then reads one household-aligned row
            group at a time, only household-level results come back (``Results.streamed`` holds the streamed
            survey), and ``chunk_size`` is the file's row-group size.
        period: the simulated year; monthly rules are added up over the months of the year.
        chunk_size: households per chunk (``None``, the default: chosen from the survey's size and the workers,
            :mod:`floorsim.simulations.engine.plan`).
        backend: ``"loky"`` (processes on this machine, default), ``"sequential"`` or ``"dask"``.
        n_jobs: worker processes for ``loky`` (``-1``, the default: chosen by the engine, one worker where two do
            not pay, which on the machines measured is every case: :mod:`floorsim.simulations.engine.plan`).
        seed: seed of the take-up draws.
        dask_client: a ``distributed.Client`` (or the address of a scheduler) for the ``dask`` backend.
        months: ``"segments"`` (default: one calculation per run of months with the same rules) or ``"all"``
            (twelve monthly calculations, OpenFisca's ``calculate_add``); both give the same totals.
        progress: show a progress bar when stderr is a terminal.
        keep_persons: return person-level arrays of in-memory runs (False: household-level results only, less
            data sent back by workers — enough for headline figures, not for person frames).
    """

    def __init__(
        self,
        country: str,
        survey: Survey | StreamedSurvey | str | Path,
        period: int,
        *,
        chunk_size: int | None = None,
        backend: str = "loky",
        n_jobs: int = AUTO,
        seed: int = 0,
        dask_client: Any = None,
        months: str = "segments",
        progress: bool = False,
        keep_persons: bool = True,
    ) -> None:
        if backend not in BACKENDS:
            raise ScenarioError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
        if months not in MONTH_MODES:
            raise ScenarioError(f"unknown months mode '{months}'; choose one of {', '.join(MONTH_MODES)}")
        if chunk_size is not None and chunk_size < 1:
            raise ScenarioError(f"chunk_size must be at least 1, got {chunk_size}")
        if backend == "dask" and dask_client is None:
            raise ScenarioError("the dask backend needs a dask_client (a distributed.Client or a scheduler address)")
        check_jobs(n_jobs)
        if isinstance(period, bool) or not 1 <= int(period) <= 9999:  # dates (and OpenFisca periods) need 1-9999
            raise ScenarioError(f"the simulated year must be from 1 to 9999, got {period}")
        self.country = country
        self.spec: CountrySpec = load_country(country)
        self.survey: Survey | None = survey if isinstance(survey, Survey) else None
        self.streamed: StreamedSurvey | None = survey if isinstance(survey, StreamedSurvey) else None
        self.survey_file: SurveyFile | None = None if isinstance(survey, Survey | StreamedSurvey) else SurveyFile(survey)
        self.metadata = self.survey_file.metadata if self.survey_file is not None else survey.metadata
        self.year = int(period)
        self.chunk_size = chunk_size
        self.backend = backend
        self.n_jobs = n_jobs
        self.seed = seed
        self.dask_client = dask_client
        self.months = months
        self.progress = progress
        self.keep_persons = keep_persons
        self._households: dict[str, np.ndarray] | None = None

    def _household_frame(self) -> dict[str, np.ndarray]:
        """The in-memory survey's :func:`household_frame`, made once per engine (a new dict for each run's results;
        the arrays are shared, read-only)."""
        if self._households is None:
            self._households = household_frame(self.survey)
            for values in self._households.values():
                values.flags.writeable = False
        return dict(self._households)

    @property
    def survey_source(self) -> str:
        """Where the survey came from: its folder or file (hashed in the provenance), or a description."""
        return self.survey.origin if self.survey is not None else str(self._folder)

    @property
    def _streamed_file(self) -> StreamedSurvey | SurveyFile:
        """What a streamed run reads: the streamed survey, or the survey folder given by its path."""
        return self.streamed if self.streamed is not None else self.survey_file

    @property
    def _folder(self) -> Path:
        """The folder of a streamed run."""
        return self.streamed.folder if self.streamed is not None else self.survey_file.folder

    @property
    def tax_benefit_system(self):
        """The baseline tax-benefit system (built once per process)."""
        return baseline_system(self.country)

    def _check(self, scenarios: Sequence[Scenario], variables: Iterable[str]) -> dict[str, Any]:
        """Fail before any worker starts: reform paths, unknown variables, or inputs the package lacks.

        Returns the definition of every requested variable. A variable (or an input) that only a reform defines
        is accepted; scenarios without it return zeros (and ignore the input).
        """
        system = self.tax_benefit_system
        check_groups(system, self.spec)
        systems = []
        for scenario in scenarios:
            for position, step in enumerate(scenario.steps):
                if isinstance(step, ReformSpec):
                    check_reform(step, scenario_system(self.country, scenario.steps[:position]))
            try:
                systems.append(scenario_system(self.country, scenario.steps))
            except FloorsimError:
                raise
            except Exception as error:  # a Python reform that fails to apply
                raise ReformError(f"scenario '{scenario.name}': reform failed to apply: {error}") from None
        known = {name: variable for candidate in reversed([system, *systems]) for name, variable in candidate.variables.items()}
        for variable in variables:
            if variable not in known:
                close = difflib.get_close_matches(variable, list(known), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise ScenarioError(f"variable '{variable}' is not in country package '{self.spec.name}'{hint}")
        for key, programme in self.spec.programmes.items():
            unknown = [name for name in programme.conditions if name not in system.variables]
            if unknown:
                raise ScenarioError(
                    f"{self.spec.folder}/floorsim.yaml: programme '{key}' lists conditions {unknown} that are not "
                    "variables of the country package"
                )
        columns = self._survey_columns()
        for entity, mapping in self.spec.inputs.items():
            for variable, column in mapping.items():
                if variable not in known:
                    raise ScenarioError(
                        f"{self.spec.folder}/floorsim.yaml maps survey column '{column.column}' to '{variable}', "
                        f"which is not a variable of the country package (nor of a scenario's reform)"
                    )
                if column.column not in columns[entity]:
                    raise ScenarioError(
                        f"{self.spec.folder}/floorsim.yaml maps {entity} input '{variable}' to survey column "
                        f"'{column.column}', which survey '{self.metadata.name}' does not have"
                    )
        return known

    def _inputs_constant_within_year(self, known: Mapping[str, Any]) -> bool:
        """Whether month segments are safe: no input is a date (a birth date makes ages change within the year,
        which no parameter date reveals), and the country does not declare time-varying inputs.

        ``known`` holds the definition of every variable of the baseline and of the scenarios' reforms, so that an
        input only a reform defines is checked too.
        """
        dated = [
            name
            for mapping in self.spec.inputs.values()
            for name in mapping
            if known[name].value_type is datetime.date
        ]
        return not dated and self.spec.constant_within_year

    def _survey_columns(self) -> dict[str, set[str]]:
        if self.survey is not None:
            return {"person": set(self.survey.persons.columns), "household": set(self.survey.households.columns)}
        return {"person": set(self._streamed_file.person_columns), "household": set(self._streamed_file.household_columns)}

    def run(self, scenarios: Mapping[str, ScenarioInput], variables: Sequence[str] = ()) -> Results:
        """Simulate every scenario; ``scenarios`` must include ``"baseline"`` (usually mapped to ``None``).

        Each value is ``None``, a reform file path, a :class:`ReformSpec`, a ``Reform`` class (or its dotted path),
        or a list of these applied in order. ``variables`` adds variables to return (person or household ones,
        summed over the year) beyond the programmes and the transfers total. Take-up draws use ``seed``.
        """
        return self.run_seeds(scenarios, (self.seed,), variables)[self.seed]

    def run_seeds(
        self, scenarios: Mapping[str, ScenarioInput], seeds: Sequence[int], variables: Sequence[str] = ()
    ) -> dict[int, Results]:
        """Like :meth:`run`, once per take-up seed: ``{seed: Results}``.

        Entitlements are simulated once; only the take-up draws differ between seeds, so extra seeds cost little.
        """
        seeds = tuple(dict.fromkeys(int(seed) for seed in seeds))
        if not seeds:
            raise ScenarioError("give at least one seed")
        if BASELINE not in scenarios:
            raise ScenarioError(f"scenarios must include '{BASELINE}' (the rules to compare against)")
        resolved = tuple(make_scenario(name, value) for name, value in scenarios.items())
        programmes = self.spec.programmes
        wanted = [p.variable for p in programmes.values()] + [self.spec.transfers_variable, *variables]
        with warnings.catch_warnings(record=True) as caught:  # forced out-of-range values, recorded below
            warnings.simplefilter("always", FloorsimWarning)
            known = self._check(resolved, wanted)
        notes = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, FloorsimWarning)))
        # Price data: the projections layer warns (an assumptions file may extend the package's prices).
        notes += inactive_reform_warnings(resolved, self.year)
        emit(notes)
        entity_of = {name: known[name].entity.key for name in wanted}
        person_variables = tuple(v for v in dict.fromkeys(wanted) if entity_of[v] == self.spec.person_entity)
        household_variables = tuple(v for v in dict.fromkeys(wanted) if entity_of[v] == self.spec.household_entity)
        group_variables = tuple(v for v in dict.fromkeys(wanted) if entity_of[v] in self.spec.groups)
        other = [v for v in wanted if v not in person_variables + household_variables + group_variables]
        if other:
            raise ScenarioError(f"variables {other} belong to no entity mapped in floorsim.yaml")
        take_up = tuple(
            TakeUp(key, p.variable, p.entity, p.take_up) for key, p in programmes.items() if p.take_up is not None
        )
        months = self.months if self._inputs_constant_within_year(known) else "all"
        try:
            prices: PriceContext | FloorsimError = price_context(
                self.tax_benefit_system, self.spec, self.year, self.metadata.reference_year
            )
            money_uprating = prices.consumption_uprating
        except FloorsimError as error:  # amounts at survey prices are still computed; welfare figures will raise
            prices, money_uprating = error, 1.0
        request = ChunkRequest(
            self.country,
            self.year,
            resolved,
            person_variables,
            household_variables,
            self.spec.transfers_variable,
            take_up,
            seeds,
            months,
            keep_persons=self.survey is not None and self.keep_persons,
            money_uprating=money_uprating,
            group_variables=group_variables,
        )

        started = time.perf_counter()
        plan = plan_run(
            n_households=len(self.survey.households) if self.survey is not None else self._streamed_file.n_households,
            streamed=self.survey is None,
            keep_persons=request.keep_persons,
            n_jobs=self.n_jobs,
            chunk_size=self.chunk_size,
        )
        if self.survey is not None:
            tasks: list = make_chunks(self.survey, self.spec, self.tax_benefit_system, plan.chunk_size, money_uprating)
        else:
            factor = self.streamed.money_factor if self.streamed is not None else 1.0
            tasks = [FileChunk(str(self._folder), index, factor, self.metadata.reference_year)
                     for index in range(self._streamed_file.n_chunks)]
        parts, execution = run_chunks(
            simulate_chunk, request, tasks, backend=self.backend, n_jobs=plan.n_jobs, dask_client=self.dask_client,
            progress=self.progress,
        )
        households = (
            self._household_frame()
            if self.survey is not None
            else streamed_households([part["households"] for part in parts], self.streamed)
        )
        household_keys = household_variables + group_variables + tuple(
            f"{prefix}{v}" for v in person_variables for prefix in (HOUSEHOLD_SUM, RECIPIENTS)
        ) + (RECIPIENTS_ANY,)
        if self.survey is None and UNKNOWN_AGE_SEX in self._survey_columns()["person"]:
            household_keys += (UNKNOWN_MEMBERS, *(f"{UNKNOWN_SUM}{v}" for v in person_variables))
        run_info = {
            "backend": self.backend,
            "workers": execution.workers,
            "workers_requested": self.n_jobs,
            "workers_capped": execution.capped,  # "cores" or "chunks" when fewer workers than asked were useful
            "workers_and_chunks": plan.reason,  # how they were chosen (the engine's plan, or as the user asked)
            "streamed": self.survey is None,
            "chunk_size": plan.chunk_size if self.survey is not None else "row groups of the survey file",
            "chunks": len(tasks),
            "months": months,
            "take_up": {t.programme: t.rate_parameter for t in take_up},
            # The rates the draws were compared with, per scenario: what the report's method section states.
            "take_up_rates": {
                scenario.name: {
                    t.programme: take_up_rate(scenario_system(self.country, scenario.steps), t.rate_parameter, self.year)
                    for t in take_up
                }
                for scenario in resolved
            },
            "seconds": round(time.perf_counter() - started, 3),
        }
        run_info["money_inputs_uprating"] = money_uprating
        run_info["warnings"] = notes  # printed by the CLI as they happen, kept here for summary.json
        # What each scenario's reforms changed (old → new, with references), recorded now for reports to present.
        run_info["parameter_changes"] = {
            scenario.name: reform_steps_record(self.country, scenario) for scenario in resolved
        }
        by_seed = {}
        for seed in seeds:
            outputs = {
                scenario.name: ScenarioOutputs(
                    name=scenario.name,
                    scenario=scenario,
                    person={
                        v: np.concatenate([part["scenarios"][seed][scenario.name][v] for part in parts])
                        for v in (person_variables if request.keep_persons else ())
                    },
                    household={
                        v: np.concatenate([part["scenarios"][seed][scenario.name][v] for part in parts])
                        for v in household_keys
                    },
                )
                for scenario in resolved
            }
            by_seed[seed] = Results(
                self.spec,
                self.metadata,
                households,
                self.year,
                outputs,
                prices,
                {**run_info, "seed": seed, "seeds": list(seeds)},
                survey=self.survey,
                streamed=self.streamed,
            )
            by_seed[seed].provenance = provenance(by_seed[seed], self.survey_source)
        return by_seed
