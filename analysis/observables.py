"""The observables of DESIGN.md §5: one economy row and one row per region each quarter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from highroad.analysis.metrics import (
    coefficient_of_variation,
    gini,
    gini_sorted,
    merge_sorted,
    middle_class_share_sorted,
    theil,
)

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def good_jobs(model: RegionalEconomy) -> np.ndarray:
    """Which workers hold a good job (Rodrik-Stantcheva §2, operationalised).

    A good job pays at least `labour.good_job_wage` times the regional median wage (a
    middle-class living standard, set relative to the region as the digest recommends), has
    lasted `labour.good_job_tenure` quarters (security) and comes with training, i.e. a career
    ladder (the employer is on the high road, or trains under a policy module).
    """
    wf, t, lp = model.workforce, model.firm_table, model.params.labour
    employed = wf.employed
    trains = np.zeros(len(wf), dtype=bool)
    trains[employed] = t.high[wf.employer[employed]] | t.trains[wf.employer[employed]]
    threshold = lp.good_job_wage * model.region_column("median_wage")[wf.region]
    return employed & (wf.wage >= threshold) & (wf.tenure >= lp.good_job_tenure) & trains


def household_distributions(model: RegionalEconomy) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sorted disposable income and wealth per household, with weights.

    Workers are one household each; each Investor agent stands for `households` owner
    households sharing its income and its wealth (cash, foreign assets, firm equity).
    """
    wf, t = model.workforce, model.firm_table
    invs = model.investor_list
    owned = t.view("active") & (t.view("owner_type") == 0)
    # Workers' stakes (asset_redistribution) are theirs, counted in `wf.stake`.
    equity = np.bincount(t.view("owner")[owned],
                         weights=((t.view("capital") + t.view("cash"))
                                  * (1.0 - t.view("worker_stake")))[owned],
                         minlength=len(invs))
    hh = np.array([inv.households for inv in invs])
    inv_income = np.array([inv.income for inv in invs]) / hh
    inv_wealth = (np.array([inv.cash + inv.foreign_assets for inv in invs]) + equity) / hh
    return {"income": merge_sorted(wf.income, inv_income, hh),
            "wealth": merge_sorted(wf.wealth + wf.stake, inv_wealth, hh)}


def rank_correlation(model: RegionalEconomy, income: tuple[np.ndarray, np.ndarray]) -> float:
    """Intergenerational rank correlation: entrants' income rank against their parents'.

    DESIGN.md §5; Cohen-Rogers §4 (M35): fair equality of opportunity. Only workers who
    entered during the run have a parent rank; ranks are read off the sorted household
    income distribution, so the cost is a search per entrant. Reported as 0 until ten
    workers have entered (tiny worlds, first quarters), so every column stays finite.
    """
    wf = model.workforce
    entrants = np.flatnonzero(np.isfinite(wf.origin_rank))
    if entrants.size < 10:
        return 0.0
    x, w = income
    cum = np.cumsum(w)
    rank = cum[np.minimum(np.searchsorted(x, wf.income[entrants]), x.size - 1)] / cum[-1]
    parent = wf.origin_rank[entrants]
    if rank.std() == 0 or parent.std() == 0:
        return 0.0
    return float(np.corrcoef(parent, rank)[0, 1])


def class_rows(model: RegionalEconomy) -> dict[str, float]:
    """Class shares of households (Wetzel, digest B2 and D1) and the coordinator pay ratio.

    Investors are the owner households; coordinators hold empowering jobs, which exist only
    where the self_management module models them (elsewhere no job is empowering: share 0,
    pay ratio 1); workers are the rest.
    """
    wf = model.workforce
    owners = float(sum(inv.households for inv in model.investor_list))
    total = len(wf) + owners
    coordinators, ratio = 0.0, 1.0
    if model.coordinator is not None:
        coord = model.coordinator & wf.employed
        others = wf.employed & ~coord
        coordinators = float(coord.sum() / total)
        if coord.any() and others.any() and wf.wage[others].mean() > 0:
            ratio = float(wf.wage[coord].mean() / wf.wage[others].mean())
    return {"class_share_investors": owners / total,
            "class_share_coordinators": coordinators,
            "class_share_workers": 1.0 - owners / total - coordinators,
            "coordinator_pay_ratio": ratio}


