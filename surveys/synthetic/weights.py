"""Step 3 of the synthetic survey: design weights raked to the published demographic margins."""

from __future__ import annotations

import numpy as np
import pandas as pd

from surveys.calibration import CalibrationError, calibrate_weights
from surveys.errors import SurveyError
from surveys.synthetic.households import stratum_population
from surveys.synthetic.targets import Targets, age_group_index


def _margin_names(targets: Targets) -> list[tuple[str, str]]:
    """(margin, category) of each column of the calibration matrix, in order."""
    names = [("households", "all")]
    for sex in ("female", "male"):
        names += [("persons by sex and age", f"{sex} {lo}-{hi}") for lo, hi in targets.age_groups]
    strata = stratum_population(targets)
    names += [
        ("persons by stratum", f"{r} {'urban' if u else 'rural'}") for r, u in zip(strata["region"], strata["urban"])
    ]
    return names


def _calibration_system(
    households: pd.DataFrame, persons: pd.DataFrame, targets: Targets
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix of counts per margin (households x margins), starting (design) weights and margin totals."""
    n = len(households)
    groups = len(targets.age_groups)
    age_sex = persons["female"].map({True: 0, False: 1}).to_numpy() * groups + age_group_index(
        persons["age"].to_numpy(), targets.age_groups
    )
    strata = stratum_population(targets)
    stratum = households["stratum_index"].to_numpy()[persons["hh"].to_numpy()]
    columns = 1 + 2 * groups + len(strata)
    matrix = np.zeros((n, columns))
    matrix[:, 0] = 1.0
    np.add.at(matrix, (persons["hh"].to_numpy(), 1 + age_sex), 1.0)
    np.add.at(matrix, (persons["hh"].to_numpy(), 1 + 2 * groups + stratum), 1.0)
    totals = np.concatenate(
        [[targets.households_total], targets.persons_by_age_sex.ravel(), strata["persons"].to_numpy()]
    )
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

    Raking (exponential distance) by :func:`surveys.calibration.calibrate_weights`, the routine users calibrate
    their own surveys with, to a relative error below 1e-9 on every margin.

    Raises:
        SurveyError: when a margin cannot be met (e.g. no sampled person in an age-sex cell); it names the margin
            and says to generate more households.
    """
    matrix, start, totals = _calibration_system(households, persons, targets)
    try:
        result = calibrate_weights(matrix, start, totals, method="raking", tol=1e-9, names=_margin_names(targets))
    except CalibrationError as error:
        raise SurveyError(
            f"{error.rule}: generate more households", source="synthetic generator", field=error.field
        ) from error
    return result.weights
