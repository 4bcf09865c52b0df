"""Running a sweep's runs: one run as a pure function, and the engines that run many.

`execute_run` is all a worker does: simulate one (base scenario, factor values, seed),
thin the tables, tag every row and summarise the end of the run. It never raises for a
model error: a run that raises comes back as a failed record (error, traceback, seed), so
the sweep goes on. Workers write nothing; the main process saves each run as it arrives
(see `sweep_store`), which keeps one writer and works on clusters without a shared disk.

Engines yield the outputs in whatever order runs finish; results do not depend on that
order, on the number of workers or on the engine, because each run depends only on its
own task. At most `2 * workers` runs are in flight, so memory stays bounded however many
runs a sweep has.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import Any

import pandas as pd

from highroad.allocator import keep_freed_memory
from highroad.errors import ScenarioError
from highroad.provenance import versions
from highroad.records import AgentRecording
from highroad.scenarios.loader import Scenario

ENGINES = ("local", "dask")
KEYS = ("run_id", "point", "replicate", "seed")


@dataclass(frozen=True)
class RunTask:
    """Everything one run needs: the ids, the seed, the factor values and the base."""

    run_id: int
    point: int
    replicate: int
    seed: int
    factors: dict[str, Any]
    base: Scenario
    record_every: int = 1
    observables: tuple[str, ...] | None = None
    command: str = ""
    reporters: dict[str, str] = field(default_factory=dict)
    record_agents: AgentRecording | None = None


@dataclass
class RunOutput:
    """A finished run: its record (one row of the runs table) and its tables (if it ran)."""

    record: dict[str, Any]
    frames: dict[str, pd.DataFrame]


def execute_run(task: RunTask) -> RunOutput:
    """Simulate one run; a run that raises is returned as a failed record, not raised."""
    from highroad.api import simulate

    record: dict[str, Any] = {k: getattr(task, k) for k in KEYS}
    record.update(factors=task.factors, command=task.command, versions=versions())
    start = time.perf_counter()
    try:
        result = simulate(task.base, seed=task.seed, overrides=task.factors,
                          reporters=task.reporters, record_agents=task.record_agents)
    except Exception as exc:  # a failed run is a result too: record it and go on
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(), wall_time=time.perf_counter() - start,
                      summary=None)
        return RunOutput(record, {})
    record.update(status="ok", error=None, traceback=None,
                  wall_time=time.perf_counter() - start, summary=end_of_run(result.economy))
    frames = {"economy": tidy(result.economy, task, ["step"]),
              "regions": tidy(result.regions, task, ["step", "region"])}
    frames.update({name: tag(frame, task) for name, frame in result.agents.items()})
    return RunOutput(record, frames)


def end_of_run(economy: pd.DataFrame) -> dict[str, float]:
    """Each numeric economy column averaged over the last quarter of the recorded rows.

    Exactly: the mean over the last `max(1, n // 4)` rows of the run's economy table, where
    `n = steps + 1` counts every recorded step including step 0 (so 80 steps average steps
    61-80; `n = steps` with `burn_in = 0`), as `summary_table` does; `record_every` and
    `observables` do not change it. `collapsed` is the share of those quarters in which the
    economy had collapsed; the inequality measures are averaged over the other quarters only
    (NaN if none).
    """
    from highroad.analysis.summary import without_collapse

    last = without_collapse(economy).iloc[-max(1, len(economy) // 4):]
    numeric = last.drop(columns="step").select_dtypes(["number", "bool"])
    return {k: float(v) for k, v in numeric.astype(float).mean().items()}


def tidy(frame: pd.DataFrame, task: RunTask, index: list[str]) -> pd.DataFrame:
    """Thin to every k-th step (and the last), keep the chosen observables, tag each row."""
    steps = frame["step"]
    keep = (steps % task.record_every == 0) | (steps == steps.max())
    frame = frame.loc[keep].sort_values(index, ignore_index=True)
    if task.observables is not None:
        kept = set(task.observables) | set(task.reporters)
        frame = frame[index + [c for c in frame.columns if c in kept]]
    return tag(frame.reset_index(drop=True), task)


def tag(frame: pd.DataFrame, task: RunTask) -> pd.DataFrame:
    """Put the run's ids, seed and factor values in front of every row."""
    tags = {k: getattr(task, k) for k in KEYS} | task.factors
    tagged = pd.DataFrame({k: [v] * len(frame) for k, v in tags.items()})
    clash = set(tags) & set(frame.columns)
    if clash:
        raise ValueError(f"factor keys {sorted(clash)} clash with observable columns")
    return pd.concat([tagged, frame.reset_index(drop=True)], axis=1)


