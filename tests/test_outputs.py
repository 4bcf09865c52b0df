"""Run folders as one unit, outputs and memory checked before running.

`highroad run` writes into a private staging folder, moves the files into place and writes
the manifest (sizes, checksums, version, seed, completion time) last; one process at a time
per folder; `highroad plot` refuses a folder whose manifest is missing or does not match.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import namedtuple
from pathlib import Path

import pandas as pd
import pytest

import highroad.api
from highroad import outputs, resources
from highroad.cli import main

SMALL = ["--set", "n_regions=2", "--set", "workers_per_region=200",
         "--set", "firms_per_region=4", "--set", "burn_in=2", "--no-progress"]
FILES = ["economy.parquet", "economy.csv", "regions.parquet", "regions.csv",
         "households.parquet", "households.csv", "network.json", "scenario.json",
         "summary.png"]


def run(out: Path, *extra: str, seed: int = 1, steps: int = 4) -> int:
    return main(["run", "baseline", "--steps", str(steps), "--seed", str(seed),
                 "--out", str(out), *SMALL, *extra])


def visible(folder: Path) -> list[str]:
    """What a user sees in the folder (the lock file is hidden and stays)."""
    return sorted(p.name for p in folder.iterdir() if p.name != outputs.LOCK)


def test_a_run_is_one_unit_with_a_manifest_written_last(tmp_path):
    assert run(tmp_path) == 0
    manifest = json.loads((tmp_path / "baseline_manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(f"baseline_{f}" for f in FILES)
    assert manifest["seed"] == 1 and manifest["completed"] and manifest["highroad_version"]
    for name, facts in manifest["files"].items():
        assert (tmp_path / name).stat().st_size == facts["bytes"]
        assert outputs.checksum(tmp_path / name) == facts["sha256"]
    assert visible(tmp_path) == sorted([*manifest["files"], "baseline_manifest.json"])
    outputs.verify(tmp_path, "baseline_manifest.json")


def test_a_second_writer_is_refused_not_mixed(tmp_path, capsys, monkeypatch):
    # Regression: two runs with one --out mixed their files.
    def must_not_run(*args, **kwargs):
        raise AssertionError("simulated although the folder was in use")

    with outputs.locked(tmp_path):
        monkeypatch.setattr(highroad.api, "simulate", must_not_run)
        assert run(tmp_path) == 2
    err = capsys.readouterr().err
    assert "in use by another highroad process" in err and "Traceback" not in err
    assert visible(tmp_path) == []


def test_two_runs_at_once_into_one_folder_never_mix(tmp_path):
    out = tmp_path / "o"
    command = [sys.executable, "-m", "highroad.cli", "run", "baseline", "--steps", "20",
               "--out", str(out), *SMALL]
    procs = [subprocess.Popen([*command, "--seed", str(s)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for s in (1, 2)]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read() for p in procs]
    assert 0 in codes and set(codes) <= {0, 2}, errors
    for code, err in zip(codes, errors, strict=True):
        assert "Traceback" not in err
        if code == 2:
            assert "in use by another highroad process" in err
    manifest = outputs.verify(out, "baseline_manifest.json")
    saved = json.loads((out / "baseline_scenario.json").read_text())
    assert saved["seed"] == manifest["seed"]
    households = pd.read_csv(out / "baseline_households.csv")
    assert len(households) == len(pd.read_parquet(out / "baseline_households.parquet"))
    assert not list(out.glob(f"{outputs.STAGING}*"))


@pytest.mark.parametrize("damage", ["no manifest", "old chart", "corrupt parquet"])
def test_plot_refuses_an_incomplete_or_changed_run_folder(tmp_path, capsys, damage):
    # Regression: `highroad plot` trusted a folder a kill had left half-written.
    assert run(tmp_path) == 0
    if damage == "no manifest":
        (tmp_path / "baseline_manifest.json").unlink()
    elif damage == "old chart":
        (tmp_path / "baseline_summary.png").write_bytes(b"\x89PNG an older chart")
    else:
        path = tmp_path / "baseline_economy.parquet"
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    capsys.readouterr()
    assert main(["plot", str(tmp_path), "--kind", "timeseries"]) == 2
    err = capsys.readouterr().err
    assert ("missing" in err or "differs from the manifest" in err) and "Traceback" not in err


def test_a_corrupt_parquet_given_to_plot_is_a_clear_error(tmp_path, capsys):
    # Regression (a corrupt Parquet file whose manifest was rewritten to match it).
    assert run(tmp_path) == 0
    path = tmp_path / "baseline_economy.parquet"
    path.write_bytes(b"PAR1 not really parquet PAR1")
    files = [f"baseline_{f}" for f in FILES]
    outputs.write_manifest(tmp_path, "baseline_manifest.json", files, seed=1)
    capsys.readouterr()
    assert main(["plot", str(tmp_path), "--kind", "timeseries"]) == 2
    err = capsys.readouterr().err
    assert "not a readable Parquet file" in err and "Traceback" not in err


def test_a_failure_while_writing_keeps_the_previous_run_whole(tmp_path, capsys, monkeypatch):
    assert run(tmp_path, seed=1) == 0
    before = outputs.verify(tmp_path, "baseline_manifest.json")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("highroad.analysis.charts.save_figure", disk_full)
    assert run(tmp_path, seed=2) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert outputs.verify(tmp_path, "baseline_manifest.json") == before
    assert not list(tmp_path.glob(f"{outputs.STAGING}*"))


Usage = namedtuple("Usage", "total used free")


@pytest.mark.parametrize("problem", ["under a file", "not writable", "disk full"])
def test_the_output_folder_is_checked_before_the_simulation(tmp_path, capsys, monkeypatch,
                                                            problem):
    # Regression: a read-only folder, a path under a file or a full disk ended in a
    # traceback after the simulation, and the results were lost.
    out = tmp_path / "out"
    if problem == "under a file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "out"
    elif problem == "not writable":
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    else:
        monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**9, 10**9, 1000))

    def must_not_run(*args, **kwargs):
        raise AssertionError("simulated before checking the output folder")

    monkeypatch.setattr(highroad.api, "simulate", must_not_run)
    assert run(out) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out") and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_run_that_cannot_fit_in_memory_is_refused_before_building(tmp_path, capsys):
    # Regression: workers_per_region = 10,000,000 is in range; nothing checked the total.
    out = tmp_path / "out"
    code = main(["run", "baseline", "--out", str(out), "--set", "n_regions=1000",
                 "--set", "workers_per_region=10000000", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "of memory; this machine has" in err and "GB" in err
    assert not out.exists()


def test_the_memory_estimate_follows_the_scenario(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(resources, "available_memory", lambda: 100e6)
    assert run(tmp_path / "out") == 2
    assert "this run needs about" in capsys.readouterr().err


def test_a_negative_seed_is_refused(tmp_path, capsys):
    # Regression: --seed -1 was a NumPy traceback.
    assert run(tmp_path / "out", seed=-1) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --seed") and "Traceback" not in err


def test_ctrl_c_during_a_run_exits_130_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    # Regression: Ctrl-C during `run` printed a traceback.
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(highroad.api, "simulate", interrupted)
    assert run(tmp_path) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err
    assert visible(tmp_path) == []


def test_sigterm_during_a_run_exits_143_without_a_traceback(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "highroad.cli", "run", "baseline",
                             "--steps", "100000", "--out", str(out), *SMALL],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob(f"{outputs.STAGING}*")):  # the run has started
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    err = proc.stderr.read()
    assert "interrupted" in err and "Traceback" not in err
    assert visible(out) == []
