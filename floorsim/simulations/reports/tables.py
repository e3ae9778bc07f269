"""The tables of a report: a run's results → named tidy DataFrames (and the context the writers print around them).

Every figure comes from ``floorsim.simulations.analysis`` (the headline, cost, distribution by decile, coverage, targeting,
design-based uncertainty) and ``floorsim.indicators`` statistics; nothing is computed twice or differently here. The
estimates with intervals are built in ``estimates.py``, the sampling design in ``sampling.py``, the population
groups in ``groups.py`` and the method section in ``method.py``. Tables hold
raw units — currency per year, currency per person per month, fractions (0.418, not 41.8 %) — and the writers
(``excel.py``, ``charts.py``, ``html.py``) format them with the labels of ``labels.py``.

=============  ==============================================================================================
table          rows
=============  ==============================================================================================
``headline``   the headline figures of ``summary.json`` (same keys, same point estimates) for the baseline, the
               reform and the change, with standard errors and confidence intervals (``side``: baseline / reform
               / change)
``poverty``    FGT(0), persons in poverty, FGT(1), FGT(2), with CIs
``inequality`` Gini, Theil, Palma, S80/S20 and mean welfare per capita, with CIs (Theil, Palma and S80/S20 only
               with replicate weights)
``cost``       cost and beneficiaries of each programme paying anything, and of all of them (``total``)
``deciles``    gains and losses by decile of baseline welfare (``distribution_table``), with CIs of the gains
``coverage``   share of each population group living in a household receiving a cash transfer
``targeting``  inclusion and exclusion errors, leakage, against the poor at baseline
``by_group``   poverty before and after, its change, the mean gain and the share of winners by population group
``parameters`` parameters changed by the reform: path, old → new value, dates, reference of the old value
``curves``     Lorenz curves of welfare per scenario and concentration curves of each programme's benefits by
               rank in baseline welfare, at every percentile (``curves.py``)
=============  ==============================================================================================

Rates are fractions in the tables, their changes differences of fractions; the ``unit`` column of ``headline``,
``poverty`` and ``inequality`` is the unit the figure is *shown* in (``% of persons``: the workbook, HTML report
and terminal show levels in % and changes in percentage points), and ``value_unit`` says what the numbers of the
row are (:func:`value_unit`).

A **baseline-only run** (``reform`` None: the "diagnostic" step of an ABND, current law alone) has the baseline
side only: headline, poverty, inequality (levels with CIs), cost, coverage, targeting and by_group (persons,
poverty and mean welfare per group); no ``deciles`` (gains) and no ``parameters`` (nothing changed).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
import json
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata

import numpy as np
import pandas as pd

from floorsim.indicators import IndicatorError
from floorsim.simulations.analysis import (
    Contingency,
    cost_table,
    coverage_table,
    distribution_estimates,
    distribution_table,
    targeting_table,
)
from floorsim.simulations.analysis.compact import PERSONS, Collapse, compact_frame
from floorsim.simulations.analysis.errors import AnalysisError
from floorsim.simulations.analysis.frame import weights_of, welfare_of
from floorsim.simulations.analysis.unknown_members import with_unknown_age_sex
from floorsim.simulations.analysis.headline import active_programmes, shown_figures, statistic_line
from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.engine.results import Results
from floorsim.simulations.reports.curves import curves_table
from floorsim.simulations.reports.estimates import estimate_tables
from floorsim.simulations.reports.groups import by_group_table, population_groups, row_shares
from floorsim.simulations.reports.labels import Labels, get_labels
from floorsim.simulations.reports.method import method_notes
from floorsim.simulations.reports.numbers import format_parameter_value, format_unit
from floorsim.simulations.reports.sampling import (DEFAULT_REPLICATES, Uncertainty, household_uncertainty,
                                                   survey_uncertainty)
from floorsim.simulations.reports.summary import summary_document, year_facts

BASELINE = "baseline"
TABLE_NAMES = ("headline", "poverty", "inequality", "cost", "deciles", "coverage", "targeting", "by_group",
               "parameters", "curves")
# Tables that only a comparison with a reform has (gains by decile, parameters changed).
REFORM_ONLY_TABLES = ("deciles", "parameters")
__all__ = ["DEFAULT_REPLICATES", "TABLE_NAMES", "ReportData", "build_report", "flatten", "parameters_table"]


@dataclass
class ReportData:
    """Everything the writers need, and nothing of how it was computed.

    Attributes:
        reform: the reform's scenario name; None for a baseline-only run (current law alone).
        tables: ``{name: tidy DataFrame}`` (``TABLE_NAMES``).
        summary: the content of ``summary.json`` (headline figures and provenance).
        context: what was simulated (country, year, currency, reform label and description, survey...).
        method: paragraphs of the method section (welfare, poverty line and prices, take-up, uncertainty).
        kinds: how each headline indicator is formatted (``money``, ``count``, ``rate``, ``index``).
        labels: the labels of the report's language.
    """

    reform: str | None
    tables: dict[str, pd.DataFrame]
    summary: dict
    context: dict
    method: list[str]
    kinds: dict[str, str]
    labels: Labels = field(default_factory=Labels)

    @property
    def baseline_only(self) -> bool:
        """Whether the report shows current law alone (no reform)."""
        return self.reform is None

    @property
    def scenario_sides(self) -> tuple[str, ...]:
        """The scenario levels shown: ``("baseline",)`` or ``("baseline", "reform")``."""
        return ("baseline",) if self.baseline_only else ("baseline", "reform")

    @property
    def title(self) -> str:
        """The report's title: the comparison, or current law alone."""
        context = self.context
        if self.baseline_only:
            return self.labels.text("title.baseline_only", country=context["country"], year=context["year"])
        return self.labels.text("title.comparison", country=context["country"], year=context["year"],
                                reform=self.reform)

    def label(self, key: str, **values: object) -> str:
        """The label ``key``, or its ``<key>_baseline`` variant in a baseline-only report (texts that speak of a
        reform have one)."""
        return self.labels.text(f"{key}_baseline" if self.baseline_only else key, **values)

    @property
    def sides(self) -> tuple[str, ...]:
        """The columns of estimate tables: the scenario levels, and the change when there is a reform."""
        return self.scenario_sides if self.baseline_only else (*self.scenario_sides, "change")


