"""Stata and SPSS files as statistics offices ship them: value-labelled codes, and Stata's empty string.

The copies are written here with pyreadstat from the eusilc fixture (the same 500 households as
``test_readers_formats.py``); the reference is the same rows read from Parquet with the example mapping.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from floorsim.surveys import SurveyError, load_survey, read_table
from tests.surveys.test_readers_formats import (
    MAPPING,
    REGIONS,
    SEX_LABELS,
    assert_same_survey,
    coded,
    source,  # noqa: F401 (fixture)
    write,
)

# EU-SILC PL030 (self-defined current economic status), the codes the example mapping recodes.
PL030_LABELS = {
    1: "working full time",
    2: "working part time",
    3: "unemployed",
    4: "pupil, student, further training",
    5: "in retirement",
    6: "permanently disabled or unfit to work",
    7: "domestic tasks and care responsibilities",
}
ALL_LABELS = {"db040": {i + 1: name for i, name in enumerate(REGIONS)}, "rb090": SEX_LABELS, "pl030": PL030_LABELS}


def labelled_copy(frame: pd.DataFrame, path: Path) -> Path:
    """Every coded column of the survey carries value labels (region, sex and economic status), and variable
    labels, as a national statistics office's Stata or SPSS file."""
    writer = pyreadstat.write_dta if path.suffix == ".dta" else pyreadstat.write_sav
    writer(coded(frame), str(path), variable_value_labels=ALL_LABELS,
           column_labels={"pl030": "Self-defined current economic status", "rb090": "Sex"})
    return path


@pytest.fixture(scope="module")
def reference(source, tmp_path_factory):  # noqa: F811
    return load_survey(write(source, tmp_path_factory.mktemp("ref") / "eusilc.parquet"), mapping=MAPPING)


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_example_mapping_reads_a_value_labelled_copy(tmp_path, source, reference, suffix):  # noqa: F811
    path = labelled_copy(source, tmp_path / f"eusilc{suffix}")
    # the copy is labelled: read with labels, economic status arrives as text
    assert set(read_table(path)["pl030"].dropna()) <= set(PL030_LABELS.values())
    assert_same_survey(load_survey(path, mapping=MAPPING), reference)


def test_without_a_per_variable_choice_the_labels_break_the_recode(tmp_path, source):  # noqa: F811
    """The defect the per-variable choice fixes: with labels everywhere, pl030's codes are not there to recode."""
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    for key in ("in_school", "employment_status"):
        del mapping["persons"][key]["values"]
    with pytest.raises(SurveyError) as raised:
        load_survey(labelled_copy(source, tmp_path / "eusilc.dta"), mapping=mapping)
    assert raised.value.field in ("persons.in_school.recode", "persons.employment_status.recode")
    assert "working full time" in str(raised.value)


def test_labels_chosen_per_variable_when_codes_are_the_default(tmp_path, source, reference):  # noqa: F811
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["read"]["value_labels"] = False
    # region and stratum read the names; sex is recoded from its codes (1 male, 2 female) by the example's recode
    mapping["households"]["region"] = {"column": "db040", "values": "labels"}
    mapping["households"]["stratum"] = {"column": "db040", "values": "labels"}
    survey = load_survey(labelled_copy(source, tmp_path / "eusilc.dta"), mapping=mapping)
    assert_same_survey(survey, reference)
    assert set(survey.households["region"]) <= set(REGIONS)


def test_one_column_read_two_ways_is_refused(tmp_path, source):  # noqa: F811
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["households"]["region"] = {"column": "db040", "values": "labels"}
    mapping["households"]["stratum"] = {"column": "db040", "values": "codes"}
    with pytest.raises(SurveyError) as raised:
        load_survey(labelled_copy(source, tmp_path / "eusilc.dta"), mapping=mapping)
    assert raised.value.field == "households.stratum.values"
    assert "db040" in raised.value.rule


def test_values_needs_a_column(tmp_path, source):  # noqa: F811
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["households"]["urban"] = {"constant": False, "values": "codes"}
    with pytest.raises(SurveyError, match="only meaningful for a variable read from columns"):
        load_survey(labelled_copy(source, tmp_path / "eusilc.dta"), mapping=mapping)


def test_stata_empty_string_is_missing(tmp_path):
    """Stata stores a missing string as "": read as missing, like a CSV's empty field (pandas' own reader)."""
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "name": ["a", "", "c", ""], "x": [1.5, np.nan, 3.0, 4.0]})
    path = tmp_path / "strings.dta"
    pyreadstat.write_dta(frame, str(path))
    raw, _ = pyreadstat.read_dta(str(path))
    assert list(raw["name"]) == ["a", "", "c", ""]  # what Stata holds
    table = read_table(path)
    assert table["name"].isna().tolist() == [False, True, False, True]
    assert table["x"].isna().tolist() == [False, True, False, False]
    frame.to_csv(tmp_path / "strings.csv", index=False)
    pd.testing.assert_frame_equal(table, read_table(tmp_path / "strings.csv"), check_dtype=False)


def test_stata_empty_string_takes_fill_missing(tmp_path, source, reference):  # noqa: F811
    """Region stored as text with some "" in Stata: the mapping's fill_missing sees them as missing."""
    copy = source.copy()
    copy["db040"] = copy["db040"].astype(object)
    blank = copy["db030"] % 7 == 0
    copy.loc[blank, "db040"] = ""
    path = tmp_path / "eusilc.dta"
    pyreadstat.write_dta(coded(copy.drop(columns="db040")).assign(db040=copy["db040"]), str(path),
                         variable_value_labels={"rb090": SEX_LABELS})
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["households"]["region"] = {"column": "db040", "fill_missing": "unknown"}
    mapping["households"]["stratum"] = {"column": "db040", "fill_missing": "unknown"}
    survey = load_survey(path, mapping=mapping)
    households = survey.households.set_index("household_id")
    blank_ids = sorted(set(copy.loc[blank, "db030"].astype(int)))
    assert set(households.loc[blank_ids, "region"]) == {"unknown"}
    expected = reference.households.set_index("household_id").drop(index=blank_ids)["region"]
    pd.testing.assert_series_equal(households.drop(index=blank_ids)["region"], expected)
