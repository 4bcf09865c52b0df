"""Generic, asset-based redistribution (Cohen and Rogers 1997, §4).

"Inequality-generating market capitalism would remain" (§4), so C&R add explicit
redistribution, rejecting both the universal Nordic social wage and US means-testing:
"we should emphasize generic, asset-based, redistributive strategies. In effect, a »citizen
dividend« of supports – including not just income and insurance but productive assets,
market rights, and resources needed for citizenship". Four instruments, each separately
switchable inside the module:

- `citizen_dividend`: every resident holds an equal claim on a share of the profits of the
  region's firms, paid out each quarter. As asset income it raises the outside option of
  the wage bargain (§4; docs/design.md names the citizen dividend in the outside option);
- `worker_ownership`: workers accumulate a stake in the equity of the (investor-owned) firm
  they work in. With `portable_stakes` (the default) the stake is the worker's own, as C&R's
  "productive assets" are a citizen's: the claims are pooled in one fund of worker-held
  equity, each worker's new shares become units of it that she keeps when she changes job,
  region or retires (the household row keeps them), and the fund pays its payouts to the
  holders by units; without it the stake belongs to the job (the employees of the day share
  the payout). Either way the stake's capital does not move:
  "people move around less frequently than firms and currency; and local investment provides
  them with the double bounce of market return and improvement in the quality of their
  community life" (§5). A firm that relocates or exits takes only its investors' share;
- `tax_universalism`: "the taxation of social as well as private income, with a progressive
  rate structure" (§4): one linear schedule over all income received in the quarter
  (wages, benefits, dividends), whose proceeds return as an equal credit, so that generic
  benefits are clawed back from the rich ("implicit targeting to the needy poor");
- `early_life`: benefits "pushed backward in the life course" (§4), to "ensure fair
  access to labor markets before income is earned rather than principally correcting for the
  results of unequal chances" (draft): public spending on each entering cohort lifts the skill of
  entrants from below-median homes, which weakens the link to their parents' income rank.

Wetzel (n.d., "Autonomy and Allocation") warns that ownership of single firms reproduces inequality
between firms; the model does not assume that ownership equalises: stakes pay what their firm earns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.firm import INVESTOR_OWNED
from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import (
    by_region,
    firms_pay_households,
    gov_buys,
    gov_pays_households,
    households_pay_gov,
)
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-",
                         "Switch asset-based redistribution on (then each instrument by its own "
                         "switch).")
    citizen_dividend: bool = spec(True, "-",
                                  "Residents hold an equal claim on a share of their region's "
                                  "profits.")
    dividend_share: float = spec(0.1, "share of pre-tax profit",
                                 "Share of firms' positive profits paid out as the citizen "
                                 "dividend.", 0, 0.5)
    worker_ownership: bool = spec(True, "-",
                                  "Workers accumulate equity stakes in the firms they work in.")
    stake_target: float = spec(0.2, "share of equity",
                               "Share of each investor-owned firm's equity its workers come to "
                               "hold.", 0, 0.9)
    stake_accrual: float = spec(0.02, "per quarter",
                                "Share of the gap to the target stake closed per quarter (paid in "
                                "new shares).", 0, 1)
    portable_stakes: bool = spec(True, "-",
                                 "Stakes are their holders' own (units of a fund of worker-held "
                                 "equity, kept across jobs and regions, paying their owner); "
                                 "false: the stake belongs to the job.")
    tax_universalism: bool = spec(True, "-",
                                  "One progressive schedule over private plus social income.")
    progressivity: float = spec(0.2, "marginal rate",
                                "Marginal rate of the linear schedule whose proceeds return as an "
                                "equal credit.", 0, 0.9)
    early_life: bool = spec(True, "-", "Public investment in each entering cohort.")
    early_life_lift: float = spec(0.5, "1",
                                  "Share of the skill shortfall owed to a below-median parental "
                                  "income rank that early-life investment closes.", 0, 1)
    early_life_cost: float = spec(2.0, "quarters of regional mean wage per entrant",
                                  "Public spending on early-life services per entrant.", 0, 80)


@register
class AssetRedistribution(PolicyModule):
    """Citizen dividend, worker ownership stakes, tax universalism, early-life investment."""

    name = "asset_redistribution"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        self.dividend_per_head = np.zeros(model.n_regions)
        self.early_life_bill = np.zeros(model.n_regions)
        self.units: np.ndarray | None = None
        if self.params.worker_ownership and self.params.portable_stakes:
            self.units = np.zeros(len(model.workforce))  # each worker's units of the fund
            model.workforce.columns["stake_units"] = self.units  # they move with her
            model.stake_units = self.units

    def on_policy(self, model: RegionalEconomy) -> None:
        if self.params.citizen_dividend:
            model.outside_bonus += self.dividend_per_head

    def on_investment(self, model: RegionalEconomy) -> None:
        p = self.params
        if p.citizen_dividend:
            price_in_dividend(model, p)
        if p.worker_ownership:
            issued = accrue_stakes(model, p)
            if self.units is not None:
                issue_units(model, self.units, issued)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        # Early-life services for last quarter's entrants, bought in the region.
        gov_buys(model, self.early_life_bill, builds_stock=False)
        self.early_life_bill = np.zeros(model.n_regions)

    def on_incomes(self, model: RegionalEconomy) -> None:
        p = self.params
        if p.citizen_dividend:
            self.dividend_per_head = pay_citizen_dividend(model, p)
        if p.tax_universalism:
            tax_all_income(model, p)

    def on_demography(self, model: RegionalEconomy) -> None:
        p = self.params
        if p.early_life:
            self.early_life_bill = invest_in_entrants(model, p)
        if p.worker_ownership:
            value_stakes(model, self.units)


def pay_citizen_dividend(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Each resident receives an equal share of `dividend_share` of local profits.

    Cohen and Rogers (1997, §4): a "»citizen dividend« of supports – including not just income and
    insurance but productive assets". The claim is the residents' own asset, paid from the
    firms' cash (firms -> households). Returns the dividend per head by region.
    """
    t, wf = model.firm_table, model.workforce
    residents = model.workers_by_region[t.view("region")] > 0
    amount = np.where(t.view("active") & residents,
                      p.dividend_share * np.maximum(t.view("profit"), 0.0), 0.0)
    pool = by_region(model, t.view("region"), amount)
    per_head = pool / np.maximum(model.workers_by_region, 1.0)
    firms_pay_households(model, "citizen_dividend", amount, slice(None), per_head[wf.region])
    return per_head


