"""Static ageing of a survey to a projection year: reweighting to the year's population, money moved to its prices.

Ages stay as surveyed and the household weights change: the survey is calibrated (``floorsim.surveys.calibration``,
integrated household weighting) so that the weighted number of persons in each age group (and sex, where the
projection has it) equals the projected population of the year. With a 2015 survey projected to 2035 this is the
standard approach of static microsimulation: nobody in the data is made older, but the weight of older people
grows as the population ages. Household composition, regions and welfare keep their surveyed joint distribution.
Every year is calibrated from the survey's own weights (not from the previous year's), so a year's weights do not
depend on the horizon.

Money values (every money column of the data model, ``floorsim.surveys.money``: the welfare aggregate
``consumption`` or ``income``, ``monthly_pension`` and every ``income_*`` column, all per month) are multiplied by the year's factor (``MacroPath.survey_money_factor``: the CPI ratio by default), and the
survey's ``reference_year`` becomes the projection year, so that the rules (e.g. a means test on consumption) see
money of the year simulated and the engine's own uprating of welfare is 1. The original reference year and the
factor are recorded in ``metadata.extra["projection"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from floorsim.simulations.projections.errors import ProjectionError
from floorsim.surveys.calibration import CalibrationError, CalibrationResult, Margin, calibrate_weights, calibration_matrix
from floorsim.surveys.recorded_calibration import calibration_record
from floorsim.surveys.model import Survey
from floorsim.surveys.money import money_columns, scaled_money
from floorsim.surveys.streamed import StreamedSurvey


def _target_key(key: object) -> str:
    return "|".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


@dataclass
class StaticAgeing:
    """Ages one survey to any year. The calibration matrix (persons of each household in each age group) does not
    depend on the year, so it is built once; only the targets change.

    ``survey`` may be a :class:`~floorsim.surveys.streamed.StreamedSurvey`: the matrix is then built one row group at
    a time, and :meth:`age` returns a streamed survey with the new household weights, ``money_factor`` × the year's
    factor and the same metadata as the in-memory survey would get."""

    survey: Survey | StreamedSurvey
    method: str = "raking"
    bounds: tuple[float, float] | None = None
    where: str = ""

    def __post_init__(self) -> None:
        self._matrix: tuple[np.ndarray, list[tuple[str, str]], tuple] | None = None
        persons = self.survey.person_columns if isinstance(self.survey, StreamedSurvey) else self.survey.persons.columns
        self._money = {"households": money_columns(self.survey.households.columns), "persons": money_columns(persons)}

    def _calibration(self, margin: Margin, year: int) -> CalibrationResult:
        shape = (margin.name, margin.level, margin.by, margin.age_groups, tuple(sorted(map(_target_key, margin.targets))))
        try:
            if self._matrix is None or self._matrix[2] != shape:
                X, _, names = calibration_matrix(self.survey, [margin])
                self._matrix = (X, names, shape)
            X, names, _ = self._matrix
            targets = {_target_key(key): float(value) for key, value in margin.targets.items()}
            totals = np.array([targets[category] for _, category in names])
            return calibrate_weights(
                X, self.survey.households["weight"].to_numpy(np.float64), totals, method=self.method,
                bounds=self.bounds, names=[(f"{name}, {year}", category) for name, category in names],
            )
        except CalibrationError as error:
            raise ProjectionError(
                f"{self.where}: population: calibration to the {year} margins failed: {error}"
            ) from None

    def age(
        self, margin: Margin, year: int, money_factor: float, population_year: int | None = None
    ) -> tuple[Survey | StreamedSurvey, CalibrationResult]:
        """The survey reweighted to ``margin`` (the population of ``population_year``, default ``year``) and with
        money values × ``money_factor``, as a survey of ``year``."""
        population_year = year if population_year is None else population_year
        result = self._calibration(margin, population_year)
        survey = self.survey
        households = survey.households.assign(weight=result.weights)
        original = survey.metadata.reference_year
        extra = {
            **survey.metadata.extra,
            "calibration": {
                "method": self.method,
                "bounds": list(result.bounds) if result.bounds else None,
                "margins": list(dict.fromkeys(result.margins["margin"])),
                "iterations": result.iterations,
                "max_relative_error": result.max_relative_error,
            },
            "projection": {
                "year": year,
                "population_year": population_year,
                "survey_reference_year": original,
                "money_factor": money_factor,
                "money_columns": self._money,
                "ages": "as surveyed (static ageing by reweighting)",
            },
        }
        period = (
            f"{year}: static ageing of a {original} survey - weights calibrated to the {population_year} population projection, "
            f"money values multiplied by {money_factor:.6f}; ages as surveyed"
        )
        # The new weights meet this year's margins (and no longer the survey's own): uncertainty re-calibrates every
        # replicate to them, as it would to the survey's recorded calibration.
        calibration = calibration_record([margin], self.method, result.bounds)
        metadata = replace(
            survey.metadata, reference_year=year, extra=extra, reference_period=period, calibration=calibration
        )
        if isinstance(survey, StreamedSurvey):  # persons' weights and money follow when each row group is read
            return survey.replaced(households=households, metadata=metadata,
                                   money_factor=survey.money_factor * money_factor), result
        persons = survey.persons.copy()
        if "weight" in persons.columns:  # integrated weighting: every member carries the household weight
            persons["weight"] = result.weights[survey.person_household_index]
        households, persons = scaled_money(households, money_factor), scaled_money(persons, money_factor)
        return Survey(households, persons, metadata, origin=survey.origin), result
