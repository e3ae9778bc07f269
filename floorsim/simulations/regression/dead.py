"""Dead-parameter check: every parameter a formula reads is exercised by a YAML test, and moves an output.

A parameter that no test reads can change without any test noticing; one whose value changes nothing on the survey
is either dead code or a sign that the survey does not carry what the rule needs. The check works in three steps.

1. **Which parameters formulas read.** Static analysis of every formula's source (``ast``): names bound to
   ``parameters(period)`` and to attribute or string-subscript chains from it are followed, and every chain that is
   used (not only bound) is resolved in the parameter tree — a leaf is read; a folder or a scale passed on whole
   (``lookup_by_enum(x, jf.coverage)``, ``saii.age_supplement.calc(age)``) means all leaves beneath it are read.
   Dynamic traces complement it: OpenFisca's tracer (``simulation.trace = True``) records the parameters looked up
   while the YAML tests and the survey run; scales are recorded too (OpenFisca's tracer skips them, so its
   ``TracingParameterNodeAtInstant`` is wrapped for the duration of the check). A parameter read by a formula is
   one found by either method; ``static_missed`` lists traced parameters the static analysis did not see (a
   formula reading parameters in a way it cannot follow, such as passing ``parameters`` to a helper).
2. **Exercised by YAML tests.** Every YAML test of the package (``<package>/tests/*.yaml``) is run as OpenFisca's
   test runner does (reforms, extensions and ``parameters`` overrides honoured), with the tracer on; a parameter
   looked up during some test is exercised.
3. **Alive on the survey.** Each parameter read by a formula is perturbed — every dated value: non-zero numbers
   −10% (integers by at least 1), zero → 1, booleans flipped — and the programme variables and the transfers total
   are recomputed on the bundled survey for the reference years (newest first); if nothing changes, the same is
   tried under each reform of the package's library (from the year its changes start), then with +10%. The
   parameter is alive as soon as one household or person amount changes.

Parameters legitimately dead (or untested) are listed, each with its reason, in an allow-list
(``regression/dead_parameters_allowlist.yaml`` beside the package's ``floorsim.yaml``,
:func:`floorsim.simulations.regression.settings.allowlist_path`); an allow-list entry that no longer applies is itself an
offender, so the list cannot rot. ``python -m floorsim.simulations.regression.dead`` prints the whole report.

The steps live in :mod:`~floorsim.simulations.regression.formula_reads` (1), :mod:`~floorsim.simulations.regression.parameter_traces`
(2) and :mod:`~floorsim.simulations.regression.perturbation` (3); this module puts them together and judges the findings.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from floorsim.simulations.engine.countries import CountrySpec, load_country
from floorsim.simulations.engine.reforms import load_reform
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.regression.formula_reads import static_parameter_reads
from floorsim.simulations.regression.parameter_traces import trace_scales, traced_leaves, yaml_test_reads
from floorsim.simulations.regression.perturbation import SurveyRunner, liveness
from floorsim.simulations.regression.rules import leaf_parameters
from floorsim.simulations.regression.settings import allowlist_path, bundled_survey, reference_years
from floorsim.surveys.errors import SurveyError
from floorsim.surveys import load_survey
from floorsim.surveys.model import Survey

__all__ = [
    "PROBLEMS", "DeadParameterReport", "check_dead_parameters", "engine_parameters", "find_offenders",
    "load_allowlist", "liveness", "SurveyRunner", "static_parameter_reads", "yaml_test_reads",
]

PROBLEMS = {
    "untested": "no YAML test reads it",
    "dead": "perturbing it changes no output on the bundled survey",
}


@dataclass
class DeadParameterReport:
    """What the check found for one country."""

    country: str
    read_by_formulas: dict[str, list[str]]
    tested_by: dict[str, list[str]]
    alive_in: dict[str, str | None]
    static_missed: list[str]
    not_read: list[str]
    engine_parameters: list[str]
    test_failures: list[str]
    allowed: dict[str, dict[str, str]]
    offenders: list[tuple[str, str, str]] = field(default_factory=list)  # (parameter, problem, detail)
    allowlist: Path | None = None  # the allow-list file read

    def format(self) -> str:
        lines = [
            (
                f"Dead-parameter check of {self.country}: {len(self.read_by_formulas)} parameters read by formulas, "
                f"{sum(1 for p in self.read_by_formulas if p in self.tested_by)} exercised by YAML tests, "
                f"{sum(1 for p in self.read_by_formulas if self.alive_in.get(p))} alive on the survey."
            ),
        ]
        if self.offenders:
            lines += ["", "Offenders:"]
            lines += [f"  {path}: {problem}{f' ({detail})' if detail else ''}" for path, problem, detail in self.offenders]
        if self.allowed:
            lines += ["", f"Allowed ({self.allowlist}):"]
            for path, entries in sorted(self.allowed.items()):
                for problem, reason in entries.items():
                    lines.append(f"  {path} [{problem}]: {reason}")
        if self.static_missed:
            lines += ["", "Read (traced) but not found by the static analysis of formulas:"]
            lines += [f"  {path}" for path in self.static_missed]
        if self.test_failures:
            lines += ["", "YAML tests that could not be traced:"] + [f"  {failure}" for failure in self.test_failures]
        if self.not_read:
            lines += ["", "Parameters no formula reads (not checked; used by the engine or by reports, or unused):"]
            lines += [
                f"  {path}{' (engine: floorsim.yaml)' if path in self.engine_parameters else ''}" for path in self.not_read
            ]
        return "\n".join(lines)


def load_allowlist(country: str, path: Path | None = None) -> dict[str, dict[str, str]]:
    """``{parameter: {problem: reason}}`` for ``country`` (problems: ``untested``, ``dead``), from a file keyed by
    country name, or listing one package's parameters at its top level (default: the package's own allow-list)."""
    path = path or allowlist_path(country)
    if not path.is_file():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    # Keyed by country name; a file for a single package may list its parameters (dotted paths) at the top level.
    flat = any("." in str(key) for key in document)
    raw = document if flat else (document.get(country) or {})
    allowed: dict[str, dict[str, str]] = {}
    for parameter, entries in raw.items():
        entries = entries if isinstance(entries, list) else [entries]
        for entry in entries:
            problem, reason = entry.get("check"), str(entry.get("reason") or "").strip()
            if problem not in PROBLEMS:
                raise FloorsimError(f"{path}: {country}.{parameter}: 'check' must be one of {', '.join(PROBLEMS)}")
            if len(reason) < 20:
                raise FloorsimError(f"{path}: {country}.{parameter}: give the reason this parameter is allowed")
            allowed.setdefault(parameter, {})[problem] = reason
    return allowed


def engine_parameters(spec: CountrySpec) -> list[str]:
    """Parameters the engine reads through floorsim.yaml (take-up rates, poverty line, price index, inflation)."""
    paths = [p.take_up for p in spec.programmes.values() if p.take_up]
    line = spec.poverty_line
    paths += [path for path in (line.parameter, line.price_index, line.inflation) if path]
    return sorted(set(paths))


def check_dead_parameters(
    country: str,
    survey: Survey | None = None,
    years: list[int] | tuple[int, ...] | None = None,
    allowlist: Path | None = None,
) -> DeadParameterReport:
    """Run the three steps of the module docstring and list offenders (allow-listed problems excepted); the
    allow-list defaults to the package's own (:func:`floorsim.simulations.regression.settings.allowlist_path`)."""
    from floorsim.simulations.regression.golden import package_folder, reform_library

    spec = load_country(country)
    system = baseline_system(country)
    if survey is None:
        folder = bundled_survey(country)
        if folder is None:
            raise FloorsimError(f"country '{spec.name}' has no bundled survey to check parameters on")
        survey = load_survey(folder)
    years = list(years or reference_years(country))
    if not years:
        raise FloorsimError(f"no reference years for country '{spec.name}': give some")
    runner = SurveyRunner(spec, survey, system)

    static = static_parameter_reads(system)
    tests_folder = package_folder(country, "tests")
    tested, failures = yaml_test_reads(system, tests_folder) if tests_folder is not None else ({}, [])
    traced_on_survey: set[str] = set()
    with trace_scales():
        for year in years:
            _values, simulation = runner.outputs(system, year, trace=True)
            traced_on_survey |= traced_leaves(simulation, system.parameters)
    traced = set(tested) | traced_on_survey
    engine = set(engine_parameters(spec))
    read = {path: set(static.get(path, ())) for path in set(static) | (traced - engine)}
    for path in traced - set(static) - engine:
        read[path].add("(traced)")
    reforms = {name: load_reform(path) for name, path in reform_library(country).items()}
    alive = liveness(runner, sorted(read), years, reforms)

    all_leaves = [leaf.name for leaf, _ in leaf_parameters(system.parameters)]
    allowlist = allowlist or allowlist_path(country)
    allowed = load_allowlist(spec.name, allowlist)
    report = DeadParameterReport(
        country=spec.name,
        read_by_formulas={path: sorted(read[path]) for path in sorted(read)},
        tested_by={path: sorted(tests) for path, tests in sorted(tested.items())},
        alive_in=alive,
        static_missed=sorted(traced - set(static) - engine),
        not_read=[leaf for leaf in all_leaves if leaf not in read],
        engine_parameters=sorted(engine),
        test_failures=failures,
        allowed=allowed,
        allowlist=allowlist,
    )
    tried = f"tried years {', '.join(map(str, years))}, the baseline and {len(reforms)} library reforms"
    report.offenders = find_offenders(report.read_by_formulas, report.tested_by, alive, allowed, tried)
    return report


