"""Stylised facts measured in one run, each as its data source defines it.

Every estimator below is a pure function of arrays, tested on synthetic data with a known
answer (tests/test_facts.py); `measure_replicate` runs one economy, records what the tidy
frames do not hold (each firm's staff and target each quarter, the employed's wage
deciles, each region's sums for a wage regression) and applies the estimators. Ranges and
sources are data, in scenarios/facts/facts.toml; running replicates and the report are in
`facts_report`.

Window: level facts are means over the last `window` recorded quarters (facts.toml:
120, the last 30 years, as the OECD 1990-2019 averages); annual facts use the consecutive
4-quarter years counted back from the end of the run. The model's step is a quarter; its
money is in model units, so only ratios, shares and elasticities are compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.observables import correlation

QUARTERS = 4


# -- estimators ------------------------------------------------------------------------------

def decile_ratio(wages: np.ndarray) -> float:
    """D9/D1: the 90th over the 10th percentile of earnings (OECD Earnings Database).

    The OECD takes gross earnings of full-time employees; every job in the model is full
    time, so the sample is every employed worker's wage in the quarter. NaN when the first
    decile is not positive.
    """
    wages = np.asarray(wages, dtype=float)
    if wages.size < 10:
        return float("nan")
    d1, d9 = np.percentile(wages, [10, 90])
    return float(d9 / d1) if d1 > 0 else float("nan")


def job_flow_rates(before: np.ndarray, after: np.ndarray) -> tuple[float, float]:
    """Gross job creation and destruction rates between two quarters (Davis, Haltiwanger
    and Schuh 1996, ch. 2).

    `before`, `after`: employment of each firm (same index = same firm; a firm born in
    between is absent from, or 0 in, `before`; a closed firm is 0 in `after`). Creation is
    the sum of employment gains at growing and entering firms, destruction the sum of
    losses at shrinking and exiting firms, each divided by the average of aggregate
    employment in the two quarters (DHS's size measure Z = (E_{t-1} + E_t) / 2).
    """
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    n = max(before.size, after.size)
    b = np.zeros(n)
    a = np.zeros(n)
    b[: before.size] = before
    a[: after.size] = after
    size = 0.5 * (b.sum() + a.sum())
    if size <= 0:
        return float("nan"), float("nan")
    change = a - b
    return float(change[change > 0].sum() / size), float(-change[change < 0].sum() / size)


def exit_rate(active_start: np.ndarray, active_end: np.ndarray) -> float:
    """Annual firm exit rate (OECD DynEmp): firms active at the start of a year that are no
    longer active at its end, over the firms active at its start. Firms born during the
    year are in neither count; a firm that moves region is the same firm (no exit)."""
    start = np.asarray(active_start, dtype=bool)
    end = np.asarray(active_end, dtype=bool)[: start.size]
    n = int(start.sum())
    return float((start & ~end).sum() / n) if n else float("nan")


def zipf_exponent(sizes: np.ndarray, tail: float = 0.5) -> float:
    """Zipf (Pareto) exponent alpha of the firm-size tail, P(S > s) ~ s^-alpha (Axtell 2001).

    Estimator: OLS of log(rank - 1/2) on log size over the largest `tail` share of the
    firms with at least one employee (the rank-size regression with Gabaix and Ibragimov's
    2011 shift of 1/2, which removes its small-sample bias); alpha is minus the slope. NaN
    with fewer than 10 firms in the tail or no spread in their sizes.
    """
    sizes = np.sort(np.asarray(sizes, dtype=float)[np.asarray(sizes) > 0])[::-1]
    k = int(np.ceil(tail * sizes.size))
    if k < 10:
        return float("nan")
    x = np.log(sizes[:k])
    y = np.log(np.arange(1, k + 1) - 0.5)
    dx = x - x.mean()
    sxx = float(np.sum(dx * dx))
    if sxx == 0:
        return float("nan")
    return float(-np.sum(dx * (y - y.mean())) / sxx)


def beveridge_correlation(vacancy_rate: np.ndarray, unemployment_rate: np.ndarray) -> float:
    """Beveridge curve (Blanchard and Diamond 1989): the Pearson correlation over time of
    the vacancy rate (vacancies / (employment + vacancies), the JOLTS definition) and the
    unemployment rate, quarterly levels. NaN when either series is constant."""
    v = np.asarray(vacancy_rate, dtype=float)
    u = np.asarray(unemployment_rate, dtype=float)
    if v.size < 3 or np.ptp(v) == 0 or np.ptp(u) == 0:
        return float("nan")
    return correlation(v, u)


def within(values: np.ndarray, groups: Sequence[np.ndarray], tol: float = 1e-12,
           max_sweeps: int = 1000) -> np.ndarray:
    """`values` with the fixed effects of every grouping swept out (alternating projections:
    demean by each grouping in turn until nothing changes; one sweep for a balanced two-way
    panel). Pure numpy sums, so the same on every machine."""
    out = np.asarray(values, dtype=float).copy()
    if out.size == 0:
        return out
    codes = [pd.factorize(np.asarray(g))[0] for g in groups]
    for _ in range(max_sweeps):
        moved = 0.0
        for code in codes:
            counts = np.bincount(code)
            means = np.bincount(code, weights=out) / counts
            out -= means[code]
            moved = max(moved, float(np.abs(means).max()))
        if moved < tol:
            break
    return out


def fixed_effects_slope(y: np.ndarray, x: np.ndarray, groups: Sequence[np.ndarray]
                        ) -> tuple[float, np.ndarray, np.ndarray]:
    """OLS slope of y on x with fixed effects for each grouping (Frisch-Waugh-Lovell).

    Returns the slope and the within-transformed x and y (what the slope is fitted to).
    """
    xt, yt = within(x, groups), within(y, groups)
    sxx = float(np.sum(xt * xt))
    slope = float(np.sum(xt * yt) / sxx) if sxx > 0 else float("nan")
    return slope, xt, yt


def wage_curve(log_wage: np.ndarray, log_unemployment: np.ndarray, region: np.ndarray,
               year: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Regional wage curve (Blanchflower and Oswald 1994, ch. 4; Nijkamp and Poot 2005):
    the elasticity b of ln w_rt = a_r + d_t + b ln u_rt + e_rt, region and year fixed
    effects, OLS. `log_wage` is the region-year's wage net of its workers' characteristics
    (`cell_wage_effects`). Returns b and the within-transformed (ln u, ln w) for the figure."""
    return fixed_effects_slope(log_wage, log_unemployment, [region, year])


@dataclass
class CellMoments:
    """Sums over the employed of each cell (a region in a period) for a wage regression
    with cell effects: count n, sum of ln w (y), of the characteristics z (k columns), of
    z z' and of z y. Cells are the first axis; adding two CellMoments pools their workers."""

    n: np.ndarray     # (cells,)
    y: np.ndarray     # (cells,)
    z: np.ndarray     # (cells, k)
    zz: np.ndarray    # (cells, k, k)
    zy: np.ndarray    # (cells, k)

    @classmethod
    def of(cls, cell: np.ndarray, log_wage: np.ndarray, traits: np.ndarray,
           cells: int) -> CellMoments:
        """The moments of workers in `cell` (0..cells-1) with `log_wage` and `traits` (n, k)."""
        k = traits.shape[1]

        def total(weights: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=weights, minlength=cells)

        return cls(n=np.bincount(cell, minlength=cells).astype(float), y=total(log_wage),
                   z=np.column_stack([total(traits[:, i]) for i in range(k)]),
                   zz=np.stack([np.column_stack([total(traits[:, i] * traits[:, j])
                                                 for j in range(k)]) for i in range(k)],
                               axis=1),
                   zy=np.column_stack([total(traits[:, i] * log_wage) for i in range(k)]))

    def __add__(self, other: CellMoments) -> CellMoments:
        return CellMoments(self.n + other.n, self.y + other.y, self.z + other.z,
                           self.zz + other.zz, self.zy + other.zy)


def cell_wage_effects(m: CellMoments) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's log wage net of its workers' characteristics, and their coefficients.

    The first step of the two-step wage curve on micro data (Blanchflower and Oswald 1994,
    ch. 4 and 5; Card 1995, JEL 33(2), §II): ln w_i = c_cell + g'z_i + e_i with a dummy for
    every cell, so g comes from differences between workers of the same cell only; c_cell
    = mean ln w - g' mean z is the cell's wage for workers of given characteristics. A
    region's mean wage rises when its least paid workers lose their jobs first (the
    composition bias Solon, Barsky and Parker 1994 measure in aggregate wages); c does not.
    Cells without workers get NaN.
    """
    n = m.n
    has = n > 0
    safe = np.where(has, n, 1.0)
    wzz = (m.zz - m.z[:, :, None] * m.z[:, None, :] / safe[:, None, None])[has].sum(axis=0)
    wzy = (m.zy - m.z * (m.y / safe)[:, None])[has].sum(axis=0)
    g = np.linalg.lstsq(wzz, wzy, rcond=None)[0]
    effect = np.where(has, (m.y - m.z @ g) / safe, np.nan)
    return effect, g


def worker_traits(skill: np.ndarray, tenure: np.ndarray) -> np.ndarray:
    """The characteristics a wage survey controls for, per worker: ln skill (schooling and
    ability) and years with the employer and their square (the experience profile of a
    Mincer equation), as in the individual controls of Blanchflower and Oswald (1994, ch. 4)."""
    years = tenure / QUARTERS
    return np.column_stack([np.log(skill), years, years * years])


def beta_convergence(initial_log: np.ndarray, growth: np.ndarray, period: np.ndarray,
                     years: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Annual beta-convergence rate (Barro and Sala-i-Martin 1991 §II, 1992 eq. 1).

    Each observation is a region over a period of `years` years: `growth` is its annual
    growth of income per head, (1/T) ln(y_T / y_0), `initial_log` is ln y_0. OLS of growth
    on initial log with period effects (which absorb common shocks and the price level)
    gives b = -(1 - exp(-beta T)) / T, so beta = -ln(1 + b T) / T. Returns beta (NaN when
    1 + b T <= 0) and the within-transformed (initial log, growth) for the figure.
    """
    b, xt, yt = fixed_effects_slope(growth, initial_log, [period])
    return beta_of_slope(b, years), xt, yt


