"""floorsim: microsimulation of social-protection reforms (OpenFisca rules, household surveys, indicators).

Everything floorsim installs lives in this one package, so a user's own ``surveys.py`` or ``simulations.py`` beside a
notebook shadows nothing:

==============================  ==========================================================================
``floorsim.simulations``        the engine, analysis, reports, design tools, web app, command line
``floorsim.surveys``            the survey data model, the one loader, calibration, synthetic surveys
``floorsim.indicators``         weighted statistics and their uncertainty (numpy only)
``floorsim.country_packages``   the OpenFisca country packages shipped with floorsim
==============================  ==========================================================================

The most used names are re-exported here and imported on first use (PEP 562), so that ``import floorsim`` (and the
``floorsim`` command, ``python -m floorsim``) loads neither pandas nor OpenFisca::

    from floorsim import Microsimulation, ReformSpec, load_survey, load_bundled_survey
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from floorsim.simulations import CountryError, FloorsimError, Microsimulation, ReformError, ReformSpec, load_reform
    from floorsim.surveys import load_survey
    from floorsim.surveys.bundled import load_bundled_survey

# name -> the module that defines it (imported when the name is first used)
_LAZY = {
    "Microsimulation": "floorsim.simulations",
    "ReformSpec": "floorsim.simulations",
    "load_reform": "floorsim.simulations",
    "FloorsimError": "floorsim.simulations",
    "CountryError": "floorsim.simulations",
    "ReformError": "floorsim.simulations",
    "load_survey": "floorsim.surveys",
    "load_bundled_survey": "floorsim.surveys.bundled",
}

__all__ = [
    "CountryError",
    "FloorsimError",
    "Microsimulation",
    "ReformError",
    "ReformSpec",
    "load_bundled_survey",
    "load_reform",
    "load_survey",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'floorsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
