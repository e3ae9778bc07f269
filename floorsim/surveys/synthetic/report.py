"""The calibration report: every figure of a country profile against the synthetic survey's weighted value.

One row per target (each margin cell, the poverty rate, the Gini, ...) with the value achieved on the survey's
final weights and the gap; :func:`format_table` renders it as Markdown (printed by ``floorsim synth`` and
``python -m floorsim.surveys.synthetic``), and ``floorsim synth`` writes it as CSV beside the survey.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from floorsim.indicators import gini
from floorsim.surveys.model import Survey
from floorsim.surveys.synthetic.attributes import PREGNANCY_SHARE_OF_YEAR, annual_births
from floorsim.surveys.synthetic.statuses import status_rows
from floorsim.surveys.synthetic.targets import Targets, age_group_index, load_targets
from floorsim.surveys.synthetic.weights import SEXES

COLUMNS = ["figure", "target", "achieved", "gap", "relative_gap", "how"]


def achieved_vs_targets(survey: Survey, targets: str | Path | Targets | None = None) -> pd.DataFrame:
    """Each figure of the profile against the survey's weighted value.

    Columns: ``figure``; ``target`` (NaN where nothing is targeted); ``achieved``; ``gap`` = achieved - target
    (for shares: points of the share); ``relative_gap`` = gap / target (for counts); ``how`` (calibrated exactly,
    calibrated, not targeted, diagnostic).
    """
    t = targets if isinstance(targets, Targets) else load_targets(targets)
    hh, persons = survey.households, survey.persons
    w = hh["weight"].to_numpy()
    pw = survey.person_weight
    index = survey.person_household_index
    age = persons["age"].to_numpy()
    female = (persons["sex"] == "female").to_numpy()
    region = hh["region"].to_numpy()[index]
    urban = hh["urban"].to_numpy()[index]

    def share(mask: np.ndarray, base: np.ndarray | None = None) -> float:
        base = np.ones(len(mask), bool) if base is None else base
        return float(np.sum(pw * (mask & base)) / np.sum(pw * base))

    def in_ages(ages: tuple[int, int | None]) -> np.ndarray:
        return (age >= ages[0]) & (age <= (ages[1] if ages[1] is not None else age.max()))

    rows: list[tuple[str, float, float, str]] = [
        ("persons", t.population_total, pw.sum(), "calibrated exactly"),
        ("households", t.households_total, w.sum(), "calibrated exactly"),
    ]
    rows += _demographic_rows(t, age, female, pw)
    rows += [(f"persons in {name}", target, float(pw[region == name].sum()), "calibrated exactly")
             for name, target in t.region_population.items()]
    rows.append(("urban share of persons", t.urban_share_national, share(urban), "calibrated exactly"))
    rows += [(f"urban share of persons in {name}", target, share(urban, region == name), "calibrated exactly")
             for name, target in t.urban_share_by_region.items()]
    rows.append(("mean household size", t.population_total / t.households_total, pw.sum() / w.sum(),
                 "follows from persons and households"))
    rows += _welfare_rows(survey, t)
    severity = persons["disability_severity"].to_numpy()
    if t.some_difficulty is not None:
        rows.append((f"some difficulty or worse, ages {_ages(t.some_difficulty_ages)}", t.some_difficulty,
                     share(severity >= 1, in_ages(t.some_difficulty_ages)), "calibrated"))
    rows.append((f"a lot of difficulty or worse, ages {_ages(t.severe_disability_ages)}", t.severe_disability_share,
                 share(severity >= 2, in_ages(t.severe_disability_ages)), "calibrated"))
    if t.crude_birth_rate is not None:
        births, how = t.crude_birth_rate * 1000, "calibrated"
    else:  # the births a total fertility rate implies for the survey's women
        births, how = annual_births(_members(survey), pw, t) / pw.sum() * 1000, "calibrated (from the TFR)"
    rows.append(("births per 1,000 persons (gave_birth)", births, share(persons["gave_birth"].to_numpy()) * 1000, how))
    rows.append(("births per 1,000 persons implied by pregnancies", births,
                 share(persons["pregnant"].to_numpy()) / PREGNANCY_SHARE_OF_YEAR * 1000, how))
    rows.append(_schooling_row(survey, t, in_ages(t.schooling_ages), share))
    if t.orphan_share is not None:
        rows.append((f"orphans, ages {_ages(t.orphan_ages)}", t.orphan_share,
                     share(persons["orphan"].to_numpy(), in_ages(t.orphan_ages)), "calibrated"))
    rows += status_rows(survey, t)
    rows.append(("largest weight / smallest weight", np.nan, float(w.max() / w.min()), "diagnostic"))
    table = pd.DataFrame(rows, columns=["figure", "target", "achieved", "how"])
    table["gap"] = table["achieved"] - table["target"]
    table["relative_gap"] = table["gap"] / table["target"]
    return table[COLUMNS]


def _members(survey: Survey) -> pd.DataFrame:
    """The persons table in the generator's own form (columns age, female)."""
    persons = survey.persons
    return pd.DataFrame({"age": persons["age"].to_numpy(), "female": (persons["sex"] == "female").to_numpy()})


