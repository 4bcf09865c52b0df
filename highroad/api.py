"""The Python API: `simulate` a scenario and get tidy frames back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

from highroad.errors import ScenarioError
from highroad.records import AgentRecording, Recorder, Reporter, resolve_reporters
from highroad.regions.observer import Observation, set_default_observer
from highroad.scenarios.loader import Scenario, load_scenario


def observe_quarter(model: Any) -> Observation:
    """The observables of one quarter (`highroad.analysis.observables.observe`)."""
    from highroad.analysis.observables import observe

    return observe(model)


# Every model built in a program that imports highroad records the observables.
set_default_observer(observe_quarter)


@dataclass
class Result:
    """A finished run: `.economy` (one row per step), `.regions` (per step and region).

    With `record_agents`, `.agents` holds the `firms`, `region_state` and `workers` tables
    (see `highroad.records`).
    """

    scenario: Scenario
    seed: int
    economy: pd.DataFrame
    regions: pd.DataFrame
    model: Any = None
    agents: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        from highroad.analysis.summary import summary_table

        return summary_table(self.economy)


def check_seed(seed: int) -> None:
    """A seed is a whole number >= 0 (NumPy refuses negative seeds)."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ScenarioError("--seed", "seed", f"{seed!r} is out of range",
                            "a whole number >= 0")


def simulate(scenario: str | Path | Scenario = "baseline", steps: int | None = None,
             seed: int = 0, overrides: dict[str, Any] | None = None,
             progress: bool = False, keep_model: bool = False,
             reporters: Mapping[str, Reporter | str] | None = None,
             record_agents: AgentRecording | int | None = None,
             observer: Callable[[Any], None] | None = None) -> Result:
    """Run a scenario (name, path or loaded Scenario) and return its tidy frames.

    `overrides` maps dotted keys to values exactly as `--set` does, e.g.
    `{"capital_mobility": 0.9, "government.capital_tax": 0.3}`. `steps` replaces the
    scenario's `steps`. The same scenario and seed give identical frames.

    Steps: the model first runs `burn_in` quarters unrecorded; `step` 0 is the last of them
    (the state recording starts from), then steps 1..`steps` follow, so `economy` has
    `steps + 1` rows (`steps` with `burn_in = 0`: there is no step 0 then).

    `reporters` maps column names to functions of the model (or `"module:function"`
    references), evaluated at every recorded step and added to `economy`. `record_agents`
    (an `AgentRecording`, or N for every N steps with 100 workers) adds the agent tables to
    `Result.agents`. Neither changes any number of the run.

    `observer`, if given, is called with the model after every quarter (burn-in included) to
    read what the tidy frames do not hold (e.g. each firm's staff); it must not change the
    model.
    """
    from highroad.regions.model import RegionalEconomy

    check_seed(seed)
    overrides = dict(overrides or {})
    if steps is not None:
        overrides["steps"] = steps
    scen = load_scenario(scenario, overrides)
    functions = resolve_reporters(reporters)
    if isinstance(record_agents, int) and not isinstance(record_agents, bool):
        record_agents = AgentRecording(every=record_agents)
    model = RegionalEconomy(scen, seed=seed, observe=observe_quarter)
    recorder = Recorder(model, int(seed), functions, record_agents)
    total = scen.world.burn_in + scen.world.steps
    iterator = range(total)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc=scen.name, unit="quarter", leave=False)
    for _ in iterator:
        model.step()
        recorder.after_step()
        if observer is not None:
            observer(model)
    economy = pd.DataFrame.from_records(model.records)
    regions = pd.DataFrame.from_records(model.region_records)
    return Result(scen, int(seed), economy, regions, model if keep_model else None,
                  recorder.frames())


def probe(scenario: Scenario) -> Result:
    """One quarter of a shrunken copy: the one place that knows every column a run writes.

    The model builds its rows at run time (policy modules add their own), so the columns of
    a scenario's tables are read off this tiny run.
    """
    world = scenario.world
    shrink = {"steps": 1, "burn_in": 0, "workers_per_region": min(world.workers_per_region, 50),
              "firms_per_region": min(world.firms_per_region, 3)}
    return simulate(scenario, seed=0, overrides=shrink)
