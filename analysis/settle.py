"""Settled runs: a claim's conditions run until their observable passes a stationarity test.

The test: the drift of a condition's replicate-mean path over the last `window` share of its
recorded quarters (the OLS slope times the window's length) lies within `tolerance` times the
observable's smallest effect of interest. When every condition of a claim passes it at the
world's `steps`, nothing is continued. Otherwise the claim's conditions are continued in chunks
of `chunk` times `steps` quarters, the test applied again to each at the end of each chunk, up
to `longest` times `steps`; they stop at the first chunk end where all pass, or at the longest
(and those that have not are reported as not settled). A claim's conditions always stop
together, so its contrast compares the same quarters of runs that share their seeds (common
random numbers; a placebo that makes the conditions the same model gives exactly zero). The
verdict window is the last quarter of the run as it stopped. The same rule holds for every
claim.

How runs are continued: a run's path does not depend on how many quarters it is asked for
(the model never reads `steps`; `tests/test_claims.py` checks that a run's quarters are the
first quarters of a longer run with the same seed). So a claim that has not settled is run
once more, with the same seeds, to the longest length, and cut at the end of each chunk in
turn: the numbers are exactly those of the same models stepped on chunk by chunk, without
keeping models alive between sweeps (the sweep runner's workers return tables, not models).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.claims import ClaimsSpec, Condition, Runs, run_conditions, series
from highroad.scenarios.loader import load_scenario


@dataclass(frozen=True)
class Rule:
    """The stationarity test and how far a condition is continued (`[checks]` of the claims
    file; defaults in `analysis/decide.py`)."""

    window: float     # share of the recorded quarters the drift is measured over
    tolerance: float  # drift allowed, in units of the SESOI
    chunk: float      # a continuation, as a share of the world's steps
    longest: float    # the longest run, as a multiple of the world's steps

    @classmethod
    def of(cls, checks: dict[str, Any]) -> Rule:
        return cls(float(checks["settle_window"]), float(checks["settle_tolerance"]),
                   float(checks["settle_chunk"]), float(checks["settle_longest"]))

    def lengths(self, steps: int) -> list[int]:
        """The run lengths at which the test is applied after `steps`: each chunk's end."""
        chunk = max(1, int(round(self.chunk * steps)))
        top = max(steps, int(round(self.longest * steps)))
        ends = list(range(steps + chunk, top, chunk))
        return [*ends, top] if top > steps else []


@dataclass(frozen=True)
class Settled:
    """A claim's runs as they stopped: their length, and per condition its drift and verdict."""

    runs: Runs
    steps: int
    drift: list[float]
    settled: list[bool]


def drift(runs: Runs, observable: str, window: float) -> pd.Series:
    """Per design point: the OLS slope of the replicate-mean path over the last `window`
    share of the point's recorded steps, times the window's length (the drift over it)."""
    path = series(runs, observable).merge(runs.runs[["run_id", "point"]], on="run_id")
    mean = path.groupby(["point", "step"])["value"].mean().reset_index()
    out = {}
    for point, g in mean.groupby("point"):
        last = g["step"].max()
        g = g[g["step"] > last - max(2, int(round(window * (last + 1))))]
        slope = np.polyfit(g["step"].to_numpy(float), g["value"].to_numpy(float), 1)[0]
        out[point] = float(slope * (g["step"].max() - g["step"].min()))
    return pd.Series(out)


def world_steps(spec: ClaimsSpec, user: dict[str, Any]) -> int:
    return int(load_scenario("baseline", {**spec.world, **user}).world.steps)


def settle(name: str, conditions: list[Condition], observable: str, margin: float, rule: Rule,
           spec: ClaimsSpec, user: dict[str, Any], reps: int, out: Path,
           workers: int | None) -> Settled:
    """Run the conditions; continue them while one has not settled (see the module)."""
    runs = run_conditions(name, conditions, spec, user, reps, out, workers)
    steps = world_steps(spec, user)
    result = judge(runs, steps, observable, margin, rule)
    ends = rule.lengths(steps)
    if all(result.settled) or not ends:
        return result
    longer = run_conditions(f"{name}_to{ends[-1]}", conditions, spec,
                            {**user, "steps": ends[-1]}, reps, out, workers)
    for end in ends:
        result = judge(truncate(longer, end), end, observable, margin, rule)
        if all(result.settled):
            break
    return result


def judge(runs: Runs, steps: int, observable: str, margin: float, rule: Rule) -> Settled:
    """The stationarity test on runs of `steps` quarters."""
    drifts = drift(runs, observable, rule.window)
    values = [float(drifts[i]) for i in sorted(drifts.index)]
    return Settled(runs, steps, values, [abs(v) <= rule.tolerance * margin for v in values])


def truncate(runs: Runs, end: int) -> Runs:
    """The runs as they stood after `end` recorded quarters."""
    return Runs(runs.runs, runs.economy[runs.economy["step"] <= end],
                runs.regions[runs.regions["step"] <= end])
