"""Provenance: what exactly produced a result (versions, hashes, seeds, period, backend and chunking), and what each
scenario's reforms changed, recorded when they are applied so that reports present facts without rebuilding rules.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np
from openfisca_core.parameters import ParameterNode

from floorsim.simulations.engine.countries import CountrySpec, PovertyLine
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.engine.parameters import (
    find_parameter,
    leaf_history,
    metadata_of,
    parameter_paths,
    plain,
    references_of,
)
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec
from floorsim.simulations.engine.prices import PriceContext
from floorsim.simulations.engine.results import Results
from floorsim.simulations.engine.scenarios import Scenario, import_reform_class, scenario_system
from floorsim.surveys.io import survey_hash

REPOSITORY = Path(__file__).resolve().parents[2]


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def package_hash(spec: CountrySpec) -> str | None:
    """SHA-256 over the country package's parameter and variable files (path and content, in sorted order)."""
    if spec.folder is None:
        return None
    return _folder_hash(spec.folder)


@functools.lru_cache(maxsize=16)
def _folder_hash(folder: Path) -> str:
    """Once per process and package: the process runs the rules it loaded (tax-benefit systems are built once per
    process), so the files as they were then are what the provenance must name."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".py") and "tests" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The repository's commit, with ``-dirty`` when the work tree has changes; ``None`` outside a checkout.

    Asked once per process (two ``git`` processes, about 30 ms): the code running is the code imported then."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPOSITORY), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPOSITORY), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def _survey_sha256(path: str | Path | None) -> str | None:
    """SHA-256 of a survey folder's files, or of a single survey file (read with a mapping)."""
    if not path:
        return None
    path = Path(path)
    if not path.exists():
        return None
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return _content_hash(path, tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file()))


