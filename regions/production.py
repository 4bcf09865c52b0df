"""Phase 5: production, demand, trade, market clearing and price expectations (kernels in
goods_market.py).

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.investor import investor_spending
from highroad.regions import goods_market as gm
from highroad.regions.ledger import FIRMS, GOV, HH, INVESTORS, ROW
from highroad.regions.returns import (
    HIGH,
    LOW,
)
from highroad.regions.sums import region_sums


class Production:
    def produce_and_sell(self) -> None:
        """Production, demand, trade and market clearing; money moves from buyers to sellers."""
        p, gp = self.params, self.params.goods
        wf, t, rt = self.workforce, self.firm_table, self.region_table
        R = self.n_regions
        t.view("output")[:] = t.view("employees") * t.view("productivity")
        relative_price = self.effective_price[:, HIGH] / self.effective_price[:, LOW]
        # Households: consume out of last quarter's income and wealth, never below zero.
        spend = gp.consumption_income * self.last_income
        quality = gp.consumption_wealth * wf.wealth  # a scratch array until it holds quality
        spend += quality
        np.clip(spend, 0.0, wf.wealth, out=spend)
        theta = gm.quality_share_by_region(self.last_income, wf.region, relative_price,
                                           gp.quality_preference, gp.quality_income_elasticity,
                                           gp.substitution_elasticity, self.reference_income,
                                           self.workers_by_region.astype(np.int64))
        demand = np.zeros((R, 2))
        np.multiply(theta, spend, out=quality)
        demand[:, HIGH] = region_sums(wf.region, quality, R)
        np.subtract(1, theta, out=theta)
        theta *= spend
        demand[:, LOW] = region_sums(wf.region, theta, R)
        wf.wealth -= spend
        self.ledger.debit("goods_market", HH, wf.region, spend)
        self.flows["household_consumption"] += float(spend.sum())
        cp = p.capital
        wealth = self.investor_net_worth()
        for inv, w in zip(self.investor_list, wealth.tolist(), strict=True):
            c = investor_spending(inv.last_income, w, inv.cash, cp.investor_consumption_income,
                                  cp.investor_consumption_wealth)
            per_household = inv.last_income / inv.households
            q = float(gm.quality_share(np.array([per_household]),
                                       relative_price[inv.home:inv.home + 1],
                                       gp.quality_preference, gp.quality_income_elasticity,
                                       gp.substitution_elasticity, self.reference_income)[0])
            demand[inv.home] += c * np.array([1 - q, q])
            inv.cash -= c
            self.ledger.debit("goods_market", INVESTORS, inv.home, c)
            self.flows["investor_consumption"] += c
        # Government and investment purchases: bought in the region, part quality.
        split = np.array([1 - gp.public_quality_share, gp.public_quality_share])
        public = rt.view("public_investment") + rt.view("public_consumption")
        demand += public[:, None] * split
        rt.view("cash")[:] -= public
        rt.view("public_goods")[:] += rt.view("public_investment")
        self.ledger.debit("goods_market", GOV, np.arange(R), public)
        invest = t.view("investment")
        demand += np.bincount(t.view("region"), weights=invest, minlength=R)[:, None] * split
        t.view("cash")[:] -= invest
        t.view("capital")[:] += invest
        self.capital_account["investment"] += float(invest.sum())
        self.ledger.debit("goods_market", FIRMS, t.view("region"), invest)
        self.demand = demand
        self.run_hooks("on_goods_market")
        demand = self.demand
        row = self.rest_of_world
        openness = p.world.trade_openness
        exposure = np.array([gp.import_exposure_low, gp.import_exposure_high])
        import_share = gm.trade_shares(openness, exposure, self.national_price, row.world_price,
                                       gp.trade_price_elasticity) * self.import_barrier
        exports = gm.export_demand(openness, row.world_demand, self.national_price,
                                   row.world_price, gp.trade_price_elasticity)
        active = t.view("active")
        output = np.where(active, t.view("output"), 0.0)
        road = t.view("high").astype(np.int64)
        cap = gp.local_price_bound * self.national_price if gp.local_price_bound > 0 else None
        out = gm.clear_markets(demand, output, t.view("region"), road,
                               gp.nontradable_share, import_share, exports, R, local_cap=cap)
        if p.firms.demand_constrained:
            sold = np.minimum(output, self.update_sales_expectations(out, output))
            revenue = gm.revenue_by_sales(out, sold, t.view("region"), road, R)
        else:  # everything made is sold at the pool's clearing value
            sold, revenue = output, out.revenue
        self.flows["sell_through"] = (float(sold.sum() / output.sum()) if output.sum() > 0
                                      else 1.0)
        t.view("revenue")[:] = revenue
        t.view("cash")[:] += revenue
        self.ledger.credit("goods_market", FIRMS, t.view("region"), revenue)
        self.ledger.debit("goods_market", ROW, 0, out.exports.sum())
        self.ledger.credit("goods_market", ROW, 0, out.imports.sum())
        row.balance += float(out.imports.sum() - out.exports.sum())
        self.flows["imports"] += float(out.imports.sum())
        self.flows["exports"] += float(out.exports.sum())
        self.flows["local_capture"] = out.local_capture
        self.flows["demand"] = float(demand.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            t.view("price")[:] = np.where(sold > 0, revenue / sold, t.view("price"))
        self.update_price_expectations(out)

    def update_sales_expectations(self, out: gm.MarketOutcome, output: np.ndarray) -> np.ndarray:
        """Adaptive expectations of units sold: what firms plan hiring and investment on.

        Dosi, Fagiolo and Roventini (2010, §2.2): production follows adaptive expectations of
        demand. The newest observation is the demand each firm met at its posted (expected)
        price (`goods_market.demand_at_posted_prices`), its share of each pool set by its
        capacity and its idiosyncratic demand (`goods_market.demand_shocks`), plus the buyers
        sold-out firms turned away (`goods_market.redirect_unmet_demand`); a firm without an
        expectation yet takes it as its expectation. In the first quarter no price has been
        seen: firms post the prices that clear. Returns this quarter's demand per firm.
        """
        fp, t = self.params.firms, self.firm_table
        active = t.view("active")
        jobs = np.floor(t.view("capital") / fp.capital_per_job)
        shock = gm.demand_shocks(t.view("demand_shock"), fp.demand_persistence,
                                 fp.demand_volatility, self.rng)
        capacity = np.where(active, jobs * t.view("productivity") * np.exp(shock), 0.0)
        local_price, national_price = self.local_price_expected, self.national_price
        if local_price is None:
            local_price = np.where(np.isnan(out.local_price), 1.0, out.local_price)
            national_price = np.where(np.isnan(out.national_price), 1.0, out.national_price)
        region, road = t.view("region"), t.view("high").astype(np.int64)
        local, national = gm.demand_at_posted_prices(out, local_price, national_price, capacity,
                                                     region, road, self.n_regions)
        demanded = local + national
        if self.params.goods.redirect_unmet_demand:
            demanded += gm.redirect_unmet_demand(local, national, output, region, road,
                                                 self.n_regions)
        expected = t.view("expected_sales")
        w = fp.sales_expectation_weight
        expected[:] = np.where(active, np.where(np.isnan(expected), demanded,
                                                (1 - w) * expected + w * demanded), np.nan)
        return np.where(active, demanded, 0.0)

    def update_price_expectations(self, out: gm.MarketOutcome) -> None:
        """Adaptive expectations: buyers, firms and traders act on smoothed prices.

        Acting on last quarter's price alone makes trade and demand a cobweb that can
        oscillate; an exponentially weighted price is the textbook remedy.
        """
        gp = self.params.goods
        w = gp.price_expectation_weight
        self.market_price = np.where(np.isnan(out.national_price), self.national_price,
                                     out.national_price)
        national = (1 - w) * self.national_price + w * self.market_price
        local = np.where(np.isnan(out.local_price), self.market_price[None, :], out.local_price)
        nt = gp.nontradable_share
        effective = nt * local + (1 - nt) * self.market_price[None, :]
        self.effective_price = (1 - w) * self.effective_price + w * effective
        self.local_price_expected = (local if self.local_price_expected is None else
                                     (1 - w) * self.local_price_expected + w * local)
        self.national_price = national
