"""Programme cost and beneficiaries: money, % of GDP, % of government expenditure, per beneficiary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .compact import PERSONS, recipients_any_column, recipients_column
from .errors import AnalysisError
from .frame import amount_column, amounts_of, household_weights, programmes_in, weights_of

TOTAL_PROGRAMME = "total"


def _per_scenario(value: float | Mapping[str, float] | None, scenario: str, name: str) -> float:
    """A macro aggregate for one scenario: one number for all, or one per scenario (nan when not given)."""
    if value is None:
        return float("nan")
    number = value[scenario] if isinstance(value, Mapping) else value
    if not np.isfinite(number) or number <= 0:
        raise AnalysisError(f"{name} must be a positive number; got {number!r} for scenario {scenario!r}.")
    return float(number)


def cost_shares(cost: float, gdp: float, government_expenditure: float) -> dict[str, float]:
    """``cost_share_gdp`` = cost / GDP and ``cost_share_expenditure`` = cost / general government expenditure:
    fractions (0.0082 = 0.82 %), GDP and expenditure annual, in the currency and year of the cost; nan where a
    denominator is nan (not known)."""
    return {"cost_share_gdp": cost / gdp, "cost_share_expenditure": cost / government_expenditure}


def cost_table(
    frame: pd.DataFrame,
    scenarios: Sequence[str],
    programmes: Sequence[str],
    *,
    gdp: float | Mapping[str, float] | None = None,
    government_expenditure: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Annual cost and beneficiaries of each programme and of all of them together, for each scenario.

    With a_ip the annual amount attributed to person i (see ``frame``), w_i the person weight, and households
    weighted by their household weight W_h:

    * ``cost`` = Σ_i w_i a_ip (currency per year; equals the household-level total, see
      ``attribute_household_amounts``); the ``"total"`` row sums the programmes (no double counting);
    * ``cost_share_gdp`` = cost / GDP, ``cost_share_expenditure`` = cost / general government expenditure
      (fractions; GDP and expenditure are annual, same currency and year, given by the caller — ILO RAP and
      the SPF calculator express costs this way);
    * ``beneficiaries`` = Σ_i w_i 1[a_ip > 0] (persons; for household-level benefits, every member of a
      recipient household); ``beneficiary_households`` = Σ_h W_h 1[some member has a_ip > 0];
      for ``"total"``, persons (households) receiving at least one of the programmes;
    * ``cost_per_beneficiary`` = cost / beneficiaries, ``cost_per_beneficiary_household`` = cost /
      beneficiary_households (currency per year).

    Args:
        frame: a person frame.
        scenarios: scenarios to cost.
        programmes: the programmes (``amount_<programme>_<scenario>`` columns).
        gdp, government_expenditure: one number, or ``{scenario: number}`` (e.g. different years); optional.

    Returns:
        Columns ``scenario``, ``programme``, ``cost``, ``cost_share_gdp``, ``cost_share_expenditure``,
        ``beneficiaries``, ``beneficiary_households``, ``cost_per_beneficiary``,
        ``cost_per_beneficiary_household``; one row per (scenario, programme) and a ``"total"`` row.
    """
    if not programmes:
        raise AnalysisError("cost_table needs at least one programme.")
    w = weights_of(frame)
    codes, hh_weight = household_weights(frame)
    rows = []
    for scenario in scenarios:
        amounts = amounts_of(frame, programmes, scenario)
        gdp_s = _per_scenario(gdp, scenario, "gdp")
        spend_s = _per_scenario(government_expenditure, scenario, "government_expenditure")
        columns = {name: amounts[:, k] for k, name in enumerate(programmes)}
        columns[TOTAL_PROGRAMME] = amounts.sum(axis=1)
        receives_any = (amounts > 0).any(axis=1)
        shares = _recipient_shares(frame, programmes, scenario)
        for name, amount in columns.items():
            receives = receives_any if name == TOTAL_PROGRAMME else amount > 0
            cost = float(w @ amount)
            persons = float(w @ receives) if shares is None else float(w @ shares[name])
            household_receives = np.bincount(codes, weights=receives.astype(np.float64), minlength=hh_weight.size) > 0
            households = float(hh_weight @ household_receives)
            rows.append(
                {
                    "scenario": scenario,
                    "programme": name,
                    "cost": cost,
                    **cost_shares(cost, gdp_s, spend_s),
                    "beneficiaries": persons,
                    "beneficiary_households": households,
                    "cost_per_beneficiary": cost / persons if persons > 0 else float("nan"),
                    "cost_per_beneficiary_household": cost / households if households > 0 else float("nan"),
                }
            )
    return pd.DataFrame.from_records(rows)


def _recipient_shares(frame: pd.DataFrame, programmes: Sequence[str], scenario: str) -> dict[str, np.ndarray] | None:
    """On a compact frame (``analysis.compact``: one row per household, weight w_h n_h), the share of each row's
    persons receiving each programme and any of them (``"total"``), so that beneficiaries Σ_h W_h r_h count
    persons as on the person frame; None on a person frame (a person receives when their amount is > 0).

    Raises:
        AnalysisError: a compact frame whose programmes outside ``programmes`` pay something in ``scenario``: its
            share receiving any programme counts them too, so the total of a subset is not known.
    """
    if PERSONS not in frame.columns:
        return None
    shares = {p: frame[recipients_column(p, scenario)].to_numpy(np.float64) for p in programmes}
    others = [amount_column(p, scenario) for p in programmes_in(frame) if p not in programmes]
    others = [c for c in others if c in frame.columns]
    if others and (frame[others].to_numpy(np.float64) > 0).any():
        raise AnalysisError(f"on a compact frame the beneficiaries of programmes {list(programmes)} together need "
                            f"the person frame: other programmes ({others}) pay something too.")
    shares[TOTAL_PROGRAMME] = frame[recipients_any_column(scenario)].to_numpy(np.float64)
    return shares