def find_offenders(
    read: dict[str, list[str]],
    tested: dict[str, list[str]],
    alive: dict[str, str | None],
    allowed: dict[str, dict[str, str]],
    tried: str = "",
) -> list[tuple[str, str, str]]:
    """``(parameter, problem, detail)`` for every parameter read by a formula that no YAML test reads or whose
    perturbation changes nothing, unless allow-listed for that problem; and every allow-list entry that no longer
    applies (the parameter is not read, or no longer has the problem)."""
    problems: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(read):
        if path not in tested:
            problems[path]["untested"] = "read by " + ", ".join(read[path])
        if not alive.get(path):
            problems[path]["dead"] = tried
    offenders = []
    for path, entries in sorted(problems.items()):
        for problem, detail in entries.items():
            if problem not in allowed.get(path, {}):
                offenders.append((path, PROBLEMS[problem], detail))
    for path, entries in sorted(allowed.items()):
        for problem in entries:
            if problem not in problems.get(path, {}):
                what = "is not read by any formula" if path not in read else f"no longer has the problem '{problem}'"
                offenders.append((path, f"stale allow-list entry: the parameter {what}", "remove the entry"))
    return offenders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m floorsim.simulations.regression.dead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", default="timor_leste", help="country package name or path of a floorsim.yaml")
    parser.add_argument(
        "--allowlist", type=Path, help="allow-list file (default: regression/dead_parameters_allowlist.yaml beside "
        "floorsim.yaml)"
    )
    parser.add_argument("--survey", type=Path, help="survey folder (default: the country's bundled survey)")
    parser.add_argument("--year", type=int, action="append", help="reference year (repeatable; default: golden's)")
    options = parser.parse_args(argv)
    try:
        survey = load_survey(options.survey) if options.survey else None
        report = check_dead_parameters(options.country, survey, options.year, allowlist=options.allowlist)
    except (FloorsimError, SurveyError) as error:
        print(f"floorsim: error: {error}", file=sys.stderr)
        return 2
    print(report.format())
    return 1 if report.offenders else 0


if __name__ == "__main__":
    sys.exit(main())
