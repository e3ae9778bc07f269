"""Benefit and beneficiary incidence by quintile (World Bank ASPIRE; CEQ Handbook)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .frame import amounts_of, weights_of
from .groups import group_labels, welfare_groups


def incidence_table(
    frame: pd.DataFrame,
    scenarios: Sequence[str],
    programmes: Sequence[str],
    *,
    ranking: str,
    n_groups: int = 5,
) -> pd.DataFrame:
    """Who receives and who gets the money, by quantile group of a welfare ranking.

    People are put in person-weighted quantile groups of ``welfare_<ranking>`` (``welfare_groups``; ASPIRE
    ranks by post-transfer welfare, the CEQ Handbook by pre-fiscal income: the caller chooses, e.g. the
    baseline or a ``welfare_pretransfer`` column). For each scenario, programme (and ``"total"``: any
    programme) and group q, with a_i the annual attributed amount and b_i = 1[a_i > 0]:

    * ``benefit_share`` = Σ_q w a / Σ w a (benefit incidence; sums to 1 over the groups);
    * ``beneficiary_share`` = Σ_q w b / Σ w b (beneficiary incidence; sums to 1);
    * ``coverage`` = Σ_q w b / Σ_q w (share of the group receiving);
    * ``population`` = Σ_q w.

    Returns:
        Columns ``scenario``, ``programme``, ``quintile`` (ordered categorical "1".."n", 1 = poorest),
        ``population``, ``benefit_share``, ``beneficiary_share``, ``coverage``.
    """
    w = weights_of(frame)
    group = welfare_groups(frame, ranking, n_groups)
    population = np.bincount(group - 1, weights=w, minlength=n_groups)
    labels = group_labels(np.arange(1, n_groups + 1), n_groups, total=False)
    tables = []
    for scenario in scenarios:
        amounts = amounts_of(frame, programmes, scenario)
        columns = {name: amounts[:, k] for k, name in enumerate(programmes)}
        columns["total"] = amounts.sum(axis=1)
        receives_any = (amounts > 0).any(axis=1)
        for name, amount in columns.items():
            b = receives_any if name == "total" else amount > 0
            money = np.bincount(group - 1, weights=w * amount, minlength=n_groups)
            persons = np.bincount(group - 1, weights=w * b, minlength=n_groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                tables.append(
                    pd.DataFrame(
                        {
                            "scenario": scenario,
                            "programme": name,
                            "quintile": labels,
                            "population": population,
                            "benefit_share": money / money.sum(),
                            "beneficiary_share": persons / persons.sum(),
                            "coverage": persons / population,
                        }
                    )
                )
    return pd.concat(tables, ignore_index=True)