def beta_of_slope(b: float, years: float) -> float:
    """beta = -ln(1 + b T) / T from the growth-on-initial-level slope b (NaN if 1 + bT <= 0)."""
    return float(-np.log1p(b * years) / years) if 1 + b * years > 0 else float("nan")


def rent_sharing_elasticity(wage: Sequence[np.ndarray], value_added: Sequence[np.ndarray],
                            quarters: int = QUARTERS) -> float:
    """Elasticity of a firm's wages to its value added per worker, from changes within firms.

    Card, Cardoso, Heining and Kline (2018, JOLE 36(S1), §II and Table 1): regressions of the
    change in a firm's mean wage on the change in its value added per worker, which the
    studies they survey put at 0.05 to 0.15. `wage[q]` and `value_added[q]` hold each firm's
    mean wage and value added per worker in quarter q (same index = same firm; 0 where it
    has no staff). The changes are over `quarters` (a year), from every quarter of the
    window, for firms with staff and positive value added at both ends; OLS of the log
    change in the wage on the log change in value added per worker, with an effect for each
    pair of quarters a year apart (common shocks and the price level).
    """
    dy, dx, pair = [], [], []
    for q in range(quarters, len(wage)):
        n = min(wage[q - quarters].size, wage[q].size)
        w0, w1 = wage[q - quarters][:n], wage[q][:n]
        v0, v1 = value_added[q - quarters][:n], value_added[q][:n]
        ok = (w0 > 0) & (w1 > 0) & (v0 > 0) & (v1 > 0)
        dy.append(np.log(w1[ok] / w0[ok]))
        dx.append(np.log(v1[ok] / v0[ok]))
        pair.append(np.full(int(ok.sum()), q))
    if not dy:
        return float("nan")
    slope, _, _ = fixed_effects_slope(np.concatenate(dy), np.concatenate(dx),
                                      [np.concatenate(pair)])
    return slope


