"""The multi-region economy: a Mesa model whose step is the quarter of DESIGN.md §3."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mesa
import numpy as np

from highroad.agents.firm import INVESTOR_OWNED, Firm, new_firm_table
from highroad.agents.investor import Investor
from highroad.agents.rest_of_world import RestOfWorld
from highroad.agents.workforce import (
    UNEMPLOYED,
    Workforce,
    entrant_skills,
    income_ranks,
    learn_and_forget,
)
from highroad.allocator import keep_freed_memory
from highroad.analysis.metrics import group_medians
from highroad.errors import InvariantError
from highroad.policies import REGISTRY
from highroad.regions import goods_market as gm
from highroad.regions import labour_market as lm
from highroad.regions.draws import bernoulli_indices
from highroad.regions.geography import agglomeration_index, neighbour_matrix, region_network
from highroad.regions.ledger import FIRMS, GOV, HH, INVESTORS, ROW, Ledger
from highroad.regions.plausibility import check_plausible
from highroad.regions.region import Region, new_region_table
from highroad.regions.returns import (
    HIGH,
    LOW,
    MarketConditions,
    apply_wage_floor,
    high_road_productivity,
    low_road_productivity,
    nash_wage,
)
from highroad.regions.sums import region_sums
from highroad.scenarios.loader import Scenario


class RegionalEconomy(mesa.Model):
    """Regions, firms, investors and workers; one step is one quarter.

    Build it from a validated `Scenario` and an integer seed; `step()` runs the nine phases
    of DESIGN.md §3 in order, each one line.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        super().__init__(rng=int(seed))
        keep_freed_memory()  # scratch arrays reused, not faulted in again (highroad.allocator)
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

    # -- set-up ------------------------------------------------------------------------------
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
            tfp = np.exp(p.firms.tfp_dispersion * self.rng.standard_normal(n_firms[r]))
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
        self.market_price = np.ones(2)
        tradable_output = (1 - p.goods.nontradable_share) * n_workers.sum() * 0.95
        self.rest_of_world.world_price = np.array([p.goods.world_price_low,
                                                   p.goods.world_price_high])
        self.rest_of_world.world_demand = tradable_output * np.array(
            [p.goods.export_demand_low, p.goods.export_demand_high])
        self.unemployed_by_region = n_workers.astype(float)
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

    # -- phase 0 and 1 -------------------------------------------------------------------------
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

    def apply_shocks(self) -> None:
        """Regional productivity shocks: log AR(1) with the scenario's `volatility`.

        Cohen-Rogers §5 (M56): the volatility of competitive strategies "should alert even
        members of successful regions that their well-being may not be permanent".
        """
        shocks = self.params.shocks
        log_shock = self.region_column("log_shock")
        log_shock[:] = (shocks.persistence * log_shock
                        + self.params.world.volatility * self.rng.standard_normal(self.n_regions))

    # -- phase 2 -------------------------------------------------------------------------------
    def set_policies(self) -> None:
        self.reset_levers()
        self.regions.do("set_policy")
        gov, assoc = self.params.government, self.params.associations
        a = self.region_column("associative_capacity")
        # Monitoring as a by-product of deliberation (Cohen-Rogers §3, M22).
        self.region_column("enforcement")[:] = np.clip(
            gov.enforcement + assoc.enforcement_effect * a, 0.0, 1.0)
        self.region_column("bargaining_power")[:] = self.params.labour.bargaining_power
        self.region_column("benefit")[:] = (self.params.labour.benefit_replacement
                                            * self.region_column("mean_wage"))
        self.run_hooks("on_policy")
        self.regions.do("plan_budget")
        self.region_column("programmes")[:] = 0.0  # netted by this plan; refilled until the next
        self.conditions = self.market_conditions()

    def reset_levers(self) -> None:
        """Return the per-quarter policy levers to neutral; enabled modules set them again."""
        self.outside_bonus[:] = 0.0
        self.transition_relief[:] = 0.0
        self.skill_growth_bonus[:] = 0.0
        self.relocation_tax[:] = 0.0
        self.exit_tax[:] = 0.0
        self.import_barrier[:] = 1.0

    def public_goods_index(self) -> np.ndarray:
        """Quasi-public goods per worker relative to the initial wage, mapped to [0, 1)."""
        per_worker = self.region_column("public_goods") / np.maximum(self.workers_by_region, 1)
        g = per_worker / self.reference_wage
        return g / (1.0 + g)

    def road_productivity(self, region: np.ndarray, road: np.ndarray, skill: np.ndarray,
                          tfp: np.ndarray) -> np.ndarray:
        """Output per job of each firm (or notional firm) on its road in its region."""
        fp = self.params.firms
        shock = np.exp(self.region_column("log_shock"))[region]
        pgi = self.public_goods_index()[region]
        low = low_road_productivity(fp.low_road_productivity, shock, pgi,
                                    fp.public_goods_effect_low)
        high = high_road_productivity(
            fp.high_road_productivity, shock, skill, fp.skill_elasticity, pgi,
            fp.public_goods_effect_high, self.region_column("associative_capacity")[region],
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
            outside_option=self.region_column("benefit") + self.outside_bonus,
            wage_floor=self.region_column("labour_standard") * self.region_column("median_wage"),
            enforcement=self.region_column("enforcement").copy(),
            bargaining_power=self.region_column("bargaining_power").copy(),
            capital_tax=t.view("capital_tax").copy(),
            utilisation=self.utilisation.copy(),
            capital_per_job=self.params.firms.capital_per_job,
            depreciation=self.params.firms.depreciation,
        )

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

    # -- phase 3 -------------------------------------------------------------------------------
    def invest_and_relocate(self) -> None:
        self.plan_firm_investment()
        self.run_hooks("on_investment")
        # Every investor reads the same quarter's conditions: work out their returns once.
        self._entry_rates = self.entry_rates()
        try:
            self.investors.shuffle_do("allocate")
        finally:
            self._entry_rates = None
        review = self.rng.random(self.firm_table.size) < self.params.firms.review_probability
        # The reviewing firms in the AgentSet's (creation = slot) order, then shuffled by it.
        reviewing = np.flatnonzero(review & self.firm_column("active"))
        # Conditions are fixed for the quarter: every reviewing firm's expected returns, in
        # every region on both roads, in one table (see `expected_rates`).
        self._review_rates = dict(zip(reviewing.tolist(), self.rates_table(
            self.firm_column("tfp")[reviewing]), strict=True))
        try:
            with self.batched_layoffs():
                mesa.agent.AgentSet([self.slot_to_firm[s] for s in reviewing.tolist()],
                                    random=self.random).shuffle_do("review")
        finally:
            self._review_rates = {}
        self.typical_firm_capital = float(np.median(self.firm_column("capital")[
            self.firm_column("active")])) if self.firm_column("active").any() else 1.0

    def plan_firm_investment(self) -> None:
        """Firms reinvest retained earnings: replace used capital, grow when returns beat the world.

        Cohen-Rogers §5 (M43): supports "incline firms toward production strategies that relied
        upon them, and via those strategies toward investment in additional capacity within
        those regions". Net growth responds to the smoothed after-tax return over the world
        return; idle capacity is not replaced.
        """
        fp, cp = self.params.firms, self.params.capital
        t = self.firm_table
        active = t.view("active")
        capital, cash = t.view("capital"), t.view("cash")
        jobs = np.maximum(np.floor(capital / fp.capital_per_job), 1)
        utilisation = np.minimum(t.view("employees") / jobs, 1.0)
        growth = np.clip(fp.investment_response * (t.view("rate") - cp.world_return),
                         -fp.depreciation, fp.max_growth)
        gross = np.where(utilisation >= 0.9, capital * (fp.depreciation + growth),
                         capital * fp.depreciation * utilisation)
        # Bought (and installed) in the goods market of phase 5.
        t.view("investment")[:] = np.where(active, np.clip(gross, 0.0, np.maximum(cash, 0.0)), 0)

    def entry_rates(self) -> np.ndarray:
        """Expected after-tax rate of a new firm (productivity 1) in each region, best road."""
        if self._entry_rates is not None:
            return self._entry_rates
        regions = np.arange(self.n_regions)
        return np.maximum(self.conditions.after_tax_rate(regions, LOW, 1.0),
                          self.conditions.after_tax_rate(regions, HIGH, 1.0))

    def random_peer(self, firm: Firm) -> Firm | None:
        t = self.firm_table
        same = np.flatnonzero(t.view("active") & (t.view("region") == firm.region))
        same = same[same != firm.slot]
        if same.size == 0:
            return None
        return self.slot_to_firm[int(same[self.rng.integers(same.size)])]

    def investor_reserve(self, investor: Investor) -> float:
        return max(investor.income, 0.0)

    def found_firm(self, investor: Investor, region: int, size: float) -> Firm:
        """An investor founds a firm on the road with the better expected return there."""
        rates = self.conditions.after_tax_rate(region, np.array([LOW, HIGH]), 1.0)
        tfp = float(np.exp(self.params.firms.tfp_dispersion * self.rng.standard_normal()))
        firm = Firm(self, region=region, high=bool(rates[HIGH] > rates[LOW]), capital=0.0,
                    cash=0.0, tfp=tfp, owner=self.investor_list.index(investor))
        if region != investor.home:  # capital placed outside the home region
            size = self._levy_on_leaving(investor, self.relocation_tax[investor.home], size)
        investor.cash -= size
        firm.cash += size
        self.ledger.pay("equity", INVESTORS, investor.home, FIRMS, region, size)
        self.firm_table.investment[firm.slot] = size  # its plant is bought in phase 5
        self.region_column("flight_in")[region] += size if region != investor.home else 0.0
        return firm

    def _levy_on_leaving(self, investor: Investor, rate: float, amount: float) -> float:
        """Capital controls: tax investor capital leaving its home region; return the rest."""
        levy = rate * amount
        if levy > 0:
            self._pay_capital_control(INVESTORS, investor.home, levy)
            investor.cash -= levy
        return amount - levy

    def invest_abroad(self, investor: Investor, amount: float) -> None:
        amount = self._levy_on_leaving(investor, self.exit_tax[investor.home], amount)
        investor.cash -= amount
        investor.foreign_assets += amount
        self.rest_of_world.balance += amount
        self.ledger.pay("foreign_investment", INVESTORS, investor.home, ROW, 0, amount)
        self.flows["money_sent_abroad"] += amount

    def repatriate(self, investor: Investor, amount: float) -> None:
        investor.cash += amount
        investor.foreign_assets -= amount
        self.rest_of_world.balance -= amount
        self.ledger.pay("foreign_investment", ROW, 0, INVESTORS, investor.home, amount)
        self.flows["money_repatriated"] += amount

    def _pay_capital_control(self, payer: int, region: int, levy: float) -> None:
        """A tax on capital crossing a border, paid to the region it leaves (capital_controls)."""
        self.region_column("cash")[region] += levy
        self.ledger.pay("capital_controls", payer, 0 if payer == ROW else region, GOV, region,
                        levy)
        self.flows["capital_control_revenue"] += levy

    def _release_workers(self, firm: Firm) -> None:
        """The firm's workers lose their jobs (at once, or when the current batch ends)."""
        self.firm_table.employees[firm.slot] = 0
        if self._releasing is not None:
            self._releasing.append(firm.slot)
        else:
            self._lay_off_firms([firm.slot])

    def _lay_off_firms(self, slots: list[int]) -> None:
        """Every worker of the firms in `slots` loses the job: one pass over the workers."""
        if not slots:
            return
        wf = self.workforce
        closing = np.zeros(self.firm_table.size + 1, dtype=bool)  # last entry: the unemployed
        closing[slots] = True
        wf.fire(np.flatnonzero(closing[wf.employer]))

    @contextmanager
    def batched_layoffs(self) -> Iterator[None]:
        """Within this block, firms that move, exit or close lay off their workers together
        at its end (one pass over the workers instead of one per firm). Nothing inside reads
        who is employed: reviews and closures look at firms, prices and the region table."""
        self._releasing = []
        try:
            yield
        finally:
            slots, self._releasing = self._releasing, None
            self._lay_off_firms(slots)

    def relocate(self, firm: Firm, destination: int, keep: float) -> None:
        """Move a firm: workers stay behind, a share 1 - keep of the capital is lost."""
        origin = firm.region
        self._release_workers(firm)
        before = firm.capital
        firm.capital = before * keep
        self.capital_account["relocation_loss"] += before * (1.0 - keep)
        t = self.region_table
        t.flight_out[origin] += before
        t.flight_in[destination] += before * keep
        levy = self.relocation_tax[origin] * firm.capital
        if levy > 0:
            self._pay_capital_control(FIRMS, origin, levy)
            firm.cash -= levy
        self.firm_table.worker_stake[firm.slot] = 0.0  # the stake stayed behind with the workers
        self.ledger.pay("relocation", FIRMS, origin, FIRMS, destination, firm.cash)
        firm.region = destination
        self.flows["relocations"] += 1

    def exit_abroad(self, firm: Firm, keep: float) -> None:
        """Capital leaves for the rest of the world; the owner keeps a share `keep` abroad."""
        owner = self.investor_list[firm.owner]
        self._release_workers(firm)
        self.region_table.flight_out[firm.region] += firm.capital
        exported = firm.capital * keep
        levy = self.exit_tax[firm.region] * exported
        if levy > 0:  # the owner cedes that much of the asset abroad; it comes home as tax
            self.rest_of_world.balance -= levy
            self._pay_capital_control(ROW, firm.region, levy)
        owner.foreign_assets += exported - levy
        self.capital_account["exported"] += firm.capital
        self.flows["exits"] += 1
        self._close(firm, owner)

    def _close(self, firm: Firm, owner: Investor | None) -> None:
        """Pay the firm's cash (or debt) to its owner, scrap what capital is left, remove it."""
        cash = firm.cash
        if owner is not None:
            self.ledger.pay("closure", FIRMS, firm.region, INVESTORS, owner.home, cash)
            owner.cash += cash
        else:  # a worker-owned firm's remaining cash or debt passes to its region
            self.ledger.pay("closure", FIRMS, firm.region, GOV, firm.region, cash)
            self.region_column("cash")[firm.region] += cash
        firm.cash = 0.0
        self.firm_table.investment[firm.slot] = 0.0
        self.firm_table.active[firm.slot] = False
        self.firm_table.capital[firm.slot] = 0.0
        del self.slot_to_firm[firm.slot]
        firm.remove()

    # -- phase 4 -------------------------------------------------------------------------------
    def clear_labour_market(self) -> None:
        lp, fp = self.params.labour, self.params.firms
        wf, t = self.workforce, self.firm_table
        active = t.view("active")
        capital = t.view("capital")
        jobs = np.where(active, np.floor(capital / fp.capital_per_job), 0).astype(np.int64)
        employees = t.view("employees")
        road = t.view("high").astype(np.int64)
        losing = self.conditions.margin_per_worker(t.view("region"), road, t.view("tfp")) < 0
        target = np.where(losing, np.minimum(jobs, (0.9 * employees).astype(np.int64)), jobs)
        t.view("target")[:] = target
        before = wf.employer
        # Staff counts follow the moves (the table's count equals the workers' employers).
        fired = lm.layoffs(before, target, self.rng, counts=employees)
        employer = before.copy()
        employer[fired] = UNEMPLOYED
        staff = np.minimum(employees, target)  # a firm over its target keeps exactly target
        leaving = lm.separations(employer, lp.separation_rate, self.rng)
        staff -= np.bincount(employer[leaving], minlength=t.size)
        employer[leaving] = UNEMPLOYED
        vacancies = np.maximum(target - staff, 0)
        priority = road * 10.0 + t.view("tfp")
        employer, hired = lm.match(employer, wf.region, wf.skill, t.view("region"), vacancies,
                                   priority, lp.matching_efficiency, lp.matching_elasticity,
                                   self.n_regions, self.rng, copy=False)
        staff += np.bincount(employer[hired], minlength=t.size)
        # Tenure restarts for those whose employer changed (among those who moved at all).
        moved = np.concatenate([fired, leaving, hired])
        wf.tenure[moved[employer[moved] != before[moved]]] = 0
        wf.employer = employer
        t.view("employees")[:] = staff
        self.flows["hires"] += hired.size
        self.bargain_wages()
        self.run_hooks("on_bargaining")

    def bargain_wages(self) -> None:
        """Each employed worker's wage: Nash bargaining, then the floor where it is enforced.

        A worker's region is her employer's (hiring is within the region, and a firm that
        moves lays its workers off), so the regional terms are read per firm, and every
        per-firm number is read per worker through her employer's slot (the unemployed read
        an extra last entry: no wage).
        """
        wf, t, cond = self.workforce, self.firm_table, self.conditions
        employer = wf.employer
        employees = t.view("employees")
        skill_sum = wf.firm_sums(wf.skill, t.size)
        mean_skill = np.where(employees > 0, skill_sum / np.maximum(employees, 1), 1.0)
        t.view("mean_skill")[:] = mean_skill
        region, road = t.view("region"), t.view("high").astype(np.int64)
        productivity = self.road_productivity(region, road, mean_skill, t.view("tfp"))
        t.view("productivity")[:] = productivity
        revenue_per_worker = productivity * self.effective_price[region, road]
        complies = self.rng.random(t.size) < cond.enforcement[region]
        t.view("complies")[:] = complies
        # The regional terms, read per firm.
        power = cond.bargaining_power[region]
        outside = cond.outside_option[region]
        floor = cond.wage_floor[region]
        # Low-road jobs are de-skilled: one wage per firm.
        wage = np.zeros(t.size + 1)
        np.maximum(apply_wage_floor(nash_wage(revenue_per_worker, outside, power), floor,
                                    complies), 0.0, out=wage[:-1])
        np.take(wage, employer, mode="wrap", out=wf.wage)
        # In high-road firms pay follows individual skill: the same Nash wage and floor,
        # their per-firm parts (the outside option's weight, the floor if enforced, the
        # zero bound) taken once per firm.
        on_high = np.zeros(t.size + 1, dtype=bool)
        on_high[:-1] = road == HIGH
        high = np.flatnonzero(np.take(on_high, employer, mode="wrap"))
        high_firm = employer[high]
        relative = wf.skill[high]
        relative /= mean_skill[high_firm]
        relative **= self.params.firms.skill_elasticity
        relative *= revenue_per_worker[high_firm]
        relative *= power[high_firm]
        relative += ((1.0 - power) * outside)[high_firm]
        np.maximum(relative, np.where(complies, np.maximum(floor, 0.0), 0.0)[high_firm],
                   out=relative)
        wf.wage[high] = relative

    # -- phase 5 -------------------------------------------------------------------------------
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
        for inv in self.investor_list:
            c = float(np.clip(cp.investor_consumption_income * inv.last_income
                              + cp.investor_consumption_wealth * inv.cash, 0, max(inv.cash, 0)))
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
        out = gm.clear_markets(demand, output, t.view("region"), t.view("high").astype(np.int64),
                               gp.nontradable_share, import_share, exports, R)
        t.view("revenue")[:] = out.revenue
        t.view("cash")[:] += out.revenue
        self.ledger.credit("goods_market", FIRMS, t.view("region"), out.revenue)
        self.ledger.debit("goods_market", ROW, 0, out.exports.sum())
        self.ledger.credit("goods_market", ROW, 0, out.imports.sum())
        row.balance += float(out.imports.sum() - out.exports.sum())
        self.flows["imports"] += float(out.imports.sum())
        self.flows["exports"] += float(out.exports.sum())
        self.flows["local_capture"] = out.local_capture
        self.flows["demand"] = float(demand.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            t.view("price")[:] = np.where(output > 0, out.revenue / output, t.view("price"))
        self.update_price_expectations(out)

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
        self.national_price = national

    # -- phase 6 -------------------------------------------------------------------------------
    def _pay_households(self, flow: str, payer: int, payer_region: np.ndarray | int | None,
                        who: np.ndarray | slice, amount: np.ndarray,
                        region: np.ndarray | None = None,
                        by_region: np.ndarray | None = None) -> None:
        """Every payment to households goes through here: wealth, income and the ledger.

        `who`: distinct worker indices, or `slice(None)` for every worker. `payer_region`
        None: each payer is in the region of the household it pays. `region`: the
        households' regions, and `by_region`: the amount summed by region, if known.
        """
        wf = self.workforce
        if isinstance(who, slice):
            wf.wealth[who] += amount
            wf.income[who] += amount
        else:
            np.add.at(wf.wealth, who, amount)
            np.add.at(wf.income, who, amount)
        region = wf.region[who] if region is None else region
        if payer_region is None:
            self.ledger.pay_within(flow, payer, HH, region, amount, by_region)
        else:
            self.ledger.pay(flow, payer, payer_region, HH, region, amount)

    def _tax_households(self, flow: str, who: np.ndarray | slice, amount: np.ndarray,
                        region: np.ndarray | None = None) -> np.ndarray:
        """Households `who` (distinct indices, or `slice(None)` for everyone) pay `amount` to
        their region's government; returns it by region."""
        wf = self.workforce
        if isinstance(who, slice):
            wf.wealth[who] -= amount
            wf.income[who] -= amount
        else:
            np.subtract.at(wf.wealth, who, amount)
            np.subtract.at(wf.income, who, amount)
        region = wf.region[who] if region is None else region
        by_region = region_sums(region, amount, self.n_regions)
        self.region_column("cash")[:] += by_region
        self.region_column("revenue")[:] += by_region
        self.ledger.pay_within(flow, HH, GOV, region, amount, by_region)
        return by_region

    def pay_incomes(self) -> None:
        p = self.params
        wf, t, rt = self.workforce, self.firm_table, self.region_table
        R = self.n_regions
        rt.view("revenue")[:] = 0.0
        # Wages and the labour tax over all workers (the unemployed earn 0): a pass over
        # everyone is cheaper than gathering the employed. Each worker is paid by a firm in
        # her region.
        wage = wf.wage
        wage_bill = wf.firm_sums(wage, t.size)
        t.view("wage_bill")[:] = wage_bill
        t.view("cash")[:] -= wage_bill
        self._pay_households("wages", FIRMS, None, slice(None), wage, wf.region)
        self._tax_households("labour_tax", slice(None), p.labour.labour_tax * wage, wf.region)
        # Capital tax on profits after depreciation.
        region = t.view("region")
        capital = t.view("capital")
        depreciation = p.firms.depreciation * capital
        profit = t.view("revenue") - wage_bill - depreciation
        tax = np.where(t.view("active"), self.region_column("capital_tax")[region]
                       * np.maximum(profit, 0.0), 0.0)
        t.view("profit")[:] = profit
        t.view("tax")[:] = tax
        t.view("cash")[:] -= tax
        rt.view("cash")[:] += np.bincount(region, weights=tax, minlength=R)
        rt.view("revenue")[:] += np.bincount(region, weights=tax, minlength=R)
        self.ledger.pay("capital_tax", FIRMS, region, GOV, region, tax)
        capital -= depreciation
        self.capital_account["depreciation"] += float(depreciation.sum())
        # Benefits to the unemployed, at the region's replacement rate of this quarter's wages.
        self._aggregate_wages()
        unemployed = np.flatnonzero(wf.employer == UNEMPLOYED)
        benefit = p.labour.benefit_replacement * self.region_column("mean_wage")
        home = wf.region[unemployed]
        paid = benefit[home]
        by_region = region_sums(home, paid, R)
        rt.view("cash")[:] -= by_region
        rt.view("benefits")[:] = by_region
        self._pay_households("benefits", GOV, None, unemployed, paid, home, by_region)
        self.run_hooks("on_incomes")
        self.pay_dividends()
        self.pay_foreign_returns()
        self.close_bankrupt_firms()
        # Smoothed after-tax profit rate: what firms and imitators look at.
        rho = p.capital.smoothing
        rate = np.where(capital > 0, (profit - tax) / np.maximum(capital, 1e-12), 0.0)
        t.view("rate")[:] = np.where(t.view("active"), rho * t.view("rate") + (1 - rho) * rate, 0)

    def pay_dividends(self) -> None:
        """Cash above the firm's buffer goes to its owners: investors, or the workers who own it."""
        t = self.firm_table
        active, cash = t.view("active"), t.view("cash")
        excess = np.where(active, np.maximum(cash - self.params.firms.cash_buffer
                                             * t.view("capital"), 0.0), 0.0)
        owner_type, owner, region = t.view("owner_type"), t.view("owner"), t.view("region")
        # Workers' stakes in investor-owned firms take their share (asset_redistribution).
        investor_paid = np.where(owner_type == INVESTOR_OWNED,
                                 excess * (1.0 - t.view("worker_stake")), 0.0)
        by_owner = np.bincount(owner[owner_type == INVESTOR_OWNED],
                               weights=investor_paid[owner_type == INVESTOR_OWNED],
                               minlength=len(self.investor_list))
        homes = np.array([inv.home for inv in self.investor_list])
        self.ledger.pay("dividends", FIRMS, region, INVESTORS, homes[owner] if owner.size else 0,
                        investor_paid)
        for k, inv in enumerate(self.investor_list):
            inv.cash += by_owner[k]
            inv.income += by_owner[k]
        cash -= investor_paid
        worker_paid = excess - investor_paid
        if worker_paid.any():
            wf = self.workforce
            per_worker = np.zeros(t.size + 1)  # the last entry is read for the unemployed
            np.divide(worker_paid, np.maximum(t.view("employees"), 1), out=per_worker[:-1])
            share = np.take(per_worker, wf.employer, mode="wrap")
            # A worker's region is her employer's: the payment stays within the region.
            self._pay_households("dividends", FIRMS, None, slice(None), share, wf.region)
            cash -= wf.firm_sums(share, t.size)
        self.flows["dividends"] += float(excess.sum())

    def pay_foreign_returns(self) -> None:
        """The rest of the world pays the world return on investors' foreign assets."""
        r = self.rest_of_world.world_return
        for inv in self.investor_list:
            amount = r * inv.foreign_assets
            if amount:
                inv.cash += amount
                inv.income += amount
                self.rest_of_world.balance -= amount
                self.ledger.pay("foreign_returns", ROW, 0, INVESTORS, inv.home, amount)

    def close_bankrupt_firms(self) -> None:
        """Firms whose debts exceed a share of their capital close; their owners absorb the debt.

        So do firms whose capital can no longer equip a single job: a plant run down by
        depreciation is scrapped rather than kept as an empty shell.
        """
        t = self.firm_table
        threshold = self.params.firms.bankruptcy_threshold
        capital = t.view("capital")
        too_small = capital < self.params.firms.capital_per_job
        broke = np.flatnonzero(t.view("active")
                               & ((t.view("cash") < -threshold * capital) | too_small))
        with self.batched_layoffs():
            for slot in broke.tolist():
                firm = self.slot_to_firm[slot]
                self._release_workers(firm)
                self.capital_account["scrapped"] += firm.capital
                owner = (self.investor_list[firm.owner] if firm.owner_type == INVESTOR_OWNED
                         else None)
                self._close(firm, owner)
                self.flows["bankruptcies"] += 1

    # -- phase 7 -------------------------------------------------------------------------------
    def learn_age_migrate(self) -> None:
        p, wf, t = self.params, self.workforce, self.firm_table
        lp = p.labour
        employer = wf.employer
        employed = employer != UNEMPLOYED
        on_high = np.append(t.view("high"), False)[employer]  # the last entry: unemployed
        growth_high = wf.spread(lp.skill_growth_high + self.skill_growth_bonus)
        wf.skill = learn_and_forget(wf.skill, on_high, employed & ~on_high, growth_high,
                                    lp.skill_growth_low, lp.skill_decay, lp.skill_min,
                                    lp.skill_max)
        wf.tenure = np.where(employed, wf.tenure + 1, 0)
        self.retire_and_enter()
        self.run_hooks("on_demography")
        self.migrate()
        self.update_associations()

    def sorted_incomes(self) -> np.ndarray:
        """This quarter's workers' incomes, sorted (read-only; shared by retirement and the
        observables).

        Incomes are final once paid (phase 6): the sort is kept for the quarter, and taken
        again if the incomes have changed since (their sum differs) or the quarter has.
        """
        income = self.workforce.income
        total = float(income.sum())
        cached = self._sorted_incomes
        if cached is None or cached[0] != self.steps or cached[1] != total:
            cached = (self.steps, total, np.sort(income))
            self._sorted_incomes = cached
        return cached[2]

    def retire_and_enter(self) -> None:
        """Workers retire; each is replaced by an entrant whose skill follows the parent's rank.

        DESIGN.md §2: "workers retire and new cohorts enter with skill shaped by early-life
        investment and parental wealth". The household's wealth passes to the entrant (a
        bequest inside the same household row: no money moves).
        """
        p, wf = self.params, self.workforce
        retiring = bernoulli_indices(self.rng, len(wf), p.demography.retirement_rate)
        self.entrants = retiring
        if retiring.size == 0:
            return
        ranks = income_ranks(wf.income, retiring, self.sorted_incomes())
        wf.skill[retiring] = np.clip(
            entrant_skills(ranks, p.demography.skill_persistence,
                           p.demography.entrant_skill_dispersion, self.rng),
            p.labour.skill_min, p.labour.skill_max)
        wf.origin_rank[retiring] = ranks
        firm = wf.employer[retiring]
        was_employed = firm >= 0
        np.subtract.at(self.firm_table.employees, firm[was_employed], 1)
        wf.fire(retiring)
        wf.tenure[retiring] = 0
        self.flows["retirements"] += retiring.size
        self.flows["entries"] += retiring.size

    def migrate(self) -> None:
        """Rarely, an unemployed worker moves to the region with the best job prospects.

        Cohen-Rogers §5: "people move around less frequently than firms and currency"; the
        move happens only when expected income there beats home by a clear margin (10%).
        """
        p, wf = self.params, self.workforce
        movers = bernoulli_indices(self.rng, len(wf), p.demography.migration_rate)
        movers = movers[wf.employer[movers] == UNEMPLOYED]
        if movers.size == 0 or self.n_regions == 1:
            return
        workers = np.maximum(self.workers_by_region, 1)
        employment = self.employed_by_region / workers
        prospects = (employment * self.region_column("mean_wage")
                     + (1 - employment) * self.region_column("benefit"))
        best = int(np.argmax(prospects))
        origin = wf.region[movers]
        go = movers[prospects[best] > 1.1 * prospects[origin]]
        if go.size == 0:
            return
        self.ledger.pay("migration", HH, wf.region[go], HH, best, wf.wealth[go])
        moves = wf.move(go, best)
        # Per-worker arrays the model keeps itself follow the rows.
        moves.apply(self.last_income)
        if self.coordinator is not None:
            moves.apply(self.coordinator)
        self.flows["migrants"] += go.size

    def update_associations(self) -> None:
        """Associative capacity grows with high-road density and public support, and decays.

        Cohen-Rogers §3 (M20): "the right kinds of association do not naturally or
        spontaneously arise"; they grow where they are supported (the `support` column, set
        by policy modules) and where cooperative, high-road production is dense.
        """
        ap = self.params.associations
        a = self.region_column("associative_capacity")
        support = self.region_column("support")
        grow = (ap.growth_from_high_road * self.high_road_employment_share + support) * (1 - a)
        a[:] = np.clip(a + grow - ap.decay * a, 0.0, 1.0)

    # -- phase 9 -------------------------------------------------------------------------------
    def balances(self) -> np.ndarray:
        """Money held by each sector in each region (the rest of the world in column 0)."""
        R = self.n_regions
        out = np.zeros((5, R))
        wf, t = self.workforce, self.firm_table
        out[HH] = region_sums(wf.region, wf.wealth, R)
        active = t.view("active")
        out[FIRMS] = np.bincount(t.view("region")[active], weights=t.view("cash")[active],
                                 minlength=R)
        for inv in self.investor_list:
            out[INVESTORS, inv.home] += inv.cash
        out[GOV] = self.region_column("cash")
        out[ROW, 0] = self.rest_of_world.balance
        return out

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
        if self.steps >= self.params.world.burn_in:
            from highroad.analysis.observables import observe

            economy, regions = observe(self)
            self.records.append(economy)
            self.region_records.extend(regions)

    def check_capital(self, step: int) -> None:
        """Capital is conserved up to investment, depreciation, losses, scrapping and exit."""
        acc = self.capital_account
        now = float(self.firm_column("capital").sum())
        expected = (self.total_capital + acc["investment"] - acc["depreciation"]
                    - acc["switching"] - acc["relocation_loss"] - acc["exported"]
                    - acc["scrapped"])
        scale = max(self.total_capital, 1.0)
        if abs(now - expected) / scale > 1e-9 or not np.isfinite(now):
            raise InvariantError(step, "all", "capital stock",
                                 f"is {now:.6g} but recorded flows imply {expected:.6g}")
        self.total_capital = now

    def check_workers(self, step: int) -> None:
        """Workers are conserved: entries replace retirements, migration moves them."""
        wf = self.workforce
        n = int(self.workers_by_region.sum())
        if len(wf) != self.recorded_workers or n != len(wf):
            raise InvariantError(step, "all", "workers", f"{n} counted, {len(wf)} expected")
        if (wf.region[1:] < wf.region[:-1]).any():
            raise InvariantError(step, "all", "worker order",
                                 "workers are not stored region by region (a write to "
                                 "Workforce.region other than Workforce.move)")
        staff = int(self.firm_table.view("employees").sum())
        if wf.employed_index().size != staff:
            raise InvariantError(step, "all", "employed workers",
                                 f"{wf.employed_index().size} have an employer but firms count "
                                 f"{staff} (an in-place write to Workforce.employer without "
                                 "employment_changed(), or staff counts not kept)")
        for name in ("wage", "wealth", "skill", "income"):
            values = getattr(wf, name)
            # A sum is finite unless some value is not (or it overflows: then look closer).
            if not np.isfinite(values.sum()):
                bad = np.flatnonzero(~np.isfinite(values))
                if bad.size:
                    raise InvariantError(step, str(wf.region[int(bad[0])]), f"worker {name}",
                                         "is not finite")
        if len(wf) and wf.wealth.min() < -1e-9:
            i = int(np.argmin(wf.wealth))
            raise InvariantError(step, str(wf.region[i]), "household wealth",
                                 f"is negative ({wf.wealth[i]:.3g})")

    # -- aggregates read by the next quarter's decisions ---------------------------------------
    def employment_by_region(self) -> np.ndarray:
        """Employed workers by region (as floats), counted from the firms' staff.

        A worker's region is her employer's, and the firm table's `employees` column is kept
        equal to the workers' employers, so this is the count over workers, per firm.
        """
        t = self.firm_table
        return np.bincount(t.view("region"), weights=t.view("employees"),
                           minlength=self.n_regions)

    def _aggregate_wages(self, region: np.ndarray | None = None,
                         wage: np.ndarray | None = None) -> None:
        """Regional mean and median wage of the employed (`region`, `wage`: theirs, if known)."""
        wf, R = self.workforce, self.n_regions
        if region is None or wage is None:
            emp = wf.employed_index()
            region, wage = wf.region[emp], wf.wage[emp]
        self.employed_by_region = self.employment_by_region()
        wage_sum = region_sums(region, wage, R)
        mean = np.divide(wage_sum, self.employed_by_region,
                         out=self.region_column("mean_wage").copy(),
                         where=self.employed_by_region > 0)
        self.region_column("mean_wage")[:] = mean
        medians = group_medians(wage, region, R, self.employed_by_region.astype(np.int64))
        self.region_column("median_wage")[:] = np.where(np.isnan(medians),
                                                        self.region_column("median_wage"),
                                                        medians)

    def _aggregate(self) -> None:
        wf, t, R = self.workforce, self.firm_table, self.n_regions
        self.workers_by_region = region_sums(wf.region, None, R)
        # Wage means and medians were taken when wages were paid (phase 6).
        self.employed_by_region = self.employment_by_region()
        self.unemployed_by_region = self.workers_by_region - self.employed_by_region
        jobs = np.bincount(t.view("region")[t.view("active")], weights=np.floor(
            t.view("capital")[t.view("active")] / self.params.firms.capital_per_job), minlength=R)
        self.utilisation = np.clip(np.divide(self.employed_by_region, jobs, out=np.ones(R),
                                             where=jobs > 0), 0.0, 1.0)
        skill_sum = region_sums(wf.region, wf.skill, R)
        self.mean_skill_by_region = skill_sum / np.maximum(self.workers_by_region, 1)
        active = t.view("active")
        region = t.view("region")[active]
        high = t.view("high")[active]
        employees = t.view("employees")[active]
        emp_high = np.bincount(region, weights=employees * high, minlength=R)
        emp_all = np.bincount(region, weights=employees, minlength=R)
        self.high_road_employment_share = np.divide(emp_high, emp_all, out=np.zeros(R),
                                                    where=emp_all > 0)
        self.agglomeration = agglomeration_index(self.high_road_employment_share,
                                                 self.neighbours)
        self.capital_by_region = np.bincount(region, weights=t.view("capital")[active],
                                             minlength=R)
        self.profit_by_region = np.bincount(region, weights=t.view("profit")[active],
                                            minlength=R)
        self.region_column("gdp")[:] = np.bincount(region, weights=t.view("revenue")[active],
                                                   minlength=R)
        rt = self.region_table
        net_out = (rt.view("flight_out") - rt.view("flight_in")) / np.maximum(
            self.capital_by_region, 1e-9)
        rho = self.params.capital.smoothing
        rt.view("flight_share")[:] = rho * rt.view("flight_share") + (1 - rho) * net_out
        pg = self.params.government.public_goods_depreciation
        rt.view("public_goods")[:] *= 1.0 - pg
        if not hasattr(self, "last_income"):
            self.last_income = wf.income.copy()
            for inv in self.investor_list:
                inv.last_income = 0.0
