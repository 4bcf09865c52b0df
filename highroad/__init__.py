"""highroad: an agent-based simulation of regional political economies, built on Mesa.

    >>> import highroad
    >>> result = highroad.simulate("baseline", steps=40, seed=1)
    >>> result.economy[["step", "high_road_share", "income_gini"]].tail()
"""

from highroad.analysis.facts_report import FactsReport, facts
from highroad.api import Result, simulate
from highroad.errors import HighroadError, InvariantError, ScenarioError
from highroad.scenarios.calibration import CalibrationResult, calibrate
from highroad.scenarios.loader import Scenario, list_scenarios, load_scenario
from highroad.scenarios.sweep import SweepResult, sweep

__version__ = "0.1.0"
__all__ = ["CalibrationResult", "FactsReport", "HighroadError", "InvariantError", "Result",
           "Scenario", "ScenarioError", "SweepResult", "calibrate", "facts", "list_scenarios",
           "load_scenario", "simulate", "sweep"]
