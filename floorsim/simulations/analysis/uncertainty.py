"""Reform tables with standard errors and confidence intervals: levels and reform-minus-baseline changes.

Everything here builds ``floorsim.indicators`` statistics on person-frame columns and hands them to
``estimate_table``; the variance comes from replicate weights (Rao–Wu bootstrap by default, or the survey's own)
or from linearisation (``design=``). Changes are paired: baseline and reform are estimated on the same replicate
weights (or their linearised variables are differenced), so their covariance — large, because it is the same
sample — is accounted for. Replicates re-weight the existing output; nothing is simulated again.

Quantile groups (deciles) are fixed at their full-sample cut-points: a decile's SE is conditional on who is in
the decile, the usual practice for distributional tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from floorsim.indicators import (
    FGT,
    IndicatorError,
    Gini,
    LonelyPsuRule,
    Mean,
    Proportion,
    Ratio,
    Recalibration,
    RelativeLine,
    ReplicateWeights,
    Statistic,
    SurveyDesign,
    Total,
    brr,
    estimate_table,
    jackknife,
    rao_wu_bootstrap,
    recalibrate,
)
from floorsim.surveys.calibration import CalibrationError
from floorsim.surveys.model import Survey
from floorsim.surveys.recorded_calibration import recorded_system

from .compact import Collapse, compact_of
from .distribution import ThresholdKind, gain_status
from .errors import AnalysisError
from .frame import amounts_of, design_from_frame, frame_recalibration, require_columns, weights_of, welfare_of
from .groups import TOTAL_LABEL, as_columns, welfare_groups

Line = float | ArrayLike | Statistic
LineSpec = Line | Mapping[str, Line]
StatisticsFactory = Callable[[np.ndarray | None], Mapping[str, Statistic]]


def frame_replicates(
    frame: pd.DataFrame,
    *,
    method: Literal["bootstrap", "jackknife", "brr"] = "bootstrap",
    replicates: int = 200,
    seed: int | None = None,
    lonely_psu: LonelyPsuRule = "raise",
    recalibration: Recalibration | None = None,
) -> ReplicateWeights:
    """Replicate weights for a person frame's design (``stratum``, ``psu`` or households, ``weight``).

    ``method="bootstrap"`` is the Rao–Wu rescaling bootstrap with ``replicates`` replicates and an explicit
    ``seed``; ``"jackknife"`` is delete-one-PSU (one replicate per PSU); ``"brr"`` needs 2 PSUs per stratum.
    With ``recalibration`` (see :func:`survey_recalibration`), every replicate is re-calibrated to the survey's
    margins (``floorsim.indicators.recalibrate``), so the standard errors are those of the calibrated estimator.
    """
    design = design_from_frame(frame, lonely_psu)
    if method == "bootstrap":
        weights = rao_wu_bootstrap(design, replicates, seed)
    elif method == "jackknife":
        weights = jackknife(design)
    elif method == "brr":
        weights = brr(design)
    else:
        raise AnalysisError(f"method must be 'bootstrap', 'jackknife' or 'brr'; got {method!r}.")
    return weights if recalibration is None else recalibrate(weights, recalibration)


CalibrationStatus = Literal["recalibrated", "none", "not_met", "too_large"]


def survey_recalibration(frame: pd.DataFrame, survey: Survey | None) -> tuple[Recalibration | None, CalibrationStatus]:
    """The survey's recorded calibration on the frame, and what it is: ``"recalibrated"`` (replicates will be
    re-calibrated to it), ``"none"`` (the survey records no calibration, or no survey is in memory) or
    ``"not_met"`` (the frame's weights do not meet the recorded margins, e.g. a run reweighted to another
    year's population: re-calibrating to the survey's margins would be wrong, so replicates are not)."""
    if survey is None:
        return None, "none"
    system = recorded_system(survey)
    if system is None:
        return None, "none"
    try:
        return frame_recalibration(frame, system), "recalibrated"
    except (AnalysisError, CalibrationError):
        return None, "not_met"


def compacted(
    frame: pd.DataFrame, replicates: ReplicateWeights | None, collapsed: Collapse | None = None
) -> tuple[pd.DataFrame, ReplicateWeights | None]:
    """The frame and replicates to estimate welfare statistics on: with replicate weights, persons collapsed to
    households (``analysis.compact``: one row per household, weight w_h × n_h, replicate weights summed over
    members), which gives the same estimates and replicate estimates on about n / H times fewer rows; the person
    frame as it is without replicates (linearisation is already one pass) or when members differ in weight or
    welfare (the collapse would not be exact)."""
    if replicates is None:
        return frame, None
    try:
        compact, codes = compact_of(frame, collapsed)
        return compact, replicates.collapsed(codes)
    except (AnalysisError, IndicatorError):
        return frame, replicates


def compacted_variance(
    frame: pd.DataFrame, variance: Mapping[str, object], *, linearisation_exact: bool = True,
    collapsed: Collapse | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The frame and variance keywords (``{"replicates": ...}`` or ``{"design": ...}``) to estimate welfare
    statistics on: persons collapsed to households (``analysis.compact``) with the replicates collapsed
    (:func:`compacted`) or, for Taylor linearisation, the design collapsed (``SurveyDesign.collapsed``: a
    household weighs w_h n_h and keeps its PSU, so every PSU total Σ w_i z_i is the same when z is constant
    within households, which holds for totals, means, ratios, FGT with a fixed line and the Gini, whose
    influence takes midpoint ranks over tied values).

    ``linearisation_exact`` False keeps the person frame for linearisation: a relative line's (median's)
    influence uses a kernel density whose bandwidth depends on the number of rows, so it is not the same on
    households. The person frame is kept too when members differ in weight, welfare or PSU. ``collapsed``: the
    frame's ``compact_frame`` if already built."""
    replicates = variance.get("replicates")
    if replicates is not None:
        compact, shrunk = compacted(frame, replicates, collapsed)  # type: ignore[arg-type]
        return compact, {**variance, "replicates": shrunk}
    design = variance.get("design")
    if design is None or not linearisation_exact:
        return frame, dict(variance)
    try:
        compact, codes = compact_of(frame, collapsed)
        return compact, {**variance, "design": design.collapsed(codes)}  # type: ignore[attr-defined]
    except (AnalysisError, IndicatorError):
        return frame, dict(variance)


