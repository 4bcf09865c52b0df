"""Phase 1: regional productivity shocks.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np


def regional_innovations(rng: np.random.Generator, n_regions: int, sd: float,
                         common_share: float) -> np.ndarray:
    """One quarter's innovations to regional log productivity, standard deviation `sd` each.

    A share `common_share` of each region's variance is one draw common to every region (a
    national or world cycle), the rest is the region's own: regional fluctuations combine
    national and region-specific shocks (Clark 1998, Journal of Labor Economics 16(1)).
    At share 0 no common draw is made (the regions' draws are then the only ones).
    """
    own = rng.standard_normal(n_regions)
    if common_share <= 0:
        return sd * own
    common = rng.standard_normal()
    return sd * (np.sqrt(common_share) * common + np.sqrt(1.0 - common_share) * own)


class Shocks:
    def apply_shocks(self) -> None:
        """Regional productivity shocks: log AR(1) with the scenario's `volatility`.

        Cohen and Rogers (1997, §5): the volatility of competitive strategies "should alert even
        members of successful regions that their well-being may not be permanent".
        """
        shocks = self.params.shocks
        log_shock = self.region_column("log_shock")
        log_shock[:] = (shocks.persistence * log_shock
                        + regional_innovations(self.rng, self.n_regions,
                                               self.params.world.volatility, shocks.common_share))
