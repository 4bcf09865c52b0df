"""`HighroadModel`: the economy as the Mesa-conventional model class Mesa's tools expect.

    >>> model = HighroadModel(capital_mobility=0.9, government_rule="competitive", rng=1)
    >>> for _ in range(8):
    ...     model.step()
    >>> model.datacollector.get_model_vars_dataframe()   # one row per Mesa step

    >>> mesa.batch_run(HighroadModel, parameters={"capital_mobility": [0.2, 0.9],
    ...                "government.capital_tax": 0.3, "workers_per_region": 300},
    ...                iterations=2, max_steps=30)

Parameters. The first argument is the base scenario (a name, a path or a `Scenario`;
`baseline` by default, so the class builds with no arguments). Every scenario parameter is
a keyword argument: the world's keys by name (`capital_mobility=0.9`, `burn_in=0`), a
table's keys as a dict (`government={"capital_tax": 0.3}`, `policies={"good_jobs":
{"enabled": True}}`), and any dotted key either in `parameters={"capital.tax_salience":
0.5}` or as a keyword spelled with its dots (`**{"government.capital_tax": 0.3}`, which is
what `mesa.batch_run(parameters={"government.capital_tax": [...]})` passes). Values are
checked by the scenario loader; a mistake raises `ScenarioError` naming the key.

Random numbers. `rng=` takes an integer seed, as Mesa's `Model(rng=...)` does; `seed=` is
accepted for Mesa 3's `batch_run` and means the same. Without either a fresh seed is drawn
(Mesa's convention: `iterations` then give different runs) and kept as `model.seed`, so any
run can be repeated with `highroad.simulate(..., seed=model.seed)`.

Steps. Building the model also runs the scenario's `burn_in` quarters, as `simulate` does:
afterwards the model stands at highroad's step 0 and each `model.step()` is one recorded
quarter, so after N steps `model.records` equals `simulate(..., steps=N).economy`. Mesa's
own counter `model.steps` counts from construction, burn-in included, and the
`datacollector` keeps one row per Mesa step from 0, as Mesa's tools index it: row i is
highroad step `i - burn_in` (the `step` column), and the rows before the first recorded
quarter are empty (NaN). With `mesa.batch_run(..., max_steps=burn_in + N)` the rows with
`step` 0..N are exactly simulate's. This class counts highroad's steps itself
(`step_number`) and needs neither `batch_run` nor `seed=`; docs/mesa.md says how it maps
onto Mesa 4's Scenario.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from highroad.agents.firm import Firm
from highroad.errors import ScenarioError
from highroad.records import Recorder, Reporter, resolve_reporters
from highroad.regions.model import RegionalEconomy
from highroad.regions.region import Region
from highroad.scenarios.loader import Scenario, load_scenario
from highroad.scenarios.schema import GROUPS, WorldParams, default_value

#: What the datacollector reads from each agent (Mesa agent-type reporters).
FIRM_REPORTERS = {name: name for name in ("region", "high", "capital", "cash", "tfp", "owner",
                                          "employees", "rate")}
REGION_REPORTERS = {name: name for name in ("capital_tax", "labour_standard", "public_goods",
                                            "cash", "associative_capacity", "flight_share")}


def scenario_overrides(parameters: Mapping[str, Any] | None,
                       keywords: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted overrides from a `parameters` mapping and keywords (names, dotted, or tables)."""
    out: dict[str, Any] = {}

    def add(key: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for sub, item in value.items():
                add(f"{key}.{sub}", item)
        else:
            out[key] = value

    for key, value in {**dict(parameters or {}), **dict(keywords)}.items():
        add(str(key), value)
    return out


def economy_columns(scenario: Scenario) -> list[str]:
    """The economy table's columns for this scenario (see `highroad.api.probe`)."""
    from highroad.api import probe

    return list(probe(scenario).economy.columns)


def _observed(model: HighroadModel, name: str) -> Any:
    row = model.current_row
    return np.nan if row is None else row.get(name, np.nan)


def _step(model: HighroadModel) -> int:
    return model.step_number


class HighroadModel(RegionalEconomy):
    """The multi-region economy with Mesa-style keyword parameters and a DataCollector."""

    def __init__(self, scenario: str | Path | Scenario = "baseline", *,
                 parameters: Mapping[str, Any] | None = None, rng: Any = None,
                 seed: Any = None, reporters: Mapping[str, Reporter | str] | None = None,
                 **keywords: Any) -> None:
        scen = load_scenario(scenario, scenario_overrides(parameters, keywords))
        run_seed = _seed(rng, seed)
        functions = resolve_reporters(reporters)
        super().__init__(scen, seed=run_seed)
        self.recorder = Recorder(self, run_seed, functions)
        self.current_row: dict[str, Any] | None = None
        self.step_number = -scen.world.burn_in
        self.datacollector: mesa.DataCollector | None = None
        for _ in range(scen.world.burn_in):
            self.step()
        columns = [c for c in economy_columns(scen) if c != "step"] + list(functions)
        reporters_ = {"step": _step} | {c: partial(_observed, name=c) for c in columns}
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters_,
            agenttype_reporters={Firm: FIRM_REPORTERS, Region: REGION_REPORTERS})
        burn_in = scen.world.burn_in
        for name, values in self.datacollector.model_vars.items():
            values.extend(range(-burn_in, 0) if name == "step" else [np.nan] * burn_in)
        self.datacollector.collect(self)

    def step(self) -> None:
        """One quarter (`RegionalEconomy.step`), then the custom reporters and collection."""
        super().step()
        self.step_number += 1
        recorded = len(self.records)
        self.recorder.after_step()
        self.current_row = self.records[-1] if recorded and self.step_number >= 0 else None
        if self.datacollector is not None:
            self.datacollector.collect(self)


def _seed(rng: Any, seed: Any) -> int:
    """The run's integer seed from `rng=` or `seed=` (one of them), or a fresh one."""
    if rng is not None and seed is not None:
        raise ScenarioError("HighroadModel", "rng", "both rng and seed given",
                            "one of them (they mean the same)")
    value = rng if rng is not None else seed
    if value is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ScenarioError("HighroadModel", "rng", f"expected a seed, got {value!r}",
                            "a whole number >= 0, or None for a fresh seed")
    return int(value)


def _signature() -> inspect.Signature:
    """The keyword arguments, with the baseline scenario's values as defaults."""
    base = load_scenario("baseline")
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
              inspect.Parameter("scenario", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                default="baseline"),
              inspect.Parameter("parameters", kw, default=None),
              inspect.Parameter("rng", kw, default=None),
              inspect.Parameter("seed", kw, default=None),
              inspect.Parameter("reporters", kw, default=None)]
    for f in fields(WorldParams):
        params.append(inspect.Parameter(f.name, kw, default=getattr(base.world, f.name,
                                                                    default_value(f))))
    for group in (*GROUPS, "policies"):
        params.append(inspect.Parameter(group, kw, default=None))
    params.append(inspect.Parameter("dotted_keys", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


HighroadModel.__init__.__signature__ = _signature()  # type: ignore[attr-defined]
