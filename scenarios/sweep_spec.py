"""Sweep files: read and validate once, before any run starts, into a `SweepSpec`.

A sweep file (TOML, usually in `scenarios/sweeps/`) names a base scenario, fixed overrides,
a design and its factors:

    base = "baseline"              # the base scenario: a name or a path (relative to this file)
    steps = 80                     # recorded quarters per run
    replicates = 3                 # seeds per design point
    seed = 1                       # base seed of numpy.random.SeedSequence
    [overrides]                    # fixed for every run
    n_regions = 4
    [design]
    method = "sobol"               # grid | lhs | sobol | morris | table
    samples = 64
    [factors]                      # dotted scenario keys
    capital_mobility = {min = 0.1, max = 0.9}
    government.capital_tax = {min = 0.05, max = 0.5}

Every mistake raises `ScenarioError` naming the sweep file, the key path (`factors.…`,
`design.samples`) and what is allowed, with the nearest valid key suggested for a typo.
Factor keys and values are checked by the scenario loader itself, and so is every design
point, so a sweep that starts will not meet a bad parameter halfway through.

Seeds: replicate r of the sweep gets the r-th child of `SeedSequence(seed).spawn(...)`. With
`seeding = "common"` (the default) replicate r uses the same seed at every design point
(common random numbers: comparisons between points are paired, which removes most of the
noise from them); with `seeding = "independent"` every run gets its own child. The integer
seed stored with a run is what `highroad.simulate(..., seed=...)` and `highroad run --seed`
take, so any run can be re-run alone.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import shlex
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.errors import ScenarioError
from highroad.records import AGENT_TABLES, AgentRecording, resolve_reporters
from highroad.scenarios.designs import (
    METHODS,
    SAMPLED,
    Factor,
    grid_points,
    read_table,
    salib_problem,
    sampled_points,
    to_python,
)
from highroad.scenarios.loader import Scenario, load_scenario, read_toml, scenario_path

SWEEP_DIR = Path(__file__).resolve().parent / "sweeps"
SEEDINGS = ("common", "independent")
#: The most runs one sweep may have (its plan and runs table are held in memory: about
#: 4 kB per run); larger studies are several sweeps.
MAX_RUNS = 1_000_000

#: The top-level keys of a sweep file and what each means.
TOP_KEYS = {
    "name": "name of the sweep (default: the file name)",
    "description": "one line saying what the sweep asks",
    "base": "the base scenario: a name or a .toml path (default baseline)",
    "steps": "recorded quarters per run (overrides the scenario)",
    "replicates": "runs per design point, each with its own seed (default 1)",
    "seed": "base seed of numpy.random.SeedSequence (default 0)",
    "seeding": "common (same seeds at every point, the default) or independent",
    "record_every": "keep every k-th step in the step-level tables (default 1)",
    "observables": "list of observables kept in the step-level tables (default all)",
    "overrides": "table of dotted scenario keys fixed for every run",
    "reporters": "table: column name = \"package.module:function\" (your own code, trusted)",
    "record_agents": "table: every = N (steps), workers = K (sample size): agent tables",
    "design": "table: method (grid, lhs, sobol, morris, table) and its options",
    "factors": "table of dotted scenario keys to vary, with levels or ranges",
}

#: The keys each design method accepts.
DESIGN_KEYS = {
    "grid": ("method",),
    "lhs": ("method", "samples", "seed"),
    "sobol": ("method", "samples", "seed", "calc_second_order"),
    "morris": ("method", "samples", "seed", "num_levels"),
    "table": ("method", "file"),
}

#: Words that make a table under [factors] a factor specification, not a key namespace.
FACTOR_WORDS = ("min", "max", "values", "levels")


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A validated sweep: the base scenario, the design points and how runs are seeded."""

    name: str
    source: str
    description: str
    base_name: str
    base: Scenario
    overrides: dict[str, Any]
    replicates: int
    seed: int
    seeding: str
    record_every: int
    observables: tuple[str, ...] | None
    method: str
    design: dict[str, Any]
    factors: tuple[Factor, ...]
    points: pd.DataFrame = field(repr=False)
    reporters: dict[str, str] = field(default_factory=dict)
    record_agents: AgentRecording | None = None
    #: Replicates added in turns (`--resume --replicates N`); empty: all `replicates` at once.
    replicate_blocks: tuple[int, ...] = ()

    @property
    def blocks(self) -> tuple[int, ...]:
        return self.replicate_blocks or (self.replicates,)

    def with_blocks(self, blocks: tuple[int, ...]) -> SweepSpec:
        """The same sweep with its replicates run in these turns (one turn: as the file)."""
        blocks = tuple(blocks)
        return replace(self, replicates=sum(blocks),
                       replicate_blocks=blocks if len(blocks) > 1 else ())

    @property
    def tables(self) -> tuple[str, ...]:
        """The step-level tables each run writes."""
        return ("economy", "regions") + (AGENT_TABLES if self.record_agents else ())

    @property
    def factor_keys(self) -> list[str]:
        return [f.key for f in self.factors]

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replicates

    @cached_property
    def plan(self) -> pd.DataFrame:
        """One row per run: run_id, point, replicate, seed and every factor value.

        Runs are numbered point by point (`run_id = point * replicates + replicate`), so the
        design points keep the order the sampler drew them in, as SALib's analysers expect.
        Replicates added later (`replicate_blocks`) follow on: their runs are numbered after
        all earlier ones, point by point again, and their seeds are the next children of the
        same SeedSequence, so the earlier runs keep their ids and seeds.
        """
        n, parts, first = len(self.points), [], 0
        for count in self.blocks:
            frame = self.points.iloc[np.repeat(np.arange(n), count)].reset_index(drop=True)
            frame.insert(0, "point", np.repeat(np.arange(n, dtype=np.int64), count))
            frame.insert(1, "replicate", np.tile(np.arange(first, first + count,
                                                           dtype=np.int64), n))
            frame.insert(2, "seed", replicate_seeds(self.seed, n, count, self.seeding,
                                                    first).ravel())
            parts.append(frame)
            first += count
        frame = pd.concat(parts, ignore_index=True)
        frame.insert(0, "run_id", np.arange(len(frame), dtype=np.int64))
        return frame

    def run_factors(self, run_id: int) -> dict[str, Any]:
        """The factor values of one run, as plain Python values."""
        row = self.plan.iloc[run_id]
        return {key: to_python(row[key]) for key in self.factor_keys}

    def run_overrides(self, factors: dict[str, Any]) -> dict[str, Any]:
        """Everything a run sets on the base scenario file: fixed overrides, then factors."""
        return {**self.overrides, **factors}

    def problem(self) -> dict[str, Any] | None:
        """The SALib problem of a sampled design (None for grids and tables)."""
        return salib_problem(self.factors) if self.method in SAMPLED else None

    def reproduce_command(self, seed: int, factors: dict[str, Any]) -> str:
        """The `highroad run` command that re-runs one run of this sweep exactly."""
        words = ["highroad", "run", self.base_name, "--seed", str(seed)]
        for key, value in self.run_overrides(factors).items():
            words += ["--set", f"{key}={toml_value(value)}"]
        return shlex.join(words)

    def to_dict(self) -> dict[str, Any]:
        """The resolved sweep as plain data (saved beside the results as sweep.json)."""
        return {
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "base": self.base_name,
            "overrides": self.overrides,
            "replicates": self.replicates,
            "replicate_blocks": list(self.blocks),
            "seed": self.seed,
            "seeding": self.seeding,
            "record_every": self.record_every,
            "observables": list(self.observables) if self.observables else None,
            "reporters": self.reporters,
            "record_agents": self.record_agents.to_dict() if self.record_agents else None,
            "design": {"method": self.method, **self.design},
            "factors": {f.key: f.describe() for f in self.factors},
            "problem": self.problem(),
            "points": len(self.points),
            "runs": self.n_runs,
            "fingerprint": self.fingerprint,
            "base_scenario": self.base.to_dict(),
        }

    @cached_property
    def fingerprint(self) -> str:
        """A hash of everything that decides the results (not names, paths or comments)."""
        decisive = {
            "base_scenario": self.base.to_dict(), "overrides": self.overrides,
            "replicates": self.replicates, "seed": self.seed, "seeding": self.seeding,
            "record_every": self.record_every, "observables": self.observables,
            "method": self.method,
            "design": {k: v for k, v in self.design.items() if k != "file"},
            "factors": {f.key: f.describe() for f in self.factors},
        }
        if self.reporters:  # only when used, so older sweeps keep their fingerprint
            decisive["reporters"] = self.reporters
        if self.record_agents:
            decisive["record_agents"] = self.record_agents.to_dict()
        hasher = hashlib.sha256(json.dumps(decisive, sort_keys=True, default=str).encode())
        hasher.update(pd.util.hash_pandas_object(self.plan, index=False).to_numpy().tobytes())
        return hasher.hexdigest()[:16]


