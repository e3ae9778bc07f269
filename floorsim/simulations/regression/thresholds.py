"""``floorsim diff --fail-if``: thresholds on the change of a figure between two versions of a package.

``FIGURE:abs>X`` compares the absolute change in the figure's own units (fractions for rates) with X;
``FIGURE:rel>X`` compares |change| / |OLD value| with X (a figure moving away from 0 has an infinite relative
change).
"""

from __future__ import annotations

import dataclasses
import math
import re

from floorsim.simulations.regression.errors import DiffError


@dataclasses.dataclass(frozen=True)
class Threshold:
    """``FIGURE:rel>X`` or ``FIGURE:abs>X``: fail when the change of FIGURE exceeds X (relative or absolute)."""

    figure: str
    kind: str  # "rel" or "abs"
    limit: float

    @property
    def text(self) -> str:
        return f"{self.figure}:{self.kind}>{self.limit:g}"


THRESHOLD_PATTERN = re.compile(r"^\s*(?P<figure>[A-Za-z0-9_]+)\s*:\s*(?P<kind>rel|abs)\s*>\s*(?P<limit>[-+0-9.eE]+)\s*$")


def parse_threshold(text: str) -> Threshold:
    """Read ``total_cost:rel>0.05`` or ``poverty_headcount:abs>0.005``."""
    match = THRESHOLD_PATTERN.match(text)
    if not match:
        raise DiffError(
            f"--fail-if '{text}': write FIGURE:rel>X or FIGURE:abs>X, e.g. total_cost:rel>0.05 or "
            "poverty_headcount:abs>0.005"
        )
    try:
        limit = float(match["limit"])
    except ValueError:
        raise DiffError(f"--fail-if '{text}': '{match['limit']}' is not a number") from None
    if limit < 0 or math.isnan(limit):
        raise DiffError(f"--fail-if '{text}': the threshold must be a non-negative number")
    return Threshold(match["figure"], match["kind"], limit)


def evaluate_thresholds(report: dict, thresholds: list[Threshold]) -> list[dict]:
    """One row per (threshold, period): the measured change and whether it breaches the threshold."""
    rows = []
    for threshold in thresholds:
        for period, impact in report["impact"].items():
            figures = impact["figures"]
            if threshold.figure not in figures:
                raise DiffError(
                    f"--fail-if {threshold.text}: no figure '{threshold.figure}'; figures are "
                    f"{', '.join(figures)}"
                )
            figure = figures[threshold.figure]
            if figure["change"] is None:
                measured = None
            elif threshold.kind == "abs":
                measured = abs(figure["change"])
            else:
                measured = abs(figure["relative_change"]) if figure["relative_change"] is not None else (
                    math.inf if figure["change"] else 0.0
                )
            rows.append(
                {
                    "threshold": threshold.text,
                    "period": period,
                    "measured": measured,
                    "breached": measured is not None and measured > threshold.limit,
                }
            )
    return rows
