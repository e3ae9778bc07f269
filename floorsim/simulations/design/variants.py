"""Variant grids: many versions of a reform, run together against one baseline, compared in one table and chart.

A grid is a YAML file (validated with pydantic)::

    name: child_benefit_grid
    country: timor_leste              # package under floorsim/country_packages/ (or a floorsim.yaml path)
    survey: null                      # survey folder or file (default: the bundled survey); mapping: for a file
    period: 2025
    base:                             # scenario stack every variant starts from (reform files, Reform classes)
      - floorsim.country_packages.social_protection_floor.SocialProtectionFloor
    baseline: []                      # stack of the comparison baseline (default: the law as it is)
    start: 2025-01-01                 # date the grid's values take effect (default: 1 January of the period)
    mode: product                     # product: every combination; zip: the i-th value of every list together
    parameters:                       # parameter path -> values
      social_protection_floor.child.share: [0.1, 0.2, 0.3]
      social_protection_floor.child.age_limit: [6, 15]
    gdp: {parameter: country.gdp.non_oil}   # for cost as % of GDP (scale read from the parameter's metadata)

Each variant is a scenario (the base stack plus one set of parameter changes), so the engine runs all of them in
one pass over the survey: every chunk is read, encoded and built once, and the baseline is simulated once. The
comparison table has one row per variant (tidy: one column per parameter) with, against the baseline:

* ``cost``: change in total transfers, ``Σ_h w_h (T_h^variant − T_h^baseline)`` per year;
* ``administrative_cost``: ``social_protection_floor.administrative_cost_share`` of the variant (0 without the
  floor) × ``cost`` — the calculator's convention, exact when the variant's only change is the floor;
* ``total_cost`` = cost + administrative cost, and ``cost_pct_gdp`` = 100 × total cost / GDP;
* ``beneficiaries``: persons living in a household whose transfers rise (direct and indirect beneficiaries, as in
  the World Bank's ASPIRE coverage indicators);
* poverty headcount, poverty gap and Gini of the variant and their change (welfare as in ``floorsim.simulations.engine.results``);
* ``efficient``: on the cost–poverty-reduction frontier (no other variant costs less or the same and reduces poverty
  by as much or more, one of the two strictly).
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.errors import FloorsimError, ReformError, ScenarioError
from floorsim.indicators import weighted_total
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, find_parameter
from floorsim.simulations.engine.results import Results
from floorsim.simulations.engine.scenarios import scenario_system
from floorsim.surveys.atomic import staged_folder
from floorsim.surveys.model import Survey
from floorsim.surveys.input_files import read_yaml_file, validation_problems

DEFAULT_GDP_PARAMETERS = ("country.gdp.non_oil", "country.gdp.nominal", "country.gdp")
ADMINISTRATIVE_SHARE_PARAMETER = "social_protection_floor.administrative_cost_share"
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
Value = float | int | bool


class VariantError(FloorsimError, ValueError):
    """A variant grid is malformed; the message names the file and the field."""


class GDPSetting(BaseModel):
    """Where the GDP used for cost ratios lives: a parameter path and, optionally, its scale (multiplier to currency
    units; default from the parameter's ``metadata.scale``: thousand, million or billion)."""

    model_config = ConfigDict(extra="forbid")
    parameter: str | None = None
    scale: float | None = Field(default=None, gt=0)


class VariantGrid(BaseModel):
    """A grid of parameter values around a base scenario (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="variants", pattern=r"^[A-Za-z0-9_.-]+$")
    label: str = ""
    country: str = "timor_leste"
    survey: Path | None = None
    mapping: Path | None = None
    period: int = 2025
    base: list[str] = Field(default_factory=list)
    baseline: list[str] = Field(default_factory=list)
    start: datetime.date | None = None
    mode: Literal["product", "zip"] = "product"
    parameters: dict[str, list[Value]] = Field(min_length=1)
    gdp: GDPSetting = Field(default_factory=GDPSetting)

    @field_validator("base", "baseline", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else (value or [])

    @field_validator("parameters")
    @classmethod
    def _non_empty(cls, parameters: dict[str, list[Value]]) -> dict[str, list[Value]]:
        for path, values in parameters.items():
            if not values:
                raise ValueError(f"parameter '{path}' has no values")
        return parameters

    @model_validator(mode="after")
    def _zip_lengths(self) -> VariantGrid:
        if self.mode == "zip":
            lengths = {path: len(values) for path, values in self.parameters.items()}
            if len(set(lengths.values())) > 1:
                raise ValueError(f"mode zip needs lists of one length, got {lengths}")
        return self

    @property
    def start_date(self) -> datetime.date:
        return self.start or datetime.date(self.period, 1, 1)


def load_grid(path: str | Path) -> VariantGrid:
    """Read and validate a grid; relative paths in it (survey, mapping, reform files) are taken from its folder."""
    path = Path(path)
    if not path.is_file():
        raise VariantError(f"variant grid not found: {path}")
    raw = read_yaml_file(path, error=VariantError)
    if not isinstance(raw, dict):
        raise VariantError(f"{path}: a grid must be a mapping with at least 'parameters'")
    raw.setdefault("name", path.stem)
    try:
        grid = VariantGrid(**raw)
    except ValidationError as error:
        raise VariantError(f"{path}: {validation_problems(error)}") from None
    folder = path.resolve().parent
    return grid.model_copy(
        update={
            "survey": _relative(grid.survey, folder),
            "mapping": _relative(grid.mapping, folder),
            "base": [resolve_step(step, folder) for step in grid.base],
            "baseline": [resolve_step(step, folder) for step in grid.baseline],
        }
    )


def _relative(value: Path | None, folder: Path) -> Path | None:
    if value is None or value.is_absolute() or value.exists():
        return value
    return folder / value


def resolve_step(step: str, folder: Path) -> str:
    """A reform file path relative to ``folder`` when it exists there (else as given: a dotted class path, or a path
    relative to the working directory)."""
    if Path(step).suffix in (".yaml", ".yml", ".json") and not Path(step).is_absolute() and not Path(step).exists():
        candidate = folder / step
        if candidate.exists():
            return str(candidate)
    return step


@dataclass(frozen=True)
class Variant:
    """One point of a grid: its scenario name, the parameter values, and the parameter changes they make."""

    name: str
    values: dict[str, Value]
    spec: ReformSpec

    @property
    def label(self) -> str:
        """``child.share=0.2, child.age_limit=6``: the last two parts of each path and its value."""
        return ", ".join(f"{'.'.join(path.split('.')[-2:])}={value}" for path, value in self.values.items())


def changes_for(values: dict[str, Value], start: datetime.date, name: str) -> ReformSpec:
    """A reform setting each parameter to its value from ``start``."""
    return ReformSpec(
        name=name,
        changes=tuple(ParameterChange(parameter=path, value=value, start=start) for path, value in values.items()),
    )


def expand(grid: VariantGrid) -> list[Variant]:
    """The variants of a grid, named ``v001``, ``v002``... in the order of the cartesian product (or of the lists)."""
    paths = list(grid.parameters)
    lists = [grid.parameters[path] for path in paths]
    combos = zip(*lists) if grid.mode == "zip" else itertools.product(*lists)
    variants = []
    for index, combo in enumerate(combos, start=1):
        name = f"v{index:03d}"
        values = dict(zip(paths, combo))
        variants.append(Variant(name, values, changes_for(values, grid.start_date, name)))
    return variants


@dataclass(frozen=True)
class GDP:
    """The GDP of the simulated year used for cost ratios (currency units per year) and where it comes from."""

    parameter: str
    value: float
    date: str
    scale: float
    note: str = ""


def resolve_gdp(system, setting: GDPSetting, year: int) -> GDP | None:
    """The GDP in force on 31 December of ``year`` (the parameter's last value before then, if the year has none)."""
    candidates = [setting.parameter] if setting.parameter else list(DEFAULT_GDP_PARAMETERS)
    for path in candidates:
        try:
            parameter = find_parameter(system.parameters, path)
        except ReformError:
            if setting.parameter:
                raise
            continue
        instant = f"{year}-12-31"
        dated = [(at.instant_str, at.value) for at in parameter.values_list if at.instant_str <= instant and at.value is not None]
        if not dated:
            raise VariantError(f"GDP parameter '{path}' has no value on or before {instant}")
        date, value = dated[0]  # values_list is newest first
        scale = setting.scale or SCALES.get(str(parameter.metadata.get("scale", "")).lower(), 1.0)
        note = "" if date.startswith(str(year)) else f"GDP of {date[:4]}, the latest value in force in {year}"
        return GDP(path, float(value) * scale, date, scale, note)
    return None


def administrative_share(country: str, steps: tuple, year: int) -> float:
    """The floor's administrative cost share in a scenario (0 if the scenario has no floor)."""
    system = scenario_system(country, steps)
    try:
        parameter = find_parameter(system.parameters, ADMINISTRATIVE_SHARE_PARAMETER)
    except ReformError:
        return 0.0
    value = parameter(f"{year}-12-31")
    return 0.0 if value is None else float(value)


def scenario_metrics(results: Results, name: str, baseline: str, admin_share: float, gdp: GDP | None,
                     before: dict[str, float] | None = None) -> dict[str, float]:
    """Cost, beneficiaries, poverty and inequality of scenario ``name`` against ``baseline`` (see module docstring);
    ``before``: the baseline's headline figures, when already computed."""
    transfers = results.spec.transfers_variable
    change = results.scenario(name).household[transfers] - results.scenario(baseline).household[transfers]
    weights = results.households["weight"]
    cost = weighted_total(change, weights)
    administrative = admin_share * cost
    total = cost + administrative
    gaining = change > 1e-6
    after, before = results.headline(name), before or results.headline(baseline)
    return {
        "cost": cost,
        "administrative_cost": administrative,
        "total_cost": total,
        "cost_pct_gdp": 100.0 * total / gdp.value if gdp else math.nan,
        "beneficiaries": float(np.sum(weights * results.households["size"], where=gaining)),
        "poverty_headcount": after["poverty_headcount"],
        "poverty_headcount_change": after["poverty_headcount"] - before["poverty_headcount"],
        "poverty_gap_change": after["poverty_gap"] - before["poverty_gap"],
        "gini": after["gini"],
        "gini_change": after["gini"] - before["gini"],
    }


def efficient_frontier(cost: Sequence[float], gain: Sequence[float]) -> np.ndarray:
    """True for points no other point dominates (cost ≤ and gain ≥, one of them strictly)."""
    cost, gain = np.asarray(cost, float), np.asarray(gain, float)
    no_worse = (cost[None, :] <= cost[:, None]) & (gain[None, :] >= gain[:, None])
    better = (cost[None, :] < cost[:, None]) | (gain[None, :] > gain[:, None])
    return ~np.any(no_worse & better, axis=1)


@dataclass
class VariantRun:
    """A grid's run: its variants, the comparison table, the engine results and the GDP used."""

    grid: VariantGrid
    variants: list[Variant]
    table: pd.DataFrame
    results: Results
    gdp: GDP | None
    baseline_headline: dict[str, float] = field(default_factory=dict)
    phases: Phases = field(default_factory=Phases)  # the run's phases (timed; shown by the command)

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write ``variants.csv``, ``variants.json`` (table, provenance and the phase timings of the run) and the
        frontier chart (PNG and SVG), as the phase ``writing the outputs``."""
        out = Path(out)
        with self.phases.phase("writing the outputs"), staged_folder(out, marker="variants.json") as staging:
            staged = self._write_files(staging)  # all or nothing (floorsim/surveys/atomic.py)
        return {key: out / path.relative_to(staging) for key, path in staged.items()}

    def _write_files(self, out: Path) -> dict[str, Path]:
        written = {"csv": out / "variants.csv", "json": out / "variants.json"}
        self.table.to_csv(written["csv"], index=False)
        meta = {
            "grid": json.loads(self.grid.model_dump_json()),
            "gdp": self.gdp.__dict__ if self.gdp else None,
            "baseline": self.baseline_headline,
            "poverty_line": self.results.poverty_line,
            "run": self.results.run_info,
            "survey": self.results.metadata.name,
            "variants": json.loads(self.table.to_json(orient="records")),
            "phase_timings": self.phases.record(),  # the phases before writing (simulation, metrics...)
        }
        written["json"].write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
        written.update(plot_frontier(self.table, out, title=self.grid.label or self.grid.name, gdp=self.gdp))
        return written


def default_chunk_size(n_households: int, jobs: int) -> int:
    """Households per chunk so that every worker gets at least one chunk (the engine parallelises over chunks)."""
    workers = (os.cpu_count() or 1) if jobs == -1 else max(1, jobs)
    return max(1, math.ceil(n_households / workers))


def load_survey_for(survey: Path | None, mapping: Path | None) -> Survey:
    """The grid's survey (a floorsim survey folder, or a file with a mapping), or the bundled survey, read by the
    one survey loader, ``floorsim.surveys.load_survey``."""
    from floorsim.surveys import load_survey
    from floorsim.surveys.bundled import BUNDLED_SURVEY

    return load_survey(survey or BUNDLED_SURVEY, mapping=mapping)


def make_simulation(country: str, survey, period: int, *, backend: str = "loky", jobs: int = -1,
                    chunk_size: int | None = None, keep_persons: bool = False) -> Microsimulation:
    """A Microsimulation for variant runs: sequential when one worker is asked for, chunks sized for the workers.

    Variant metrics need household-level results only, so by default workers send back no person-level arrays
    (``keep_persons=False``): with many scenarios that transfer cost more than a second worker gained. Ask for
    ``keep_persons=True`` to build person frames (``Results.person_frame``) from the same run.
    """
    if backend == "loky" and jobs == 1:
        backend = "sequential"
    size = chunk_size or default_chunk_size(len(survey.households), jobs)
    return Microsimulation(country, survey, period, backend=backend, n_jobs=jobs, chunk_size=size,
                           keep_persons=keep_persons)


def compare(simulation: Microsimulation, scenarios: dict[str, list], baseline: Sequence = (),
            gdp_setting: GDPSetting | None = None, *, phases: Phases | None = None,
            named: str = "") -> tuple[pd.DataFrame, Results, GDP | None]:
    """Run ``scenarios`` (name → stack) with ``baseline`` in one engine run; one row of metrics per scenario.

    With ``phases``, the phases ``simulation`` and ``metrics`` (suffixed by ``named``) are timed and shown."""
    if BASELINE in scenarios:
        raise ScenarioError(f"'{BASELINE}' is reserved for the comparison baseline")
    phases = phases or Phases()
    with phases.phase(f"simulation{named} ({len(scenarios)} scenarios and the baseline)"):
        results = simulation.run({BASELINE: list(baseline) or None, **scenarios})
    with phases.phase(f"metrics{named}", total=len(scenarios)) as advance:
        base_steps = results.scenario(BASELINE).scenario.steps
        gdp = resolve_gdp(scenario_system(simulation.country, base_steps), gdp_setting or GDPSetting(),
                          simulation.year)
        before = results.headline(BASELINE)
        rows = []
        for name in scenarios:
            steps = results.scenario(name).scenario.steps
            share = administrative_share(simulation.country, steps, simulation.year)
            rows.append({"variant": name, **scenario_metrics(results, name, BASELINE, share, gdp, before)})
            advance(1)
    return pd.DataFrame(rows), results, gdp


def run_grid(grid: VariantGrid, *, survey=None, backend: str = "loky", jobs: int = -1,
             chunk_size: int | None = None, phases: Phases | None = None) -> VariantRun:
    """Run every variant of ``grid`` in one engine run and compare them with the baseline.

    ``phases`` (``floorsim.simulations.analysis.phases``): the command's phases, to which reading the survey, the simulation
    and the metrics are added (timed, and shown when the command shows them); kept in the result for
    ``variants.json``."""
    phases = phases or Phases()
    if survey is None:
        with phases.phase("reading the survey"):
            survey = load_survey_for(grid.survey, grid.mapping)
    simulation = make_simulation(grid.country, survey, grid.period, backend=backend, jobs=jobs, chunk_size=chunk_size)
    variants = expand(grid)
    scenarios = {variant.name: [*grid.base, variant.spec] for variant in variants}
    metrics, results, gdp = compare(simulation, scenarios, grid.baseline, grid.gdp, phases=phases)
    values = pd.DataFrame([{"variant": v.name, "label": v.label, **v.values} for v in variants])
    table = values.merge(metrics, on="variant")
    table["poverty_reduction_pp"] = -100.0 * table["poverty_headcount_change"]
    table["efficient"] = efficient_frontier(table["total_cost"], table["poverty_reduction_pp"])
    return VariantRun(grid, variants, table, results, gdp, results.headline(BASELINE), phases)


def plot_frontier(table: pd.DataFrame, out: Path, *, title: str = "", gdp: GDP | None = None,
                  stem: str = "frontier") -> dict[str, Path]:
    """Cost (% of GDP when known) against poverty reduction, efficient variants joined; PNG and SVG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    use_gdp = gdp is not None and table["cost_pct_gdp"].notna().all()
    x = table["cost_pct_gdp"] if use_gdp else table["total_cost"] / 1e6
    y = table["poverty_reduction_pp"]
    efficient = table["efficient"].to_numpy(bool)
    figure, axes = plt.subplots(figsize=(7.5, 5))
    axes.scatter(x[~efficient], y[~efficient], color="0.6", label="variant", zorder=2)
    order = np.argsort(x[efficient].to_numpy(), kind="stable")
    axes.plot(x[efficient].to_numpy()[order], y[efficient].to_numpy()[order], "-o", color="tab:red",
              label="efficient frontier", zorder=3)
    for xi, yi, name in zip(x, y, table["variant"]):
        axes.annotate(name, (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=7)
    axes.set_xlabel("Total cost, % of GDP" if use_gdp else "Total cost, millions per year")
    axes.set_ylabel("Poverty reduction, percentage points")
    axes.set_title(title or "Variants: cost against poverty reduction")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower right")
    if gdp is not None and gdp.note:
        figure.text(0.01, 0.01, gdp.note, fontsize=7, color="0.4")
    figure.tight_layout()
    paths = {"png": out / f"{stem}.png", "svg": out / f"{stem}.svg"}
    figure.savefig(paths["png"], dpi=150)
    figure.savefig(paths["svg"], metadata={"Date": None})
    plt.close(figure)
    return paths
