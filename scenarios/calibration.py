"""`highroad calibrate`: the method of simulated moments over a calibration file.

The file declares the base scenario, the parameters with their bounds, the targets (facts
of scenarios/facts/facts.toml, with a value and a weight each) and the search settings.
For a parameter vector theta the simulated moments m(theta) are the facts' means over
`replicates` runs with common random numbers (the same seeds for every candidate, from
`SeedSequence(seed)`), and the distance is

    J(theta) = sum_k w_k (m_k(theta) - t_k)^2,   w_k = 1 / (half the fact's range)^2 by default

(a moment's miss in units of its measured range). Where the data give a range rather than
a point (`[objective] kind = "range"`), a moment inside its measured range [l_k, h_k] is
not a miss, and what it lies outside counts instead:

    J(theta) = sum_k w_k d_k(theta)^2 + pull * sum_k w_k (m_k(theta) - t_k)^2,
    d_k = max(l_k - m_k, 0, m_k - h_k)

(moment inequalities: Chernozhukov, Hong and Tamer 2007, Econometrica 75(5); `pull`,
default 0.05, only orders candidates that are all inside, toward the targets). `margin`
(default 0) narrows each range by that share of its width at both ends before d_k is
taken: d_k's slope is zero at a range's edge while the pull's is not, so with `margin` 0 a
fit can settle a moment just outside its range, where simulation noise of a few replicates
decides whether it is in; a margin makes the fit aim inside by a buffer. The search
has two stages (Gourieroux and Monfort 1996, ch. 2; for agent-based models, Grazzini and
Richiardi 2015):

1. global: `samples` points of a scrambled Sobol sequence (or Latin hypercube) over the
   bounds (scipy.stats.qmc), and the file's `[global.start]` point if it has one (the
   previous estimate), evaluated in parallel;
2. local: Nelder-Mead (scipy.optimize) on J from the best global point, within the bounds.

Identification: the Jacobian dm_k/dtheta_j at the estimate by central finite differences
(5% of each parameter's range), its elasticities, and the standardised regression
coefficients of each moment on the parameters over the global sample.

Every evaluation is written durably (temporary file, fsync, rename, as sweeps do) before
it is used; `resume` re-reads them, so a killed calibration replays the same deterministic
search and runs only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.facts import Replicate
from highroad.errors import InvariantError, ScenarioError
from highroad.provenance import versions
from highroad.scenarios.loader import (
    SCENARIO_DIR,
    Scenario,
    apply_overrides,
    load_scenario,
    read_toml,
    scenario_path,
)
from highroad.scenarios.sweep_store import check_results_folder, durable_write, write_json

CALIBRATION_DIR = SCENARIO_DIR / "calibration"
# The calibration whose estimate the defaults are (scenarios/schema.py; docs/validation.md).
SHIPPED_CALIBRATION = "exit_by_size_focused.toml"
GLOBAL_METHODS = ("sobol", "lhs")
TOP_KEYS = ("description", "scenario", "seed", "replicates", "settings", "global", "local",
            "objective", "parameters", "targets")
OBJECTIVES = ("point", "range")
#: Weight of the miss of the target under the range objective (module docstring).
DEFAULT_PULL = 0.05
#: Distance of a candidate whose moment is undefined (NaN): worse than any real one.
UNDEFINED = 1e6


@dataclass(frozen=True)
class Parameter:
    key: str
    low: float
    high: float


@dataclass(frozen=True)
class Target:
    fact: str
    value: float
    weight: float
    low: float = -math.inf   # the fact's measured range (used by the range objective)
    high: float = math.inf


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration file."""

    source: str
    description: str
    scenario: str
    seed: int
    replicates: int
    settings: dict[str, Any]
    global_method: str
    global_samples: int
    local_evaluations: int
    parameters: tuple[Parameter, ...]
    targets: dict[str, Target]
    objective: str = "point"
    pull: float = DEFAULT_PULL
    margin: float = 0.0
    start: tuple[float, ...] | None = None   # a point evaluated beside the design

    def base(self) -> Scenario:
        return load_scenario(self.scenario_file, self.settings)

    @property
    def scenario_file(self) -> Path:
        """The base scenario: a shipped name, or a path relative to the calibration file."""
        path = Path(self.scenario)
        if path.suffix == ".toml" and not path.is_absolute():
            path = Path(self.source).parent / path
        return scenario_path(path if path.suffix == ".toml" else self.scenario)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["targets"] = {k: asdict(t) for k, t in self.targets.items()}
        if not self.margin:  # only when used, so earlier calibrations keep their fingerprint
            out.pop("margin")
        return out

    def fingerprint(self) -> str:
        decisive = self.to_dict() | {"base": self.base().to_dict()}
        decisive.pop("source")
        decisive.pop("description")
        text = json.dumps(decisive, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_calibration(path: str | Path | None = None) -> CalibrationSpec:
    """Read and check a calibration file (default: the shipped one, `SHIPPED_CALIBRATION`)."""
    from highroad.analysis.facts_report import load_facts

    path = Path(path) if path else CALIBRATION_DIR / SHIPPED_CALIBRATION
    if not path.suffix and not path.exists():
        path = CALIBRATION_DIR / f"{path}.toml"
    src = str(path)
    if not path.is_file():
        raise ScenarioError(src, "", "no such calibration file")
    doc = read_toml(path)
    for key in doc:
        if key not in TOP_KEYS:
            raise ScenarioError(src, key, "unknown key", ", ".join(TOP_KEYS))
    scenario = doc.get("scenario", "baseline")
    if not isinstance(scenario, str):
        raise ScenarioError(src, "scenario", f"expected text, got {scenario!r}",
                            "a scenario name or a .toml path")
    settings = _table(doc, "settings", src)
    glob, local = _table(doc, "global", src), _table(doc, "local", src)
    method = glob.get("method", "sobol")
    if method not in GLOBAL_METHODS:
        raise ScenarioError(src, "global.method", f"{method!r} is not a known method",
                            ", ".join(GLOBAL_METHODS))
    _only(glob, ("method", "samples", "start"), src, "global.")
    _only(local, ("method", "max_evaluations"), src, "local.")
    if local.get("method", "nelder-mead") != "nelder-mead":
        raise ScenarioError(src, "local.method", f"{local['method']!r} is not a known method",
                            "nelder-mead")
    objective = _table(doc, "objective", src)
    _only(objective, ("kind", "pull", "margin"), src, "objective.")
    kind = objective.get("kind", "point")
    if kind not in OBJECTIVES:
        raise ScenarioError(src, "objective.kind", f"{kind!r} is not a known objective",
                            ", ".join(OBJECTIVES))
    pull = _float(objective, "pull", src, "objective.") if "pull" in objective else DEFAULT_PULL
    if pull < 0:
        raise ScenarioError(src, "objective.pull", f"{pull} is negative", ">= 0")
    margin = _float(objective, "margin", src, "objective.") if "margin" in objective else 0.0
    if not 0 <= margin < 0.5 or (margin and kind != "range"):
        raise ScenarioError(src, "objective.margin", f"{margin} is not allowed here",
                            'from 0 to below 0.5, with kind = "range"')
    facts = load_facts().facts
    spec = CalibrationSpec(
        source=src, description=str(doc.get("description", "")), scenario=scenario,
        seed=_int(doc, "seed", src, "", 0, 0), replicates=_int(doc, "replicates", src, "", 1, 4),
        settings=settings, global_method=method,
        global_samples=_int(glob, "samples", src, "global.", 1, 32),
        local_evaluations=_int(local, "max_evaluations", src, "local.", 0, 40),
        parameters=tuple(_parameters(doc, src)), targets=_targets(doc, src, facts),
        objective=kind, pull=pull, margin=margin)
    spec = replace(spec, start=_start(glob, spec.parameters, src))
    try:  # every candidate must be a valid scenario: check the base and both bounds
        spec.base()
        for p in spec.parameters:
            load_scenario(spec.scenario_file, settings | {p.key: p.low})
            load_scenario(spec.scenario_file, settings | {p.key: p.high})
    except ScenarioError as exc:
        raise ScenarioError(src, exc.key, f"{exc.problem} (in {exc.source})",
                            exc.allowed) from None
    return spec


def _table(doc: dict, key: str, src: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(src, key, f"must be a table, got {value!r}")
    return value


def _only(table: dict, allowed: Sequence[str], src: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ScenarioError(src, where + key, "unknown key", ", ".join(allowed))


def _int(table: dict, key: str, src: str, where: str, lo: int, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ScenarioError(src, where + key, f"expected a whole number >= {lo}, got {value!r}",
                            f"a whole number >= {lo}")
    return value


def _float(table: dict, key: str, src: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(src, where + key, f"expected a number, got {value!r}", "a number")
    return float(value)


def _parameters(doc: dict, src: str) -> Iterator[Parameter]:
    raw = doc.get("parameters")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(src, "parameters", "missing or empty",
                            "[[parameters]] tables with key, low, high")
    seen = set()
    for i, p in enumerate(raw):
        where = f"parameters[{i}]."
        if not isinstance(p, dict):
            raise ScenarioError(src, f"parameters[{i}]", "must be a table")
        _only(p, ("key", "low", "high"), src, where)
        if not isinstance(p.get("key"), str) or p["key"] in seen:
            raise ScenarioError(src, where + "key", f"missing or repeated: {p.get('key')!r}",
                                "a dotted scenario key, once")
        low, high = _float(p, "low", src, where), _float(p, "high", src, where)
        if not low < high:
            raise ScenarioError(src, where + "low", f"{low} is not below high {high}",
                                "low < high")
        seen.add(p["key"])
        yield Parameter(p["key"], low, high)


def _start(glob: dict, parameters: Sequence[Parameter], src: str) -> tuple[float, ...] | None:
    """`[global.start]`: a value for every parameter, inside its bounds, or nothing."""
    table = glob.get("start")
    if table is None:
        return None
    keys = [p.key for p in parameters]
    if not isinstance(table, dict) or sorted(table) != sorted(keys):
        raise ScenarioError(src, "global.start", "must give a value for each parameter, "
                            "and nothing else", ", ".join(keys))
    values = []
    for p in parameters:
        v = _float(table, p.key, src, "global.start.")
        if not p.low <= v <= p.high:
            raise ScenarioError(src, f"global.start.{p.key}", f"{v} is outside the bounds",
                                f"{p.low} to {p.high}")
        values.append(v)
    return tuple(values)


def _targets(doc: dict, src: str, facts: dict[str, Any]) -> dict[str, Target]:
    raw = doc.get("targets")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(src, "targets", "missing or empty", "[[targets]] tables with fact")
    out = {}
    for i, t in enumerate(raw):
        where = f"targets[{i}]."
        if not isinstance(t, dict):
            raise ScenarioError(src, f"targets[{i}]", "must be a table")
        _only(t, ("fact", "value", "weight"), src, where)
        name = t.get("fact")
        if name not in facts or name in out:
            raise ScenarioError(src, where + "fact", f"unknown or repeated fact {name!r}",
                                ", ".join(facts))
        fact = facts[name]
        value = _float(t, "value", src, where) if "value" in t else 0.5 * (fact.low + fact.high)
        half = 0.5 * (fact.high - fact.low)
        weight = _float(t, "weight", src, where) if "weight" in t else (
            1.0 / half**2 if half > 0 else 1.0)
        if weight < 0:
            raise ScenarioError(src, where + "weight", f"{weight} is negative", ">= 0")
        out[name] = Target(name, value, weight, fact.low, fact.high)
    return out


# -- evaluations -------------------------------------------------------------------------

def distance(moments: dict[str, float], targets: dict[str, Target], objective: str = "point",
             pull: float = DEFAULT_PULL, margin: float = 0.0) -> float:
    """The weighted moment distance J of the `objective` (module docstring); UNDEFINED if a
    moment is NaN."""
    total = 0.0
    for name, t in targets.items():
        m = moments.get(name, float("nan"))
        if not math.isfinite(m):
            return UNDEFINED
        total += contribution(m, t, objective, pull, margin)
    return total


def contribution(m: float, t: Target, objective: str = "point",
                 pull: float = DEFAULT_PULL, margin: float = 0.0) -> float:
    """One moment's term of J: its squared miss of the target, or under the range objective
    its squared distance outside the measured range, narrowed by `margin` of its width at
    each end, plus `pull` times the former."""
    if objective == "range":
        slack = margin * (t.high - t.low)
        outside = max(t.low + slack - m, 0.0, m - t.high + slack)
        return t.weight * (outside**2 + pull * (m - t.value) ** 2)
    return t.weight * (m - t.value) ** 2


def point_key(theta: Sequence[float]) -> str:
    """A stable name for a parameter vector (exact float values)."""
    text = ",".join(float(v).hex() for v in theta)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def measure_candidate(scenario: Any, seed: int, window: int, convergence_years: int
                      ) -> Replicate | str:
    """One replicate's facts, or the message of the invariant that stopped its run: a
    candidate whose economy leaves the plausible region is a bad fit, not a failed
    calibration (its distance is UNDEFINED, so neither stage chooses it)."""
    from highroad.analysis.facts import measure_replicate

    try:
        return measure_replicate(scenario, seed, window, convergence_years)
    except InvariantError as stop:
        return str(stop)


class Evaluator:
    """Simulated moments of parameter vectors: cached on disk, run in parallel."""

    def __init__(self, spec: CalibrationSpec, out: Path, pool: ProcessPoolExecutor | None
                 ) -> None:
        from highroad.analysis.facts_report import load_facts, replicate_seeds

        self.spec, self.folder, self.pool = spec, out / "evaluations", pool
        self.facts = load_facts()
        self.seeds = replicate_seeds(spec.seed, spec.replicates)
        self.base = spec.base()
        self.cache: dict[str, dict[str, Any]] = {}
        self.ran = 0
        self.reused_keys: set[str] = set()
        self.folder.mkdir(parents=True, exist_ok=True)
        for stray in self.folder.glob(".*.tmp"):
            stray.unlink()
        for path in sorted(self.folder.glob("eval-*.json")):
            record = json.loads(path.read_text())
            self.cache[record["key"]] = record
        self.loaded = set(self.cache)

    @property
    def reused(self) -> int:
        """Evaluations found on disk (a resumed calibration's) that this run has used."""
        return len(self.reused_keys)

    def evaluate(self, thetas: Sequence[Sequence[float]], stage: str) -> list[dict[str, Any]]:
        """Records (parameters, moments, distance) of each vector; runs only new ones."""
        keys = [point_key(t) for t in thetas]
        todo = {k: t for k, t in zip(keys, thetas, strict=True) if k not in self.cache}
        self.reused_keys.update(k for k in keys if k in self.loaded)
        facts = self.facts
        jobs = [(k, s) for k in todo for s in self.seeds]
        scenarios = {k: load_scenario(self.base, self.overrides(t)) for k, t in todo.items()}
        args = ([scenarios[k] for k, _ in jobs], [s for _, s in jobs])
        mapper = self.pool.map if self.pool is not None else map
        results = mapper(measure_candidate, *args, [facts.window] * len(jobs),
                         [facts.convergence_years] * len(jobs))
        per_point: dict[str, list[Replicate]] = {k: [] for k in todo}
        for (k, _), rep in zip(jobs, results, strict=True):
            per_point[k].append(rep)
            if len(per_point[k]) == len(self.seeds):
                self._save(k, todo[k], per_point[k], stage)
        return [self.cache[k] for k in keys]

    def overrides(self, theta: Sequence[float]) -> dict[str, Any]:
        return {p.key: float(v) for p, v in zip(self.spec.parameters, theta, strict=True)}

    def _save(self, key: str, theta: Sequence[float], reps: list[Replicate | str],
              stage: str) -> None:
        from highroad.analysis.facts_report import fact_estimates

        stopped = [r for r in reps if isinstance(r, str)]
        moments = {} if stopped else fact_estimates(reps, self.facts)
        record = {"key": key, "index": len(self.cache), "stage": stage,
                  "theta": [float(v) for v in theta],
                  "parameters": self.overrides(theta), "moments": moments,
                  "distance": distance(moments, self.spec.targets, self.spec.objective,
                                       self.spec.pull, self.spec.margin),
                  "stopped": stopped[0] if stopped else ""}
        write_json(self.folder / f"eval-{key}.json", record)
        self.cache[key] = record
        self.ran += 1

    def table(self) -> pd.DataFrame:
        rows = [{"index": r["index"], "stage": r["stage"], "distance": r["distance"],
                 **r["parameters"], **{f"m_{k}": v for k, v in r["moments"].items()}}
                for r in self.cache.values()]
        return pd.DataFrame(rows).sort_values("index", ignore_index=True)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield pool


# -- the search --------------------------------------------------------------------------

@dataclass
class CalibrationResult:
    """Estimates, the moment fit, identification, and what was run or re-used."""

    estimates: dict[str, float]
    distance: float
    fit: pd.DataFrame
    jacobian: pd.DataFrame
    global_sensitivity: pd.DataFrame
    evaluations: pd.DataFrame
    ran: int
    reused: int
    out: Path


def global_design(spec: CalibrationSpec) -> np.ndarray:
    """The global stage's points in the unit cube (deterministic: seeded scrambling), and
    the file's `[global.start]` point last, if it declares one: a calibration re-run after a
    change to the model then starts its local stage no worse than the estimate it had,
    wherever the design's points fall."""
    from scipy.stats import qmc

    d = len(spec.parameters)
    if spec.global_method == "sobol":
        sampler = qmc.Sobol(d, scramble=True, seed=spec.seed)
        m = max(0, math.ceil(math.log2(spec.global_samples)))
        design = sampler.random_base2(m)[: spec.global_samples]
    else:
        design = qmc.LatinHypercube(d, seed=spec.seed).random(spec.global_samples)
    if spec.start is not None:
        design = np.vstack([design, to_unit(spec, np.array(spec.start))])
    return design


def bounds(spec: CalibrationSpec) -> tuple[np.ndarray, np.ndarray]:
    """The parameters' lower and upper bounds, as arrays."""
    return (np.array([p.low for p in spec.parameters]),
            np.array([p.high for p in spec.parameters]))


def to_theta(spec: CalibrationSpec, unit: np.ndarray) -> np.ndarray:
    low, high = bounds(spec)
    return low + np.clip(unit, 0.0, 1.0) * (high - low)


def to_unit(spec: CalibrationSpec, theta: np.ndarray) -> np.ndarray:
    """The inverse of `to_theta` for a point inside the bounds."""
    low, high = bounds(spec)
    return (theta - low) / (high - low)


def local_search(spec: CalibrationSpec, ev: Evaluator, start: np.ndarray) -> np.ndarray:
    """Nelder-Mead on J in unit coordinates from `start`; the best unit point seen."""
    from scipy.optimize import minimize

    d = len(spec.parameters)
    if spec.local_evaluations == 0:
        return start
    simplex = np.vstack([start] + [np.clip(start + 0.15 * np.eye(d)[j] * (
        1 if start[j] < 0.85 else -1), 0, 1) for j in range(d)])

    def objective(unit: np.ndarray) -> float:
        return ev.evaluate([to_theta(spec, unit)], "local")[0]["distance"]

    res = minimize(objective, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * d,
                   options={"maxfev": spec.local_evaluations, "initial_simplex": simplex,
                            "xatol": 1e-3, "fatol": 1e-9})
    return np.clip(res.x, 0.0, 1.0)


def jacobian(spec: CalibrationSpec, ev: Evaluator, theta: np.ndarray,
             names: Sequence[str]) -> np.ndarray:
    """dm_k/dtheta_j by central differences of 5% of the range (one-sided at a bound)."""
    d = len(spec.parameters)
    points, steps = [], []
    for j, p in enumerate(spec.parameters):
        h = 0.05 * (p.high - p.low)
        up, down = theta.copy(), theta.copy()
        up[j] = min(theta[j] + h, p.high)
        down[j] = max(theta[j] - h, p.low)
        points += [up, down]
        steps.append(up[j] - down[j])
    records = ev.evaluate(points, "identification")
    out = np.zeros((len(names), d))
    for j in range(d):
        hi, lo = records[2 * j]["moments"], records[2 * j + 1]["moments"]
        # A step whose run stopped at a plausibility bound leaves that column undefined.
        out[:, j] = [(hi.get(k, np.nan) - lo.get(k, np.nan)) / steps[j] for k in names]
    return out


def global_sensitivity(spec: CalibrationSpec, records: list[dict[str, Any]],
                       names: Sequence[str]) -> pd.DataFrame:
    """Standardised regression coefficients of each moment on the parameters over the
    global sample (how strongly each moment moves with each parameter across the box)."""
    theta = np.array([r["theta"] for r in records])
    rows = []
    for k in names:
        m = np.array([r["moments"].get(k, np.nan) for r in records])
        ok = np.isfinite(m)
        row = {"moment": k}
        if ok.sum() > theta.shape[1] + 1 and m[ok].std() > 0:
            x = (theta[ok] - theta[ok].mean(0)) / np.where(theta[ok].std(0) > 0,
                                                             theta[ok].std(0), 1)
            y = (m[ok] - m[ok].mean()) / m[ok].std()
            coef, *_ = np.linalg.lstsq(np.column_stack([np.ones(ok.sum()), x]), y, rcond=None)
            row |= {p.key: float(c) for p, c in zip(spec.parameters, coef[1:], strict=True)}
            fitted = np.column_stack([np.ones(ok.sum()), x]) @ coef
            row["r2"] = float(1 - np.sum((y - fitted) ** 2) / np.sum(y**2))
        rows.append(row)
    return pd.DataFrame(rows)


def calibrate(file: str | Path, out: str | Path | None = None, resume: bool = False,
              workers: int | None = None) -> CalibrationResult:
    """Run the calibration of `file` (see the module docstring); write its report to `out`."""
    from highroad.scenarios.sweep_runner import default_workers

    spec = load_calibration(file)
    out = Path(out) if out else Path("out/calibration") / Path(spec.source).stem
    check_results_folder(out, out / "calibration.json", spec.fingerprint(), resume,
                         "calibration")
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "calibration.json").exists():
        write_json(out / "calibration.json",
                   {"fingerprint": spec.fingerprint(), "spec": spec.to_dict(),
                    "versions": versions()})
    names = list(spec.targets)
    with process_pool(workers or default_workers()) as pool:
        ev = Evaluator(spec, out, pool)
        design = global_design(spec)
        first = ev.evaluate([to_theta(spec, u) for u in design], "global")
        best = int(np.argmin([r["distance"] for r in first]))
        unit = local_search(spec, ev, design[best])
        # The estimate: the best candidate evaluated by either stage.
        candidates = first + [ev.evaluate([to_theta(spec, unit)], "local")[0]]
        chosen = min(candidates, key=lambda r: (r["distance"], r["index"]))
        theta = np.array(chosen["theta"])
        jac = jacobian(spec, ev, theta, names)
    fit = pd.DataFrame([{"fact": k, "target": t.value, "low": t.low, "high": t.high,
                         "model": chosen["moments"][k], "weight": t.weight,
                         "contribution": contribution(chosen["moments"][k], t, spec.objective,
                                                      spec.pull, spec.margin)}
                        for k, t in spec.targets.items()])
    jac_table = identification_table(spec, jac, theta, chosen["moments"], names)
    sens = global_sensitivity(spec, first, list(ev.facts.facts))
    result = CalibrationResult(dict(chosen["parameters"]), chosen["distance"], fit, jac_table,
                               sens, ev.table(), ev.ran, ev.reused, out)
    write_outputs(spec, result)
    return result


def identification_table(spec: CalibrationSpec, jac: np.ndarray, theta: np.ndarray,
                         moments: dict[str, float], names: Sequence[str]) -> pd.DataFrame:
    """Per moment and parameter: dm/dtheta, the elasticity, and the change over the
    parameter's whole range in units of the target's tolerance (sqrt of its weight)."""
    rows = []
    for i, k in enumerate(names):
        w = spec.targets[k].weight
        for j, p in enumerate(spec.parameters):
            m = moments[k]
            rows.append({"moment": k, "parameter": p.key, "derivative": jac[i, j],
                         "elasticity": jac[i, j] * theta[j] / m if m else float("nan"),
                         "scaled": jac[i, j] * (p.high - p.low) * math.sqrt(w)})
    return pd.DataFrame(rows)


def write_outputs(spec: CalibrationSpec, result: CalibrationResult) -> None:
    out = result.out
    durable_write(out / "evaluations.csv", lambda tmp: result.evaluations.to_csv(tmp, index=False))
    durable_write(out / "identification.csv",
                  lambda tmp: result.jacobian.to_csv(tmp, index=False))
    write_json(out / "estimates.json", {"versions": versions(), "estimates": result.estimates,
                                        "distance": result.distance,
                                        "fit": result.fit.to_dict("records")})
    scenario = calibrated_scenario(spec, result.estimates)
    durable_write(out / "calibrated.toml", lambda tmp: tmp.write_text(scenario))
    durable_write(out / "calibration.md", lambda tmp: tmp.write_text(report(spec, result)))


def calibrated_scenario(spec: CalibrationSpec, estimates: dict[str, float]) -> str:
    """The base scenario file with the settings and the estimates written in, as TOML."""
    doc = apply_overrides(read_toml(spec.scenario_file), spec.settings | estimates)
    doc["description"] = f"Calibrated by {Path(spec.source).name}: " + ", ".join(
        f"{k} = {v:.4g}" for k, v in estimates.items())
    return dump_toml(doc)


def dump_toml(doc: dict[str, Any], prefix: str = "") -> str:
    """Nested tables of numbers, booleans, text and lists as TOML (what scenarios hold)."""
    from highroad.scenarios.sweep_spec import toml_value

    lines = [f"{k} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            name = f"{prefix}{k}"
            scalars = {kk: vv for kk, vv in v.items() if not isinstance(vv, dict)}
            lines += ["", f"[{name}]", *(f"{kk} = {toml_value(vv)}" for kk, vv in scalars.items())]
            nested = {kk: vv for kk, vv in v.items() if isinstance(vv, dict)}
            if nested:
                lines.append(dump_toml(nested, name + ".").rstrip("\n"))
    return "\n".join(lines) + "\n"


def report(spec: CalibrationSpec, result: CalibrationResult) -> str:
    """calibration.md: estimates, moment fit, identification, provenance."""
    fmt = "{:.4g}".format
    own = " and the file's start point" if spec.start is not None else ""
    lines = [f"# Calibration: {Path(spec.source).name}", "", spec.description, "",
             f"Base scenario `{spec.scenario}` with settings {spec.settings}; {spec.replicates} "
             f"replicates per candidate with common seeds from SeedSequence({spec.seed}); "
             f"global stage {spec.global_samples} {spec.global_method} points{own}, local stage "
             f"Nelder-Mead up to {spec.local_evaluations} evaluations. Evaluations run: "
             f"{result.ran}, re-used from disk: {result.reused}.", "",
             "## Estimates", "", "| parameter | low | high | estimate |", "|---|---|---|---|"]
    lines += [f"| `{p.key}` | {fmt(p.low)} | {fmt(p.high)} | {fmt(result.estimates[p.key])} |"
              for p in spec.parameters]
    objective = ("point: each moment's squared miss of its target" if spec.objective == "point"
                 else "range: each moment's squared distance outside its measured range"
                      + (f" narrowed by {fmt(spec.margin)} of its width at each end"
                         if spec.margin else "")
                      + f", plus {fmt(spec.pull)} times its squared miss of the target")
    lines += ["", f"Distance J = {fmt(result.distance)} (objective {objective}).", "",
              "## Moment fit", "",
              "| fact | target | range | model | weight | contribution to J |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {r.fact} | {fmt(r.target)} | {fmt(r.low)} to {fmt(r.high)} | {fmt(r.model)} | "
              f"{fmt(r.weight)} | {fmt(r.contribution)} |" for r in result.fit.itertuples()]
    lines += ["", "## Identification", "",
              "Change of each moment over each parameter's whole range, in units of the "
              "target's tolerance (dm/dtheta x range x sqrt(weight), central differences at "
              "the estimate); |value| well above 1 means the moment pins the parameter down.",
              "", "| moment | " + " | ".join(f"`{p.key}`" for p in spec.parameters) + " |",
              "|---|" + "---|" * len(spec.parameters)]
    scaled = result.jacobian.pivot(index="moment", columns="parameter", values="scaled")
    for k in spec.targets:
        lines.append(f"| {k} | " + " | ".join(fmt(scaled.loc[k, p.key])
                                             for p in spec.parameters) + " |")
    lines += ["", "Standardised regression coefficients of each moment on the parameters "
              "over the global sample (and R^2):", "", markdown_table(result.global_sensitivity)]
    return "\n".join(lines) + "\n"


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame as a markdown table, numbers to 3 significant digits."""
    def cell(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, "|" + "---|" * len(frame.columns), *rows])
