"""The Python API: `simulate` a scenario and get tidy frames back."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

from highroad.errors import ScenarioError
from highroad.scenarios.loader import Scenario, load_scenario


@dataclass
class Result:
    """A finished run: `.economy` (one row per step), `.regions` (per step and region)."""

    scenario: Scenario
    seed: int
    economy: pd.DataFrame
    regions: pd.DataFrame
    model: Any = None

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
             progress: bool = False, keep_model: bool = False) -> Result:
    """Run a scenario (name, path or loaded Scenario) and return its tidy frames.

    `overrides` maps dotted keys to values exactly as `--set` does, e.g.
    `{"capital_mobility": 0.9, "government.capital_tax": 0.3}`. `steps` replaces the
    scenario's `steps`. The same scenario and seed give identical frames.
    """
    from highroad.regions.model import RegionalEconomy

    check_seed(seed)
    overrides = dict(overrides or {})
    if steps is not None:
        overrides["steps"] = steps
    scen = load_scenario(scenario, overrides)
    model = RegionalEconomy(scen, seed=seed)
    total = scen.world.burn_in + scen.world.steps
    iterator = range(total)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc=scen.name, unit="quarter", leave=False)
    for _ in iterator:
        model.step()
    economy = pd.DataFrame.from_records(model.records)
    regions = pd.DataFrame.from_records(model.region_records)
    return Result(scen, int(seed), economy, regions, model if keep_model else None)
