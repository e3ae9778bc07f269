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
(``tests/regression/dead_parameters_allowlist.yaml``); an allow-list entry that no longer applies is itself an
offender, so the list cannot rot. ``python -m simulations.regression.dead`` prints the whole report.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from openfisca_core import periods
from openfisca_core.parameters import ParameterNode
from openfisca_core.reforms import Reform
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.taxscales import TaxScaleLike
from openfisca_core.tracers import TracingParameterNodeAtInstant

from simulations.engine.builder import build_simulation
from simulations.engine.chunks import make_chunks
from simulations.engine.countries import CountrySpec, load_country
from simulations.errors import FloorsimError
from simulations.engine.periods import annual_total, month_segments
from simulations.engine.reforms import ReformSpec, apply_reform, load_reform
from simulations.regression.rules import formula_source, leaf_names, leaf_parameters, resolve_node
from simulations.engine.scenarios import baseline_system
from surveys.errors import SurveyError
from surveys import load_survey
from surveys.model import Survey

REPOSITORY = Path(__file__).resolve().parents[2]
ALLOWLIST = REPOSITORY / "tests" / "regression" / "dead_parameters_allowlist.yaml"
PROBLEMS = {
    "untested": "no YAML test reads it",
    "dead": "perturbing it changes no output on the bundled survey",
}
CHANGE_TOLERANCE = 1e-9


# ----- 1. static analysis of formulas -----


def _parameters_argument(function: ast.FunctionDef) -> str | None:
    arguments = function.args.args
    return arguments[2].arg if len(arguments) >= 3 else None


class _Reads(ast.NodeVisitor):
    """Parameter paths a formula reads: chains from ``parameters(period)`` through names, attributes and subscripts."""

    def __init__(self, parameters_name: str) -> None:
        self.parameters_name = parameters_name
        self.aliases: dict[str, str] = {}
        self.paths: set[str] = set()

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == self.parameters_name:
            return ""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return None if base is None else f"{base}.{node.attr}".lstrip(".")
        if isinstance(node, ast.Subscript):
            base = self.resolve(node.value)
            if base is None:
                return None
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return f"{base}.{key.value}".lstrip(".")
            return base  # vectorial access (node[enum_array]): the whole node
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        path = self.resolve(node.value)
        if path is not None and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.aliases[node.targets[0].id] = path  # a binding is not a read: its uses are
            return
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Name)):
            path = self.resolve(node)
            if path:
                self.paths.add(path)
                if isinstance(node, ast.Subscript):
                    self.visit(node.slice)  # the key may read parameters too
                return  # the longest chain is the read; its prefixes are not
        super().generic_visit(node)

    visit_Attribute = visit_Subscript = visit_Name = generic_visit


def _leaves_of_path(parameters: ParameterNode, path: str) -> list[str]:
    """Leaves read through ``path``: the longest prefix that names a node of the tree, expanded to its leaves
    (``benefits.saii.age_supplement.calc`` → the scale's brackets); nothing for the root."""
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        node = resolve_node(parameters, ".".join(parts[:length]))
        if node is not None:
            return leaf_names(node)
    return []


def static_parameter_reads(system: TaxBenefitSystem) -> dict[str, set[str]]:
    """``{leaf parameter: {"variable (formula start)", ...}}`` from the source of every formula."""
    reads: dict[str, set[str]] = defaultdict(set)
    for name, variable in system.variables.items():
        for start, function in variable.formulas.items():
            source = formula_source(function)
            if not source:
                continue
            tree = ast.parse(source).body[0]
            if not isinstance(tree, ast.FunctionDef):
                continue
            argument = _parameters_argument(tree)
            if argument is None:
                continue
            visitor = _Reads(argument)
            for statement in tree.body:
                visitor.visit(statement)
            for path in visitor.paths:
                for leaf in _leaves_of_path(system.parameters, path):
                    reads[leaf].add(f"{name} ({start})")
    return dict(reads)


# ----- 2. dynamic traces -----


@contextlib.contextmanager
def trace_scales() -> Iterator[None]:
    """Make OpenFisca's tracer record scales too (it records numbers, booleans and arrays only)."""
    original = TracingParameterNodeAtInstant.get_traced_child

    def get_traced_child(self, child, key):
        if isinstance(child, TaxScaleLike) and isinstance(key, str):
            node = self.parameter_node_at_instant
            self.tracer.record_parameter_access(f"{node._name}.{key}", node._instant_str, np.zeros(0))
        return original(self, child, key)

    TracingParameterNodeAtInstant.get_traced_child = get_traced_child
    try:
        yield
    finally:
        TracingParameterNodeAtInstant.get_traced_child = original


