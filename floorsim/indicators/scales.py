"""Equivalence scales: how many "adult equivalents" a household counts, from its members' ages.

Welfare per adult equivalent is household welfare divided by the household's count on a scale; per capita is
the scale that counts everybody 1. With A adults (aged ``child_age`` or more) and K children:

==================  ================================================  ======================================
scale               adult equivalents                                 reference
==================  ================================================  ======================================
``per_capita``      A + K                                             —
``oecd_modified``   1 + 0.5 (A − 1) + 0.3 K                           Hagenaars, de Vos & Zaidi (1994);
                                                                      Eurostat EU-SILC (children under 14)
``oecd``            1 + 0.7 (A − 1) + 0.5 K  ("Oxford" scale)         OECD (1982)
``square_root``     √(A + K)                                          OECD (2008), *Growing Unequal?*
custom              a function f(A, K) of the two counts, e.g.        Citro & Michael (1995) for the
                    :func:`parametric_scale` (A + a K)^θ              parametric form
==================  ================================================  ======================================

Households without any adult (child-headed households): under the two OECD scales the first member counts 1
and the others as children, 1 + c (K − 1), so that no household counts less than one adult equivalent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validation import FloatArray, as_float_array, as_parameter
from .errors import IndicatorError

ScaleName = Literal["per_capita", "oecd_modified", "oecd", "square_root"]
ScaleFunction = Callable[[np.ndarray, np.ndarray], ArrayLike]

# (weight of the first adult's companions, weight of each child) for the two OECD scales.
_OECD = {"oecd_modified": (0.5, 0.3), "oecd": (0.7, 0.5)}


def parametric_scale(child_weight: float, economies: float) -> ScaleFunction:
    """The two-parameter scale (A + a K)^θ (Citro & Michael 1995): a child counts a, economies of scale θ.

    θ = 1, a = 1 is per capita; θ = 0.5, a = 1 the square-root scale.
    """
    a = as_parameter(child_weight, "child_weight", minimum=0.0)
    theta = as_parameter(economies, "economies", minimum=0.0)
    if theta > 1.0:
        raise IndicatorError(f"economies (θ) must lie in [0, 1]; got {theta:g}.")

    def scale(adults: np.ndarray, children: np.ndarray) -> FloatArray:
        return (adults + a * children) ** theta

    return scale


def household_adult_equivalents(
    household_ids: ArrayLike,
    ages: ArrayLike,
    scale: ScaleName | ScaleFunction,
    child_age: float = 14,
) -> pd.Series:
    """Adult equivalents of each household, from one row per person.

    Args:
        household_ids: household of each person.
        ages: age of each person in completed years.
        scale: a scale name (see the module docstring) or a function f(adults, children) of two integer
            arrays (one entry per household) returning the adult equivalents. Required: the scale is part of
            the welfare concept, so it is never chosen silently.
        child_age: persons younger than this are children (14 for the OECD scales as Eurostat applies them).

    Returns:
        A float64 Series indexed by household id (in order of first appearance), named ``adult_equivalents``.

    Raises:
        IndicatorError: lengths differ, a missing household id or age, negative ages, an unknown scale, or a
            custom scale returning anything but one positive finite number per household.
    """
    ids = pd.Series(np.asarray(household_ids))
    age = as_float_array(ages, "ages")
    if ids.size != age.size:
        raise IndicatorError(f"household_ids and ages must have one entry per person; got {ids.size} and {age.size}.")
    if ids.isna().any():
        raise IndicatorError(f"household_ids is missing for {int(ids.isna().sum())} persons.")
    if (age < 0).any():
        raise IndicatorError("ages must be >= 0.")
    limit = as_parameter(child_age, "child_age", minimum=0.0)
    codes, uniques = pd.factorize(ids, sort=False)
    adults = np.bincount(codes, weights=(age >= limit).astype(np.float64), minlength=len(uniques))
    size = np.bincount(codes, minlength=len(uniques)).astype(np.float64)
    children = size - adults
    if callable(scale):
        result = np.asarray(scale(adults.astype(np.int64), children.astype(np.int64)), dtype=np.float64)
        if result.shape != size.shape or not np.isfinite(result).all() or (result <= 0).any():
            raise IndicatorError("a custom scale must return one positive finite number per household.")
    elif scale == "per_capita":
        result = size
    elif scale == "square_root":
        result = np.sqrt(size)
    elif scale in _OECD:
        companion, child = _OECD[scale]
        result = np.where(
            adults >= 1, 1.0 + companion * (adults - 1.0) + child * children, 1.0 + child * (children - 1.0)
        )
    else:
        raise IndicatorError(
            f"scale must be one of per_capita, oecd_modified, oecd, square_root or a function; got {scale!r}."
        )
    return pd.Series(result, index=pd.Index(uniques, name="household_id"), name="adult_equivalents")


def person_adult_equivalents(
    household_ids: ArrayLike,
    ages: ArrayLike,
    scale: ScaleName | ScaleFunction,
    child_age: float = 14,
) -> FloatArray:
    """The household's adult equivalents repeated on each of its members (aligned with the person rows).

    Divide household welfare (repeated on each member) by this to get welfare per adult equivalent.
    """
    per_household = household_adult_equivalents(household_ids, ages, scale, child_age)
    codes = pd.Index(per_household.index).get_indexer(pd.Series(np.asarray(household_ids)))
    return per_household.to_numpy()[codes]
