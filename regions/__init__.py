"""Regions: the Mesa model (the multi-region economy), Region agents, markets, geography.

`RegionalEconomy` is imported lazily so that `highroad.agents` and `highroad.regions` can
import each other's small modules without a cycle.
"""

from typing import Any

__all__ = ["RegionalEconomy", "Region"]


def __getattr__(name: str) -> Any:
    if name == "RegionalEconomy":
        from highroad.regions.model import RegionalEconomy

        return RegionalEconomy
    if name == "Region":
        from highroad.regions.region import Region

        return Region
    raise AttributeError(name)
