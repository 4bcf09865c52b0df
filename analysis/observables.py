"""The observables of docs/design.md: one economy row and one row per region each quarter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from highroad.agents.workforce import UNEMPLOYED
from highroad.analysis.metrics import (
    Households,
    coefficient_of_variation,
    gini_of_sorted,
    median_of_sorted,
    sort_order,
    std_of_log,
    theil,
)
from highroad.regions.plausibility import collapsed
from highroad.regions.returns import HIGH, LOW

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def good_jobs(model: RegionalEconomy) -> np.ndarray:
    """Which workers hold a good job, judged by outcomes only (Rodrik and Stantcheva 2021, §II;
    operationalised).

    A good job is one the worker is seen to have, whoever pays for it:
    - pay: at least `labour.good_job_wage` times the regional median wage (a middle-class
      living standard, set relative to the region, as Rodrik and Stantcheva 2021, §II, define
      good jobs by the living standard they allow);
    - security: the job has lasted `labour.good_job_tenure` quarters;
    - a career ladder: the worker's skill has grown since she took the job by more than a job
      halfway between a low-road and a high-road job would have made it grow
      (`realised_skill_growth`).
    No flag a policy sets (a firm's road, its training commitment) enters the test.
    """
    wf, lp = model.workforce, model.params.labour
    good = wf.wage >= good_job_thresholds(model)[wf.employer]
    good &= wf.tenure >= lp.good_job_tenure
    good &= realised_skill_growth(model)
    return good


def realised_skill_growth(model: RegionalEconomy) -> np.ndarray:
    """Whether each worker's skill grew on her current job at least as fast as logistic growth
    at the mean of the low- and high-road learning rates from her skill at hire.

    The benchmark path is the continuous logistic curve `S / (1 + (S / s0 - 1) e^{-g t})`
    (S = `labour.skill_max`, s0 = skill at hire, t = tenure, g = the mean rate): a low-road job
    (rate `skill_growth_low`) stays below it, a high-road job or a low-road job with training
    (about `skill_growth_high`) rises above it. A worker hired at the maximum skill cannot grow
    and meets it.
    """
    wf, lp = model.workforce, model.params.labour
    g = 0.5 * (lp.skill_growth_low + lp.skill_growth_high)
    s0 = np.maximum(wf.hire_skill, 1e-12)
    path = lp.skill_max / (1.0 + (lp.skill_max / s0 - 1.0) * np.exp(-g * wf.tenure))
    return wf.skill >= path * (1.0 - 1e-9)


def good_job_holders(model: RegionalEconomy) -> np.ndarray:
    """Indices of the workers holding a good job (see `good_jobs`), ascending."""
    return np.flatnonzero(good_jobs(model))


def good_job_thresholds(model: RegionalEconomy) -> np.ndarray:
    """The wage at or above which a job at each firm slot is good, and +inf after the last.

    A worker's region is her employer's (hiring is within the region; a firm that moves
    lays its workers off), so the regional median wage is read per firm. The last entry,
    +inf, is what `employer` = -1 (unemployed) indexes.
    """
    t, lp = model.firm_table, model.params.labour
    out = np.full(t.size + 1, np.inf)
    out[:-1] = lp.good_job_wage * model.region_column("median_wage")[t.view("region")]
    return out


def observed_compliance(model: RegionalEconomy) -> float:
    """Share of the employed paid at least their region's wage floor (`labour_standard` times
    the median wage, as bargaining applies it): compliance as observed in pay, not the
    enforcement probability any module sets. 1 with no one employed."""
    wf = model.workforce
    emp = wf.employed_index()
    if emp.size == 0:
        return 1.0
    floor = model.conditions.wage_floor[wf.region[emp]]
    return float(np.mean(wf.wage[emp] >= floor * (1.0 - 1e-9)))


def investor_households(model: RegionalEconomy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per Investor agent: its owner households, and income and wealth per household.

    Each Investor agent stands for `households` owner households sharing its income and its
    wealth (cash, foreign assets, and the equity of the firms it owns).
    """
    t, invs = model.firm_table, model.investor_list
    owned = t.view("active") & (t.view("owner_type") == 0)
    # Workers' stakes (asset_redistribution) are theirs, counted in `wf.stake`.
    equity = np.bincount(t.view("owner")[owned],
                         weights=((t.view("capital") + t.view("cash"))
                                  * (1.0 - t.view("worker_stake")))[owned],
                         minlength=len(invs))
    hh = np.array([inv.households for inv in invs])
    inv_income = np.array([inv.income for inv in invs]) / hh
    inv_wealth = (np.array([inv.cash + inv.foreign_assets for inv in invs]) + equity) / hh
    return hh, inv_income, inv_wealth


