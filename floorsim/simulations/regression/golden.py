"""Golden aggregates: committed headline figures of each country package on its bundled survey, so that any change
to parameters, formulas or the engine that moves a national figure is noticed — and accepted on purpose.

For every country whose ``floorsim.yaml`` declares a survey for its regression checks (``regression.survey``),
a snapshot ``regression/golden.json`` beside that ``floorsim.yaml`` (:mod:`floorsim.simulations.regression.settings`) holds,
for each reference year (``regression.golden_years``), the headline figures (``Results.headline``: cost and
beneficiaries per programme, total cost, poverty headcount and gap, persons in poverty, Gini) of the baseline and of
every reform in the package's ``reforms/`` library. One engine run per year computes them all (every reform is a
scenario).

A fresh figure *moves* when ``|fresh − snapshot| > absolute tolerance + relative tolerance × |snapshot|`` with the
tolerances of :data:`TOLERANCES` (by kind of figure). They are far below what any change of legislation moves
(one household of the bundled survey weighs about 0.03% of the population), and above the last-digit differences
that summation order or another numpy build can give.

Check (exit status 1 and a table of what moved)::

    floorsim golden                      # or: python -m floorsim.simulations.regression.golden
    floorsim golden --update             # regenerate the snapshot on purpose, after reviewing the table
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from floorsim.simulations.analysis.headline import figure_kind as headline_figure_kind
from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.microsimulation import BASELINE, Microsimulation
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.regression.settings import bundled_survey, reference_years, snapshot_path
from floorsim.simulations.reports.numbers import format_figure
from floorsim.surveys import load_survey, survey_hash
from floorsim.surveys.atomic import write_text_atomic

# The folder holding floorsim's packages (the checkout, or site-packages when installed): the snapshot records the
# survey and reform files relative to it, so a snapshot written in the repository equals one written by a wheel.
PACKAGES_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the floorsim package
REGENERATE = "floorsim golden --update"

# kind: (absolute tolerance in the figure's units, relative tolerance)
TOLERANCES: dict[str, tuple[float, float]] = {
    "money": (0.5, 1e-7),  # currency per year
    "count": (0.01, 1e-7),  # persons or households
    "rate": (1e-7, 1e-7),  # fractions: poverty headcount and gap, Gini
}


class GoldenError(FloorsimError):
    """A snapshot is missing or unreadable, or the country has no bundled survey."""


def figure_kind(key: str) -> str:
    """Tolerance class of a figure: ``money`` (costs), ``count`` (beneficiaries, persons in poverty) or ``rate``
    (headcount, gap, and the Gini: the headline's ``index`` kind, a fraction as well)."""
    kind = headline_figure_kind(key)
    return "rate" if kind == "index" else kind


def package_folder(country: str, name: str) -> Path | None:
    """The package's ``name`` folder (``reforms``, ``tests``): in the folder of the package's TaxBenefitSystem
    module, else beside its floorsim.yaml (the same folder for packages under ``floorsim/country_packages/``)."""
    import inspect

    from floorsim.simulations.engine.countries import tax_benefit_system_class

    spec = load_country(country)
    candidates = [Path(inspect.getfile(tax_benefit_system_class(spec))).parent / name]
    if spec.folder is not None:
        candidates.append(spec.folder / name)
    return next((folder for folder in candidates if folder.is_dir()), None)


def reform_library(country: str) -> dict[str, Path]:
    """``{reform name: file}`` for every reform file in the package's ``reforms/`` folder."""
    folder = package_folder(country, "reforms")
    if folder is None:
        return {}
    return {path.stem: path for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml"), *folder.glob("*.json")])}


def compute_figures(country: str, years: tuple[int, ...] | list[int], survey_folder: Path | None = None,
                    phases: Phases | None = None) -> dict:
    """``{year: {scenario: {figure: value}}}`` (years as strings) for the baseline and every library reform;
    ``phases`` times (and shows) reading the survey and each year's runs."""
    phases = phases or Phases()
    spec = load_country(country)
    folder = survey_folder or bundled_survey(country)
    if folder is None:
        raise GoldenError(f"country '{spec.name}' has no bundled survey; golden aggregates need one")
    with phases.phase("reading the survey"):
        survey = load_survey(folder)
    reforms = reform_library(country)
    if BASELINE in reforms:
        raise GoldenError(f"a reform file may not be called '{BASELINE}'")
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for year in years:
        with phases.phase(f"{year}: simulation and figures ({len(reforms) + 1} scenarios)"):
            results = Microsimulation(country, survey, int(year), backend="sequential").run(
                {BASELINE: None, **{name: path for name, path in reforms.items()}}
            )
            figures[str(year)] = {
                name: {key: float(value) for key, value in results.headline(name).items()}
                for name in results.scenarios
            }
    return figures


def survey_folder(country: str, survey: Path | None = None, snapshot: dict | None = None) -> Path:
    """The survey of the golden figures: ``survey`` if given, else the country's bundled survey, else the one a
    snapshot names (a path relative to the current folder, for packages outside floorsim's repository)."""
    if survey is not None:
        return Path(survey)
    name = load_country(country).name
    bundled = bundled_survey(country)
    if bundled is not None:
        return bundled
    if snapshot and snapshot.get("survey", {}).get("path"):
        return Path(snapshot["survey"]["path"])
    raise GoldenError(f"country '{name}' has no bundled survey; give the survey folder (--survey)")


def build_snapshot(
    country: str, years: tuple[int, ...] | list[int] | None = None, survey: Path | None = None,
    phases: Phases | None = None,
) -> dict:
    """A complete snapshot document (figures plus what produced them and how to regenerate it)."""
    spec = load_country(country)
    years = tuple(years or reference_years(country))
    if not years:
        raise GoldenError(f"no reference years for country '{spec.name}': give some (--year)")
    folder = survey_folder(country, survey)
    command = REGENERATE
    if spec.name != "timor_leste" or survey is not None:
        command += f" --country {country}" + (f" --survey {survey}" if survey is not None else "")
    return {
        "country": spec.name,
        "survey": {"path": _relative(folder), "sha256": survey_hash(folder)},
        "years": list(years),
        "scenarios": {BASELINE: None, **{name: _relative(path) for name, path in reform_library(country).items()}},
        "tolerances": {kind: {"absolute": a, "relative": r} for kind, (a, r) in TOLERANCES.items()},
        "regenerate": command,
        "figures": compute_figures(country, years, folder, phases),
    }


def _relative(path: Path) -> str:
    """A path relative to the folder of floorsim's packages, else to the current folder, else absolute."""
    for base in (PACKAGES_ROOT, Path.cwd()):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path.resolve())


def load_snapshot(path: Path) -> dict:
    if not path.is_file():
        raise GoldenError(f"no golden snapshot {path}: create it with `{REGENERATE}`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GoldenError(f"{path}: not valid JSON: {error}") from None


def write_snapshot(snapshot: dict, path: Path) -> Path:
    rounded = dict(snapshot, figures={
        year: {name: {key: round(value, 9) for key, value in figures.items()} for name, figures in scenarios.items()}
        for year, scenarios in snapshot["figures"].items()
    })
    # one rename: an interrupted --update leaves the previous snapshot, never half a file
    return write_text_atomic(path, json.dumps(rounded, indent=1, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class Moved:
    """A figure that differs from the snapshot beyond tolerance (or is missing on one side)."""

    year: str
    scenario: str
    figure: str
    expected: float | None
    actual: float | None

    @property
    def change(self) -> float | None:
        if self.expected is None or self.actual is None:
            return None
        return self.actual - self.expected

    @property
    def relative(self) -> float | None:
        if self.change is None or self.expected == 0:
            return None
        return self.change / abs(self.expected)


def moved_beyond_tolerance(expected: float, actual: float, kind: str) -> bool:
    absolute, relative = TOLERANCES[kind]
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) != math.isnan(actual)
    return abs(actual - expected) > absolute + relative * abs(expected)


def compare(expected: dict, actual: dict) -> list[Moved]:
    """Figures of ``actual`` (``{year: {scenario: {figure: value}}}``) that moved from ``expected``; a year,
    scenario or figure present on one side only is reported with ``None`` on the other."""
    moved = []
    for year in sorted(set(expected) | set(actual)):
        scenarios_expected, scenarios_actual = expected.get(year, {}), actual.get(year, {})
        for scenario in _ordered(scenarios_expected, scenarios_actual):
            figures_expected = scenarios_expected.get(scenario, {})
            figures_actual = scenarios_actual.get(scenario, {})
            for figure in _ordered(figures_expected, figures_actual):
                was, now = figures_expected.get(figure), figures_actual.get(figure)
                if was is None or now is None or moved_beyond_tolerance(was, now, figure_kind(figure)):
                    moved.append(Moved(year, scenario, figure, was, now))
    return moved


def _ordered(first: dict, second: dict) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def format_table(moved: list[Moved]) -> str:
    """A plain-text table of moved figures: year, scenario, figure, snapshot, now, change, relative change."""
    header = ("year", "scenario", "figure", "snapshot", "now", "change", "change %")
    rows = []
    for item in moved:
        kind = figure_kind(item.figure)
        change = item.change
        rows.append(
            (
                item.year,
                item.scenario,
                item.figure,
                format_figure(item.expected, kind, "snapshot", missing="(absent)"),
                format_figure(item.actual, kind, "snapshot", missing="(absent)"),
                "" if change is None else format_figure(change, kind, "snapshot", change=True),
                "" if item.relative is None else f"{100 * item.relative:+.4f}%",
            )
        )
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    numeric = {3, 4, 5, 6}

    def line(cells) -> str:
        return "  ".join(
            str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)])


def check(country: str, path: Path | None = None, survey: Path | None = None,
          phases: Phases | None = None) -> tuple[list[Moved], dict]:
    """Recompute the snapshot's years and compare; returns the moved figures and the snapshot."""
    path = path or snapshot_path(country)
    snapshot = load_snapshot(path)
    years = [int(year) for year in snapshot["years"]]
    folder = survey_folder(country, survey, snapshot)
    return compare(snapshot["figures"], compute_figures(country, years, folder, phases)), snapshot


def report(moved: list[Moved], path: Path, snapshot: dict) -> str:
    """What a failed check prints: the table, the tolerances and how to accept the change."""
    tolerances = ", ".join(
        f"{kind} ±({a:g} + {r:g}×|snapshot|)" for kind, (a, r) in TOLERANCES.items()
    )
    survey = _bundled_survey_of(snapshot.get("country", ""))
    note = ""
    if survey is not None and snapshot.get("survey", {}).get("sha256") not in (None, survey_hash(survey)):
        note = "\nThe bundled survey itself changed since the snapshot was written (its hash differs).\n"
    return (
        f"{len(moved)} golden figure(s) of {snapshot.get('country')} moved beyond tolerance "
        f"(snapshot {path}):\n\n{format_table(moved)}\n{note}\nTolerances: {tolerances}.\n"
        f"If the change is intended, regenerate the snapshot with `{snapshot.get('regenerate', REGENERATE)}` "
        "and commit it with the change."
    )


def _bundled_survey_of(country: str) -> Path | None:
    """The bundled survey of the snapshot's country, if floorsim ships that country and it declares one."""
    try:
        return bundled_survey(country)
    except FloorsimError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m floorsim.simulations.regression.golden", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", default="timor_leste", help="country package name or path of a floorsim.yaml")
    parser.add_argument("--update", action="store_true", help="regenerate the snapshot instead of checking it")
    parser.add_argument("--snapshot", type=Path,
                        help="snapshot file (default: regression/golden.json beside the country's floorsim.yaml)")
    parser.add_argument("--year", type=int, action="append", help="reference year for --update (repeatable)")
    parser.add_argument("--survey", type=Path, help="survey folder (default: the country's bundled survey)")
    options = parser.parse_args(argv)
    return run(options.country, options.update, options.snapshot, options.year, options.survey)


