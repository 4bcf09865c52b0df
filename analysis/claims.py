"""The claims engine: run each claim's conditions through the sweep runner and judge them.

The claims are data (`scenarios/claims.toml`): two conditions, an observable, what each side
predicts. This module turns each condition into scenario overrides, runs the replicates with
common random numbers through `highroad.sweep`, summarises every run (mean of the last
quarter), and applies the verdict rule of `analysis/verdicts.py`. Nothing here knows what
any claim's answer should be; change a parameter and the same code may say the opposite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.verdicts import PREDICTIONS
from highroad.errors import ScenarioError
from highroad.scenarios.loader import SCENARIO_DIR, load_scenario, read_toml

CLAIMS_FILE = SCENARIO_DIR / "claims" / "claims.toml"
TEXT_KEYS = ("description", "source")
CHECK_RANGES = {"settle_window": (0.05, 1.0), "settle_tolerance": (0.0, 100.0),
                "settle_chunk": (0.01, 10.0), "settle_longest": (1.0, 20.0),
                "scale": (1.0, 16.0), "placebo_share": (0.0, 1.0)}


@dataclass(frozen=True)
class Condition:
    label: str
    scenario: str = "baseline"
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dose:
    """A dose-response: condition B (and D) run at each value of `key`."""

    key: str
    values: tuple[float, ...]
    why: str


@dataclass(frozen=True)
class Claim:
    """One claim. With `c` and `d` the effect is the difference-in-differences
    (B - A) - (D - C); without, B - A."""

    id: str
    title: str
    source: str
    sceptic: str
    counter: str
    observable: str
    why: str
    sceptic_predicts: str
    counter_predicts: str
    mechanism: str
    a: Condition
    b: Condition
    placebo: dict[str, Any]
    placebo_why: str
    c: Condition | None = None
    d: Condition | None = None
    dose: Dose | None = None
    not_decidable: str = ""
    note: str = ""

    @property
    def conditions(self) -> list[Condition]:
        return [x for x in (self.a, self.b, self.c, self.d) if x is not None]

    @property
    def weights(self) -> list[float]:
        return [-1.0, 1.0] if self.c is None else [-1.0, 1.0, 1.0, -1.0]


@dataclass(frozen=True)
class ClaimsSpec:
    description: str
    sesoi: dict[str, tuple[float, str]]
    world: dict[str, Any]
    replicates: int
    seed: int
    claims: tuple[Claim, ...]
    c5: dict[str, Any]
    walzer: dict[str, Any]
    source: str
    checks: dict[str, Any] = field(default_factory=dict)
    maps: dict[str, Any] = field(default_factory=dict)

    def sesoi_of(self, observable: str) -> float:
        return self.sesoi[observable][0]


# -- loading -----------------------------------------------------------------------------

def load_claims(path: str | Path | None = None) -> ClaimsSpec:
    """Read and check the claims file; every mistake names the file and the key."""
    path = Path(path) if path is not None else CLAIMS_FILE
    doc = read_toml(path)
    src = str(path)
    sesoi = _sesoi(doc.get("sesoi", {}), src)
    run = doc.get("run", {})
    claims = []
    seen = set()
    for i, raw in enumerate(doc.get("claims", [])):
        where = f"claims[{i}]"
        for key in ("id", "title", "source", "sceptic", "counter", "observable", "why",
                    "sceptic_predicts", "counter_predicts", "a", "b", "placebo"):
            if key not in raw:
                raise ScenarioError(src, f"{where}.{key}", "is missing", "see the other claims")
        for side in ("sceptic_predicts", "counter_predicts"):
            if raw[side] not in PREDICTIONS:
                raise ScenarioError(src, f"{where}.{side}", f"'{raw[side]}' is not a prediction",
                                    ", ".join(PREDICTIONS))
        if raw["id"] in seen:
            raise ScenarioError(src, f"{where}.id", f"'{raw['id']}' appears twice", "unique ids")
        if raw["observable"] not in sesoi:
            raise ScenarioError(src, f"{where}.observable", f"'{raw['observable']}' has no "
                                "smallest effect of interest", "add it to [sesoi]")
        if ("c" in raw) != ("d" in raw):
            raise ScenarioError(src, f"{where}.c", "c and d come together",
                                "both (a difference-in-differences) or neither")
        seen.add(raw["id"])
        placebo = raw["placebo"]
        if not isinstance(placebo, dict) or not isinstance(placebo.get("overrides"), dict) \
                or not placebo["overrides"] or "why" not in placebo:
            raise ScenarioError(src, f"{where}.placebo", "must be a table with non-empty "
                                "overrides and a why", "{ overrides = {...}, why = '...' }")
        claims.append(Claim(
            id=raw["id"], title=raw["title"], source=raw["source"], sceptic=raw["sceptic"],
            counter=raw["counter"], observable=raw["observable"], why=raw["why"],
            sceptic_predicts=raw["sceptic_predicts"], counter_predicts=raw["counter_predicts"],
            mechanism=raw.get("mechanism", ""), a=_condition(raw["a"], src, f"{where}.a"),
            b=_condition(raw["b"], src, f"{where}.b"),
            c=_condition(raw["c"], src, f"{where}.c") if "c" in raw else None,
            d=_condition(raw["d"], src, f"{where}.d") if "d" in raw else None,
            placebo=dict(placebo["overrides"]), placebo_why=str(placebo["why"]),
            dose=_dose(raw["dose"], src, f"{where}.dose") if "dose" in raw else None,
            not_decidable=str(raw.get("not_decidable", "")), note=str(raw.get("note", ""))))
    return ClaimsSpec(
        description=doc.get("description", ""), sesoi=sesoi, world=dict(doc.get("world", {})),
        replicates=int(_number(run, "replicates", src, "run.replicates", 2, 10_000, 8)),
        seed=int(_number(run, "seed", src, "run.seed", 0, 2**63 - 1, 0)), claims=tuple(claims),
        c5=dict(doc.get("c5", {})), walzer=dict(doc.get("walzer", {})), source=src,
        checks=_checks(doc.get("checks", {}), src), maps=dict(doc.get("maps", {})))


def _checks(table: Any, src: str) -> dict[str, float]:
    """`[checks]`: known keys only, each a number in its range."""
    if not isinstance(table, dict):
        raise ScenarioError(src, "checks", "must be a table", ", ".join(CHECK_RANGES))
    for key in table:
        if key not in CHECK_RANGES:
            raise ScenarioError(src, f"checks.{key}", "is not a check setting",
                                ", ".join(CHECK_RANGES))
    return {k: _number(table, k, src, f"checks.{k}", *CHECK_RANGES[k]) for k in table}


def _sesoi(table: Any, src: str) -> dict[str, tuple[float, str]]:
    if not isinstance(table, dict) or not table:
        raise ScenarioError(src, "sesoi", "is missing or empty",
                            "observable = { value = d, why = '...' }")
    out = {}
    for obs, entry in table.items():
        if not isinstance(entry, dict) or "why" not in entry:
            raise ScenarioError(src, f"sesoi.{obs}", "must give a value and its why",
                                "{ value = d, why = '...' }")
        out[obs] = (_number(entry, "value", src, f"sesoi.{obs}.value", 1e-12, 1e9),
                    str(entry["why"]))
    return out


def _dose(raw: Any, src: str, where: str) -> Dose:
    if not isinstance(raw, dict) or "key" not in raw or "why" not in raw:
        raise ScenarioError(src, where, "must be a table", "key, values, why")
    values = raw.get("values", [])
    if not isinstance(values, list) or len(values) < 2:
        raise ScenarioError(src, f"{where}.values", "needs at least two doses")
    return Dose(str(raw["key"]), tuple(float(v) for v in values), str(raw["why"]))


def _condition(raw: Any, src: str, where: str) -> Condition:
    if not isinstance(raw, dict):
        raise ScenarioError(src, where, "must be a table", "label, scenario, overrides")
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(src, f"{where}.overrides", "must be a table of dotted keys")
    return Condition(label=str(raw.get("label", "")), scenario=str(raw.get("scenario",
                                                                              "baseline")),
                     overrides=dict(overrides))


def _number(table: dict, key: str, src: str, where: str, lo: float, hi: float,
            default: float | None = None) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ScenarioError(src, where, f"expected a number in [{lo}, {hi}], got {value!r}")
    return float(value)


# -- conditions as overrides --------------------------------------------------------------

def flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A resolved scenario dict as dotted keys (`government.capital_tax`)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif not (prefix == "" and key in TEXT_KEYS):
            out[prefix + key] = value
    return out


def condition_overrides(cond: Condition, common: dict[str, Any]) -> dict[str, Any]:
    """Everything that makes `cond` differ from the baseline, as dotted overrides.

    Order: the condition's scenario file < `common` (the claims world and the user's --set)
    < the condition's own overrides, so the contrast a claim declares always stands.
    """
    base = flatten(load_scenario("baseline", common).to_dict())
    scenario = flatten(load_scenario(cond.scenario, {**common, **cond.overrides}).to_dict())
    return {k: v for k, v in scenario.items() if base.get(k) != v}


def design_table(conditions: list[Condition], common: dict[str, Any]) -> tuple[
        pd.DataFrame, dict[str, Any]]:
    """A sweep design (one row per condition) plus the overrides shared by all of them."""
    rows = [condition_overrides(c, common) for c in conditions]
    keys = sorted({k for row in rows for k in row})
    base = flatten(load_scenario("baseline", common).to_dict())
    full = [{k: row.get(k, base[k]) for k in keys} for row in rows]
    varying = [k for k in keys if len({repr(r[k]) for r in full}) > 1]
    shared = {k: full[0][k] for k in keys if k not in varying}
    if not varying:  # identical conditions still need a design column
        varying = ["steps"]
        full = [{**r, "steps": base["steps"]} for r in full]
    return pd.DataFrame([{k: r[k] for k in varying} for r in full]), shared


# -- running ------------------------------------------------------------------------------

@dataclass
class Runs:
    """One sweep's results: the runs table and step-level frames, by design point."""

    runs: pd.DataFrame
    economy: pd.DataFrame
    regions: pd.DataFrame


