"""Plain JSON values of the explainer's data: what ``to_dict()`` returns and the trace values it shows."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: dates as ISO strings, numpy scalars as Python numbers, floats rounded to 6 decimals
    (so that float32 noise never shows)."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (datetime.date, np.datetime64)):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6)
    return value
