"""Population groups of a report (everybody, the poor at baseline, age groups, sex, area, regions) and the
poverty and gains of each group with standard errors (the ``by_group`` table)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from floorsim.indicators import FGT, IndicatorError, Mean, Proportion, Statistic, Total, estimate_table
from floorsim.indicators.estimator import Quotient
from floorsim.simulations.analysis import by_group_estimates
from floorsim.simulations.analysis.compact import (PERSONS, Collapse, compact_of, first_rows, member_groups,
                                                   member_shares)
from floorsim.simulations.analysis.errors import AnalysisError
from floorsim.simulations.analysis.frame import design_from_frame
from floorsim.simulations.engine.results import AGE_GROUP_LABELS
from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.sampling import Uncertainty


# Groups whose statistics are estimated together by compact_by_group: each holds six totals of H values (1.5 MB
# each at 184,000 households), so a block stays near 70 MB however many regions a survey has.
GROUPS_PER_BLOCK = 8


@dataclass(frozen=True)
class PopulationGroup:
    variable: str
    value: str
    label: str
    mask: np.ndarray


def population_groups(frame: pd.DataFrame, poor: np.ndarray, labels: Labels, include_poor: bool = True) -> list[PopulationGroup]:
    """Everybody, the poor at baseline, age groups, sex, urban/rural and regions present in the frame.

    Each group's ``mask`` holds, for every row of the frame, the number of the row's persons in the group: on a
    person frame 1 or 0 (a boolean), on a compact frame (one row per household, ``analysis.compact``: its
    ``persons`` and ``members_<variable>=<value>`` columns) a count of members. :func:`row_shares` turns it into
    the share of the row's persons."""
    if PERSONS in frame.columns:
        return _compact_groups(frame, poor, labels, include_poor)
    n = len(frame)
    groups = [PopulationGroup("all", "all", labels["group.all"], np.ones(n, dtype=bool))]
    if include_poor:
        groups.append(PopulationGroup("poor", "poor", labels["group.poor"], poor))
    if "age_group" in frame:
        masks = _value_masks(frame["age_group"])
        for value in [v for v in AGE_GROUP_LABELS if v in masks]:
            groups.append(PopulationGroup("age_group", value, labels.text("group.age", value=value), masks[value]))
    if "sex" in frame:
        masks = _value_masks(frame["sex"])
        for value in sorted(masks):
            label = labels[f"group.{value}"] if value in ("female", "male") else value
            groups.append(PopulationGroup("sex", value, label, masks[value]))
    if "urban" in frame:
        values = frame["urban"].astype(bool).to_numpy()
        for flag, name in ((True, "urban"), (False, "rural")):
            if (values == flag).any():
                groups.append(PopulationGroup("area", name, labels[f"group.{name}"], values == flag))
    if "region" in frame:
        masks = _value_masks(frame["region"])
        for value in sorted(masks):
            groups.append(PopulationGroup("region", value, value, masks[value]))
    return groups


def _compact_groups(frame: pd.DataFrame, poor: np.ndarray, labels: Labels, include_poor: bool) -> list[PopulationGroup]:
    """:func:`population_groups` of a compact frame: the same groups in the same order, as member counts."""
    persons = frame[PERSONS].to_numpy(np.float64)
    groups = [PopulationGroup("all", "all", labels["group.all"], persons)]
    if include_poor:
        groups.append(PopulationGroup("poor", "poor", labels["group.poor"], persons * np.asarray(poor, dtype=bool)))
    ages = member_groups(frame, "age_group")
    for value in [v for v in AGE_GROUP_LABELS if v in ages and ages[v].any()]:
        groups.append(PopulationGroup("age_group", value, labels.text("group.age", value=value), ages[value]))
    sexes = member_groups(frame, "sex")
    for value in sorted(v for v in sexes if sexes[v].any()):
        label = labels[f"group.{value}"] if value in ("female", "male") else value
        groups.append(PopulationGroup("sex", value, label, sexes[value]))
    if "urban" in frame:
        values = frame["urban"].astype(bool).to_numpy()
        for flag, name in ((True, "urban"), (False, "rural")):
            if (values == flag).any():
                groups.append(PopulationGroup("area", name, labels[f"group.{name}"], persons * (values == flag)))
    if "region" in frame:
        masks = _value_masks(frame["region"])
        for value in sorted(masks):
            groups.append(PopulationGroup("region", value, value, persons * masks[value]))
    return groups


