"""Input checks shared by every indicator.

Each public indicator calls these before computing anything, so that bad input fails with an
``IndicatorError`` that names the argument, the rule broken and where, instead of returning ``nan`` or a
numpy warning. Everything is converted to float64 here: OpenFisca hands back float32 arrays, and national
totals summed in float32 lose whole units of currency.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import IndicatorError

FloatArray = NDArray[np.float64]
NonPositivePolicy = Literal["raise", "drop"]

# How many offending positions an error message lists before it stops.
_MAX_POSITIONS_SHOWN = 5


def _positions(mask: NDArray[np.bool_]) -> str:
    """Describe where ``mask`` is true: the count and the first few positions ("2 entries at positions 1, 3")."""
    where = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in where[:_MAX_POSITIONS_SHOWN])
    more = ", ..." if where.size > _MAX_POSITIONS_SHOWN else ""
    if where.size == 1:
        return f"1 entry at position {shown}"
    return f"{where.size} entries at positions {shown}{more}"


def as_float_array(data: ArrayLike, name: str) -> FloatArray:
    """Return ``data`` as a finite, non-empty, one-dimensional float64 array."""
    if np.asarray(data).dtype.kind in "USV":  # text or bytes: numbers read as strings are a mapping bug
        raise IndicatorError(f"{name} must be numeric; got text. Convert the column to numbers first.")
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise IndicatorError(f"{name} must be numeric; could not convert it to numbers ({exc}).") from exc
    if array.ndim != 1:
        raise IndicatorError(f"{name} must be a one-dimensional array; got shape {array.shape}.")
    if array.size == 0:
        raise IndicatorError(f"{name} is empty; an indicator needs at least one observation.")
    bad = ~np.isfinite(array)
    if bad.any():
        raise IndicatorError(
            f"{name} is NaN or infinite in {_positions(bad)}; drop or impute them before computing indicators."
        )
    return array


def values_and_weights(values: ArrayLike, weights: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate a pair of value and weight arrays and return them as float64.

    Rules: same length, all finite, weights >= 0, total weight > 0.
    """
    x = as_float_array(values, "values")
    w = as_float_array(weights, "weights")
    if x.size != w.size:
        raise IndicatorError(f"values and weights must have the same length; got {x.size} values and {w.size} weights.")
    negative = w < 0
    if negative.any():
        raise IndicatorError(f"weights is below zero in {_positions(negative)}; survey weights must be >= 0.")
    if not w.sum() > 0:
        raise IndicatorError("weights sum to zero; at least one observation needs a positive weight.")
    return x, w


def as_line(line: float | ArrayLike, n: int) -> float | FloatArray:
    """Validate a poverty line: a positive finite scalar, or one positive finite value per observation."""
    if isinstance(line, (str, bytes)):
        raise IndicatorError(f"line must be a number or an array of numbers; got the text {line!r}.")
    if np.ndim(line) == 0:
        try:
            value = float(line)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise IndicatorError(f"line must be a number or an array of numbers; got {line!r}.") from exc
        if not np.isfinite(value) or value <= 0:
            raise IndicatorError(f"line must be a positive finite number; got {value!r}.")
        return value
    checked = as_float_array(line, "line")
    if checked.size != n:
        raise IndicatorError(
            f"a per-observation line must have one value per observation; got {checked.size} lines for {n} values."
        )
    not_positive = checked <= 0
    if not_positive.any():
        raise IndicatorError(f"line is <= 0 in {_positions(not_positive)}; poverty lines must be positive.")
    return checked


def as_parameter(value: float, name: str, minimum: float | None = None) -> float:
    """Validate a scalar parameter (alpha, epsilon, ...): finite, and ``>= minimum`` when given."""
    if isinstance(value, (str, bytes)):
        raise IndicatorError(f"{name} must be a number; got the text {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise IndicatorError(f"{name} must be a number; got {value!r}.") from exc
    if not np.isfinite(number):
        raise IndicatorError(f"{name} must be finite; got {number!r}.")
    if minimum is not None and number < minimum:
        raise IndicatorError(f"{name} must be >= {minimum:g}; got {number:g}.")
    return number


def positive_mask(x: FloatArray, w: FloatArray, policy: NonPositivePolicy, measure: str) -> NDArray[np.bool_]:
    """Apply the non-positive value rule of log- and power-based measures; return the observations to keep.

    ``policy="raise"`` refuses any value <= 0 and says how many there are and where; ``policy="drop"``
    keeps only the values > 0, so the dropped observations leave the population entirely (numerator and
    denominator alike). The caller indexes its arrays (values, weights, per-observation lines) with the mask.
    """
    if policy not in ("raise", "drop"):
        raise IndicatorError(f"nonpositive must be 'raise' or 'drop'; got {policy!r}.")
    keep = x > 0
    if keep.all():
        return keep
    if policy == "raise":
        raise IndicatorError(
            f"{measure} is undefined for values <= 0, and values is <= 0 in {_positions(~keep)}. "
            "Pass nonpositive='drop' to leave those observations out of the population, "
            "or bottom-code the values first."
        )
    if not w[keep].sum() > 0:
        raise IndicatorError(
            f"{measure}: after dropping the {int((~keep).sum())} values <= 0, no observation with a positive "
            "weight is left."
        )
    return keep
