"""Fuzzing every file floorsim reads: a project error or a valid result, never another exception (issue 20).

Each property feeds malformed input to one reader and checks the one invariant of the input-safety layer. A
project error is any subclass of ``FloorsimError``, ``SurveyError`` or ``IndicatorError``
(``floorsim.simulations.cli.terminal.PROJECT_ERRORS``): what the CLI prints as one line.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from hypothesis import given
from hypothesis import strategies as st

from floorsim.simulations.cli.terminal import PROJECT_ERRORS
from floorsim.simulations.engine.reforms import ReformSpec, check_reform, load_reform
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.projections.assumptions import Assumptions, parse_assumptions
from floorsim.surveys.input_files import read_yaml_text
from floorsim.surveys.io import decode_metadata
from floorsim.surveys.mapping import SurveyMapping, load_mapping
from floorsim.surveys.model import Survey, SurveyMetadata
from tests.conftest import make_tiny_survey
from tests.fuzz import settings
from tests.fuzz.strategies import NASTY_NUMBERS, NASTY_TEXT, VALUES, edited
from tests.projections.helpers import raw_assumptions

REPOSITORY = Path(__file__).resolve().parents[2]
MAPPING = yaml.safe_load((REPOSITORY / "floorsim/surveys/examples/eusilc_mapping.yaml").read_text(encoding="utf-8"))
REFORM = yaml.safe_load((REPOSITORY / "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml").read_text())
ASSUMPTIONS = raw_assumptions()
TINY = make_tiny_survey()


def outcome(function, *args):
    """``("ok", result)`` or ``("refused", error)`` for a project error; any other exception propagates (the
    property fails with its traceback, which is the bug)."""
    try:
        return "ok", function(*args)
    except PROJECT_ERRORS as error:
        assert str(error).strip(), "a project error must say what is wrong"
        return "refused", error


YAML_PIECES = st.sampled_from(["a: 1\n", "a: &x [1, 2]\n", "b: [*x, *x]\n", "- ", "[" * 40, "]" * 40, "{a: 1, a: 2}",
                               "key: !!python/object:os.system x\n", ": :\n", "\t", "? [a]\n: 1\n", "2025-02-30\n",
                               "x: 1e400\n", "%YAML 1.1\n---\n", "---\n...\n", "\ufeff", "\x85", "&a [*a]\n"])


@settings.files
@given(st.one_of(st.text(max_size=200), st.lists(YAML_PIECES, max_size=12).map("".join),
                 st.binary(max_size=200), st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth)))
def test_yaml_reader_returns_data_or_a_project_error(text) -> None:
    kind, value = outcome(read_yaml_text, text, "<fuzz>")
    if kind == "ok":  # plain data only: what json can hold, plus dates (YAML timestamps)
        json.dumps(value, default=lambda item: item.isoformat() if isinstance(item, datetime.date) else repr(item))


@settings.files
@given(edited(MAPPING))
def test_mappings_are_valid_or_refused(raw) -> None:
    kind, value = outcome(load_mapping, raw)
    assert kind == "refused" or isinstance(value, SurveyMapping)


@settings.files
@given(raw=st.one_of(edited(REFORM), edited(REFORM, NASTY_NUMBERS), edited(REFORM, NASTY_TEXT), VALUES))
def test_reforms_are_valid_and_in_range_or_refused(tmp_path_factory, raw) -> None:
    path = tmp_path_factory.mktemp("reform") / "reform.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    kind, spec = outcome(load_reform, path)
    if kind == "ok":
        assert isinstance(spec, ReformSpec)
        outcome(check_reform, spec, baseline_system("timor_leste"))


@settings.files
@given(st.one_of(edited(ASSUMPTIONS), edited(ASSUMPTIONS, NASTY_NUMBERS), edited(ASSUMPTIONS, NASTY_TEXT)))
def test_assumptions_are_valid_or_refused(raw) -> None:
    kind, value = outcome(parse_assumptions, raw)
    if kind == "ok":
        assert isinstance(value, Assumptions)
        assert 1900 <= value.years.start <= value.years.end <= 2200  # no memory bomb got through


METADATA = {key: value for key, value in dataclasses.asdict(TINY.metadata).items() if value is not None}


@settings.files
@given(st.one_of(edited(METADATA).map(lambda raw: json.dumps(raw).encode()), st.binary(max_size=50)))
def test_survey_metadata_is_valid_or_refused(raw: bytes) -> None:
    kind, value = outcome(decode_metadata, raw, "<fuzz>")
    assert kind == "refused" or isinstance(value, SurveyMetadata)


CELL = st.one_of(NASTY_NUMBERS, NASTY_TEXT, st.none(), st.booleans())


@st.composite
def broken_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tiny survey's tables with some cells replaced, some columns dropped, or some rows removed."""
    tables = [TINY.households.astype(object), TINY.persons.astype(object)]
    for _ in range(draw(st.integers(1, 4))):
        which = draw(st.integers(0, 1))
        table = tables[which]
        if table.empty or not len(table.columns):
            break
        action = draw(st.sampled_from(["cell", "column", "rows"]))
        column = draw(st.sampled_from(list(table.columns)))
        if action == "cell":
            table.loc[table.index[draw(st.integers(0, len(table) - 1))], column] = draw(CELL)
        elif action == "column":
            tables[which] = table.drop(columns=column)
        else:
            tables[which] = table.drop(index=table.index[draw(st.integers(0, len(table) - 1))])
    return tables[0], tables[1]


@settings.files
@given(broken_tables())
def test_survey_tables_are_valid_or_refused(tables) -> None:
    households, persons = tables
    kind, survey = outcome(Survey, households, persons, TINY.metadata)
    if kind == "ok":  # a survey that was accepted holds what the model promises
        assert survey.households["household_id"].is_unique and len(survey.households) > 0
        assert np.isfinite(survey.households["weight"].to_numpy(np.float64)).all()
        assert survey.household_size.sum() == len(survey.persons)
