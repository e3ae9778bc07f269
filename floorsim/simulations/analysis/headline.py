"""THE headline figures of a run: one declarative list, their point values, their statistics, their labels.

Every output that shows a headline figure (``floorsim run``'s table, ``summary.json``, the report tables, the
workbook, the HTML report, the web pages, ``floorsim diff``, the golden snapshots) takes its key, kind, unit and
label from here, so that a figure means one thing everywhere.

==============================  ===========  =====================================================================
key                             kind         definition (w_h household weight, n_h size, y welfare per capita
                                             per month, z the poverty line)
==============================  ===========  =====================================================================
``<programme>_cost``            money        Σ_h w_h × the household's annual amount (currency per year)
``<programme>_beneficiaries``   count        persons (person programmes) or households (household programmes)
                                             with an amount > 0
``total_cost``                  money        Σ_h w_h × the country's ``transfers_variable`` (currency per year)
``total_cost_share_gdp``        rate         total_cost / GDP of the simulated year (fraction; only where the run
                                             recorded a GDP: ``provenance["cost_denominators"]``)
``total_cost_share_expenditure`` rate        total_cost / general government expenditure of the year (fraction;
                                             only where recorded)
``poverty_headcount``           rate         FGT(0) = Σ w_h n_h 1[y_h < z] / Σ w_h n_h (fraction of persons)
``poor_persons``                count        FGT(0) × Σ_h w_h n_h (persons)
``poverty_gap``                 rate         FGT(1) = Σ w_h n_h (1 − y_h / z)₊ / Σ w_h n_h (fraction of the line)
``squared_poverty_gap``         rate         FGT(2) (statistics only)
``gini``                        index        Gini of y, person-weighted (0-1)
``mean_welfare``                money_month  person-weighted mean of y (statistics only)
``theil``                       index        GE(1) (statistics only, with replicate weights)
``palma``, ``s80_s20``          ratio        top 10 % / bottom 40 %, S80/S20 (statistics only, with replicates)
==============================  ===========  =====================================================================

The line z is the run's (``Results.poverty_line``): a national line moved to the year's prices, or a share of the
median baseline welfare per capita (held fixed across scenarios). Labels say which (:func:`poverty_line_label`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from floorsim.indicators import (
    FGT,
    GeneralizedEntropy,
    Palma,
    QuintileShareRatio,
    Gini,
    Mean,
    RelativeLine,
    Statistic,
    Total,
    fgt,
    gini,
    weighted_total,
)

from .compact import recipients_of
from .cost import cost_shares
from .errors import AnalysisError
from .frame import amounts_of, attribute_household_amounts, household_codes, weights_of, welfare_of

if TYPE_CHECKING:
    from floorsim.simulations.engine.countries import CountrySpec
    from floorsim.simulations.engine.results import Results

BASELINE = "baseline"


class LabelSource(Protocol):
    """What labelling needs of ``floorsim.simulations.reports.labels.Labels`` (the layer above is not imported)."""

    def __getitem__(self, key: str) -> str: ...

    def text(self, key: str, **values: object) -> str: ...


@dataclass(frozen=True)
class Figure:
    """One headline figure: its key in every output, its kind (how it is shown), the label keys of its raw unit
    and of its name, and whether it is measured against the poverty line."""

    key: str
    kind: str  # "money", "count", "rate", "index", "ratio" or "money_month"
    unit: str
    label: str
    at_line: bool = False
    programme: str | None = None


FIGURES: tuple[Figure, ...] = (
    Figure("total_cost", "money", "unit.money_year", "indicator.total_cost"),
    Figure("total_cost_share_gdp", "rate", "unit.share_gdp", "indicator.total_cost_share_gdp"),
    Figure("total_cost_share_expenditure", "rate", "unit.share_expenditure", "indicator.total_cost_share_expenditure"),
    Figure("poverty_headcount", "rate", "unit.share_persons", "indicator.poverty_headcount", at_line=True),
    Figure("poor_persons", "count", "unit.persons", "indicator.poor_persons", at_line=True),
    Figure("poverty_gap", "rate", "unit.share_line", "indicator.poverty_gap", at_line=True),
    Figure("squared_poverty_gap", "rate", "unit.share_line", "indicator.squared_poverty_gap", at_line=True),
    Figure("gini", "index", "unit.index", "indicator.gini"),
    Figure("theil", "index", "unit.index", "indicator.theil"),
    Figure("palma", "ratio", "unit.ratio", "indicator.palma"),
    Figure("s80_s20", "ratio", "unit.ratio", "indicator.s80_s20"),
    Figure("mean_welfare", "money_month", "unit.money_month", "indicator.mean_welfare"),
)
FIGURE_BY_KEY = {figure.key: figure for figure in FIGURES}
POVERTY_FIGURES = ("poverty_headcount", "poverty_gap", "poor_persons", "gini")  # need the line and the prices
# cost-share figure -> (denominator in provenance["cost_denominators"], key of ``analysis.cost.cost_shares``)
COST_SHARE_FIGURES = {
    "total_cost_share_gdp": ("gdp", "cost_share_gdp"),
    "total_cost_share_expenditure": ("government_expenditure", "cost_share_expenditure"),
}
SHOWN_FIGURES = ("total_cost", *COST_SHARE_FIGURES, "poverty_headcount", "poor_persons", "poverty_gap", "gini")  # the headline table
REPLICATE_ONLY = ("theil", "palma", "s80_s20")  # no linearisation: replicate weights only


def programme_figure_list(spec: CountrySpec, programme: str) -> list[Figure]:
    """The cost (money) and beneficiaries (count of persons or households) of one programme."""
    entity = spec.programmes[programme].entity
    return [
        Figure(f"{programme}_cost", "money", "unit.money_year", "indicator.programme_cost", programme=programme),
        Figure(f"{programme}_beneficiaries", "count", "unit.persons" if entity == "person" else "unit.households",
               "indicator.programme_beneficiaries", programme=programme),
    ]


def figure_list(
    spec: CountrySpec, keys: tuple[str, ...] | None = None, programmes: list[str] | None = None
) -> list[Figure]:
    """Programme figures (``programmes``, default all of the country's) then the figures ``keys`` (default
    every figure of :data:`FIGURES`), in that order."""
    chosen = list(spec.programmes) if programmes is None else programmes
    listed = [figure for programme in chosen for figure in programme_figure_list(spec, programme)]
    return listed + [FIGURE_BY_KEY[key] for key in (keys or FIGURE_BY_KEY)]


def figure_kind(key: str) -> str:
    """How figure ``key`` is shown: ``money`` (``*_cost``), ``count`` (``*_beneficiaries``, ``poor_persons``),
    ``rate``, ``index``, ``ratio`` or ``money_month`` (:data:`FIGURES`)."""
    if key in FIGURE_BY_KEY:
        return FIGURE_BY_KEY[key].kind
    if key.endswith("_cost"):
        return "money"
    if key.endswith("_beneficiaries"):
        return "count"
    raise AnalysisError(f"no headline figure '{key}'; figures are <programme>_cost, <programme>_beneficiaries and "
                        f"{', '.join(FIGURE_BY_KEY)}")


def active_programmes(comparison: Mapping[str, Mapping[str, float]], programmes: list[str]) -> list[str]:
    """Programmes paying anything in the baseline or the reform (none paying: none is shown). A baseline-only
    run's figures (:func:`baseline_figures`) have the baseline side only."""
    return [p for p in programmes if any(comparison[f"{p}_cost"].get(side) for side in ("baseline", "reform"))]


