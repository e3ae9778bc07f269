"""The sourced population projection read as calibration margins."""

from __future__ import annotations

import pytest
import yaml

from floorsim.simulations.projections import ProjectionError
from floorsim.simulations.projections.population import read_population_projection
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.calibration import calibration_matrix
from tests.projections.helpers import POPULATION


def test_wpp_file_is_read_in_persons_with_its_source():
    projection = read_population_projection(POPULATION)
    raw = yaml.safe_load(POPULATION.read_text(encoding="utf-8"))
    assert projection.multiplier == 1000
    assert not projection.by_sex  # the source has both sexes only
    assert projection.years == list(range(2025, 2036))
    assert "World Population Prospects 2022" in projection.source["title"]
    for year in projection.years:
        assert projection.total(year) == raw["years"][year]["total"] * 1000
    assert projection.group_total(2035, "60-64") == 42_000
    assert [g.label for g in projection.groups][-1] == "80+"


def test_margins_match_the_survey_age_groups():
    """Every projected group has survey persons and every survey person falls in a projected group."""
    projection = read_population_projection(POPULATION)
    X, targets, _ = calibration_matrix(load_bundled_survey(), [projection.margin(2030)])
    assert len(targets) == 17
    assert targets.sum() == projection.total(2030)
    assert (X.sum(axis=1) > 0).all()


def write(tmp_path, raw) -> str:
    path = tmp_path / "population.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ProjectionError) as caught:
        read_population_projection(path)
    assert str(path) in str(caught.value)
    return str(caught.value)


def test_malformed_files_name_the_field(tmp_path):
    good = {
        "source": {"title": "test source"},
        "unit": "persons",
        "age_groups": ["0-4", "5+"],
        "years": {2025: {"both_sexes": {"0-4": 10, "5+": 20}}},
    }
    assert read_population_projection_ok(tmp_path, good).total(2025) == 30
    assert "age_groups[1]" in write(tmp_path, {**good, "age_groups": ["0-4", "6+"]})
    assert "source" in write(tmp_path, {**good, "source": None})
    assert "unit" in write(tmp_path, {**good, "unit": "people"})
    bad = {**good, "years": {2025: {"both_sexes": {"0-4": 10, "5+": -1}}}}
    assert "years.2025.both_sexes.5+" in write(tmp_path, bad)
    bad = {**good, "years": {2025: {"both_sexes": {"0-4": 10}}}}
    assert "years.2025.both_sexes: needs exactly the age groups" in write(tmp_path, bad)


def read_population_projection_ok(tmp_path, raw):
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(raw))
    return read_population_projection(path)


def test_a_split_by_sex_gives_crossed_margins(tmp_path):
    raw = {
        "source": {"title": "test source"},
        "unit": "thousands of persons",
        "age_groups": ["0-59", "60+"],
        "years": {2025: {"female": {"0-59": 1, "60+": 2}, "male": {"0-59": 3, "60+": 4}}},
    }
    projection = read_population_projection_ok(tmp_path, raw)
    margin = projection.margin(2025)
    assert margin.by == ("age_group", "sex")
    assert margin.targets[("60+", "male")] == 4000
    assert projection.group_total(2025, "60+") == 6000
