"""The exception raised by the indicators layer."""

from __future__ import annotations


class IndicatorError(ValueError):
    """Input that an indicator cannot be computed from.

    Raised for mismatched lengths, non-finite values or weights, negative weights, a zero total weight,
    an invalid poverty line or parameter, and non-positive values given to a log-based measure. It subclasses
    ``ValueError`` so that callers who already catch ``ValueError`` keep working.
    """
