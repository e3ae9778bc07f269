"""The projection layer's exception: every message names the file and the field to fix."""

from __future__ import annotations

from floorsim.simulations.errors import FloorsimError


class ProjectionError(FloorsimError, ValueError):
    """An assumptions file, a population projection or a projection run is inconsistent.

    Messages read ``FILE: field.path: what is wrong and what to give instead``.
    """
