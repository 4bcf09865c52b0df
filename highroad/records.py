"""What a run records beyond the fixed observables: custom reporters and agent-level tables.

A *reporter* is a function of the model returning a number (or anything Parquet stores),
evaluated at every recorded quarter and added as a column of the economy table, as Mesa's
model reporters are. From Python it is any callable; in a sweep file it is named by
reference, `"package.module:function"`, and imported from the user's own code. A sweep file
stays data: it names the function, it never contains code. Importing a module runs it, so
name only code you trust, as you would when importing it yourself.

*Agent tables* (`AgentRecording`) keep, every `every` recorded quarters, one row per active
firm (`firms`), one row per Region agent with its full state (`region_state`: what the
government sees and keeps, beyond the observables of `regions`) and a random sample of
`workers` workers (`workers`; a fresh cross-section each time, since workers enter, retire
and are stored region by region, so a worker has no lasting row). The sample is drawn from
its own random stream (seeded from the run's seed), never the model's, so recording agents
changes no number of the run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from highroad.errors import ScenarioError

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

Reporter = Callable[[Any], Any]

#: Firm-table columns kept in the `firms` table (the table's bookkeeping columns are left out).
FIRM_FIELDS = ("region", "high", "capital", "cash", "tfp", "owner", "owner_type", "employees",
               "output", "revenue", "wage_bill", "profit", "tax", "rate", "investment",
               "complies", "productivity", "price", "mean_skill", "trains", "worker_stake")
#: Per-worker arrays kept in the `workers` sample.
WORKER_FIELDS = ("region", "employer", "skill", "wage", "wealth", "income", "tenure", "stake")
AGENT_TABLES = ("firms", "region_state", "workers")


def resolve_reporter(ref: str | Reporter, source: str = "reporters", key: str = "") -> Reporter:
    """A callable as given, or the function a `"module:function"` reference names."""
    if callable(ref):
        return ref
    allowed = "\"package.module:function\", importable from this Python (code you trust)"
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise ScenarioError(source, key, f"expected a reference, got {ref!r}", allowed)
    module_name, _, name = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any error of the user's module, reported with the key
        raise ScenarioError(source, key, f"cannot import {module_name!r} ({exc})",
                            allowed) from None
    function = getattr(module, name, None)
    if not callable(function):
        raise ScenarioError(source, key, f"{module_name!r} has no function {name!r}", allowed)
    return function


def resolve_reporters(reporters: Mapping[str, str | Reporter] | None, source: str = "reporters",
                      prefix: str = "reporters.") -> dict[str, Reporter]:
    """Name -> callable for every reporter (references imported, names checked)."""
    out = {}
    for name, ref in (reporters or {}).items():
        if not isinstance(name, str) or not name or name in ("step", "region"):
            raise ScenarioError(source, f"{prefix}{name}", "not a usable column name",
                                "a name other than step and region")
        out[name] = resolve_reporter(ref, source, f"{prefix}{name}")
    return out


def report(model: RegionalEconomy, reporters: Mapping[str, Reporter]) -> dict[str, Any]:
    """Each reporter's value for the model as it stands (numpy scalars as Python values)."""
    values = {}
    for name, function in reporters.items():
        value = function(model)
        values[name] = value.item() if isinstance(value, np.generic) else value
    return values


@dataclass(frozen=True)
class AgentRecording:
    """Agent tables every `every` recorded quarters, with a sample of `workers` workers."""

    every: int = 1
    workers: int = 100

    def __post_init__(self) -> None:
        for name, low in (("every", 1), ("workers", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) \
                    or value < low:
                raise ScenarioError("record_agents", name, f"{value!r} is out of range",
                                    f"a whole number >= {low}")

    def due(self, step: int) -> bool:
        return step % self.every == 0

    def to_dict(self) -> dict[str, int]:
        return {"every": self.every, "workers": self.workers}


def agent_rows(model: RegionalEconomy, step: int, sample: int,
               rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """This quarter's `firms`, `region_state` and sampled `workers` rows."""
    t = model.firm_table
    active = np.flatnonzero(t.view("active"))
    firms = pd.DataFrame({"step": step, "firm": active,
                          **{name: t.view(name)[active] for name in FIRM_FIELDS}})
    rt = model.region_table
    regions = pd.DataFrame({"step": step, "region": np.arange(model.n_regions),
                            **{name: rt.view(name).copy() for name in rt._dtypes}})
    wf = model.workforce
    chosen = np.sort(rng.choice(len(wf), size=min(sample, len(wf)), replace=False))
    workers = pd.DataFrame({"step": step, "worker": chosen,
                            **{name: getattr(wf, name)[chosen] for name in WORKER_FIELDS}})
    return {"firms": firms, "region_state": regions, "workers": workers}


class Recorder:
    """Adds reporter columns to each new economy row and keeps the agent tables of a run."""

    def __init__(self, model: RegionalEconomy, seed: int,
                 reporters: Mapping[str, Reporter] | None = None,
                 agents: AgentRecording | None = None) -> None:
        self.model = model
        self.reporters = dict(reporters or {})
        self.agents = agents
        self.rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EED]))
        self.tables: dict[str, list[pd.DataFrame]] = {name: [] for name in AGENT_TABLES}
        self.seen = 0

    def after_step(self) -> None:
        """Call after each `model.step()`: acts only when the quarter was recorded."""
        records = self.model.records
        if len(records) == self.seen:
            return  # a burn-in quarter: nothing was recorded
        self.seen = len(records)
        row = records[-1]
        if self.reporters:
            clash = set(self.reporters) & set(row)
            if clash:
                raise ScenarioError("reporters", sorted(clash)[0], "is already an observable",
                                    "a name that is not a column of the economy table")
            row.update(report(self.model, self.reporters))
        if self.agents is not None and self.agents.due(row["step"]):
            for name, frame in agent_rows(self.model, row["step"], self.agents.workers,
                                          self.rng).items():
                self.tables[name].append(frame)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The agent tables (empty when agents are not recorded)."""
        if self.agents is None:
            return {}
        return {name: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
                for name, parts in self.tables.items()}
