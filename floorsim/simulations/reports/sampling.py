"""The sampling design behind every standard error of a report: strata, PSUs and (optionally) Rao–Wu bootstrap
replicate weights, re-calibrated to the survey's margins when the survey records its calibration, with what was
done about strata holding a single PSU."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from floorsim.indicators import ReplicateWeights, SurveyDesign, rao_wu_bootstrap, recalibrate
from floorsim.simulations.analysis.frame import design_from_frame
from floorsim.simulations.analysis.uncertainty import CalibrationStatus, survey_recalibration
from floorsim.surveys.model import Survey

DEFAULT_REPLICATES = 200
# Re-calibrated replicates are held as one weight per replicate and household (R × H float64, and the raking of
# each replicate over the H × K calibration matrix): up to 50 million weights (400 MB; 200 replicates of 250,000
# households, a survey of about 1.4 million persons). Beyond, the replicates are not re-calibrated and the method
# section says so (status "too_large"): at 10 million persons they would need 2.9 GB and minutes.
MAX_RECALIBRATED_WEIGHTS = 50_000_000


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
    calibration: CalibrationStatus = "none"

    @property
    def description(self) -> dict:
        """What the standard errors account for, for ``summary.json`` (method, replicates, seed, design, and the
        calibration the replicates were re-calibrated to, if any)."""
        replicated = self.replicates is not None
        return {
            "method": "rao_wu_bootstrap" if replicated else "taylor_linearisation",
            "replicates": self.replicates.n_sets if replicated else 0,
            "seed": self.seed if replicated else None,
            "strata": self.strata,
            "psus": self.psus,
            "lonely_strata": self.lonely_strata,
            "lonely_rule": self.lonely_rule,
            "calibration": self.calibration,
            "recalibrated_to": self.replicates.calibration if replicated else None,
            "changes": "paired: baseline and reform on the same replicate weights",
        }

    @property
    def variance(self) -> dict:
        """Keyword arguments of the analysis layer's estimators."""
        return {"replicates": self.replicates} if self.replicates is not None else {"design": self.design}


def survey_uncertainty(
    frame: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = 0, survey: Survey | None = None
) -> Uncertainty:
    """The frame's design (``stratum``, ``psu``, else households as PSUs) and ``replicates`` Rao–Wu bootstrap
    replicates (0: Taylor linearisation). Strata with a single PSU are pooled into one pseudo-stratum when there
    are two or more of them, and treated as certainty units when there is one (``survey_uncertainty`` never
    refuses a survey; the method section says what was done). When ``survey`` records its calibration and the
    frame's weights meet it, every replicate is re-calibrated to the same margins (``docs/indicators.md``,
    "Calibration-aware replicates"); the result's ``calibration`` says whether that was done and why not."""
    if replicates < 0:
        raise ValueError(f"replicates must be 0 (linearisation) or more; got {replicates}")
    key = _design_key(frame, replicates, seed, survey)
    for held_key, held in _RECENT:
        if held_key == key:
            return held
    uncertainty = _survey_uncertainty(frame, replicates, seed, survey)
    _RECENT[:] = [(key, uncertainty), *_RECENT[: _RECENT_SIZE - 1]]
    return uncertainty


# The last few designs with their replicate weights: a session that runs reform after reform on one survey (the
# web app, variants, several reforms of one run) draws and re-calibrates the replicates once. The key holds a
# digest of everything they depend on (households, weights, strata, PSUs, replicates, seed, the survey's recorded
# calibration), so a changed input never reuses them.
_RECENT: list[tuple[tuple, Uncertainty]] = []
_RECENT_SIZE = 1  # one design: a large survey's replicate matrix is not kept twice


