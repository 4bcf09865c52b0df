"""Firms: Mesa agents that choose a road (high or low) and a location, or leave.

A firm's numbers live in the model's firm table (see `agents.table`); its decisions are the
methods below, each one mechanism, each citing the passage it encodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from highroad.agents.table import Column, Table
from highroad.regions.returns import HIGH, LOW, with_location_taste

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

INVESTOR_OWNED, WORKER_OWNED, SELF_MANAGED = 0, 1, 2

FIRM_COLUMNS = {
    "active": bool, "region": np.int64, "high": bool, "capital": np.float64,
    "cash": np.float64, "tfp": np.float64, "owner": np.int64, "owner_type": np.int8,
    "employees": np.int64, "target": np.int64, "output": np.float64,
    "revenue": np.float64, "wage_bill": np.float64, "profit": np.float64, "tax": np.float64,
    "rate": np.float64, "investment": np.float64, "complies": bool, "productivity": np.float64,
    "seen_rate": np.float64,     # the smoothed rate at the tax capital sees (tax_salience)
    "price": np.float64, "mean_skill": np.float64, "trains": bool,
    "worker_stake": np.float64,  # share of equity its workers hold (asset_redistribution)
    "locked_until": np.int64,    # no relocation or exit before this step (good_jobs)
    "expected_sales": np.float64,  # units it expects to sell (nan: no expectation yet)
    "loss_quarters": np.int64,   # consecutive quarters of losses (closure_patience)
    "demand_shock": np.float64,  # log shift of its demand (goods_market.demand_shocks)
}


def new_firm_table(capacity: int) -> Table:
    return Table(FIRM_COLUMNS, capacity)


class Firm(mesa.Agent):
    """A firm: region, capital, owner, strategy (high or low road), employees."""

    region = Column()
    high = Column()
    capital = Column()
    cash = Column()
    tfp = Column()
    owner = Column()
    owner_type = Column()
    employees = Column()
    rate = Column()

    model: RegionalEconomy

    def __init__(self, model: RegionalEconomy, region: int, high: bool, capital: float,
                 cash: float, tfp: float, owner: int, owner_type: int = INVESTOR_OWNED) -> None:
        super().__init__(model)
        self.table = model.firm_table
        self.slot = self.table.add_row()
        t, s = self.table, self.slot
        t.active[s], t.region[s], t.high[s] = True, region, high
        t.capital[s], t.cash[s], t.tfp[s] = capital, cash, tfp
        t.owner[s], t.owner_type[s] = owner, owner_type
        t.price[s], t.mean_skill[s], t.complies[s] = 1.0, 1.0, True
        t.rate[s] = t.seen_rate[s] = model.params.capital.world_return
        t.expected_sales[s], t.loss_quarters[s], t.demand_shock[s] = np.nan, 0, 0.0
        model.slot_to_firm[self.slot] = self

    @property
    def road(self) -> int:
        return HIGH if self.high else LOW

    @property
    def mobile(self) -> bool:
        """Worker-held and self-managed capital does not leave (Cohen and Rogers 1997, §5), nor
        capital committed to stay in return for a subsidy (Rodrik and Stantcheva 2021, §IV)."""
        return (self.owner_type == INVESTOR_OWNED
                and self.table.locked_until[self.slot] <= self.model.steps)

    def review(self) -> None:
        """A periodic review: first where to be (or whether to leave), then which road."""
        if not self.review_location():
            self.review_strategy()

    # -- strategy ------------------------------------------------------------------------
    def review_strategy(self) -> bool:
        """Switch roads if the other one pays enough more to cover the switching cost.

        Cohen and Rogers (1997, §5): "Firms can make plenty of money on either path", but
        "Moving to the high road is associated with various transition costs". Associative
        capacity lowers that cost (§3). Two rules: `profit` compares expected profit
        rates on both roads here; `imitation` copies a more profitable peer in the region.
        The one-off cost (a share of capital lost) is weighed against the rate gain over the
        firm's horizon: the lock-in that makes strategy sticky.
        """
        m = self.model
        fp = m.params.firms
        noise = m.rng.normal(0.0, fp.decision_noise) if fp.decision_noise > 0 else 0.0
        to_high = not self.high
        if fp.strategy_rule == "imitation":
            peer = m.random_peer(self)
            if peer is None or peer.high == self.high:
                return False
            gain = peer.rate - self.rate
        else:
            rates = m.expected_rates(self)[self.region]
            gain = float(rates[int(to_high)] - rates[int(not to_high)])
        cost = m.switching_cost(self.region, to_high)
        if (gain + noise) * fp.horizon <= cost:
            return False
        lost = self.capital * cost
        self.capital -= lost
        m.capital_account["switching"] += lost
        self.high = to_high
        m.switches[int(to_high)] += 1
        return True

    # -- location ------------------------------------------------------------------------
    def review_location(self) -> bool:
        """Relocate to the region with the best expected return, or exit abroad.

        Cohen and Rogers (1997, §1): "investors will almost always be able to find less restrictive
        and costly options elsewhere"; docs/design.md: compare the after-tax return here with the
        best other region and the rest of the world, net of a relocation cost set by
        `capital_mobility` (0 = immobile; 1 = free; in between a share
        `capital.relocation_cost * (1 - mobility)` of capital is lost). Moving is worth it
        when (1 - cost)(1 + H r_there) > 1 + H (r_here + hurdle) over the horizon H. Each
        rate carries the firm's own valuation of the location, drawn at the review with
        standard deviation `capital.location_taste` (McFadden 1974; Carlton 1983): firms
        differ in what a place is worth to them, so some move at any return gap, both ways.
        """
        m = self.model
        mobility = m.params.world.capital_mobility
        if mobility <= 0.0 or not self.mobile:
            return False
        cp, fp = m.params.capital, m.params.firms
        horizon = fp.horizon
        # Share of capital that survives a move; a worker-held stake stays behind (§5).
        keep = m.mobility_keep * (1.0 - self.table.worker_stake[self.slot])
        # Capital controls tax the value moved out; a tax of 1 bars the move.
        move_tax, exit_tax = m.relocation_tax[self.region], m.exit_tax[self.region]
        rates = with_location_taste(m.expected_rates(self)[:, self.road], cp.location_taste,
                                    m.rng)
        here = float(rates[self.region])
        stay_value = 1.0 + horizon * (here + cp.relocation_hurdle)
        others = rates.copy()
        others[self.region] = -np.inf
        best = int(np.argmax(others))
        move_value = (keep * (1.0 - move_tax) * (1.0 + horizon * float(others[best]))
                      if m.n_regions > 1 and move_tax < 1.0 else -np.inf)
        exit_value = (keep * (1.0 - exit_tax) * (1.0 + horizon * cp.world_return)
                      if exit_tax < 1.0 else -np.inf)
        if here < cp.world_return - cp.exit_hurdle and exit_value > max(stay_value, move_value):
            m.exit_abroad(self, keep)
            return True
        if move_value > stay_value:
            m.relocate(self, best, keep)
            return True
        return False