def parameters_table(results: Results, reform: str, labels: Labels | None = None) -> pd.DataFrame:
    """Parameters changed by the reform: path, description, unit, old → new value, dates, reference of the old value.

    Presents what the engine recorded when it applied the reform (``run_info["parameter_changes"]``): old values
    are those in force on the date each new value takes effect; a Python (structural) reform step is listed by its
    class.
    """
    rows = []
    for step in results.run_info.get("parameter_changes", {}).get(reform, []):
        if step["kind"] == "python_reform":
            rows.append({"reform_step": step["label"], "kind": "python_reform", "parameter": step["step"],
                         "description": step["description"], "unit": "", "old_value": "", "new_value": "",
                         "start": "", "stop": "", "reference": "", "reference_url": ""})
            continue
        for change in step["changes"]:
            references = change["old_references"]
            rows.append(
                {
                    "reform_step": step["step"],
                    "kind": "parameter",
                    "parameter": change["parameter"],
                    "description": change["description"],
                    "unit": format_unit(change["unit"]),
                    "old_value": format_parameter_value(change["old_value"], labels),
                    "new_value": format_parameter_value(change["new_value"], labels),
                    "start": change["start"],
                    "stop": change["stop"] or "",
                    "reference": "; ".join(reference["title"] for reference in references),
                    "reference_url": next((reference["href"] for reference in references if reference["href"]), ""),
                }
            )
    columns = ["reform_step", "kind", "parameter", "description", "unit", "old_value", "new_value", "start", "stop",
               "reference", "reference_url"]
    return pd.DataFrame.from_records(rows, columns=columns).astype(str)


