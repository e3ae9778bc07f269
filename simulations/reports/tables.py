"""The tables of a report: a run's results → named tidy DataFrames (and the context the writers print around them).

Every figure comes from ``simulations.analysis`` (cost, distribution by decile, coverage, targeting, design-based
uncertainty) and ``indicators`` statistics; nothing is computed twice or differently here. Tables hold
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
=============  ==============================================================================================
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd

from simulations.analysis import (
    Contingency,
    attribute_household_amounts,
    by_group_estimates,
    cost_table,
    coverage_table,
    distribution_estimates,
    distribution_table,
    scenario_estimates,
    targeting_table,
)
from simulations.analysis.frame import amounts_of, design_from_frame, weights_of, welfare_of
from indicators import (
    FGT,
    Generic,
    Gini,
    IndicatorError,
    Mean,
    Proportion,
    RelativeLine,
    ReplicateWeights,
    Statistic,
    SurveyDesign,
    Total,
    generalized_entropy,
    palma,
    quintile_share_ratio,
    rao_wu_bootstrap,
)
from simulations.reports.labels import Labels, format_number, get_labels
from simulations.reports.summary import headline_rows, summary_document
from simulations.explain.parameter_text import format_parameter_value, format_unit
from simulations.engine.results import AGE_GROUP_LABELS, Results

BASELINE = "baseline"
DEFAULT_REPLICATES = 200
TABLE_NAMES = ("headline", "poverty", "inequality", "cost", "deciles", "coverage", "targeting", "by_group", "parameters")
POVERTY_INDICATORS = ("poverty_headcount", "poor_persons", "poverty_gap", "squared_poverty_gap")
INEQUALITY_INDICATORS = ("gini", "theil", "palma", "s80_s20", "mean_welfare")
REPLICATE_ONLY = ("theil", "palma", "s80_s20")  # no linearisation: replicate weights only
SIDES = ("baseline", "reform", "change")
ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "level", "method", "replicates"]


@dataclass
class ReportData:
    """Everything the writers need, and nothing of how it was computed.

    Attributes:
        reform: the reform's scenario name.
        tables: ``{name: tidy DataFrame}`` (``TABLE_NAMES``).
        summary: the content of ``summary.json`` (headline figures and provenance).
        context: what was simulated (country, year, currency, reform label and description, survey...).
        method: paragraphs of the method section (welfare, poverty line and prices, take-up, uncertainty).
        kinds: how each headline indicator is formatted (``money``, ``count``, ``rate``, ``index``).
        labels: the labels of the report's language.
    """

    reform: str
    tables: dict[str, pd.DataFrame]
    summary: dict
    context: dict
    method: list[str]
    kinds: dict[str, str]
    labels: Labels = field(default_factory=Labels)


# ----- sampling design -----


@dataclass(frozen=True)
class Uncertainty:
    """The design and (optionally) replicate weights used for every standard error of a report."""

    design: SurveyDesign
    replicates: ReplicateWeights | None
    strata: int
    psus: int
    lonely_strata: int
    lonely_rule: str
    seed: int

    @property
    def variance(self) -> dict:
        """Keyword arguments of the analysis layer's estimators."""
        return {"replicates": self.replicates} if self.replicates is not None else {"design": self.design}


def survey_uncertainty(frame: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = 0) -> Uncertainty:
    """The frame's design (``stratum``, ``psu``, else households as PSUs) and ``replicates`` Rao–Wu bootstrap
    replicates (0: Taylor linearisation). Strata with a single PSU are pooled into one pseudo-stratum when there
    are two or more of them, and treated as certainty units when there is one (``survey_uncertainty`` never
    refuses a survey; the method section says what was done)."""
    if replicates < 0:
        raise ValueError(f"replicates must be 0 (linearisation) or more; got {replicates}")
    psu = frame["psu"] if "psu" in frame.columns else frame["household_id"]
    stratum = frame["stratum"] if "stratum" in frame.columns else pd.Series(0, index=frame.index)
    per_stratum = pd.DataFrame({"stratum": stratum.to_numpy(), "psu": psu.to_numpy()}).drop_duplicates()
    counts = per_stratum.groupby("stratum").size()
    lonely = int((counts == 1).sum())
    rule = "raise" if lonely == 0 else ("pool" if lonely >= 2 else "certainty")
    design = design_from_frame(frame, rule)
    weights = rao_wu_bootstrap(design, replicates, seed) if replicates > 0 else None
    return Uncertainty(design, weights, int(counts.size), len(per_stratum), lonely, rule, seed)


