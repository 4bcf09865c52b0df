"""Phase 2's inputs to government: what each government knows, hears and learns.

The rules themselves are in `regions.government`, the learning in `regions.beliefs`; this
module reads them off the running model: the region's state, investors' exit threats, and
each quarter's observation of how capital moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.firm import INVESTOR_OWNED
from highroad.regions.beliefs import regressors, rls_update, threat_observation
from highroad.regions.government import Economics, RegionState
from highroad.regions.returns import HIGH, LOW, after_tax

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def policy_economics(model: RegionalEconomy) -> Economics:
    """The scenario's parameters every government's projection uses."""
    p = model.params
    return Economics(
        capital_per_job=p.firms.capital_per_job, depreciation=p.firms.depreciation,
        world_return=p.capital.world_return, investment_response=p.firms.investment_response,
        max_growth=p.firms.max_growth, max_employment=1.0 - p.labour.separation_rate,
        labour_tax=p.labour.labour_tax, benefit_replacement=p.labour.benefit_replacement,
        public_goods_share=p.government.public_goods_share,
        public_depreciation=p.government.public_goods_depreciation,
        elasticity_low=p.firms.public_goods_effect_low,
        elasticity_high=p.firms.public_goods_effect_high,
        public_weight=p.government.public_consumption_weight,
        horizon=p.government.planning_horizon)


def region_state(model: RegionalEconomy, r: int) -> RegionState:
    """Region `r` as its government sees it at a review (this quarter's market conditions)."""
    cond, rt = model.conditions, model.region_table
    residents = float(max(model.workers_by_region[r], 1))
    return RegionState(
        residents=residents, employed=float(model.employed_by_region[r]),
        capital=float(model.capital_by_region[r]),
        high_share=float(model.high_road_employment_share[r]),
        revenue_per_worker=cond.revenue_per_worker[r].copy(),
        outside_option=float(cond.outside_option[r]),
        bargaining_power=float(cond.bargaining_power[r]),
        enforcement=float(cond.enforcement[r]), median_wage=float(rt.median_wage[r]),
        utilisation=float(model.utilisation[r]),
        public_capital=float(rt.public_goods[r]) / residents,
        tax=float(rt.capital_tax[r]), standard=float(rt.labour_standard[r]),
        elasticity=float(rt.perceived_elasticity[r]))


def expected_pretax_rates(model: RegionalEconomy) -> np.ndarray:
    """Each region's pre-tax return on new capital on its better road (what capital compares)."""
    regions = np.arange(model.n_regions)
    cond = model.conditions
    return np.maximum(cond.pretax_rate(regions, LOW, 1.0), cond.pretax_rate(regions, HIGH, 1.0))


def hear_exit_threats(model: RegionalEconomy) -> None:
    """Investor-owned firms threaten to leave if the tax rises; governments weigh the credible.

    Every mobile investor-owned firm threatens (a threat costs nothing). A threat is credible
    when the firm would indeed gain by leaving, net of relocation cost, if its region's tax
    rose by `threat_tax_step`: the comparison `Firm.review_location` makes, at the higher tax
    as capital sees it (salience). Only the credible capital enters the government's
    learning, with weight equal to the credible share of the threats.
    """
    cp, fp = model.params.capital, model.params.firms
    t, rt = model.firm_table, model.region_table
    R = model.n_regions
    active = np.flatnonzero(t.view("active") & (t.view("owner_type") == INVESTOR_OWNED)
                            & (t.view("locked_until") <= model.steps))
    threats = np.bincount(t.view("region")[active], minlength=R).astype(float)
    rt.view("exit_threats")[:R] = threats
    rt.view("credible_threat_share")[:R] = 0.0
    if active.size == 0 or model.params.world.capital_mobility <= 0:
        return
    region = t.view("region")[active]
    road = t.view("high")[active].astype(np.int64)
    rates = model.rates_table(t.view("tfp")[active])  # (firms, regions, roads), as seen now
    mine = rates[np.arange(active.size), :, road]       # (firms, regions) on its own road
    cond = model.conditions
    tax_now = cond.capital_tax[region]
    seen_step = cp.tax_salience * cp.threat_tax_step
    pretax_here = cond.pretax_rate(region, road, t.view("tfp")[active])
    elsewhere = mine.copy()
    elsewhere[np.arange(active.size), region] = -np.inf
    keep = model.mobility_keep * (1.0 - t.view("worker_stake")[active])
    h = fp.horizon
    move = keep * (1.0 + h * elsewhere.max(axis=1)) if R > 1 else np.full(active.size, -np.inf)
    leave = keep * (1.0 + h * cp.world_return)

    def goes(tax: np.ndarray) -> np.ndarray:
        here = after_tax(pretax_here, tax)
        stay = 1.0 + h * (here + cp.relocation_hurdle)
        return (move > stay) | ((here < cp.world_return - cp.exit_hurdle) & (leave > stay))

    # Credible: the rise itself would drive the firm out (it would not leave anyway).
    credible = goes(tax_now + seen_step) & ~goes(tax_now)
    capital = t.view("capital")[active]
    credible_capital = np.bincount(region, weights=capital * credible, minlength=R)
    share_of_threats = np.divide(np.bincount(region, weights=credible.astype(float),
                                             minlength=R), threats, out=np.zeros(R),
                                 where=threats > 0)
    rt.view("credible_threat_share")[:R] = share_of_threats
    capital_share = np.divide(credible_capital, model.capital_by_region, out=np.zeros(R),
                              where=model.capital_by_region > 0)
    x, y = threat_observation(rt.view("capital_tax")[:R], cp.threat_tax_step,
                              fp.review_probability, capital_share)
    # A threat is heard once: no forgetting for it.
    rls_update(model.belief_coef, model.belief_cov, x, y, 1.0, share_of_threats)
    update_perceived_elasticity(model)


def observe_capital_flows(model: RegionalEconomy) -> None:
    """This quarter's observation: net location inflow of capital against the gaps it faced.

    Read at the quarter's end: the policies and expected returns set in phase 2, the flows of
    phase 3. The net flow counts location decisions only (relocation, entry from other
    regions, exit abroad), each a share of the region's capital.
    """
    rt, R = model.region_table, model.n_regions
    x = regressors(rt.view("capital_tax")[:R], expected_pretax_rates(model))
    inflow = rt.view("flight_in")[:R] - rt.view("flight_out")[:R]
    y = np.divide(inflow, model.capital_by_region, out=np.zeros(R),
                  where=model.capital_by_region > 0)
    rls_update(model.belief_coef, model.belief_cov, x, y,
               model.params.government.elasticity_memory)
    update_perceived_elasticity(model)


def update_perceived_elasticity(model: RegionalEconomy) -> None:
    """The believed stock elasticity: the learned flow slope times the planning horizon."""
    R = model.n_regions
    model.region_table.view("perceived_elasticity")[:R] = (
        model.belief_coef[:, 1] * model.params.government.planning_horizon)
