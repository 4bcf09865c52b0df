"""Will it fit? Memory and disk estimated from the scenario, checked before anything runs.

A run whose economy cannot fit in memory, or whose results cannot be written, is refused
(`ScenarioError`, exit code 2) before the simulation starts, naming the estimate and what
the machine has: results are never lost at the end of a long run to a full disk or a
read-only folder.

The per-item sizes were measured on this project's machine (peak resident memory of runs of
`baseline` varying one size at a time: about 270 bytes per worker, 1.1 kB per firm and
11 kB per recorded quarter of six regions) and are used here with a margin of half again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from highroad.errors import ScenarioError

if TYPE_CHECKING:
    from highroad.scenarios.loader import Scenario
    from highroad.scenarios.sweep_spec import SweepSpec

#: Bytes of memory: the interpreter with numpy, pandas and Mesa loaded; then per item.
BASE_MEMORY = 200e6
PER_WORKER = 400.0
PER_FIRM = 1_700.0
PER_STEP = 12_000.0
PER_REGION_STEP = 3_000.0
#: Bytes written per household row (Parquet and CSV) and per economy or region row.
OUT_PER_HOUSEHOLD = 150.0
OUT_PER_ROW = 3_000.0
#: The chart, the network and the manifest.
OUT_FIXED = 2e6
#: Bytes per run of a sweep's plan, records and runs table (in memory and on disk).
PER_RUN = 4_000.0


def sizes(scenario: Scenario) -> tuple[int, int, int, int]:
    """Workers, firms, quarters run and regions of a scenario."""
    w = scenario.world
    return (w.workers_per_region * w.n_regions + w.n_regions,
            w.firms_per_region * w.n_regions + w.n_regions, w.burn_in + w.steps, w.n_regions)


def run_memory(scenario: Scenario) -> float:
    """Estimated peak memory of one run, in bytes (the model, its records, its frames)."""
    workers, firms, steps, regions = sizes(scenario)
    records = (scenario.world.steps + 1) * (PER_STEP + PER_REGION_STEP * regions)
    return BASE_MEMORY + PER_WORKER * workers + PER_FIRM * firms + 2 * records


def run_output(scenario: Scenario) -> float:
    """Estimated bytes `highroad run` writes."""
    workers, _, _, regions = sizes(scenario)
    rows = (scenario.world.steps + 1) * (1 + regions)
    return OUT_FIXED + OUT_PER_HOUSEHOLD * workers + OUT_PER_ROW * rows


def sweep_memory(spec: SweepSpec, workers: int) -> float:
    """Estimated peak memory of a sweep: `workers` runs at once, plus its plan and records."""
    return workers * run_memory(spec.base) + PER_RUN * spec.n_runs


def sweep_output(spec: SweepSpec) -> float:
    """Estimated bytes a sweep writes: its parts, then the merged tables (twice the rows)."""
    _, _, _, regions = sizes(spec.base)
    rows = (spec.base.world.steps // spec.record_every + 2) * (1 + regions) * spec.n_runs
    columns = len(spec.observables) + 10 if spec.observables else 120
    return OUT_FIXED + PER_RUN * spec.n_runs + 2 * 8.0 * columns * rows


def available_memory() -> float:
    """Memory this machine can give a new process now, in bytes (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def check_memory(needed: float, what: str, source: str, key: str) -> None:
    """Refuse (exit 2) when `needed` bytes exceed the memory available."""
    have = available_memory()
    if needed > have:
        raise ScenarioError(source, key, f"{what} needs about {gib(needed)} of memory; this "
                            f"machine has {gib(have)} available",
                            "fewer workers, firms, steps, replicates or parallel workers")


def check_output_folder(folder: str | Path, needed: float, option: str = "--out") -> Path:
    """Refuse a folder that cannot hold `needed` bytes of results: check before running.

    The folder must exist or be creatable (nothing on its path is a file), be writable, and
    its disk must have room for the estimate. Nothing is created here.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(option, option.lstrip("-"), f"{folder} exists and is not a folder",
                            "a folder path")
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ScenarioError(option, option.lstrip("-"), f"cannot create {folder}: {existing} "
                            "is a file", "a folder path whose parents are folders")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ScenarioError(option, option.lstrip("-"), f"{existing} is not writable",
                            "a folder you may write to")
    free = shutil.disk_usage(existing).free
    if needed > free:
        raise ScenarioError(option, option.lstrip("-"), f"the results need about "
                            f"{gib(needed)} but {existing} has {gib(free)} free",
                            "a disk with room, or fewer workers or steps")
    return folder


def gib(size: float) -> str:
    """Bytes as readable text: 1.5 GB, 240 MB."""
    return f"{size / 1e9:.3g} GB" if size >= 1e9 else f"{size / 1e6:.3g} MB"
