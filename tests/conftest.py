"""Shared fixtures: a small world that runs in a fraction of a second."""

from __future__ import annotations

import os

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", default=False,
                     help="run the long versions: 2,000-quarter runs, many more examples")


@pytest.fixture
def long_runs(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--long"))


def pytest_configure(config: pytest.Config) -> None:
    # Read by the property tests at import: bounded examples in CI, many more with --long.
    if config.getoption("--long"):
        os.environ["HIGHROAD_LONG_TESTS"] = "1"