def run_conditions(name: str, conditions: list[Condition], spec: ClaimsSpec,
                   user: dict[str, Any], replicates: int, out: Path,
                   workers: int | None) -> Runs:
    """Run every condition `replicates` times (common seeds) through the sweep runner."""
    from highroad.scenarios.sweep import sweep

    common = {**spec.world, **user}
    table, shared = design_table(conditions, common)
    steps = int(common.get("steps", load_scenario("baseline").world.steps))
    sweep_spec = {
        "name": name, "base": "baseline", "steps": steps, "replicates": replicates,
        "seed": spec.seed, "overrides": {**{k: v for k, v in common.items() if k != "steps"},
                                         **shared},
        "design": {"method": "table", "file": table},
    }
    result = sweep(sweep_spec, workers=workers, out=out / name, resume=(out / name).exists())
    failed = result.failed
    if len(failed):
        first = failed.iloc[0]
        raise RuntimeError(f"{name}: {len(failed)} runs failed, e.g. run {first['run_id']} "
                           f"(seed {first['seed']}): {first['error']}")
    return Runs(result.runs, result.economy, result.regions)


def series(runs: Runs, observable: str) -> pd.DataFrame:
    """The observable per run and recorded step (columns run_id, step, value).

    `regions:<column>:<how>` combines the regions each step with `how` (min, max, mean, std,
    or `rK`: region K alone).
    """
    if observable.startswith("regions:"):
        _, column, how = observable.split(":")
        value = combine(runs.regions.set_index(["run_id", "step", "region"])[column],
                        ["run_id", "step"], how)
    else:
        value = runs.economy.set_index(["run_id", "step"])[observable]
    return value.rename("value").reset_index()


