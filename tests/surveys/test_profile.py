"""The country-profile format: what a valid profile gives, what an invalid one is refused with (file, field, rule),
the ``floorsim synth`` command's one-line errors with nothing written, and the columns added by the general
generator (``gave_birth``, ``orphan``)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.surveys.bundled import load_bundled_survey
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.synthetic import generate_survey, load_targets, read_profile

PROFILES = Path(__file__).resolve().parents[2] / "floorsim" / "surveys" / "data" / "profiles"
TIMOR_LESTE = PROFILES / "timor_leste.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(TIMOR_LESTE.read_text(encoding="utf-8"))


def write(tmp_path: Path, profile: dict, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["timor_leste.yaml", "viet_nam.yaml"])
def test_shipped_profiles_are_valid_and_every_cited_source_exists(name: str) -> None:
    profile = read_profile(PROFILES / name)
    assert len(profile.sources) >= 8
    for source in profile.sources.values():
        assert source.url and source.title and source.publisher


def test_timor_leste_targets_by_hand(raw: dict) -> None:
    targets = load_targets(TIMOR_LESTE)
    # The 2014 line of US$46.37 moved to 2015 prices with +0.65% CPI: 46.37 x 1.0065 = 46.671405.
    assert targets.poverty_line == pytest.approx(46.671405, abs=1e-9)
    assert targets.population_total == 1_183_643
    assert targets.urban_share_by_region == {"Dili": 0.879}
    assert targets.crude_birth_rate == pytest.approx(0.0304)


def test_viet_nam_targets_by_hand() -> None:
    targets = load_targets(PROFILES / "viet_nam.yaml")
    assert targets.split_poverty_lines and (targets.poverty_line_urban, targets.poverty_line_rural) == (2e6, 1.5e6)
    # 0.243 + 0.680 + 0.077 = 1.000 exactly, so persons 65+ = 0.077 x 96,208,984 = 7,408,091.8.
    assert targets.persons_by_age[2] == pytest.approx(7_408_091.768)
    assert targets.households_total == 26_900_000
    assert targets.total_fertility_rate == 2.09 and targets.crude_birth_rate is None


def mutate(raw: dict, change) -> dict:
    profile = copy.deepcopy(raw)
    change(profile)
    return profile


BROKEN = [
    ("age-sex total is not the regions total",
     lambda p: p["population"]["regions"]["values"].update(Dili=277_279 + 5_000),
     r"field 'population\.regions'.*add up to 1,188,643, not the population total 1,183,643"),
    ("unknown source",
     lambda p: p["welfare"]["gini"].update(source="a_friend"),
     r"field 'welfare\.gini'.*unknown source 'a_friend'"),
    ("not found without an assumption",
     lambda p: p["disability"]["cannot_do_at_all_share_of_severe"].pop("assumption"),
     r"disability\.cannot_do_at_all_share_of_severe: source 'not found' needs an 'assumption:'"),
    ("a share above 1",
     lambda p: p["welfare"]["poverty_rate"].update(value=41.8),
     r"welfare\.poverty_rate\.value: Input should be less than or equal to 1"),
    ("misspelt field",
     lambda p: p["welfare"].update(ginni=p["welfare"].pop("gini")),
     r"welfare\.gini: Field required; welfare\.ginni: Extra inputs are not permitted"),
    ("both household forms",
     lambda p: p["households"].update(mean_size={"value": 5.7, "source": "census_2015_household_size"}),
     r"households: Value error, give exactly one of 'total' and 'mean_size'|households: give exactly one"),
    ("urban share of a region that does not exist",
     lambda p: p["population"]["urban_share"]["by_region"].update(Atlantis={"value": 0.5, "source": "cia_factbook_2023"}),
     r"field 'population\.urban_share\.by_region'.*\['Atlantis'\] are not in population\.regions"),
    ("urban shares that cannot reach the national share",
     lambda p: p["population"]["urban_share"]["national"].update(value=0.01),
     r"field 'population\.urban_share'.*would need -0\.\d+ to reach the national share 0\.01"),
    ("age groups with a gap",
     lambda p: p["population"]["age_groups"].__setitem__(1, [6, 9]),
     r"field 'population\.age_groups'.*without gap or overlap"),
    ("ages and sexes in both forms",
     lambda p: p["population"].update(by_sex={"female": 1, "male": 2, "source": "census_2015_age_sex"}),
     r"population: .*either 'by_age_sex', or 'by_age' and 'by_sex'"),
]


@pytest.mark.parametrize("case, change, message", BROKEN, ids=[case for case, _, _ in BROKEN])
def test_invalid_profiles_are_refused_naming_file_field_and_rule(tmp_path: Path, raw: dict, case, change, message):
    path = write(tmp_path, mutate(raw, change))
    with pytest.raises(SurveyError, match=message) as caught:
        load_targets(path)
    assert str(path) in str(caught.value)


def test_duplicate_keys_are_refused_by_the_one_reader(tmp_path: Path) -> None:
    text = TIMOR_LESTE.read_text(encoding="utf-8").replace("reference_year: 2015", "reference_year: 2015\nreference_year: 2016")
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyError, match="duplicate key 'reference_year'"):
        read_profile(path)


def test_cli_error_is_one_line_exit_2_and_nothing_written(tmp_path: Path, raw: dict) -> None:
    path = write(tmp_path, mutate(raw, BROKEN[0][1]))
    out = tmp_path / "never"
    result = CliRunner().invoke(app, ["synth", str(path), "--out", str(out), "--households", "600"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "population.regions" in lines[0] and "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]  # no staged folder left behind either


def test_cli_refuses_to_replace_a_folder_that_is_not_a_survey(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = CliRunner().invoke(app, ["synth", str(TIMOR_LESTE), "--out", str(folder), "--households", "600"])
    assert result.exit_code == 2 and "--out" in result.output
    assert (folder / "keep.txt").read_text() == "mine"


# --- the columns of the general generator ---------------------------------------------------------------------


def test_bundled_survey_gives_births_not_children_aged_0(raw: dict) -> None:
    survey = load_bundled_survey()
    persons = survey.persons
    weights = survey.households.set_index("household_id")["weight"].loc[persons["household_id"]].to_numpy()
    births = persons["gave_birth"].to_numpy()
    assert (persons.loc[births, "sex"] == "female").all() and persons.loc[births, "age"].between(15, 49).all()
    per_1000 = weights[births].sum() / weights.sum() * 1000
    assert per_1000 == pytest.approx(raw["fertility"]["births_per_1000"]["value"], abs=0.3)
    assert not persons["orphan"].any()  # no orphanhood figure for Timor-Leste: all false, and said so
    assert survey.metadata.extra["orphan"] == "all false: the profile gives no orphanhood figure"


def test_orphans_follow_the_profile_where_it_gives_them(tmp_path: Path, raw: dict) -> None:
    def add_orphanhood(profile: dict) -> None:
        profile["sources"]["test_figure"] = {"title": "a test figure", "publisher": "tests", "year": 2024,
                                             "url": "https://example.org"}
        profile["orphanhood"] = {"value": 0.08, "ages": [0, 17], "source": "test_figure"}

    path = write(tmp_path, mutate(raw, add_orphanhood))
    survey = generate_survey(path, seed=5, n_households=2000)
    persons = survey.persons
    weights = survey.households.set_index("household_id")["weight"].loc[persons["household_id"]].to_numpy()
    orphan = persons["orphan"].to_numpy()
    children = persons["age"].between(0, 17).to_numpy()
    assert orphan.any() and not orphan[~children].any()
    assert weights[orphan].sum() / weights[children].sum() == pytest.approx(0.08, abs=0.002)
    # Rising with age (the model's assumption): more orphans among 12-17 than among 0-5.
    older, younger = persons["age"].between(12, 17).to_numpy(), persons["age"].between(0, 5).to_numpy()
    assert np.average(orphan[older], weights=weights[older]) > np.average(orphan[younger], weights=weights[younger])
    # Every column the Timor-Leste profile had is unchanged by adding the orphanhood figure (drawn last).
    plain = generate_survey(TIMOR_LESTE, seed=5, n_households=2000)
    for column in ("age", "sex", "disability_severity", "pregnant", "in_school", "gave_birth"):
        assert (plain.persons[column].to_numpy() == persons[column].to_numpy()).all(), column


def test_mean_and_gini_profile_sets_the_mean(tmp_path: Path, raw: dict) -> None:
    def mean_instead_of_rate(profile: dict) -> None:
        profile["welfare"].pop("poverty_rate")
        profile["welfare"]["mean_per_capita"] = {"value": 60.0, "source": "not found", "assumption": "a test"}

    survey = generate_survey(write(tmp_path, mutate(raw, mean_instead_of_rate)), seed=2, n_households=1000)
    per_capita = survey.households["consumption"].to_numpy() / survey.household_size
    weights = survey.households["weight"].to_numpy() * survey.household_size
    assert np.average(per_capita, weights=weights) == pytest.approx(60.0, rel=1e-9)


def test_describe_warns_of_births_to_men_and_outside_ages_10_55() -> None:
    from floorsim.surveys.describe import survey_warnings
    from floorsim.surveys.model import Survey

    survey = load_bundled_survey()
    persons = survey.persons.copy()
    man = int(persons.index[(persons["sex"] == "male") & (persons["age"] == 30)][0])
    girl = int(persons.index[(persons["sex"] == "female") & (persons["age"] == 8)][0])
    persons.loc[[man, girl], "gave_birth"] = True
    found = {w["rule"]: w for w in survey_warnings(Survey(survey.households, persons, survey.metadata))}
    assert found["gave birth, male"]["ids"] == [int(persons.loc[man, "person_id"])]
    assert found["gave birth, aged under 10 or over 55"]["ids"] == [int(persons.loc[girl, "person_id"])]
    assert not any(rule.startswith("gave birth") for rule in {w["rule"] for w in survey_warnings(survey)})
