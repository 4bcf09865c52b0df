"""What every decision of a quarter reads: productivity on each road, the market conditions
and expected after-tax returns, switching costs.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.firm import Firm
from highroad.errors import InvariantError
from highroad.regions.returns import (
    HIGH,
    LOW,
    MarketConditions,
    high_road_productivity,
    low_road_productivity,
    public_capital_multiplier,
    search_value,
    seen_capital_tax,
    unemployment_threat,
)


class MarketView:
    def public_capital_per_worker(self) -> np.ndarray:
        return self.region_column("public_goods") / np.maximum(self.workers_by_region, 1)

    def public_goods_index(self) -> np.ndarray:
        """Public capital per worker relative to its starting level, mapped to [0, 1) (0.5 at
        start): the saturating measure policy modules scale their own effects by."""
        g = self.public_capital_per_worker() / self.reference_public_capital
        return g / (1.0 + g)

    def road_productivity(self, region: np.ndarray, road: np.ndarray, skill: np.ndarray,
                          tfp: np.ndarray) -> np.ndarray:
        """Output per job of each firm (or notional firm) on its road in its region."""
        fp = self.params.firms
        shock = np.exp(self.region_column("log_shock"))[region]
        g = self.public_capital_per_worker()
        low = low_road_productivity(fp.low_road_productivity, shock, public_capital_multiplier(
            g, self.reference_public_capital, fp.public_goods_effect_low)[region])
        high = high_road_productivity(
            fp.high_road_productivity, shock, skill, fp.skill_elasticity,
            public_capital_multiplier(g, self.reference_public_capital,
                                      fp.public_goods_effect_high)[region],
            self.region_column("associative_capacity")[region],
            fp.associative_effect, self.agglomeration[region], self.params.world.agglomeration,
            fp.training_share)
        return tfp * np.where(road == HIGH, high * self.high_road_frontier[region], low)

    def market_conditions(self) -> MarketConditions:
        regions = np.arange(self.n_regions)
        rows = np.repeat(regions, 2)
        roads = np.tile([LOW, HIGH], self.n_regions)
        with np.errstate(over="ignore", invalid="ignore"):
            productivity = self.road_productivity(
                rows, roads, self.mean_skill_by_region[rows], np.ones(rows.size)
            ).reshape(self.n_regions, 2)
            revenue = productivity * self.effective_price
        if not np.isfinite(revenue).all():
            # Runaway growth (e.g. a technology frontier compounding for centuries at extreme
            # settings) must stop the run, not turn into silent infinities.
            r, road = np.argwhere(~np.isfinite(revenue))[0]
            raise InvariantError(int(self.steps), str(r),
                                 f"{'high' if road == HIGH else 'low'}-road revenue per job",
                                 f"is not finite (productivity {productivity[r, road]:.3g}, "
                                 f"price {self.effective_price[r, road]:.3g})")
        t = self.region_table
        return MarketConditions(
            revenue_per_worker=revenue,
            outside_option=self.outside_options(),
            wage_floor=self.region_column("labour_standard") * self.region_column("median_wage"),
            enforcement=self.region_column("enforcement").copy(),
            bargaining_power=self.region_column("bargaining_power").copy(),
            capital_tax=seen_capital_tax(t.view("capital_tax"), self.params.government.capital_tax,
                                         self.params.capital.tax_salience),
            utilisation=self.utilisation.copy(),
            capital_per_job=self.params.firms.capital_per_job,
            depreciation=self.params.firms.depreciation,
            regional_revenue=(None if self.params.labour.firm_rent_share >= 1.0
                              else self.regional_revenue_or(revenue)),
            firm_rent_share=self.params.labour.firm_rent_share,
        )

    def regional_revenue_or(self, fallback: np.ndarray) -> np.ndarray:
        """Last bargaining's regional mean revenue per worker by road; `fallback` (revenue at
        productivity 1) where a region has no staffed firm on a road, or before any."""
        if self.regional_revenue is None:
            return fallback
        return np.where(self.regional_revenue > 0, self.regional_revenue, fallback)

    def outside_options(self) -> np.ndarray:
        """Each region's outside option: benefit and non-wage income plus the value of
        search at the region's median wage, weighted by the chance of finding work — from
        the smoothed job-finding rate (`search_value`) or the smoothed unemployment rate
        (`unemployment_threat`), as `labour.threat_point` says."""
        lp = self.params.labour
        if lp.threat_point == "unemployment":
            return unemployment_threat(self.region_column("benefit") + self.outside_bonus,
                                       self.region_column("median_wage"),
                                       self.unemployment_rate, lp.search_weight)
        return search_value(self.region_column("benefit") + self.outside_bonus,
                            self.region_column("median_wage"), self.job_finding,
                            lp.separation_rate, lp.discount_rate, lp.search_weight)

    def update_job_finding(self, unemployed: np.ndarray, hired: np.ndarray,
                           labour_force: np.ndarray) -> None:
        """Smooth each region's job-finding rate (hires / unemployed job seekers this quarter,
        both by region) and its unemployment rate after the hires (over `labour_force`)
        with the weight on the past of `capital.smoothing`."""
        rate = np.where(unemployed > 0, hired / np.maximum(unemployed, 1), self.job_finding)
        w = self.params.capital.smoothing
        self.job_finding = w * self.job_finding + (1.0 - w) * np.minimum(rate, 1.0)
        left = np.where(labour_force > 0, (unemployed - hired) / np.maximum(labour_force, 1),
                        self.unemployment_rate)
        self.unemployment_rate = w * self.unemployment_rate + (1.0 - w) * left

    def rates_table(self, tfp: np.ndarray) -> np.ndarray:
        """Expected after-tax profit rates (firms x regions x roads) at each firm's `tfp`."""
        return self.conditions.after_tax_rate(np.arange(self.n_regions)[None, :, None],
                                              np.array([LOW, HIGH])[None, None, :],
                                              np.asarray(tfp, dtype=float)[:, None, None])

    def expected_rates(self, firm: Firm) -> np.ndarray:
        """The expected after-tax rate of `firm` in each region on each road (regions x 2),
        as its review reads them: from the quarter's table while firms review."""
        rates = self._review_rates.get(firm.slot)
        return self.rates_table(np.array([firm.tfp]))[0] if rates is None else rates

    def switching_cost(self, region: int, to_high: bool) -> float:
        """One-off cost of changing road, as a share of capital (see Firm.review_strategy)."""
        fp, assoc = self.params.firms, self.params.associations
        if not to_high:
            return fp.downgrade_cost
        relief = assoc.transition_cost_relief * self.region_column("associative_capacity")[region]
        return fp.transition_cost * max(0.0, 1.0 - relief - self.transition_relief[region])

    def entry_rates(self) -> np.ndarray:
        """Expected after-tax rate of a new firm (productivity 1) in each region, best road."""
        if self._entry_rates is not None:
            return self._entry_rates
        regions = np.arange(self.n_regions)
        return np.maximum(self.conditions.after_tax_rate(regions, LOW, 1.0),
                          self.conditions.after_tax_rate(regions, HIGH, 1.0))
