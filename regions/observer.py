"""Who observes the model each recorded quarter: set by the layer that runs it.

The core (agents, regions, policies) knows nothing of the analysis layer. A model records
what its `observe` callable returns — one economy row and a list of region rows — and takes
the default set here when it is given none. `highroad.api` sets the default to
`highroad.analysis.observables.observe` on import; a program that builds models itself can
pass its own callable (or `None` in `set_default_observer` to record nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Observation = tuple[dict[str, Any], list[dict[str, Any]]]
Observer = Callable[[Any], Observation]

_default: Observer | None = None


def set_default_observer(observe: Observer | None) -> None:
    """Make `observe` the observer of every model built without one."""
    global _default
    _default = observe


def default_observer() -> Observer | None:
    return _default
