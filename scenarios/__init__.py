"""Scenario files, their schema and loader (and, later, the sweep runner)."""

from highroad.scenarios.loader import (
    Scenario,
    apply_overrides,
    list_scenarios,
    load_scenario,
    parse_override,
)

__all__ = ["Scenario", "apply_overrides", "list_scenarios", "load_scenario", "parse_override"]