def regional_unemployment_gap(unemployment: pd.DataFrame) -> float:
    """How far apart the regions' unemployment rates are (OECD 2018, Regions and Cities at a
    Glance, ch. 2): each year, the highest minus the lowest regional rate, in rate units;
    the mean over the years. `unemployment` has a row per year, a column per region
    (annual means); a region without workers that year is left out (NaN)."""
    gap = unemployment.max(axis=1, skipna=True) - unemployment.min(axis=1, skipna=True)
    return float(gap.mean()) if len(gap) else float("nan")


def annual_capital_relocated(moved: np.ndarray, capital: np.ndarray) -> float:
    """Capital relocated a year as a share of the capital stock (the model's counterpart of
    FDI flows over the capital stock): per year, the capital moved out of a region or sent
    abroad by firms (`moved`, per quarter) over the year's mean capital stock; mean over
    the years. `moved` and `capital` cover whole years (length a multiple of 4)."""
    moved = np.asarray(moved, dtype=float).reshape(-1, QUARTERS).sum(axis=1)
    stock = np.asarray(capital, dtype=float).reshape(-1, QUARTERS).mean(axis=1)
    return float(np.mean(np.where(stock > 0, moved / np.maximum(stock, 1e-300), np.nan)))


# -- one run ---------------------------------------------------------------------------------