def row_shares(frame: pd.DataFrame, group: PopulationGroup) -> np.ndarray:
    """The share of each row's persons in ``group``: its mask on a person frame, members / persons on a compact
    frame (what a coverage rule counts: ``analysis.coverage.Contingency``)."""
    if PERSONS in frame.columns:
        return np.asarray(group.mask, dtype=np.float64) / frame[PERSONS].to_numpy(np.float64)
    return group.mask


def _value_masks(column: pd.Series) -> dict[str, np.ndarray]:
    """``{str(value): rows holding it}`` for every value of the column, as ``column.astype(str) == value`` (one
    factorisation instead of a text copy of n rows); missing values are in no group."""
    codes, uniques = pd.factorize(column, sort=False)
    texts = pd.Series(uniques).astype(str).to_numpy() if len(uniques) else np.array([], dtype=object)
    masks: dict[str, np.ndarray] = {}
    for code, text in enumerate(texts):
        hit = codes == code
        masks[text] = masks[text] | hit if text in masks else hit
    return masks


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


def by_group_table(
    frame: pd.DataFrame,
    groups: list[PopulationGroup],
    baseline_welfare: np.ndarray,
    reform_welfare: np.ndarray | None,
    line: float | Statistic,
    uncertainty: Uncertainty,
    collapsed: Collapse | None = None,
) -> pd.DataFrame:
    """Poverty before and after (FGT(0) against ``line``), its change, the mean gain (currency per person per
    month) and the share of winners in every group but the poor at baseline, with standard errors.

    ``reform_welfare`` None (a baseline-only run): the persons, the baseline poverty headcount and the mean baseline
    welfare per capita (currency per person per month) of each group.

    With a fixed line (a number) the figures are computed on households (:func:`compact_by_group`, exact); a
    line re-estimated per replicate (a relative line) keeps the person frame. ``collapsed``: the frame's
    ``compact_frame`` if already built."""
    if not isinstance(line, Statistic):
        try:
            return compact_by_group(frame, groups, baseline_welfare, reform_welfare, float(line), uncertainty,
                                    collapsed)
        except (AnalysisError, IndicatorError):  # members differ in weight or welfare: the person frame
            pass
    return person_by_group(frame, groups, baseline_welfare, reform_welfare, line, uncertainty)


def person_by_group(
    frame: pd.DataFrame,
    groups: list[PopulationGroup],
    baseline_welfare: np.ndarray,
    reform_welfare: np.ndarray | None,
    line: float | Statistic,
    uncertainty: Uncertainty,
) -> pd.DataFrame:
    """:func:`by_group_table` on the person frame (domains of persons): any line, any weights."""
    ones = np.ones(len(frame))

    def baseline_statistics(domain: np.ndarray | None) -> dict[str, Statistic]:
        return {
            "persons": Total(ones, domain),
            "headcount_baseline": FGT(baseline_welfare, line, 0, domain),
            "mean_welfare_baseline": Mean(baseline_welfare, domain),
        }

    gain = None if reform_welfare is None else reform_welfare - baseline_welfare

    def group_statistics(domain: np.ndarray | None) -> dict[str, Statistic]:
        if reform_welfare is None:
            return baseline_statistics(domain)
        before, after = FGT(baseline_welfare, line, 0, domain), FGT(reform_welfare, line, 0, domain)
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
    return by_group


