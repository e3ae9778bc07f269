"""Targeting performance against a target group: inclusion and exclusion errors, leakage of spending.

With T the target group (e.g. the poor, or the eligible under the rules), B the beneficiaries, w person weights
and a the annual attributed amount:

* **inclusion error** = Σ w 1[B, not T] / Σ w 1[B] — the share of *beneficiaries* who are not in the target
  group (denominator: beneficiaries; Cornia & Stewart 1993's "E-mistakes");
* **exclusion error** = Σ w 1[T, not B] / Σ w 1[T] — the share of the *target group* not receiving
  (denominator: the target group; "F-mistakes", undercoverage); 1 − exclusion error is the target group's
  coverage;
* **leakage** = Σ w a 1[not T] / Σ w a — the share of *spending* received outside the target group (the money
  counterpart of the inclusion error; Coady, Grosh & Hoddinott 2004). Some authors use "leakage" for the
  inclusion error in numbers; here it is always a share of money.

Note that the two errors have different denominators, so they do not add up to anything meaningful; a
programme can halve its exclusion error while its inclusion error rises.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .coverage import Receipt, receives
from .errors import AnalysisError
from .frame import amounts_of, require_columns, weights_of


def _target_mask(frame: pd.DataFrame, target: str | ArrayLike) -> np.ndarray:
    if isinstance(target, str):
        require_columns(frame, [target], "targeting_table")
        flags = frame[target].to_numpy()
    else:
        flags = np.asarray(target)
    if flags.dtype != np.bool_ or flags.shape != (len(frame),):
        raise AnalysisError("target must be a boolean column name or one boolean per person.")
    return flags


def targeting_table(
    frame: pd.DataFrame,
    scenarios: Sequence[str],
    programmes: Sequence[str],
    target: str | ArrayLike,
    *,
    receipt: Receipt = "person",
) -> pd.DataFrame:
    """Inclusion and exclusion errors of each programme (and of all together, ``"total"``) against ``target``.

    Args:
        frame: a person frame.
        scenarios, programmes: what to tabulate.
        target: a boolean column of the frame or one boolean per person (e.g. baseline welfare below the line).
        receipt: ``"person"`` (own amount > 0) or ``"household"`` (anyone in the household receives).

    Returns:
        Columns ``scenario``, ``programme``, ``target_population``, ``beneficiaries``,
        ``target_beneficiaries``, ``inclusion_error``, ``exclusion_error``, ``leakage`` (see the module
        docstring for the denominators).
    """
    w = weights_of(frame)
    in_target = _target_mask(frame, target)
    target_population = float(w @ in_target)
    rows = []
    for scenario in scenarios:
        amounts = amounts_of(frame, programmes, scenario)
        for name, listed in [*((p, [p]) for p in programmes), ("total", list(programmes))]:
            b = receives(frame, listed, scenario, receipt)
            amount = amounts[:, [programmes.index(p) for p in listed]].sum(axis=1)
            beneficiaries = float(w @ b)
            hits = float(w @ (b & in_target))
            spending = float(w @ amount)
            rows.append(
                {
                    "scenario": scenario,
                    "programme": name,
                    "target_population": target_population,
                    "beneficiaries": beneficiaries,
                    "target_beneficiaries": hits,
                    "inclusion_error": (beneficiaries - hits) / beneficiaries if beneficiaries > 0 else float("nan"),
                    "exclusion_error": (target_population - hits) / target_population
                    if target_population > 0
                    else float("nan"),
                    "leakage": float(w @ (amount * ~in_target)) / spending if spending > 0 else float("nan"),
                }
            )
    return pd.DataFrame.from_records(rows)
