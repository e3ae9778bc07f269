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

from .compact import Collapse, first_rows, recipients_of
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
    collapsed: Collapse | None = None,
) -> pd.DataFrame:
    """Inclusion and exclusion errors of each programme (and of all together, ``"total"``) against ``target``.

    Args:
        frame: a person frame.
        scenarios, programmes: what to tabulate.
        target: a boolean column of the frame or one boolean per person (e.g. baseline welfare below the line).
        receipt: ``"person"`` (own amount > 0) or ``"household"`` (anyone in the household receives).
        collapsed: the frame's ``compact_frame`` when the caller built it (a report). With household receipt and a
            target constant within households (the poor), every figure is then a sum over households of
            W_h = Σ_{i in h} w_i times a household value (receives, in the target, mean amount), equal to the
            person sums to rounding (tested to 1e-10); otherwise the person frame is used.

    Returns:
        Columns ``scenario``, ``programme``, ``target_population``, ``beneficiaries``,
        ``target_beneficiaries``, ``inclusion_error``, ``exclusion_error``, ``leakage`` (see the module
        docstring for the denominators).
    """
    w = weights_of(frame)
    in_target = _target_mask(frame, target)
    if collapsed is not None and receipt == "household":
        compact, codes = collapsed
        first = first_rows(codes, len(compact))
        if np.array_equal(in_target[first][codes], in_target):  # the target is a household attribute: exact
            return _table(compact, weights_of(compact), in_target[first], scenarios, programmes, None)
    return _table(frame, w, in_target, scenarios, programmes, receipt)


def _table(frame: pd.DataFrame, w: np.ndarray, in_target: np.ndarray, scenarios: Sequence[str],
           programmes: Sequence[str], receipt: Receipt | None) -> pd.DataFrame:
    """The rows of :func:`targeting_table` on persons (``receipt`` given) or on the compact frame (``receipt`` None:
    a household receives when the share of its members receiving, ``recipients_<p>_<s>``, is > 0)."""

    def total(values: np.ndarray) -> float:
        # Σ w x by numpy's pairwise sum: w @ x with a boolean x takes numpy's generic matmul loop, 50 times slower
        return float(np.sum(w * values))

    target_population = total(in_target)
    rows = []
    for scenario in scenarios:
        amounts = amounts_of(frame, programmes, scenario)
        recipients = None if receipt is not None else recipients_of(frame, amounts, list(programmes), scenario) > 0
        for name, listed in [*((p, [p]) for p in programmes), ("total", list(programmes))]:
            columns = [programmes.index(p) for p in listed]
            if recipients is None:
                b = receives(frame, listed, scenario, receipt)  # type: ignore[arg-type]
            else:
                b = recipients[:, columns].any(axis=1)
            amount = amounts[:, columns].sum(axis=1)
            beneficiaries = total(b)
            hits = total(b & in_target)
            spending = total(amount)
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
                    "leakage": total(amount * ~in_target) / spending if spending > 0 else float("nan"),
                }
            )
    return pd.DataFrame.from_records(rows)
