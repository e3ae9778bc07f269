"""The microsimulation engine: a survey run through a country package for a baseline and reforms, in chunks.

Each worker process builds the country's TaxBenefitSystem, and each reform of it, once (cached per process), and
runs one fresh Simulation per (chunk, scenario). Only arrays travel between processes. Chunks are contiguous
household ranges reassembled in order, so results do not depend on the backend, the number of workers or the
chunk size.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from openfisca_core import periods
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from simulations.builder import build_simulation
from simulations.chunks import ChunkInputs, make_chunks
from simulations.countries import CountrySpec, load_country, tax_benefit_system_class
from simulations.errors import ScenarioError
from simulations.prices import price_context
from simulations.reforms import ReformSpec, apply_reform, check_reform, load_reform
from simulations.results import Results, ScenarioOutputs
from surveys.model import Survey

BACKENDS = ("sequential", "loky")
BASELINE = "baseline"

ScenarioInput = ReformSpec | str | Path | None


@functools.lru_cache(maxsize=None)
def _baseline_system(country: str) -> TaxBenefitSystem:
    return tax_benefit_system_class(load_country(country))()


@functools.lru_cache(maxsize=32)
def scenario_system(country: str, reform: ReformSpec | None) -> TaxBenefitSystem:
    """The (cached, per process) tax-benefit system of ``country`` under ``reform`` (``None``: baseline)."""
    baseline = _baseline_system(country)
    return baseline if reform is None else apply_reform(baseline, reform)


@dataclass(frozen=True)
class ChunkRequest:
    """What one worker computes for one chunk: every scenario, the programme and transfer variables."""

    country: str
    year: int
    scenarios: tuple[tuple[str, ReformSpec | None], ...]
    person_variables: tuple[str, ...]
    household_variables: tuple[str, ...]


def simulate_chunk(request: ChunkRequest, chunk: ChunkInputs) -> dict[str, dict[str, np.ndarray]]:
    """Annual totals (sum of the 12 months) of the requested variables for one chunk, per scenario, in float64."""
    spec = load_country(request.country)
    period = periods.period(request.year)
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, reform in request.scenarios:
        simulation = build_simulation(scenario_system(request.country, reform), spec, chunk, period)
        values = {
            variable: simulation.calculate_add(variable, period).astype(np.float64)
            for variable in request.person_variables + request.household_variables
        }
        out[name] = values
    return out


def resolve_scenario(value: ScenarioInput) -> ReformSpec | None:
    """A scenario given as ``None`` (baseline rules), a :class:`ReformSpec` or the path of a reform file."""
    if value is None or isinstance(value, ReformSpec):
        return value
    return load_reform(value)


class Microsimulation:
    """Run a country package over a survey for one year, baseline and reforms side by side.

    Args:
        country: name of a package under ``country_packages/`` (or path of a ``floorsim.yaml``).
        survey: the survey, in floorsim's data model.
        period: the simulated year; monthly rules are added up over its twelve months.
        chunk_size: households per chunk.
        backend: ``"loky"`` (processes, default) or ``"sequential"``.
        n_jobs: worker processes for ``loky`` (``-1``: all cores).
        seed: seed for stochastic assignments (recorded in provenance; no rule draws numbers yet).
    """

    def __init__(
        self,
        country: str,
        survey: Survey,
        period: int,
        *,
        chunk_size: int = 2_000,
        backend: str = "loky",
        n_jobs: int = -1,
        seed: int = 0,
    ) -> None:
        if backend not in BACKENDS:
            raise ScenarioError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
        if chunk_size < 1:
            raise ScenarioError(f"chunk_size must be at least 1, got {chunk_size}")
        self.country = country
        self.spec: CountrySpec = load_country(country)
        self.survey = survey
        self.year = int(period)
        self.chunk_size = chunk_size
        self.backend = backend
        self.n_jobs = n_jobs
        self.seed = seed

    @property
    def tax_benefit_system(self) -> TaxBenefitSystem:
        """The baseline tax-benefit system (built once per process)."""
        return _baseline_system(self.country)

    def run(self, scenarios: Mapping[str, ScenarioInput]) -> Results:
        """Simulate every scenario; ``scenarios`` must include ``"baseline"`` (usually mapped to ``None``).

        Reforms are checked against the parameter tree before any work starts, so a wrong parameter path fails
        fast with suggestions.
        """
        if BASELINE not in scenarios:
            raise ScenarioError(f"scenarios must include '{BASELINE}' (the rules to compare against)")
        resolved = {name: resolve_scenario(value) for name, value in scenarios.items()}
        for reform in resolved.values():
            if reform is not None:
                check_reform(reform, self.tax_benefit_system)
        person_variables = tuple(
            programme.variable for programme in self.spec.programmes.values() if programme.entity == "person"
        )
        household_variables = tuple(
            programme.variable for programme in self.spec.programmes.values() if programme.entity == "household"
        ) + (self.spec.transfers_variable,)
        request = ChunkRequest(self.country, self.year, tuple(resolved.items()), person_variables, household_variables)

        started = time.perf_counter()
        chunks = make_chunks(self.survey, self.spec, self.chunk_size)
        if self.backend == "sequential" or len(chunks) == 1:
            parts = [simulate_chunk(request, chunk) for chunk in chunks]
            workers = 1
        else:
            workers = min(len(chunks), os.cpu_count() or 1) if self.n_jobs == -1 else self.n_jobs
            parts = Parallel(n_jobs=workers, backend="loky")(delayed(simulate_chunk)(request, chunk) for chunk in chunks)
        outputs = {
            name: ScenarioOutputs(
                name=name,
                reform=reform,
                person={v: np.concatenate([part[name][v] for part in parts]) for v in person_variables},
                household={v: np.concatenate([part[name][v] for part in parts]) for v in household_variables},
            )
            for name, reform in resolved.items()
        }
        run_info = {
            "backend": self.backend,
            "workers": workers,
            "chunk_size": self.chunk_size,
            "chunks": len(chunks),
            "seed": self.seed,
            "seconds": round(time.perf_counter() - started, 3),
        }
        prices = price_context(self.tax_benefit_system, self.spec, self.year, self.survey.metadata.reference_year)
        return Results(self.spec, self.survey, self.year, outputs, prices, run_info)
