"""Calibration margins, and the household-level calibration matrix of a survey, in memory or streamed.

A :class:`Margin` gives population counts of the categories of one variable (or a cross of variables) at one level,
a :class:`Total` the population total of one column; :func:`calibration_matrix` turns a survey and its margins into
``X`` (one row per household, one column per calibration total), the targets ``t`` and the names of the columns,
the input of :func:`floorsim.surveys.calibration.calibrate_weights` (where the method is described). A persons margin
counts each household's members in each category (integrated household weighting, Lemaître & Dufour 1987).

A :class:`~floorsim.surveys.streamed.StreamedSurvey` gives the same ``X`` built one row group at a time: the rows of
a row group's households depend on its persons only, so no more than one row group of persons is ever read. Which
categories the sample has is checked on the whole (a target category no household of any row group has).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import Survey
from floorsim.surveys.money import scaled_money
from floorsim.surveys.streamed import StreamedSurvey

Level = Literal["persons", "households"]


class CalibrationError(SurveyError):
    """Calibration is impossible or did not converge; ``field`` names the margin concerned."""


@dataclass(frozen=True)
class Margin:
    """Population counts of the categories of one variable, or of a cross of variables, at one level.

    Attributes:
        name: label used in diagnostics and errors, e.g. ``"persons by age group and sex"``.
        level: ``"persons"`` (counts of persons, met through household weights) or ``"households"``.
        by: columns of that level's table; ``"age_group"`` is made from ``age`` with ``age_groups``.
        targets: population count per category: keyed by the value (one column) or by a tuple of values in the
            order of ``by`` (crossed columns). Every category in the sample needs a target, and every target a
            sample unit.
        age_groups: lower bounds of the age groups in years, e.g. ``(0, 15, 65)`` → ``"0-14"``, ``"15-64"``,
            ``"65+"`` (the first bound must be 0).
    """

    name: str
    level: Level
    by: tuple[str, ...]
    targets: Mapping[Any, float]
    age_groups: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Total:
    """Population total of one column (or a count of units when ``column`` is None) at one level."""

    name: str
    level: Level
    target: float
    column: str | None = None


def calibration_matrix(
    survey: Survey | StreamedSurvey, margins: Sequence[Margin | Total]
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """The household-level calibration matrix ``X``, the targets ``t`` and the ``(margin, category)`` names.

    A persons margin's column counts each household's members in the category; a households margin's column is
    the household's indicator; a :class:`Total` column is the household's value (or member sum, or household
    size for a count of persons; money × the streamed survey's ``money_factor``). A streamed survey's ``X`` is built
    row group by row group, in file order, and equals that of the same survey in memory.

    Raises:
        CalibrationError: a margin names an unknown column or level, a sample category has no target, a target
            category has no sample unit, or two margins of the same level have different grand totals.
    """
    layout, targets, names = _layout(margins)
    present: list[set[str]] = [set() for _ in margins]
    if isinstance(survey, StreamedSurvey):
        X = np.empty((survey.n_households, len(names)))
        chunks = survey.person_chunks(_person_columns(survey, margins))
        for (start, persons), stop in zip(chunks, survey.household_bounds[1:]):
            households = scaled_money(survey.households.iloc[start:stop], survey.money_factor)
            X[start:stop] = _rows(margins, layout, households, persons, survey.household_size[start:stop], present)
    else:
        X = _rows(margins, layout, survey.households, survey.persons, survey.household_size, present)
    for margin, wanted, seen in zip(margins, layout, present):
        empty = sorted(set(wanted or ()) - seen)
        if empty:
            raise CalibrationError(
                f"target categories {empty} have no sample unit, so the margin cannot be met", field=margin.name
            )
    return X, np.asarray(targets, dtype=np.float64), names


def _layout(margins: Sequence[Margin | Total]) -> tuple[list[dict[str, float] | None], list[float], list[tuple[str, str]]]:
    """The columns of ``X``: each margin's targets by category label (None for a :class:`Total`, one column), all
    targets in column order, and the ``(margin, category)`` name of each column."""
    layout: list[dict[str, float] | None] = []
    targets: list[float] = []
    names: list[tuple[str, str]] = []
    for margin in margins:
        if margin.level not in ("persons", "households"):
            raise CalibrationError(f"level must be 'persons' or 'households', got {margin.level!r}", field=margin.name)
        if isinstance(margin, Total):
            layout.append(None)
            targets.append(float(margin.target))
            names.append((margin.name, margin.column or "count"))
            continue
        wanted = {_key(key, len(margin.by)): float(value) for key, value in margin.targets.items()}
        layout.append(wanted)
        targets.extend(wanted.values())
        names.extend((margin.name, category) for category in wanted)
    _check_grand_totals(margins)
    return layout, targets, names


def _person_columns(survey: StreamedSurvey, margins: Sequence[Margin | Total]) -> list[str]:
    """The persons columns the persons margins read (``age`` for age groups), with ``household_id``."""
    wanted = ["household_id"]
    for margin in margins:
        if margin.level == "persons":
            by = margin.by if isinstance(margin, Margin) else (margin.column,) if margin.column else ()
            wanted.extend("age" if name == "age_group" else name for name in by)
    available = set(survey.person_columns)
    return [name for name in dict.fromkeys(wanted) if name in available]


def _rows(
    margins: Sequence[Margin | Total], layout: list[dict[str, float] | None], households: pd.DataFrame,
    persons: pd.DataFrame, sizes: np.ndarray, present: list[set[str]],
) -> np.ndarray:
    """The rows of ``X`` of ``households`` (their members ``persons``, ``sizes`` each, in order); adds the
    categories seen to ``present``."""
    totals: dict[int, np.ndarray] = {}  # column of X → a Total's per-household values
    cells: list[tuple[np.ndarray, int, np.ndarray]] = []  # a margin's units, first column of X, column per code
    n = len(households)
    k = sum(1 if wanted is None else len(wanted) for wanted in layout)
    index = np.repeat(np.arange(n, dtype=np.int64), sizes)
    first = 0
    for margin, wanted, seen in zip(margins, layout, present):
        table = _persons_table(households, persons, index, margin) if margin.level == "persons" else households
        if wanted is None:
            if margin.column is None:
                values = np.ones(len(table))
            elif margin.column in table.columns:
                values = pd.to_numeric(table[margin.column], errors="coerce").to_numpy(np.float64)
            else:
                raise CalibrationError(f"no column {margin.column!r} in the {margin.level} table", field=margin.name)
            totals[first] = np.bincount(index, weights=values, minlength=n) if margin.level == "persons" else values
            first += 1
            continue
        codes, labels = _category_codes(table, margin)
        unmatched = sorted(set(labels) - set(wanted))
        if unmatched:
            raise CalibrationError(f"sample categories {unmatched} have no target", field=margin.name)
        seen.update(labels)
        rank = {category: j for j, category in enumerate(wanted)}
        units = index if margin.level == "persons" else np.arange(n)
        cells.append((units, first, np.asarray([rank[label] for label in labels], dtype=np.int64)[codes]))
        first += len(wanted)
    # Every categorical column in one counting pass: a person (or household) adds 1 at (its household, its
    # category's column). Counts are sums of ones, so each equals the Σ of 0/1 indicators it replaces exactly.
    flat = [units * k + (column_first + column) for units, column_first, column in cells]
    counted = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)
    # (float64 even with no categorical margin: bincount of nothing is int64, which would truncate a Total's values)
    X = np.bincount(counted, weights=np.ones(len(counted)), minlength=n * k).reshape(n, k).astype(np.float64, copy=False)
    for j, column in totals.items():
        X[:, j] = column
    return X


def _persons_table(households: pd.DataFrame, persons: pd.DataFrame, index: np.ndarray, margin: Margin | Total) -> pd.DataFrame:
    """The persons table, with the household columns a persons margin counts by (e.g. persons by ``stratum``);
    ``index``: each person's row in ``households``."""
    by = margin.by if isinstance(margin, Margin) else ()
    borrowed = [c for c in by if c not in persons.columns and c in households.columns]
    if not borrowed:
        return persons
    return persons.assign(**{c: households[c].to_numpy()[index] for c in borrowed})


def _category_codes(table: pd.DataFrame, margin: Margin) -> tuple[np.ndarray, list[str]]:
    """Each row's category as a code 0..k-1 and the k labels that occur: values as text (``astype(str)``),
    crossed values joined by '|'; factorised once per column, not one comparison of text per category."""
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for name in margin.by:
        if name == "age_group":
            parts.append(_age_group(table, margin))
        elif name in table.columns:
            codes, uniques = pd.factorize(table[name], use_na_sentinel=False)
            parts.append((codes.astype(np.int64), pd.Series(uniques).astype(str).to_numpy()))
        else:
            raise CalibrationError(f"no column {name!r} in the {margin.level} table", field=margin.name)
    if len(table) == 0:
        return np.zeros(0, dtype=np.int64), []
    dims = [len(uniques) for _, uniques in parts]  # a combination's code: its parts' codes in mixed radix
    present, codes = np.unique(np.ravel_multi_index([c for c, _ in parts], dims), return_inverse=True)
    labels = ["|".join(str(uniques[digit]) for (_, uniques), digit in zip(parts, digits))
              for digits in zip(*np.unravel_index(present, dims))]
    # distinct values can have the same text (1 and "1"): one category, as when the texts were compared
    merged, unique_labels = pd.factorize(np.asarray(labels, dtype=object))
    return merged[codes.reshape(-1)].astype(np.int64), [str(label) for label in unique_labels]


def _age_group(table: pd.DataFrame, margin: Margin) -> tuple[np.ndarray, np.ndarray]:
    """Each person's age group (index into the groups) and the groups' labels ("0-14", ..., "65+")."""
    if "age" not in table.columns or not margin.age_groups:
        raise CalibrationError("age_group needs the persons level and age_groups (lower bounds)", field=margin.name)
    bounds = list(margin.age_groups)
    if bounds[0] != 0 or bounds != sorted(set(bounds)):
        raise CalibrationError("age_groups must start at 0 and increase", field=margin.name)
    labels = np.array([f"{lo}-{hi - 1}" for lo, hi in zip(bounds[:-1], bounds[1:])] + [f"{bounds[-1]}+"], dtype=object)
    position = np.searchsorted(np.asarray(bounds), table["age"].to_numpy(), side="right") - 1
    position[position < 0] = len(labels) - 1  # as labels[-1] gave before: an age below 0 falls in the last group
    return position.astype(np.int64), labels


def _key(key: Any, width: int) -> str:
    """A target key as the label of its category: values as text, crossed values joined by '|'."""
    if isinstance(key, tuple):
        if len(key) != width:
            raise CalibrationError(f"target key {key!r} does not have {width} parts")
        return "|".join(str(part) for part in key)
    return str(key)


def _check_grand_totals(margins: Sequence[Margin | Total]) -> None:
    """Categorical margins of one level each partition that level's units, so their grand totals must agree."""
    seen: dict[str, tuple[str, float]] = {}
    for margin in margins:
        if isinstance(margin, Total):
            if margin.column is not None:
                continue
            total = float(margin.target)
        else:
            total = float(sum(margin.targets.values()))
        if margin.level in seen:
            other, other_total = seen[margin.level]
            if abs(total - other_total) > 1e-9 * max(abs(total), abs(other_total), 1.0):
                raise CalibrationError(
                    f"margins {other!r} and {margin.name!r} count {margin.level} differently"
                    f" ({other_total:,.6g} and {total:,.6g}): no weights can meet both",
                    field=margin.name,
                )
        else:
            seen[margin.level] = (margin.name, total)
