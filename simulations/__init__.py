"""The floorsim engine and results layer: microsimulation, reforms, indicators, reports, command line."""

from simulations.engine.microsimulation import Microsimulation
from simulations.errors import CountryError, FloorsimError, ReformError, ScenarioError
from simulations.engine.reforms import ReformSpec, load_reform

__all__ = [
    "CountryError",
    "FloorsimError",
    "Microsimulation",
    "ReformError",
    "ReformSpec",
    "ScenarioError",
    "load_reform",
]
