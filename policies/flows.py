"""Money moves of the policy modules: every one recorded in the ledger, every one budgeted.

The modules never touch balances directly; they call these helpers, so the stock-flow check
at the end of each quarter holds (Godley and Lavoie 2007: every flow has a payer and a payee).

Budget rule, shared by all modules: what a government *spends* on a programme is added to
the region's `programmes` column, which the next budget plan nets out of discretionary
spending (regions/region.py, `plan_budget`); what a module *raises* in taxes is added to
the region's `revenue` column, which that plan spends. Revenue is reset in phase 6, so a
module that taxes does it in `on_incomes` or later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from highroad.regions.ledger import FIRMS, GOV, HH
from highroad.regions.sums import region_sums

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def by_region(model: RegionalEconomy, region: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Sum `amount` over the regions in `region` (length n_regions; float even when empty).

    Workers' regions (of all workers or of an ascending subset) come sorted, and are summed
    slice by slice (`regions.sums`)."""
    return region_sums(region, amount, model.n_regions)


def gov_pays_households(model: RegionalEconomy, flow: str, who: np.ndarray | slice,
                        amount: np.ndarray, region: np.ndarray | None = None) -> None:
    """Each worker `who[i]` receives `amount[i]` from the government of the region she lives in.

    `who`: distinct worker indices, or `slice(None)` for everyone; `region`: their regions,
    if already gathered.
    """
    if not isinstance(who, slice) and who.size == 0:
        return
    region = model.workforce.region[who] if region is None else region
    spent = by_region(model, region, amount)
    model.region_column("cash")[:] -= spent
    model.region_column("programmes")[:] += spent
    model._pay_households(flow, GOV, None, who, amount, region, spent)
    model.flows[flow] += float(amount.sum())


def households_pay_gov(model: RegionalEconomy, flow: str, who: np.ndarray | slice,
                       amount: np.ndarray, region: np.ndarray | None = None,
                       capped: bool = False) -> np.ndarray:
    """Each worker `who[i]` pays `amount[i]` (at most her wealth) to her region's government.

    `who`: distinct worker indices, or `slice(None)` for everyone (a tax most owe is
    cheaper levied on all, at zero for the rest, than on a gathered subset). Returns what
    each region raised. `region`: the payers' regions, if already gathered; `capped`: the
    caller has already limited each amount to the payer's wealth.
    """
    if not isinstance(who, slice) and who.size == 0:
        return np.zeros(model.n_regions)
    if not capped:
        amount = np.minimum(amount, model.workforce.wealth[who])
    raised = model._tax_households(flow, who, amount, region)
    model.flows[flow] += float(amount.sum())
    return raised


def firms_pay_gov(model: RegionalEconomy, flow: str, amount: np.ndarray,
                  earmarked: bool = False) -> np.ndarray:
    """Every firm slot pays `amount[slot]` to the government of its region.

    It counts as revenue for the next budget plan unless `earmarked` (the module spends it
    itself). Returns what each region raised.
    """
    t = model.firm_table
    region = t.view("region")
    t.view("cash")[:] -= amount
    raised = by_region(model, region, amount)
    model.region_column("cash")[:] += raised
    if not earmarked:
        model.region_column("revenue")[:] += raised
    model.ledger.pay(flow, FIRMS, region, GOV, region, amount)
    model.flows[flow] += float(amount.sum())
    return raised


def gov_pays_firms(model: RegionalEconomy, flow: str, amount: np.ndarray) -> None:
    """The government of each firm's region pays it `amount[slot]` (a programme)."""
    t = model.firm_table
    region = t.view("region")
    t.view("cash")[:] += amount
    spent = by_region(model, region, amount)
    model.region_column("cash")[:] -= spent
    model.region_column("programmes")[:] += spent
    model.ledger.pay(flow, GOV, region, FIRMS, region, amount)
    model.flows[flow] += float(amount.sum())


def firms_pay_households(model: RegionalEconomy, flow: str, firm_amount: np.ndarray,
                         who: np.ndarray | slice, worker_amount: np.ndarray) -> None:
    """Firms pay `firm_amount` (per slot) into a pool shared out as `worker_amount` to `who`.

    `who`: distinct worker indices, or `slice(None)` for everyone. The two sides must have
    the same total (to rounding); the ledger books a pooled payment.
    """
    t, wf = model.firm_table, model.workforce
    t.view("cash")[:] -= firm_amount
    model.ledger.debit(flow, FIRMS, t.view("region"), firm_amount)
    if isinstance(who, slice):  # everyone
        wf.wealth[who] += worker_amount
        wf.income[who] += worker_amount
    else:
        np.add.at(wf.wealth, who, worker_amount)
        np.add.at(wf.income, who, worker_amount)
    model.ledger.credit(flow, HH, wf.region[who], worker_amount)
    model.flows[flow] += float(firm_amount.sum())


def gov_buys(model: RegionalEconomy, amount: np.ndarray, builds_stock: bool,
             budgeted: bool = True) -> None:
    """Governments buy goods and services in their own regions (call in `on_goods_market`).

    The purchase joins this quarter's demand, split between standard and quality goods like
    other public purchases; with `builds_stock` it adds to the quasi-public goods stock.
    An unbudgeted purchase is borrowed: the region's debt correction repays it over time.
    """
    amount = np.maximum(np.asarray(amount, dtype=float), 0.0)
    if not amount.any():
        return
    share = model.params.goods.public_quality_share
    model.demand = model.demand + amount[:, None] * np.array([1.0 - share, share])
    model.region_column("cash")[:] -= amount
    if budgeted:
        model.region_column("programmes")[:] += amount
    if builds_stock:
        model.region_column("public_goods")[:] += amount
    model.ledger.debit("goods_market", GOV, np.arange(model.n_regions), amount)


def firms_buy(model: RegionalEconomy, flow: str, amount: np.ndarray) -> None:
    """Each firm slot buys services for `amount[slot]` in its own region (call in
    `on_goods_market`); the purchase joins this quarter's demand like public purchases."""
    amount = np.maximum(np.asarray(amount, dtype=float), 0.0)
    if not amount.any():
        return
    t = model.firm_table
    share = model.params.goods.public_quality_share
    spent = by_region(model, t.view("region"), amount)
    model.demand = model.demand + spent[:, None] * np.array([1.0 - share, share])
    t.view("cash")[:] -= amount
    model.ledger.debit("goods_market", FIRMS, t.view("region"), amount)
    model.flows[flow] += float(amount.sum())


def gov_transfers(model: RegionalEconomy, flow: str, paid: np.ndarray,
                  received: np.ndarray, earmarked: bool = False) -> None:
    """Transfers between regional governments through a common pool (supra-regional).

    `paid` and `received` are per region and must have the same total. A contribution counts
    as programme spending of the payer, a receipt as revenue of the payee unless `earmarked`
    (the module spends it itself).
    """
    rt = model.region_table
    R = model.n_regions
    rt.view("cash")[:] += received - paid
    rt.view("programmes")[:] += paid
    if not earmarked:
        rt.view("revenue")[:] += received
    model.ledger.debit(flow, GOV, np.arange(R), paid)
    model.ledger.credit(flow, GOV, np.arange(R), received)
    model.flows["supra_transfers"] += float(paid.sum())