# ----- statistics -----


def _poverty_line(results: Results, frame: pd.DataFrame) -> float | Statistic:
    """The run's line: a number (national line) or the relative line re-estimated in every replicate."""
    share = results.spec.poverty_line.share_of_median
    if share is None:
        return float(results.poverty_line)
    return RelativeLine(welfare_of(frame, BASELINE), share, "median")


def _household_share(frame: pd.DataFrame) -> np.ndarray:
    """hw_h / Σ_{j in h} w_j for each person: Σ_i w_i × share_i × 1[...] counts households, not persons."""
    codes, _ = pd.factorize(frame["household_id"], sort=False)
    w = weights_of(frame)
    household_weight = frame["household_weight"].to_numpy(np.float64) if "household_weight" in frame else w
    members = np.bincount(codes, weights=w)
    return household_weight / members[codes]


def _transfers(results: Results, frame: pd.DataFrame, scenario: str) -> np.ndarray:
    """The household total of every transfer (the country's ``transfers_variable``, the headline ``total_cost``)
    attributed to persons so that person-weighted totals equal household-weighted ones."""
    amounts = results.scenario(scenario).household[results.spec.transfers_variable]
    return attribute_household_amounts(
        amounts, results.households["household_id"], frame["household_id"].to_numpy(), weights_of(frame),
        results.households["weight"],
    )


def headline_statistics(
    results: Results, frame: pd.DataFrame, scenario: str, line: float | Statistic, replicated: bool
) -> dict[str, Statistic]:
    """The figures of ``Results.headline`` (same keys) and the inequality measures, as statistics."""
    y = welfare_of(frame, scenario)
    programmes = list(results.spec.programmes)
    amounts = amounts_of(frame, programmes, scenario)
    share = _household_share(frame)
    stats: dict[str, Statistic] = {}
    for k, key in enumerate(programmes):
        receives = amounts[:, k] > 0
        stats[f"{key}_cost"] = Total(amounts[:, k])
        if results.spec.programmes[key].entity == "person":
            stats[f"{key}_beneficiaries"] = Total(receives.astype(np.float64))
        else:
            stats[f"{key}_beneficiaries"] = Total(receives * share)
    stats["total_cost"] = Total(_transfers(results, frame, scenario))
    stats["poverty_headcount"] = FGT(y, line, 0)
    if isinstance(line, Statistic):
        stats["poor_persons"] = FGT(y, line, 0) * float(weights_of(frame).sum())
    else:
        stats["poor_persons"] = Total((y < line).astype(np.float64))
    stats["poverty_gap"] = FGT(y, line, 1)
    stats["squared_poverty_gap"] = FGT(y, line, 2)
    stats["gini"] = Gini(y)
    stats["mean_welfare"] = Mean(y)
    if replicated:
        stats["theil"] = Generic(generalized_entropy, y, alpha=1.0, nonpositive="drop", label="theil")
        stats["palma"] = Generic(palma, y, label="palma")
        stats["s80_s20"] = Generic(quintile_share_ratio, y, label="s80_s20")
    return stats


def _with_sides(table: pd.DataFrame, reform: str) -> pd.DataFrame:
    """``side``: baseline, reform (levels) or change (reform − baseline)."""
    side = np.where(table["measure"] == "change", "change", np.where(table["scenario"] == BASELINE, "baseline", "reform"))
    table = table.copy()
    table.insert(table.columns.get_loc("scenario"), "side", side)
    table["replicates"] = table["replicates"].fillna(0).astype(int)
    return table


def _defined(function, *arguments, **keywords) -> float:
    """The indicator, or nan where it is undefined (e.g. an empty top quintile in a tiny sample)."""
    try:
        return float(function(*arguments, **keywords))
    except IndicatorError:
        return float("nan")


