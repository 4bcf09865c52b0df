"""Phase 4: layoffs, separations, matching and wage bargaining (kernels in labour_market.py).

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.workforce import (
    UNEMPLOYED,
)
from highroad.regions import labour_market as lm
from highroad.regions.returns import HIGH, apply_wage_floor, bargained_revenue


def sales_targets(jobs: np.ndarray, expected_sales: np.ndarray, productivity: np.ndarray,
                  desired_inventory: float) -> np.ndarray:
    """Jobs a firm wants: what its expected sales need, within its capacity.

    Dosi, Fagiolo and Roventini (2010, §2.2): desired production is expected demand plus
    desired inventories (a share `desired_inventory` of it), and labour demand follows from
    it; capacity (`jobs`) caps it. A firm without an expectation yet (nan) or without a known
    productivity plans on its capacity.
    """
    known = np.isfinite(expected_sales) & (productivity > 0)
    need = np.ceil(np.divide(expected_sales * (1.0 + desired_inventory), productivity,
                             out=np.zeros(jobs.size), where=known))
    return np.where(known, np.minimum(jobs, need), jobs).astype(np.int64)


def planned_targets(planned: np.ndarray, jobs: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each firm's planned jobs, within its capacity; firms without a plan (-1, or slots
    added since it was made) keep their own target."""
    plan = np.full(jobs.size, -1, dtype=np.int64)
    n = min(planned.size, jobs.size)
    plan[:n] = planned[:n]
    return np.where(plan >= 0, np.minimum(jobs, plan), target)


class LabourMarket:
    #: Jobs per firm slot set by a plan this quarter (policies/planning.py); None: no plan.
    planned_jobs: np.ndarray | None = None
    #: (regions, 2) the last bargaining's employment-weighted mean revenue per worker by road
    #: (`regional_mean_revenue`); None before any, or under firm-level bargaining.
    regional_revenue: np.ndarray | None = None

    def clear_labour_market(self) -> None:
        lp, fp = self.params.labour, self.params.firms
        wf, t = self.workforce, self.firm_table
        active = t.view("active")
        capital = t.view("capital")
        jobs = np.where(active, np.floor(capital / fp.capital_per_job), 0).astype(np.int64)
        employees = t.view("employees")
        road = t.view("high").astype(np.int64)
        losing = self.conditions.margin_per_worker(t.view("region"), road, t.view("tfp")) < 0
        wanted = sales_targets(jobs, t.view("expected_sales"), t.view("productivity"),
                               fp.desired_inventory)
        target = np.where(losing, np.minimum(wanted, (0.9 * employees).astype(np.int64)), wanted)
        if self.planned_jobs is not None:  # a plan (policies/planning.py) sets output instead
            target = planned_targets(self.planned_jobs, jobs, target)
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
        seekers = wf.count_by_region(self.n_regions, employer == UNEMPLOYED)
        priority = road * 10.0 + t.view("tfp")
        employer, hired, filled = lm.match_in_rounds(
            employer, wf.region, wf.skill, t.view("region"), vacancies, priority,
            lp.matching_efficiency, lp.matching_elasticity, self.n_regions,
            lp.matching_rounds, self.rng)
        staff += filled
        # Tenure restarts for those whose employer changed (among those who moved at all).
        moved = np.concatenate([fired, leaving, hired])
        changed = moved[employer[moved] != before[moved]]
        wf.tenure[changed] = 0
        wf.hire_skill[changed] = wf.skill[changed]  # realised skill growth counts from here
        wf.employer = employer
        t.view("employees")[:] = staff
        self.flows["hires"] += hired.size
        self.update_job_finding(seekers, np.bincount(wf.region[hired], minlength=self.n_regions),
                                wf.count_by_region(self.n_regions))
        self.bargain_wages()
        self.run_hooks("on_bargaining")

    def regional_mean_revenue(self, revenue_per_worker: np.ndarray) -> np.ndarray:
        """Employment-weighted mean revenue per worker of each region's firms on each road
        (what a sectoral bargain shares); kept for the quarter's expectations."""
        t = self.firm_table
        staff = t.view("employees") * t.view("active")
        means = regional_means(revenue_per_worker, staff.astype(float), t.view("region"),
                               t.view("high").astype(np.int64), self.n_regions)
        self.regional_revenue = means
        return means

    def bargain_wages(self) -> None:
        """Each employed worker's wage: Nash bargaining, then the floor where it is enforced.

        A worker's region is her employer's (hiring is within the region, and a firm that
        moves lays its workers off), so the regional terms are read per firm, and every
        per-firm number is read per worker through her employer's slot. The per-firm parts
        (rent per worker, the outside option's weight, the floor if enforced) are taken once
        per firm; `worker_wages` adds each worker's own terms.
        """
        wf, t, cond = self.workforce, self.firm_table, self.conditions
        lp = self.params.labour
        employees = t.view("employees")
        skill_sum = wf.firm_sums(wf.skill, t.size)
        mean_skill = np.where(employees > 0, skill_sum / np.maximum(employees, 1), 1.0)
        t.view("mean_skill")[:] = mean_skill
        region, road = t.view("region"), t.view("high").astype(np.int64)
        productivity = self.road_productivity(region, road, mean_skill, t.view("tfp"))
        t.view("productivity")[:] = productivity
        revenue_per_worker = productivity * self.effective_price[region, road]
        if lp.firm_rent_share < 1.0:
            regional = self.regional_mean_revenue(revenue_per_worker)[region, road]
            regional = np.where(regional > 0, regional, revenue_per_worker)
            revenue_per_worker = bargained_revenue(revenue_per_worker, regional,
                                                   lp.firm_rent_share)
        complies = self.rng.random(t.size) < cond.enforcement[region]
        t.view("complies")[:] = complies
        power = cond.bargaining_power[region]
        # Each firm's lowest wage: the floor where it complies, else the zero bound.
        floor = apply_wage_floor(np.zeros(t.size), cond.wage_floor[region], complies)
        elasticity = np.where(road == HIGH, self.params.firms.skill_elasticity,
                              lp.low_road_pay_elasticity)
        employed = wf.employed_index()
        skill = wf.skill[employed]  # read by the rent share and by the outside option
        wf.wage.fill(0.0)
        wf.wage[employed] = worker_wages(
            wf.employer[employed], skill, wf.tenure[employed], mean_skill,
            elasticity, power * revenue_per_worker, (1.0 - power) * cond.outside_option[region],
            floor, lp.tenure_return, lp.tenure_cap,
            market_skill_factor(skill, wf.region[employed], self.n_regions,
                                lp.outside_skill_elasticity))


