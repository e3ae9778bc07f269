"""Errors of the regression tools that several of their modules raise."""

from __future__ import annotations

from floorsim.simulations.errors import FloorsimError


class DiffError(FloorsimError):
    """``floorsim diff`` cannot compare the two versions: says which side and why."""
