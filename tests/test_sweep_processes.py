"""Sweeps and their processes: dead workers, a dead main process,
SIGTERM, one writer per folder, sizes refused before anything is allocated or written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sweep import write_sweep  # a sweep file of n runs of a small world

import highroad
from highroad import outputs
from highroad.cli import main
from highroad.errors import ScenarioError
from highroad.scenarios.sweep import SweepResult
from highroad.scenarios.sweep_store import MANIFEST


def start_sweep(sweep_file: Path, out: Path, workers: int = 2) -> subprocess.Popen:
    """The sweep in a process of its own; its stderr goes to `err.txt` beside the sweep file
    (a file, not a pipe: a worker left alive would hold a pipe open and hang the read)."""
    with (sweep_file.parent / "err.txt").open("w") as err:
        return subprocess.Popen([sys.executable, "-m", "highroad.cli", "sweep",
                                 str(sweep_file), "--out", str(out), "--workers", str(workers),
                                 "--no-progress"], stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (None once the process is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int) -> dict[int, str]:
    """Child processes of `pid` and their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat_fields(int(entry.name))
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fields is not None and int(fields[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def workers_of(pid: int) -> list[int]:
    return [p for p, cmd in children(pid).items() if "spawn_main" in cmd]


def cpu_ticks(pid: int) -> int:
    """User plus system clock ticks a process has used (0 once it is gone)."""
    fields = stat_fields(pid)
    return 0 if fields is None else int(fields[11]) + int(fields[12])


def busy_worker(pid: int, timeout: float = 60.0, spells: int = 5) -> int:
    """A pool worker of `pid` that is running a run now: one whose CPU time grew in each of
    `spells` consecutive tenths of a second. A worker killed between two runs fails no run,
    which would make the test below depend on when it happened to look; and a worker is
    busy for a moment between runs too (freeing the last run's tables, taking the next
    task before it announces it), so one busy tenth is not enough. (Once in CI every run
    ended ok after the kill, with one busy tenth: the killed worker was running none.)"""
    deadline = time.monotonic() + timeout
    streak: dict[int, int] = {}
    while time.monotonic() < deadline:
        workers = workers_of(pid)
        before = {w: cpu_ticks(w) for w in workers}
        time.sleep(0.1)
        streak = {w: streak.get(w, 0) + 1 if cpu_ticks(w) > before[w] + 2 else 0
                  for w in workers}
        busy = [w for w, n in streak.items() if n >= spells]
        if busy:
            return busy[0]
    raise AssertionError("no busy worker")


def wait_for(condition, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc is None or proc.poll() is None, "the sweep ended too soon"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def test_a_killed_worker_fails_its_run_and_the_sweep_goes_on(tmp_path):
    # Regression: the OOM killer's SIGKILL to a pool worker aborted the whole sweep,
    # and the run was never recorded, so --resume retried it forever.
    runs = 8
    sweep_file = write_sweep(tmp_path, runs, steps=150)
    out = tmp_path / "out"
    proc = start_sweep(sweep_file, out)
    try:
        wait_for(lambda: len(list((out / "parts").glob("run-*.json"))) >= 1, proc=proc)
        os.kill(busy_worker(proc.pid), signal.SIGKILL)
        code = proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = (tmp_path / "err.txt").read_text()
    assert code in (0, 1), err
    assert "Traceback" not in err
    result = SweepResult.open(out)
    assert result.runs["run_id"].tolist() == list(range(runs))
    died = result.runs[result.runs["error"].fillna("").str.contains("worker died")]
    assert code == 1 and len(died) == 1, result.runs[["run_id", "status", "error"]]
    assert "SIGKILL" in died["error"].iloc[0]
    assert (result.runs.drop(died.index)["status"] == "ok").all()
    # the failed run is recorded, so resume does not retry it forever
    assert main(["sweep", str(sweep_file), "--out", str(out), "--resume",
                 "--no-progress"]) == 1


def test_workers_end_when_the_main_process_dies(tmp_path):
    # Regression: killing the main process left the workers (and the resource tracker).
    sweep_file = write_sweep(tmp_path, 6, steps=400)
    proc = start_sweep(sweep_file, tmp_path / "out")
    left: list[int] = []
    try:
        wait_for(lambda: len(workers_of(proc.pid)) == 2, proc=proc)
        left = list(children(proc.pid))
        proc.kill()
        proc.wait()
        wait_for(lambda: not any(alive(p) for p in left), timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in filter(alive, left):  # only if the test failed: leave nothing behind
            os.kill(pid, signal.SIGKILL)


def test_sigterm_finishes_writes_says_how_to_resume_and_resume_completes(tmp_path):
    # Regression: SIGTERM (a scheduler's time limit) exited 143 without a word.
    runs = 10
    sweep_file = write_sweep(tmp_path, runs, steps=60)
    out = tmp_path / "out"
    proc = start_sweep(sweep_file, out)
    try:
        wait_for(lambda: len(list((out / "parts").glob("run-*.json"))) >= 2, proc=proc)
        workers = workers_of(proc.pid)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=240)  # generous: a loaded CI machine is slow
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = (tmp_path / "err.txt").read_text()
    assert code == 128 + signal.SIGTERM, err
    assert "--resume" in err and str(out) in err and "Traceback" not in err
    wait_for(lambda: not any(alive(p) for p in workers), timeout=20)
    assert not list((out / "parts").glob(".*.tmp"))
    assert main(["sweep", str(sweep_file), "--out", str(out), "--resume", "--workers", "2",
                 "--no-progress"]) == 0
    assert SweepResult.open(out).runs["run_id"].tolist() == list(range(runs))


def test_one_writer_per_sweep_folder(tmp_path, capsys):
    # Regression: two --resume at once on one folder crashed.
    sweep_file = write_sweep(tmp_path, 3, steps=3)
    out = tmp_path / "out"
    with outputs.locked(out):
        with pytest.raises(ScenarioError, match="in use by another highroad process"):
            highroad.sweep(sweep_file, workers=1, out=out)
        assert main(["sweep", str(sweep_file), "--out", str(out), "--resume",
                     "--no-progress"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (out / "sweep.json").exists()


def test_readers_refuse_a_sweep_folder_without_its_manifest(tmp_path, capsys):
    sweep_file = write_sweep(tmp_path, 3, steps=3)
    out = tmp_path / "out"
    highroad.sweep(sweep_file, workers=1, out=out)
    (out / MANIFEST).unlink()
    with pytest.raises(ScenarioError, match="manifest.json is missing"):
        SweepResult.open(out)
    assert main(["plot", str(out), "--kind", "tornado"]) == 2
    assert "manifest.json is missing" in capsys.readouterr().err


HEAD = "base = \"baseline\"\nsteps = 2\n"
GRID = "[design]\nmethod = \"grid\"\n"


@pytest.mark.parametrize("body", [
    HEAD + "replicates = 1000000000\n" + GRID + "[factors]\ncapital_mobility = [0.1, 0.9]",
    HEAD + GRID + "[factors]\ncapital_mobility = {min = 0.1, max = 0.9, levels = 1000000000}",
    HEAD + "[design]\nmethod = \"lhs\"\nsamples = 1000000000\n"
           "[factors]\ncapital_mobility = {min = 0.1, max = 0.9}",
    HEAD + "replicates = 1000\n" + GRID + "[factors]\n"
           "capital_mobility = {min = 0.1, max = 0.9, levels = 1000}\n"
           "trade_openness = {min = 0.1, max = 0.9, levels = 1000}",
], ids=["replicates", "levels", "samples", "product"])
def test_huge_sweeps_are_refused_before_allocating(tmp_path, capsys, body):
    # Regression: replicates, levels or samples of 1e9 ended in a MemoryError and an
    # empty parts/ folder.
    path = tmp_path / "huge.toml"
    path.write_text(body)
    out = tmp_path / "out"
    start = time.monotonic()
    assert main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    assert time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert "out of range" in err or "runs in one sweep" in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_huge_claims_sizes_are_refused_before_writing(tmp_path, capsys):
    out = tmp_path / "claims"
    assert main(["claims", "--replicates", "1000000000", "--out", str(out)]) == 2
    assert main(["claims", "--sobol-samples", "1000000000", "--out", str(out)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not out.exists()


def test_the_pool_reads_each_announcement_so_long_sweeps_cannot_fill_its_pipe():
    """Workers announce each run they start on a queue. Unread, the announcements filled its
    pipe after about 2,700 runs and the next announcing worker blocked for ever (a claims
    report hung at C5's run 2,730, twice). The pool reads them as runs finish."""
    from highroad.scenarios.loader import load_scenario
    from highroad.scenarios.sweep_runner import RunTask, WorkerPool

    base = load_scenario("baseline", {"n_regions": 2, "workers_per_region": 20,
                                      "firms_per_region": 2, "steps": 2, "burn_in": 0})
    tasks = [RunTask(run_id=i, point=i, replicate=0, seed=i, factors={}, base=base)
             for i in range(24)]
    pool = WorkerPool(2)
    try:
        outputs = list(pool.outputs(iter(tasks), window=4))
    finally:
        pool.close()
    assert sorted(o.record["run_id"] for o in outputs) == list(range(24))
    assert pool.started.empty()  # every announcement read
    assert pool.running == {}    # and forgotten once its run finished