def income_distribution(model: RegionalEconomy, income_order: np.ndarray | None = None,
                        investors: tuple[np.ndarray, ...] | None = None) -> Households:
    """Disposable income per household (workers, and investors' households) as `Households`.

    With `income_order` (an argsort of the workers' incomes) the workers' incomes are read
    off it instead of sorted again. `investors`: `investor_households(model)`, if known.
    """
    wf = model.workforce
    hh, inv_income, _ = investor_households(model) if investors is None else investors
    incomes = wf.income[income_order] if income_order is not None else np.sort(wf.income)
    return Households(incomes, inv_income, hh)


def wealth_distribution(model: RegionalEconomy,
                        investors: tuple[np.ndarray, ...] | None = None) -> Households:
    """Wealth per household (deposits and stakes; investors' households) as `Households`."""
    wf = model.workforce
    hh, _, inv_wealth = investor_households(model) if investors is None else investors
    wealth = wf.wealth + wf.stake
    wealth.sort()
    return Households(wealth, inv_wealth, hh)


def household_distributions(model: RegionalEconomy, income_order: np.ndarray | None = None
                            ) -> dict[str, Households]:
    """Disposable income and wealth per household, as `Households` distributions.

    Workers are one household each; each Investor agent stands for `households` owner
    households (`investor_households`). With `income_order` (an argsort of the workers'
    incomes) the income distribution is read off it instead of sorted again.
    """
    investors = investor_households(model)
    return {"income": income_distribution(model, income_order, investors),
            "wealth": wealth_distribution(model, investors)}


def rank_correlation(model: RegionalEconomy, income: Households,
                     income_order: np.ndarray | None = None,
                     entrants: np.ndarray | None = None) -> float:
    """Intergenerational rank correlation: entrants' income rank against their parents'.

    Cohen and Rogers (1997, §4): fair equality of opportunity. Only workers who
    entered during the run have a parent rank; ranks are read off the household income
    distribution (the cumulative weight up to the first household with the same income).
    Reported as 0 until ten workers have entered (tiny worlds, first quarters), so every
    column stays finite.

    With few entrants each is looked up (`Households.ranks_of`); once entrants are many
    (their share grows over a run), their ranks are worked out in sorted order from
    `income_order`, the sort order (an argsort) that produced the distribution, and paired
    there with their parents'.
    """
    wf = model.workforce
    if income_order is not None:
        # In sorted order: the entrants are those with a (finite) parent rank.
        entered = np.flatnonzero(np.isfinite(wf.origin_rank)[income_order])
        if entered.size < 10:
            return 0.0
        if entered.size == income_order.size:
            return correlation(wf.origin_rank[income_order], income.ranks_of_runs())
        parent = wf.origin_rank[income_order[entered]]
        return correlation(parent, income.ranks_of_runs(entered))
    if entrants is None:
        entrants = np.flatnonzero(np.isfinite(wf.origin_rank))
    if entrants.size < 10:
        return 0.0
    return correlation(wf.origin_rank[entrants], income.ranks_of(wf.income[entrants]))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation with pairwise sums: no BLAS call, so the same on every machine.

    (`np.corrcoef` goes through a multithreaded BLAS product whose rounding depends on the
    number of threads, and whose idle threads spin.) 0 when either side is constant.
    """
    da = a - a.mean()
    db = b - b.mean()
    products = da * da
    saa = float(np.sum(products))
    sbb = float(np.sum(np.multiply(db, db, out=products)))
    if saa == 0 or sbb == 0:
        return 0.0
    sab = np.sum(np.multiply(da, db, out=products))
    return float(np.clip(sab / np.sqrt(saa * sbb), -1.0, 1.0))


def class_rows(model: RegionalEconomy, wage_total: float | None = None) -> dict[str, float]:
    """Class shares of households (Wetzel n.d., "What Creates Class Oppression?") and the
    coordinator pay ratio.

    Investors are the owner households; coordinators hold empowering jobs, which exist only
    where the self_management module models them (elsewhere no job is empowering: share 0,
    pay ratio 1); workers are the rest. Only the employed hold jobs, so a worker marked as
    coordinator who has since lost hers is not one. `wage_total`: the employed's total
    wage, if known; the other employed's wages are that total less the coordinators'.
    """
    wf = model.workforce
    owners = float(sum(inv.households for inv in model.investor_list))
    total = len(wf) + owners
    coordinators, ratio = 0.0, 1.0
    if model.coordinator is not None:
        n_employed = wf.employed_index().size
        coord = np.flatnonzero(model.coordinator)
        coord = coord[wf.employer[coord] != UNEMPLOYED]
        coordinators = float(coord.size / total)
        if 0 < coord.size < n_employed:
            if wage_total is None:
                wage_total = float(wf.wage[wf.employed_index()].sum())
            coord_total = float(wf.wage[coord].sum())
            others = (wage_total - coord_total) / (n_employed - coord.size)
            if others > 0:
                ratio = float(coord_total / coord.size / others)
    return {"class_share_investors": owners / total,
            "class_share_coordinators": coordinators,
            "class_share_workers": 1.0 - owners / total - coordinators,
            "coordinator_pay_ratio": ratio}


def observe(model: RegionalEconomy) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """This quarter's economy row and region rows, sharing the work they have in common."""
    good = model.workforce.count_by_region(model.n_regions, good_jobs(model))
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