def traced_leaves(simulation, parameters: ParameterNode) -> set[str]:
    """Leaf parameters looked up during a traced simulation (folders and scales expanded to their leaves)."""
    names = {
        access.name for tree in simulation.tracer.trees for calculation in _walk(tree) for access in calculation.parameters
    }
    return {leaf for name in names for leaf in _leaves_of_path(parameters, name)}


def _walk(node) -> Iterator:
    yield node
    for child in node.children:
        yield from _walk(child)


def _test_system(system: TaxBenefitSystem, test: dict) -> TaxBenefitSystem:
    """The system a YAML test runs against: its reforms, extensions and parameter overrides applied."""
    from openfisca_core.tools.test_runner import _get_tax_benefit_system

    tested = _get_tax_benefit_system(system, test.get("reforms") or [], test.get("extensions") or [])
    if test.get("parameters"):
        from openfisca_core.tools.test_runner import InYamlTestReform

        tested = InYamlTestReform(tested, test["parameters"])
    return tested


def _outputs_to_calculate(system: TaxBenefitSystem, simulation, test: dict) -> Iterator[tuple[str, str, int | None]]:
    """``(variable, period, entity index)`` of every expected output of a YAML test (as OpenFisca's runner reads
    ``output``: variables, entity singulars, entity plurals with instance ids, and per-period values)."""

    def expand(variable: str, expected, period: str, index: int | None):
        if isinstance(expected, dict):
            for requested, value in expected.items():
                yield from expand(variable, value, str(requested), index)
        else:
            yield variable, period, index

    period = str(test.get("period"))
    for key, expected in (test.get("output") or {}).items():
        if key in system.variables:
            yield from expand(key, expected, period, None)
        elif simulation.populations.get(key) is not None:
            for variable, value in expected.items():
                yield from expand(variable, value, period, None)
        else:
            population = simulation.get_population(plural=key)
            if population is None:
                continue
            for instance, values in expected.items():
                for variable, value in values.items():
                    yield from expand(variable, value, period, population.get_index(instance))


def yaml_test_reads(system: TaxBenefitSystem, tests_folder: Path) -> tuple[dict[str, set[str]], list[str]]:
    """``({leaf parameter: {test ids}}, [tests that could not run])`` for the YAML tests in ``tests_folder``."""
    reads: dict[str, set[str]] = defaultdict(set)
    failures = []
    with trace_scales():
        for path in sorted([*tests_folder.rglob("*.yaml"), *tests_folder.rglob("*.yml")]):
            tests = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            tests = tests if isinstance(tests, list) else [tests]
            if not all(isinstance(test, dict) and "output" in test for test in tests):
                continue  # not a file of OpenFisca tests
            for number, test in enumerate(tests, start=1):
                test_id = f"{path.name} #{number}: {test.get('name', '')}".rstrip(": ")
                try:
                    tested = _test_system(system, test)
                    builder = SimulationBuilder()
                    builder.set_default_period(str(test.get("period")))
                    simulation = builder.build_from_dict(tested, test.get("input") or {})
                    simulation.trace = True
                    for variable, period, _index in _outputs_to_calculate(tested, simulation, test):
                        simulation.calculate(variable, period)
                except Exception as error:  # noqa: BLE001 - reported, not fatal: the YAML suite itself fails loudly
                    failures.append(f"{test_id}: {type(error).__name__}: {error}")
                    continue
                for leaf in traced_leaves(simulation, system.parameters):
                    reads[leaf].add(test_id)
    return dict(reads), failures


# ----- 3. perturbation on the survey -----


def perturb(value: object, step: int) -> object:
    """The perturbed value (``step`` 0: −10%, zero → 1, booleans flipped; ``step`` 1: +10%); ``None`` when the
    value cannot be perturbed that way (``None`` values, zero and booleans on the second step, non-numbers)."""
    if isinstance(value, bool):
        return (not value) if step == 0 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0:
            return (1 if isinstance(value, int) else 1.0) if step == 0 else None
        if isinstance(value, int):
            delta = max(1, round(abs(value) * 0.1))
            return value - delta if step == 0 else value + delta
        return value * (0.9 if step == 0 else 1.1)
    return None


def perturbation_label(leaf, step: int) -> str:
    """How :func:`perturb` changes a leaf's values, in words (``-10%``, ``0 → 1``, ``flipped``...)."""
    values = [at.value for at in leaf.values_list if at.value is not None]
    if values and all(isinstance(value, bool) for value in values):
        return "flipped"
    words = []
    if any(value != 0 for value in values):
        words.append("-10%" if step == 0 else "+10%")
    if step == 0 and any(value == 0 for value in values):
        words.append("0 → 1")
    return " and ".join(words) or "unchanged"


