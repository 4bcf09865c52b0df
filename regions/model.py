"""The multi-region economy: a Mesa model whose step is the quarter of docs/design.md."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import mesa
import numpy as np

from highroad.agents.firm import Firm, new_firm_table
from highroad.agents.investor import Investor
from highroad.agents.rest_of_world import RestOfWorld
from highroad.policies import REGISTRY
from highroad.regions.accounting import Accounting
from highroad.regions.aggregates import Aggregates
from highroad.regions.conditions import MarketView
from highroad.regions.demography import Demography
from highroad.regions.geography import neighbour_matrix, region_network
from highroad.regions.governing import observe_capital_flows
from highroad.regions.incomes import Incomes
from highroad.regions.investment import Investment
from highroad.regions.labour import LabourMarket
from highroad.regions.ledger import Ledger
from highroad.regions.observer import Observer, default_observer
from highroad.regions.plausibility import check_plausible
from highroad.regions.policy import PolicySetting
from highroad.regions.production import Production
from highroad.regions.region import Region, new_region_table
from highroad.regions.relocation import Relocation
from highroad.regions.setup import WorldBuilding
from highroad.regions.shocks import Shocks
from highroad.regions.welfare import measure_resident_welfare
from highroad.scenarios.loader import Scenario


class RegionalEconomy(WorldBuilding, MarketView, Shocks, PolicySetting, Investment, Relocation,
                      LabourMarket, Production, Incomes, Demography, Accounting, Aggregates,
                      mesa.Model):
    """Regions, firms, investors and workers; one step is one quarter.

    Build it from a validated `Scenario` and an integer seed; `step()` runs the nine phases
    of docs/design.md in order, each one line. `observe` returns the rows recorded each
    quarter after the burn-in (default: `highroad.regions.observer.default_observer()`).

    This file holds the model's state and the quarter's order; each phase lives in a module
    named after it, as a mixin whose methods are the model's own: `setup.py` (the world at
    start), `conditions.py` (what decisions read), `shocks.py` (1), `policy.py` (2),
    `investment.py` and `relocation.py` (3), `labour.py` (4), `production.py` (5),
    `incomes.py` (6), `demography.py` (7), `accounting.py` and `aggregates.py` (9).
    """

    def __init__(self, scenario: Scenario, seed: int = 0, observe: Observer | None = None) -> None:
        super().__init__(rng=int(seed))
        self.observe = observe if observe is not None else default_observer()
        self.params = scenario
        self.seed = int(seed)
        world = scenario.world
        self.n_regions = world.n_regions
        self.firm_table = new_firm_table(4 * world.n_regions * world.firms_per_region)
        self.region_table = new_region_table(world.n_regions)
        self.slot_to_firm: dict[int, Firm] = {}
        self.ledger = Ledger(self.n_regions)
        self.rest_of_world = RestOfWorld(world_return=scenario.capital.world_return)
        self.capital_account: dict[str, float] = defaultdict(float)
        self.switches = [0, 0]
        self.network = region_network(self.n_regions, self.rng)
        self.neighbours = neighbour_matrix(self.network)
        Region.create_agents(self, self.n_regions, index=list(range(self.n_regions)))
        self.policy_modules = [REGISTRY[name](p) for name, p in scenario.policies.items()
                               if p.enabled]
        self._build_world()
        self.run_hooks("on_setup")
        self.records: list[dict[str, Any]] = []
        self.region_records: list[dict[str, Any]] = []

    # -- views -----------------------------------------------------------------------------
    @property
    def regions(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[Region]

    @property
    def firms(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[Firm]

    @property
    def investors(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[Investor]

    @property
    def mobility_keep(self) -> float:
        """Share of capital that survives a move between regions or abroad.

        `capital_mobility` m = 0 means immobile (nothing survives a move, so none happens);
        otherwise a share `capital.relocation_cost * (1 - m)` is lost, none at m = 1.
        """
        m = self.params.world.capital_mobility
        return 0.0 if m <= 0 else 1.0 - self.params.capital.relocation_cost * (1.0 - m)

    @property
    def in_burn_in(self) -> bool:
        return self.steps <= self.params.world.burn_in

    @property
    def policy_review_due(self) -> bool:
        """Governments with an objective review policy every `review_interval` quarters."""
        interval = self.params.government.review_interval
        return (self.steps - self.params.world.burn_in - 1) % interval == 0

    def region_column(self, name: str) -> np.ndarray:
        return self.region_table.view(name)

    def firm_column(self, name: str) -> np.ndarray:
        return self.firm_table.view(name)

    # -- the quarter -------------------------------------------------------------------------
    def step(self) -> None:
        self.open_quarter()
        self.apply_shocks()             # 1 regional demand/technology shocks
        self.set_policies()             # 2 governments set policy, within supra-regional limits
        self.invest_and_relocate()      # 3 investors allocate, firms review location and road
        self.clear_labour_market()      # 4 separations, search, matching, bargaining
        self.produce_and_sell()         # 5 production, goods markets, prices
        self.pay_incomes()              # 6 wages, taxes, transfers, dividends, saving
        self.learn_age_migrate()        # 7 skills, demography, migration
        self.run_hooks("on_supra")      # 8 supra-regional institution
        self.close_quarter()            # 9 accounting check, data collection

    def run_hooks(self, hook: str) -> None:
        for module in self.policy_modules:
            method = getattr(module, hook, None)
            if method is not None:
                method(self)

    # -- the quarter's frame: open, then close with checks and observation ------------------
    def open_quarter(self) -> None:
        self.ledger.start_quarter()
        self.balances_before = self.balances()
        self.capital_account.clear()
        self.switches = [0, 0]
        self.flows = defaultdict(float)
        t = self.region_table
        t.flight_out[: self.n_regions] = 0.0
        t.flight_in[: self.n_regions] = 0.0
        self.workforce.income[:] = 0.0
        for inv in self.investor_list:
            inv.income = 0.0


    def close_quarter(self) -> None:
        step = int(self.steps)
        self.check_workers(step)  # first: the sums by region rest on the workers' order
        residual = self.ledger.check(step, self.balances_before, self.balances())
        self.check_capital(step)
        self._aggregate()
        check_plausible(self, step)  # regions/plausibility.py: bounds, and collapse
        self.last_income = self.workforce.income.copy()
        for inv in self.investor_list:
            inv.last_income = inv.income
        self.accounting_residual = residual
        observe_capital_flows(self)
        measure_resident_welfare(self)
        if self.steps >= self.params.world.burn_in and self.observe is not None:
            economy, regions = self.observe(self)
            self.records.append(economy)
            self.region_records.extend(regions)
