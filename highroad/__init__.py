"""highroad: an agent-based simulation of regional political economies, built on Mesa.

    >>> import highroad
    >>> result = highroad.simulate("baseline", steps=40, seed=1)
    >>> result.economy[["step", "high_road_share", "income_gini"]].tail()
"""

from highroad.allocator import keep_freed_memory
from highroad.api import Result, simulate
from highroad.errors import HighroadError, InvariantError, ScenarioError
from highroad.scenarios.loader import Scenario, list_scenarios, load_scenario
from highroad.scenarios.sweep import SweepResult, sweep


def _version() -> str:
    """The installed distribution's version (pyproject.toml is the one place it is set)."""
    from importlib import metadata

    try:
        return metadata.version("highroad")
    except metadata.PackageNotFoundError:  # run from a source tree that was not installed
        return "0+unknown"


__version__ = _version()
__all__ = ["HighroadError", "InvariantError", "Result", "Scenario", "ScenarioError",
           "SweepResult", "keep_freed_memory", "list_scenarios", "load_scenario", "simulate",
           "sweep"]
