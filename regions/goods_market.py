"""Goods markets: a price-competed standard good and a quality good, local and tradable.

Each region's spending on each good splits into a non-tradable part, which local firms must
meet, and a tradable part pooled across regions, of which a share leaks to imports as
openness grows while the rest of the world buys exports. Prices clear each pool: a pool's
money divided among its sellers in proportion to what they bring, so no money is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOW, HIGH = 0, 1


def quality_share(income: np.ndarray, relative_price: np.ndarray, preference: float,
                  income_elasticity: float, substitution: float,
                  reference_income: float) -> np.ndarray:
    """Share of spending that buys quality goods: rises with income, falls with its price.

    Cohen and Rogers (1997, §5): high-road wages are "supported by customer willingness to pay for
    higher quality"; docs/design.md: "the quality share rises with income (the demand side of the
    high road)". A CES split whose weight on quality rises with income; with substitution
    elasticity above one, cheaper quality (better supports) wins share.
    """
    weight = preference * (np.maximum(income, 0.0) / reference_income) ** income_elasticity
    return weight / (weight + relative_price ** (substitution - 1.0))


def quality_share_by_region(income: np.ndarray, region: np.ndarray,
                            relative_price: np.ndarray, preference: float,
                            income_elasticity: float, substitution: float,
                            reference_income: float,
                            counts: np.ndarray | None = None) -> np.ndarray:
    """`quality_share(income, relative_price[region], ...)`, the price term taken per region.

    The same numbers, with one power per region instead of one per household. `counts`:
    households per region when `region` is sorted (then the terms are repeated, not
    gathered).
    """
    weight = np.maximum(income, 0.0)
    weight /= reference_income
    weight **= income_elasticity
    weight *= preference
    term = relative_price ** (substitution - 1.0)
    share = term[region] if counts is None else np.repeat(term, counts)
    share += weight
    np.divide(weight, share, out=share)
    return share


def trade_shares(openness: float, exposure: np.ndarray, domestic_price: np.ndarray,
                 world_price: np.ndarray, elasticity: float) -> np.ndarray:
    """Import share of tradable demand: openness times exposure, more when home is dearer.

    Cohen and Rogers (1997, §2): openness qualifies "the degree to which demand will be met by
    domestic firms"; low-road goods are the most exposed to low-wage suppliers (§5).
    """
    ratio = domestic_price / world_price
    return np.clip(openness * exposure * ratio**elasticity, 0.0, 0.95)


def export_demand(openness: float, world_demand: np.ndarray, domestic_price: np.ndarray,
                  world_price: np.ndarray, elasticity: float) -> np.ndarray:
    """Money the rest of the world spends on the economy's tradable output."""
    return openness * world_demand * (world_price / domestic_price) ** elasticity


@dataclass
class MarketOutcome:
    revenue: np.ndarray        # per firm
    local_price: np.ndarray    # (regions, 2); nan where nothing is sold locally
    national_price: np.ndarray  # (2,); nan where nothing is sold
    imports: np.ndarray        # (2,) money paid to the rest of the world
    exports: np.ndarray        # (2,) money received from the rest of the world
    local_capture: float       # share of domestic demand met by domestic firms
    local_money: np.ndarray    # (regions, 2) money spent in each local pool
    national_money: np.ndarray  # (2,) money domestic sellers receive from each national pool


def clear_markets(demand: np.ndarray, output: np.ndarray, firm_region: np.ndarray,
                  firm_road: np.ndarray, nontradable: float, import_share: np.ndarray,
                  exports: np.ndarray, n_regions: int,
                  local_cap: np.ndarray | None = None) -> MarketOutcome:
    """Clear the local pools (region x good) and the national tradable pool of each good.

    Local demand with no local seller spills into the national pool; national demand with no
    domestic seller goes to imports (and nothing is exported). Every unit of money spent ends
    up either as some firm's revenue or as imports. `local_cap` (per good, or regions x 2;
    optional): the highest local price; what local sellers cannot absorb below it spills
    into the national pool as well (`bounded_local_demand`).
    """
    cell = firm_region * 2 + firm_road
    supply = np.bincount(cell, weights=output, minlength=n_regions * 2).reshape(n_regions, 2)
    local_supply = nontradable * supply
    local_demand = nontradable * demand
    unserved = local_supply <= 0
    tradable = (1.0 - nontradable) * demand.sum(axis=0) + np.where(unserved, local_demand, 0).sum(0)
    local_demand = np.where(unserved, 0.0, local_demand)
    if local_cap is not None:
        local_demand, spilled = bounded_local_demand(local_demand, local_supply, local_cap)
        tradable += spilled
    national_supply = (1.0 - nontradable) * supply.sum(axis=0)
    no_seller = national_supply <= 0
    imports = np.where(no_seller, tradable, import_share * tradable)
    exports = np.where(no_seller, 0.0, exports)
    national_revenue = tradable - imports + exports
    with np.errstate(divide="ignore", invalid="ignore"):
        local_price = np.where(unserved, np.nan, local_demand / local_supply)
        national_price = np.where(no_seller, np.nan, national_revenue / national_supply)
    unit_revenue = (nontradable * np.nan_to_num(local_price[firm_region, firm_road])
                    + (1.0 - nontradable) * np.nan_to_num(national_price[firm_road]))
    total = float(demand.sum())
    capture = max(0.0, 1.0 - float(imports.sum()) / total) if total > 0 else 1.0
    return MarketOutcome(output * unit_revenue, local_price, national_price, imports, exports,
                         capture, local_demand, national_revenue)


