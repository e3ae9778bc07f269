"""Exceptions of the engine and results layers; each says what to fix, not only what failed."""

from __future__ import annotations


class FloorsimError(Exception):
    """Base class of floorsim's own errors (the CLI prints their message as a one-line reason)."""


class CountryError(FloorsimError, ValueError):
    """A country package cannot be found, imported, or lacks what floorsim needs from it."""


class ReformError(FloorsimError, ValueError):
    """A reform file or specification is malformed or names parameters that do not exist."""


class ScenarioError(FloorsimError, ValueError):
    """Scenarios requested from the engine are inconsistent (unknown name, missing baseline...)."""


class ChunkError(FloorsimError):
    """A simulation failed inside a worker; the message names the chunk and its households."""
