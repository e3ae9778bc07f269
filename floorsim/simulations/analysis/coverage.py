"""Effective coverage by contingency (SDG 1.3.1-style) and adequacy of benefits.

**Effective coverage** (ILO, *World Social Protection Report 2020–22*; UN SDG indicator metadata 1.3.1):
the share of the people facing a contingency who actually receive a benefit for it,

    coverage_c = Σ_i w_i 1[i in c] 1[i receives] / Σ_i w_i 1[i in c].

A person *receives* when their attributed amount of one of the contingency's programmes is > 0
(``receipt="person"``), or when anyone in their household does (``receipt="household"``, how ILO counts
children covered by child or family benefits and ASPIRE counts coverage of the poor).

**Adequacy** (World Bank ASPIRE): the benefit relative to a yardstick, over beneficiaries b,

    benefit_to_welfare = Σ_b w a / 12 / Σ_b w y_s     (ASPIRE "adequacy of benefits": transfer over the
                                                       beneficiaries' total welfare, which includes it)
    benefit_to_line    = Σ_b w a / 12 / Σ_b w z       (the benefit per person as a share of the line; the SPF
                                                       calculator sets benefit levels this way)

with a the annual attributed amount (so a / 12 is monthly, the unit of welfare and line). Because household
benefits are shared equally among members and welfare is per person, both ratios equal the household-level ratios
(Σ_h A_h / Σ_h Y_h) used by ASPIRE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .compact import PERSONS
from .errors import AnalysisError
from .frame import (
    MONTHS_PER_YEAR,
    amounts_of,
    household_codes,
    require_columns,
    weights_of,
    welfare_of,
)
from .groups import TOTAL_LABEL, as_columns

Receipt = Literal["person", "household"]


@dataclass(frozen=True)
class Contingency:
    """A group of people facing a contingency, and which benefits count as covering it.

    Attributes:
        name: label in the table (``"children"``, ``"older_persons"`` ...).
        members: the name of a boolean column of the person frame, or a rule: a function of the frame
            returning one boolean per person.
        programmes: programmes that cover this contingency; ``None`` counts any programme of the table.
        receipt: ``"person"`` (the person's own amount) or ``"household"`` (any member's).
    """

    name: str
    members: str | Callable[[pd.DataFrame], ArrayLike]
    programmes: tuple[str, ...] | None = None
    receipt: Receipt = "person"

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """One boolean per person: is the person in this contingency? On a compact frame (one row per household,
        ``analysis.compact``) a rule may instead give the share of the row's persons in the contingency (floats
        in [0, 1]): a household receipt is the same for all its members, so the covered persons are
        Σ_h W_h s_h 1[h receives], exactly the person sum."""
        if isinstance(self.members, str):
            require_columns(frame, [self.members], f"contingency {self.name!r}")
            raw = frame[self.members]
        else:
            raw = self.members(frame)
        flags = np.asarray(raw)
        if flags.shape != (len(frame),):
            raise AnalysisError(f"contingency {self.name!r} must give one boolean (True/False) per person.")
        if flags.dtype == np.bool_:
            return flags
        if PERSONS in frame.columns and flags.dtype.kind == "f" and ((flags >= 0) & (flags <= 1)).all():
            return flags
        raise AnalysisError(f"contingency {self.name!r} must give one boolean (True/False) per person "
                            "(or, on a compact frame, a share of each row's persons from 0 to 1).")


def sdg_contingencies(
    *,
    pensionable_age: float,
    child_age: float = 15,
    severe_disability: int = 3,
    poverty_line: float | ArrayLike | None = None,
    vulnerability_line: float | ArrayLike | None = None,
    baseline: str = "baseline",
    programmes: Mapping[str, Sequence[str]] | None = None,
) -> list[Contingency]:
    """The SDG 1.3.1 contingencies as simple, documented rules on person-frame columns.

    ==========================  =========================================================  ==========
    contingency                 members                                                    receipt
    ==========================  =========================================================  ==========
    ``children``                ``age`` < ``child_age`` (15: ILO counts children 0–14)     household
    ``older_persons``           ``age`` >= ``pensionable_age`` (the country's statutory    person
                                age: no default)
    ``severe_disability``       ``disability_severity`` >= ``severe_disability`` (3:       person
                                "cannot do at all" in a Washington Group domain)
    ``mothers_of_newborns``     women (``sex`` == "female") aged 15–49 in a household      person
                                with a child aged 0; only the head or spouse when a
                                ``relationship`` column exists (the frame does not link
                                mothers to children; pass your own column if it does)
    ``poor``                    ``welfare_<baseline>`` < ``poverty_line``                  household
    ``vulnerable``              ``poverty_line`` <= ``welfare_<baseline>`` <               household
                                ``vulnerability_line`` (the near-poor)
    ==========================  =========================================================  ==========

    ``poor`` is included when ``poverty_line`` is given, ``vulnerable`` when both lines are. ``programmes``
    maps contingency names to the programmes that cover them (e.g. ``{"older_persons": ["old_age_pension"]}``);
    contingencies not in it count any programme.
    """
    chosen = dict(programmes or {})

    def entry(name: str, rule: Callable[[pd.DataFrame], ArrayLike], receipt: Receipt) -> Contingency:
        listed = chosen.get(name)
        return Contingency(name, rule, tuple(listed) if listed is not None else None, receipt)

    def age(frame: pd.DataFrame) -> np.ndarray:
        require_columns(frame, ["age"], "the SDG contingencies")
        return frame["age"].to_numpy(np.float64)

    def mothers(frame: pd.DataFrame) -> np.ndarray:
        require_columns(frame, ["sex", "age"], "the mothers_of_newborns rule")
        years = age(frame)
        codes, count = household_codes(frame)
        has_newborn = (np.bincount(codes, weights=(years < 1).astype(np.float64), minlength=count) > 0)[codes]
        women = (frame["sex"].astype(str).to_numpy() == "female") & (years >= 15) & (years <= 49)
        if "relationship" in frame.columns:
            women &= frame["relationship"].astype(str).isin(["head", "spouse"]).to_numpy()
        return women & has_newborn

    def severity(frame: pd.DataFrame) -> np.ndarray:
        require_columns(frame, ["disability_severity"], "the severe_disability rule")
        return frame["disability_severity"].to_numpy(np.float64) >= severe_disability

    result = [
        entry("children", lambda f: age(f) < child_age, "household"),
        entry("older_persons", lambda f: age(f) >= pensionable_age, "person"),
        entry("severe_disability", severity, "person"),
        entry("mothers_of_newborns", mothers, "person"),
    ]
    if poverty_line is not None:
        line = poverty_line
        result.append(
            entry("poor", lambda f: welfare_of(f, baseline) < np.asarray(line, dtype=np.float64), "household")
        )
        if vulnerability_line is not None:
            upper = vulnerability_line

            def near_poor(frame: pd.DataFrame) -> np.ndarray:
                y = welfare_of(frame, baseline)
                return (y >= np.asarray(line, dtype=np.float64)) & (y < np.asarray(upper, dtype=np.float64))

            result.append(entry("vulnerable", near_poor, "household"))
    return result


def receives(frame: pd.DataFrame, programmes: Sequence[str], scenario: str, receipt: Receipt) -> np.ndarray:
    """One boolean per person: receives (or lives with someone who receives) one of ``programmes``."""
    own = (amounts_of(frame, programmes, scenario) > 0).any(axis=1)
    if receipt == "person":
        return own
    if receipt != "household":
        raise AnalysisError(f"receipt must be 'person' or 'household'; got {receipt!r}.")
    codes, count = household_codes(frame)
    return (np.bincount(codes, weights=own.astype(np.float64), minlength=count) > 0)[codes]


def coverage_table(
    frame: pd.DataFrame,
    scenarios: Sequence[str],
    programmes: Sequence[str],
    contingencies: Sequence[Contingency],
    *,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Effective coverage of each contingency under each scenario, overall and by group (e.g. ``by="sex"``).

    Returns:
        Columns ``scenario``, ``contingency``, the ``by`` columns (``"all"`` on the overall rows, so they are
        strings), ``population`` (persons in the contingency), ``covered`` (of whom receiving), ``coverage``
        (fraction; nan for an empty group).
    """
    keys = as_columns(by)
    require_columns(frame, keys, "coverage_table")
    w = weights_of(frame)
    rows = []
    # who receives depends on the scenario, the programmes and the receipt only: once for every contingency that
    # shares them (a report's 26 population groups all ask the same question of a million persons)
    received: dict[tuple[str, tuple[str, ...], str], np.ndarray] = {}
    for scenario in scenarios:
        for contingency in contingencies:
            members = contingency.mask(frame)
            listed = list(contingency.programmes) if contingency.programmes is not None else list(programmes)
            key = (scenario, tuple(listed), contingency.receipt)
            if key not in received:
                received[key] = receives(frame, listed, scenario, contingency.receipt)
            covered = received[key]
            population, count = w * members, w * (members * covered)  # members: 0/1, or a share on households
            # the overall row summed on the arrays: the same pairwise sums as a DataFrame's, without building
            # one (5 ms at a million persons, times the report's 52 contingency-scenario pairs)
            groups = [({k: TOTAL_LABEL for k in keys}, {"population": population.sum(), "covered": count.sum()})]
            if keys:
                parts = pd.DataFrame({"population": population, "covered": count})
                for column in keys:
                    parts[column] = frame[column].astype("string").to_numpy()
                for labels, sums in parts.groupby(keys, sort=True, dropna=False, observed=True):
                    tags = labels if isinstance(labels, tuple) else (labels,)
                    groups.append((dict(zip(keys, tags, strict=True)), sums[["population", "covered"]].sum()))
            for labels, sums in groups:
                population, count = float(sums["population"]), float(sums["covered"])
                rows.append(
                    {
                        "scenario": scenario,
                        "contingency": contingency.name,
                        **labels,
                        "population": population,
                        "covered": count,
                        "coverage": count / population if population > 0 else float("nan"),
                    }
                )
    return pd.DataFrame.from_records(rows)


