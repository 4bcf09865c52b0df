"""`highroad facts`: the default economy over replicates, beside the measured stylised facts.

The facts, their ranges and sources are data (scenarios/facts/facts.toml); which of them
the calibration targets (`role` = calibrated) or leaves out (`held_out`) is read from the
calibration file (scenarios/calibration/baseline.toml). Replicates share nothing but the
scenario: replicate r runs with the r-th seed of `SeedSequence(seed).spawn` (as sweeps do),
in parallel processes; the model value of a fact is its mean over replicates, with a 95%
percentile bootstrap interval of that mean over replicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.facts import Replicate, measure_replicate
from highroad.errors import ScenarioError
from highroad.scenarios.loader import SCENARIO_DIR, Scenario, load_scenario, read_toml

FACTS_FILE = SCENARIO_DIR / "facts" / "facts.toml"
COLUMNS = ["fact", "model", "ci_low", "ci_high", "low", "high", "source", "within", "role"]
FULL_REPLICATES, QUICK_REPLICATES = 20, 4


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


def bootstrap_interval(values: np.ndarray, resamples: int, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean over replicates (NaNs left out)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, size=(resamples, values.size))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def facts_table(replicates: list[Replicate], spec: FactsSpec,
                calibrated: set[str]) -> pd.DataFrame:
    """One row per fact: mean over replicates, bootstrap interval, range, source, role."""
    rows = []
    for name, fact in spec.facts.items():
        values = np.array([r.facts.get(name, np.nan) for r in replicates], dtype=float)
        finite = values[np.isfinite(values)]
        model = float(finite.mean()) if finite.size else float("nan")
        lo, hi = bootstrap_interval(values, spec.resamples)
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
    facts.csv, facts.md and figures/ to `out`. `quick`: 4 replicates instead of 20."""
    from highroad.analysis.facts_figures import write_figures
    from highroad.scenarios.calibration import load_calibration

    spec = load_facts(facts_file)
    scen = load_scenario(scenario, overrides)
    calibrated = set(load_calibration(calibration).targets)
    n = replicates or (QUICK_REPLICATES if quick else FULL_REPLICATES)
    if n < 2:
        raise ScenarioError("--replicates", "replicates", f"{n} is too few", ">= 2")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", "out", f"{out} exists and is not a folder", "a folder path")
    seeds = replicate_seeds(seed, n)
    reps = run_replicates(scen, seeds, spec, workers)
    table = facts_table(reps, spec, calibrated)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    figures = write_figures(reps, spec, out / "figures")
    write_atomic(out / "facts.csv", table.to_csv(index=False))
    per_rep = pd.DataFrame([{"seed": r.seed, **r.facts} for r in reps])
    write_atomic(out / "replicates.csv", per_rep.to_csv(index=False))
    provenance = (f"scenario `{scen.name}`, overrides {dict(overrides or {})}, "
                  f"{n} replicates (seeds from SeedSequence({seed})), window "
                  f"{spec.window} quarters")
    write_atomic(out / "facts.md", markdown(table, spec, provenance, figures))
    return FactsReport(table, reps, out)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def format_value(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


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
