"""Phase 3, first half: firms reinvest, investors found firms at home, elsewhere or abroad, and
firms drawn for review decide where to be and which road to take.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import mesa
import numpy as np

from highroad.agents.firm import INVESTOR_OWNED, Firm
from highroad.agents.investor import Investor
from highroad.regions.labour import sales_targets
from highroad.regions.ledger import FIRMS, GOV, INVESTORS, ROW
from highroad.regions.returns import (
    HIGH,
    LOW,
)
from highroad.regions.tfp import draw_tfp


class Investment:
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

        Cohen and Rogers (1997, §5): supports "incline firms toward production strategies that
        relied upon them, and via those strategies toward investment in additional capacity within
        those regions". Net growth responds to the smoothed after-tax return over the world
        return; idle capacity is not replaced. Utilisation is the share of its jobs the firm's
        expected sales (with its desired inventory) call for (`sales_targets`; Dosi, Fagiolo
        and Roventini 2010, §2.2: investment follows expected demand); a firm without an
        expectation yet reads its staff.
        """
        fp, cp = self.params.firms, self.params.capital
        t = self.firm_table
        active = t.view("active")
        capital, cash = t.view("capital"), t.view("cash")
        jobs = np.maximum(np.floor(capital / fp.capital_per_job), 1)
        expected = t.view("expected_sales")
        wanted = sales_targets(jobs.astype(np.int64), expected, t.view("productivity"),
                               fp.desired_inventory)
        utilisation = np.where(np.isfinite(expected), wanted, t.view("employees")) / jobs
        utilisation = np.minimum(utilisation, 1.0)
        growth = np.clip(fp.investment_response * (t.view("seen_rate") - cp.world_return),
                         -fp.depreciation, fp.max_growth)
        gross = np.where(utilisation >= 0.9, capital * (fp.depreciation + growth),
                         capital * fp.depreciation * utilisation)
        # Bought (and installed) in the goods market of phase 5.
        t.view("investment")[:] = np.where(active, np.clip(gross, 0.0, np.maximum(cash, 0.0)), 0)

    def random_peer(self, firm: Firm) -> Firm | None:
        t = self.firm_table
        same = np.flatnonzero(t.view("active") & (t.view("region") == firm.region))
        same = same[same != firm.slot]
        if same.size == 0:
            return None
        return self.slot_to_firm[int(same[self.rng.integers(same.size)])]

    def investor_net_worth(self) -> np.ndarray:
        """Each investor's wealth, in `investor_list` order, as its consumption reads it.

        Net worth (`capital.investor_wealth_base = "net_worth"`): cash, foreign assets and the
        investor's share (what workers' stakes leave) of the capital and cash of the firms it
        owns; a firm's debt (negative cash) lowers it. With "cash", the cash alone.
        """
        cash = np.array([inv.cash for inv in self.investor_list])
        if self.params.capital.investor_wealth_base == "cash":
            return cash
        t = self.firm_table
        owned = t.view("active") & (t.view("owner_type") == INVESTOR_OWNED)
        equity = (t.view("capital") + t.view("cash")) * (1.0 - t.view("worker_stake"))
        equity = np.bincount(t.view("owner")[owned], weights=equity[owned],
                             minlength=len(self.investor_list))
        foreign = np.array([inv.foreign_assets for inv in self.investor_list])
        return cash + foreign + equity

    def investor_reserve(self, investor: Investor) -> float:
        return max(investor.income, 0.0)

    def found_firm(self, investor: Investor, region: int, size: float) -> Firm:
        """An investor founds a firm on the road with the better expected return there."""
        rates = self.conditions.after_tax_rate(region, np.array([LOW, HIGH]), 1.0)
        tfp = float(draw_tfp(self.rng, 1, self.params.firms)[0])
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
