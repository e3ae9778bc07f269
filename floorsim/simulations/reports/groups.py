"""Population groups of a report (everybody, the poor at baseline, age groups, sex, area, regions) and the
poverty and gains of each group with standard errors (the ``by_group`` table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from floorsim.indicators import FGT, IndicatorError, Mean, Proportion, Statistic, Total, estimate_table
from floorsim.indicators.batched import BLOCK_VALUES
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
    """A population group of a report: ``members`` gives, for every row of the frame, the number of the row's
    persons in the group (see :func:`population_groups`), as an array or as a function computing it when asked
    (on a compact frame of 1.8 million households every group's counts held at once would take 15 MB each)."""

    variable: str
    value: str
    label: str
    members: np.ndarray | Callable[[], np.ndarray]

    @property
    def mask(self) -> np.ndarray:
        """The persons of each row in the group (0/1 on a person frame, member counts on a compact frame)."""
        return self.members() if callable(self.members) else self.members


def population_groups(frame: pd.DataFrame, poor: np.ndarray, labels: Labels, include_poor: bool = True) -> list[PopulationGroup]:
    """Everybody, the poor at baseline, age groups, sex, urban/rural and regions present in the frame.

    Each group's ``mask`` holds, for every row of the frame, the number of the row's persons in the group: on a
    person frame 1 or 0 (a boolean), on a compact frame (one row per household, ``analysis.compact``: its
    ``persons`` and ``members_<variable>=<value>`` columns) a count of members. :func:`row_shares` turns it into
    the share of the row's persons."""
    compact = PERSONS in frame.columns
    persons = frame[PERSONS].to_numpy(np.float64) if compact else None

    def members(condition: np.ndarray):
        """The persons of each row meeting a condition of the row (a person's, or a household's): the condition
        on persons, its members (computed when asked) on households."""
        return condition if persons is None else (lambda: persons * condition)

    def person_groups(variable: str) -> dict[str, np.ndarray]:
        if compact:
            return member_groups(frame, variable)
        return _value_masks(frame[variable]) if variable in frame else {}

    everybody = persons if compact else np.ones(len(frame), dtype=bool)
    groups = [PopulationGroup("all", "all", labels["group.all"], everybody)]
    if include_poor:
        groups.append(PopulationGroup("poor", "poor", labels["group.poor"], members(np.asarray(poor, dtype=bool))))
    ages = person_groups("age_group")
    for value in [v for v in AGE_GROUP_LABELS if v in ages and ages[v].any()]:
        groups.append(PopulationGroup("age_group", value, labels.text("group.age", value=value), ages[value]))
    sexes = person_groups("sex")
    for value in sorted(v for v in sexes if sexes[v].any()):
        label = labels[f"group.{value}"] if value in ("female", "male") else value
        groups.append(PopulationGroup("sex", value, label, sexes[value]))
    if "urban" in frame:
        values = frame["urban"].astype(bool).to_numpy()
        for flag, name in ((True, "urban"), (False, "rural")):
            if (values == flag).any():
                groups.append(PopulationGroup("area", name, labels[f"group.{name}"], members(values == flag)))
    if "region" in frame:
        masks = _value_masks(frame["region"])
        for value in sorted(masks):
            groups.append(PopulationGroup("region", value, value, members(masks[value])))
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

    cells: list[tuple[dict[str, object], PopulationGroup]] = []
    group_list = [g for g in groups if g.variable != "poor"]
    row_persons = frame[PERSONS].to_numpy(np.float64) if PERSONS in frame.columns else np.ones(len(frame))
    for variable in dict.fromkeys(g.variable for g in group_list):
        members_of = [g for g in group_list if g.variable == variable]
        # persons of each row in none of the variable's groups (masks count persons: 0/1 on persons, members on
        # households; the groups of a variable are disjoint), summed one group at a time
        outside = row_persons.copy()
        for group in members_of:
            outside -= np.asarray(group.mask, dtype=np.float64)
        if (outside > 0).any():
            members_of.append(PopulationGroup(variable, np.nan, np.nan, outside))  # type: ignore[arg-type]
        cells += [({"group_variable": variable, "group": g.value, "group_label": g.label}, g) for g in members_of]
    parts = []
    # a few groups at a time, their H-row totals freed after each block: GROUPS_PER_BLOCK at 184,000 households,
    # fewer on larger frames (one at 1.8 million households), so that a block stays near 70 MB
    per_block = max(1, min(GROUPS_PER_BLOCK, BLOCK_VALUES // (8 * max(len(compact), 1))))
    for start in range(0, len(cells), per_block):
        rows: list[tuple[dict[str, object], Statistic]] = []
        for tags, group in cells[start:start + per_block]:
            for name, statistic in statistics(member_shares(codes, members, group.mask)).items():
                rows.append(({**tags, "indicator": name}, statistic))
        parts.append(estimate_table(rows, **variance))
    by_group = pd.concat(parts, ignore_index=True)
    by_group["group"] = by_group["group"].astype(str)
    by_group["replicates"] = by_group["replicates"].fillna(0).astype(int)
    return by_group
