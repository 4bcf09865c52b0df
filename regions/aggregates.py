"""Regional aggregates read by the next quarter's decisions.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.regions.geography import agglomeration_index
from highroad.regions.kernels import group_medians
from highroad.regions.sums import region_sums


class Aggregates:
    def employment_by_region(self) -> np.ndarray:
        """Employed workers by region (as floats), counted from the firms' staff.

        A worker's region is her employer's, and the firm table's `employees` column is kept
        equal to the workers' employers, so this is the count over workers, per firm.
        """
        t = self.firm_table
        return np.bincount(t.view("region"), weights=t.view("employees"),
                           minlength=self.n_regions)

    def _aggregate_wages(self, region: np.ndarray | None = None,
                         wage: np.ndarray | None = None) -> None:
        """Regional mean and median wage of the employed (`region`, `wage`: theirs, if known)."""
        wf, R = self.workforce, self.n_regions
        if region is None or wage is None:
            emp = wf.employed_index()
            region, wage = wf.region[emp], wf.wage[emp]
        self.employed_by_region = self.employment_by_region()
        wage_sum = region_sums(region, wage, R)
        employed = self.employed_by_region > 0
        mean = np.divide(wage_sum, self.employed_by_region,
                         out=self.region_column("mean_wage").copy(), where=employed)
        medians = group_medians(wage, region, R, self.employed_by_region.astype(np.int64))
        medians = np.where(np.isnan(medians), self.region_column("median_wage"), medians)
        if not employed.all() and employed.any():
            # A region where no one works reads the economy's wages: what an entrant must
            # offer to hire its workers. Keeping its last wages instead would freeze a wage
            # floor and a value of search that no firm can meet, and it would never revive.
            mean[~employed] = wage_sum.sum() / self.employed_by_region.sum()
            medians[~employed] = float(np.median(wage))
        self.region_column("mean_wage")[:] = mean
        self.region_column("median_wage")[:] = medians

    def _aggregate(self) -> None:
        wf, t, R = self.workforce, self.firm_table, self.n_regions
        self.workers_by_region = region_sums(wf.region, None, R)
        # Wage means and medians were taken when wages were paid (phase 6).
        self.employed_by_region = self.employment_by_region()
        self.unemployed_by_region = self.workers_by_region - self.employed_by_region
        jobs = np.bincount(t.view("region")[t.view("active")], weights=np.floor(
            t.view("capital")[t.view("active")] / self.params.firms.capital_per_job), minlength=R)
        self.utilisation = np.clip(np.divide(self.employed_by_region, jobs, out=np.ones(R),
                                             where=jobs > 0), 0.0, 1.0)
        skill_sum = region_sums(wf.region, wf.skill, R)
        self.mean_skill_by_region = skill_sum / np.maximum(self.workers_by_region, 1)
        active = t.view("active")
        region = t.view("region")[active]
        high = t.view("high")[active]
        employees = t.view("employees")[active]
        emp_high = np.bincount(region, weights=employees * high, minlength=R)
        emp_all = np.bincount(region, weights=employees, minlength=R)
        self.high_road_employment_share = np.divide(emp_high, emp_all, out=np.zeros(R),
                                                    where=emp_all > 0)
        self.agglomeration = agglomeration_index(self.high_road_employment_share,
                                                 self.neighbours)
        self.capital_by_region = np.bincount(region, weights=t.view("capital")[active],
                                             minlength=R)
        self.profit_by_region = np.bincount(region, weights=t.view("profit")[active],
                                            minlength=R)
        self.region_column("gdp")[:] = np.bincount(region, weights=t.view("revenue")[active],
                                                   minlength=R)
        rt = self.region_table
        net_out = (rt.view("flight_out") - rt.view("flight_in")) / np.maximum(
            self.capital_by_region, 1e-9)
        rho = self.params.capital.smoothing
        rt.view("flight_share")[:] = rho * rt.view("flight_share") + (1 - rho) * net_out
        pg = self.params.government.public_goods_depreciation
        rt.view("public_goods")[:] *= 1.0 - pg
        if not hasattr(self, "last_income"):
            self.last_income = wf.income.copy()
            for inv in self.investor_list:
                inv.last_income = 0.0
