"""Switchable policy modules: one file each, registered by name, hooked into named phases.

A module is a class with a frozen parameter dataclass `Params` (which always has `enabled`),
a `name`, and methods named after the step phases it acts in (see `HOOKS`). The model
instantiates only enabled modules and calls only the hooks a module defines, so a module
that is off costs nothing and leaves the run bit-for-bit as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

# The named points of the step (docs/design.md, "The quarter") where modules may act, in step order.
HOOKS = (
    "on_setup",         # once, after the world is built
    "on_policy",        # phase 2: after governments set policy (floors, budgets)
    "on_investment",    # phase 3: before firms review location and strategy
    "on_bargaining",    # phase 4: after wages are bargained, before they are paid
    "on_goods_market",  # phase 5: after demand is formed, before markets clear
    "on_incomes",       # phase 6: after wages, taxes and benefits are paid
    "on_demography",    # phase 7: after skills, retirement and entry
    "on_supra",         # phase 8: the supra-regional institution
)


@dataclass(frozen=True)
class PolicyParams:
    enabled: bool = False


class PolicyModule:
    """Base class: subclasses set `name`, `Params` and define some of `HOOKS`."""

    name: ClassVar[str] = ""
    Params: ClassVar[type] = PolicyParams

    def __init__(self, params: Any) -> None:
        self.params = params


REGISTRY: dict[str, type[PolicyModule]] = {}


def register(cls: type[PolicyModule]) -> type[PolicyModule]:
    """Class decorator: make a module available to scenarios under `cls.name`."""
    REGISTRY[cls.name] = cls
    return cls


# The modules register themselves on import (one file each; see docs/policies.md).
from highroad.policies import (  # noqa: E402, F401, I001
    asset_redistribution,
    associative_governance,
    capital_controls,
    good_jobs,
    monitoring,
    planning,
    quasi_public_goods,
    self_management,
    social_democracy,
    supra_regional,
    training,
)