def _point_only(results: Results, frame: pd.DataFrame, reform: str, line: float | Statistic) -> pd.DataFrame:
    """Theil, Palma and S80/S20 without standard errors (linearisation has none for them)."""
    weights = weights_of(frame)
    rows = []
    values = {}
    for scenario in (BASELINE, reform):
        y = welfare_of(frame, scenario)
        values[scenario] = {
            "theil": _defined(generalized_entropy, y, weights, 1.0, nonpositive="drop"),
            "palma": _defined(palma, y, weights),
            "s80_s20": _defined(quintile_share_ratio, y, weights),
        }
    for indicator in REPLICATE_ONLY:
        for scenario, measure, value in (
            (BASELINE, "level", values[BASELINE][indicator]),
            (reform, "level", values[reform][indicator]),
            (reform, "change", values[reform][indicator] - values[BASELINE][indicator]),
        ):
            rows.append({"indicator": indicator, "scenario": scenario, "measure": measure, "estimate": value,
                         "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "level": 0.95, "method": "none",
                         "replicates": 0})
    return pd.DataFrame.from_records(rows)


# ----- the tables -----


def _labelled(table: pd.DataFrame, labels: dict[str, str], units: dict[str, str], kinds: dict[str, str]) -> pd.DataFrame:
    table = table.copy()
    table.insert(1, "label", table["indicator"].map(labels))
    table.insert(2, "unit", table["indicator"].map(units))
    table.insert(3, "kind", table["indicator"].map(kinds))
    return table


