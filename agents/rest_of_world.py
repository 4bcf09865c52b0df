"""The rest of the world: low-wage suppliers, world demand for exports, the world return."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RestOfWorld:
    """Exogenous counterparty of every flow that enters or leaves the economy.

    `trade_openness` sets the contestable share of demand (docs/design.md); world prices are
    fixed multiples of the economy's first-quarter prices; `balance` is the money the rest of
    the world has received from the economy, net, since the start (its column in the ledger).
    """

    world_price: np.ndarray = field(default_factory=lambda: np.ones(2))
    world_demand: np.ndarray = field(default_factory=lambda: np.zeros(2))
    world_return: float = 0.0125
    balance: float = 0.0