@functools.lru_cache(maxsize=32)
def _content_hash(path: Path, _files: tuple) -> str:
    """Hashed again only when a file's size or modification time changed (``_files``): a survey of 20 million
    persons is hundreds of megabytes, read at every run otherwise."""
    if path.is_dir():
        return survey_hash(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(results: Results, survey_path: str | Path | None = None) -> dict:
    """A JSON-able record of everything that determines ``results``."""
    metadata = results.metadata
    return {
        "floorsim_version": _version("floorsim"),
        "git_commit": git_commit(),
        "openfisca_core_version": _version("openfisca-core"),
        "python": platform.python_version(),
        "country": results.spec.name,
        "country_package_sha256": package_hash(results.spec),
        "period": results.year,
        "survey": {
            "name": metadata.name,
            "path": str(survey_path) if survey_path else (results.survey.origin if results.survey else None),
            "sha256": _survey_sha256(survey_path),
            "synthetic": metadata.synthetic,
            # a survey moved to a projection year keeps its own reference year here (the move: "population")
            "reference_year": (metadata.extra.get("projection") or {}).get("survey_reference_year",
                                                                           metadata.reference_year),
            "welfare_concept": metadata.welfare_concept,
            "households": int(len(results.households["household_id"])),
            "persons": int(results.households["size"].sum()),
            "weights": "household weight `weight`; persons carry their household's weight",
        },
        "scenarios": {name: outputs.scenario.describe() for name, outputs in results.scenarios.items()},
        "prices": _prices_record(results),
        "population": population_record(results),
        "run": results.run_info,
    }


def population_record(results: Results, recorded: dict | None = None) -> dict:
    """The population the run stands for: ``year`` (the projection year the weights were calibrated to, else the
    survey's reference year), ``persons`` = Σ_h w_h n_h (weighted persons, as in every headline figure) and
    ``source``; ``recorded``: what the caller that moved the survey knows of it (e.g. the projection's title)."""
    metadata = results.metadata
    projection = metadata.extra.get("projection") or {}
    year = projection.get("population_year", projection.get("year", metadata.reference_year))
    record = {
        "year": int(year),
        "persons": float(np.sum(results.person_weight_of_household, dtype=np.float64)),
        "projected": bool(projection),
        "source": "survey weights calibrated to a population projection" if projection else "the survey's own weights",
    }
    return {**record, **(recorded or {}), "persons": record["persons"]}


def record_simulated_year(
    results: Results, population: dict, cost_denominators: dict, price_context: PriceContext | None = None
) -> Results:
    """``results`` with the simulated year's facts recorded when the run happens: the population (``population``:
    year and source given by the caller, persons counted here), the GDP and government expenditure that costs are
    divided by (values, years, sources, notes) and, for a survey moved to a projection year, that projection's
    prices (``price_context``: its poverty line and uprating replace the engine's)."""
    if price_context is not None:
        results = dataclasses.replace(results, price_context=price_context)
    record = dict(results.provenance)
    record["prices"] = _prices_record(results)
    record["population"] = population_record(results, population)
    record["cost_denominators"] = cost_denominators
    return dataclasses.replace(results, provenance=record)


# ----- what a scenario's reforms changed -----


def _references(parameter, instant: str) -> list[dict]:
    """References of the value of a leaf in force at ``instant`` (ISO): its own, else the leaf's general ones."""
    in_force = [row for row in leaf_history(parameter) if row.start <= instant]
    references = in_force[-1].references if in_force else references_of(metadata_of(parameter).get("reference"))
    return [{"title": reference.title, "href": reference.href} for reference in references]


def parameter_change_record(parameters: ParameterNode, change: ParameterChange, step: str) -> dict:
    """One parameter change as applied: the leaf's description and unit, the value it replaces (the value of
    ``parameters`` in force on ``start``; ``None`` when none is) and the new value, the dates, and the references of
    the replaced value (a reform file gives none for the new value)."""
    parameter = find_parameter(parameters, change.parameter, step)
    instant = change.start.isoformat()
    current = next((at for at in parameter.values_list if at.instant_str <= instant), None)  # newest first
    return {
        "parameter": change.parameter,
        "description": str(getattr(parameter, "description", None) or ""),
        "unit": metadata_of(parameter).get("unit"),
        "old_value": plain(current.value) if current is not None else None,
        "new_value": change.value,
        "start": instant,
        "stop": change.stop.isoformat() if change.stop else None,
        "old_references": _references(parameter, instant),
        "new_references": [],
    }


def reform_steps_record(country: str, scenario: Scenario) -> list[dict]:
    """What each step of ``scenario`` changes, in order, JSON-able (``run_info["parameter_changes"][scenario]``).

    A parameter-change step: ``{"step", "kind": "parameters", "label", "description", "changes": [...]}`` with one
    :func:`parameter_change_record` per change. Old values are those of current law (the baseline rules), as
    reports say; a parameter that an earlier step adds (the floor's) is read from the rules the step is applied
    to. A Python reform step: ``{"step": dotted path, "kind": "python_reform", "label": class name, "description":
    first line of its docstring, "changes": []}``.
    """
    baseline = scenario_system(country, ()).parameters
    current_law = set(parameter_paths(baseline))
    steps = []
    for position, step in enumerate(scenario.steps):
        if isinstance(step, ReformSpec):
            changes = []
            for change in step.changes:
                # Only a parameter an earlier step adds (the floor's) needs the rules this step is applied to,
                # which scenario_system has built (and cached) by then.
                in_force = (baseline if change.parameter in current_law
                            else scenario_system(country, scenario.steps[:position]).parameters)
                changes.append(parameter_change_record(in_force, change, step.name))
            steps.append({"step": step.name, "kind": "parameters", "label": step.label,
                          "description": step.description, "changes": changes})
        else:
            doc = (import_reform_class(step).__doc__ or "").strip().splitlines()
            steps.append({"step": step, "kind": "python_reform", "label": step.rsplit(".", 1)[-1],
                          "description": doc[0] if doc else "", "changes": []})
    return steps


def _prices_record(results: Results) -> dict:
    """The poverty line and price uprating the run used; the reason where the country's price data do not cover the
    simulated year (the run's amounts are still valid, its poverty figures are not computed)."""
    try:
        results.prices
    except FloorsimError as error:
        return {"unavailable": str(error)}
    return {
        "poverty_line_per_person_per_month": results.poverty_line,
        "poverty_line_kind": _line_kind(results.spec.poverty_line),
        "poverty_line_base": {
            "date": results.prices.poverty_line_base_date,
            "value": results.prices.poverty_line_base_value,
        },
        "cpi_simulated_year": results.prices.cpi_year,
        "cpi_survey_year": results.prices.cpi_survey_year,
        "consumption_uprating": results.prices.consumption_uprating,
        "notes": list(results.prices.notes),
    }


def _line_kind(line: PovertyLine) -> str:
    """``national``, ``international (USD 2.15 PPP)`` or ``0.6 x weighted median of baseline welfare per capita``."""
    if line.share_of_median is not None:
        return f"{line.share_of_median} x weighted median of baseline welfare per capita"
    return f"international ({line.definition})" if line.kind == "international" else "national"
