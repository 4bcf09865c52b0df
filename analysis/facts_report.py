"""`highroad facts`: the default economy over replicates, beside the measured stylised facts.

The facts, their ranges and sources are data (scenarios/facts/facts.toml); which of them
the calibration targets (`role` = calibrated) or leaves out (`held_out`) is read from the
calibration file (scenarios/calibration/exit_by_size_focused.toml). Replicates share nothing but the
scenario: replicate r runs with the r-th seed of `SeedSequence(seed).spawn` (as sweeps do),
in parallel processes; the model value of a fact is its mean over replicates, with a 95%
percentile bootstrap interval of that mean over replicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.facts import Replicate, beta_of_slope, measure_replicate
from highroad.errors import ScenarioError
from highroad.provenance import describe, versions
from highroad.resources import check_output_folder
from highroad.scenarios.loader import SCENARIO_DIR, Scenario, load_scenario, read_toml
from highroad.scenarios.sweep_store import write_text

FACTS_FILE = SCENARIO_DIR / "facts" / "facts.toml"
COLUMNS = ["fact", "model", "ci_low", "ci_high", "low", "high", "source", "within", "role"]
FULL_REPLICATES, QUICK_REPLICATES = 100, 4


@dataclass(frozen=True)
class Fact:
    """A measured stylised fact: its range in the data and where the range comes from."""

    name: str
    label: str
    low: float
    high: float
    source: str
    measurement: str


@dataclass(frozen=True)
class FactsSpec:
    """The facts file: the facts and how the model's run is measured."""

    facts: dict[str, Fact]
    window: int
    convergence_years: int
    resamples: int
    source: str


def load_facts(path: str | Path | None = None) -> FactsSpec:
    """Read and check the facts file; a mistake names the file and the key."""
    path = Path(path) if path else FACTS_FILE
    src = str(path)
    if not path.is_file():
        raise ScenarioError(src, "", "no such facts file")
    doc = read_toml(path)
    meas = doc.get("measurement", {})
    window = _whole(meas, "window", src, "measurement.", 8)
    years = _whole(meas, "convergence_years", src, "measurement.", 1)
    resamples = _whole(meas, "bootstrap_resamples", src, "measurement.", 100)
    table = doc.get("facts")
    if not isinstance(table, dict) or not table:
        raise ScenarioError(src, "facts", "missing or empty", "a table of facts")
    facts = {}
    for name, raw in table.items():
        if not isinstance(raw, dict):
            raise ScenarioError(src, f"facts.{name}", "must be a table")
        where = f"facts.{name}."
        for key in ("label", "source", "measurement"):
            if not isinstance(raw.get(key), str):
                raise ScenarioError(src, where + key, "missing or not text", "a string")
        low, high = (_number(raw, k, src, where) for k in ("low", "high"))
        if low > high:
            raise ScenarioError(src, where + "low", f"{low} exceeds high {high}", "low <= high")
        unknown = set(raw) - {"label", "source", "measurement", "low", "high"}
        if unknown:
            raise ScenarioError(src, where + sorted(unknown)[0], "unknown key",
                                "label, low, high, source, measurement")
        facts[name] = Fact(name, raw["label"], low, high, raw["source"], raw["measurement"])
    return FactsSpec(facts, window, years, resamples, src)


