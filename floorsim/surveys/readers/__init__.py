"""Reading surveys: floorsim's own folders, or any CSV, Parquet, Stata or SPSS survey through a mapping.

:func:`load_survey` is the one survey loader for everything above ``floorsim/surveys/``: ``load_survey(folder)`` reads a
survey written by :func:`floorsim.surveys.io.write_survey` (through :func:`floorsim.surveys.io.read_survey_folder`);
``load_survey(path, mapping=...)`` reads a survey in its own files and variable names, translated by a mapping file
(:mod:`floorsim.surveys.mapping`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from floorsim.surveys import io
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.mapping import SurveyMapping, load_mapping
from floorsim.surveys.model import Survey
from floorsim.surveys.readers.currency import convert_currency
from floorsim.surveys.readers.files import FORMATS, read_table
from floorsim.surveys.readers.household_level import survey_from_household_rows
from floorsim.surveys.readers.mapped import survey_from_tables

SurveyPaths = str | Path | Sequence[str | Path] | Mapping[str, str | Path]
MappingSource = str | Path | dict[str, Any] | SurveyMapping

__all__ = ["FORMATS", "MappingSource", "SurveyPaths", "convert_currency", "load_survey", "read_table",
           "survey_from_household_rows", "survey_from_tables"]


def load_survey(path_or_paths: SurveyPaths, mapping: MappingSource | None = None) -> Survey:
    """Read a survey into floorsim's data model.

    Args:
        path_or_paths: without ``mapping``, a folder in floorsim's own format (``households.parquet`` and
            ``persons.parquet``). With ``mapping``: one file of person rows carrying household columns (one-file
            layout; or one row per household with a mapping's ``members``), or a household file and a person file
            given as ``{"households": ..., "persons": ...}`` or as
            a pair ``(households, persons)`` (two-file layout). Files are CSV, Parquet, Stata ``.dta`` or SPSS
            ``.sav``, told apart by their extension.
        mapping: a mapping YAML file (or its parsed dict, or a :class:`~floorsim.surveys.mapping.SurveyMapping`) naming
            the source of every model variable; see ``docs/data_model.md``.

    Returns:
        A validated :class:`~floorsim.surveys.model.Survey`; nothing is written anywhere.

    Raises:
        SurveyError: naming the file, the mapping key or column, the offending row ids and the rule broken.
    """
    survey = _read(path_or_paths, mapping)
    if survey.households.empty:  # every statistic of an empty survey is undefined: refuse it here, once
        raise SurveyError("the survey holds no households: there is nothing to describe or simulate",
                          source=survey.origin)
    return survey


def _read(path_or_paths: SurveyPaths, mapping: MappingSource | None) -> Survey:
    """The survey as read (see :func:`load_survey`), before the check that it is not empty."""
    if mapping is None:
        if isinstance(path_or_paths, (str, Path)):
            return io.read_survey_folder(path_or_paths)
        raise SurveyError("reading separate household and person files needs a mapping (mapping=...)")
    spec = load_mapping(mapping)
    survey = _mapped_survey(path_or_paths, spec)
    conversion = spec.metadata.conversion
    if conversion is not None:
        source = f"mapping metadata.conversion: {conversion.source}"
        survey = convert_currency(survey, conversion.currency, float(conversion.rate), source)
    return survey


def _mapped_survey(path_or_paths: SurveyPaths, spec: SurveyMapping) -> Survey:
    """The survey the mapping ``spec`` reads from one file (person rows, or household rows with ``members``) or
    from a household file and a person file."""
    options = {**spec.read.model_dump(), "values_of": spec.column_values()}
    if spec.household_level:
        if not isinstance(path_or_paths, (str, Path)):
            raise SurveyError("a household-level mapping (members) reads one household file, not two files")
        return survey_from_household_rows(spec, read_table(path_or_paths, **options), str(path_or_paths))
    if isinstance(path_or_paths, (str, Path)):
        persons = read_table(path_or_paths, **options)
        return survey_from_tables(spec, persons, str(path_or_paths))
    households_path, persons_path = _two_paths(path_or_paths)
    households = read_table(households_path, **options)
    persons = read_table(persons_path, **options)
    return survey_from_tables(spec, persons, str(persons_path), households, str(households_path))


def _two_paths(paths: Sequence[str | Path] | Mapping[str, str | Path]) -> tuple[str | Path, str | Path]:
    if isinstance(paths, Mapping):
        unknown = sorted(set(paths) - {"households", "persons"})
        if unknown or set(paths) != {"households", "persons"}:
            raise SurveyError(
                f"two-file surveys are given as {{'households': path, 'persons': path}} (got keys {sorted(paths)})"
            )
        return paths["households"], paths["persons"]
    if len(paths) != 2:
        raise SurveyError(f"expected one path, or two (households, persons); got {len(paths)}")
    return paths[0], paths[1]