def wage_measures(model: RegionalEconomy) -> tuple[float, float, float]:
    """The employed's total wage, median wage and wage Gini, from one sort of their wages.

    The median is 0 with no one employed; negative wages count as zero in the Gini.
    """
    wf = model.workforce
    emp = wf.employed_index()
    wages = wf.wage[emp]
    total = float(wages.sum())
    wages.sort()
    if wages.size and wages[0] < 0:
        positive = np.maximum(wf.wage[emp], 0.0)
        gini = gini_of_sorted(np.sort(positive), float(positive.sum()))
    else:
        gini = gini_of_sorted(wages, total)
    return total, median_of_sorted(wages) if wages.size else 0.0, gini


def household_measures(model: RegionalEconomy) -> dict[str, float]:
    """Income and wealth Ginis, the middle-class share and the intergenerational rank
    correlation, each distribution sorted once and read while it is fresh in the cache.

    With many entrants one sort order of incomes serves both the distribution and their
    ranks (`rank_correlation`).
    """
    wf = model.workforce
    investors = investor_households(model)
    hh, inv_income, _ = investors
    entrants = np.flatnonzero(np.isfinite(wf.origin_rank))
    if entrants.size > len(wf) // 4:
        income_order, incomes = sort_order(wf.income)
    else:
        income_order, incomes = None, model.sorted_incomes()
    income = Households(incomes, inv_income, hh)
    out = {"income_gini": income.gini(),
           "middle_class_share": income.middle_class_share(),
           "rank_correlation": rank_correlation(model, income, income_order, entrants)}
    del income, incomes  # the sorted incomes go before the wealth is sorted
    out["wealth_gini"] = wealth_distribution(model, investors).gini()
    return out


def flight_shares(model: RegionalEconomy) -> tuple[np.ndarray, float]:
    """Capital flight as a share of the capital stock before the flight, by region and overall.

    The stock before the flight is what left (`flight_out`) plus what stayed: this quarter's
    stock less what arrived from elsewhere (never below 0). So a share is in [0, 1], and 1
    when all of a region's capital left.
    """
    rt = model.region_table
    out = rt.view("flight_out")
    stayed = np.maximum(model.capital_by_region - rt.view("flight_in"), 0.0)
    before = out + stayed
    share = np.divide(out, before, out=np.zeros(model.n_regions), where=before > 0)
    total = float(before.sum())
    return share, float(out.sum()) / total if total > 0 else 0.0


