"""Errors of the reports layer."""

from __future__ import annotations

from floorsim.simulations.errors import FloorsimError


class ReportError(FloorsimError):
    """An output could not be written; nothing was left behind. The message names the folder and the cause."""
