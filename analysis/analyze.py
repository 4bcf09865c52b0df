"""`highroad analyze`: sensitivity analysis and scenario discovery on a finished sweep.

The design is read from the sweep's own `sweep.json`, never assumed: SALib's sampler is
called again with the stored problem, sample count, seed and options, and the matrix it
returns must map onto the stored design points exactly (otherwise the analysis refuses).
Each method is SALib's (or EMA Workbench's PRIM) called as its authors specify:

| method | design it needs | SALib / EMA call |
|---|---|---|
| `sobol` | `sobol` | `SALib.analyze.sobol.analyze(problem, Y, calc_second_order=<as sampled>)` |
| `morris` | `morris` | `SALib.analyze.morris.analyze(problem, X, Y, num_levels=<as sampled>)` |
| `delta` | `lhs`, `sobol`, `morris` | `SALib.analyze.delta.analyze(problem, X, Y)` |
| `prim` | any | `ema_workbench.analysis.prim.Prim(x, y > threshold).find_box()` |

Y is the end-of-run value (`end_<observable>` of `runs.parquet`) averaged over each design
point's replicates, in the order the sampler drew the points. Bootstrap intervals are 95%
(`conf_level`), with a fixed bootstrap seed so the same sweep always gives the same table.
A method the design cannot support is refused with a `ScenarioError` (exit 2 on the
command line).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.errors import ScenarioError
from highroad.scenarios.designs import Factor, salib_sample

METHODS = ("sobol", "morris", "delta", "prim")
#: The designs each method is valid on (None: any design).
VALID_DESIGNS: dict[str, tuple[str, ...] | None] = {
    "sobol": ("sobol",), "morris": ("morris",), "delta": ("lhs", "sobol", "morris"),
    "prim": None}
KINDS = {"float": float, "int": int, "bool": bool, "str": str}
CONF_LEVEL = 0.95
RESAMPLES = 1000
#: The bootstrap's seed. Not 0: SALib reads `seed=0` as "no seed" (`if seed:`) and then
#: draws from numpy's global state, so the intervals would change from call to call.
BOOTSTRAP_SEED = 1


@dataclass
class Analysis:
    """The indices (or PRIM box) of one observable, with what was written."""

    method: str
    observable: str
    table: pd.DataFrame
    second_order: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def analyze(sweep_dir: str | Path, method: str = "sobol", observable: str = "income_gini",
            threshold: float | None = None, below: bool = False, density: float = 0.8,
            write: bool = True, fmt: str = "png") -> Analysis:
    """Analyse a finished sweep's `end_<observable>` with `method`; write CSV and a figure.

    Files go to `SWEEP_DIR/analysis/<method>_<observable>.csv|<fmt>` (and
    `sobol_<observable>_S2.csv` for second-order indices). PRIM needs `threshold`: the
    runs of interest are those whose value is above it (`below=True`: below it), and
    `density` is the share of runs of interest a box must reach (EMA's `threshold`).
    """
    folder = Path(sweep_dir)
    spec, runs = _read_sweep(folder)
    design = spec.get("design", {})
    kind = design.get("method")
    if method not in METHODS:
        raise ScenarioError("--method", "method", f"'{method}' is not a method",
                            ", ".join(METHODS))
    valid = VALID_DESIGNS[method]
    if valid is not None and kind not in valid:
        raise ScenarioError(str(folder), "design.method", f"'{method}' cannot analyse a "
                            f"'{kind}' design", f"a sweep whose design is {' or '.join(valid)}")
    column = f"end_{observable}"
    if column not in runs:
        names = sorted(c.removeprefix("end_") for c in runs if c.startswith("end_"))
        raise ScenarioError(str(folder), "observable", f"no end-of-run values of "
                            f"'{observable}'", ", ".join(names))
    if method == "prim":
        result = prim_box(spec, runs, observable, column, threshold, below, density)
    else:
        y = point_values(runs, column, len(_points(folder)), folder)
        x = design_matrix(spec, folder)
        result = salib_indices(method, spec, x, y, observable)
    if write:
        write_analysis(result, folder / "analysis", fmt)
    return result


# -- reading the sweep ----------------------------------------------------------------------

def _read_sweep(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    if not (folder / "runs.parquet").is_file() or not (folder / "sweep.json").is_file():
        raise ScenarioError(str(folder), "", "is not a finished sweep's folder",
                            "a folder written by highroad sweep (with runs.parquet)")
    return json.loads((folder / "sweep.json").read_text()), pd.read_parquet(
        folder / "runs.parquet")


def _points(folder: Path) -> pd.DataFrame:
    """The design points in design order, from the stored plan (one row per point)."""
    plan = pd.read_parquet(folder / "design.parquet")
    return plan.drop_duplicates("point").sort_values("point").reset_index(drop=True)


def point_values(runs: pd.DataFrame, column: str, n_points: int, folder: Path) -> np.ndarray:
    """One value per design point (mean over its replicates), in design order."""
    ok = runs[runs["status"] == "ok"]
    values = ok.groupby("point")[column].mean().reindex(range(n_points))
    missing = np.flatnonzero(values.isna().to_numpy())
    if missing.size:
        raise ScenarioError(str(folder), column, f"{missing.size} design point(s) have no "
                            f"value (every run failed or gave NaN), e.g. point {missing[0]}",
                            "a sweep whose every design point has a finished run")
    return values.to_numpy(dtype=float)


def factors_of(spec: dict[str, Any]) -> tuple[Factor, ...]:
    """The sweep's factors as stored in sweep.json."""
    out = []
    for key, d in spec["factors"].items():
        kind = KINDS[d["kind"]]
        if "values" in d:
            out.append(Factor(key, kind, levels=tuple(d["values"])))
        else:
            out.append(Factor(key, kind, low=d.get("min"), high=d.get("max")))
    return tuple(out)


def design_matrix(spec: dict[str, Any], folder: Path) -> np.ndarray:
    """SALib's sample for the stored design, checked against the stored design points."""
    design = spec["design"]
    factors = factors_of(spec)
    x = salib_sample(design["method"], factors, design["samples"], design["seed"], design)
    points = _points(folder)
    for j, f in enumerate(factors):
        mapped = [f.value_at(v) for v in x[:, j]]
        if len(mapped) != len(points) or any(a != b for a, b in
                                             zip(mapped, points[f.key], strict=True)):
            raise ScenarioError(str(folder), "design", "SALib does not reproduce the stored "
                                f"design for factor '{f.key}' (another SALib version?)",
                                "analyse with the SALib the sweep was made with")
    return x


# -- SALib ------------------------------------------------------------------------------------

def salib_indices(method: str, spec: dict[str, Any], x: np.ndarray, y: np.ndarray,
                  observable: str) -> Analysis:
    """Call SALib's analyser for `method` exactly as the design requires."""
    from SALib.analyze import delta, morris, sobol

    problem = spec["problem"]
    names = problem["names"]
    common = {"conf_level": CONF_LEVEL, "seed": BOOTSTRAP_SEED}
    if method == "sobol":
        second = bool(spec["design"].get("calc_second_order", True))
        si = sobol.analyze(problem, y, calc_second_order=second, num_resamples=RESAMPLES,
                           **common)
        table = pd.DataFrame({"factor": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                              "ST": si["ST"], "ST_conf": si["ST_conf"]})
        pairs = None
        if second:
            d = len(names)
            rows = [(names[i], names[j], si["S2"][i, j], si["S2_conf"][i, j])
                    for i in range(d) for j in range(i + 1, d)]
            pairs = pd.DataFrame(rows, columns=["factor_i", "factor_j", "S2", "S2_conf"])
        return Analysis(method, observable, table, pairs,
                        extra={"calc_second_order": second})
    if method == "morris":
        si = morris.analyze(problem, x, y, num_levels=spec["design"].get("num_levels", 4),
                            num_resamples=RESAMPLES, **common)
        table = pd.DataFrame({"factor": names, "mu": si["mu"], "mu_star": si["mu_star"],
                              "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]})
        return Analysis(method, observable, table)
    notes = io.StringIO()
    with contextlib.redirect_stdout(notes):  # SALib >= 1.5 prints its notes on bins and bias
        si = delta.analyze(problem, x, y, num_resamples=RESAMPLES, **common)
    # SALib < 1.5 names Borgonovo's estimator on the data as given `delta`; later versions
    # `delta_raw` (beside the rebalanced variants).
    key = "delta" if "delta" in si else "delta_raw"
    table = pd.DataFrame({"factor": names, "delta": si[key], "delta_conf": si[f"{key}_conf"],
                          "S1": si["S1"], "S1_conf": si["S1_conf"]})
    return Analysis(method, observable, table, extra={"notes": notes.getvalue()})


# -- PRIM (EMA Workbench) -----------------------------------------------------------------------

def prim_box(spec: dict[str, Any], runs: pd.DataFrame, observable: str, column: str,
             threshold: float | None, below: bool, density: float) -> Analysis:
    """EMA Workbench's PRIM on the runs: which factor ranges make the outcome of interest."""
    if threshold is None:
        raise ScenarioError("--threshold", "threshold", "PRIM needs the threshold that "
                            "defines the runs of interest", "--threshold VALUE [--below]")
    try:
        from ema_workbench.analysis import prim
    except ImportError:
        raise ScenarioError("--method", "method", "PRIM needs EMA Workbench, not installed",
                            "pip install 'highroad[ema]'") from None
    ok = runs[(runs["status"] == "ok") & runs[column].notna()].reset_index(drop=True)
    keys = list(spec["factors"])
    x = ok[keys].copy()
    for key in keys:
        if not pd.api.types.is_numeric_dtype(x[key]) or x[key].dtype == bool:
            x[key] = x[key].astype(str).astype("category")
    y = (ok[column] < threshold) if below else (ok[column] > threshold)
    if not y.any():
        raise ScenarioError("--threshold", "threshold", f"no run has {observable} "
                            f"{'below' if below else 'above'} {threshold}",
                            f"a value inside [{ok[column].min():.4g}, {ok[column].max():.4g}]")
    finder = prim.Prim(x, y.to_numpy(), threshold=density)
    box = finder.find_box()
    last = len(box.peeling_trajectory) - 1  # find_box leaves the chosen box last and current
    limits = pd.DataFrame([_limit_row(key, box.box_lim[key], box.qp[last][key])
                           for key in box.qp[last]],
                          columns=["factor", "min", "max", "qp_min", "qp_max"])
    stats = box.peeling_trajectory.iloc[last]
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]]
    return Analysis("prim", observable, limits, extra={
        "trajectory": trajectory, "stats": stats.to_dict(), "threshold": threshold,
        "below": below, "density": density, "cases": int(y.sum()), "runs": len(y)})


def _limit_row(key: str, bounds: pd.Series, qp: list[float]) -> tuple[Any, ...]:
    """One restricted factor of a PRIM box: its limits (kept levels for a category)."""
    low, high = bounds.iloc[0], bounds.iloc[1]
    if isinstance(low, set):
        low = high = ", ".join(sorted(map(str, low)))
    qp_low, qp_high = (np.nan if v == -1 else v for v in qp)
    return key, low, high, qp_low, qp_high


# -- output -----------------------------------------------------------------------------------

def write_analysis(result: Analysis, out: Path, fmt: str = "png") -> None:
    """CSV tables and one figure, each written to a temporary name and renamed."""
    from highroad.analysis import plots

    out.mkdir(parents=True, exist_ok=True)
    stem = f"{result.method}_{result.observable}"
    tables = {stem: result.table}
    if result.second_order is not None:
        tables[f"{stem}_S2"] = result.second_order
    if "trajectory" in result.extra:
        tables[f"{stem}_trajectory"] = result.extra["trajectory"]
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        tmp = path.with_name(f".{path.name}.tmp")
        frame.to_csv(tmp, index=False)
        tmp.replace(path)
        result.files.append(path)
    result.files.append(plots.save(analysis_figure(result), out / stem, fmt))


def analysis_figure(result: Analysis) -> Any:
    from highroad.analysis import plots

    if result.method == "sobol":
        return plots.sobol_bars(result.table.assign(observable=result.observable),
                                result.observable)
    if result.method == "morris":
        return plots.morris_dots(result.table, result.observable)
    if result.method == "delta":
        return plots.delta_bars(result.table, result.observable)
    return plots.prim_tradeoff(result.extra["trajectory"], result.observable)