def compact_by_group(
    frame: pd.DataFrame,
    groups: list[PopulationGroup],
    baseline_welfare: np.ndarray,
    reform_welfare: np.ndarray | None,
    line: float,
    uncertainty: Uncertainty,
    collapsed: Collapse | None = None,
) -> pd.DataFrame:
    """:func:`by_group_table` on one row per household (``analysis.compact``), for a fixed poverty line.

    Group g of persons is the share s_hg of each household's members in it (``member_shares``); with the
    household weight W_h = w_h n_h and a value v_h constant within the household (welfare, gain):

        persons_g = Σ_h W_h s_hg,   headcount_g = Σ_h W_h s_hg 1[y_h < z] / persons_g,
        mean gain_g = Σ_h W_h s_hg (y'_h − y_h) / persons_g,   winners_g = Σ_h W_h s_hg 1[y'_h > y_h] / persons_g,

    the same sums as over persons (and in every replicate, replicate weights summed over members), so the table
    equals the person-level one to rounding; H rows instead of n, every total in a few matrix products. Persons of
    a variable in none of its groups (e.g. unknown age) form a last group with no name, as on the person frame.

    Raises:
        AnalysisError, IndicatorError: members of a household differ in weight, welfare or PSU (not collapsible).
    """
    compact, codes = compact_of(frame, collapsed)
    members = compact[PERSONS].to_numpy(np.float64)
    first = first_rows(codes, len(compact))
    welfare = {"baseline": np.asarray(baseline_welfare, dtype=np.float64)}
    if reform_welfare is not None:
        welfare["reform"] = np.asarray(reform_welfare, dtype=np.float64)
    for name, values in list(welfare.items()):
        if not np.array_equal(values[first][codes], values):
            raise AnalysisError(f"{name} welfare differs within a household: the frame cannot be collapsed.")
        welfare[name] = values[first]
    if uncertainty.replicates is not None:
        variance: dict = {"replicates": uncertainty.replicates.collapsed(codes)}
    else:
        variance = {"design": design_from_frame(compact, uncertainty.lonely_rule)}
    before = (welfare["baseline"] < line).astype(np.float64)
    if reform_welfare is not None:
        after = (welfare["reform"] < line).astype(np.float64)
        gain = welfare["reform"] - welfare["baseline"]
        winners = (gain > 0).astype(np.float64)

    def statistics(share: np.ndarray) -> dict[str, Statistic]:
        persons = Total(share)  # one total, the denominator of every mean of the group

        def mean(values: np.ndarray) -> Statistic:
            return Quotient(Total(share * values), persons)

        headcount = mean(before)
        if reform_welfare is None:
            return {"persons": persons, "headcount_baseline": headcount,
                    "mean_welfare_baseline": mean(welfare["baseline"])}
        reform_headcount = mean(after)
        return {"persons": persons, "headcount_baseline": headcount, "headcount_reform": reform_headcount,
                "headcount_change": reform_headcount - headcount, "mean_gain": mean(gain), "winners": mean(winners)}

    cells: list[tuple[dict[str, object], np.ndarray]] = []
    group_list = [g for g in groups if g.variable != "poor"]
    row_persons = frame[PERSONS].to_numpy(np.float64) if PERSONS in frame.columns else np.ones(len(frame))
    for variable in dict.fromkeys(g.variable for g in group_list):
        masks = [(g.value, g.label, g.mask) for g in group_list if g.variable == variable]
        # persons of each row in none of the variable's groups (masks count persons: 0/1 on persons, members on
        # households; the groups of a variable are disjoint)
        outside = row_persons - np.sum([np.asarray(mask, dtype=np.float64) for _, _, mask in masks], axis=0)
        if (outside > 0).any():
            masks.append((np.nan, np.nan, outside))
        cells += [({"group_variable": variable, "group": value, "group_label": label}, mask)
                  for value, label, mask in masks]
    parts = []
    for start in range(0, len(cells), GROUPS_PER_BLOCK):  # a few groups at a time: their H-row totals are freed
        rows: list[tuple[dict[str, object], Statistic]] = []
        for tags, mask in cells[start:start + GROUPS_PER_BLOCK]:
            for name, statistic in statistics(member_shares(codes, members, mask)).items():
                rows.append(({**tags, "indicator": name}, statistic))
        parts.append(estimate_table(rows, **variance))
    by_group = pd.concat(parts, ignore_index=True)
    by_group["group"] = by_group["group"].astype(str)
    by_group["replicates"] = by_group["replicates"].fillna(0).astype(int)
    return by_group
