"""Phase 6: wages, taxes, benefits, dividends, foreign returns and bankruptcies.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.firm import INVESTOR_OWNED
from highroad.agents.workforce import (
    UNEMPLOYED,
)
from highroad.regions.ledger import FIRMS, GOV, HH, INVESTORS, ROW
from highroad.regions.returns import after_tax
from highroad.regions.sums import region_sums


def benefit_bases(last_wage: np.ndarray, regional_median: np.ndarray) -> np.ndarray:
    """The wage an unemployed worker's benefit replaces: her own, in her last quarter employed.

    Unemployment insurance pays a share of the claimant's previous earnings (the net
    replacement rate of OECD 2007, Benefits and Wages, is defined against them); one who has
    never worked (a new entrant, or unemployed since the start) draws on the region's median
    wage. A base tied to each claimant's own wage, unlike the region's mean wage of the
    employed, does not rise when low-wage firms close and only the high-wage ones are left
    (a composition effect that would raise every benefit, and so every bargained wage, in a
    region as it loses its firms).
    """
    return np.where(last_wage > 0, last_wage, regional_median)


def phased_benefit_rates(spell: np.ndarray, replacement: float, duration: int,
                         long_term_ratio: float) -> np.ndarray:
    """Each claimant's replacement rate by the quarters she has been unemployed (`spell`,
    this quarter included): the full `replacement` for the first `duration` quarters,
    `long_term_ratio` of it after (duration 0: the full rate throughout).

    Unemployment insurance runs out and assistance follows at a lower rate: OECD (2007),
    Benefits and Wages, measures net replacement rates phase by phase of a spell; across the
    OECD they average 58% at its start and 37% once long-term (OECD 2024, Society at a
    Glance, ch. 6).
    """
    if duration <= 0:
        return np.full(spell.shape, replacement)
    return np.where(spell > duration, replacement * long_term_ratio, replacement)


def assistance_bases(bases: np.ndarray, spell: np.ndarray, duration: int,
                     regional_median: np.ndarray) -> np.ndarray:
    """What each claimant's benefit is a share of once insurance has run out: the region's
    median wage, not her own last wage (`bases` where her spell is within `duration`).

    Insurance replaces the claimant's previous earnings; the assistance that follows it is
    flat-rate or means-tested, the same for every claimant of a place whatever she earned
    (OECD 2007, Benefits and Wages, ch. 2: the long-term unemployed draw unemployment or
    social assistance, whose amounts do not depend on past earnings in most OECD countries).
    Without this, the benefit of a worker laid off by a high-wage firm stays tied to that
    wage for as long as she stays unemployed, so in a region whose last, most productive
    firms have closed the outside option outlasts every firm that could be founded there:
    no entrant can pay it, and the region stays empty (docs/validation.md measures it).
    """
    return np.where(spell > duration, regional_median, bases)


class Incomes:
    #: Units each worker holds in the fund of worker-held equity, when stakes are personal
    #: (asset_redistribution, `portable_stakes`); None: a stake belongs to the job.
    stake_units: np.ndarray | None = None

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
        emp = wf.employed_index()
        wf.last_wage[emp] = wf.wage[emp]
        home = wf.region[unemployed]
        self.count_unemployment_spells(unemployed, emp)
        paid = self.benefit_rates(unemployed) * self.benefit_base_of(unemployed, home)
        by_region = region_sums(home, paid, R)
        if p.labour.benefit_base == "previous_wage":
            # What a searcher there draws: the mean benefit of the region's unemployed; where
            # no one is, what a worker losing her job would draw (her wage is the base).
            seekers = np.bincount(home, minlength=R)
            self.region_column("benefit")[:] = np.where(
                seekers > 0, by_region / np.maximum(seekers, 1),
                p.labour.benefit_replacement * self.region_column("mean_wage"))
        rt.view("cash")[:] -= by_region
        rt.view("benefits")[:] = by_region
        self._pay_households("benefits", GOV, None, unemployed, paid, home, by_region)
        self.run_hooks("on_incomes")
        self.pay_dividends()
        self.pay_foreign_returns()
        self.close_bankrupt_firms()
        self.close_loss_making_firms()
        self.close_firms_hit_by_exit_shocks()
        # Smoothed after-tax profit rate: what firms and imitators look at.
        rho = p.capital.smoothing
        rate = np.where(capital > 0, (profit - tax) / np.maximum(capital, 1e-12), 0.0)
        t.view("rate")[:] = np.where(t.view("active"), rho * t.view("rate") + (1 - rho) * rate, 0)
        # The same rate at the tax capital sees (salience): what reinvestment answers to.
        pretax = np.where(capital > 0, profit / np.maximum(capital, 1e-12), 0.0)
        seen = self.conditions.capital_tax[region]
        seen_rate = after_tax(pretax, seen)
        t.view("seen_rate")[:] = np.where(t.view("active"),
                                          rho * t.view("seen_rate") + (1 - rho) * seen_rate, 0)

    def count_unemployment_spells(self, unemployed: np.ndarray, employed: np.ndarray) -> None:
        """Count this quarter into every unemployment spell (0 for the employed), when benefits
        run out (`labour.benefit_duration`); once a quarter, before benefits are paid."""
        if self.params.labour.benefit_duration <= 0:
            return
        columns = self.workforce.columns
        if "unemployment_spell" not in columns:  # kept from the first quarter benefits run out
            columns["unemployment_spell"] = np.zeros(len(self.workforce), dtype=np.int64)
        spell = columns["unemployment_spell"]
        spell[employed] = 0
        spell[unemployed] += 1

    def benefit_rates(self, unemployed: np.ndarray) -> np.ndarray | float:
        """The replacement rate each unemployed worker draws this quarter: one rate, or by
        the length of her spell when benefits run out (`labour.benefit_duration`)."""
        lp = self.params.labour
        if lp.benefit_duration <= 0:
            return lp.benefit_replacement
        return phased_benefit_rates(self.workforce.columns["unemployment_spell"][unemployed],
                                    lp.benefit_replacement, lp.benefit_duration,
                                    lp.long_term_benefit_ratio)

    def benefit_base_of(self, unemployed: np.ndarray, home: np.ndarray) -> np.ndarray:
        """The wage each unemployed worker's benefit replaces (`labour.benefit_base`); once
        benefits run out (`labour.benefit_duration`), her region's median for those whose
        insurance has (`assistance_bases`)."""
        lp = self.params.labour
        if lp.benefit_base == "regional_mean_wage":
            return self.region_column("mean_wage")[home]
        median = self.region_column("median_wage")[home]
        bases = benefit_bases(self.workforce.last_wage[unemployed], median)
        if lp.benefit_duration <= 0:
            return bases
        return assistance_bases(bases, self.workforce.columns["unemployment_spell"][unemployed],
                                lp.benefit_duration, median)

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
        if worker_paid.any() and self.stake_units is not None and self.stake_units.any():
            self.pay_stake_holders(worker_paid)
        elif worker_paid.any():
            wf = self.workforce
            per_worker = np.zeros(t.size + 1)  # the last entry is read for the unemployed
            np.divide(worker_paid, np.maximum(t.view("employees"), 1), out=per_worker[:-1])
            share = np.take(per_worker, wf.employer, mode="wrap")
            # A worker's region is her employer's: the payment stays within the region.
            self._pay_households("dividends", FIRMS, None, slice(None), share, wf.region)
            cash -= wf.firm_sums(share, t.size)
        self.flows["dividends"] += float(excess.sum())

    def pay_stake_holders(self, worker_paid: np.ndarray) -> None:
        """The workers' part of the payouts goes to the holders of the stakes, by units held.

        Personal stakes (Cohen and Rogers 1997, §4): the claims are pooled in one fund of
        worker-held equity whose units their owners keep across jobs and regions; the fund
        pays each unit the same, wherever its owner works or lives (a pooled payment).
        """
        t, wf = self.firm_table, self.workforce
        units = self.stake_units
        share = worker_paid.sum() * (units / units.sum())
        t.view("cash")[:] -= worker_paid
        self.ledger.debit("stake_dividends", FIRMS, t.view("region"), worker_paid)
        wf.wealth += share
        wf.income += share
        self.ledger.credit("stake_dividends", HH, wf.region, share)
        self.flows["stake_dividends"] += float(worker_paid.sum())

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
        self.shut_down(broke, "bankruptcies")