def relative_line_statistics(
    frame: pd.DataFrame,
    scenarios: Sequence[str],
    *,
    share: float,
    statistic: Literal["median", "mean"],
    anchor: Literal["scenario", "baseline"],
    baseline: str = "baseline",
) -> dict[str, RelativeLine]:
    """Relative lines as statistics (re-estimated in every replicate), per scenario or anchored at the baseline."""
    if anchor == "baseline":
        line = RelativeLine(welfare_of(frame, baseline), share, statistic)
        return {s: line for s in scenarios}
    if anchor != "scenario":
        raise AnalysisError(f"anchor must be 'scenario' or 'baseline'; got {anchor!r}.")
    return {s: RelativeLine(welfare_of(frame, s), share, statistic) for s in scenarios}


def _line_for(line: LineSpec, scenario: str) -> Line:
    if isinstance(line, Mapping):
        if scenario not in line:
            raise AnalysisError(f"no poverty line for scenario {scenario!r}; lines given for {list(line)}.")
        return line[scenario]
    return line


def frame_statistics(
    frame: pd.DataFrame,
    scenario: str,
    *,
    line: LineSpec,
    programmes: Sequence[str] = (),
    domain: np.ndarray | None = None,
) -> dict[str, Statistic]:
    """Poverty, inequality and cost of one scenario from a person frame alone, as statistics.

    Names follow the headline (``floorsim.simulations.analysis.headline``) where the definition is the same:
    ``poverty_headcount``, ``poverty_gap``, ``squared_poverty_gap`` (fractions), ``gini``, ``mean_welfare``
    (per person per month), ``<programme>_cost`` (currency per year). Two figures exist only here, so they have
    their own names: ``programmes_cost`` (the sum of the ``programmes`` given, currency per year; the headline's
    ``total_cost`` is the country's transfers variable) and ``persons_receiving`` (persons with an amount of any
    of them).
    """
    y = welfare_of(frame, scenario)
    z = _line_for(line, scenario)
    stats: dict[str, Statistic] = {
        "poverty_headcount": FGT(y, z, 0, domain),
        "poverty_gap": FGT(y, z, 1, domain),
        "squared_poverty_gap": FGT(y, z, 2, domain),
        "gini": Gini(y, domain),
        "mean_welfare": Mean(y, domain),
    }
    if programmes:
        amounts = amounts_of(frame, programmes, scenario)
        for k, programme in enumerate(programmes):
            stats[f"{programme}_cost"] = Total(amounts[:, k], domain)
        stats["programmes_cost"] = Total(amounts.sum(axis=1), domain)
        stats["persons_receiving"] = Total((amounts > 0).any(axis=1).astype(np.float64), domain)
    return stats