def _design_key(frame: pd.DataFrame, replicates: int, seed: int, survey: Survey | None) -> tuple:
    """What the design and its replicate weights depend on, as a hashable key (a digest of the frame's columns)."""
    columns = [c for c in ("household_id", "weight", "household_weight", "stratum", "psu") if c in frame.columns]
    digest = hashlib.blake2b(digest_size=16)
    for column in columns:
        digest.update(column.encode())
        digest.update(pd.util.hash_pandas_object(frame[column], index=False).to_numpy().tobytes())
    calibration = None
    if survey is not None and survey.metadata.calibration:
        calibration = json.dumps(survey.metadata.calibration, sort_keys=True, default=str)
        digest.update(pd.util.hash_pandas_object(survey.households, index=False).to_numpy().tobytes())
        if isinstance(survey, Survey):
            digest.update(pd.util.hash_pandas_object(survey.persons, index=False).to_numpy().tobytes())
        else:  # a streamed survey: its persons are those of its folder (and its weights are in its households)
            digest.update(f"{survey.origin}|{survey.money_factor!r}".encode())
    return (digest.hexdigest(), len(frame), int(replicates), int(seed), calibration)


def _survey_uncertainty(
    frame: pd.DataFrame, replicates: int, seed: int, survey: Survey | None
) -> Uncertainty:
    """:func:`survey_uncertainty` without its cache."""
    psu = frame["psu"] if "psu" in frame.columns else frame["household_id"]
    stratum = frame["stratum"] if "stratum" in frame.columns else pd.Series(0, index=frame.index)
    per_stratum = pd.DataFrame({"stratum": stratum.to_numpy(), "psu": psu.to_numpy()}).drop_duplicates()
    counts = per_stratum.groupby("stratum").size()
    lonely = int((counts == 1).sum())
    rule = "raise" if lonely == 0 else ("pool" if lonely >= 2 else "certainty")
    design = design_from_frame(frame, rule)
    weights = rao_wu_bootstrap(design, replicates, seed) if replicates > 0 else None
    households = int(frame["household_id"].nunique())
    if (weights is not None and survey is not None and survey.metadata.calibration
            and weights.n_sets * households > MAX_RECALIBRATED_WEIGHTS):
        recalibration, status = None, "too_large"  # said in the method section: SEs of calibrated totals overstated
    else:
        recalibration, status = survey_recalibration(frame, survey)
    if weights is not None and recalibration is not None:
        weights = recalibrate(weights, recalibration)
    return Uncertainty(design, weights, int(counts.size), len(per_stratum), lonely, rule, seed, status)


def household_uncertainty(frame: pd.DataFrame, replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                          survey=None) -> Uncertainty:
    """:func:`survey_uncertainty` of a compact frame (one row per household standing for its n_h persons,
    ``analysis.compact``; a streamed run's report): the same design, replicates and re-calibration as the person
    frame's, collapsed to households.

    The households are drawn and re-calibrated as households (weight w_h: they are the survey's calibration units),
    then each row is made to stand for its persons: weight W_h = w_h n_h, replicate weight w_rh n_h (the sum of its
    members' replicate weights, as ``ReplicateWeights.collapsed`` gives from persons), and the design for
    linearisation weighted by W_h. Rao–Wu draws depend on the PSUs and strata only, so the replicates are those of
    the person frame with the same seed (tested)."""
    households = frame[[c for c in ("household_id", "household_weight", "stratum", "psu") if c in frame.columns]]
    households = households.assign(weight=frame["household_weight"].to_numpy(np.float64))
    drawn = survey_uncertainty(households, replicates, seed, survey)
    persons = frame["persons"].to_numpy(np.float64)
    weights = drawn.replicates
    if weights is not None:
        if weights.matrix is not None and weights.unit_index is None:
            raise ValueError("replicate weights given row by row cannot be collapsed to a compact frame")
        scale = None
        if weights.matrix is not None:
            scale = persons if weights.unit_scale is None else weights.unit_scale * persons
        weights = replace(weights, base_weights=weights.base_weights * persons, unit_scale=scale)
    design = design_from_frame(frame[[c for c in ("household_id", "weight", "stratum", "psu") if c in frame.columns]],
                               drawn.lonely_rule)
    return replace(drawn, design=design, replicates=weights)
