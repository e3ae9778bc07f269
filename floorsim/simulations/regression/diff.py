"""``floorsim diff OLD NEW``: what a change to a country package does, in the figures a ministry reads.

OLD and NEW are git revisions of a repository, or folders holding a version of the package. For each side the
package is *materialised* in a folder from which its own module names import (``git archive`` of the revision's
top-level package folder and ``floorsim.yaml``; a folder is used in place when its path already matches the module
name, otherwise copied under the module's name), and run by :mod:`floorsim.simulations.regression.worker` in a separate
Python process whose ``PYTHONPATH`` starts with that folder. The engine is the running floorsim for both sides:
the diff measures the rules, not the engine. Each worker describes the package's rules and runs the survey through
it; this module compares the two:

* parameters: every dated value whose value in force differs (path, date, old → new, references), parameters
  added or removed, references and descriptions changed;
* variables: added, removed, or changed (label, entity, period, type, unit, reference, formula dates, and formula
  code — told apart from docstring or comment edits), with a unified diff of changed formulas; changed files;
* impact on the survey, per period: cost and beneficiaries per programme, total cost, poverty headcount, gap,
  poor persons, Gini, and by decile of baseline welfare.

Welfare follows the engine (``floorsim.simulations.engine.results``): observed welfare already contains the transfers of the OLD
rules, so under NEW, welfare per capita = (observed × uprating − T_OLD / 12 + T_NEW / 12) / size; OLD is the
baseline and NEW the reform. Each side uses its own price data (poverty line, CPI), so a change to those shows too.

Thresholds (``--fail-if FIGURE:rel>X`` or ``FIGURE:abs>X``) make the command exit with status 1 when a figure's
change in any period exceeds them: ``abs`` on the change in the figure's own units (fractions for rates),
``rel`` on the change divided by the OLD value.

The parts: :mod:`~floorsim.simulations.regression.versions` materialises the two versions, :mod:`~floorsim.simulations.regression.worker`
runs them, :mod:`~floorsim.simulations.regression.rules` compares their rules, :mod:`~floorsim.simulations.regression.thresholds` reads
and evaluates ``--fail-if``, :mod:`~floorsim.simulations.regression.diff_markdown` renders the report; this module defines
the figures of the impact and puts the comparison together.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from pathlib import Path

import numpy as np

from floorsim.indicators.groups import quantile_groups
from floorsim.simulations.analysis.headline import FIGURE_BY_KEY, POVERTY_FIGURES, figure_kind, figure_label, programme_figures
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.results import Results
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.regression.errors import DiffError
from floorsim.simulations.regression.rules import compare_files, compare_parameters, compare_variables
from floorsim.simulations.regression.settings import RegressionSettingsError, resolve_survey
from floorsim.simulations.regression.thresholds import Threshold, evaluate_thresholds, parse_threshold
from floorsim.simulations.regression.versions import Side, resolve_side
from floorsim.simulations.regression.worker import run_sides
from floorsim.simulations.reports.labels import Labels
from floorsim.surveys.bundled import BUNDLED_SURVEY

__all__ = [
    "DiffError", "POVERTY_FIGURES", "STANDARD_FIGURES", "Threshold", "evaluate_thresholds",
    "parse_threshold", "period_impact", "render_markdown", "resolve_side", "run_diff", "run_sides",
]
DECILES = 10
GAIN_EPSILON = 0.005  # currency per household per year below which a change is rounding, not a gain or a loss


# ----- impact -----


def _combined(old: Results, new: Results) -> Results:
    """NEW's results as a reform of OLD's: the OLD baseline and the NEW rules as scenarios of one run, with NEW's
    country description (programmes left out) and prices."""
    old_outputs = old.scenario("baseline")
    transfers = old_outputs.household[old.spec.transfers_variable]
    baseline = dataclasses.replace(old_outputs, household={new.spec.transfers_variable: transfers})
    reform = dataclasses.replace(new.scenario("baseline"), name="new")
    return Results(
        spec=new.spec.model_copy(update={"programmes": {}}),
        metadata=new.metadata,
        households=new.households,
        year=new.year,
        scenarios={"baseline": baseline, "new": reform},
        price_context=new.price_context,
        run_info=new.run_info,
    )


def period_impact(old: Results, new: Results) -> dict:
    """Figures of both sides and their changes, and the changes by decile of OLD baseline welfare per person."""
    if not np.array_equal(old.households["household_id"], new.households["household_id"]):
        raise DiffError("the two runs did not simulate the same households")
    notes = []
    before, after = programme_figures(old, "baseline"), programme_figures(new, "baseline")
    try:
        old_headline = old.headline("baseline")
        new_headline = _combined(old, new).headline("new")
        for key in POVERTY_FIGURES:
            before[key], after[key] = old_headline[key], new_headline[key]
    except FloorsimError as error:
        notes.append(f"poverty and inequality not computed: {error}")
    for what, unit, was, now in _price_differences(old, new):
        notes.append(
            f"the {what} differs between the versions ({was:.4g} → {now:.4g}{unit}): poverty figures move with the "
            "price data as well as with the rules"
        )
    figures = {}
    for key in list(dict.fromkeys([*before, *after])):
        was, now = before.get(key), after.get(key)
        change = None if was is None or now is None else now - was
        relative = None if change is None or was == 0 else change / abs(was)
        figures[key] = {"old": was, "new": now, "change": change, "relative_change": relative, "kind": figure_kind(key)}
    return {"figures": figures, "deciles": _deciles(old, new, notes), "notes": notes}


def _price_differences(old: Results, new: Results) -> list[tuple[str, str, float, float]]:
    """Poverty line and consumption uprating of the two versions, where they differ."""
    differences = []
    try:
        pairs = [
            ("poverty line", f" {new.spec.currency} per person per month", old.poverty_line, new.poverty_line),
            ("uprating of survey welfare", "", old.prices.consumption_uprating, new.prices.consumption_uprating),
        ]
    except FloorsimError:
        return differences
    for what, unit, was, now in pairs:
        if not math.isclose(was, now, rel_tol=1e-12, abs_tol=0.0):
            differences.append((what, unit, float(was), float(now)))
    return differences


def _deciles(old: Results, new: Results, notes: list[str]) -> list[dict]:
    try:
        welfare = old.welfare_per_capita("baseline")
    except FloorsimError:
        return []
    weights = old.person_weight_of_household
    groups = quantile_groups(welfare, weights, DECILES)
    t_old = old.scenario("baseline").household[old.spec.transfers_variable]
    t_new = new.scenario("baseline").household[new.spec.transfers_variable]
    gain = t_new - t_old
    rows = []
    for decile in range(1, DECILES + 1):
        inside = groups == decile
        persons = float(np.sum(weights[inside], dtype=np.float64))
        if persons == 0:
            continue
        def per_person(amounts: np.ndarray, inside=inside, persons=persons) -> float:
            """Currency per person per month in the decile."""
            return float(np.sum(amounts[inside] * old.households["weight"][inside], dtype=np.float64) / 12 / persons)

        mean_welfare = float(np.sum(welfare[inside] * weights[inside], dtype=np.float64) / persons)
        mean_gain = per_person(gain)
        rows.append(
            {
                "decile": decile,
                "persons": persons,
                "mean_welfare": mean_welfare,
                "transfers_old": per_person(t_old),
                "transfers_new": per_person(t_new),
                "mean_gain": mean_gain,
                "gain_share_of_welfare": mean_gain / mean_welfare if mean_welfare else None,
                "share_gaining": float(np.sum(weights[inside & (gain > GAIN_EPSILON)]) / persons),
                "share_losing": float(np.sum(weights[inside & (gain < -GAIN_EPSILON)]) / persons),
            }
        )
    return rows


# ----- the whole comparison -----


def _check_figures(thresholds: list[Threshold], sides: list[Side]) -> None:
    """Refuse thresholds on figures neither version has, before anything runs."""
    known = set(STANDARD_FIGURES)
    for side in sides:
        for key in load_country(str(side.yaml)).programmes:
            known.update({f"{key}_cost", f"{key}_beneficiaries"})
    for threshold in thresholds:
        if threshold.figure not in known:
            raise DiffError(f"--fail-if {threshold.text}: no figure '{threshold.figure}'; figures are {', '.join(sorted(known))}")



def default_survey(sides: list[Side]) -> Path:
    """The survey a diff runs on when none is given: the one the NEW version's ``floorsim.yaml`` declares for its
    regression checks (``regression.survey``), else the OLD version's, else the survey bundled with floorsim (for
    versions written before packages declared one)."""
    for side in reversed(sides):
        try:
            folder = resolve_survey(load_country(str(side.yaml)))
        except RegressionSettingsError as error:
            # A path beside floorsim.yaml is not extracted with a revision's package: the user must name it.
            raise DiffError(f"{side.label}: {error}; give the survey folder (--survey)") from None
        if folder is not None:
            return folder
    return BUNDLED_SURVEY


def run_diff(
    old: str,
    new: str,
    *,
    country: str = "timor_leste",
    periods: list[int] | tuple[int, ...] = (2025,),
    survey: str | Path | None = None,
    repo: str | Path | None = None,
    jobs: int = 1,
    fail_if: list[str] | tuple[str, ...] = (),
) -> dict:
    """Compare two versions of a country package; the report as JSON-able data (see the module docstring).

    ``report["failed"]`` is true when a ``fail_if`` threshold is breached in some period.
    """
    thresholds = [parse_threshold(text) for text in fail_if]
    periods = sorted({int(period) for period in periods})
    if not periods:
        raise DiffError("give at least one --period")
    survey_path = Path(survey) if survey else None
    if survey_path is not None and not survey_path.is_dir():
        raise DiffError(f"survey folder not found: {survey_path}")
    with tempfile.TemporaryDirectory(prefix="floorsim-diff-") as temporary:
        workdir = Path(temporary)
        sides = [resolve_side(ref, country, repo, workdir / name) for ref, name in ((old, "old"), (new, "new"))]
        _check_figures(thresholds, sides)
        survey_path = survey_path or default_survey(sides)
        before, after = run_sides(sides, survey_path.resolve(), periods, jobs, workdir)
        files = compare_files(sides[0].files(), sides[1].files())
    spec = after["spec"]
    first = after["results"][periods[0]]
    report = {
        "country": spec.name,
        "country_label": spec.label,
        "currency": spec.currency,
        "old": {"ref": old, "label": sides[0].label, "commit": sides[0].commit},
        "new": {"ref": new, "label": sides[1].label, "commit": sides[1].commit},
        "survey": {
            "name": first.metadata.name,
            "path": str(survey_path),
            "synthetic": bool(first.metadata.synthetic),
            "households": len(first.households["household_id"]),
        },
        "periods": periods,
        "programmes": {
            key: programme.label for data in (before, after) for key, programme in data["spec"].programmes.items()
        },
        # As every output names them: the poverty figures say which line (NEW's) they are measured against.
        "figure_labels": {key: figure_label(FIGURE_BY_KEY[key], spec, Labels()) for key in STANDARD_FIGURES},
        "parameters": compare_parameters(before["parameters"], after["parameters"]),
        "variables": compare_variables(before["variables"], after["variables"]),
        "files": files,
        "impact": {
            str(year): period_impact(before["results"][year], after["results"][year]) for year in periods
        },
    }
    report["thresholds"] = evaluate_thresholds(report, thresholds)
    report["failed"] = any(row["breached"] for row in report["thresholds"])
    return report




# The figures every diff shows besides each programme's cost and beneficiaries (the one headline definition).
STANDARD_FIGURES = ("total_cost", *POVERTY_FIGURES)


def render_markdown(report: dict) -> str:
    """The report as GitHub-flavoured Markdown (:func:`floorsim.simulations.regression.diff_markdown.render_markdown`)."""
    # Imported here: the Markdown module imports this one.
    from floorsim.simulations.regression import diff_markdown

    return diff_markdown.render_markdown(report)