def perturbed_system(system: TaxBenefitSystem, path: str, step: int) -> TaxBenefitSystem | None:
    """``system`` with every dated value of the leaf ``path`` perturbed; ``None`` if no value can be."""
    leaf = resolve_node(system.parameters, path)
    if leaf is None or not any(perturb(at.value, step) is not None for at in leaf.values_list):
        return None

    def modify(parameters: ParameterNode) -> ParameterNode:
        target = resolve_node(parameters, path)
        for at in target.values_list:
            changed = perturb(at.value, step)
            if changed is not None:
                at.value = changed
        return parameters

    class Perturbation(Reform):
        name = f"perturb {path}"

        def apply(self) -> None:
            self.modify_parameters(modifier_function=modify)

    return Perturbation(system)


@dataclass
class SurveyRunner:
    """Programme amounts and the transfers total of the whole survey under a tax-benefit system, one year."""

    spec: CountrySpec
    survey: Survey
    system: TaxBenefitSystem

    def __post_init__(self) -> None:
        (self.chunk,) = make_chunks(self.survey, self.spec, self.system, max(1, len(self.survey.households)))
        self.variables = list(dict.fromkeys([p.variable for p in self.spec.programmes.values()]
                                            + [self.spec.transfers_variable]))
        dated = [
            name for mapping in self.spec.inputs.values() for name in mapping
            if self.system.variables[name].value_type is datetime.date
        ]
        self.segmented = self.spec.constant_within_year and not dated

    def outputs(self, system: TaxBenefitSystem, year: int, trace: bool = False):
        segments = month_segments(system, year) if self.segmented else None
        simulation = build_simulation(system, self.spec, self.chunk, periods.period(str(year)))
        simulation.trace = trace
        values = {name: annual_total(simulation, name, year, segments) for name in self.variables}
        return (values, simulation) if trace else values


def _differs(left: dict[str, np.ndarray], right: dict[str, np.ndarray]) -> str | None:
    for name, values in left.items():
        if np.any(np.abs(values - right[name]) > CHANGE_TOLERANCE):
            return name
    return None


def liveness(
    runner: SurveyRunner,
    paths: list[str],
    years: list[int],
    reforms: dict[str, ReformSpec],
) -> dict[str, str | None]:
    """``{leaf: where perturbing it first changed an output (e.g. "2025, baseline, -10%: saii") or None}``."""
    baseline = runner.system
    contexts: list[tuple[str, TaxBenefitSystem, list[int]]] = [("baseline", baseline, sorted(years, reverse=True))]
    for name, spec in reforms.items():
        first = min(change.start.year for change in spec.changes)
        reform_years = sorted((year for year in years if year >= first), reverse=True) or [max(years)]
        contexts.append((f"reform {name}", apply_reform(baseline, spec), reform_years))
    reference: dict[tuple[str, int], dict[str, np.ndarray]] = {}
    found: dict[str, str | None] = {}
    for path in paths:
        found[path] = None
        for step in (0, 1):
            label = perturbation_label(resolve_node(baseline.parameters, path), step)
            for context, system, context_years in contexts:
                changed_system = perturbed_system(system, path, step)
                if changed_system is None:
                    continue
                for year in context_years:
                    if (context, year) not in reference:
                        reference[(context, year)] = runner.outputs(system, year)
                    variable = _differs(runner.outputs(changed_system, year), reference[(context, year)])
                    if variable:
                        found[path] = f"{year}, {context}, {label}: {variable}"
                        break
                if found[path]:
                    break
            if found[path]:
                break
    return found


# ----- the check -----


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
            lines += ["", "Allowed (tests/regression/dead_parameters_allowlist.yaml):"]
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


def load_allowlist(country: str, path: Path = ALLOWLIST) -> dict[str, dict[str, str]]:
    """``{parameter: {problem: reason}}`` for ``country`` (problems: ``untested``, ``dead``), from a file keyed by
    country name, or listing one package's parameters at its top level."""
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
    allowlist: Path = ALLOWLIST,
) -> DeadParameterReport:
    """Run the three steps of the module docstring and list offenders (allow-listed problems excepted)."""
    from simulations.regression.golden import BUNDLED_SURVEYS, REFERENCE_YEARS, package_folder, reform_library

    spec = load_country(country)
    system = baseline_system(country)
    if survey is None:
        folder = BUNDLED_SURVEYS.get(spec.name)
        if folder is None:
            raise FloorsimError(f"country '{spec.name}' has no bundled survey to check parameters on")
        survey = load_survey(folder)
    years = list(years or REFERENCE_YEARS.get(spec.name) or [])
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
    parser = argparse.ArgumentParser(prog="python -m simulations.regression.dead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", default="timor_leste", help="country package name or path of a floorsim.yaml")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST, help="allow-list file")
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