def price_in_dividend(model: RegionalEconomy, p: Params) -> None:
    """Owners expect to keep less of their profit (the citizens' claim comes first)."""
    c = model.conditions
    c.capital_tax = np.minimum(c.capital_tax + p.dividend_share, 0.99)


def accrue_stakes(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Workers' stakes in investor-owned firms grow toward the target, paid in new shares.

    Cohen and Rogers (1997, §5): "The devolution of more productive assets to workers would have
    the same effect" of tying investment down. No money moves: the investors' claim is
    diluted. The stake takes its share of payouts in `pay_dividends` and stays behind when
    the firm moves (Firm.review_location, RegionalEconomy.relocate). Returns the value of the
    new shares issued by each firm slot this quarter.
    """
    t = model.firm_table
    stake = t.view("worker_stake")
    owned = t.view("active") & (t.view("owner_type") == INVESTOR_OWNED)
    before = stake.copy()
    stake[:] = np.where(owned, stake + p.stake_accrual * (p.stake_target - stake), stake)
    return (stake - before) * worker_equity_base(model)


def worker_equity_base(model: RegionalEconomy) -> np.ndarray:
    """Each firm slot's equity, as the stakes are valued: capital and any positive cash."""
    t = model.firm_table
    return np.where(t.view("active"), t.view("capital") + np.maximum(t.view("cash"), 0.0), 0.0)


def fund_unit_value(model: RegionalEconomy, units: np.ndarray, issued: np.ndarray) -> float:
    """Value of one unit of the fund of worker-held equity (one before any unit exists).

    The fund holds every firm's worker-held share; `issued` is the part of it issued since
    the units were last counted (not yet backed by units).
    """
    total = float(units.sum())
    if total <= 0:
        return 1.0
    held = float((model.firm_table.view("worker_stake") * worker_equity_base(model)).sum())
    return max(held - float(issued.sum()), 0.0) / total


def issue_units(model: RegionalEconomy, units: np.ndarray, issued: np.ndarray) -> None:
    """Each firm's new shares become units of the fund, split among its employees.

    Cohen and Rogers (1997, §4): a citizen dividend "including not just income and insurance
    but productive assets": the units are the worker's, priced at the fund's value, and stay
    hers when she changes job or region.
    """
    wf, t = model.workforce, model.firm_table
    price = fund_unit_value(model, units, issued)
    per_worker = np.zeros(t.size + 1)  # the last entry is read for the unemployed (-1)
    np.divide(issued, np.maximum(t.view("employees"), 1), out=per_worker[:-1])
    units += np.take(per_worker, wf.employer, mode="wrap") / max(price, 1e-12)


def value_stakes(model: RegionalEconomy, units: np.ndarray | None = None) -> None:
    """Each worker's stake (for the wealth measures): her units at the fund's value, or, with
    stakes that belong to the job, her part of her firm's worker-held equity."""
    t, wf = model.firm_table, model.workforce
    equity = t.view("worker_stake") * worker_equity_base(model)
    if units is not None:
        total = units.sum()
        np.multiply(units, float(equity.sum()) / total if total > 0 else 0.0, out=wf.stake)
        return
    per_worker = np.zeros(t.size + 1)  # the last entry is read for the unemployed (-1)
    np.divide(equity, np.maximum(t.view("employees"), 1), out=per_worker[:-1])
    np.take(per_worker, wf.employer, out=wf.stake, mode="wrap")


def tax_all_income(model: RegionalEconomy, p: Params) -> None:
    """A linear progressive schedule over all income, its proceeds returned as equal credits.

    Cohen and Rogers (1997, §4): tax universalism would "combine the political popularity of
    generic programs with the greater efficiency of means-tested ones". Net tax
    `progressivity * (y - mean y)` in each region: positive above the mean, a credit below,
    zero in sum, so the regional budget is unchanged.
    """
    wf = model.workforce
    y, region = wf.income, wf.region
    mean = by_region(model, region, y) / np.maximum(model.workers_by_region, 1.0)
    net = wf.spread(mean)
    np.subtract(y, net, out=net)
    net *= p.progressivity
    # Everyone above the mean pays (at most her wealth); the rest owe zero.
    due = np.maximum(net, 0.0)
    np.minimum(due, wf.wealth, out=due)
    raised = households_pay_gov(model, "universal_tax", slice(None), due, region, capped=True)
    # The credit of each worker below the mean (zero for the rest), scaled to what was raised.
    credit = np.negative(net, out=net)
    np.maximum(credit, 0.0, out=credit)
    owed = by_region(model, region, credit)
    scale = np.divide(raised, owed, out=np.zeros_like(raised), where=owed > 0)
    credit *= wf.spread(scale)
    gov_pays_households(model, "universal_credit", slice(None), credit, region)


def invest_in_entrants(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Make up part of the head start entrants from poorer homes lack; returns the bill.

    Cohen and Rogers (1997, §4): front-loaded benefits "ensure fair access to labor markets before
    income is earned rather than principally correcting for the results of unequal chances".
    An entrant's log skill has a parental part (the parent's income rank, weighted by
    `demography.skill_persistence`) and an own part (agents/workforce.entrant_skills); public
    early-life investment closes `early_life_lift` of the parental shortfall of entrants
    whose parents ranked below the median, and leaves everyone else as they are.
    """
    wf, lp, dp = model.workforce, model.params.labour, model.params.demography
    new = model.entrants
    sigma = dp.entrant_skill_dispersion
    if new.size == 0 or sigma <= 0:
        return np.zeros(model.n_regions)
    z = (np.log(wf.skill[new]) + 0.5 * sigma**2) / sigma
    parental = dp.skill_persistence * (wf.origin_rank[new] - 0.5) * np.sqrt(12.0)
    z = z + p.early_life_lift * np.maximum(-parental, 0.0)
    wf.skill[new] = np.clip(np.exp(sigma * z - 0.5 * sigma**2), lp.skill_min, lp.skill_max)
    cost = p.early_life_cost * model.region_column("mean_wage")[wf.region[new]]
    return by_region(model, wf.region[new], cost)