def baseline_figures(results: Results) -> dict[str, dict[str, float]]:
    """The headline figures of a baseline-only run (the diagnostic of current law), shaped like
    ``Results.comparison`` with one side: ``{figure: {"baseline": value}}``."""
    return {key: {"baseline": value} for key, value in point_figures(results, BASELINE).items()}


def shown_figures(spec: CountrySpec, comparison: Mapping[str, Mapping[str, float]] | None = None) -> list[Figure]:
    """The figures of the headline table, programmes first; given the ``comparison``, programmes that pay nothing
    in both scenarios (not in force that year) are left out. Cost shares are shown only where the ``comparison``
    has them (the run recorded the year's GDP or government expenditure)."""
    programmes = list(spec.programmes)
    if comparison is not None:
        programmes = active_programmes(comparison, programmes)
    figures = figure_list(spec, SHOWN_FIGURES, programmes)
    return [f for f in figures if f.key not in COST_SHARE_FIGURES or (comparison is not None and f.key in comparison)]


# ----- labels -----


def poverty_line_label(spec: CountrySpec, labels: LabelSource) -> str:
    """Which line the poverty figures use: ``national line`` (a line parameter of the country),
    ``international line (USD 2.15 PPP)`` (a line parameter declared ``kind: international``) or ``60 % of median``
    (``share_of_median`` of baseline welfare per capita)."""
    line = spec.poverty_line
    share = line.share_of_median
    if share is None and line.kind == "international":
        return labels.text("line.international", definition=line.definition)
    if share is None:
        return labels["line.national"]
    return labels.text("line.relative", share=f"{100 * share:g}")


def figure_label(figure: Figure, spec: CountrySpec, labels: LabelSource) -> str:
    """The figure's name for a reader: ``SAII: cost``, ``Poverty headcount, 60 % of median``..."""
    if figure.programme is not None:
        return labels.text(figure.label, programme=spec.programmes[figure.programme].label)
    name = labels[figure.label]
    if figure.at_line:
        return labels.text("indicator.at_line", indicator=name, line=poverty_line_label(spec, labels))
    return name


def figure_unit(figure: Figure, spec: CountrySpec, labels: LabelSource) -> str:
    """The unit of the figure's raw value (``USD/year``, ``% of persons``, ``index (0-1)``...)."""
    return labels.text(figure.unit, currency=spec.currency)


