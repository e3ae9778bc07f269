"""Step 3 of the synthetic survey: design weights raked to the published demographic margins."""

from __future__ import annotations

import numpy as np
import pandas as pd

from floorsim.surveys.calibration import CalibrationError, Margin, Total, calibrate_weights
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.synthetic.households import stratum_population
from floorsim.surveys.synthetic.targets import Targets, age_group_index


def _margin_names(targets: Targets) -> list[tuple[str, str]]:
    """(margin, category) of each column of the calibration matrix, in order."""
    names = [("households", "all")]
    if targets.persons_by_age_sex is not None:
        for sex in SEXES:
            names += [("persons by sex and age", f"{sex} {lo}-{hi}") for lo, hi in targets.age_groups]
    else:
        names += [("persons by age", f"{lo}-{hi}") for lo, hi in targets.age_groups]
        names += [("persons by sex", sex) for sex in SEXES]
    strata = stratum_population(targets)
    names += [
        ("persons by stratum", f"{r} {'urban' if u else 'rural'}") for r, u in zip(strata["region"], strata["urban"])
    ]
    return names


SEXES = ("female", "male")  # the order of the rows of Targets.persons_by_age_sex and of persons_by_sex
RAKING = "raking"  # the distance of the generator's calibration (exponential, no bounds)


def calibration_margins(targets: Targets) -> list[Margin | Total]:
    """The margins :func:`calibrate_household_weights` rakes to, as ``floorsim.surveys.calibration`` margins.

    They are recorded in the survey's metadata (``SurveyMetadata.calibration``) so that replicate weights can be
    re-calibrated to them; ``calibration_matrix(survey, calibration_margins(targets))`` equals the generator's own
    matrix column for column (households; persons by sex and age group; persons by the household's stratum).
    """
    lows = [lo for lo, _ in targets.age_groups]
    # The labels floorsim.surveys.calibration gives age groups from their lower bounds; the last group is open-ended,
    # as in age_group_index.
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(lows[:-1], lows[1:])] + [f"{lows[-1]}+"]
    if targets.persons_by_age_sex is not None:
        by_age_sex = {
            (sex, label): float(targets.persons_by_age_sex[row, k])
            for row, sex in enumerate(SEXES)
            for k, label in enumerate(labels)
        }
        demographic = [Margin("persons by sex and age", "persons", ("sex", "age_group"), by_age_sex, tuple(lows))]
    else:
        by_age = {label: float(targets.persons_by_age[k]) for k, label in enumerate(labels)}
        by_sex = {sex: float(targets.persons_by_sex[row]) for row, sex in enumerate(SEXES)}
        demographic = [
            Margin("persons by age", "persons", ("age_group",), by_age, tuple(lows)),
            Margin("persons by sex", "persons", ("sex",), by_sex),
        ]
    strata = stratum_population(targets)
    by_stratum = {
        f"{region}|{'urban' if urban else 'rural'}": float(persons)
        for region, urban, persons in zip(strata["region"], strata["urban"], strata["persons"])
    }
    return [
        Total("households", "households", float(targets.households_total)),
        *demographic,
        Margin("persons by stratum", "persons", ("stratum",), by_stratum),
    ]


def _calibration_system(
    households: pd.DataFrame, persons: pd.DataFrame, targets: Targets
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix of counts per margin (households x margins), starting (design) weights and margin totals."""
    n = len(households)
    groups = len(targets.age_groups)
    hh = persons["hh"].to_numpy()
    sex = persons["female"].map({True: 0, False: 1}).to_numpy()
    age = age_group_index(persons["age"].to_numpy(), targets.age_groups)
    strata = stratum_population(targets)
    stratum = households["stratum_index"].to_numpy()[hh]
    if targets.persons_by_age_sex is not None:  # one column per sex x age cell
        demographic = [(sex * groups + age, 2 * groups)]
        demographic_totals = [targets.persons_by_age_sex.ravel()]
    else:  # age groups (both sexes), then the two sexes
        demographic = [(age, groups), (sex, 2)]
        demographic_totals = [targets.persons_by_age, targets.persons_by_sex]
    columns = 1 + sum(width for _, width in demographic) + len(strata)
    matrix = np.zeros((n, columns))
    matrix[:, 0] = 1.0
    offset = 1
    for index, width in demographic:
        np.add.at(matrix, (hh, offset + index), 1.0)
        offset += width
    np.add.at(matrix, (hh, offset + stratum), 1.0)
    totals = np.concatenate([[targets.households_total], *demographic_totals, strata["persons"].to_numpy()])
    return matrix, _design_weights(households, strata, targets), totals


def _design_weights(households: pd.DataFrame, strata: pd.DataFrame, targets: Targets) -> np.ndarray:
    """Starting weights: equal within each stratum, the inverse of the stratum's sampling fraction.

    Small strata are over-sampled (at least two enumeration areas each), so equal weights across strata would make
    raking shrink their households by a factor that grows exponentially with household size. Households expected
    in a stratum are its persons divided by the national mean household size.
    """
    expected_households = strata["persons"].to_numpy() * targets.households_total / targets.population_total
    stratum = households["stratum_index"].to_numpy()
    sampled = np.bincount(stratum, minlength=len(strata))
    return (expected_households / sampled)[stratum]


def calibrate_household_weights(households: pd.DataFrame, persons: pd.DataFrame, targets: Targets) -> np.ndarray:
    """Household weights raked to the targets' households, persons by sex and age group, and persons by stratum.

    Raking (exponential distance) by :func:`floorsim.surveys.calibration.calibrate_weights`, the routine users calibrate
    their own surveys with, to a relative error below 1e-9 on every margin.

    Raises:
        SurveyError: when a margin cannot be met (e.g. no sampled person in an age-sex cell); it names the margin
            and says to generate more households.
    """
    matrix, start, totals = _calibration_system(households, persons, targets)
    try:
        result = calibrate_weights(matrix, start, totals, method=RAKING, tol=1e-9, names=_margin_names(targets))
    except CalibrationError as error:
        raise SurveyError(
            f"{error.rule}: generate more households", source="synthetic generator", field=error.field
        ) from error
    return result.weights
