"""Tests of the synthetic Timor-Leste survey generator (the floorsim/surveys/synthetic/ package).

Targets are read here straight from the YAML file, not through the generator's loader, so that a loader bug
cannot hide a calibration bug.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from floorsim.indicators import gini
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, Survey, validate
from floorsim.surveys.synthetic import DEFAULT_TARGETS, EA_SIZE, generate_timor_leste_survey
from floorsim.surveys.synthetic import weights as synthetic_weights

TARGETS_FILE = Path(__file__).resolve().parents[2] / "floorsim" / "surveys" / "data" / "profiles" / "timor_leste.yaml"
CALIBRATION_TOLERANCE = 1e-6  # relative; the generator stops at 1e-9


@pytest.fixture(scope="module")
def raw_targets() -> dict:
    return yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def survey() -> Survey:
    return generate_timor_leste_survey(seed=12345, n_households=4000)


def table_hash(survey: Survey) -> str:
    """Hash of both tables' contents (values, column names and order)."""
    digest = hashlib.sha256()
    for table in (survey.households, survey.persons):
        digest.update(",".join(table.columns).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def poverty_line(raw: dict) -> float:
    """The 2014 national line moved to the reference year with the CPI inflation listed in the targets file."""
    year = raw["reference_year"]
    rates = raw["welfare"]["price_uprating"]["values"]
    factor = np.prod([1 + r for y, r in rates.items() if 2014 < y <= year])
    return raw["welfare"]["poverty_line"]["value"] * factor


# --- determinism -----------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_tables() -> None:
    first = generate_timor_leste_survey(seed=7, n_households=1000)
    second = generate_timor_leste_survey(seed=7, n_households=1000)
    assert table_hash(first) == table_hash(second)
    assert first.metadata == second.metadata


def test_different_seed_gives_different_tables() -> None:
    first = generate_timor_leste_survey(seed=7, n_households=1000)
    other = generate_timor_leste_survey(seed=8, n_households=1000)
    assert table_hash(first) != table_hash(other)
    assert not np.allclose(first.households["consumption"].sum(), other.households["consumption"].sum())


def test_generation_does_not_touch_global_random_state() -> None:
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    generate_timor_leste_survey(seed=1, n_households=600)
    assert np.random.random() == expected


# --- data model and metadata -----------------------------------------------------------------------------------


def test_survey_follows_the_data_model(survey: Survey) -> None:
    validate(survey)  # also ran in Survey's constructor; must still hold after construction
    for column, dtype in {**HOUSEHOLD_COLUMNS, "stratum": "string", "psu": "int64"}.items():
        assert str(survey.households[column].dtype) == dtype, column
    for column, dtype in PERSON_COLUMNS.items():
        assert str(survey.persons[column].dtype) == dtype, column
    assert len(survey) == 4000


def test_metadata_labels_the_survey_synthetic(survey: Survey) -> None:
    meta = survey.metadata
    assert meta.synthetic is True
    assert (meta.name, meta.country, meta.currency, meta.welfare_concept) == (
        "timor_leste_synthetic",
        "TLS",
        "USD",
        "consumption",
    )
    assert meta.reference_year == 2015
    assert "SYNTHETIC" in meta.source
    assert meta.extra["seed"] == 12345
    assert meta.extra["n_households"] == 4000
    assert meta.extra["profile_sha256"] == hashlib.sha256(TARGETS_FILE.read_bytes()).hexdigest()
    assert meta.extra["profile"] == "timor_leste.yaml"
    assert meta.extra["orphan"].startswith("all false")
    assert DEFAULT_TARGETS.resolve() == TARGETS_FILE


# --- calibration to published margins --------------------------------------------------------------------------


def test_weighted_population_and_households_match_targets(survey: Survey, raw_targets: dict) -> None:
    population = raw_targets["population"]["total"]["value"]
    households = raw_targets["households"]["total"]["value"]
    assert survey.person_weight.sum() == pytest.approx(population, rel=CALIBRATION_TOLERANCE)
    assert survey.households["weight"].sum() == pytest.approx(households, rel=CALIBRATION_TOLERANCE)


CENSUS_2015_HOUSEHOLD_SIZE = 5.7  # persons per household, 2015 census (Independente, 15 Nov 2022, quoting GDS)


def test_household_target_is_the_2015_census_household_size(raw_targets: dict) -> None:
    target = raw_targets["households"]["total"]
    assert target["source"] == "census_2015_household_size"
    assert "5,7 pesoa kada uma-kain" in raw_targets["sources"]["census_2015_household_size"]["note"]
    # 1,183,643 persons / 5.7 = 207,656.7, by hand.
    assert target["value"] == 207_657


@pytest.mark.parametrize("which", ["generated", "bundled"])
def test_mean_household_size_is_the_2015_census_size(which: str, survey: Survey) -> None:
    from floorsim.surveys.bundled import load_bundled_survey

    checked = survey if which == "generated" else load_bundled_survey()
    # Second method: count the members of each household in the persons table, then weight the counts.
    members = checked.persons.groupby("household_id").size()
    weights = checked.households.set_index("household_id")["weight"]
    weighted_mean = (members * weights).sum() / weights.sum()
    assert weighted_mean == pytest.approx(CENSUS_2015_HOUSEHOLD_SIZE, abs=0.05)


def test_age_sex_margins_match_census(survey: Survey, raw_targets: dict) -> None:
    groups = raw_targets["population"]["age_groups"]
    persons = survey.persons.assign(weight=survey.person_weight)
    for sex in ("male", "female"):
        expected = raw_targets["population"]["by_age_sex"][sex]
        for (low, high), target in zip(groups, expected, strict=True):
            cell = persons[(persons["sex"] == sex) & persons["age"].between(low, high)]
            assert cell["weight"].sum() == pytest.approx(target, rel=CALIBRATION_TOLERANCE), (sex, low, high)


def test_municipality_margins_match_census(survey: Survey, raw_targets: dict) -> None:
    expected = raw_targets["population"]["regions"]["values"]
    region = survey.households["region"].to_numpy()[survey.person_household_index]
    achieved = pd.Series(survey.person_weight).groupby(region).sum()
    assert set(achieved.index) == set(expected)
    assert len(expected) == 13
    for name, target in expected.items():
        assert achieved[name] == pytest.approx(target, rel=CALIBRATION_TOLERANCE), name


def test_urban_share_matches_assumed_share(survey: Survey, raw_targets: dict) -> None:
    urban = survey.households["urban"].to_numpy()[survey.person_household_index]
    share = survey.person_weight[urban].sum() / survey.person_weight.sum()
    assert share == pytest.approx(raw_targets["population"]["urban_share"]["national"]["value"], abs=1e-6)


def test_weights_stay_moderate(survey: Survey) -> None:
    # Calibration only corrects the household model; extreme weights would mean the model is far off.
    weights = survey.households["weight"].to_numpy()
    assert weights.min() > 0
    assert weights.max() / weights.min() < 40
    assert np.percentile(weights, 99) / np.median(weights) < 3


# --- consumption and poverty -----------------------------------------------------------------------------------


def test_poverty_rate_at_official_line_reproduces_published_rate(survey: Survey, raw_targets: dict) -> None:
    line = poverty_line(raw_targets)
    assert survey.metadata.extra["poverty_line"] == pytest.approx(line, abs=1e-4)
    per_capita = survey.consumption_per_capita()[survey.person_household_index]
    headcount = np.average(per_capita < line, weights=survey.person_weight)
    published = raw_targets["welfare"]["poverty_rate"]["value"]
    assert headcount == pytest.approx(published, abs=0.002)


def lorenz_area_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini as 1 - 2 x (area under the Lorenz curve), trapezoids between sorted observations: a second method,
    independent of ``floorsim.indicators.gini`` (which sums w_i x_i (2 C_i - w_i - W) / (W T))."""
    order = np.argsort(values, kind="stable")
    x, w = values[order], weights[order]
    population = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    income = np.concatenate([[0.0], np.cumsum(w * x) / np.sum(w * x)])
    return float(1.0 - np.sum(np.diff(population) * (income[1:] + income[:-1])))


def test_gini_reproduces_published_gini(survey: Survey, raw_targets: dict) -> None:
    weights = survey.households["weight"].to_numpy() * survey.household_size
    achieved = lorenz_area_gini(survey.consumption_per_capita(), weights)
    assert achieved == pytest.approx(raw_targets["welfare"]["gini"]["value"], abs=0.005)
    # The generator solves the spread with floorsim.indicators.gini; the Lorenz-area method agrees to rounding.
    assert gini(survey.consumption_per_capita(), weights) == pytest.approx(achieved, abs=1e-12)


def test_urban_households_are_less_poor(survey: Survey) -> None:
    line = survey.metadata.extra["poverty_line"]
    poor = survey.consumption_per_capita() < line
    urban = survey.households["urban"].to_numpy()
    weights = survey.households["weight"].to_numpy() * survey.household_size
    assert np.average(poor[urban], weights=weights[urban]) < np.average(poor[~urban], weights=weights[~urban])


def test_lorenz_area_gini_known_values() -> None:
    assert lorenz_area_gini(np.array([1.0, 1.0, 1.0]), np.ones(3)) == pytest.approx(0.0)
    # One person holds everything among four: Gini = 1 - 1/n = 0.75.
    assert lorenz_area_gini(np.array([0.0, 0.0, 0.0, 1.0]), np.ones(4)) == pytest.approx(0.75)
    # A weight of 2 is the same as repeating the observation.
    assert lorenz_area_gini(np.array([1.0, 3.0]), np.array([2.0, 1.0])) == pytest.approx(
        lorenz_area_gini(np.array([1.0, 1.0, 3.0]), np.ones(3))
    )


# --- households and persons are plausible ----------------------------------------------------------------------


def test_every_household_has_exactly_one_head_aged_15_or_more(survey: Survey) -> None:
    heads = survey.persons[survey.persons["relationship"] == "head"]
    assert heads["household_id"].is_unique
    assert len(heads) == len(survey)
    assert (heads["age"] >= 15).all()
    assert (survey.persons.groupby("household_id")["relationship"].first() == "head").all()


def test_children_are_at_least_12_years_younger_than_their_parents(survey: Survey) -> None:
    persons = survey.persons
    head_age = persons[persons["relationship"] == "head"].set_index("household_id")["age"]
    spouse_age = persons[persons["relationship"] == "spouse"].set_index("household_id")["age"]
    children = persons[persons["relationship"] == "child"]
    assert (children["age"].to_numpy() <= head_age.loc[children["household_id"]].to_numpy() - 12).all()
    with_spouse = children[children["household_id"].isin(spouse_age.index)]
    assert (with_spouse["age"].to_numpy() <= spouse_age.loc[with_spouse["household_id"]].to_numpy() - 12).all()
    parents = persons[persons["relationship"] == "parent"]
    assert (parents["age"].to_numpy() >= head_age.loc[parents["household_id"]].to_numpy() + 12).all()
    assert persons["household_id"].value_counts().pipe(lambda c: c[c > 0]).size == len(survey)


def test_household_sizes_are_plausible(survey: Survey) -> None:
    size = survey.household_size
    weights = survey.households["weight"].to_numpy()
    assert size.min() >= 1 and size.max() <= 25
    assert 4.5 <= np.average(size, weights=weights) <= 6.5
    assert np.average(size == 1, weights=weights) < 0.10
    assert np.average(size >= 10, weights=weights) < 0.15


def test_most_older_persons_live_with_others(survey: Survey) -> None:
    older = survey.persons["age"].to_numpy() >= 65
    alone = (survey.household_size == 1)[survey.person_household_index]
    assert np.average(alone[older], weights=survey.person_weight[older]) < 0.15


def test_person_attributes_respect_age_and_sex(survey: Survey) -> None:
    persons = survey.persons
    assert persons["age"].between(0, 100).all()
    pregnant = persons[persons["pregnant"]]
    assert len(pregnant) > 0
    assert (pregnant["sex"] == "female").all() and pregnant["age"].between(15, 49).all()
    pupils = persons[persons["in_school"]]
    assert pupils["age"].between(5, 24).all()
    assert persons["disability_severity"].between(0, 3).all()


def test_disability_matches_published_prevalence(survey: Survey, raw_targets: dict) -> None:
    severity = survey.persons["disability_severity"].to_numpy()
    age = survey.persons["age"].to_numpy()
    weights = survey.person_weight
    adults = age >= 15
    any_difficulty = np.average(severity[adults] >= 1, weights=weights[adults])
    severe = np.average(severity >= 2, weights=weights)
    target = raw_targets["disability"]
    assert any_difficulty == pytest.approx(target["some_difficulty_or_worse"]["value"], abs=0.003)
    assert severe == pytest.approx(target["a_lot_of_difficulty_or_worse"]["value"], abs=0.002)
    old, young = age >= 65, (age >= 15) & (age < 25)
    old_share = np.average(severity[old] >= 1, weights=weights[old])
    assert old_share > np.average(severity[young] >= 1, weights=weights[young])


def test_pregnancies_follow_the_birth_rate(survey: Survey, raw_targets: dict) -> None:
    implied_births = survey.person_weight[survey.persons["pregnant"].to_numpy()].sum() / (9 / 12)
    birth_rate = implied_births / survey.person_weight.sum()
    assert birth_rate == pytest.approx(raw_targets["fertility"]["births_per_1000"]["value"] / 1000, rel=0.01)
    women = (survey.persons["sex"] == "female") & survey.persons["age"].between(15, 49)
    assert 0.05 < survey.persons.loc[women, "pregnant"].mean() < 0.15


def test_households_with_a_child_out_of_school_match(survey: Survey, raw_targets: dict) -> None:
    persons = survey.persons
    out = persons["age"].between(6, 14) & ~persons["in_school"]
    has_child_out = out.groupby(persons["household_id"]).any().reindex(survey.households["household_id"]).to_numpy()
    share = np.average(has_child_out, weights=survey.households["weight"])
    assert share == pytest.approx(raw_targets["schooling"]["households_with_a_child_not_in_school"]["value"], abs=0.005)


# --- survey design ---------------------------------------------------------------------------------------------


def test_design_has_nested_psus_and_at_least_two_per_stratum(survey: Survey) -> None:
    households = survey.households
    assert households.groupby("psu")["stratum"].nunique().max() == 1
    assert households.groupby("stratum")["psu"].nunique().min() >= 2
    assert households.groupby("psu").size().max() <= EA_SIZE
    assert households["stratum"].nunique() == 26
    expected = households["region"] + "|" + np.where(households["urban"], "urban", "rural")
    assert (households["stratum"] == expected).all()


# --- arguments -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 10, 599, 2.5, True])
def test_rejects_sample_sizes_that_cannot_be_calibrated(n: object) -> None:
    with pytest.raises(ValueError, match="n_households"):
        generate_timor_leste_survey(seed=1, n_households=n)  # type: ignore[arg-type]


def test_inconsistent_targets_are_refused(tmp_path: Path, raw_targets: dict) -> None:
    broken = dict(raw_targets)
    broken["population"] = {**raw_targets["population"]}
    broken["population"]["regions"] = {**raw_targets["population"]["regions"]}
    broken["population"]["regions"]["values"] = {**raw_targets["population"]["regions"]["values"]}
    broken["population"]["regions"]["values"]["Dili"] += 1000
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(SurveyError, match=r"population\.regions.*add up to 1,184,643, not the population total"):
        generate_timor_leste_survey(seed=1, n_households=600, targets=path)


# --- calibration failures ---------------------------------------------------------------------------------------


def test_generator_names_a_margin_it_cannot_meet(monkeypatch: pytest.MonkeyPatch) -> None:
    # A target for a cell with no sampled person: the error names the margin and says what to do.
    real = synthetic_weights._calibration_system

    def with_empty_cell(*args):
        matrix, start, totals = real(*args)
        matrix[:, 1] = 0.0
        return matrix, start, totals

    monkeypatch.setattr(synthetic_weights, "_calibration_system", with_empty_cell)
    with pytest.raises(SurveyError, match="persons by sex and age.*generate more households"):
        generate_timor_leste_survey(seed=1, n_households=600)


# --- the targets file documents every number -------------------------------------------------------------------


def _leaves_with_values(node: object, path: str = "") -> list[tuple[str, dict]]:
    """Every mapping in the YAML that holds a number (``value`` or ``values``), with its dotted path."""
    found = []
    if isinstance(node, dict):
        if "value" in node or "values" in node or "male" in node:
            found.append((path, node))
        for key, child in node.items():
            found += _leaves_with_values(child, f"{path}.{key}" if path else str(key))
    return found


def test_every_target_has_a_source_or_an_explicit_assumption(raw_targets: dict) -> None:
    known_sources = set(raw_targets["sources"])
    leaves = [(p, n) for p, n in _leaves_with_values(raw_targets) if not p.startswith("sources")]
    assert len(leaves) > 15
    for path, node in leaves:
        assert "source" in node, path
        sources = node["source"] if isinstance(node["source"], list) else [node["source"]]
        for source in sources:
            if str(source).startswith("not found"):
                assert node.get("assumption"), f"{path}: a figure without a source needs an explicit assumption"
            else:
                assert source in known_sources, f"{path}: unknown source {source!r}"
    for key, source in raw_targets["sources"].items():
        assert {"title", "publisher", "year", "url"} <= set(source), key
