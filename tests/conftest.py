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


#: The defaults until the current calibration: the estimate of
#: scenarios/calibration/baseline.toml as scenarios/schema.py held it. Tests that trace an
#: episode measured in that economy (a region its last firms left, say) pin it with these
#: overrides, so they keep testing the mechanism rather than chase the episode's seed.
BASELINE_TOML_DEFAULTS = {
    "labour.matching_efficiency": 0.725,
    "labour.bargaining_power": 0.452,
    "labour.search_weight": 0.0978,
    "firms.tfp_dispersion": 0.27,
    "capital.location_taste": 0.00268,
    "capital.investor_household_share": 0.081,
    "firms.exit_shock": 0.00576,
    "labour.outside_skill_elasticity": 0.0246,
    "firms.demand_volatility": 0.281,
    "firms.demand_persistence": 0.686,
    "firms.sales_expectation_weight": 0.841,
    "firms.exit_size_elasticity": 0.0,
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