def _demographic_rows(t: Targets, age: np.ndarray, female: np.ndarray, pw: np.ndarray) -> list:
    """Persons by sex and age group (or by age group and by sex): one row per cell."""
    group = age_group_index(age, t.age_groups)
    cells = np.array([np.bincount(group[female == (sex == "female")], weights=pw[female == (sex == "female")],
                                  minlength=len(t.age_groups)) for sex in SEXES])
    labels = [f"{lo}-{hi}" if k < len(t.age_groups) - 1 else f"{lo}+" for k, (lo, hi) in enumerate(t.age_groups)]
    if t.persons_by_age_sex is not None:
        return [(f"{sex} {label}", t.persons_by_age_sex[row, k], cells[row, k], "calibrated exactly")
                for row, sex in enumerate(SEXES) for k, label in enumerate(labels)]
    rows = [(f"persons {label}", t.persons_by_age[k], cells[:, k].sum(), "calibrated exactly")
            for k, label in enumerate(labels)]
    return rows + [(f"{sex} persons", t.persons_by_sex[row], cells[row].sum(), "calibrated exactly")
                   for row, sex in enumerate(SEXES)]


def _welfare_rows(survey: Survey, t: Targets) -> list:
    """Poverty rate, Gini, mean per capita, and poverty by area (not targeted)."""
    hh = survey.households
    size = survey.household_size
    per_capita = hh[t.welfare_concept].to_numpy() / size
    w = hh["weight"].to_numpy()
    person_weight = w * size
    concept = t.welfare_concept
    rows = [(f"Gini of {concept} per capita", t.gini, gini(per_capita, person_weight), "calibrated")]
    mean = float(np.sum(person_weight * per_capita) / person_weight.sum())
    if t.poverty_rate is None:
        mean_how = "calibrated"
    else:
        mean_how = "not targeted" if t.mean_per_capita is None else "published, not targeted"
    rows.append((f"mean {concept} per capita ({t.currency}/month)",
                 np.nan if t.mean_per_capita is None else t.mean_per_capita, mean, mean_how))
    if t.poverty_rate is None and t.poverty_line is None and not t.split_poverty_lines:
        return rows
    urban = hh["urban"].to_numpy()
    line = np.where(urban, t.poverty_line_urban, t.poverty_line_rural) if t.split_poverty_lines else t.poverty_line
    poor = per_capita < line
    unit_weight = person_weight if t.poverty_population == "persons" else w
    rows.append((f"poverty rate ({t.poverty_population})", np.nan if t.poverty_rate is None else t.poverty_rate,
                 float(np.sum(unit_weight * poor) / unit_weight.sum()), "calibrated"))
    for name, area in (("urban", urban), ("rural", ~urban)):
        rows.append((f"poverty rate ({t.poverty_population}), {name}", np.nan,
                     float(np.sum((unit_weight * poor)[area]) / unit_weight[area].sum()), "not targeted"))
    return rows


def _schooling_row(survey: Survey, t: Targets, school_age: np.ndarray, share) -> tuple:
    """The school-attendance target and its achieved value."""
    persons = survey.persons
    attending = persons["in_school"].to_numpy()
    if t.schooling_target == "attendance":
        return (f"attending school, ages {_ages(t.schooling_ages)}", t.schooling_share,
                share(attending, school_age), "calibrated")
    w = survey.households["weight"].to_numpy()
    out = np.bincount(survey.person_household_index, weights=school_age & ~attending, minlength=len(w)) > 0
    return (f"households with a child {_ages(t.schooling_ages)} out of school", t.schooling_share,
            float(np.sum(w * out) / w.sum()), "calibrated")


def _ages(ages: tuple[int, int | None]) -> str:
    return f"{ages[0]}+" if ages[1] is None else f"{ages[0]}-{ages[1]}"


def format_table(table: pd.DataFrame) -> str:
    """Markdown table with numbers rounded for reading."""

    def number(x: float) -> str:
        if pd.isna(x):
            return "-"
        if 0 < abs(x) < 1e-3:
            return f"{x:.1e}"
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4f}"

    lines = ["| figure | target | achieved | gap | how |", "|---|---:|---:|---:|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.figure} | {number(row.target)} | {number(row.achieved)} | {number(row.gap)} | {row.how} |")
    return "\n".join(lines)

