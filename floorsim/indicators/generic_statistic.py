"""Any indicator function as a replicable statistic (evaluated replicate by replicate, no linearisation)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._sorted import _domain
from ._validation import FloatArray
from .errors import IndicatorError
from .estimator import Statistic
from .weightsets import WeightSet, map_rows


class Generic(Statistic):
    """Any indicator ``function(*arrays, weights) -> float`` (Atkinson, Palma, Theil ...), one replicate at a time.

    The arrays are restricted to the domain; replicate weights may contain zeros (PSUs not drawn), which every
    function of ``floorsim.indicators`` accepts. No linearisation: use replicate weights.
    """

    def __init__(
        self,
        function: Callable[..., float],
        *arrays: ArrayLike,
        domain: ArrayLike | None = None,
        label: str = "",
        **keywords: Any,
    ) -> None:
        if not arrays:
            raise IndicatorError("Generic needs at least one data array.")
        data = [np.asarray(a) for a in arrays]
        n = data[0].shape[0]
        if any(a.shape[0] != n for a in data):
            raise IndicatorError("all arrays of a Generic statistic must have one entry per observation.")
        mask = _domain(domain, n)
        self._indices = np.arange(n) if mask is None else np.flatnonzero(mask)
        self._data = [a[self._indices] for a in data]
        self._n = n
        self.function, self.keywords = function, keywords
        self.label = label or getattr(function, "__name__", "")

    @property
    def n(self) -> int:
        return self._n

    def _evaluate(self, weights: WeightSet) -> FloatArray:
        def one(w: FloatArray, r: int) -> float:
            try:
                return float(self.function(*self._data, w, **self.keywords))
            except IndicatorError:
                # A replicate can leave a small domain without weight: its estimate is undefined.
                return math.nan

        return map_rows(weights.at(self._indices), one)