def run(
    country: str,
    update: bool = False,
    snapshot: Path | None = None,
    years: list[int] | None = None,
    survey: Path | None = None,
    phases: Phases | None = None,
) -> int:
    """The ``golden`` command: 0 when the figures match (or the snapshot was written), 1 when some moved.
    ``phases``: timed and shown (the snapshot holds no timings: it must not change from run to run)."""
    try:
        path = snapshot or snapshot_path(country)
        if update:
            previous = load_snapshot(path) if path.is_file() else None
            document = build_snapshot(country, years or (previous["years"] if previous else None), survey, phases)
            moved = compare(previous["figures"], document["figures"]) if previous else []
            write_snapshot(document, path)
            print(f"Wrote {path}: {sum(len(s) for s in document['figures'].values())} scenario-years.")
            if moved:
                print(f"{len(moved)} figure(s) changed from the previous snapshot:\n\n{format_table(moved)}")
            return 0
        moved, document = check(country, path, survey, phases)
    except FloorsimError as error:
        print(f"floorsim: error: {error}", file=sys.stderr)
        return 2
    if moved:
        print(report(moved, path, document))
        return 1
    count = sum(len(figures) for scenarios in document["figures"].values() for figures in scenarios.values())
    print(f"Golden aggregates of {document['country']} match {path} ({count} figures, years "
          f"{', '.join(str(y) for y in document['years'])}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
