"""Calibration: hand-worked raking, closed-form GREG, bounded distances, margins on a real survey, and the errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveys import CalibrationError, Margin, SurveyError, Total, calibrate_survey, calibrate_weights, load_survey

ROOT = Path(__file__).resolve().parents[2]
EUSILC = ROOT / "tests" / "fixtures" / "eusilc" / "eusilc.parquet"
MAPPING = ROOT / "surveys" / "examples" / "eusilc_mapping.yaml"

# A 2 x 2 table with one unit per cell: columns of X are row 1, row 2, column 1, column 2.
CELLS_X = np.array([[1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1]], dtype=float)


def test_raking_equals_hand_worked_2x2_ipf():
    # Initial weights d = [[1, 2], [3, 4]]; row targets (40, 60), column targets (50, 50).
    # Raking keeps the cross-product ratio: w11 w22 / (w12 w21) = (1 * 4) / (2 * 3) = 2/3. With w11 = x the margins
    # give w12 = 40 - x, w21 = 50 - x, w22 = 10 + x, so x (10 + x) / ((40 - x)(50 - x)) = 2/3, i.e.
    # x^2 + 210 x - 4000 = 0 and x = (-210 + sqrt(60100)) / 2 = 17.5765...
    x = (-210 + math.sqrt(60100)) / 2
    hand = np.array([x, 40 - x, 50 - x, 10 + x])
    result = calibrate_weights(CELLS_X, np.array([1.0, 2.0, 3.0, 4.0]), np.array([40.0, 60.0, 50.0, 50.0]))
    np.testing.assert_allclose(result.weights, hand, rtol=1e-10)
    # And the same as textbook iterative proportional fitting, run here independently.
    table = np.array([[1.0, 2.0], [3.0, 4.0]])
    for _ in range(200):
        table *= (np.array([40.0, 60.0]) / table.sum(axis=1))[:, None]
        table *= np.array([50.0, 50.0]) / table.sum(axis=0)
    np.testing.assert_allclose(result.weights, table.ravel(), rtol=1e-10)


def test_raking_with_equal_weights_gives_the_independence_table():
    result = calibrate_weights(CELLS_X, np.ones(4), np.array([30.0, 70.0, 40.0, 60.0]))
    np.testing.assert_allclose(result.weights, [12.0, 18.0, 28.0, 42.0], rtol=1e-12)  # r_i c_j / N


@pytest.fixture
def small_problem():
    rng = np.random.default_rng(3)
    n = 40
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.uniform(10, 50, n)])
    d = rng.uniform(5, 15, n)
    t = X.T @ d * np.array([1.05, 0.97, 1.1])
    return X, d, t


def test_linear_calibration_equals_closed_form_greg(small_problem):
    X, d, t = small_problem
    result = calibrate_weights(X, d, t, method="linear")
    # GREG: w = d + D X (X' D X)^-1 (t - X' d).
    greg = d + d * (X @ np.linalg.solve(X.T @ (d[:, None] * X), t - X.T @ d))
    np.testing.assert_allclose(result.weights, greg, rtol=1e-12)
    # The same weights minimise sum (w - d)^2 / d subject to X'w = t: solve the KKT system directly.
    n, k = X.shape
    kkt = np.block([[np.diag(1 / d), X], [X.T, np.zeros((k, k))]])
    solution = np.linalg.solve(kkt, np.concatenate([np.ones(n), t]))
    np.testing.assert_allclose(result.weights, solution[:n], rtol=1e-10)
    assert result.iterations == 1


@pytest.mark.parametrize(("method", "bounds"), [("logit", (0.8, 1.3)), ("linear", (0.8, 1.3)),
                                                ("raking", (0.8, 1.3)), ("raking", None)])
def test_bounded_distances_hit_targets_within_bounds(small_problem, method, bounds):
    X, d, t = small_problem
    result = calibrate_weights(X, d, t, method=method, bounds=bounds, tol=1e-10)
    np.testing.assert_allclose(X.T @ result.weights, t, rtol=1e-9)
    assert result.max_relative_error <= 1e-10
    np.testing.assert_allclose(result.g, result.weights / d)
    if bounds is not None:
        assert result.g.min() >= bounds[0] - 1e-12 and result.g.max() <= bounds[1] + 1e-12
    assert np.all(result.weights > 0)


def test_unbounded_linear_weights_may_be_negative_and_bounds_prevent_it():
    # Three units; the second and third have x = 1. Totals: 3 units and x = 3.2 force w1 = 3 - 3.2 = -0.2.
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    d = np.ones(3)
    t = np.array([3.0, 3.2])
    free = calibrate_weights(X, d, t, method="linear")
    np.testing.assert_allclose(free.weights, [-0.2, 1.6, 1.6])
    # Each total alone is within what bounds (0.5, 1.7) allow, but together they need a negative weight.
    with pytest.raises(CalibrationError, match="may be too tight") as caught:
        calibrate_weights(X, d, t, method="logit", bounds=(0.5, 1.7), names=[("count", ""), ("x", "1")])
    assert caught.value.field in ("count", "x")


@pytest.fixture(scope="module")
def eusilc():
    return load_survey(EUSILC, mapping=MAPPING)


def persons_by_age_sex(survey, weights_per_person, groups=(0, 15, 65)) -> pd.Series:
    age = survey.persons["age"].to_numpy()
    labels = np.array(["0-14", "15-64", "65+"])[np.searchsorted(groups, age, side="right") - 1]
    return pd.Series(weights_per_person).groupby([labels, survey.persons["sex"].to_numpy()]).sum()


def test_survey_calibration_meets_person_and_household_margins(eusilc):
    age_sex = {("0-14", "female"): 640_000, ("0-14", "male"): 670_000, ("15-64", "female"): 2_750_000,
               ("15-64", "male"): 2_760_000, ("65+", "female"): 820_000, ("65+", "male"): 560_000}
    persons_total = sum(age_sex.values())
    regions = eusilc.households.groupby("region")["weight"].sum() * 1.03
    margins = [
        Margin("persons by age group and sex", "persons", ("age_group", "sex"), age_sex, age_groups=(0, 15, 65)),
        Margin("households by region", "households", ("region",), regions.to_dict()),
        Total("persons", "persons", persons_total),
        Total("old-age benefits", "persons", 1.1 * float(np.sum(eusilc.person_weight
                                                                 * eusilc.persons["income_old_age_benefits"])),
              column="income_old_age_benefits"),
    ]
    for method, bounds in (("raking", None), ("linear", None), ("logit", (0.3, 3.0))):
        calibrated, result = calibrate_survey(eusilc, margins, method=method, bounds=bounds)
        # Check margins independently of the calibration matrix: straight from the tables with pandas.
        got = persons_by_age_sex(calibrated, calibrated.person_weight)
        for key, target in age_sex.items():
            assert got[key] == pytest.approx(target, rel=1e-9)
        by_region = calibrated.households.groupby("region")["weight"].sum()
        pd.testing.assert_series_equal(by_region, regions, rtol=1e-9, check_names=False)
        assert calibrated.person_weight.sum() == pytest.approx(persons_total, rel=1e-9)
        assert np.sum(calibrated.person_weight * calibrated.persons["income_old_age_benefits"]) == pytest.approx(
            margins[3].target, rel=1e-9)
        # The persons' own weights follow their household's calibrated weight.
        np.testing.assert_allclose(calibrated.persons["weight"],
                                   calibrated.households["weight"].to_numpy()[calibrated.person_household_index])
        assert calibrated.metadata.extra["calibration"]["method"] == method
        assert result.margins["relative_error"].max() <= 1e-9
        if bounds:
            assert result.g.min() >= bounds[0] and result.g.max() <= bounds[1]


def test_survey_calibration_on_the_tiny_survey_by_hand(tiny_survey):
    # Households by urban: urban households 1, 4 (weights 100, 300), rural 2, 3 (200, 50). Raking to 800 urban and
    # 500 rural households multiplies urban weights by 2 and rural ones by 2.
    calibrated, _ = calibrate_survey(tiny_survey, [Margin("urban", "households", ("urban",), {True: 800, False: 500})])
    np.testing.assert_allclose(calibrated.households["weight"], [200.0, 400.0, 100.0, 600.0])


@pytest.mark.parametrize(
    ("margins", "field", "words"),
    [
        ([Margin("sex", "persons", ("sex",), {"female": 1000})], "sex", "have no target"),
        ([Margin("sex", "persons", ("sex",), {"female": 1000, "male": 900, "other": 5})], "sex", "no sample unit"),
        ([Margin("sex", "persons", ("sex",), {"female": 1000, "male": 900}), Total("people", "persons", 2000)],
         "people", "differently"),
        ([Margin("region", "households", ("district",), {"a": 1})], "region", "no column"),
        ([Margin("sex", "persons", ("sex",), {"female": 1000, "male": 0})], "sex", "positive weights"),
    ],
)
def test_infeasible_margins_are_named(tiny_survey, margins, field, words):
    with pytest.raises(CalibrationError) as caught:
        calibrate_survey(tiny_survey, margins)
    assert caught.value.field == field
    assert words in caught.value.rule
    assert isinstance(caught.value, SurveyError)


def test_bounds_too_tight_are_named(tiny_survey):
    margin = Margin("urban", "households", ("urban",), {True: 800, False: 500})
    with pytest.raises(CalibrationError, match="outside the bounds") as caught:
        calibrate_survey(tiny_survey, [margin], method="logit", bounds=(0.5, 1.5))
    assert caught.value.field == "urban"


def test_inconsistent_totals_found_without_named_partitions():
    # Two partitions of the same four units given as plain totals that disagree (100 vs 110 units in all).
    with pytest.raises(CalibrationError, match="inconsistent") as caught:
        calibrate_weights(CELLS_X, np.ones(4), np.array([40.0, 60.0, 50.0, 60.0]),
                          names=[("rows", "1"), ("rows", "2"), ("columns", "1"), ("columns", "2")])
    assert caught.value.field in ("rows", "columns")


def test_non_convergence_is_reported_with_the_margin(small_problem):
    X, d, t = small_problem
    with pytest.raises(CalibrationError, match="did not converge in 1 iterations") as caught:
        calibrate_weights(X, d, t, method="raking", max_iter=1, names=[("count", ""), ("group", "1"), ("size", "")])
    assert caught.value.field in ("count", "group", "size")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"method": "exponential"}, "method"), ({"method": "logit"}, "bounds"),
     ({"method": "linear", "bounds": (1.2, 2.0)}, "bounds")],
)
def test_bad_options(small_problem, kwargs, field):
    X, d, t = small_problem
    with pytest.raises(CalibrationError) as caught:
        calibrate_weights(X, d, t, **kwargs)
    assert caught.value.field == field
