"""One full projection (2025-2035, baseline and the two reforms of the shipped assumptions file), shared by tests."""

from __future__ import annotations

import pytest

from floorsim.simulations.projections import project
from tests.projections.helpers import ASSUMPTIONS


@pytest.fixture(scope="session")
def full_projection():
    return project(ASSUMPTIONS, keep_results=True)