def economy_row(model: RegionalEconomy) -> dict[str, Any]:
    wf, t, rt = model.workforce, model.firm_table, model.region_table
    active = t.view("active")
    employed = wf.employed
    n = len(wf)
    n_employed = int(employed.sum())
    high = t.view("high") & active
    employees = t.view("employees")
    revenue = float(t.view("revenue")[active].sum())
    wage_bill = float(t.view("wage_bill")[active].sum())
    wages = wf.wage[employed]
    households = household_distributions(model)
    capital = float(model.capital_by_region.sum())
    gdp_pc = model.region_column("gdp") / np.maximum(model.workers_by_region, 1)
    tax = model.region_column("capital_tax")
    rates = t.view("rate")
    flight = float(rt.view("flight_out").sum())
    return {
        "step": int(model.steps - model.params.world.burn_in),
        "high_road_share": float(high.sum() / max(active.sum(), 1)),
        "high_road_employment_share": float(employees[high].sum() / max(n_employed, 1)),
        "good_jobs_share": float(good_jobs(model).sum() / n),
        "mean_wage": float(wages.mean()) if wages.size else 0.0,
        "median_wage": float(np.median(wages)) if wages.size else 0.0,
        "wage_gini": gini(wages),
        "income_gini": gini_sorted(*households["income"]),
        "wealth_gini": gini_sorted(*households["wealth"]),
        "unemployment": 1.0 - n_employed / n,
        "labour_share": wage_bill / revenue if revenue > 0 else 0.0,
        "productivity": float(t.view("output")[active].sum() / max(n_employed, 1)),
        "middle_class_share": middle_class_share_sorted(*households["income"]),
        "mean_capital_tax": float(tax.mean()),
        "capital_tax_dispersion": float(tax.std()),
        "mean_labour_standard": float(model.region_column("labour_standard").mean()),
        "public_goods_per_capita": float(model.region_column("public_goods").sum() / n),
        "capital_flight": flight / capital if capital > 0 else 0.0,
        "capital_flight_value": flight,
        "regional_cv": coefficient_of_variation(gdp_pc),
        "regional_theil": theil(gdp_pc, model.workers_by_region),
        "accounting_residual": float(model.accounting_residual),
        "capital_stock": capital,
        "gdp": revenue,
        "firms": int(active.sum()),
        "profit_rate_high": float(rates[high].mean()) if high.any() else float("nan"),
        "profit_rate_low": float(rates[active & ~t.view("high")].mean())
        if (active & ~t.view("high")).any() else float("nan"),
        "associative_capacity": float(model.region_column("associative_capacity").mean()),
        "price_low": float(model.market_price[0]),
        "price_high": float(model.market_price[1]),
        "imports": model.flows["imports"],
        "exports": model.flows["exports"],
        "local_capture": float(model.flows["local_capture"]),
        "relocations": int(model.flows["relocations"]),
        "exits_abroad": int(model.flows["exits"]),
        "bankruptcies": int(model.flows["bankruptcies"]),
        "switches_to_high": int(model.switches[1]),
        "switches_to_low": int(model.switches[0]),
        "foreign_assets": float(sum(inv.foreign_assets for inv in model.investor_list)),
        "retirements": int(model.flows["retirements"]),
        "entries": int(model.flows["entries"]),
        "migrants": int(model.flows["migrants"]),
        "workers": n,
        "skill_dispersion": float(np.log(wf.skill).std()),
        "rank_correlation": rank_correlation(model, households["income"]),
        "compliance": float(t.view("complies")[active].mean()) if active.any() else 1.0,
        "member_share": float(model.region_column("member").mean()),
        "supra_transfers": model.flows["supra_transfers"] / revenue if revenue > 0 else 0.0,
        **class_rows(model),
    }


def region_rows(model: RegionalEconomy) -> list[dict[str, Any]]:
    t, rt = model.firm_table, model.region_table
    R = model.n_regions
    active = t.view("active")
    region = t.view("region")[active]
    firms = np.bincount(region, minlength=R)
    high = np.bincount(region, weights=t.view("high")[active], minlength=R)
    workers = model.workers_by_region
    gj = np.bincount(model.workforce.region, weights=good_jobs(model), minlength=R)
    step = int(model.steps - model.params.world.burn_in)
    rows = []
    for r in range(R):
        w = max(workers[r], 1.0)
        rows.append({
            "step": step,
            "region": r,
            "workers": int(workers[r]),
            "capital_stock": float(model.capital_by_region[r]),
            "capital_tax": float(rt.capital_tax[r]),
            "labour_standard": float(rt.labour_standard[r]),
            "high_road_share": float(high[r] / firms[r]) if firms[r] else 0.0,
            "high_road_employment_share": float(model.high_road_employment_share[r]),
            "good_jobs_share": float(gj[r] / w),
            "unemployment": float(model.unemployed_by_region[r] / w),
            "gdp_per_capita": float(rt.gdp[r] / w),
            "mean_wage": float(rt.mean_wage[r]),
            "median_wage": float(rt.median_wage[r]),
            "public_goods_per_capita": float(rt.public_goods[r] / w),
            "associative_capacity": float(rt.associative_capacity[r]),
            "capital_flight": float(rt.flight_out[r]),
            "capital_inflow": float(rt.flight_in[r]),
            "government_balance": float(rt.cash[r]),
            "firms": int(firms[r]),
            "member": bool(rt.member[r]),
        })
    return rows
