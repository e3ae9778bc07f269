"""The sampling design behind every standard error of a report: strata, PSUs and (optionally) Rao–Wu bootstrap
replicate weights, with what was done about strata holding a single PSU."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators import ReplicateWeights, SurveyDesign, rao_wu_bootstrap
from simulations.analysis.frame import design_from_frame

DEFAULT_REPLICATES = 200


@dataclass(frozen=True)
class Uncertainty:
    """The design and (optionally) replicate weights used for every standard error of a report."""

    design: SurveyDesign
    replicates: ReplicateWeights | None
    strata: int
    psus: int
    lonely_strata: int
    lonely_rule: str
    seed: int

    @property
    def variance(self) -> dict:
        """Keyword arguments of the analysis layer's estimators."""
        return {"replicates": self.replicates} if self.replicates is not None else {"design": self.design}


def survey_uncertainty(frame: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = 0) -> Uncertainty:
    """The frame's design (``stratum``, ``psu``, else households as PSUs) and ``replicates`` Rao–Wu bootstrap
    replicates (0: Taylor linearisation). Strata with a single PSU are pooled into one pseudo-stratum when there
    are two or more of them, and treated as certainty units when there is one (``survey_uncertainty`` never
    refuses a survey; the method section says what was done)."""
    if replicates < 0:
        raise ValueError(f"replicates must be 0 (linearisation) or more; got {replicates}")
    psu = frame["psu"] if "psu" in frame.columns else frame["household_id"]
    stratum = frame["stratum"] if "stratum" in frame.columns else pd.Series(0, index=frame.index)
    per_stratum = pd.DataFrame({"stratum": stratum.to_numpy(), "psu": psu.to_numpy()}).drop_duplicates()
    counts = per_stratum.groupby("stratum").size()
    lonely = int((counts == 1).sum())
    rule = "raise" if lonely == 0 else ("pool" if lonely >= 2 else "certainty")
    design = design_from_frame(frame, rule)
    weights = rao_wu_bootstrap(design, replicates, seed) if replicates > 0 else None
    return Uncertainty(design, weights, int(counts.size), len(per_stratum), lonely, rule, seed)
