"""Column types of the data model are read strictly: nothing a plain ``astype`` would silently change gets through.

A survey folder whose yes/no column holds text ("false", "no", "0") used to read every household as urban
(``astype(bool)`` is True for any non-empty text), and fractional ages were truncated. Each case here is either read
as written or refused with an error naming the column and the rows.
"""

from __future__ import annotations

import pytest

from floorsim.surveys import load_survey
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import write_survey
from floorsim.surveys.model import Survey
from tests.conftest import make_tiny_survey


def _with(households=None, persons=None) -> Survey:
    tiny = make_tiny_survey()
    h = tiny.households.copy() if households is None else households(tiny.households.copy())
    p = tiny.persons.copy() if persons is None else persons(tiny.persons.copy())
    return Survey(h, p, tiny.metadata)


@pytest.mark.parametrize(
    "text, expected",
    [
        (["true", "false", "FALSE", " True "], [True, False, False, True]),
        (["yes", "no", "No", "YES"], [True, False, False, True]),
        (["1", "0", "0", "1"], [True, False, False, True]),
    ],
)
def test_text_booleans_are_read_as_written(text, expected):
    survey = _with(households=lambda h: h.assign(urban=text))
    assert survey.households["urban"].tolist() == expected
    assert survey.households["urban"].dtype == bool


def test_text_booleans_in_a_survey_folder_are_read_as_written(tmp_path):
    """The reported case: a folder written by another tool with urban stored as text."""
    survey = _with(households=lambda h: h.assign(urban=["false", "no", "0", "true"]))
    folder = tmp_path / "survey"
    write_survey(survey, folder)
    assert load_survey(folder).households["urban"].tolist() == [False, False, False, True]


def test_numbers_0_and_1_are_booleans_but_2_is_refused():
    assert _with(households=lambda h: h.assign(urban=[1, 0, 0, 1])).households["urban"].tolist() == [
        True, False, False, True
    ]
    with pytest.raises(SurveyError, match=r"field 'urban', rows \[3\]: yes/no values must be 0 or 1"):
        _with(households=lambda h: h.assign(urban=[1, 0, 2, 1]))


def test_unknown_text_in_a_yes_no_column_is_refused_with_its_rows():
    message = r"field 'pregnant', rows \[22, 41\]: yes/no values must be true/false, yes/no or 1/0"
    with pytest.raises(SurveyError, match=message):
        _with(persons=lambda p: p.assign(pregnant=["no"] * 4 + ["maybe"] + ["no"] * 2 + ["sometimes", "no"]))


def test_fractional_ages_are_refused_not_truncated():
    with pytest.raises(SurveyError, match=r"field 'age', rows \[13\]: must be whole numbers"):
        _with(persons=lambda p: p.assign(age=[72, 65, 8.5, 35, 2, 59, 84, 40, 10]))


def test_whole_numbers_stored_as_floats_or_text_are_integers():
    survey = _with(persons=lambda p: p.assign(age=[72.0, 65.0, 8.0, 35.0, 2.0, 59.0, 84.0, 40.0, 10.0],
                                              disability_severity=["0", "0", "0", "3", "0", "1", "2", "2", "0"]))
    assert survey.persons["age"].tolist()[:3] == [72, 65, 8] and survey.persons["age"].dtype == "int64"
    assert survey.persons["disability_severity"].tolist()[3] == 3


def test_fractional_identifiers_are_refused():
    with pytest.raises(SurveyError, match=r"field 'household_id', rows \[1\]: must be whole numbers"):
        _with(households=lambda h: h.assign(household_id=[1.0, 2.5, 3.0, 4.0]))