def scenario_estimates(
    frame: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    statistics: Callable[[str], Mapping[str, Statistic]],
    *,
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Levels for every scenario and paired changes (scenario − baseline) for any set of statistics.

    Args:
        frame: a person frame.
        baseline: the reference scenario of the changes.
        scenarios: the scenarios (the baseline is added first if missing).
        statistics: ``scenario -> {indicator: Statistic}``; every scenario must give the same indicator names.
        design, replicates, level: as for ``floorsim.indicators.estimate``.

    Returns:
        Columns ``indicator``, ``scenario``, ``measure`` (``"level"`` or ``"change"``), ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``level``, ``method``, ``replicates``.
    """
    names = [baseline, *[s for s in scenarios if s != baseline]]
    per_scenario = {s: dict(statistics(s)) for s in names}
    base = per_scenario[baseline]
    rows: list[tuple[dict[str, object], Statistic]] = []
    for indicator in base:
        for s in names:
            if indicator not in per_scenario[s]:
                raise AnalysisError(f"scenario {s!r} has no statistic {indicator!r}.")
            rows.append(({"indicator": indicator, "scenario": s, "measure": "level"}, per_scenario[s][indicator]))
        for s in names[1:]:
            change = per_scenario[s][indicator] - base[indicator]
            rows.append(({"indicator": indicator, "scenario": s, "measure": "change"}, change))
    return estimate_table(rows, design=design, replicates=replicates, level=level)


def headline_estimates(
    frame: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    *,
    line: LineSpec,
    programmes: Sequence[str] = (),
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Poverty, inequality and cost (``frame_statistics``) with SEs and CIs, for levels and changes.

    ``line`` is a number or one number per person (fixed lines), a ``RelativeLine`` (re-estimated in every
    replicate), or ``{scenario: line}`` (see ``relative_line_statistics``). The poverty line is in the unit
    of welfare (per person per month). The Gini and relative-line poverty have no linearisation-free
    shortcut: they use replicates when given, otherwise their linearised variables.
    """
    return scenario_estimates(
        frame,
        baseline,
        scenarios,
        lambda s: frame_statistics(frame, s, line=line, programmes=programmes),
        design=design,
        replicates=replicates,
        level=level,
    )


def by_group_estimates(
    frame: pd.DataFrame,
    groups: str | Sequence[str],
    statistics: StatisticsFactory,
    *,
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
    total: bool = True,
) -> pd.DataFrame:
    """Any statistics by population group, with SEs (domain estimation: group sizes re-estimated too).

    Args:
        frame: a person frame.
        groups: grouping column(s).
        statistics: ``domain -> {indicator: Statistic}``: a function of a boolean domain mask (``None`` for
            everybody) returning the statistics restricted to it, e.g.
            ``lambda d: {"headcount": FGT(y, line, 0, d), "gini": Gini(y, d)}``. Lines and other national
            quantities should be built outside it so every group uses the same (national) one.
        total: add rows for the whole population (group columns ``"all"``; they are then strings).

    Returns:
        The group columns, ``indicator``, then the columns of ``estimate_table``.
    """
    keys = as_columns(groups)
    require_columns(frame, keys, "by_group_estimates")
    if not keys:
        raise AnalysisError("by_group_estimates needs at least one grouping column.")
    rows: list[tuple[dict[str, object], Statistic]] = []
    codes = frame.groupby(keys, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    # The first row of each group gives its labels; groups come in sorted order of their codes.
    firsts = pd.Series(np.arange(len(frame))).groupby(codes).first()
    for code, row in firsts.items():
        tags = {k: frame[k].iloc[row] for k in keys}
        if total:
            tags = {k: str(v) for k, v in tags.items()}
        for name, stat in statistics(codes == code).items():
            rows.append(({**tags, "indicator": name}, stat))
    if total:
        for name, stat in statistics(None).items():
            rows.append(({**dict.fromkeys(keys, TOTAL_LABEL), "indicator": name}, stat))
    return estimate_table(rows, design=design, replicates=replicates, level=level)


def distribution_estimates(
    frame: pd.DataFrame,
    baseline: str,
    scenarios: Sequence[str],
    *,
    n_groups: int = 10,
    threshold: float = 0.0,
    threshold_kind: ThresholdKind = "absolute",
    design: SurveyDesign | None = None,
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
    compact: bool = True,
    collapsed: Collapse | None = None,
) -> pd.DataFrame:
    """SEs and CIs of the decile gains of ``distribution_table`` (deciles of baseline welfare, held fixed).

    For each scenario other than the baseline and each decile ("1".."n" and "all"): ``mean_gain`` (Mean of
    g = y_s − y_baseline, currency per person per month), ``relative_gain`` (Ratio Σ w g / Σ w y_baseline),
    ``winners`` and ``losers`` (Proportions). Gains are already paired differences, person by person.

    With ``compact``, persons are collapsed to households first (:func:`compacted_variance`: the same estimates
    on H rows, with replicates or linearised); ``compact=False`` keeps the person frame (the second method of
    the tests); ``collapsed``: the frame's ``compact_frame`` if already built.

    Returns:
        Columns ``scenario``, ``decile``, ``indicator`` and those of ``estimate_table``.
    """
    weights_of(frame)
    if compact:  # one row per household: same figures (means, ratios, proportions of household values), H rows
        frame, variance = compacted_variance(frame, {"design": design, "replicates": replicates},
                                             collapsed=collapsed)
        design, replicates = variance["design"], variance["replicates"]
    y_base = welfare_of(frame, baseline)
    decile = welfare_groups(frame, baseline, n_groups)
    rows: list[tuple[dict[str, object], Statistic]] = []
    for scenario in scenarios:
        if scenario == baseline:
            continue
        gain = welfare_of(frame, scenario) - y_base
        status = gain_status(gain, y_base, threshold, threshold_kind)
        cells = [(str(k), decile == k) for k in range(1, n_groups + 1)] + [(TOTAL_LABEL, None)]
        for label, domain in cells:
            tags = {"scenario": scenario, "decile": label}
            rows += [
                ({**tags, "indicator": "mean_gain"}, Mean(gain, domain)),
                ({**tags, "indicator": "relative_gain"}, Ratio(gain, y_base, domain)),
                ({**tags, "indicator": "winners"}, Proportion(status == 1, domain)),
                ({**tags, "indicator": "losers"}, Proportion(status == -1, domain)),
            ]
    return estimate_table(rows, design=design, replicates=replicates, level=level)
