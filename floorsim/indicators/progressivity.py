"""Progressivity and redistribution of a tax or benefit: the Kakwani and Reynolds–Smolensky indices.

Both are built on the concentration coefficient C (``concentration_coefficient``) and the Gini G
(``gini``), with everyone ranked by pre-fiscal income (CEQ Handbook, Lustig ed. 2018; Lambert 2001, ch. 7–8).
"""

from __future__ import annotations

from typing import Literal

from numpy.typing import ArrayLike

from .errors import IndicatorError
from .inequality import concentration_coefficient, gini


def kakwani(values: ArrayLike, weights: ArrayLike, income: ArrayLike, kind: Literal["tax", "benefit"]) -> float:
    """Kakwani progressivity index of a tax or a benefit with respect to pre-fiscal ``income``.

        tax:      K = C_T − G_y      (Kakwani 1977: > 0 means progressive, the tax is more concentrated among
                                      the rich than income)
        benefit:  K = G_y − C_B      (the CEQ Handbook's sign for transfers: > 0 means progressive, the benefit
                                      is less concentrated among the rich than income)

    where C is the concentration coefficient of the tax T or benefit B with people ranked by y, and G_y the Gini
    of y.

    Args:
        values: the tax or benefit per observation (any unit).
        weights: survey weights (>= 0).
        income: pre-fiscal income (or welfare) per observation, which ranks people.
        kind: ``"tax"`` or ``"benefit"`` — required, because the two conventions have opposite signs.

    Returns:
        A number in [-2, 1] for non-negative values.

    Raises:
        IndicatorError: invalid input (see ``concentration_coefficient`` and ``gini``) or an unknown ``kind``.
    """
    concentration = concentration_coefficient(values, weights, income)
    inequality = gini(income, weights)
    if kind == "tax":
        return concentration - inequality
    if kind == "benefit":
        return inequality - concentration
    raise IndicatorError(f"kind must be 'tax' or 'benefit'; got {kind!r}.")


def reynolds_smolensky(before: ArrayLike, after: ArrayLike, weights: ArrayLike) -> float:
    """Reynolds–Smolensky index of the redistribution from ``before`` to ``after`` (Reynolds & Smolensky 1977).

        RS = G_before − C_after

    with C_after the concentration coefficient of post-fiscal income ranked by pre-fiscal income. It is the
    redistributive effect without reranking: the change in the Gini decomposes as
    G_before − G_after = RS − (G_after − C_after), the last term being the Atkinson–Plotnick reranking index
    (>= 0). Positive RS: the tax or transfer system equalises.

    Args:
        before: pre-fiscal income per observation.
        after: post-fiscal income per observation (same persons).
        weights: survey weights (>= 0).

    Returns:
        A difference of Gini-type coefficients (0.02 is two Gini points).
    """
    return gini(before, weights) - concentration_coefficient(after, weights, before)