def adequacy_table(
    frame: pd.DataFrame, scenarios: Sequence[str], programmes: Sequence[str], line: float | ArrayLike
) -> pd.DataFrame:
    """Benefit levels per beneficiary, relative to the poverty line and to beneficiaries' welfare.

    Args:
        frame: a person frame.
        scenarios, programmes: what to tabulate (a ``"total"`` row sums the programmes).
        line: poverty line per person per month, one number or one per person.

    Returns:
        Columns ``scenario``, ``programme``, ``beneficiaries`` (persons), ``mean_benefit`` (annual per
        beneficiary), ``benefit_to_line`` and ``benefit_to_welfare`` (fractions; see the module docstring).
    """
    w = weights_of(frame)
    z = np.broadcast_to(np.asarray(line, dtype=np.float64), w.shape)
    if not np.isfinite(z).all() or (z <= 0).any():
        raise AnalysisError("the poverty line must be positive and finite.")
    rows = []
    for scenario in scenarios:
        amounts = amounts_of(frame, programmes, scenario)
        y = welfare_of(frame, scenario)
        columns = {name: amounts[:, k] for k, name in enumerate(programmes)}
        columns["total"] = amounts.sum(axis=1)
        for name, amount in columns.items():
            b = amount > 0
            wb = w * b
            persons = float(wb.sum())
            monthly = float(wb @ amount) / MONTHS_PER_YEAR
            rows.append(
                {
                    "scenario": scenario,
                    "programme": name,
                    "beneficiaries": persons,
                    "mean_benefit": float(wb @ amount) / persons if persons > 0 else float("nan"),
                    "benefit_to_line": monthly / float(wb @ z) if persons > 0 else float("nan"),
                    "benefit_to_welfare": monthly / float(wb @ y) if persons > 0 else float("nan"),
                }
            )
    return pd.DataFrame.from_records(rows)
