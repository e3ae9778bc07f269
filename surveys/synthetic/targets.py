"""The published figures the synthetic survey matches, read from ``surveys/data/timor_leste_targets.yaml``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from surveys.errors import SurveyError

DEFAULT_TARGETS = Path(__file__).resolve().parents[1] / "data" / "timor_leste_targets.yaml"
POVERTY_LINE_PRICE_YEAR = 2014  # prices of the published line (key poverty_line_2014 in the targets file)


@dataclass(frozen=True)


class Targets:
    """The figures the generator matches, read from the targets YAML (see that file for sources).

    Attributes:
        reference_year: year of ages and money values.
        age_groups: inclusive (lowest, highest) age of each group, in years.
        persons_by_age_sex: persons per age group, shape (2, groups), rows female then male.
        municipality_population: persons per municipality.
        urban_share_national, urban_share_dili: share of persons living in urban areas.
        households_total: number of private households.
        poverty_line: national poverty line in reference-year USD per person per month.
        poverty_headcount, gini: share of persons below the line; Gini of per-capita consumption.
        adults_any_difficulty: share of persons aged 15+ with disability severity >= 1.
        severe_disability_share: share of all persons with severity >= 2.
        cannot_do_share_of_severe: share of persons with severity >= 2 who have severity 3.
        crude_birth_rate: live births per person per year.
        households_child_out_of_school: share of households with a child aged 6-14 not attending school.
        sha256: hash of the targets file's bytes.
    """

    reference_year: int
    age_groups: tuple[tuple[int, int], ...]
    persons_by_age_sex: np.ndarray
    municipality_population: dict[str, float]
    urban_share_national: float
    urban_share_dili: float
    households_total: float
    poverty_line: float
    poverty_headcount: float
    gini: float
    adults_any_difficulty: float
    severe_disability_share: float
    cannot_do_share_of_severe: float
    crude_birth_rate: float
    households_child_out_of_school: float
    sha256: str

    @property
    def population_total(self) -> float:
        """Total persons (float)."""
        return float(self.persons_by_age_sex.sum())


def load_targets(path: str | Path | None = None) -> Targets:
    """Read the targets YAML (default: the bundled Timor-Leste file) into :class:`Targets`."""
    path = Path(path) if path is not None else DEFAULT_TARGETS
    raw_bytes = path.read_bytes()
    raw = yaml.safe_load(raw_bytes)
    pop = raw["population"]
    consumption = raw["consumption"]
    year = int(raw["reference_year"])
    # Move the 2014 line to the reference year with the CPI, as the consumption distribution is moved with it.
    inflation = consumption["cpi_inflation"]["values"]
    uprating = float(np.prod([1 + rate for y, rate in inflation.items() if POVERTY_LINE_PRICE_YEAR < int(y) <= year]))
    by_age_sex = np.array([pop["by_age_sex"]["female"], pop["by_age_sex"]["male"]], dtype=np.float64)
    targets = Targets(
        reference_year=year,
        age_groups=tuple((int(lo), int(hi)) for lo, hi in pop["age_groups"]),
        persons_by_age_sex=by_age_sex,
        municipality_population={k: float(v) for k, v in pop["by_municipality"]["values"].items()},
        urban_share_national=float(pop["urban_share"]["national"]["value"]),
        urban_share_dili=float(pop["urban_share"]["dili"]["value"]),
        households_total=float(raw["households"]["total"]["value"]),
        poverty_line=float(consumption["poverty_line_2014"]["value"]) * uprating,
        poverty_headcount=float(consumption["poverty_headcount_2014"]["value"]),
        gini=float(consumption["gini_2014"]["value"]),
        adults_any_difficulty=float(raw["disability"]["adults_15plus_some_difficulty_or_worse"]["value"]),
        severe_disability_share=float(raw["disability"]["population_a_lot_of_difficulty_or_worse"]["value"]),
        cannot_do_share_of_severe=float(raw["disability"]["cannot_do_at_all_share_of_severe"]["value"]),
        crude_birth_rate=float(raw["fertility"]["crude_birth_rate"]["value"]),
        households_child_out_of_school=float(raw["schooling"]["households_with_a_child_not_in_school"]["value"]),
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
    )
    _check_targets(targets, path)
    return targets


def _check_targets(targets: Targets, path: Path) -> None:
    """Refuse a targets file whose margins contradict each other (calibration could not meet them all)."""
    by_age = targets.population_total
    by_region = sum(targets.municipality_population.values())
    if abs(by_age - by_region) > 0.5:
        raise SurveyError(
            f"persons by age and sex ({by_age:,.0f}) and by municipality ({by_region:,.0f}) must add up to the same "
            "total",
            source=str(path),
            field="population",
        )
    if "Dili" not in targets.municipality_population:
        raise SurveyError("the urban-share assumption needs a municipality named 'Dili'", source=str(path))


def age_group_index(age: np.ndarray, age_groups: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Index of each age's group (ages above the last group's upper bound fall in the last group)."""
    lows = np.array([lo for lo, _ in age_groups])
    return np.searchsorted(lows, age, side="right") - 1
