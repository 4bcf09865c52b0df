"""`python -m benchmarks [--quick] [--out FILE]`: throughput, scaling, memory, sweeps.

Measures, in one run on this machine (see issue 7 and docs/performance.md):
1. model throughput in worker-steps per second at several sizes (1 firm per 100 workers,
   1 region per 10,000 workers), all policy modules off and all on;
2. a plain Mesa loop over as many agents (one `mesa.Agent` per worker, a one-line `step`,
   `shuffle_do`): the floor cost of Mesa's per-agent scheduling, and the ratio of (1) to it;
3. the scaling exponent of run time in workers;
4. peak traced memory per worker;
5. sweep throughput with 1 and 2 worker processes, and the speed-up;
plus the reference run (250,000 workers, 200 steps, all modules on) and classroom scale.
Nothing here is a test: CI only checks that `--quick` runs and writes its JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def world(workers: int, modules_on: bool, steps: int = 10) -> dict[str, Any]:
    """Overrides for a world of `workers` workers scaled as the issue asks."""
    regions = max(1, round(workers / 10_000))
    overrides: dict[str, Any] = {
        "n_regions": regions,
        "workers_per_region": workers // regions,
        "firms_per_region": max(1, workers // regions // 100),
        "burn_in": 0,
        "steps": steps,
    }
    if modules_on:
        overrides.update({f"policies.{name}.enabled": True for name in REGISTRY})
    return overrides


def model_seconds_per_step(workers: int, modules_on: bool, steps: int,
                           warmup: int = 2) -> float:
    """Wall seconds per quarter of the whole model (observables recorded every step)."""
    model = RegionalEconomy(load_scenario("baseline", world(workers, modules_on)), seed=0)
    for _ in range(warmup):
        model.step()
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - start) / steps


class _Bare(mesa.Agent):
    def step(self) -> None:
        self.x = 1


class _BareModel(mesa.Model):
    def __init__(self, n: int) -> None:
        super().__init__(rng=0)
        _Bare.create_agents(self, n)


def mesa_seconds_per_step(agents: int, steps: int) -> float:
    """Plain Mesa: one agent per worker, a one-line step, stepped with shuffle_do."""
    model = _BareModel(agents)
    model.agents.shuffle_do("step")
    start = time.perf_counter()
    for _ in range(steps):
        model.agents.shuffle_do("step")
    return (time.perf_counter() - start) / steps


def peak_bytes_per_worker(workers: int, steps: int) -> float:
    tracemalloc.start()
    model = RegionalEconomy(load_scenario("baseline", world(workers, True)), seed=0)
    for _ in range(steps):
        model.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model
    return peak / workers


def sweep_runs_per_second(workers: int, processes: int, runs: int) -> float | None:
    """Runs per second of a small sweep; None where the sweep runner is not available."""
    try:
        from highroad import sweep
    except ImportError:
        return None
    import tempfile

    spec = {
        "base": "baseline",
        "steps": 20,
        "replicates": runs,
        "seed": 0,
        "design": {"method": "grid"},
        "factors": {"capital_mobility": [0.5]},
        "overrides": {k: v for k, v in world(workers, False).items() if k != "steps"},
    }
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        sweep(spec, workers=processes, out=out, progress=False)
        return runs / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs")
    parser.add_argument("--out", default="benchmarks/results.json", help="JSON output file")
    args = parser.parse_args(argv)
    quick = args.quick
    sizes = [2_000, 5_000] if quick else [20_000, 200_000, 1_000_000]
    steps = 2 if quick else 10
    result: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(),
                              "mesa": mesa.__version__, "quick": quick, "sizes": {}}
    print(f"{'workers':>10} {'modules':>8} {'s/step':>9} {'worker-steps/s':>15} "
          f"{'mesa s/step':>12} {'ratio':>6}")
    for n in sizes:
        bare = mesa_seconds_per_step(n, steps=max(2, steps // 2))
        row: dict[str, Any] = {"mesa_seconds_per_step": bare,
                               "mesa_agent_steps_per_second": n / bare}
        for label, on in (("off", False), ("on", True)):
            sec = model_seconds_per_step(n, on, steps)
            row[f"modules_{label}_seconds_per_step"] = sec
            row[f"modules_{label}_worker_steps_per_second"] = n / sec
            row[f"modules_{label}_ratio_to_mesa"] = bare / sec
            print(f"{n:>10,} {label:>8} {sec:9.4f} {n / sec:15,.0f} {bare:12.4f} "
                  f"{bare / sec:6.2f}")
        result["sizes"][str(n)] = row
    xs = np.log(sizes)
    ys = np.log([result["sizes"][str(n)]["modules_on_seconds_per_step"] for n in sizes])
    result["scaling_exponent_all_sizes"] = float(np.polyfit(xs, ys, 1)[0])
    result["scaling_exponent_top_two"] = float((ys[-1] - ys[-2]) / (xs[-1] - xs[-2]))
    print(f"scaling exponent (top two sizes): {result['scaling_exponent_top_two']:.3f}")
    result["peak_bytes_per_worker"] = peak_bytes_per_worker(sizes[-1], steps=2)
    print(f"peak traced memory per worker at {sizes[-1]:,}: "
          f"{result['peak_bytes_per_worker']:.0f} bytes")
    ref_workers, ref_steps = (5_000, 5) if quick else (250_000, 200)
    sec = model_seconds_per_step(ref_workers, True, ref_steps, warmup=0)
    result["reference_run"] = {"workers": ref_workers, "steps": ref_steps,
                               "seconds": sec * ref_steps}
    print(f"reference run, {ref_workers:,} workers x {ref_steps} steps, modules on: "
          f"{sec * ref_steps:.1f} s")
    classroom = model_seconds_per_step(2_000 if quick else 10_000, False, steps * 2)
    result["classroom_steps_per_second"] = 1.0 / classroom
    print(f"classroom scale: {1.0 / classroom:.0f} steps/s")
    runs = 4 if quick else 16
    one = sweep_runs_per_second(2_000 if quick else 10_000, 1, runs)
    two = sweep_runs_per_second(2_000 if quick else 10_000, 2, runs)
    result["sweep"] = {"runs_per_second_1": one, "runs_per_second_2": two,
                       "speedup": (two / one) if one and two else None}
    if one and two:
        print(f"sweep: {one:.2f} runs/s with 1 process, {two:.2f} with 2: "
              f"speed-up {two / one:.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
