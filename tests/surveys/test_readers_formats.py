"""The same survey in CSV, Parquet, Stata (with value labels) and SPSS, one-file and two-file, gives one Survey.

The files are written here from the eusilc fixture with independent writers (pandas for CSV, Parquet and Stata;
pyreadstat for SPSS), so no binary fixture is committed. In the Stata and SPSS copies region and sex are integer
codes carrying value labels, as statistics offices ship them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from floorsim.surveys import Survey, load_survey, read_table

ROOT = Path(__file__).resolve().parents[2]
EUSILC = ROOT / "tests" / "fixtures" / "eusilc" / "eusilc.parquet"
MAPPING = ROOT / "floorsim" / "surveys" / "examples" / "eusilc_mapping.yaml"
REGIONS = ["Burgenland", "Carinthia", "Lower Austria", "Salzburg", "Styria", "Tyrol", "Upper Austria", "Vienna",
           "Vorarlberg"]
SEX_LABELS = {1: "male", 2: "female"}  # EU-SILC RB090 codes
HOUSEHOLD_COLUMNS = ["db030", "hsize", "db040", "hy040n", "hy050n", "hy070n", "hy080n", "hy090n", "hy110n",
                     "hy130n", "hy145n", "eqSS", "eqIncome", "db090"]
PERSON_COLUMNS = ["rb030", "db030", "age", "rb090", "pl030", "py010n", "py050n", "py090n", "py100n", "py110n",
                  "py120n", "py130n", "py140n", "rb050"]


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    """The first 500 households of eusilc, with plain numpy/object columns (what every writer accepts)."""
    raw = pd.read_parquet(EUSILC)
    raw = raw[raw["db030"] <= 500].drop(columns="pb220a").reset_index(drop=True)
    return pd.DataFrame({name: raw[name].astype(object).where(raw[name].notna(), np.nan).to_numpy()
                         if raw[name].dtype.kind not in "if" else raw[name].to_numpy() for name in raw.columns})


def coded(frame: pd.DataFrame) -> pd.DataFrame:
    """Region and sex as integer codes (for value labels), economic status as numeric codes with missing values."""
    out = frame.copy()
    if "db040" in out:
        out["db040"] = out["db040"].map({name: i + 1 for i, name in enumerate(REGIONS)}).astype(np.int32)
    if "rb090" in out:
        out["rb090"] = out["rb090"].map({v: k for k, v in SEX_LABELS.items()}).astype(np.int32)
    if "pl030" in out:
        out["pl030"] = pd.to_numeric(out["pl030"]).astype(np.float64)
    return out


def labels_for(frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    labels = {"db040": {i + 1: name for i, name in enumerate(REGIONS)}, "rb090": SEX_LABELS}
    return {name: value for name, value in labels.items() if name in frame.columns}


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".dta":
        coded(frame).to_stata(path, write_index=False, value_labels=labels_for(frame), version=118)
    elif path.suffix == ".sav":
        pyreadstat.write_sav(coded(frame), path, variable_value_labels=labels_for(frame))
    else:
        raise AssertionError(path)
    return path


@pytest.fixture(scope="module")
def reference(source: pd.DataFrame, tmp_path_factory) -> Survey:
    return load_survey(write(source, tmp_path_factory.mktemp("ref") / "eusilc.parquet"), mapping=MAPPING)


def assert_same_survey(survey: Survey, reference: Survey) -> None:
    pd.testing.assert_frame_equal(survey.households, reference.households)
    pd.testing.assert_frame_equal(survey.persons, reference.persons)
    assert survey.metadata == reference.metadata


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".dta", ".sav"])
def test_one_file_formats_give_identical_surveys(tmp_path, source, reference, suffix):
    path = write(source, tmp_path / f"eusilc{suffix}")
    survey = load_survey(path, mapping=MAPPING)
    assert_same_survey(survey, reference)
    assert survey.origin == str(path)
    assert len(reference.households) == 500


@pytest.mark.parametrize(("households_suffix", "persons_suffix"), [(".csv", ".sav"), (".dta", ".parquet")])
def test_two_file_layout_gives_the_same_survey(tmp_path, source, reference, households_suffix, persons_suffix):
    households = source[HOUSEHOLD_COLUMNS].drop_duplicates("db030").reset_index(drop=True)
    persons = source[PERSON_COLUMNS]
    paths = {
        "households": write(households, tmp_path / f"households{households_suffix}"),
        "persons": write(persons, tmp_path / f"persons{persons_suffix}"),
    }
    assert_same_survey(load_survey(paths, mapping=MAPPING), reference)
    assert_same_survey(load_survey((paths["households"], paths["persons"]), mapping=MAPPING), reference)


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_value_labels_are_read(tmp_path, source, suffix):
    path = write(source, tmp_path / f"eusilc{suffix}")
    labelled = read_table(path)
    codes = read_table(path, value_labels=False)
    assert sorted(set(labelled["rb090"])) == ["female", "male"]
    assert sorted(set(codes["rb090"])) == [1, 2]
    assert set(labelled["db040"]) == set(REGIONS)


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_codes_recoded_by_the_mapping_instead_of_labels(tmp_path, source, reference, suffix):
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["read"]["value_labels"] = False
    regions = {i + 1: name for i, name in enumerate(REGIONS)}
    mapping["households"]["region"] = {"column": "db040", "recode": regions}
    mapping["households"]["stratum"] = {"column": "db040", "recode": regions}
    survey = load_survey(write(source, tmp_path / f"eusilc{suffix}"), mapping=mapping)
    assert_same_survey(survey, reference)
