"""Calibration: hand-worked raking, closed-form GREG, bounded distances, margins on a real survey, and the errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from floorsim.surveys import CalibrationError, Margin, SurveyError, Total, calibrate_survey, calibrate_weights, load_survey

ROOT = Path(__file__).resolve().parents[2]
EUSILC = ROOT / "tests" / "fixtures" / "eusilc" / "eusilc.parquet"
MAPPING = ROOT / "floorsim" / "surveys" / "examples" / "eusilc_mapping.yaml"

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


# --- the calibration recorded in the metadata, and re-applied to replicate weights ------------------------------


def test_recorded_calibration_survives_the_survey_folder_and_rebuilds_the_margins(eusilc, tmp_path):
    from floorsim.surveys.calibration import calibration_matrix
    from floorsim.surveys.io import read_survey_folder, write_survey
    from floorsim.surveys.recorded_calibration import margins_from_record, recorded_system

    age_sex = {("0-14", "female"): 640_000, ("0-14", "male"): 670_000, ("15-64", "female"): 2_750_000,
               ("15-64", "male"): 2_760_000, ("65+", "female"): 820_000, ("65+", "male"): 560_000}
    regions = eusilc.households.groupby("region")["weight"].sum() * 1.03
    margins = [
        Margin("persons by age group and sex", "persons", ("age_group", "sex"), age_sex, age_groups=(0, 15, 65)),
        Margin("households by region", "households", ("region",), regions.to_dict()),
    ]
    calibrated, _ = calibrate_survey(eusilc, margins, method="logit", bounds=(0.3, 3.0))
    read = read_survey_folder(write_survey(calibrated, tmp_path / "calibrated"))
    record = read.metadata.calibration
    assert record["method"] == "logit" and record["bounds"] == [0.3, 3.0]
    assert [m["name"] for m in record["margins"]] == ["persons by age group and sex", "households by region"]
    system = recorded_system(read)
    X, t, names = calibration_matrix(eusilc, margins)
    np.testing.assert_array_equal(system.X, X)
    np.testing.assert_array_equal(system.totals, t)
    assert system.names == names and system.bounds == (0.3, 3.0)
    # The survey's weights meet what it records (a check of the weights, independent of the record's code path).
    np.testing.assert_allclose(system.X.T @ read.households["weight"].to_numpy(), system.totals, rtol=1e-9)
    assert len(margins_from_record(record)) == 2


def test_a_persons_margin_may_count_by_a_household_column(tiny_survey):
    # Persons by urban: urban households 1 and 4 have 3 + 2 = 5 members, rural 2 and 3 have 2 + 2 = 4 (conftest).
    from floorsim.surveys.calibration import calibration_matrix

    X, _, _ = calibration_matrix(tiny_survey, [Margin("persons by urban", "persons", ("urban",),
                                                      {True: 900.0, False: 500.0})])
    np.testing.assert_array_equal(X, [[3, 0], [0, 2], [0, 2], [2, 0]])


def test_a_folder_without_calibration_stores_no_key_and_reads_back_none(tiny_survey, tmp_path):
    import json

    from floorsim.surveys.io import encode_metadata, read_survey_folder, write_survey
    from floorsim.surveys.recorded_calibration import recorded_system

    assert "calibration" not in json.loads(encode_metadata(tiny_survey.metadata))
    read = read_survey_folder(write_survey(tiny_survey, tmp_path / "plain"))
    assert read.metadata.calibration is None and recorded_system(read) is None


@pytest.mark.parametrize(("method", "bounds"), [("raking", None), ("linear", None), ("logit", (0.2, 4.0)),
                                                ("raking", (0.5, 2.0))])
def test_replicates_calibrated_together_equal_calibrate_weights_one_by_one(small_problem, method, bounds):
    from floorsim.surveys.recorded_calibration import CalibrationSystem, calibrate_replicates

    X, d, t = small_problem
    rng = np.random.default_rng(8)
    D = d * rng.choice([0.0, 1.0, 2.0], size=(6, d.size), p=[0.25, 0.5, 0.25])
    system = CalibrationSystem(X, t, method, bounds, [("m", str(j)) for j in range(3)], np.arange(d.size))
    got = calibrate_replicates(system, D)
    for r, row in enumerate(D):
        kept = row > 0
        reference = calibrate_weights(X[kept], row[kept], t, method=method, bounds=bounds, tol=1e-12).weights
        np.testing.assert_allclose(got[r, kept], reference, rtol=1e-6)
        assert np.all(got[r, ~kept] == 0)


def test_a_replicate_that_cannot_meet_a_margin_is_named(small_problem):
    from floorsim.surveys.recorded_calibration import CalibrationSystem, calibrate_replicates

    X, d, t = small_problem
    D = np.vstack([d, np.where(X[:, 1] == 1, 0.0, d)])  # replicate 1 drops every unit of category "1"
    system = CalibrationSystem(X, t, "raking", None, [("all", "count"), ("group", "1"), ("size", "sum")],
                               np.arange(d.size))
    with pytest.raises(CalibrationError) as caught:
        calibrate_replicates(system, D)
    assert caught.value.field == "group" and "replicate 1" in caught.value.rule


def test_the_synthetic_survey_records_what_its_weights_were_raked_to():
    from floorsim.surveys.bundled import load_bundled_survey
    from floorsim.surveys.recorded_calibration import calibration_record, recorded_system
    from floorsim.surveys.synthetic import generate_timor_leste_survey
    from floorsim.surveys.synthetic.targets import load_targets
    from floorsim.surveys.synthetic.weights import calibration_margins

    survey = generate_timor_leste_survey(seed=5, n_households=600)
    system = recorded_system(survey)
    assert system.method == "raking" and system.bounds is None
    assert system.margin_names == ["households", "persons by sex and age", "persons by stratum"]
    # 1 households total + 2 sexes x age groups + 26 strata: every column met as tightly as the generator rakes.
    assert system.X.shape[1] == 1 + 2 * len(load_targets().age_groups) + survey.households["stratum"].nunique()
    np.testing.assert_allclose(system.X.T @ survey.households["weight"].to_numpy(), system.totals, rtol=1e-9)
    # The bundled survey carries the same record (its data were not regenerated) and its weights meet it.
    bundled = load_bundled_survey()
    assert bundled.metadata.calibration == calibration_record(calibration_margins(load_targets()), "raking", None)
    bundled_system = recorded_system(bundled)
    np.testing.assert_allclose(bundled_system.X.T @ bundled.households["weight"].to_numpy(), bundled_system.totals,
                               rtol=1e-9)


def test_calibration_matrix_equals_one_indicator_per_category_by_hand(tiny_survey):
    # Columns counted in one pass over codes (floorsim.surveys.calibration) against each category's 0/1 indicator summed per
    # household, written here from the labels' text: a crossed persons margin with an age below 0 (the last
    # group, as before the change), a households margin whose values 1 and "1" have the same text (one
    # category), and a Total between them. Columns set after validation: the model would refuse an age of -1.
    from floorsim.surveys.calibration import calibration_matrix

    survey = tiny_survey
    survey.persons = survey.persons.assign(age=[72, 65, 30, -1, 2, 59, 84, 40, 10])
    survey.households = survey.households.assign(kind=pd.Series([1, "1", "b", "b"], dtype=object),
                                                 rent=[5.0, 0.0, 2.5, 1.0])
    age_sex = {(a, s): 1.0 for a in ("0-14", "15-64", "65+") for s in ("female", "male")}
    margins = [Margin("age and sex", "persons", ("age_group", "sex"), age_sex, age_groups=(0, 15, 65)),
               Total("rent", "households", 9.0, column="rent"),
               Margin("kind", "households", ("kind",), {"1": 2.0, "b": 1.0})]
    X, t, names = calibration_matrix(survey, margins)
    groups = np.array(["65+", "65+", "15-64", "65+", "0-14", "15-64", "65+", "15-64", "0-14"])  # -1 → the last
    text = np.array([f"{g}|{s}" for g, s in zip(groups, survey.persons["sex"])])
    member = survey.persons["household_id"].to_numpy()[:, None] == survey.households["household_id"].to_numpy()
    expected = [(text == f"{a}|{s}").astype(float) @ member for a, s in age_sex]
    expected.append(np.array([5.0, 0.0, 2.5, 1.0]))
    expected += [np.array([1.0, 1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0, 1.0])]
    np.testing.assert_array_equal(X, np.column_stack(expected))
    # by hand, household 2 (a person aged -1 and a boy of 2): female 65+ and male 0-14
    np.testing.assert_array_equal(X[1, :6], [0, 1, 0, 0, 1, 0])
    assert names[0] == ("age and sex", "0-14|female") and names[6] == ("rent", "rent")
    assert names[7] == ("kind", "1")
    np.testing.assert_array_equal(t, [1.0] * 6 + [9.0, 2.0, 1.0])