def replicate_seeds(seed: int, n_points: int, replicates: int, seeding: str,
                    first: int = 0) -> np.ndarray:
    """Integer run seeds, shape (points, replicates), from `SeedSequence(seed).spawn`.

    `first` replicates were drawn before (a sweep extended with more replicates): the new
    ones take the following children (replicate r's child with common seeds; with
    independent seeds the `n_points * first` children already used are skipped).
    """
    root = np.random.SeedSequence(seed)
    if seeding == "common":
        children = root.spawn(first + replicates)[first:]
        row = [int(child.generate_state(1)[0]) for child in children]
        return np.tile(np.array(row, dtype=np.int64), (n_points, 1))
    children = root.spawn(n_points * (first + replicates))[n_points * first:]
    seeds = np.array([int(child.generate_state(1)[0]) for child in children], dtype=np.int64)
    return seeds.reshape(n_points, replicates)


def toml_value(value: Any) -> str:
    """A value as `--set key=VALUE` reads it back (TOML syntax)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def list_sweeps() -> dict[str, str]:
    """Name -> description line of every sweep shipped in `scenarios/sweeps/`."""
    return {path.stem: read_toml(path).get("description", "")
            for path in sorted(SWEEP_DIR.glob("*.toml"))}


def sweep_path(name_or_path: str | Path) -> Path:
    """Resolve a shipped sweep's name (`small_grid`) or a path to an existing file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = SWEEP_DIR / f"{name_or_path}.toml"
    if path.suffix or len(path.parts) > 1 or not candidate.is_file():
        names = sorted(list_sweeps())
        near = difflib.get_close_matches(str(name_or_path), names, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise ScenarioError(str(name_or_path), "", f"no such sweep file{hint}",
                            "a path to a .toml sweep file, or one of: " + ", ".join(names))
    return candidate


def load_sweep(spec_or_path: str | Path | dict[str, Any] | SweepSpec) -> SweepSpec:
    """Read and validate a sweep: a path, a shipped sweep's name, a dict, or a SweepSpec.

    A dict has the same structure as the TOML file; paths in it are relative to the
    current folder. `design.file` may also be a pandas DataFrame.
    """
    if isinstance(spec_or_path, SweepSpec):
        return spec_or_path
    if isinstance(spec_or_path, dict):
        return build_spec(spec_or_path, "<sweep dict>", Path.cwd(), "sweep")
    path = sweep_path(spec_or_path)
    return build_spec(read_toml(path), str(path), path.parent, path.stem)


def build_spec(doc: dict[str, Any], source: str, folder: Path, default_name: str) -> SweepSpec:
    """Validate a sweep document and resolve it against its base scenario."""
    _check_keys(doc, TOP_KEYS, source, "")
    scalars = {
        "name": _text(doc, "name", default_name, source),
        "description": _text(doc, "description", "", source),
        "replicates": _integer(doc, "replicates", 1, 1, source, "", MAX_RUNS),
        "seed": _integer(doc, "seed", 0, 0, source, ""),
        "seeding": _choice(doc, "seeding", "common", SEEDINGS, source, ""),
        "record_every": _integer(doc, "record_every", 1, 1, source, ""),
    }
    overrides = _overrides(doc, source)
    base_name, base = _base_scenario(doc, overrides, source, folder)
    design = _table(doc, "design", source)
    method = _choice(design, "method", "grid", METHODS, source, "design.")
    _check_keys(design, {k: "" for k in DESIGN_KEYS[method]}, source, "design.",
                f"keys of a '{method}' design")
    if method == "table":
        if "factors" in doc:
            raise ScenarioError(source, "factors", "a table design takes its factors from the "
                                "table's columns", "leave [factors] out, or use another method")
        options, factors, points = _table_design(design, base, source, folder)
    else:
        options = _design_options(design, method, scalars["seed"], source)
        factors = _factors(doc, method, base, source)
    for factor in factors:
        if factor.key in overrides:
            raise ScenarioError(source, f"factors.{factor.key}", "is also set in [overrides] "
                                "(or as steps)", "vary it or fix it, not both")
    if method != "table":
        _check_size(_design_size(method, factors, options), scalars["replicates"], source)
        points = (grid_points(factors) if method == "grid" else
                  sampled_points(method, factors, options["samples"], options["seed"], options))
        _check_points(points, base, source, "factors")
    reporters = _reporters(doc, base, source)
    _check_size(len(points), scalars["replicates"], source)
    return SweepSpec(source=source, base_name=base_name, base=base, overrides=overrides,
                     observables=_observables(doc, base, source), method=method,
                     design=options, factors=factors, points=points, reporters=reporters,
                     record_agents=_record_agents(doc, source), **scalars)


# -- the base scenario and fixed overrides ---------------------------------------------------

def _overrides(doc: dict[str, Any], source: str) -> dict[str, Any]:
    """The fixed dotted overrides: `[overrides]` flattened, plus top-level `steps`."""
    overrides = _flatten(_table(doc, "overrides", source))
    if "steps" in doc:
        if "steps" in overrides:
            raise ScenarioError(source, "overrides.steps", "steps is set twice",
                                "either top-level steps or overrides.steps")
        overrides["steps"] = _integer(doc, "steps", 1, 1, source, "")
    return overrides


def _base_scenario(doc: dict[str, Any], overrides: dict[str, Any], source: str,
                   folder: Path) -> tuple[str, Scenario]:
    """Load the base scenario (relative paths from the sweep file's folder) with overrides."""
    ref = _text(doc, "base", "baseline", source)
    local = folder / ref
    if ref.endswith(".toml") and local.is_file():
        ref = str(local)
    try:
        path = scenario_path(ref)
    except ScenarioError as exc:
        raise ScenarioError(source, "base", f"{ref!r}: {exc.problem}", exc.allowed) from None
    base = load_scenario(path)  # an error inside the scenario file names that file
    try:
        return ref, load_scenario(base, overrides)
    except ScenarioError as exc:
        key = exc.key if exc.key == "steps" and "steps" in doc else f"overrides.{exc.key}"
        raise ScenarioError(source, key, exc.problem, exc.allowed) from None


# -- factors -------------------------------------------------------------------------------

def _factors(doc: dict[str, Any], method: str, base: Scenario,
             source: str) -> tuple[Factor, ...]:
    """Each `[factors]` entry as a Factor, every level or bound checked by the loader."""
    table = _flatten(_table(doc, "factors", source), leaf=_is_factor_spec)
    if not table:
        raise ScenarioError(source, "factors", "no factors to vary",
                            "at least one dotted scenario key with a list of values "
                            "or {min, max}")
    return tuple(_factor(key, spec, method, base, source) for key, spec in table.items())


def _factor(key: str, spec: Any, method: str, base: Scenario, source: str) -> Factor:
    path = f"factors.{key}"
    kind = _parameter_kind(key, base, source, path)
    if isinstance(spec, list):
        return Factor(key, kind, levels=_levels(spec, key, kind, base, source, path))
    if not isinstance(spec, dict):
        raise ScenarioError(source, path, f"expected a list or a table, got {_show(spec)}",
                            "[v1, v2, ...], {values = [...]} or {min = a, max = b}")
    allowed = {"values": "", "min": "", "max": ""}
    if method == "grid":
        allowed["levels"] = ""
    _check_keys(spec, allowed, source, path + ".")
    if "values" in spec:
        if set(spec) != {"values"}:
            raise ScenarioError(source, path, "give either values or min and max",
                                "{values = [...]} or {min = a, max = b}")
        return Factor(key, kind, levels=_levels(spec["values"], key, kind, base, source,
                                                path + ".values"))
    return _range_factor(key, kind, spec, method, base, source, path)


def _range_factor(key: str, kind: type, spec: dict[str, Any], method: str, base: Scenario,
                  source: str, path: str) -> Factor:
    """A `{min, max}` factor (with `levels` evenly spaced points on a grid)."""
    if kind not in (int, float):
        raise ScenarioError(source, path, f"a {{min, max}} range needs a number, "
                            f"but {key} is {kind.__name__}", "{values = [...]}")
    for bound in ("min", "max"):
        if bound not in spec:
            raise ScenarioError(source, f"{path}.{bound}", "missing",
                                "{min = a, max = b} with a < b")
    low = _checked_value(key, spec["min"], kind, base, source, f"{path}.min")
    high = _checked_value(key, spec["max"], kind, base, source, f"{path}.max")
    if not low < high:
        raise ScenarioError(source, path, f"min {low} is not below max {high}",
                            "{min = a, max = b} with a < b")
    if method != "grid":
        return Factor(key, kind, low=low, high=high)
    if "levels" not in spec:
        raise ScenarioError(source, f"{path}.levels", "a grid needs the number of levels of "
                            "a {min, max} range", "levels = n (n >= 2), or a list of values")
    n = _integer(spec, "levels", 2, 2, source, path + ".", MAX_RUNS)
    levels = np.linspace(low, high, n)
    values = dict.fromkeys(int(round(v)) if kind is int else float(v) for v in levels)
    return Factor(key, kind, levels=tuple(values))


def _levels(values: Any, key: str, kind: type, base: Scenario, source: str,
            path: str) -> tuple[Any, ...]:
    if not isinstance(values, list) or not values:
        raise ScenarioError(source, path, f"expected a non-empty list, got {_show(values)}",
                            "[v1, v2, ...]")
    levels = tuple(_checked_value(key, v, kind, base, source, f"{path}[{i}]")
                   for i, v in enumerate(values))
    if len(set(levels)) != len(levels):
        raise ScenarioError(source, path, f"repeats a value: {_show(values)}",
                            "distinct values (use replicates for repeated runs)")
    return levels


def _parameter_kind(key: str, base: Scenario, source: str, path: str) -> type:
    """The type of the scenario parameter at a dotted key; unknown keys get a did-you-mean."""
    try:
        value = base.get(key)
    except (KeyError, TypeError):
        try:
            load_scenario(base, {key: 0})
        except ScenarioError as exc:
            raise ScenarioError(source, path, exc.problem, exc.allowed) from None
        raise ScenarioError(source, path, "not a scenario parameter") from None
    if isinstance(value, dict):
        raise ScenarioError(source, path, f"'{key}' is a table, not a parameter",
                            ", ".join(f"{key}.{k}" for k in value))
    if isinstance(value, list):
        raise ScenarioError(source, path, f"'{key}' is a list parameter and cannot be varied",
                            "set it in [overrides]")
    return type(value)


def _checked_value(key: str, value: Any, kind: type, base: Scenario, source: str,
                   path: str) -> Any:
    """Check one factor value with the scenario loader; return it as the parameter's type."""
    try:
        load_scenario(base, {key: value})
    except ScenarioError as exc:
        raise ScenarioError(source, path, exc.problem, exc.allowed) from None
    return kind(value)


def _check_points(points: pd.DataFrame, base: Scenario, source: str, where: str) -> None:
    """Every design point must make a valid scenario (limits that link two keys, too)."""
    for i, row in enumerate(points.itertuples(index=False)):
        values = {k: to_python(v) for k, v in zip(points.columns, row, strict=True)}
        try:
            load_scenario(base, values)
        except ScenarioError as exc:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            raise ScenarioError(source, where, f"design point {i} ({shown}): "
                                f"{exc.key}: {exc.problem}", exc.allowed) from None


# -- designs -------------------------------------------------------------------------------

def _design_options(design: dict[str, Any], method: str, seed: int,
                    source: str) -> dict[str, Any]:
    """`samples`, the sampler's seed and the method's own options, checked."""
    if method == "grid":
        return {}
    if "samples" not in design:
        raise ScenarioError(source, "design.samples", f"a '{method}' design needs samples",
                            "a whole number >= 1" + (", a power of 2" if method == "sobol"
                                                     else ""))
    options: dict[str, Any] = {
        "samples": _integer(design, "samples", 1, 1, source, "design.", MAX_RUNS),
        "seed": _integer(design, "seed", seed, 0, source, "design."),
    }
    if method == "sobol":
        n = options["samples"]
        if n & (n - 1):
            raise ScenarioError(source, "design.samples", f"{n} is not a power of 2 (Sobol' "
                                "sequences lose their balance otherwise)", "1, 2, 4, ... 64, 128")
        options["calc_second_order"] = _boolean(design, "calc_second_order", True, source,
                                                "design.")
    if method == "morris":
        options["num_levels"] = _integer(design, "num_levels", 4, 2, source, "design.")
    return options


def _table_design(design: dict[str, Any], base: Scenario, source: str,
                  folder: Path) -> tuple[dict[str, Any], tuple[Factor, ...], pd.DataFrame]:
    """A design read from a CSV/Parquet file (or a DataFrame given in a dict spec)."""
    given = design.get("file")
    if isinstance(given, pd.DataFrame):
        frame, where = given.reset_index(drop=True), "<design DataFrame>"
    elif isinstance(given, str):
        path = folder / given
        where = str(path)
        try:
            frame = read_table(path)
        except Exception as exc:  # pandas and pyarrow raise many kinds for a bad file
            raise ScenarioError(source, "design.file", f"cannot read {path} ({exc})",
                                "a CSV or Parquet file, one column per dotted key") from None
    else:
        raise ScenarioError(source, "design.file", f"expected a file path, got {_show(given)}",
                            "a CSV or Parquet file, one column per dotted key")
    if frame.empty or not len(frame.columns):
        raise ScenarioError(where, "", "the design table has no rows or no columns",
                            "one row per design point, one column per dotted key")
    factors = tuple(Factor(str(col), _parameter_kind(str(col), base, where, str(col)))
                    for col in frame.columns)
    _check_points(frame, base, where, "row")
    points = pd.DataFrame({f.key: [f.kind(to_python(v)) for v in frame[f.key]]
                           for f in factors})
    return {"file": where}, factors, points


# -- observables ---------------------------------------------------------------------------

def _observables(doc: dict[str, Any], base: Scenario, source: str) -> tuple[str, ...] | None:
    """The observables kept in the step-level tables, checked against a one-quarter probe."""
    if "observables" not in doc:
        return None
    names = doc["observables"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ScenarioError(source, "observables", f"expected a non-empty list of names, got "
                            f"{_show(names)}", "e.g. [\"income_gini\", \"high_road_share\"]")
    known = observable_names(base)
    for i, name in enumerate(names):
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise ScenarioError(source, f"observables[{i}]", f"unknown observable '{name}'"
                                f"{hint}", ", ".join(known))
    return tuple(names)


def observable_names(base: Scenario) -> list[str]:
    """Columns of the economy and region tables (read off `highroad.api.probe`)."""
    from highroad.api import probe

    run = probe(base)
    return sorted({*run.economy.columns, *run.regions.columns} - {"step", "region"})


# -- reporters and agent tables -------------------------------------------------------------

def _reporters(doc: dict[str, Any], base: Scenario, source: str) -> dict[str, str]:
    """`[reporters]`: column name -> "module:function", each imported now to check it."""
    table = _table(doc, "reporters", source)
    resolve_reporters(table, source)
    known = observable_names(base) if table else []
    for name, ref in table.items():
        if not isinstance(ref, str):
            raise ScenarioError(source, f"reporters.{name}", f"expected a reference, got "
                                f"{_show(ref)}", "\"package.module:function\"")
        if name in known:
            raise ScenarioError(source, f"reporters.{name}", "is already an observable",
                                "a name that is not a column of the economy table")
    return dict(table)


def _record_agents(doc: dict[str, Any], source: str) -> AgentRecording | None:
    """`[record_agents]`: the agent tables every `every` steps with `workers` sampled."""
    if "record_agents" not in doc:
        return None
    table = _table(doc, "record_agents", source)
    _check_keys(table, {"every": "", "workers": ""}, source, "record_agents.")
    return AgentRecording(every=_integer(table, "every", 1, 1, source, "record_agents."),
                          workers=_integer(table, "workers", 100, 0, source,
                                           "record_agents."))


# -- small checked readers -----------------------------------------------------------------

def _flatten(table: dict[str, Any], prefix: str = "", leaf: Any = None) -> dict[str, Any]:
    """Nested TOML tables as dotted keys (`government.capital_tax = ...`), in file order."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not (leaf and leaf(value)):
            out.update(_flatten(value, dotted + ".", leaf))
        else:
            out[dotted] = value
    return out


def _is_factor_spec(value: dict[str, Any]) -> bool:
    return any(word in value for word in FACTOR_WORDS)


def _table(doc: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(source, key, f"must be a table, got {_show(value)}", f"[{key}]")
    return value


def _check_keys(table: dict[str, Any], allowed: dict[str, str], source: str, prefix: str,
                what: str = "") -> None:
    for key in table:
        if key not in allowed:
            near = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            listed = ", ".join(allowed)
            raise ScenarioError(source, prefix + key, f"unknown key{hint}",
                                f"{what}: {listed}" if what else listed)


def _integer(table: dict[str, Any], key: str, default: int, lo: int, source: str,
             prefix: str, hi: int | None = None) -> int:
    value = to_python(table.get(key, default))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    allowed = f"a whole number >= {lo}" + (f" and <= {hi:,}" if hi is not None else "")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(source, prefix + key, f"expected a whole number, got "
                            f"{_show(value)}", allowed)
    if value < lo or (hi is not None and value > hi):
        raise ScenarioError(source, prefix + key, f"{value} is out of range", allowed)
    return value


def _check_size(n_points: int, replicates: int, source: str) -> None:
    """Refuse a sweep of more than MAX_RUNS runs before its plan is built."""
    if n_points * replicates > MAX_RUNS:
        raise ScenarioError(source, "replicates", f"{n_points:,} design points x "
                            f"{replicates:,} replicates is {n_points * replicates:,} runs",
                            f"at most {MAX_RUNS:,} runs in one sweep")


def _design_size(method: str, factors: tuple[Factor, ...], options: dict[str, Any]) -> int:
    """The number of design points a method will draw (SALib's sizes, see `designs`)."""
    d = len(factors)
    if method == "grid":
        return math.prod(len(f.levels) for f in factors)
    per_sample = {"lhs": 1, "morris": d + 1,
                  "sobol": 2 * d + 2 if options.get("calc_second_order", True) else d + 2}
    return options["samples"] * per_sample[method]


def _boolean(table: dict[str, Any], key: str, default: bool, source: str, prefix: str) -> bool:
    value = to_python(table.get(key, default))
    if not isinstance(value, bool):
        raise ScenarioError(source, prefix + key, f"expected true or false, got {_show(value)}",
                            "true, false")
    return value


def _text(table: dict[str, Any], key: str, default: str, source: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(source, key, f"expected text, got {_show(value)}", "a string")
    return value


def _choice(table: dict[str, Any], key: str, default: str, choices: tuple[str, ...],
            source: str, prefix: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        near = difflib.get_close_matches(str(value), choices, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise ScenarioError(source, prefix + key, f"{_show(value)} is not a known choice{hint}",
                            ", ".join(choices))
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
