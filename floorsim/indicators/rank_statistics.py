"""Rank-based estimators: weighted quantiles, relative poverty lines built on them, and the Gini coefficient.

Linearised variables: quantile Q_q: z = −1_d (1[y ≤ Q_q] − q) / (N f(Q_q)) (Francisco & Fuller 1991; Deville
1999); Gini: see ``floorsim/indicators/statistics.py`` and docs/indicators.md.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _density_at, _domain, shared_sorted
from ._validation import FloatArray, as_float_array, as_parameter
from .design import SurveyDesign
from .errors import IndicatorError
from .estimator import Scaled, Statistic, _OfValues
from .linear_statistics import Mean
from .sorted_blocks import SortedBlock, evaluate_members
from .weightsets import WeightSet


class _SortedStatistic(_OfValues):
    """A statistic computed on a domain's observations sorted by value (quantiles, the Gini, the share ratios).

    The sort is shared with every statistic of the same values and domain (``shared_sorted``), and all of them
    are evaluated in one pass over blocks of replicate weights (``sorted_blocks``): ``_of_block`` gives the
    statistic for a block of replicates.
    """

    def __init__(self, values: FloatArray, domain: ArrayLike | None, label: str) -> None:
        self._y = values
        self._mask = _domain(domain, values.size)
        self._sorted = shared_sorted(values, self._mask)
        self._sorted.members.add(self)
        self.label = label

    _needs_preparation = False

    def _prepare(self, weights: WeightSet) -> None:
        """Nothing to compute before the blocks."""

    def _of_block(self, block: SortedBlock, prepared: None) -> FloatArray:
        raise NotImplementedError

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        return evaluate_members(self._sorted, weights, self)


class Quantile(_SortedStatistic):
    """Eurostat weighted quantile Q_q of a domain (``weighted_quantile``), re-estimated in every replicate."""

    def __init__(self, values: ArrayLike, q: float, domain: ArrayLike | None = None, label: str = "") -> None:
        y = as_float_array(values, "values")
        self.q = as_parameter(q, "q", minimum=0.0)
        if self.q > 1.0:
            raise IndicatorError(f"q must lie in [0, 1]; got {self.q}.")
        super().__init__(y, domain, label)

    def _of_block(self, block: SortedBlock, prepared: None) -> FloatArray:
        return block.quantile(self.q)

    def _influence(self, design: SurveyDesign) -> FloatArray:
        s = self._sorted
        w = design.weights[s.indices]
        quantile = self.value(design)
        density = _density_at(s.values, w, quantile)
        z = np.zeros(self.n)
        z[s.indices] = -((s.values <= quantile).astype(np.float64) - self.q) / (w.sum() * density)
        return z


class RelativeLine(Scaled):
    """A relative poverty line: ``share`` × the weighted median (or mean) of ``values`` over ``domain``.

    Used as the ``line`` of ``FGT`` / ``Watts`` it is re-estimated in every replicate, so the SE includes the
    sampling error of the line itself. To hold a line "fixed at the baseline", build it on the baseline
    welfare and use the same object for every scenario.
    """

    def __init__(
        self,
        values: ArrayLike,
        share: float = 0.6,
        statistic: Literal["median", "mean"] = "median",
        domain: ArrayLike | None = None,
        label: str = "",
    ) -> None:
        if statistic == "median":
            inner: Statistic = Quantile(values, 0.5, domain)
        elif statistic == "mean":
            inner = Mean(values, domain)
        else:
            raise IndicatorError(f"statistic must be 'median' or 'mean'; got {statistic!r}.")
        super().__init__(inner, as_parameter(share, "share", minimum=0.0), label or f"{share:g} x {statistic}")


class Gini(_SortedStatistic):
    """Gini coefficient, Eurostat formula (``gini``), of a domain."""

    def __init__(self, values: ArrayLike, domain: ArrayLike | None = None, label: str = "") -> None:
        super().__init__(as_float_array(values, "values"), domain, label)

    def _of_block(self, block: SortedBlock, prepared: None) -> FloatArray:
        return block.gini()

    def _influence(self, design: SurveyDesign) -> FloatArray:
        s = self._sorted
        x, w = s.values, design.weights[s.indices]
        n_w, total = w.sum(), w @ x
        mean, g = total / n_w, self.value(design)
        # Tie groups (x is sorted, so each group is a run): midpoint rank F and the "upper" total U.
        _, group = np.unique(x, return_inverse=True)
        group_w = np.bincount(group, weights=w)
        group_wx = np.bincount(group, weights=w * x)
        rank = ((np.cumsum(group_w) - group_w / 2.0) / n_w)[group]
        upper = (total - np.cumsum(group_wx) + group_wx / 2.0)[group]
        z = np.zeros(self.n)
        z[s.indices] = (2.0 * rank * x + 2.0 * upper / n_w - (g + 1.0) * (x + mean)) / total
        return z
