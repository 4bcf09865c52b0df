"""Struct-of-arrays storage behind Mesa agents.

Firms and regions are Mesa agents (they decide, one by one, through AgentSets), but the
numbers they hold live in numpy columns so that production, bargaining and aggregation run
vectorised over all of them at once. An agent owns one row (`slot`); `Column` descriptors make
`firm.capital` read and write `table.capital[firm.slot]`.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Table:
    """Named numpy columns with a shared, growable number of rows."""

    def __init__(self, columns: dict[str, Any], capacity: int = 16) -> None:
        self._dtypes = dict(columns)
        self.size = 0
        self.capacity = max(1, capacity)
        for name, dtype in self._dtypes.items():
            setattr(self, name, np.zeros(self.capacity, dtype=dtype))

    def add_row(self) -> int:
        if self.size == self.capacity:
            self.capacity *= 2
            for name in self._dtypes:
                old = getattr(self, name)
                new = np.zeros(self.capacity, dtype=old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        self.size += 1
        return self.size - 1

    def view(self, name: str) -> np.ndarray:
        """The used rows of one column (a view: writes go through)."""
        return getattr(self, name)[: self.size]


class Column:
    """Descriptor: an agent attribute stored in `agent.table.<name>[agent.slot]`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.table, self.name)[agent.slot].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.table, self.name)[agent.slot] = value
