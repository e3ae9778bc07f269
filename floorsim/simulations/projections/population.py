"""A sourced population projection by age group (and sex, where the source has it), read as calibration margins.

The file format is that of ``floorsim/surveys/data/timor_leste_population_projection.yaml``: a ``source`` block, a ``unit``
(``"thousands of persons ..."`` or ``"persons ..."``), the ``age_groups`` (``'0-4'`` ... ``'80+'``, contiguous from
0, the last open), and under ``years`` one mapping per year with either ``both_sexes: {group: count}`` or
``female:`` and ``male:`` mappings. Numbers are taken as they are: nothing is interpolated or invented here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


from floorsim.simulations.projections.errors import ProjectionError
from floorsim.surveys.calibration import Margin
from floorsim.surveys.input_files import read_yaml_file

SEXES = ("female", "male")
_GROUP = re.compile(r"^(\d+)(?:-(\d+)|\+)$")


@dataclass(frozen=True)
class AgeGroup:
    """Ages ``low`` to ``high`` inclusive (``high`` is None for the open last group)."""

    label: str
    low: int
    high: int | None

    def ages(self) -> range:
        return range(self.low, (self.high if self.high is not None else self.low) + 1)


@dataclass(frozen=True)
class PopulationProjection:
    """Persons by age group (and sex) per year, in persons (the file's unit multiplied out)."""

    path: Path
    source: dict
    unit: str
    multiplier: float
    groups: tuple[AgeGroup, ...]
    by_sex: bool
    counts: dict[int, dict[tuple[str, str], float]]  # year -> {(group label, sex or "both_sexes"): persons}

    @property
    def years(self) -> list[int]:
        return sorted(self.counts)

    def total(self, year: int) -> float:
        return float(sum(self._year(year).values()))

    def group_total(self, year: int, label: str) -> float:
        """Persons in one age group, both sexes."""
        return float(sum(count for (group, _), count in self._year(year).items() if group == label))

    def margin(self, year: int) -> Margin:
        """The calibration margin of ``year``: persons by age group (crossed with sex when the source has it)."""
        counts = self._year(year)
        lower_bounds = tuple(group.low for group in self.groups)
        name = f"persons by age group{' and sex' if self.by_sex else ''} ({self.path.name})"
        if self.by_sex:
            return Margin(name, "persons", ("age_group", "sex"), dict(counts), age_groups=lower_bounds)
        return Margin(
            name, "persons", ("age_group",), {group: count for (group, _), count in counts.items()},
            age_groups=lower_bounds,
        )

    def _year(self, year: int) -> dict[tuple[str, str], float]:
        if year not in self.counts:
            raise ProjectionError(
                f"{self.path}: no population for {year} (the file has {self.years[0]}-{self.years[-1]})"
            )
        return self.counts[year]


def _groups(path: Path, labels: object) -> tuple[AgeGroup, ...]:
    if not isinstance(labels, list) or not labels:
        raise ProjectionError(f"{path}: age_groups: give the list of age groups, e.g. ['0-4', '5-9', ..., '80+']")
    groups = []
    expected = 0
    for position, label in enumerate(labels):
        match = _GROUP.match(str(label))
        if not match:
            raise ProjectionError(f"{path}: age_groups[{position}]: {label!r} is not 'LOW-HIGH' or 'LOW+'")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else None
        last = position == len(labels) - 1
        if low != expected or (high is None) != last or (high is not None and high < low):
            raise ProjectionError(
                f"{path}: age_groups[{position}]: {label!r}: groups must be contiguous from age 0, and only the "
                "last may be open ('80+')"
            )
        groups.append(AgeGroup(str(label), low, high))
        expected = (high or 0) + 1
    return tuple(groups)


def _multiplier(path: Path, unit: object) -> float:
    text = str(unit or "").strip().lower()
    if text.startswith("thousands of persons"):
        return 1000.0
    if text.startswith("persons"):
        return 1.0
    raise ProjectionError(f"{path}: unit: {unit!r} is neither 'thousands of persons ...' nor 'persons ...'")


def read_population_projection(path: str | Path) -> PopulationProjection:
    """Read a population projection file; a :class:`ProjectionError` names the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise ProjectionError(f"population projection file not found: {path}")
    raw = read_yaml_file(path, error=ProjectionError)
    if not isinstance(raw, dict):
        raise ProjectionError(f"{path}: expected a mapping with source, unit, age_groups and years")
    source = raw.get("source")
    if not isinstance(source, dict) or not source.get("title"):
        raise ProjectionError(f"{path}: source: every population projection needs its source (title, publisher, url)")
    multiplier = _multiplier(path, raw.get("unit"))
    groups = _groups(path, raw.get("age_groups"))
    labels = [group.label for group in groups]
    years = raw.get("years")
    if not isinstance(years, dict) or not years:
        raise ProjectionError(f"{path}: years: give one mapping per year")
    counts: dict[int, dict[tuple[str, str], float]] = {}
    by_sex: bool | None = None
    for year, table in years.items():
        field = f"years.{year}"
        if not isinstance(table, dict):
            raise ProjectionError(f"{path}: {field}: expected both_sexes (or female and male) counts by age group")
        year_by_sex = all(sex in table for sex in SEXES)
        if not year_by_sex and "both_sexes" not in table:
            raise ProjectionError(f"{path}: {field}: give both_sexes, or female and male, counts by age group")
        if by_sex is not None and year_by_sex != by_sex:
            raise ProjectionError(f"{path}: {field}: every year must be split by sex in the same way")
        by_sex = year_by_sex
        cells: dict[tuple[str, str], float] = {}
        for key in SEXES if year_by_sex else ("both_sexes",):
            mapping = table[key]
            if not isinstance(mapping, dict) or sorted(map(str, mapping)) != sorted(labels):
                raise ProjectionError(f"{path}: {field}.{key}: needs exactly the age groups {labels}")
            for label, value in mapping.items():
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    raise ProjectionError(f"{path}: {field}.{key}.{label}: {value!r} is not a count of persons")
                cells[(str(label), key)] = float(value) * multiplier
        counts[int(year)] = cells
    return PopulationProjection(path, source, str(raw.get("unit")), multiplier, groups, bool(by_sex), counts)