def _reform_description(results: Results, reform: str | None, labels: Labels | None = None) -> tuple[str, str]:
    if reform is None:
        return (labels or Labels())["text.baseline_only_label"], ""
    steps = results.run_info.get("parameter_changes", {}).get(reform, [])
    specs = [step for step in steps if step["kind"] == "parameters"]
    label = " + ".join(step["label"] or step["step"] for step in specs) if specs else reform
    description = " ".join(" ".join(step["description"].split()) for step in specs if step["description"])
    return label, description


def _estimates_wide(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``indicator`` rows → ``<indicator>_se``, ``_ci_low``, ``_ci_high`` columns."""
    indicators = list(dict.fromkeys(table["indicator"]))
    wide = table.pivot_table(index=keys, columns="indicator", values=["se", "ci_low", "ci_high"], aggfunc="first",
                             dropna=False)
    wide.columns = [f"{indicator}_{what}" for what, indicator in wide.columns]
    ordered = [f"{indicator}_{what}" for indicator in indicators for what in ("se", "ci_low", "ci_high")]
    return wide[ordered].reset_index()


def build_report(
    results: Results,
    reform: str | None,
    *,
    frame: pd.DataFrame | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    language: str = "en",
    uncertainty=None,
    only: tuple[str, ...] | None = None,
) -> ReportData:
    """All tables of the report comparing ``reform`` with the baseline, or of the baseline alone.

    Args:
        results: an in-memory run with a ``baseline`` scenario and ``reform``.
        reform: the reform scenario's name; None for a baseline-only report (current law: poverty, inequality,
            cost and coverage of today's programmes, with confidence intervals).
        frame: ``results.person_frame()`` if already built (it is reused across reforms), or the run's compact
            frame (``results.compact_frame()``, one row per household: a streamed run has no person frame), on
            which every table is the same (tested), the population groups counting members of each household.
        replicates: Rao–Wu bootstrap replicates for standard errors; 0 for Taylor linearisation.
        seed: seed of the replicates (default: the run's seed).
        language: labels' language (``labels.LABELS``).
        only: build these of ``coverage``, ``targeting`` and ``curves`` only (the web app's page shows none of
            them; its downloads build the whole report). Default: all tables.
    """
    labels = get_labels(language)
    wanted = set(TABLE_NAMES if only is None else only)
    scenarios = [BASELINE] if reform is None else [BASELINE, reform]
    seed = results.run_info.get("seed", 0) if seed is None else seed
    if frame is None:  # else given by the caller, with its uncertainty, once for every reform (outputs.write_outputs)
        frame, uncertainty = report_frame(results, [reform], replicates, seed)
    frame = with_unknown_age_sex(frame, results.survey)
    if uncertainty is None:
        uncertainty = (household_uncertainty if PERSONS in frame.columns else survey_uncertainty)(
            frame, replicates, seed, _survey_of(results))
    summary = summary_document(results, reform, labels)
    summary["uncertainty"] = uncertainty.description
    comparison = summary["headline"]
    programmes = active_programmes(comparison, list(results.spec.programmes)) or list(results.spec.programmes)
    replicated = uncertainty.replicates is not None
    # persons collapsed to households once for the estimate, decile and by-group tables (analysis.compact)
    collapsed = _collapsed(frame)
    tables = estimate_tables(results, frame, reform, comparison, uncertainty, labels, collapsed)

    labels_of = {key: results.spec.programmes[key].label for key in programmes} | {"total": labels["group.total"]}
    cost = cost_table(frame, scenarios, programmes)
    cost.insert(0, "side", np.where(cost["scenario"] == BASELINE, "baseline", "reform"))
    cost.insert(3, "programme_label", cost["programme"].map(labels_of))
    tables["cost"] = cost.drop(columns=["cost_share_gdp", "cost_share_expenditure"])

    if reform is not None:
        tables["deciles"] = _deciles(frame, reform, programmes, uncertainty, collapsed)

    weights = weights_of(frame)
    base_welfare = welfare_of(frame, BASELINE)
    poor = base_welfare < float(results.poverty_line)
    groups = population_groups(frame, poor, labels)
    if "coverage" in wanted:
        contingencies = [Contingency(str(i), lambda f, m=row_shares(frame, g): m, None, "household")
                         for i, g in enumerate(groups)]
        coverage = coverage_table(frame, scenarios, programmes, contingencies)
        index = coverage["contingency"].astype(int)
        coverage.insert(0, "side", np.where(coverage["scenario"] == BASELINE, "baseline", "reform"))
        coverage.insert(2, "group_variable", [groups[i].variable for i in index])
        coverage.insert(3, "group", [groups[i].value for i in index])
        coverage.insert(4, "group_label", [groups[i].label for i in index])
        tables["coverage"] = coverage.drop(columns="contingency")

    if "targeting" in wanted:
        targeting = targeting_table(frame, scenarios, programmes, poor, receipt="household", collapsed=collapsed)
        targeting.insert(0, "side", np.where(targeting["scenario"] == BASELINE, "baseline", "reform"))
        targeting.insert(3, "programme_label", targeting["programme"].map(labels_of))
        tables["targeting"] = targeting

    line = statistic_line(results, frame)
    reform_welfare = None if reform is None else welfare_of(frame, reform)
    tables["by_group"] = by_group_table(frame, groups, base_welfare, reform_welfare, line, uncertainty, collapsed)

    if reform is not None:
        tables["parameters"] = parameters_table(results, reform, labels)
    if "curves" in wanted:
        tables["curves"] = curves_table(frame, scenarios, programmes, collapsed=collapsed)
    for name in ("headline", "poverty", "inequality"):
        tables[name] = with_value_units(tables[name], labels)
    tables = {name: _plain(table) for name, table in tables.items()}

    reform_label, description = _reform_description(results, reform, labels)
    meta = results.metadata
    context = {
        "country": results.spec.label,
        "country_key": results.spec.name,
        "year": results.year,
        "currency": results.spec.currency,
        "reform": reform,
        "reform_label": reform_label,
        "reform_description": description,
        "survey": meta.name,
        "synthetic": bool(meta.synthetic),
        "households": len(results.households["household_id"]),
        "persons": int(results.households["size"].sum()),
        "population": float(weights.sum()),
        "reference_year": results.provenance.get("survey", {}).get("reference_year", meta.reference_year),
        "welfare_concept": meta.welfare_concept,
        "poverty_line": float(results.poverty_line),
        "year_facts": year_facts(results.provenance, results.spec.currency, labels),
        "programmes": {key: results.spec.programmes[key].label for key in programmes},
        "replicates": uncertainty.replicates.n_sets if replicated else 0,
        "floorsim_version": _version(),
        "generated": datetime.date.today().isoformat(),
    }
    method = method_notes(results, uncertainty, programmes, labels)
    headline_kinds = {figure.key: figure.kind for figure in shown_figures(results.spec, comparison)}
    return ReportData(reform, tables, summary, context, method, headline_kinds, labels)


def report_frame(results: Results, reforms: Sequence[str | None], replicates: int, seed: int,
                 phases: Phases | None = None) -> tuple[pd.DataFrame, Uncertainty]:
    """The frame every table of the reports is computed on, and the design with its replicate weights (one for
    every reform: drawing and re-calibrating them is costly).

    The compact frame, one row per household (``Results.compact_frame``, built from the household results: a
    streamed run has no persons in memory), and the design of its households
    (``sampling.household_uncertainty``): every table equals the person frame's to rounding (tested), on H rows
    instead of n. The person frame only for the linearised variance of a relative poverty line in an in-memory run
    (the median's kernel density counts rows, so households give a slightly different standard error); its
    replicates are drawn from its design columns before the frame exists (their peaks of memory do not add up)."""
    phases = phases or Phases()
    scenarios = [BASELINE, *(reform for reform in reforms if reform is not None)]
    title = f"uncertainty ({replicates} replicates)" if replicates else "uncertainty (design)"
    relative_line = results.spec.poverty_line.share_of_median is not None
    if results.survey is None or replicates > 0 or not relative_line:
        with phases.phase("household frame"):
            frame = results.compact_frame(scenarios)
        with phases.phase(title):
            uncertainty = household_uncertainty(frame, replicates, seed, _survey_of(results))
        return frame, uncertainty
    with phases.phase(title):
        uncertainty = survey_uncertainty(results.design_frame(), replicates, seed, results.survey)
    with phases.phase("person frame"):
        frame = results.person_frame(scenarios)
    return frame, uncertainty


def _survey_of(results: Results):
    """The run's survey: in memory, or streamed (``Results.streamed``); what the replicates are re-calibrated with."""
    return results.survey if results.survey is not None else results.streamed


def _collapsed(frame: pd.DataFrame) -> Collapse | None:
    """The person frame's compact frame (``analysis.compact``), or None when members differ in weight or welfare
    (then every table keeps the person frame); a compact frame (``Results.compact_frame``: a streamed run's) is
    its own, each row its own household."""
    if PERSONS in frame.columns:
        return frame, np.arange(len(frame))
    try:
        return compact_frame(frame)
    except (AnalysisError, IndicatorError):
        return None


def _deciles(frame: pd.DataFrame, reform: str, programmes: list[str], uncertainty,
             collapsed: Collapse | None = None) -> pd.DataFrame:
    """Gains and losses by decile of baseline welfare, with CIs of the gains (``distribution_table``).

    On the compact frame when there is one: every figure is a weighted sum of values constant within the household
    (or of the per-person mean of its amounts, weight w_h n_h), so the table equals the person frame's to rounding
    (tested) on H rows instead of n (at a million persons: 0.3 s and 140 MB less)."""
    deciles = distribution_table(frame if collapsed is None else collapsed[0], BASELINE, [reform], programmes)
    deciles["decile"] = deciles["decile"].astype(str)
    try:
        errors = distribution_estimates(frame, BASELINE, [reform], **uncertainty.variance, collapsed=collapsed)
    except (ZeroDivisionError, IndicatorError):
        # A decile without anybody (a survey of a few households) has no linearised variance: no intervals.
        errors = pd.DataFrame(
            [{"scenario": reform, "decile": decile, "indicator": indicator, "se": np.nan, "ci_low": np.nan,
              "ci_high": np.nan} for decile in deciles["decile"]
             for indicator in ("mean_gain", "relative_gain", "winners", "losers")]
        )
    errors = _estimates_wide(errors, ["scenario", "decile"])
    return deciles.merge(errors, on=["scenario", "decile"], how="left")


def value_unit(kind: str, unit: str, labels: Labels | None = None) -> str:
    """The unit of the raw numbers of an estimate table's row, in ``labels``' language: rates are fractions (the
    ``unit`` column says how they are shown: in %, their changes in percentage points; label ``value_unit.rate``),
    other figures are in their ``unit``."""
    if kind == "rate":
        return (labels or Labels()).text("value_unit.rate", unit=unit)
    return unit


def with_value_units(table: pd.DataFrame, labels: Labels | None = None) -> pd.DataFrame:
    """An estimate table with ``value_unit`` after ``unit`` (:func:`value_unit`)."""
    table = table.copy()
    table.insert(table.columns.get_loc("unit") + 1, "value_unit",
                 [value_unit(kind, unit, labels) for kind, unit in zip(table["kind"], table["unit"], strict=True)])
    return table


def flatten(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts and lists (e.g. the provenance record) as ``(dotted key, text)`` rows."""
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            rows += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return rows or [(prefix, "")]
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        rows = []
        for index, item in enumerate(value):
            rows += flatten(item, f"{prefix}[{index}]")
        return rows or [(prefix, "")]
    if isinstance(value, list):
        return [(prefix, ", ".join(str(item) for item in value))]
    return [(prefix, "" if value is None else (json.dumps(value) if isinstance(value, bool) else str(value)))]


def _version() -> str:
    try:
        return importlib_metadata.version("floorsim")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Plain column types (no categoricals, no pandas string or boolean extension types), so that CSV and Parquet
    hold the same table and read back equal."""
    table = table.reset_index(drop=True).copy()
    for column in table.columns:
        series = table[column]
        if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype):
            table[column] = series.astype(object).where(series.notna(), "").astype(str)
        elif pd.api.types.is_bool_dtype(series.dtype):
            table[column] = series.astype(bool)
    return table
