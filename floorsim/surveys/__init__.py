"""Household surveys in floorsim's data model: read, map, validate, describe, calibrate, write, and synthesise.

The survey layer knows nothing of OpenFisca: it hands the engine validated tables.

``load_survey`` is the one survey loader: ``load_survey(folder)`` reads floorsim's own format;
``load_survey(path_or_paths, mapping=...)`` reads CSV, Parquet, Stata or SPSS files through a mapping (see
``docs/data_model.md``).
"""

from floorsim.surveys.calibration import CalibrationError, CalibrationResult, Margin, Total, calibrate_survey, calibrate_weights
from floorsim.surveys.describe import describe_survey
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import survey_hash, write_survey
from floorsim.surveys.mapping import SurveyMapping, load_mapping
from floorsim.surveys.model import Survey, SurveyMetadata
from floorsim.surveys.readers import load_survey, read_table

__all__ = [
    "CalibrationError",
    "CalibrationResult",
    "Margin",
    "Survey",
    "SurveyError",
    "SurveyMapping",
    "SurveyMetadata",
    "Total",
    "calibrate_survey",
    "calibrate_weights",
    "describe_survey",
    "load_mapping",
    "load_survey",
    "read_table",
    "survey_hash",
    "write_survey",
]