def bounded_local_demand(local_demand: np.ndarray, local_supply: np.ndarray,
                         cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local spending local sellers absorb at most at price `cap`, and what spills over.

    A local pool's price is its money over its output, so a region left with few sellers
    would see that price, and the wages bargained from it, run away. Buyers do not pay any
    price for a local good while the same good is traded: beyond the traded price plus the
    cost of bringing it in (an iceberg trade cost, Samuelson 1954) they buy from the national
    pool. Returns the spending kept in each local pool and, per good, the spending that
    spills into the national pool.
    """
    kept = np.minimum(local_demand, cap * local_supply)
    return kept, (local_demand - kept).sum(axis=0)


def demand_at_posted_prices(out: MarketOutcome, local_price: np.ndarray,
                            national_price: np.ndarray, capacity: np.ndarray,
                            firm_region: np.ndarray, firm_road: np.ndarray,
                            n_regions: int) -> tuple[np.ndarray, np.ndarray]:
    """Units each firm could have sold this quarter at the prices it posted (expected prices).

    Dosi, Fagiolo and Roventini (2010, §2.2): firms plan production on expected demand, so
    output can exceed what sells, and demand, not capacity, can bind (the Keynesian channels of
    Cohen and Rogers 1997, §2). Each pool's money buys `money / posted price` units; a firm's
    share of them is its share of the pool's `capacity` (the output its jobs could make,
    weighted by its idiosyncratic demand). When a firm's units fall short of its output the
    rest is unsold and lost (goods do not keep); when they exceed it, its buyers are rationed
    (or turn to other sellers, `redirect_unmet_demand`). Returns the units asked of each firm
    from the local and from the national pool; their sum sets what each firm sells
    (`revenue_by_sales`) and feeds expected sales.
    """
    return pool_shares(capacity, (out.local_money / local_price).ravel(),
                       out.national_money / national_price, firm_region, firm_road, n_regions)


def redirect_unmet_demand(local: np.ndarray, national: np.ndarray, output: np.ndarray,
                          firm_region: np.ndarray, firm_road: np.ndarray,
                          n_regions: int) -> np.ndarray:
    """Units buyers turned away by sold-out firms buy from sellers with goods left.

    Delli Gatti, Desiderio, Gaffeo, Cirillo and Gallegati (2011, ch. 3): a consumer who finds
    a firm sold out visits another. `local`, `national`: the units each firm's buyers ask of
    it from the local and the national pool (`demand_at_posted_prices`). What a firm cannot
    serve goes, pool by pool, to the same pool's firms with unsold output in proportion to
    it (the local pool first, as buyers look near home first), never beyond what they have
    left. Returns the units redirected to each firm.
    """
    demanded = local + national
    short = np.maximum(demanded - output, 0.0)
    spare = np.maximum(output - demanded, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        local_short = np.where(demanded > 0, short * local / demanded, 0.0)
    got = np.zeros(output.size)
    cell = firm_region * 2 + firm_road
    for group, unmet, size in ((cell, local_short, n_regions * 2),
                               (firm_road, short - local_short, 2)):
        left = spare - got
        wanted = np.bincount(group, weights=unmet, minlength=size)
        room = np.bincount(group, weights=left, minlength=size)
        fill = np.divide(wanted, room, out=np.zeros(size), where=room > 0)
        got += left * np.minimum(fill, 1.0)[group]
    return got


def revenue_by_sales(out: MarketOutcome, sold: np.ndarray, firm_region: np.ndarray,
                     firm_road: np.ndarray, n_regions: int) -> np.ndarray:
    """Each pool's money, shared among its sellers by the units they sold.

    Every unit of money a pool receives becomes some seller's revenue, as in `clear_markets`
    (the ledger's identity), so rationed buyers bid the price of what is sold up to clear, and
    a firm whose goods do not sell is not paid for them. `sold`: units per firm, at most its
    output (`demand_at_posted_prices`).
    """
    local, national = pool_shares(sold, out.local_money.ravel(), out.national_money,
                                  firm_region, firm_road, n_regions)
    return local + national


def pool_shares(weight: np.ndarray, local_total: np.ndarray, national_total: np.ndarray,
                firm_region: np.ndarray, firm_road: np.ndarray,
                n_regions: int) -> tuple[np.ndarray, np.ndarray]:
    """Each pool's total shared among its firms in proportion to `weight`.

    `local_total`: one number per local pool (region x good, flattened); `national_total`:
    one per good. Returns each firm's share of its local pool and of its good's national
    pool; a pool whose firms weigh nothing gives them nothing.
    """
    cell = firm_region * 2 + firm_road
    cell_weight = np.bincount(cell, weights=weight, minlength=n_regions * 2)
    national_weight = np.bincount(firm_road, weights=weight, minlength=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        local = np.where(cell_weight[cell] > 0, weight / cell_weight[cell], 0.0) * local_total[cell]
        national = (np.where(national_weight[firm_road] > 0,
                             weight / national_weight[firm_road], 0.0)
                    * national_total[firm_road])
    return local, national


def demand_shocks(shock: np.ndarray, persistence: float, sd: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Idiosyncratic, persistent shifts in each firm's demand (log AR(1)).

    Foster, Haltiwanger and Syverson (2008): plants differ persistently in demand as well as in
    productivity, and demand differences matter most for which plants survive. Updates
    `shock` in place and returns it.
    """
    shock *= persistence
    shock += sd * rng.standard_normal(shock.size)
    return shock
