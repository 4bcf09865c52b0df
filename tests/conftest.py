"""Shared fixtures: a small world that runs in a fraction of a second."""

from __future__ import annotations

import pytest

#: Overrides that shrink any scenario to a test-sized world.
SMALL = {
    "n_regions": 3,
    "workers_per_region": 400,
    "firms_per_region": 8,
    "steps": 30,
    "burn_in": 5,
}


@pytest.fixture
def small() -> dict:
    return dict(SMALL)
