"""highroad: an agent-based simulation of regional political economies, built on Mesa.

    >>> import highroad
    >>> result = highroad.simulate("baseline", steps=40, seed=1)
    >>> result.economy[["step", "high_road_share", "income_gini"]].tail()

`highroad.HighroadModel` is the same model as a Mesa-conventional class (docs/mesa.md);
`highroad.sweep` runs designs and `highroad.analyze` analyses them (docs/sweeps.md).
"""

from highroad.allocator import keep_freed_memory
from highroad.analysis.facts_report import FactsReport, facts
from highroad.api import Result, simulate
from highroad.errors import HighroadError, InvariantError, ScenarioError
from highroad.scenarios.calibration import CalibrationResult, calibrate
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
__all__ = ["CalibrationResult", "FactsReport", "HighroadError", "HighroadModel",
           "InvariantError", "Result", "Scenario", "ScenarioError", "SweepResult", "analyze",
           "calibrate", "facts", "keep_freed_memory", "list_scenarios", "load_scenario",
           "simulate", "sweep"]


def __getattr__(name: str):
    # Imported on first use: the model class pulls in Mesa, analysis pulls in SALib.
    if name == "HighroadModel":
        from highroad.mesa_model import HighroadModel

        return HighroadModel
    if name == "analyze":
        from highroad.analysis.analyze import analyze

        return analyze
    if name == "ema":
        import importlib

        return importlib.import_module("highroad.ema")
    raise AttributeError(f"module 'highroad' has no attribute {name!r}")