@dataclass
class FirmRecorder:
    """Reads, each recorded quarter, what the facts need beyond the tidy frames: each
    firm's staff, target and whether it is active, and the employed's D9/D1. Read only."""

    employees: list[np.ndarray] = field(default_factory=list)
    target: list[np.ndarray] = field(default_factory=list)
    active: list[np.ndarray] = field(default_factory=list)
    d9_d1: list[float] = field(default_factory=list)
    mean_wage: list[np.ndarray] = field(default_factory=list)
    value_added: list[np.ndarray] = field(default_factory=list)
    wage_cells: list[CellMoments] = field(default_factory=list)

    def __call__(self, model: Any) -> None:
        if len(model.records) == len(self.employees):  # burn-in: nothing recorded
            return
        t, wf = model.firm_table, model.workforce
        self.employees.append(t.view("employees").copy())
        self.target.append(t.view("target").copy())
        self.active.append(t.view("active").copy())
        self.d9_d1.append(decile_ratio(wf.wage[wf.employed_index()]))
        # Per worker: firms buy no intermediate inputs, so revenue is value added.
        staff = np.maximum(t.view("employees"), 1)
        self.mean_wage.append(wf.firm_sums(wf.wage, t.size) / staff)
        self.value_added.append(t.view("revenue") / staff)
        # Each region's employed, for the wage curve's composition-adjusted wage.
        paid = wf.employed_index()
        paid = paid[wf.wage[paid] > 0]
        self.wage_cells.append(CellMoments.of(
            wf.region[paid], np.log(wf.wage[paid]),
            worker_traits(wf.skill[paid], wf.tenure[paid]), model.n_regions))

    def vacancy_rate(self) -> np.ndarray:
        """Unfilled target jobs of active firms / (employment + those vacancies), per quarter:
        the job openings rate of the US Job Openings and Labor Turnover Survey (openings /
        (employment + openings)), read at the end of the quarter, after its matching."""
        out = []
        for emp, target, active in zip(self.employees, self.target, self.active, strict=True):
            vacancies = float(np.maximum(target - emp, 0)[active].sum())
            filled = float(emp[active].sum())
            out.append(vacancies / (filled + vacancies) if filled + vacancies > 0 else 0.0)
        return np.asarray(out)


@dataclass
class Replicate:
    """One run's facts, and the data behind the report's figures."""

    seed: int
    facts: dict[str, float]
    figures: dict[str, np.ndarray]


def measure_replicate(scenario: Any, seed: int, window: int = 120,
                      convergence_years: int = 10) -> Replicate:
    """Run `scenario` once with `seed` and measure every fact over the window."""
    from highroad.api import simulate

    recorder = FirmRecorder()
    result = simulate(scenario, seed=seed, observer=recorder)
    return measure(result.economy, result.regions, recorder, seed, window, convergence_years)