def regional_means(values: np.ndarray, weights: np.ndarray, region: np.ndarray,
                   road: np.ndarray, n_regions: int) -> np.ndarray:
    """Weighted mean of a per-firm value by region and road, (regions, 2); 0 where no weight."""
    key = region * 2 + road
    total = np.bincount(key, weights=weights * values, minlength=2 * n_regions)
    weight = np.bincount(key, weights=weights, minlength=2 * n_regions)
    return np.divide(total, weight, out=np.zeros_like(total), where=weight > 0).reshape(
        n_regions, 2)


def market_skill_factor(skill: np.ndarray, region: np.ndarray, n_regions: int,
                        elasticity: float) -> np.ndarray | None:
    """How much a worker's outside option exceeds her region's, for her skill: her skill
    relative to the mean of her region's employed, to the power `elasticity` (None at 0).

    The threat point of a bargain is the worker's own value in the market, not her region's:
    Cahuc, Postel-Vinay and Robin (2006, Econometrica 74(2), §2) write the bargained wage
    as her ability times a weighted mean of the firm's productivity and her outside offer,
    and estimate workers' bargaining power to be low for all but the most skilled: wages
    track the market value of the worker's skill, with a small share of the firm's rents. The
    worker effect of Abowd, Kramarz and Margolis (1999, Econometrica 67(2), §2) is the same
    fact seen in data: it travels with her from firm to firm. One array per employed worker.
    """
    if elasticity == 0:
        return None
    total = np.bincount(region, weights=skill, minlength=n_regions)
    count = np.bincount(region, minlength=n_regions)
    mean = np.divide(total, count, out=np.ones(n_regions), where=count > 0)
    factor = skill / mean[region]
    np.log(factor, out=factor)
    factor *= elasticity
    np.exp(factor, out=factor)
    return factor


def worker_wages(firm: np.ndarray, skill: np.ndarray, tenure: np.ndarray,
                 mean_skill: np.ndarray, elasticity: np.ndarray, rent: np.ndarray,
                 outside: np.ndarray, floor: np.ndarray, tenure_return: float,
                 tenure_cap: float, market_skill: np.ndarray | None = None) -> np.ndarray:
    """Per-worker Nash wages: the firm's rent share scaled by her skill and tenure, plus the
    weighted outside option, at least the firm's floor.

    A worker's pay has a worker component (her skill relative to her colleagues', with a
    road-specific elasticity, and her tenure) and a firm component (the firm's rent per
    worker and its floor): the two-way decomposition of Abowd, Kramarz and Margolis (1999,
    Econometrica 67(2), §2) and Card, Heining and Kline (2013, QJE 128(3), §IV). `rent`,
    `outside` and `floor` are per firm (`rent` = power x revenue per worker, `outside` =
    (1 - power) x outside option, `floor` = 0 where not enforced); the rest per worker,
    `firm` her employer's slot. Returns wages >= 0, one per worker.
    """
    wage = skill / mean_skill[firm]
    np.log(wage, out=wage)
    wage *= elasticity[firm]
    np.exp(wage, out=wage)
    if tenure_return > 0:
        years = np.minimum(tenure, tenure_cap) * (tenure_return / 4.0)
        years += 1.0
        wage *= years
    wage *= rent[firm]
    if market_skill is None:
        wage += outside[firm]
    else:
        wage += outside[firm] * market_skill
    np.maximum(wage, floor[firm], out=wage)
    np.maximum(wage, 0.0, out=wage)
    return wage