def indicator_texts(results: Results, labels: Labels) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Label, unit (of the raw figure) and display kind of every estimated indicator."""
    currency = results.spec.currency
    text, unit, kind = {}, {}, {}
    for key, programme in results.spec.programmes.items():
        text[f"{key}_cost"] = labels.text("indicator.programme_cost", programme=programme.label)
        unit[f"{key}_cost"] = labels.text("unit.money_year", currency=currency)
        kind[f"{key}_cost"] = "money"
        text[f"{key}_beneficiaries"] = labels.text("indicator.programme_beneficiaries", programme=programme.label)
        unit[f"{key}_beneficiaries"] = labels["unit.persons" if programme.entity == "person" else "unit.households"]
        kind[f"{key}_beneficiaries"] = "count"
    fixed = {
        "total_cost": ("unit.money_year", "money"),
        "poverty_headcount": ("unit.share_persons", "rate"),
        "poor_persons": ("unit.persons", "count"),
        "poverty_gap": ("unit.share_line", "rate"),
        "squared_poverty_gap": ("unit.share_line", "rate"),
        "gini": ("unit.index", "index"),
        "theil": ("unit.index", "index"),
        "palma": ("unit.ratio", "ratio"),
        "s80_s20": ("unit.ratio", "ratio"),
        "mean_welfare": ("unit.money_month", "money_month"),
    }
    for key, (unit_key, display) in fixed.items():
        text[key] = labels[f"indicator.{key}"]
        unit[key] = labels.text(unit_key, currency=currency)
        kind[key] = display
    return text, unit, kind


def active_programmes(comparison: Mapping[str, Mapping[str, float]], programmes: Sequence[str]) -> list[str]:
    """Programmes paying anything in the baseline or the reform (all of them if none does)."""
    active = [p for p in programmes if any(comparison[f"{p}_cost"][side] for side in ("baseline", "reform"))]
    return active or list(programmes)


@dataclass(frozen=True)
class PopulationGroup:
    variable: str
    value: str
    label: str
    mask: np.ndarray


def population_groups(frame: pd.DataFrame, poor: np.ndarray, labels: Labels, include_poor: bool = True) -> list[PopulationGroup]:
    """Everybody, the poor at baseline, age groups, sex, urban/rural and regions present in the frame."""
    n = len(frame)
    groups = [PopulationGroup("all", "all", labels["group.all"], np.ones(n, dtype=bool))]
    if include_poor:
        groups.append(PopulationGroup("poor", "poor", labels["group.poor"], poor))
    if "age_group" in frame:
        values = frame["age_group"].astype(str).to_numpy()
        for value in [v for v in AGE_GROUP_LABELS if v in set(values)]:
            groups.append(PopulationGroup("age_group", value, labels.text("group.age", value=value), values == value))
    if "sex" in frame:
        values = frame["sex"].astype(str).to_numpy()
        for value in sorted(set(values)):
            label = labels[f"group.{value}"] if value in ("female", "male") else value
            groups.append(PopulationGroup("sex", value, label, values == value))
    if "urban" in frame:
        values = frame["urban"].astype(bool).to_numpy()
        for flag, name in ((True, "urban"), (False, "rural")):
            if (values == flag).any():
                groups.append(PopulationGroup("area", name, labels[f"group.{name}"], values == flag))
    if "region" in frame:
        values = frame["region"].astype(str).to_numpy()
        for value in sorted(set(values)):
            groups.append(PopulationGroup("region", value, value, values == value))
    return groups


def _group_frame(frame: pd.DataFrame, groups: list[PopulationGroup]) -> tuple[pd.DataFrame, list[str]]:
    """A copy of the frame with one string column per grouping variable (``_group_<variable>``)."""
    work = frame.copy()
    variables: list[str] = []
    for group in groups:
        column = f"_group_{group.variable}"
        if column not in work:
            work[column] = pd.array([pd.NA] * len(work), dtype="string")
            variables.append(group.variable)
        work.loc[group.mask, column] = group.value
    return work, variables


def parameters_table(results: Results, reform: str) -> pd.DataFrame:
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
                    "old_value": format_parameter_value(change["old_value"]),
                    "new_value": format_parameter_value(change["new_value"]),
                    "start": change["start"],
                    "stop": change["stop"] or "",
                    "reference": "; ".join(reference["title"] for reference in references),
                    "reference_url": next((reference["href"] for reference in references if reference["href"]), ""),
                }
            )
    columns = ["reform_step", "kind", "parameter", "description", "unit", "old_value", "new_value", "start", "stop",
               "reference", "reference_url"]
    return pd.DataFrame.from_records(rows, columns=columns).astype(str)


def _reform_description(results: Results, reform: str) -> tuple[str, str]:
    steps = results.run_info.get("parameter_changes", {}).get(reform, [])
    specs = [step for step in steps if step["kind"] == "parameters"]
    label = " + ".join(step["label"] or step["step"] for step in specs) if specs else reform
    description = " ".join(" ".join(step["description"].split()) for step in specs if step["description"])
    return label, description


def _take_up(results: Results, programmes: Sequence[str]) -> list[tuple[str, float, str]]:
    from simulations.engine.countries import PACKAGES_DIR
    from simulations.engine.reforms import find_parameter
    from simulations.engine.scenarios import baseline_system

    spec = results.spec
    listed = [(key, spec.programmes[key]) for key in programmes if spec.programmes[key].take_up]
    if not listed:
        return []
    shipped = spec.folder is not None and spec.folder.parent == PACKAGES_DIR
    country = spec.name if shipped or spec.folder is None else str(spec.folder / "floorsim.yaml")
    parameters = baseline_system(country).parameters
    return [
        (programme.label, float(find_parameter(parameters, programme.take_up)(f"{results.year}-01-01")), programme.take_up)
        for _, programme in listed
    ]


def method_notes(results: Results, uncertainty: Uncertainty, programmes: Sequence[str], labels: Labels) -> list[str]:
    """The method section: welfare concept, poverty line and price uprating, take-up, uncertainty."""
    meta, spec = results.metadata, results.spec
    prices = results.prices
    notes = [
        labels.text(
            "method.welfare", welfare_concept=meta.welfare_concept, welfare_definition=meta.welfare_definition or "-",
            year=results.year,
        )
    ]
    line = format_number(results.poverty_line, "money_month", labels)
    if spec.poverty_line.share_of_median is None:
        notes.append(
            labels.text(
                "method.poverty_line_national", base_value=prices.poverty_line_base_value, currency=spec.currency,
                base_date=prices.poverty_line_base_date, year=results.year, line=line,
                reference_year=meta.reference_year, uprating=f"{prices.consumption_uprating:.4f}",
            )
        )
    else:
        notes.append(
            labels.text("method.poverty_line_relative", share=f"{spec.poverty_line.share_of_median:.0%}", line=line,
                        currency=spec.currency)
        )
    if prices.notes:
        notes.append(labels.text("method.price_notes", notes="; ".join(prices.notes)))
    take_up = _take_up(results, programmes)
    if take_up:
        items = ", ".join(
            labels.text("method.take_up_item", programme=name, rate=f"{rate:.0%}", parameter=parameter)
            for name, rate, parameter in take_up
        )
        notes.append(labels.text("method.take_up", programmes=items, seed=results.run_info.get("seed", 0)))
    else:
        notes.append(labels["method.take_up_none"])
    if uncertainty.replicates is not None:
        notes.append(
            labels.text("method.uncertainty_replicates", replicates=uncertainty.replicates.n_sets,
                        strata=uncertainty.strata, psus=uncertainty.psus, seed=uncertainty.seed)
        )
    else:
        notes.append(labels.text("method.uncertainty_linearization", strata=uncertainty.strata, psus=uncertainty.psus))
    if uncertainty.lonely_strata:
        notes.append(
            labels.text("method.lonely_psu", count=uncertainty.lonely_strata,
                        treatment=labels[f"method.lonely_psu.{uncertainty.lonely_rule}"])
        )
    notes.append(labels["method.indicators"])
    return notes


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
    reform: str,
    *,
    survey_path: str | Path | None = None,
    frame: pd.DataFrame | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    language: str = "en",
) -> ReportData:
    """All tables of the report comparing ``reform`` with the baseline.

    Args:
        results: an in-memory run with a ``baseline`` scenario and ``reform``.
        reform: the reform scenario's name.
        survey_path: the survey folder (for the provenance's file hash).
        frame: ``results.person_frame()`` if already built (it is reused across reforms).
        replicates: Rao–Wu bootstrap replicates for standard errors; 0 for Taylor linearisation.
        seed: seed of the replicates (default: the run's seed).
        language: labels' language (``labels.LABELS``).
    """
    labels = get_labels(language)
    if frame is None:
        frame = results.person_frame()
    seed = results.run_info.get("seed", 0) if seed is None else seed
    uncertainty = survey_uncertainty(frame, replicates, seed)
    summary = summary_document(results, reform, survey_path)
    comparison = summary["headline"]
    programmes = active_programmes(comparison, list(results.spec.programmes))
    line = _poverty_line(results, frame)
    replicated = uncertainty.replicates is not None
    texts, units, kinds = indicator_texts(results, labels)

    estimates = scenario_estimates(
        frame, BASELINE, [reform], lambda s: headline_statistics(results, frame, s, line, replicated),
        **uncertainty.variance,
    )
    if not replicated:
        estimates = pd.concat([estimates, _point_only(results, frame, reform, line)], ignore_index=True)
    estimates = _labelled(_with_sides(estimates, reform), texts, units, kinds)
    estimates["_indicator"] = estimates["indicator"].map({key: i for i, key in enumerate(texts)})
    estimates["_side"] = estimates["side"].map({side: i for i, side in enumerate(SIDES)})
    estimates = estimates.sort_values(["_indicator", "_side"]).drop(columns=["_indicator", "_side"])

    headline_keys = [row.key for row in headline_rows(results, comparison)]
    tables: dict[str, pd.DataFrame] = {}
    headline = estimates[estimates["indicator"].isin(headline_keys)].copy()
    headline["indicator"] = pd.Categorical(headline["indicator"], headline_keys, ordered=True)
    headline = headline.sort_values(["indicator"], kind="stable")
    headline["indicator"] = headline["indicator"].astype(str)
    tables["headline"] = headline.reset_index(drop=True)
    for name, keys in (("poverty", POVERTY_INDICATORS), ("inequality", INEQUALITY_INDICATORS)):
        part = estimates[estimates["indicator"].isin(keys)].copy()
        part["_order"] = part["indicator"].map({k: i for i, k in enumerate(keys)})
        tables[name] = part.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)

    labels_of = {key: results.spec.programmes[key].label for key in programmes} | {"total": labels["group.total"]}
    cost = cost_table(frame, [BASELINE, reform], programmes)
    cost.insert(0, "side", np.where(cost["scenario"] == BASELINE, "baseline", "reform"))
    cost.insert(3, "programme_label", cost["programme"].map(labels_of))
    tables["cost"] = cost.drop(columns=["cost_share_gdp", "cost_share_expenditure"])

    deciles = distribution_table(frame, BASELINE, [reform], programmes)
    deciles["decile"] = deciles["decile"].astype(str)
    try:
        errors = distribution_estimates(frame, BASELINE, [reform], **uncertainty.variance)
    except (ZeroDivisionError, IndicatorError):
        # A decile without anybody (a survey of a few households) has no linearised variance: no intervals.
        errors = pd.DataFrame(
            [{"scenario": reform, "decile": decile, "indicator": indicator, "se": np.nan, "ci_low": np.nan,
              "ci_high": np.nan} for decile in deciles["decile"]
             for indicator in ("mean_gain", "relative_gain", "winners", "losers")]
        )
    errors = _estimates_wide(errors, ["scenario", "decile"])
    deciles = deciles.merge(errors, on=["scenario", "decile"], how="left")
    tables["deciles"] = deciles

    weights = weights_of(frame)
    base_welfare = welfare_of(frame, BASELINE)
    poor = base_welfare < float(results.poverty_line)
    groups = population_groups(frame, poor, labels)
    contingencies = [Contingency(str(i), lambda f, m=g.mask: m, None, "household") for i, g in enumerate(groups)]
    coverage = coverage_table(frame, [BASELINE, reform], programmes, contingencies)
    index = coverage["contingency"].astype(int)
    coverage.insert(0, "side", np.where(coverage["scenario"] == BASELINE, "baseline", "reform"))
    coverage.insert(2, "group_variable", [groups[i].variable for i in index])
    coverage.insert(3, "group", [groups[i].value for i in index])
    coverage.insert(4, "group_label", [groups[i].label for i in index])
    tables["coverage"] = coverage.drop(columns="contingency")

    targeting = targeting_table(frame, [BASELINE, reform], programmes, poor, receipt="household")
    targeting.insert(0, "side", np.where(targeting["scenario"] == BASELINE, "baseline", "reform"))
    targeting.insert(3, "programme_label", targeting["programme"].map(labels_of))
    tables["targeting"] = targeting

    reform_welfare = welfare_of(frame, reform)
    gain = reform_welfare - base_welfare
    ones = np.ones(len(frame))

    def group_statistics(domain: np.ndarray | None) -> dict[str, Statistic]:
        before, after = FGT(base_welfare, line, 0, domain), FGT(reform_welfare, line, 0, domain)
        return {
            "persons": Total(ones, domain),
            "headcount_baseline": before,
            "headcount_reform": after,
            "headcount_change": after - before,
            "mean_gain": Mean(gain, domain),
            "winners": Proportion(gain > 0, domain),
        }

    group_list = [g for g in groups if g.variable != "poor"]
    work, variables = _group_frame(frame, group_list)
    parts = []
    for variable in variables:
        column = f"_group_{variable}"
        part = by_group_estimates(work, column, group_statistics, total=False, **uncertainty.variance)
        part = part.rename(columns={column: "group"})
        part.insert(0, "group_variable", variable)
        label_of = {g.value: g.label for g in group_list if g.variable == variable}
        part.insert(2, "group_label", part["group"].map(label_of))
        order = {g.value: i for i, g in enumerate(group_list) if g.variable == variable}
        part = part.sort_values("group", key=lambda c: c.map(order), kind="stable")
        parts.append(part)
    by_group = pd.concat(parts, ignore_index=True)
    by_group["group"] = by_group["group"].astype(str)
    by_group["replicates"] = by_group["replicates"].fillna(0).astype(int)
    tables["by_group"] = by_group

    tables["parameters"] = parameters_table(results, reform)
    tables = {name: _plain(table) for name, table in tables.items()}

    reform_label, description = _reform_description(results, reform)
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
        "reference_year": meta.reference_year,
        "welfare_concept": meta.welfare_concept,
        "poverty_line": float(results.poverty_line),
        "programmes": {key: results.spec.programmes[key].label for key in programmes},
        "replicates": uncertainty.replicates.n_sets if replicated else 0,
        "floorsim_version": _version(),
        "generated": datetime.date.today().isoformat(),
    }
    method = method_notes(results, uncertainty, programmes, labels)
    headline_kinds = {row.key: row.kind for row in headline_rows(results, comparison)}
    return ReportData(reform, tables, summary, context, method, headline_kinds, labels)


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
