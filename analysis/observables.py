"""The observables of DESIGN.md §5: one economy row and one row per region each quarter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from highroad.analysis.metrics import (
    Households,
    coefficient_of_variation,
    gini_of_sorted,
    median_of_sorted,
    theil,
)
from highroad.regions.returns import HIGH, LOW

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def good_jobs(model: RegionalEconomy) -> np.ndarray:
    """Which workers hold a good job (Rodrik-Stantcheva §2, operationalised).

    A good job pays at least `labour.good_job_wage` times the regional median wage (a
    middle-class living standard, set relative to the region as the digest recommends), has
    lasted `labour.good_job_tenure` quarters (security) and comes with training, i.e. a career
    ladder (the employer is on the high road, or trains under a policy module).
    """
    wf = model.workforce
    out = np.zeros(len(wf), dtype=bool)
    out[good_job_holders(model)] = True
    return out


def good_job_holders(model: RegionalEconomy) -> np.ndarray:
    """Indices of the workers holding a good job (see `good_jobs`), computed on the employed.

    A worker's region is her employer's (hiring is within the region; a firm that moves
    lays its workers off), so the wage threshold is read per firm.
    """
    wf, t, lp = model.workforce, model.firm_table, model.params.labour
    emp = wf.employed_index()
    firm = wf.employer[emp]
    trains = t.view("high") | t.view("trains")
    threshold = lp.good_job_wage * model.region_column("median_wage")[wf.region[emp]]
    good = wf.wage[emp] >= threshold
    good &= wf.tenure[emp] >= lp.good_job_tenure
    good &= trains[firm]
    return emp[good]


def household_distributions(model: RegionalEconomy, income_order: np.ndarray | None = None
                            ) -> dict[str, Households]:
    """Disposable income and wealth per household, as `Households` distributions.

    Workers are one household each; each Investor agent stands for `households` owner
    households sharing its income and its wealth (cash, foreign assets, firm equity).
    With `income_order` (an argsort of the workers' incomes) the income distribution is
    read off it instead of sorted again.
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
    incomes = wf.income[income_order] if income_order is not None else np.sort(wf.income)
    wealth = wf.wealth + wf.stake
    wealth.sort()
    return {"income": Households(incomes, inv_income, hh),
            "wealth": Households(wealth, inv_wealth, hh)}


def rank_correlation(model: RegionalEconomy, income: Households,
                     income_order: np.ndarray | None = None,
                     entrants: np.ndarray | None = None) -> float:
    """Intergenerational rank correlation: entrants' income rank against their parents'.

    DESIGN.md §5; Cohen-Rogers §4 (M35): fair equality of opportunity. Only workers who
    entered during the run have a parent rank; ranks are read off the household income
    distribution (the cumulative weight up to the first household with the same income).
    Reported as 0 until ten workers have entered (tiny worlds, first quarters), so every
    column stays finite.

    With few entrants each is searched for; once entrants are many (their share grows over
    a run), the ranks of all workers are worked out in sorted order from `income_order`,
    the argsort that produced the distribution, and paired there with their parents'.
    """
    wf = model.workforce
    if income_order is not None:
        # In sorted order: the parents' ranks come along, the entrants are the finite ones.
        parent = wf.origin_rank[income_order]
        rank = income.ranks_of_runs()
        entered = np.isfinite(parent)
        if np.count_nonzero(entered) < 10:
            return 0.0
        if not entered.all():
            parent, rank = parent[entered], rank[entered]
        return correlation(parent, rank)
    if entrants is None:
        entrants = np.flatnonzero(np.isfinite(wf.origin_rank))
    if entrants.size < 10:
        return 0.0
    below = np.searchsorted(income.units, wf.income[entrants])
    rank = (below + 1.0 + income.extra_weight_before(below)) / income.total_weight
    return correlation(wf.origin_rank[entrants], rank)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation with pairwise sums: no BLAS call, so the same on every machine.

    (`np.corrcoef` goes through a multithreaded BLAS product whose rounding depends on the
    number of threads, and whose idle threads spin.) 0 when either side is constant.
    """
    da = a - a.mean()
    db = b - b.mean()
    saa, sbb = float(np.sum(da * da)), float(np.sum(db * db))
    if saa == 0 or sbb == 0:
        return 0.0
    return float(np.clip(np.sum(da * db) / np.sqrt(saa * sbb), -1.0, 1.0))


def class_rows(model: RegionalEconomy, wages: np.ndarray | None = None) -> dict[str, float]:
    """Class shares of households (Wetzel, digest B2 and D1) and the coordinator pay ratio.

    Investors are the owner households; coordinators hold empowering jobs, which exist only
    where the self_management module models them (elsewhere no job is empowering: share 0,
    pay ratio 1); workers are the rest. `wages`: the employed's wages, if already gathered.
    """
    wf = model.workforce
    owners = float(sum(inv.households for inv in model.investor_list))
    total = len(wf) + owners
    coordinators, ratio = 0.0, 1.0
    if model.coordinator is not None:
        emp = wf.employed_index()
        wages = wf.wage[emp] if wages is None else wages
        coord = model.coordinator[emp]
        coordinators = float(np.count_nonzero(coord) / total)
        if coord.any() and not coord.all():
            others = wages[~coord].mean()
            if others > 0:
                ratio = float(wages[coord].mean() / others)
    return {"class_share_investors": owners / total,
            "class_share_coordinators": coordinators,
            "class_share_workers": 1.0 - owners / total - coordinators,
            "coordinator_pay_ratio": ratio}


def observe(model: RegionalEconomy) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """This quarter's economy row and region rows, sharing the work they have in common."""
    good = good_job_holders(model)
    return economy_row(model, good), region_rows(model, good)


def road_profit_rate(model: RegionalEconomy, rates: np.ndarray, on_road: np.ndarray,
                     road: int) -> float:
    """Mean smoothed after-tax profit rate of the firms on a road.

    With no firm on that road, what a firm of average productivity would expect to earn on it
    (the quarter's market conditions, averaged over regions): the number a firm weighing a
    switch looks at, and never undefined.
    """
    if on_road.any():
        return float(rates[on_road].mean())
    return float(model.conditions.after_tax_rate(np.arange(model.n_regions), road, 1.0).mean())


def economy_row(model: RegionalEconomy, good: np.ndarray | None = None) -> dict[str, Any]:
    """The economy-wide observables of this quarter (`good`: the good-job holders, if known).

    The work is arranged so each distribution is sorted once: the employed wages once
    (Gini and median), household incomes and wealth once each (Ginis, middle class, ranks).
    """
    wf, t, rt = model.workforce, model.firm_table, model.region_table
    active = t.view("active")
    emp = wf.employed_index()
    n = len(wf)
    n_employed = int(emp.size)
    high = t.view("high") & active
    employees = t.view("employees")
    revenue = float(t.view("revenue")[active].sum())
    wage_bill = float(t.view("wage_bill")[active].sum())
    wages = wf.wage[emp]
    wage_total = float(wages.sum())
    sorted_wages = np.sort(wages)
    if sorted_wages.size and sorted_wages[0] < 0:  # negative wages count as zero in the Gini
        positive = np.maximum(wages, 0.0)
        wage_gini = gini_of_sorted(np.sort(positive), float(positive.sum()))
    else:
        wage_gini = gini_of_sorted(sorted_wages, wage_total)
    entered = np.isfinite(wf.origin_rank)
    # Many entrants: one argsort of incomes serves both the distribution and their ranks.
    many = np.count_nonzero(entered) > n // 4
    income_order = np.argsort(wf.income) if many else None
    entrants = None if many else np.flatnonzero(entered)
    households = household_distributions(model, income_order)
    if good is None:
        good = good_job_holders(model)
    capital = float(model.capital_by_region.sum())
    gdp_pc = model.region_column("gdp") / np.maximum(model.workers_by_region, 1)
    tax = model.region_column("capital_tax")
    rates = t.view("rate")
    low = active & ~t.view("high")
    flight = float(rt.view("flight_out").sum())
    return {
        "step": int(model.steps - model.params.world.burn_in),
        "high_road_share": float(high.sum() / max(active.sum(), 1)),
        "high_road_employment_share": float(employees[high].sum() / max(n_employed, 1)),
        "good_jobs_share": float(good.size / n),
        "mean_wage": wage_total / n_employed if n_employed else 0.0,
        "median_wage": median_of_sorted(sorted_wages) if n_employed else 0.0,
        "wage_gini": wage_gini,
        "income_gini": households["income"].gini(),
        "wealth_gini": households["wealth"].gini(),
        "unemployment": 1.0 - n_employed / n,
        "labour_share": wage_bill / revenue if revenue > 0 else 0.0,
        "productivity": float(t.view("output")[active].sum() / max(n_employed, 1)),
        "middle_class_share": households["income"].middle_class_share(),
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
        "profit_rate_high": road_profit_rate(model, rates, high, HIGH),
        "profit_rate_low": road_profit_rate(model, rates, low, LOW),
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
        "rank_correlation": rank_correlation(model, households["income"], income_order,
                                             entrants),
        "compliance": float(t.view("complies")[active].mean()) if active.any() else 1.0,
        "member_share": float(model.region_column("member").mean()),
        "supra_transfers": model.flows["supra_transfers"] / revenue if revenue > 0 else 0.0,
        **class_rows(model, wages),
    }


def region_rows(model: RegionalEconomy, good: np.ndarray | None = None) -> list[dict[str, Any]]:
    """One row per region of this quarter (`good`: the good-job holders, if known)."""
    t, rt = model.firm_table, model.region_table
    R = model.n_regions
    active = t.view("active")
    region = t.view("region")[active]
    firms = np.bincount(region, minlength=R)
    high = np.bincount(region, weights=t.view("high")[active], minlength=R)
    workers = model.workers_by_region
    if good is None:
        good = good_job_holders(model)
    gj = np.bincount(model.workforce.region[good], minlength=R)
    step = int(model.steps - model.params.world.burn_in)
    columns = {name: rt.view(name).tolist() for name in (
        "capital_tax", "labour_standard", "gdp", "mean_wage", "median_wage", "public_goods",
        "associative_capacity", "flight_out", "flight_in", "cash", "member")}
    capital = model.capital_by_region.tolist()
    hres = model.high_road_employment_share.tolist()
    unemployed = model.unemployed_by_region.tolist()
    rows = []
    for r in range(R):
        w = max(workers[r], 1.0)
        rows.append({
            "step": step,
            "region": r,
            "workers": int(workers[r]),
            "capital_stock": capital[r],
            "capital_tax": columns["capital_tax"][r],
            "labour_standard": columns["labour_standard"][r],
            "high_road_share": float(high[r] / firms[r]) if firms[r] else 0.0,
            "high_road_employment_share": hres[r],
            "good_jobs_share": float(gj[r] / w),
            "unemployment": float(unemployed[r] / w),
            "gdp_per_capita": float(columns["gdp"][r] / w),
            "mean_wage": columns["mean_wage"][r],
            "median_wage": columns["median_wage"][r],
            "public_goods_per_capita": float(columns["public_goods"][r] / w),
            "associative_capacity": columns["associative_capacity"][r],
            "capital_flight": columns["flight_out"][r],
            "capital_inflow": columns["flight_in"][r],
            "government_balance": columns["cash"][r],
            "firms": int(firms[r]),
            "member": columns["member"][r],
        })
    return rows
