"""The exception raised by the reform-analysis tables."""

from __future__ import annotations

from floorsim.indicators.errors import IndicatorError


class AnalysisError(IndicatorError):
    """A person frame or a table request that cannot be computed (missing column, bad argument).

    Subclasses ``IndicatorError`` (and so ``ValueError``): code catching either keeps working.
    """