def _number(table: dict, key: str, src: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ScenarioError(src, where + key, f"expected a number, got {value!r}", "a number")
    return float(value)


def _whole(table: dict, key: str, src: str, where: str, lo: int) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ScenarioError(src, where + key, f"expected a whole number >= {lo}, got {value!r}",
                            f"a whole number >= {lo}")
    return value


# -- running -----------------------------------------------------------------------------

def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Common random numbers: the same seeds for every candidate of a calibration too."""
    from highroad.scenarios.sweep_spec import replicate_seeds as seeds

    return [int(s) for s in seeds(seed, 1, replicates, "common")[0]]


def run_replicates(scenario: Scenario, seeds: Iterable[int], spec: FactsSpec,
                   workers: int | None = None) -> list[Replicate]:
    """Measure one replicate per seed, in seed order; `workers` > 1 uses spawned processes."""
    from highroad.scenarios.sweep_runner import default_workers

    seeds = list(seeds)
    task = partial(measure_replicate, scenario, window=spec.window,
                   convergence_years=spec.convergence_years)
    workers = min(workers or default_workers(), len(seeds))
    if workers <= 1:
        return [task(s) for s in seeds]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(task, seeds))


#: Regional facts estimated on the panel of every replicate's regions (each replicate's
#: observations within-transformed by its own fixed effects): the figure data holding the
#: within-transformed regressor and outcome, and the map from the pooled slope to the fact.
POOLED = {"wage_curve_elasticity": ("wage_x", "wage_y", None),
          "beta_convergence": ("convergence_x", "convergence_y", "beta")}


def bootstrap_interval(values: np.ndarray, resamples: int, seed: int = 0,
                       weights: np.ndarray | None = None,
                       transform: Callable[[np.ndarray], np.ndarray] | None = None
                       ) -> tuple[float, float]:
    """95% percentile bootstrap interval over replicates of sum(values) / sum(weights)
    (the mean when `weights` is None), then `transform`ed. Replicates with a NaN are left
    out; resamples whose statistic is NaN too."""
    values = np.asarray(values, dtype=float)
    weights = np.ones_like(values) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(values) & np.isfinite(weights)
    values, weights = values[ok], weights[ok]
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, values.size, size=(resamples, values.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = values[idx].sum(axis=1) / weights[idx].sum(axis=1)
    if transform is not None:
        stats = transform(stats)
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def fact_statistic(name: str, replicates: list[Replicate], spec: FactsSpec
                   ) -> tuple[np.ndarray, np.ndarray | None, Callable | None]:
    """Per replicate, the numerator and denominator whose pooled ratio is the fact, and the
    map from that ratio to the fact: the replicates' values (a mean), or for the POOLED
    regional facts the sums of x*y and x*x of the within-transformed panel (an OLS slope)."""
    if name not in POOLED:
        return np.array([r.facts.get(name, np.nan) for r in replicates], dtype=float), None, None
    xkey, ykey, kind = POOLED[name]
    xs = [np.asarray(r.figures[xkey], dtype=float) for r in replicates]
    ys = [np.asarray(r.figures[ykey], dtype=float) for r in replicates]
    sxy = np.array([np.sum(x * y) for x, y in zip(xs, ys, strict=True)])
    sxx = np.array([np.sum(x * x) for x in xs])
    sxx[sxx == 0] = np.nan  # a replicate without a panel adds nothing
    if kind == "beta":
        years = spec.convergence_years
        return sxy, sxx, np.vectorize(lambda b: beta_of_slope(b, years))
    return sxy, sxx, None


def pooled(num: np.ndarray, den: np.ndarray | None, transform: Callable | None) -> float:
    """The fact from its per-replicate statistic (see `fact_statistic`), NaNs left out."""
    den = np.ones_like(num) if den is None else den
    ok = np.isfinite(num) & np.isfinite(den)
    if not ok.any():
        return float("nan")
    value = float(num[ok].sum() / den[ok].sum())
    return float(transform(value)) if transform is not None else value


def fact_estimates(replicates: list[Replicate], spec: FactsSpec) -> dict[str, float]:
    """Every fact estimated over the replicates (what `facts` reports, what calibrations fit)."""
    return {name: pooled(*fact_statistic(name, replicates, spec)) for name in spec.facts}


def facts_table(replicates: list[Replicate], spec: FactsSpec,
                calibrated: set[str]) -> pd.DataFrame:
    """One row per fact: its estimate, bootstrap interval, range, source, role."""
    rows = []
    for name, fact in spec.facts.items():
        num, den, transform = fact_statistic(name, replicates, spec)
        model = pooled(num, den, transform)
        lo, hi = bootstrap_interval(num, spec.resamples, weights=den, transform=transform)
        rows.append({"fact": name, "model": model, "ci_low": lo, "ci_high": hi,
                     "low": fact.low, "high": fact.high, "source": fact.source,
                     "within": bool(fact.low <= model <= fact.high),
                     "role": "calibrated" if name in calibrated else "held_out"})
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass
class FactsReport:
    """What `facts` wrote: the table, each replicate's measurements, the folder."""

    table: pd.DataFrame
    replicates: list[Replicate]
    out: Path


def facts(scenario: str | Path | Scenario = "baseline", replicates: int | None = None,
          quick: bool = False, out: str | Path = "out/facts",
          overrides: dict[str, Any] | None = None, seed: int = 0,
          workers: int | None = None, calibration: str | Path | None = None,
          facts_file: str | Path | None = None) -> FactsReport:
    """Measure every stylised fact of facts.toml on `scenario` over replicates and write
    facts.csv, facts.md and figures/ to `out`. `quick`: 4 replicates instead of 100."""
    from highroad.analysis.facts_figures import write_figures
    from highroad.scenarios.calibration import load_calibration

    spec = load_facts(facts_file)
    scen = load_scenario(scenario, overrides)
    cal = load_calibration(calibration)
    calibrated = set(cal.targets)
    n = replicates or (QUICK_REPLICATES if quick else FULL_REPLICATES)
    if n < 2:
        raise ScenarioError("--replicates", "replicates", f"{n} is too few", ">= 2")
    out = check_output_folder(out, 0)  # before any run: a folder we can write
    seeds = replicate_seeds(seed, n)
    reps = run_replicates(scen, seeds, spec, workers)
    table = facts_table(reps, spec, calibrated)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    figures = write_figures(reps, spec, out / "figures", dict(zip(table["fact"], table["model"],
                                                                  strict=True)))
    write_text(out / "facts.csv", table.to_csv(index=False))
    per_rep = pd.DataFrame([{"seed": r.seed, **r.facts} for r in reps])
    write_text(out / "replicates.csv", per_rep.to_csv(index=False))
    made_with = versions()
    write_text(out / "versions.json", json.dumps(made_with, indent=2))
    provenance = (f"scenario `{scen.name}`, overrides {dict(overrides or {})}, "
                  f"{n} replicates (seeds from SeedSequence({seed})), window "
                  f"{spec.window} quarters; roles (calibrated or held out) from the "
                  f"targets of calibration file `{Path(cal.source).name}`; made with "
                  f"{describe(made_with)}")
    write_text(out / "facts.md", markdown(table, spec, provenance, figures))
    return FactsReport(table, reps, out)


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"


def result_table(table: pd.DataFrame, spec: FactsSpec) -> str:
    """The markdown table of facts (model value with 95% CI, range, within, role, source)."""
    lines = ["| fact | model [95% CI] | range | within | role | source |",
             "|---|---|---|---|---|---|"]
    for row in table.itertuples():
        fact = spec.facts[row.fact]
        lines.append(f"| {fact.label} | {format_value(row.model)} "
                     f"[{format_value(row.ci_low)}, {format_value(row.ci_high)}] | "
                     f"{format_value(row.low)} to {format_value(row.high)} | "
                     f"{'yes' if row.within else '**no**'} | {row.role} | {row.source} |")
    return "\n".join(lines)


def markdown(table: pd.DataFrame, spec: FactsSpec, provenance: str,
             figures: list[Path]) -> str:
    inside = int(table["within"].sum())
    held = table[table["role"] == "held_out"]
    lines = ["# Stylised facts: the model beside the data", "",
             f"Run: {provenance}.", "",
             f"**{inside} of {len(table)} facts inside their measured range** "
             f"({int(held['within'].sum())} of {len(held)} held-out facts).", "",
             result_table(table, spec), "",
             "## How each is measured", ""]
    lines += [f"- **{f.label}** (`{f.name}`): {f.measurement}." for f in spec.facts.values()]
    lines += ["", "## Figures", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in figures]
    return "\n".join(lines) + "\n"