# -- engines -------------------------------------------------------------------------------

def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def engine_outputs(tasks: Iterable[RunTask], engine: str, workers: int,
                   address: str | None) -> Iterator[Iterator[RunOutput]]:
    """Start an engine and give the stream of run outputs; shut it down afterwards.

    `local` with one worker runs in this process (no pool to start, easiest to debug); with
    more it uses a pool of spawned processes. Processes highroad starts (the pool, a
    LocalCluster) keep freed memory (`highroad.allocator`); the caller's process is left as
    it is. (Spawned, not forked: safe whatever threads
    this process runs, and the same on every platform; Mesa's batchrunner also switches the
    global default to spawn on import. As with any spawned pool, a script that calls the
    sweep needs an `if __name__ == "__main__":` guard.) `dask` connects to the scheduler at
    `address`, or starts a LocalCluster of `workers` single-threaded processes.
    """
    if engine == "dask":
        with dask_client(address, workers) as client:
            yield dask_outputs(client, tasks)
    elif workers == 1:
        yield (execute_run(task) for task in tasks)
    else:
        pool = WorkerPool(workers)
        try:
            yield pool.outputs(tasks, window=2 * workers)
        finally:
            pool.close()


class WorkerPool:
    """A pool of spawned worker processes that survives the death of a worker.

    A worker killed while running (the kernel's OOM killer, a segfault) breaks a
    `ProcessPoolExecutor`; here the run it was running is recorded as failed (`worker died`,
    with the signal) and the other runs in flight go to a fresh pool. Each worker says which
    run it starts (through a queue), so the dead worker's run is known. A run in flight
    through `MAX_BREAKS` broken pools is recorded as failed too, so a sweep always ends.
    Workers watch the main process and end when it dies (`watch_parent`).
    """

    MAX_BREAKS = 3

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.context = get_context("spawn")
        self.started = self.context.SimpleQueue()
        self.running: dict[int, int] = {}  # run id -> pid of the worker that started it
        self.breaks: dict[int, int] = {}
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context,
                                   initializer=worker_start,
                                   initargs=(os.getpid(), self.started))

    def outputs(self, tasks: Iterable[RunTask], window: int) -> Iterator[RunOutput]:
        """Outputs as runs finish, with at most `window` runs submitted and not collected."""
        tasks = iter(tasks)
        retry: list[RunTask] = []
        pending: dict[Any, RunTask] = {}
        idle_breaks = 0
        while True:
            while len(pending) < window:
                task = retry.pop() if retry else next(tasks, None)
                if task is None:
                    break
                try:
                    pending[self.pool.submit(execute_in_worker, task)] = task
                except BrokenProcessPool:  # broke since the last wait: see to it below
                    retry.append(task)
                    break
            if not pending:
                if not retry:
                    return
                self._after_break([])
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            self._drain_started()
            broken = [f for f in done if isinstance(f.exception(), BrokenProcessPool)]
            for future in done:
                if future not in broken:
                    self.running.pop(pending[future].run_id, None)
                    yield future.result()
                    del pending[future]
            if not broken:
                continue
            dead, again, started = self._after_break(list(pending.values()))
            idle_breaks = 0 if started else idle_breaks + 1
            if idle_breaks >= 2:
                raise BrokenProcessPool(
                    "worker processes die before running anything. If a script calls "
                    "highroad.sweep, put the call under `if __name__ == \"__main__\":` "
                    "(worker processes import the script), or use workers=1.")
            yield from dead
            retry.extend(again)
            pending.clear()

    def _after_break(self, in_flight: list[RunTask]
                     ) -> tuple[list[RunOutput], list[RunTask], bool]:
        """Failed records for the runs whose worker died; the other runs, to run again;
        and whether any of them had started (a pool whose workers die at start runs none)."""
        codes = self._exit_codes()
        self._drain_started()
        running, self.running = self.running, {}
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new_pool()
        dead, again = [], []
        for task in in_flight:
            pid = running.get(task.run_id)
            code = codes.get(pid) if pid is not None else None
            if pid is not None:
                self.breaks[task.run_id] = self.breaks.get(task.run_id, 0) + 1
            killed = code is not None and code < 0 and -code != signal.SIGTERM
            if killed or self.breaks.get(task.run_id, 0) >= self.MAX_BREAKS:
                dead.append(died(task, code))
            else:
                again.append(task)
        return dead, again, any(task.run_id in running for task in in_flight)

    def _drain_started(self) -> None:
        """Read the workers' announcements as they come. Left unread, they fill the queue's
        pipe (64 KiB, about 2,700 announcements) and a worker announcing its next run
        blocks for ever: a sweep of thousands of runs would hang."""
        while not self.started.empty():
            run_id, pid = self.started.get()
            self.running[run_id] = pid

    def _exit_codes(self) -> dict[int, int | None]:
        """Exit code of each worker of the broken pool (waiting briefly for the kernel)."""
        processes = dict(getattr(self.pool, "_processes", None) or {})
        for process in processes.values():
            process.join(timeout=5)
        return {pid: process.exitcode for pid, process in processes.items()}

    def close(self) -> None:
        """End the pool; on an interrupt, without waiting for the runs in flight."""
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


