"""The synthetic survey against its targets: one row per published figure, and a Markdown rendering of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from indicators import gini
from surveys.model import Survey
from surveys.synthetic.attributes import PREGNANCY_SHARE_OF_YEAR
from surveys.synthetic.targets import Targets, age_group_index, load_targets


def achieved_vs_targets(survey: Survey, targets: str | Path | None = None) -> pd.DataFrame:
    """Published figure against the synthetic survey's weighted value, one row per headline target.

    Columns: ``figure``, ``target`` (NaN where nothing is targeted), ``achieved``, ``how`` (calibrated exactly,
    calibrated, assumption, or not targeted).
    """
    t = load_targets(targets)
    hh, persons = survey.households, survey.persons
    w = hh["weight"].to_numpy()
    size = survey.household_size
    pw = survey.person_weight
    age = persons["age"].to_numpy()
    female = (persons["sex"] == "female").to_numpy()
    pc = survey.consumption_per_capita()
    person_pc = pc[survey.person_household_index]
    severity = persons["disability_severity"].to_numpy()
    index = survey.person_household_index
    elderly = age >= 65
    alone = (size == 1)[index]
    school_age = (age >= 6) & (age <= 14)
    child_out = np.bincount(index, weights=school_age & ~persons["in_school"].to_numpy(), minlength=len(hh)) > 0
    urban = hh["urban"].to_numpy()[index]
    urban_persons = np.sum(pw * urban)

    def share(mask: np.ndarray, base: np.ndarray | None = None) -> float:
        base = np.ones(len(mask), bool) if base is None else base
        return float(np.sum(pw * (mask & base)) / np.sum(pw * base))

    group = age_group_index(age, t.age_groups)
    cells = np.array([np.bincount(group[female == f], weights=pw[female == f], minlength=len(t.age_groups))
                      for f in (True, False)])
    regions = pd.Series(pw).groupby(hh["region"].to_numpy()[index]).sum()
    region_error = max(abs(regions.get(r, 0.0) / v - 1) for r, v in t.municipality_population.items())
    rows = [
        ("population", t.population_total, pw.sum(), "calibrated exactly"),
        ("32 sex x age-group cells: largest relative error", 0.0,
         float(np.abs(cells / t.persons_by_age_sex - 1).max()), "calibrated exactly"),
        ("13 municipalities: largest relative error", 0.0, float(region_error), "calibrated exactly"),
        ("households", t.households_total, w.sum(), "calibrated exactly (target is an assumption)"),
        ("females", t.persons_by_age_sex[0].sum(), pw[female].sum(), "calibrated exactly"),
        ("share aged 0-14", _age_share(t, 0, 14), share(age <= 14), "calibrated exactly"),
        ("share aged 65+", _age_share(t, 65, 120), share(elderly), "calibrated exactly"),
        ("urban share of persons", t.urban_share_national, urban_persons / pw.sum(), "calibrated exactly (assumption)"),
        ("Dili population", t.municipality_population["Dili"], pw[(hh["region"].to_numpy() == "Dili")[index]].sum(),
         "calibrated exactly"),
        ("mean household size", t.population_total / t.households_total, pw.sum() / w.sum(),
         "follows (assumption)"),
        ("poverty headcount at national line", t.poverty_headcount, share(person_pc < t.poverty_line), "calibrated"),
        ("Gini of per-capita consumption", t.gini, gini(pc, w * size), "calibrated"),
        ("mean consumption per capita (USD/month)", np.nan, float(np.sum(pw * person_pc) / pw.sum()), "not targeted"),
        ("poverty headcount, urban", np.nan, share(person_pc < t.poverty_line, urban), "not targeted"),
        ("poverty headcount, rural", np.nan, share(person_pc < t.poverty_line, ~urban), "not targeted"),
        ("adults 15+ with some difficulty or worse", t.adults_any_difficulty, share(severity >= 1, age >= 15),
         "calibrated"),
        ("persons with a lot of difficulty or worse", t.severe_disability_share, share(severity >= 2), "calibrated"),
        ("births per person per year implied by pregnancies", t.crude_birth_rate,
         share(persons["pregnant"].to_numpy()) / PREGNANCY_SHARE_OF_YEAR, "calibrated"),
        ("households with a child 6-14 out of school", t.households_child_out_of_school,
         float(np.sum(w * child_out) / w.sum()), "calibrated"),
        ("persons 65+ living alone (share of 65+)", np.nan, share(alone, elderly), "not targeted"),
        ("female-headed households (share)", np.nan,
         float(np.sum(w * female[persons["relationship"].to_numpy() == "head"]) / w.sum()), "not targeted"),
        ("largest weight / smallest weight", np.nan, float(w.max() / w.min()), "diagnostic"),
    ]
    return pd.DataFrame(rows, columns=["figure", "target", "achieved", "how"])


def _age_share(targets: Targets, low: int, high: int) -> float:
    """Share of the target population in age groups lying within ``[low, high]``."""
    inside = [i for i, (lo, hi) in enumerate(targets.age_groups) if lo >= low and hi <= high]
    return float(targets.persons_by_age_sex[:, inside].sum() / targets.population_total)


def format_table(table: pd.DataFrame) -> str:
    """Markdown table with numbers rounded for reading."""

    def number(x: float) -> str:
        if pd.isna(x):
            return "-"
        if 0 < abs(x) < 1e-3:
            return f"{x:.1e}"
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4f}"

    lines = ["| figure | target | achieved | how |", "|---|---:|---:|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.figure} | {number(row.target)} | {number(row.achieved)} | {row.how} |")
    return "\n".join(lines)
