"""Household surveys in floorsim's data model: read, validate, write, and synthesise.

The survey layer knows nothing of OpenFisca: it hands the engine validated tables.
"""

from surveys.errors import SurveyError
from surveys.io import read_survey, survey_hash, write_survey
from surveys.model import Survey, SurveyMetadata

__all__ = ["Survey", "SurveyError", "SurveyMetadata", "read_survey", "survey_hash", "write_survey"]
