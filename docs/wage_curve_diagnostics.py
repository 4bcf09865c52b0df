"""Why the regional wage curve is flat: the numbers docs/validation.md quotes.

    python docs/wage_curve_diagnostics.py [--replicates 8] [--set KEY=VALUE ...]

Runs the default economy (or with `--set` overrides) over replicates (seeds from
`SeedSequence(0)`, as `highroad facts`) and prints, over the last 120 quarters:

1. the wage curve the bargain's threat point implies, −(1 − β) s u (w_med − b) / w per
   region-quarter (`regions/returns.py::unemployment_threat` inside `nash_wage`; the
   formula is checked against the code in tests/test_wage_dispersion.py);
2. the panel elasticities (region and year effects) of the outside option and of the
   regional mean wage to regional unemployment;
3. the wage curve on workers (log wage on log annual regional unemployment with ln skill,
   tenure and its square), once with region and year effects (Blanchflower and Oswald
   1994, ch. 4) and once with firm and year effects: if the two differ, the composition of
   firms moves the regional curve; if not, wages within firms answer as the region's do.
   One snapshot a year of every employed worker.

About two minutes for eight replicates on two cores.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.facts import fixed_effects_slope, within
from highroad.analysis.facts_report import replicate_seeds
from highroad.scenarios.loader import parse_override

WINDOW = 120  # quarters at the end of the run, as `highroad facts`


class Snapshots:
    """Per quarter: each region's threat-point terms; once a year, every employed worker."""

    def __init__(self) -> None:
        self.regions: list[pd.DataFrame] = []
        self.workers: list[pd.DataFrame] = []

    def __call__(self, model: Any) -> None:
        step = int(model.steps)
        self.regions.append(pd.DataFrame({
            "step": step, "region": np.arange(model.n_regions),
            "u_smoothed": np.asarray(model.unemployment_rate, dtype=float),
            "benefit": model.region_column("benefit") + model.outside_bonus,
            "median_wage": model.region_column("median_wage"),
            "outside": model.outside_options()}))
        if step % 4 == 0:
            wf = model.workforce
            paid = wf.employed_index()
            self.workers.append(pd.DataFrame({
                "step": step, "firm": wf.employer[paid].astype(np.int64),
                "region": wf.region[paid], "log_wage": np.log(np.maximum(wf.wage[paid], 1e-12)),
                "log_skill": np.log(wf.skill[paid]), "tenure": wf.tenure[paid].astype(float)}))


def replicate(args: tuple[int, dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, float, float]:
    """One run: its region-quarter panel and its worker snapshots, with β and s."""
    from highroad.api import simulate
    from highroad.scenarios import load_scenario

    seed, overrides = args
    scenario = load_scenario("baseline", overrides)
    snaps = Snapshots()
    result = simulate(scenario, seed=seed, observer=snaps)
    last = int(result.regions["step"].max())
    regions = result.regions[["step", "region", "unemployment", "mean_wage"]]
    panel = pd.concat(snaps.regions).merge(regions, on=["step", "region"])
    panel = panel[panel["step"] > last - WINDOW].assign(seed=seed)
    panel["year"] = (panel["step"] - 1) // 4
    annual = panel.groupby(["year", "region"])["unemployment"].mean().rename("u_year")
    workers = pd.concat(snaps.workers).assign(seed=seed)
    workers = workers[workers["step"] > last - WINDOW]
    workers["year"] = (workers["step"] - 1) // 4
    workers = workers.join(annual, on=["year", "region"])
    lp = scenario.labour
    return panel, workers, lp.bargaining_power, lp.search_weight


def slope(y: np.ndarray, x: np.ndarray, controls: list[np.ndarray],
          groups: list[np.ndarray]) -> float:
    """OLS coefficient of x with the controls, every grouping's effects swept out
    (`fixed_effects_slope` with control variables)."""
    columns = [within(c, groups) for c in [x, *controls]]
    coef = np.linalg.lstsq(np.column_stack(columns), within(y, groups), rcond=None)[0]
    return float(coef[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    overrides = dict(parse_override(text) for text in args.set)
    seeds = replicate_seeds(0, args.replicates)
    with ProcessPoolExecutor(2) as pool:
        runs = list(pool.map(replicate, [(s, overrides) for s in seeds]))
    beta, weight = runs[0][2], runs[0][3]
    panel = pd.concat([r[0] for r in runs], ignore_index=True)
    panel = panel[(panel["u_smoothed"] > 0) & (panel["mean_wage"] > 0)]
    gain = (panel["median_wage"] - panel["benefit"]).clip(lower=0) / panel["mean_wage"]
    implied = -(1 - beta) * weight * panel["u_smoothed"] * gain
    print(f"bargaining power {beta}, weight of search {weight}, {len(seeds)} replicates")
    print(f"1. implied by the threat point: mean {implied.mean():+.4f}, "
          f"median {implied.median():+.4f}; mean (w_med - b) / w {gain.mean():.3f}")
    key = panel["seed"].astype(str) + "-"
    region, year = (key + panel["region"].astype(str)).to_numpy(), (
        key + panel["year"].astype(str)).to_numpy()
    log_u = np.log(panel["u_smoothed"].to_numpy())
    for name in ("outside", "mean_wage"):
        value, _, _ = fixed_effects_slope(np.log(panel[name].to_numpy()), log_u, [region, year])
        print(f"2. panel elasticity of the {name.replace('_', ' ')}: {value:+.4f}")
    workers = pd.concat([r[1] for r in runs], ignore_index=True)
    workers = workers[workers["u_year"] > 0]
    key = workers["seed"].astype(str) + "-"
    controls = [workers["log_skill"].to_numpy(), workers["tenure"].to_numpy(),
                workers["tenure"].to_numpy() ** 2]
    y, x = workers["log_wage"].to_numpy(), np.log(workers["u_year"].to_numpy())
    year = (key + workers["year"].astype(str)).to_numpy()
    for label, column in (("region", "region"), ("firm", "firm")):
        effects = (key + workers[column].astype(str)).to_numpy()
        print(f"3. wage curve with {label} and year effects: "
              f"{slope(y, x, controls, [effects, year]):+.4f} ({len(workers):,} worker-years)")


if __name__ == "__main__":
    main()