# ----- point figures -----


def cost_denominators(results: Results) -> dict[str, float]:
    """The GDP and government expenditure the run recorded for its year (currency units per year), by
    denominator name; a denominator the run has no figure for is left out."""
    recorded = results.provenance.get("cost_denominators") or {}
    return {name: float(recorded[name]["value"]) for name, _ in COST_SHARE_FIGURES.values() if recorded.get(name)}


def cost_share_figures(results: Results, total_cost: float) -> dict[str, float]:
    """``total_cost_share_gdp`` and ``total_cost_share_expenditure`` (``analysis.cost.cost_shares``: cost /
    denominator, fractions) for the denominators the run recorded; none without them."""
    known = cost_denominators(results)
    shares = cost_shares(total_cost, known.get("gdp", math.nan), known.get("government_expenditure", math.nan))
    return {key: shares[share] for key, (name, share) in COST_SHARE_FIGURES.items() if name in known}


def programme_figures(results: Results, name: str) -> dict[str, float]:
    """Cost and beneficiaries of every programme, ``total_cost`` of scenario ``name`` and its shares of GDP and
    government expenditure where recorded: the figures that need no poverty line (``floorsim diff`` shows them
    when the prices do not cover the year)."""
    figures: dict[str, float] = {}
    for key in results.spec.programmes:
        figures[f"{key}_cost"] = results.programme_cost(name, key)
        figures[f"{key}_beneficiaries"] = results.programme_beneficiaries(name, key)
    figures["total_cost"] = weighted_total(
        results.scenario(name).household[results.spec.transfers_variable], results.households["weight"]
    )
    figures.update(cost_share_figures(results, figures["total_cost"]))
    return figures


def point_figures(results: Results, name: str) -> dict[str, float]:
    """The headline figures of scenario ``name`` (``Results.headline``): programme figures, then poverty
    headcount, gap and persons in poverty against ``results.poverty_line``, and the Gini of welfare per capita,
    person-weighted (weights w_h × n_h). Amounts per year in the country's currency; rates as fractions."""
    weights = results.person_weight_of_household
    welfare = results.welfare_per_capita(name)
    line = results.poverty_line
    figures = programme_figures(results, name)
    figures["poverty_headcount"] = fgt(welfare, weights, line, 0)
    figures["poverty_gap"] = fgt(welfare, weights, line, 1)
    figures["poor_persons"] = figures["poverty_headcount"] * float(weights.sum())
    figures["gini"] = gini(welfare, weights)
    return figures


# ----- the same figures as statistics (standard errors, intervals) -----


def statistic_line(results: Results, frame: pd.DataFrame) -> float | Statistic:
    """The run's line for statistics: a number (national line) or the relative line re-estimated in every
    replicate (``share × weighted median`` of baseline welfare per capita)."""
    share = results.spec.poverty_line.share_of_median
    if share is None:
        return float(results.poverty_line)
    return RelativeLine(welfare_of(frame, BASELINE), share, "median")


def _household_share(frame: pd.DataFrame) -> np.ndarray:
    """hw_h / Σ_{j in h} w_j for each person: Σ_i w_i × share_i × 1[...] counts households, not persons."""
    codes, _ = household_codes(frame)  # without hashing the ids when members are next to each other
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
    """Every figure of :data:`FIGURES` (and the programme figures) of one scenario as a statistic on the person
    frame: its point estimate equals :func:`point_figures` where both exist. Theil, Palma and S80/S20 only when
    ``replicated`` (they have no linearisation)."""
    y = welfare_of(frame, scenario)
    programmes = list(results.spec.programmes)
    share = _household_share(frame)
    stats: dict[str, Statistic] = {}
    for key in programmes:
        # one column at a time, the frame's own arrays (a Total without domain does not copy them): at 1.8 million
        # households an (H × programmes) copy per scenario held 100 MB or more for the whole table
        (amount,) = amounts_of(frame, [key], scenario).T
        # on a compact frame (one row per household) the share of its persons receiving; on persons 1[amount > 0]
        (receives,) = recipients_of(frame, amount[:, None], [key], scenario).T
        stats[f"{key}_cost"] = Total(amount)
        if results.spec.programmes[key].entity == "person":
            stats[f"{key}_beneficiaries"] = Total(receives)
        else:
            stats[f"{key}_beneficiaries"] = Total(receives * share)
    stats["total_cost"] = Total(_transfers(results, frame, scenario))
    for key, (denominator, _) in COST_SHARE_FIGURES.items():
        value = cost_denominators(results).get(denominator)
        if value is not None:  # a known constant: the share's error is the cost's divided by it
            stats[key] = stats["total_cost"] * (1.0 / value)
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
        stats["theil"] = GeneralizedEntropy(y, 1.0, nonpositive="drop", label="theil")  # sums: no pass per replicate
        stats["palma"] = Palma(y, label="palma")  # one sort for every replicate
        stats["s80_s20"] = QuintileShareRatio(y, label="s80_s20")
    return stats
