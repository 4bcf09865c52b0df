"""Phase 1: regional productivity shocks.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations


class Shocks:
    def apply_shocks(self) -> None:
        """Regional productivity shocks: log AR(1) with the scenario's `volatility`.

        Cohen and Rogers (1997, §5): the volatility of competitive strategies "should alert even
        members of successful regions that their well-being may not be permanent".
        """
        shocks = self.params.shocks
        log_shock = self.region_column("log_shock")
        log_shock[:] = (shocks.persistence * log_shock
                        + self.params.world.volatility * self.rng.standard_normal(self.n_regions))
