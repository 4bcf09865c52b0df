"""Scenario sweeps: run a design of factor values × replicates and keep tidy results.

    >>> import highroad
    >>> result = highroad.sweep("small_grid", workers=2, out="out/sweeps/small_grid")
    >>> result.runs[["capital_mobility", "seed", "status", "end_income_gini"]]
    >>> result.economy.groupby(["capital_mobility", "step"])["income_gini"].mean()

The pieces: `sweep_spec` reads and validates the sweep file (before anything runs),
`designs` draws the design points, `sweep_runner` runs the runs on a local process pool or a
Dask cluster, and `sweep_store` writes each finished run durably and merges the results.
See docs/sweeps.md.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from highroad import outputs, resources
from highroad.errors import ScenarioError
from highroad.scenarios.designs import to_python
from highroad.scenarios.sweep_runner import (
    ENGINES,
    RunTask,
    default_workers,
    engine_outputs,
)
from highroad.scenarios.sweep_spec import SweepSpec, list_sweeps, load_sweep
from highroad.scenarios.sweep_store import MANIFEST, SweepStore

__all__ = ["SweepResult", "SweepSpec", "list_sweeps", "load_sweep", "sweep"]


@dataclass
class SweepResult:
    """A finished sweep's folder: `.runs` in memory, step-level tables read on demand.

    `.economy` (one row per run and step) and `.regions` (per run, step and region) are read
    from Parquet when asked for, so a sweep never has to fit in memory; pass `columns=` to
    `read` for a slice of a large one.
    """

    out: Path
    spec: dict[str, Any]
    runs: pd.DataFrame

    @classmethod
    def open(cls, out: str | Path) -> SweepResult:
        """Open the results folder of a finished sweep."""
        out = Path(out)
        outputs.verify(out, MANIFEST)
        spec = json.loads((out / "sweep.json").read_text())
        return cls(out, spec, pd.read_parquet(out / "runs.parquet"))

    @property
    def economy(self) -> pd.DataFrame:
        return self.read("economy")

    @property
    def regions(self) -> pd.DataFrame:
        return self.read("regions")

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that raised, with their seed, factor values and error."""
        return self.runs[self.runs["status"] != "ok"]

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Read `economy` or `regions` (optionally only some columns) from Parquet."""
        return pd.read_parquet(self.out / f"{table}.parquet", columns=columns)


def sweep(spec_or_path: str | Path | dict[str, Any] | SweepSpec, *, workers: int | None = None,
          out: str | Path | None = None, resume: bool = False,
          allow_version_mix: bool = False, engine: str = "local",
          address: str | None = None, progress: bool = False,
          replicates: int | None = None) -> SweepResult:
    """Run a sweep and return its results (see `SweepResult`).

    `spec_or_path`: a sweep file, a shipped sweep's name, a dict shaped like the file, or a
    `SweepSpec`. `workers` defaults to the number of cores. `out` defaults to
    `out/sweeps/<name>`; it must not already hold a sweep unless `resume` is set, in which
    case only the runs not yet saved there are run — under the same versions of highroad,
    Mesa, numpy and pandas as the saved ones, unless `allow_version_mix`. `engine` is
    `local` (a process pool) or `dask` (the scheduler at `address`, or a LocalCluster of
    `workers` processes). `replicates` replaces the file's; with `resume` on a sweep holding
    fewer, it extends that sweep: the new replicates' runs follow the old ones, their seeds
    the old seeds.
    Everything is checked, and a `ScenarioError` raised, before any run starts.
    """
    spec = load_sweep(spec_or_path)
    workers = check_engine(engine, workers, address)
    replicates = to_python(replicates)
    if replicates is not None and (isinstance(replicates, bool) or not isinstance(
            replicates, int) or replicates < 1):
        raise ScenarioError("--replicates", "replicates", f"{replicates!r} is out of range",
                            "a whole number >= 1")
    store = SweepStore(out if out is not None else Path("out") / "sweeps" / spec.name)
    # Checked before the lock (a refused sweep creates no folder), and again under it.
    spec = store.check(spec, resume, allow_version_mix, replicates)
    local = 1 if engine == "dask" and address else workers
    resources.check_memory(resources.sweep_memory(spec, local), f"this sweep ({spec.n_runs:,} "
                           f"runs, {local} at a time)", spec.source, "replicates")
    resources.check_output_folder(store.out, 0 if store.finished()
                                  else resources.sweep_output(spec))
    with outputs.locked(store.out):
        spec = store.check(spec, resume, allow_version_mix, replicates)
        if store.stored_fingerprint() not in (None, spec.fingerprint):
            store.reopen(spec)  # more replicates for a sweep already in `out`
        if not store.finished():
            run_missing(spec, store, engine, workers, address, progress)
        if store.parts.exists():  # a sweep killed while clearing up after itself
            shutil.rmtree(store.parts)
    return SweepResult.open(store.out)


def check_engine(engine: str, workers: int | None, address: str | None) -> int:
    """Validate the engine options; return the number of workers to use."""
    if engine not in ENGINES:
        raise ScenarioError("--engine", "engine", f"'{engine}' is not a known engine",
                            ", ".join(ENGINES))
    if address and engine != "dask":
        raise ScenarioError("--address", "address", "an address needs --engine dask",
                            "--engine dask --address tcp://host:port")
    if workers is None:
        return default_workers()
    workers = to_python(workers)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ScenarioError("--workers", "workers", f"{workers!r} is out of range",
                            "a whole number >= 1")
    return workers


def run_missing(spec: SweepSpec, store: SweepStore, engine: str, workers: int,
                address: str | None, progress: bool) -> None:
    """Run every run not yet saved in `store`, saving each as it finishes; then merge."""
    from tqdm import tqdm

    done = store.done_runs(spec.tables)
    todo = (task_for(spec, run_id) for run_id in range(spec.n_runs) if run_id not in done)
    failed = sum(status != "ok" for status in done.values())
    bar = tqdm(total=spec.n_runs, initial=len(done), desc=spec.name, unit="run",
               disable=not progress, dynamic_ncols=True)
    bar.set_postfix(failed=failed)
    with bar, engine_outputs(todo, engine, workers, address) as outputs:
        store.begin(spec)
        for output in outputs:
            store.write_run(output.record, output.frames)
            failed += output.record["status"] != "ok"
            bar.set_postfix(failed=failed, refresh=False)
            bar.update()
    store.finish(spec)


def task_for(spec: SweepSpec, run_id: int) -> RunTask:
    """The task of one run of the plan."""
    row = spec.plan.iloc[run_id]
    factors = spec.run_factors(run_id)
    seed = int(row["seed"])
    return RunTask(run_id=run_id, point=int(row["point"]), replicate=int(row["replicate"]),
                   seed=seed, factors=factors, base=spec.base, record_every=spec.record_every,
                   observables=spec.observables, reporters=spec.reporters,
                   record_agents=spec.record_agents,
                   command=spec.reproduce_command(seed, factors))