def measure(economy: pd.DataFrame, regions: pd.DataFrame, recorder: FirmRecorder, seed: int,
            window: int, convergence_years: int) -> Replicate:
    """Apply each estimator to one run's frames and firm records (see `measure_replicate`)."""
    recorded = len(economy)
    # Whole years, counted back from the end; quarter 0 is kept as the 'before' of flows.
    quarters = min(window, recorded - 1) // QUARTERS * QUARTERS
    first = recorded - quarters
    eco = economy.iloc[first:]
    facts: dict[str, float] = {
        name: float(eco[column].mean()) for name, column in (
            ("unemployment", "unemployment"), ("income_gini", "income_gini"),
            ("wealth_gini", "wealth_gini"), ("labour_share", "labour_share"),
            ("middle_income_share", "middle_class_share"))}
    facts["earnings_d9_d1"] = float(np.nanmean(recorder.d9_d1[first:]))
    flows = np.array([job_flow_rates(recorder.employees[q - 1], recorder.employees[q])
                      for q in range(first, recorded)])
    facts["job_creation"] = float(np.nanmean(flows[:, 0]))
    facts["job_destruction"] = float(np.nanmean(flows[:, 1]))
    facts["firm_exit"] = float(np.nanmean([
        exit_rate(recorder.active[q - QUARTERS], recorder.active[q])
        for q in range(first + QUARTERS - 1, recorded, QUARTERS)]))
    last = recorder.employees[-1][recorder.active[-1]]
    facts["zipf_exponent"] = zipf_exponent(last)
    facts["rent_sharing"] = rent_sharing_elasticity(recorder.mean_wage[first:],
                                                    recorder.value_added[first:])
    vacancy = recorder.vacancy_rate()[first:]
    unemployment = eco["unemployment"].to_numpy()
    facts["vacancy_rate"] = float(vacancy.mean())
    facts["beveridge_correlation"] = beveridge_correlation(vacancy, unemployment)
    facts["capital_relocated"] = annual_capital_relocated(
        eco["capital_flight_amount"].to_numpy(), eco["capital_stock"].to_numpy())
    years = annual_regions(regions, eco["step"].min())
    facts["regional_unemployment_gap"] = regional_unemployment_gap(
        years.pivot(index="year", columns="region", values="unemployment"))
    years["wage"] = annual_wage_effects(recorder.wage_cells[first:], years)
    wage = years[(years["unemployment"] > 0) & np.isfinite(years["wage"])]
    facts["wage_curve_elasticity"], wage_x, wage_y = wage_curve(
        wage["wage"], np.log(wage["unemployment"]), wage["region"], wage["year"])
    initial, growth, period = convergence_panel(years, convergence_years)
    facts["beta_convergence"], conv_x, conv_y = beta_convergence(initial, growth, period,
                                                                 convergence_years)
    figures = {"unemployment": unemployment, "vacancy": vacancy, "firm_sizes": last,
               "wage_x": wage_x, "wage_y": wage_y, "convergence_x": conv_x,
               "convergence_y": conv_y}
    return Replicate(int(seed), facts, figures)


def annual_regions(regions: pd.DataFrame, first_step: int) -> pd.DataFrame:
    """Regional annual means (unemployment, GDP per head) of whole years from `first_step`
    on; `year` counts from 0. (The wage curve's regional wage is not a mean wage: it comes
    from the recorder's sums, `annual_wage_effects`.)"""
    frame = regions[regions["step"] >= first_step].copy()
    frame["year"] = (frame["step"] - first_step) // QUARTERS
    return (frame.groupby(["year", "region"], as_index=False)
            [["unemployment", "gdp_per_capita"]].mean())


def annual_wage_effects(quarters: list[CellMoments], years: pd.DataFrame) -> np.ndarray:
    """The composition-adjusted log wage (`cell_wage_effects`) of each row (year, region) of
    `years`: a cell is a region in a year, its workers those employed in the year's four
    quarters (four cross-sections, as a survey repeated each quarter). `quarters` are the
    window's quarters in order, each with the regions as its cells."""
    n_years = len(quarters) // QUARTERS
    if not n_years or not len(years):
        return np.full(len(years), np.nan)
    pooled = [sum(quarters[y * QUARTERS + 1:(y + 1) * QUARTERS], start=quarters[y * QUARTERS])
              for y in range(n_years)]
    stacked = CellMoments(*(np.concatenate([getattr(p, f) for p in pooled])
                            for f in ("n", "y", "z", "zz", "zy")))
    effect, _ = cell_wage_effects(stacked)
    regions = pooled[0].n.size
    return effect[years["year"].to_numpy() * regions + years["region"].to_numpy()]


def convergence_panel(years: pd.DataFrame, period_years: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(initial log GDP per head, annual growth, period) per region and non-overlapping
    period of `period_years` years, periods counted back from the last year."""
    wide = years.pivot(index="year", columns="region", values="gdp_per_capita")
    n_periods = (len(wide) - 1) // period_years
    initial, growth, period = [], [], []
    for p in range(n_periods):
        end = len(wide) - 1 - p * period_years
        y0, y1 = wide.iloc[end - period_years].to_numpy(), wide.iloc[end].to_numpy()
        ok = (y0 > 0) & (y1 > 0)
        initial.append(np.log(y0[ok]))
        growth.append(np.log(y1[ok] / y0[ok]) / period_years)
        period.append(np.full(ok.sum(), p))
    if not initial:
        return np.array([]), np.array([]), np.array([], dtype=int)
    return np.concatenate(initial), np.concatenate(growth), np.concatenate(period)
