"""The floorsim engine and results layer: microsimulation, reforms, indicators, reports, command line.

The names below are imported on first use (PEP 562), not with the package: ``import floorsim.simulations.cli`` (the
``floorsim`` command) must not load OpenFisca and pandas before it knows which command runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from floorsim.simulations.errors import CountryError, FloorsimError, ReformError, ScenarioError

if TYPE_CHECKING:
    from floorsim.simulations.engine.microsimulation import Microsimulation
    from floorsim.simulations.engine.reforms import ReformSpec, load_reform

_LAZY = {
    "Microsimulation": "floorsim.simulations.engine.microsimulation",
    "ReformSpec": "floorsim.simulations.engine.reforms",
    "load_reform": "floorsim.simulations.engine.reforms",
}

__all__ = [
    "CountryError",
    "FloorsimError",
    "Microsimulation",
    "ReformError",
    "ReformSpec",
    "ScenarioError",
    "load_reform",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'floorsim.simulations' has no attribute {name!r}")