def died(task: RunTask, code: int | None) -> RunOutput:
    """The failed record of a run whose worker process died."""
    if code is not None and code < 0:
        how = f"signal {signal.Signals(-code).name}"
    else:
        how = f"exit code {code}" if code is not None else "cause unknown"
    record: dict[str, Any] = {k: getattr(task, k) for k in KEYS}
    record.update(factors=task.factors, command=task.command, status="failed",
                  error=f"worker died ({how}; the OOM killer sends SIGKILL when memory runs "
                        "out)", traceback=None, wall_time=float("nan"), summary=None)
    return RunOutput(record, {})


_STARTED: Any = None


def worker_start(parent: int, started: Any) -> None:
    """Pool initializer: keep the queue on which runs are announced; watch the parent; keep
    freed memory for reuse (highroad's own processes, see `highroad.allocator`)."""
    global _STARTED
    _STARTED = started
    keep_freed_memory()
    threading.Thread(target=watch_parent, args=(parent,), daemon=True).start()


def watch_parent(parent: int) -> None:
    """End this worker as soon as the main process is gone (not left running orphaned)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def execute_in_worker(task: RunTask) -> RunOutput:
    """`execute_run` in a pool worker, announcing the run first (see `WorkerPool`)."""
    if _STARTED is not None:
        _STARTED.put((task.run_id, os.getpid()))
    return execute_run(task)


@contextmanager
def dask_client(address: str | None, workers: int) -> Iterator[Any]:
    """A dask.distributed Client: to `address`, or to a fresh LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError("--engine", "engine", "dask is not installed",
                            "pip install 'highroad[dask]', or --engine local") from None
    if address:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ScenarioError("--address", "address", f"cannot reach {address} ({exc})",
                                "the tcp://host:port of a running Dask scheduler") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(keep_freed_memory)  # workers highroad started (not a user's scheduler)
        yield client


def dask_outputs(client: Any, tasks: Iterable[RunTask]) -> Iterator[RunOutput]:
    """Outputs as runs finish on the cluster, with twice its thread count in flight."""
    from distributed import KilledWorker, as_completed

    window = 2 * max(1, sum(client.nthreads().values()))
    tasks = iter(tasks)
    submitted: dict[str, RunTask] = {}

    def submit(task: RunTask) -> Any:
        future = client.submit(execute_run, task, pure=False)
        submitted[future.key] = task
        return future

    running = as_completed([submit(t) for t in islice(tasks, window)])
    for future in running:
        try:
            output = future.result()
        except KilledWorker:  # Dask retried it on other workers; each of them died
            output = died(submitted[future.key], None)
        del submitted[future.key]
        future.release()
        following = next(tasks, None)
        if following is not None:
            running.add(submit(following))
        yield output