def summarise(runs: Runs, observable: str) -> pd.DataFrame:
    """One value per run: the observable's mean over the last quarter of the run (each run's
    own, where runs differ in length).

    `regions:<column>:<how>` averages each region over the last quarter, then combines the
    regions with `how` (min, max, mean, std, or `rK`: region K alone).
    """
    if observable.startswith("regions:"):
        _, column, how = observable.split(":")
        last = _last_quarter(runs.regions)
        per_region = last.groupby(["run_id", "region"])[column].mean()
        value = combine(per_region, ["run_id"], how)
    else:
        last = _last_quarter(runs.economy)
        value = last.groupby("run_id")[observable].mean()
    out = runs.runs[["run_id", "point", "replicate", "seed"]].set_index("run_id")
    out["value"] = value
    return out.reset_index().sort_values(["point", "replicate"])


def combine(values: pd.Series, by: list[str], how: str) -> pd.Series:
    """Combine a region-indexed series over regions: an aggregation, or `rK` for region K."""
    if how.startswith("r") and how[1:].isdigit():
        return values.xs(int(how[1:]), level="region")
    return values.groupby(level=by).agg(how)


def _last_quarter(frame: pd.DataFrame) -> pd.DataFrame:
    """Each run's rows in the last quarter of its recorded steps."""
    steps = frame.groupby("run_id")["step"].transform("max")
    return frame[frame["step"] >= steps - np.maximum(1, (steps + 1) // 4) + 1]


# -- Walzer's regimes ---------------------------------------------------------------------

def walzer_result(spec: ClaimsSpec, user: dict[str, Any], out: Path, replicates: int,
                  workers: int | None) -> pd.DataFrame:
    """Each regime's mean and 95% bootstrap interval on each of Walzer's criteria."""
    regimes = list(spec.walzer["regimes"])
    conditions = [Condition(label=r, scenario=r) for r in regimes]
    runs = run_conditions("walzer", conditions, spec, user, replicates, out, workers)
    rows = []
    rng = np.random.default_rng(0)
    for criterion in spec.walzer["criteria"]:
        values = summarise(runs, criterion["observable"])
        for point, regime in enumerate(regimes):
            v = values.loc[values["point"] == point, "value"].to_numpy()
            boot = v[rng.integers(0, v.size, size=(2000, v.size))].mean(axis=1)
            lo, hi = np.percentile(boot, [2.5, 97.5])
            rows.append({"criterion": criterion["name"], "observable": criterion["observable"],
                         "better": criterion["better"], "regime": regime.removeprefix("walzer_"),
                         "mean": float(v.mean()), "ci_low": float(lo), "ci_high": float(hi)})
    frame = pd.DataFrame(rows)
    frame["rank"] = frame.groupby("criterion")["mean"].rank(
        ascending=True).where(frame["better"] == "lower",
                              frame.groupby("criterion")["mean"].rank(ascending=False))
    return frame

