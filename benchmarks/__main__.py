"""`python -m benchmarks [--quick] [--out FILE]`: throughput, scaling, memory, sweeps.

Measures, in one run on this machine (see docs/performance.md):
1. model throughput in worker-steps per second at several sizes (1 firm per 100 workers,
   1 region per 10,000 workers), all policy modules off and all on;
2. a plain Mesa loop over as many agents (one `mesa.Agent` per worker, a one-line `step`,
   `shuffle_do`): the floor cost of Mesa's per-agent scheduling, and the ratio of (1) to it;
3. the scaling exponent of run time in workers;
4. peak traced memory per worker;
5. sweep throughput with 1 and 2 worker processes, and the speed-up;
plus the reference run (250,000 workers, 200 steps, all modules on) and classroom scale.
Each performance target is written to the JSON with the measured number and whether it is
met. Nothing here is a test: CI only checks that `--quick` runs and writes its JSON.

"All modules on" switches on every registered policy module with its defaults, and gives
the supra-regional institution a regime whose mechanisms all act (its defaults are a
"custom" institution with every instrument at zero, which would cost nothing), with
voluntary membership: the most work a run of the model can be asked to do.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from highroad.allocator import keep_freed_memory
from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario

#: The performance targets: (JSON key of the measured number, comparison, bound, description).
TARGETS = [
    ("ratio_to_mesa_200k_modules_on", ">=", 3.0,
     "model / plain-Mesa throughput at 200,000 workers, all modules on"),
    ("reference_run_seconds", "<", 30.0,
     "250,000 workers, 2,500 firms, 25 regions, 200 steps, all modules on (seconds)"),
    ("scaling_exponent_top_two", "<=", 1.1,
     "scaling exponent of run time in workers, 200,000 to 1,000,000"),
    ("peak_bytes_per_worker", "<=", 300.0, "peak traced memory per worker at 1,000,000"),
    ("sweep_speedup", ">=", 1.7, "sweep speed-up with 2 processes"),
    ("classroom_steps_per_second", ">=", 50.0,
     "classroom scale (6 regions, 10,000 workers), steps per second"),
]

#: Classroom scale, as the demo app builds it: baseline, six regions, 10,000 workers.
CLASSROOM = {"n_regions": 6, "workers_per_region": 1667, "burn_in": 0}


def all_modules_on() -> dict[str, Any]:
    """Overrides that switch every policy module on, each doing real work (see above)."""
    overrides: dict[str, Any] = {f"policies.{name}.enabled": True for name in REGISTRY}
    overrides["policies.supra_regional.regime"] = "third_degree_pluralism"
    overrides["policies.supra_regional.membership"] = "voluntary"
    return overrides


def world(workers: int, modules_on: bool, steps: int = 10) -> dict[str, Any]:
    """Overrides for a world of `workers` workers scaled as the performance targets ask."""
    regions = max(1, round(workers / 10_000))
    overrides: dict[str, Any] = {
        "n_regions": regions,
        "workers_per_region": workers // regions,
        "firms_per_region": max(1, workers // regions // 100),
        "burn_in": 0,
        "steps": steps,
    }
    if modules_on:
        overrides.update(all_modules_on())
    return overrides


def time_steps(overrides: dict[str, Any], steps: int, warmup: int = 2) -> dict[str, float]:
    """Build a model, step it `warmup` times, then time `steps` quarters (observables
    recorded every quarter). Returns seconds to build and mean seconds per quarter."""
    gc.collect()
    start = time.perf_counter()
    model = RegionalEconomy(load_scenario("baseline", overrides), seed=0)
    build = time.perf_counter() - start
    for _ in range(warmup):
        model.step()
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    per_step = (time.perf_counter() - start) / steps
    del model
    gc.collect()
    return {"build_seconds": build, "seconds_per_step": per_step}


def model_seconds_per_step(workers: int, modules_on: bool, steps: int,
                           warmup: int = 2) -> float:
    """Wall seconds per quarter of the whole model (observables recorded every step)."""
    return time_steps(world(workers, modules_on, steps), steps, warmup)["seconds_per_step"]


class _Bare(mesa.Agent):
    def step(self) -> None:
        self.x = 1


class _BareModel(mesa.Model):
    def __init__(self, n: int) -> None:
        super().__init__(rng=0)
        _Bare.create_agents(self, n)


def mesa_seconds_per_step(agents: int, steps: int) -> float:
    """Plain Mesa: one agent per worker, a one-line step, stepped with shuffle_do.

    Under the same allocator settings as the model (`highroad.allocator`), so the two
    differ only in what they run (measured: the setting does not change this loop's time).
    """
    keep_freed_memory()
    gc.collect()
    model = _BareModel(agents)
    model.agents.shuffle_do("step")
    start = time.perf_counter()
    for _ in range(steps):
        model.agents.shuffle_do("step")
    seconds = (time.perf_counter() - start) / steps
    # Agents and model hold each other: free them now, not in the next model's timing.
    model.remove_all_agents()
    del model
    gc.collect()
    return seconds


def peak_bytes_per_worker(workers: int, steps: int) -> float:
    """Peak memory traced while building the world and running `steps` quarters, all
    modules on, per worker."""
    gc.collect()
    tracemalloc.start()
    model = RegionalEconomy(load_scenario("baseline", world(workers, True)), seed=0)
    for _ in range(steps):
        model.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model
    gc.collect()
    return peak / workers


def sweep_spec(workers: int, steps: int, runs: int) -> dict[str, Any]:
    """A sweep of `runs` replicates of one design point, in the sweep file's format."""
    overrides = {k: v for k, v in world(workers, False).items() if k != "steps"}
    return {
        "name": "benchmark",
        "base": "baseline",
        "steps": steps,
        "replicates": runs,
        "seed": 0,
        "design": {"method": "grid"},
        "factors": {"capital_mobility": [0.5]},
        "overrides": overrides,
    }


def sweep_runs_per_second(spec: dict[str, Any], processes: int) -> dict[str, float] | None:
    """Runs per second of the sweep (pool start-up included), and the mean run's wall time;
    None where the sweep runner is not available."""
    try:
        from highroad import sweep
    except ImportError:
        return None
    gc.collect()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = sweep(spec, workers=processes, out=out, progress=False)
        seconds = time.perf_counter() - start
        run_seconds = float(result.runs["wall_time"].mean())
    return {"runs_per_second": len(result.runs) / seconds, "seconds": seconds,
            "mean_run_seconds": run_seconds}


def isolated(fn: Callable[..., Any], *args: Any, fresh: bool = True) -> Any:
    """`fn(*args)`, in a fresh process of its own (or here, with `fresh=False`).

    Each timing starts from a new interpreter: what one measurement leaves behind (a
    freed million-agent Mesa model, a grown or trimmed heap) then cannot speed up or slow
    down the next, whatever order they run in.
    """
    if not fresh:
        return fn(*args)
    # By its importable name: under `python -m benchmarks` this file is `__main__`, which a
    # spawned process cannot look functions up in.
    fn = getattr(importlib.import_module("highroad.benchmarks.__main__"), fn.__name__)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                             initializer=keep_freed_memory) as pool:
        return pool.submit(fn, *args).result()


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each performance target with the measured number and whether it is met (not judged
    on a --quick run, whose sizes are not the targets')."""
    rows = []
    for key, op, bound, what in TARGETS:
        value = result.get(key)
        met = None if value is None or result["quick"] else {
            ">=": value >= bound, "<": value < bound, "<=": value <= bound}[op]
        rows.append({"target": what, "key": key, "bound": f"{op} {bound:g}",
                     "measured": value, "met": met})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs")
    parser.add_argument("--out", default="benchmarks/results.json", help="JSON output file")
    args = parser.parse_args(argv)
    keep_freed_memory()  # the benchmark owns its process, as the CLI does
    quick = args.quick
    fresh = not quick  # --quick checks that everything runs: no process per measurement
    sizes = [2_000, 5_000] if quick else [20_000, 200_000, 1_000_000]
    steps = {2_000: 2, 5_000: 2, 20_000: 50, 200_000: 20, 1_000_000: 10}
    result: dict[str, Any] = {
        "machine": platform.platform(), "processor": platform.processor(),
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "numpy": np.__version__, "mesa": mesa.__version__, "quick": quick,
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "all_modules_on": all_modules_on(), "sizes": {},
        "keep_freed_memory": os.environ.get("HIGHROAD_KEEP_FREED_MEMORY", "1") != "0"}
    print(f"{'workers':>10} {'modules':>8} {'s/step':>9} {'worker-steps/s':>15} "
          f"{'mesa s/step':>12} {'ratio':>6}")
    for n in sizes:
        bare = isolated(mesa_seconds_per_step, n, 2 if quick else 5, fresh=fresh)
        row: dict[str, Any] = {"mesa_seconds_per_step": bare,
                               "mesa_agent_steps_per_second": n / bare,
                               "steps_timed": steps[n]}
        for label, on in (("off", False), ("on", True)):
            sec = isolated(model_seconds_per_step, n, on, steps[n], fresh=fresh)
            row[f"modules_{label}_seconds_per_step"] = sec
            row[f"modules_{label}_worker_steps_per_second"] = n / sec
            row[f"modules_{label}_ratio_to_mesa"] = bare / sec
            print(f"{n:>10,} {label:>8} {sec:9.4f} {n / sec:15,.0f} {bare:12.4f} "
                  f"{bare / sec:6.2f}")
        result["sizes"][str(n)] = row
    at_200k = result["sizes"].get("200000")
    result["ratio_to_mesa_200k_modules_on"] = (at_200k["modules_on_ratio_to_mesa"]
                                               if at_200k else None)
    xs = np.log(sizes)
    for label in ("on", "off"):
        ys = np.log([result["sizes"][str(n)][f"modules_{label}_seconds_per_step"]
                     for n in sizes])
        suffix = "" if label == "on" else "_modules_off"
        result[f"scaling_exponent_all_sizes{suffix}"] = float(np.polyfit(xs, ys, 1)[0])
        result[f"scaling_exponent_top_two{suffix}"] = float((ys[-1] - ys[-2])
                                                            / (xs[-1] - xs[-2]))
    print(f"scaling exponent (top two sizes, modules on): "
          f"{result['scaling_exponent_top_two']:.3f}")
    result["peak_bytes_per_worker"] = isolated(peak_bytes_per_worker, sizes[-1], 3, fresh=fresh)
    print(f"peak traced memory per worker at {sizes[-1]:,}: "
          f"{result['peak_bytes_per_worker']:.0f} bytes")
    ref_workers, ref_steps = (5_000, 5) if quick else (250_000, 200)
    ref = isolated(time_steps, world(ref_workers, True, ref_steps), ref_steps, 0, fresh=fresh)
    result["reference_run"] = {"workers": ref_workers, "steps": ref_steps,
                               "build_seconds": ref["build_seconds"],
                               "step_seconds": ref["seconds_per_step"] * ref_steps}
    result["reference_run_seconds"] = ref["build_seconds"] + ref["seconds_per_step"] * ref_steps
    print(f"reference run, {ref_workers:,} workers x {ref_steps} steps, modules on: "
          f"{result['reference_run_seconds']:.1f} s (of which building the world "
          f"{ref['build_seconds']:.1f} s)")
    classroom = {"workers_per_region": 334} if quick else {}
    for label, on in (("off", False), ("on", True)):
        overrides = {**CLASSROOM, **classroom, **(all_modules_on() if on else {})}
        sec = isolated(time_steps, overrides, 5 if quick else 100, fresh=fresh)[
            "seconds_per_step"]
        result[f"classroom_modules_{label}_steps_per_second"] = 1.0 / sec
    result["classroom_steps_per_second"] = result["classroom_modules_off_steps_per_second"]
    print(f"classroom scale: {result['classroom_modules_off_steps_per_second']:.0f} steps/s "
          f"(all modules on: {result['classroom_modules_on_steps_per_second']:.0f})")
    # Runs long enough (about 2 s each) that starting the pool does not swamp them.
    spec = sweep_spec(2_000, 5, 4) if quick else sweep_spec(40_000, 160, 16)
    one = sweep_runs_per_second(spec, 1)
    two = sweep_runs_per_second(spec, 2)
    result["sweep"] = {"runs": spec["replicates"], "workers": 2_000 if quick else 40_000,
                       "steps": spec["steps"], "one_process": one, "two_processes": two,
                       "runs_per_second_1": one and one["runs_per_second"],
                       "runs_per_second_2": two and two["runs_per_second"],
                       "speedup": (two["runs_per_second"] / one["runs_per_second"])
                       if one and two else None}
    result["sweep_speedup"] = result["sweep"]["speedup"]
    if one and two:
        print(f"sweep: {one['runs_per_second']:.2f} runs/s with 1 process, "
              f"{two['runs_per_second']:.2f} with 2 (runs of {one['mean_run_seconds']:.1f} s): "
              f"speed-up {result['sweep_speedup']:.2f}")
    result["targets"] = check_targets(result)
    print("targets:")
    for row in result["targets"]:
        shown = "n/a" if row["measured"] is None else f"{row['measured']:.3g}"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[row["met"]]
        print(f"  {row['target']}: {shown} ({row['bound']}) {verdict}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
