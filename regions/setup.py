"""Building the world at start: regions, workers, firms and investors near equilibrium.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from highroad.agents.firm import Firm
from highroad.agents.investor import Investor
from highroad.agents.workforce import (
    Workforce,
    entrant_skills,
)
from highroad.regions.beliefs import prior_beliefs
from highroad.regions.tfp import draw_tfp


class WorldBuilding:
    def _build_world(self) -> None:
        p, world = self.params, self.params.world
        sizes = np.asarray(world.region_sizes or [1.0] * self.n_regions, dtype=float)
        share = sizes / sizes.sum()
        n_workers = np.maximum(1, np.round(world.workers_per_region * self.n_regions * share))
        n_firms = np.maximum(1, np.round(world.firms_per_region * self.n_regions * share))
        n_workers, n_firms = n_workers.astype(np.int64), n_firms.astype(np.int64)
        region_of_worker = np.repeat(np.arange(self.n_regions), n_workers)
        region_skill = np.exp(p.demography.region_skill_dispersion
                              * self.rng.standard_normal(self.n_regions))
        skill = region_skill[region_of_worker] * entrant_skills(
            self.rng.random(region_of_worker.size), p.demography.skill_persistence,
            p.demography.entrant_skill_dispersion, self.rng)
        skill = np.clip(skill, p.labour.skill_min, p.labour.skill_max)
        self.reference_wage = 0.6  # initial wage, in units of initial output per worker
        net = self.reference_wage * (1 - p.labour.labour_tax)
        draws = self.rng.exponential(1.0, region_of_worker.size)
        wealth = p.demography.initial_wealth * net * draws
        self.workforce = Workforce(region_of_worker, skill, wealth)
        self.workforce.income[:] = net
        self.reference_income = net
        t = self.region_table
        t.median_wage[: self.n_regions] = self.reference_wage
        t.mean_wage[: self.n_regions] = self.reference_wage
        t.benefit[: self.n_regions] = p.labour.benefit_replacement * self.reference_wage
        # Public capital starts at the measured stock per worker; productivity is relative to it.
        self.reference_public_capital = p.government.initial_public_capital
        t.public_goods[: self.n_regions] = self.reference_public_capital * n_workers
        gov = p.government
        prior_slope = (gov.elasticity_prior * world.capital_mobility / gov.planning_horizon)
        self.belief_coef, self.belief_cov = prior_beliefs(self.n_regions, prior_slope,
                                                          gov.prior_weight)
        self.tax_grid = np.linspace(gov.min_capital_tax, gov.max_capital_tax, gov.tax_grid)
        self.standard_grid = (np.linspace(0.0, 1.0, gov.standard_grid) if gov.standard_grid > 1
                              else np.array([gov.labour_standard]))
        # Investors: one per region, owning that region's firms at start.
        kappa = p.firms.capital_per_job
        households = p.capital.investor_household_share * n_workers
        Investor.create_agents(self, self.n_regions, home=list(range(self.n_regions)),
                               cash=list(0.5 * kappa * n_workers / n_firms * 0.1),
                               households=list(households))
        self.investor_list = list(self.investors)
        for r in range(self.n_regions):
            jobs = np.full(n_firms[r], 0.95 * n_workers[r] // n_firms[r], dtype=float)
            capital = kappa * np.maximum(jobs, 1) * 1.05
            high = self.rng.random(n_firms[r]) < p.firms.initial_high_road_share
            tfp = draw_tfp(self.rng, int(n_firms[r]), p.firms)
            firms = Firm.create_agents(self, int(n_firms[r]), region=r, high=list(high),
                                       capital=list(capital),
                                       cash=list(p.firms.cash_buffer * capital),
                                       tfp=list(tfp), owner=r)
            # Start near equilibrium: the region's workers fill its jobs in turn.
            slots = np.repeat([f.slot for f in firms], jobs.astype(np.int64))
            members = np.flatnonzero(region_of_worker == r)[: slots.size]
            self.workforce.employer[members] = slots[: members.size]
            self.workforce.wage[members] = self.reference_wage
        self.workforce.employment_changed()
        t_f = self.firm_table
        t_f.view("employees")[:] = np.bincount(self.workforce.employer[self.workforce.employed],
                                               minlength=t_f.size)
        self.effective_price = np.ones((self.n_regions, 2))
        self.national_price = np.ones(2)
        self.local_price_expected: np.ndarray | None = None  # posted locally; None: none yet
        self.market_price = np.ones(2)
        tradable_output = (1 - p.goods.nontradable_share) * n_workers.sum() * 0.95
        self.rest_of_world.world_price = np.array([p.goods.world_price_low,
                                                   p.goods.world_price_high])
        self.rest_of_world.world_demand = tradable_output * np.array(
            [p.goods.export_demand_low, p.goods.export_demand_high])
        self.unemployed_by_region = n_workers.astype(float)
        # Job-finding rate at start: the flow balance s (1 - u) = f u at the 5% of workers
        # the jobs above leave unemployed.
        self.job_finding = np.full(self.n_regions, min(1.0, p.labour.separation_rate * 19.0))
        self.unemployment_rate = np.full(self.n_regions, 0.05)
        # Levers the policy modules move; reset each quarter, so a module that is off leaves
        # them at these neutral values (see `reset_levers` and policies/__init__.py).
        self.outside_bonus = np.zeros(self.n_regions)   # non-wage income raising outside options
        self.transition_relief = np.zeros(self.n_regions)  # extra relief from policy modules
        self.skill_growth_bonus = np.zeros(self.n_regions)
        self.high_road_frontier = np.ones(self.n_regions)  # high-road technology multiplier
        self.relocation_tax = np.zeros(self.n_regions)  # share of value moved out; 1 = barred
        self.exit_tax = np.zeros(self.n_regions)        # same, for capital sent abroad
        self.import_barrier = np.ones(2)                # multiplies import shares (safeguards)
        self.private_founding = True                    # investors may found firms
        self.coordinator: np.ndarray | None = None      # workers in empowering jobs, if modelled
        self.flows: dict[str, float] = defaultdict(float)
        self._releasing: list[int] | None = None  # firm slots whose workers are let go, batched
        self._entry_rates: np.ndarray | None = None  # this quarter's, while investors allocate
        self._sorted_incomes: tuple[int, float, np.ndarray] | None = None
        self._review_rates: dict[int, np.ndarray] = {}  # while firms review (expected_rates)
        self._aggregate()
        self.typical_firm_capital = float(np.median(self.firm_column("capital")))
        self.total_capital = float(self.firm_column("capital").sum())
        self.recorded_workers = len(self.workforce)
