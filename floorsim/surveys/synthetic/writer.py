"""A country profile's synthetic survey written to a folder, with its calibration report (``floorsim synth``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pandas as pd

from floorsim.surveys.atomic import staged_folder
from floorsim.surveys.errors import SurveyError
from floorsim.surveys.io import HOUSEHOLDS_FILE, PERSONS_FILE, write_survey
from floorsim.surveys.model import Survey
from floorsim.surveys.synthetic.generator import generate_survey
from floorsim.surveys.synthetic.report import achieved_vs_targets
from floorsim.surveys.synthetic.targets import load_targets

REPORT_FILE = "calibration_report.csv"


def synthesise(
    profile: str | Path, out: str | Path, n_households: int, seed: int,
    phase: Callable[[str], AbstractContextManager] = lambda name: nullcontext(),
) -> tuple[Survey, pd.DataFrame]:
    """Generate the survey of ``profile`` and write it to the folder ``out`` with ``calibration_report.csv``.

    The folder holds ``households.parquet`` and ``persons.parquet`` (:func:`floorsim.surveys.io.write_survey`, readable by
    :func:`floorsim.surveys.load_survey` and ``floorsim run``) and the calibration report (one row per target: target,
    achieved, gap, relative gap; :func:`floorsim.surveys.synthetic.report.achieved_vs_targets`). Everything is generated
    and checked before anything is written, and the folder is written beside ``out`` and renamed into place, so a
    failure leaves ``out`` as it was.

    ``phase(name)``: a context manager timing (and showing) each step: generation and calibration, the
    calibration report, writing (``floorsim synth`` passes its ``Phases.phase``).

    Raises:
        SurveyError: the profile is not valid (file, field, rule), the size is too small, or ``out`` is a folder
            that holds other files than a survey (it would be replaced whole).
    """
    out = Path(out)
    _check_replaceable(out)
    targets = load_targets(profile)
    try:
        with phase("generating and calibrating the survey"):
            survey = generate_survey(targets, seed, n_households)
    except ValueError as error:
        if isinstance(error, SurveyError):
            raise
        raise SurveyError(str(error), source=str(profile), field="--households") from None
    with phase("calibration report"):
        report = achieved_vs_targets(survey, targets)
    with phase("writing the survey"), staged_folder(out) as staging:
        # write_survey replaces the (empty) staged folder by one holding the two Parquet files, renamed in place;
        # the report joins them, then the whole folder is renamed to ``out``.
        write_survey(survey, staging)
        report.to_csv(staging / REPORT_FILE, index=False)
    return survey, report


def _check_replaceable(out: Path) -> None:
    """``out`` may be missing, empty, or a survey folder written before: anything else is refused."""
    if out.exists() and not out.is_dir():
        raise SurveyError("exists and is not a folder", source=str(out), field="--out")
    if out.is_dir():
        names = {path.name for path in out.iterdir()}
        if names and not {HOUSEHOLDS_FILE, PERSONS_FILE} <= names:
            raise SurveyError(
                "is a folder that holds other files than a survey: it would be replaced whole; choose a new folder",
                source=str(out),
                field="--out",
            )