def economy_row(model: RegionalEconomy, good: np.ndarray | None = None) -> dict[str, Any]:
    """The economy-wide observables of this quarter.

    `good`: the number of good-job holders in each region, if known. Each distribution is
    sorted once: the employed wages (`wage_measures`), household incomes and wealth
    (`household_measures`).
    """
    wf, t, rt = model.workforce, model.firm_table, model.region_table
    active = t.view("active")
    n = len(wf)
    n_employed = int(wf.employed_index().size)
    high = t.view("high") & active
    employees = t.view("employees")
    revenue = float(t.view("revenue")[active].sum())
    wage_bill = float(t.view("wage_bill")[active].sum())
    skill_dispersion = std_of_log(wf.skill)
    wage_total, median_wage, wage_gini = wage_measures(model)
    households = household_measures(model)
    good_count = int(good.sum()) if good is not None else int(np.count_nonzero(good_jobs(model)))
    capital = float(model.capital_by_region.sum())
    gdp_pc = model.region_column("gdp") / np.maximum(model.workers_by_region, 1)
    tax = model.region_column("capital_tax")
    rates = t.view("rate")
    low = active & ~t.view("high")
    flight = float(rt.view("flight_out").sum())
    _, flight_share = flight_shares(model)
    return {
        "step": int(model.steps - model.params.world.burn_in),
        "high_road_share": float(high.sum() / max(active.sum(), 1)),
        "high_road_employment_share": float(employees[high].sum() / max(n_employed, 1)),
        "good_jobs_share": float(good_count / n),
        "mean_wage": wage_total / n_employed if n_employed else 0.0,
        "median_wage": median_wage,
        "wage_gini": wage_gini,
        "income_gini": households["income_gini"],
        "wealth_gini": households["wealth_gini"],
        "unemployment": 1.0 - n_employed / n,
        "labour_share": wage_bill / revenue if revenue > 0 else 0.0,
        "productivity": float(t.view("output")[active].sum() / max(n_employed, 1)),
        "middle_class_share": households["middle_class_share"],
        "mean_capital_tax": float(tax.mean()),
        "capital_tax_dispersion": float(tax.std()),
        "mean_labour_standard": float(model.region_column("labour_standard").mean()),
        "public_goods_per_capita": float(model.region_column("public_goods").sum() / n),
        "capital_flight": flight_share,
        "capital_flight_amount": flight,
        "collapsed": collapsed(model),
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
        "closures": int(model.flows["closures"]),
        "sell_through": float(model.flows["sell_through"]),
        "switches_to_high": int(model.switches[1]),
        "switches_to_low": int(model.switches[0]),
        "foreign_assets": float(sum(inv.foreign_assets for inv in model.investor_list)),
        "retirements": int(model.flows["retirements"]),
        "entries": int(model.flows["entries"]),
        "migrants": int(model.flows["migrants"]),
        "workers": n,
        "skill_dispersion": skill_dispersion,
        "rank_correlation": households["rank_correlation"],
        "compliance": float(t.view("complies")[active].mean()) if active.any() else 1.0,
        "observed_compliance": observed_compliance(model),
        "member_share": float(model.region_column("member").mean()),
        "supra_transfers": model.flows["supra_transfers"] / revenue if revenue > 0 else 0.0,
        **government_rows(model),
        **class_rows(model, wage_total),
    }


def region_rows(model: RegionalEconomy, good: np.ndarray | None = None) -> list[dict[str, Any]]:
    """One row per region of this quarter (`good`: the good-job holders per region, if known)."""
    t, rt = model.firm_table, model.region_table
    R = model.n_regions
    active = t.view("active")
    region = t.view("region")[active]
    firms = np.bincount(region, minlength=R)
    high = np.bincount(region, weights=t.view("high")[active], minlength=R)
    workers = model.workers_by_region
    gj = model.workforce.count_by_region(R, good_jobs(model)) if good is None else good
    step = int(model.steps - model.params.world.burn_in)
    columns = {name: rt.view(name).tolist() for name in (
        "capital_tax", "labour_standard", "gdp", "mean_wage", "median_wage", "public_goods",
        "associative_capacity", "flight_out", "flight_in", "cash", "member")}
    beliefs = {name: rt.view(name)[:R] for name in (
        "resident_welfare", "perceived_elasticity", "exit_threats", "credible_threat_share")}
    spending = (rt.view("public_investment") + rt.view("public_consumption"))[:R]
    capital = model.capital_by_region.tolist()
    flight_share = flight_shares(model)[0].tolist()
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
            "capital_flight": flight_share[r],
            "capital_flight_amount": columns["flight_out"][r],
            "capital_inflow_amount": columns["flight_in"][r],
            "government_balance": columns["cash"][r],
            "firms": int(firms[r]),
            "member": columns["member"][r],
            "public_spending_per_capita": float(spending[r] / w),
            **{name: float(values[r]) for name, values in beliefs.items()},
        })
    return rows


def government_rows(model: RegionalEconomy) -> dict[str, float]:
    """Economy-wide welfare, beliefs and threats (see regions.welfare and regions.beliefs).

    `exit_threats`: threats heard this quarter (governments hear them before a review);
    `credible_threat_share`: the credible share of them; `mean_perceived_elasticity`: the
    governments' believed elasticity of capital to the net-of-tax share, averaged.
    """
    R = model.n_regions
    threats = model.region_column("exit_threats")[:R]
    credible = model.region_column("credible_threat_share")[:R]
    heard = float(threats.sum())
    return {
        "resident_welfare": float(model.resident_welfare),
        "exit_threats": heard,
        "credible_threat_share": float((threats * credible).sum() / heard) if heard else 0.0,
        "mean_perceived_elasticity": float(model.region_column("perceived_elasticity")[:R].mean()),
    }
