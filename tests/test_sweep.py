"""Scenario sweeps: designs, seeds, engines, durability, failures and bad sweep files.

Every sweep here runs a tiny world (a few hundredths of a second a run) so the whole file
stays fast on a shared two-core machine.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import highroad
from highroad.cli import main
from highroad.errors import InvariantError, ScenarioError
from highroad.scenarios.sweep import SweepResult, load_sweep
from highroad.scenarios.sweep_store import SweepStore

TINY = {"n_regions": 2, "workers_per_region": 200, "firms_per_region": 5, "burn_in": 2}
KEYS = ["run_id", "point", "replicate", "seed"]


def grid_spec(**extra) -> dict:
    """A 3 x 2 grid with 2 replicates (12 runs) of a tiny world, 10 recorded steps."""
    spec = {
        "base": "baseline", "steps": 10, "replicates": 2, "seed": 7,
        "overrides": dict(TINY),
        "design": {"method": "grid"},
        "factors": {"capital_mobility": [0.1, 0.5, 0.9],
                    "government": {"capital_tax": [0.15, 0.35]}},
    }
    spec.update(extra)
    return spec


def without_wall_time(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns="wall_time")


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> SweepResult:
    return highroad.sweep(grid_spec(), workers=1, out=tmp_path_factory.mktemp("grid"))


# -- sizes, rows, seeds ----------------------------------------------------------------------

def test_grid_has_every_combination_and_tidy_row_counts(grid):
    runs, economy, regions = grid.runs, grid.economy, grid.regions
    assert len(runs) == 3 * 2 * 2 and runs["run_id"].tolist() == list(range(12))
    assert (runs["status"] == "ok").all()
    combos = runs.groupby(["capital_mobility", "government.capital_tax"]).size()
    assert len(combos) == 6 and (combos == 2).all()
    assert len(economy) == 12 * 11                 # steps 0..10 of every run
    assert len(regions) == 12 * 11 * 2             # and every region
    for frame in (economy, regions):
        assert {*KEYS, "capital_mobility", "government.capital_tax"} <= set(frame.columns)
        assert frame.groupby("run_id").size().nunique() == 1
    assert economy[["run_id", "step"]].equals(
        economy[["run_id", "step"]].sort_values(["run_id", "step"], ignore_index=True))
    assert {"end_income_gini", "end_high_road_share", "error", "command"} <= set(runs.columns)
    for name in ("sweep.json", "design.parquet", "economy.parquet", "regions.parquet",
                 "runs.parquet"):
        assert (grid.out / name).is_file()
    assert not (grid.out / "parts").exists()
    saved = json.loads((grid.out / "sweep.json").read_text())
    assert saved["runs"] == 12 and saved["base_scenario"]["n_regions"] == 2


def test_seeds_come_from_seed_sequence_and_reproduce_any_run(grid, tmp_path):
    runs = grid.runs
    children = np.random.SeedSequence(7).spawn(2)
    expected = [int(c.generate_state(1)[0]) for c in children]
    # common random numbers: replicate r has the same seed at every design point
    assert runs.groupby("replicate")["seed"].unique().map(list).tolist() == [[s] for s in
                                                                              expected]
    run = runs.iloc[9]
    factors = {"capital_mobility": float(run["capital_mobility"]),
               "government.capital_tax": float(run["government.capital_tax"])}
    spec = load_sweep(grid_spec())
    alone = highroad.simulate(spec.base, seed=int(run["seed"]), overrides=factors)
    stored = grid.economy.query("run_id == 9").drop(columns=[*KEYS, *factors])
    assert_frame_equal(stored.reset_index(drop=True), alone.economy)
    stored_regions = grid.regions.query("run_id == 9").drop(columns=[*KEYS, *factors])
    assert_frame_equal(stored_regions.reset_index(drop=True), alone.regions)
    # ... and from the command line, with the command stored beside the run
    words = shlex.split(run["command"])
    assert words[:2] == ["highroad", "run"]
    assert main([*words[1:], "--out", str(tmp_path), "--no-progress"]) == 0
    cli = pd.read_parquet(tmp_path / "baseline_economy.parquet")
    assert_frame_equal(cli, alone.economy)


def test_independent_seeding_gives_every_run_its_own_seed():
    spec = load_sweep(grid_spec(seeding="independent"))
    assert spec.plan["seed"].nunique() == spec.n_runs == 12


def test_thinning_and_chosen_observables(tmp_path):
    spec = grid_spec(record_every=4, observables=["income_gini", "capital_tax"],
                     replicates=1, factors={"capital_mobility": [0.2, 0.8]})
    result = highroad.sweep(spec, workers=1, out=tmp_path)
    economy, regions = result.economy, result.regions
    assert sorted(economy["step"].unique()) == [0, 4, 8, 10]  # every 4th, and the last
    assert list(economy.columns) == [*KEYS, "capital_mobility", "step", "income_gini"]
    assert list(regions.columns) == [*KEYS, "capital_mobility", "step", "region",
                                     "capital_tax"]
    assert "end_unemployment" in result.runs.columns  # summaries use every step


def test_sampled_and_table_designs_have_salib_sizes(tmp_path):
    factors = {"capital_mobility": {"min": 0.1, "max": 0.9},
               "n_regions": {"min": 2, "max": 3},
               "government_rule": {"values": ["fixed", "competitive"]}}
    fixed = {k: v for k, v in TINY.items() if k != "n_regions"}
    sobol = load_sweep(grid_spec(design={"method": "sobol", "samples": 4}, factors=factors,
                                 overrides=fixed))
    assert len(sobol.points) == 4 * (2 * 3 + 2)
    assert sobol.problem()["names"] == list(factors)
    morris = load_sweep(grid_spec(design={"method": "morris", "samples": 3}, factors=factors,
                                  overrides=fixed))
    assert len(morris.points) == 3 * (3 + 1)
    lhs = load_sweep(grid_spec(design={"method": "lhs", "samples": 5, "seed": 3},
                               factors=factors, overrides=fixed))
    assert len(lhs.points) == 5
    for spec in (sobol, morris, lhs):
        points = spec.points
        assert points["capital_mobility"].between(0.1, 0.9).all()
        assert set(points["n_regions"]) <= {2, 3} and points["n_regions"].dtype.kind == "i"
        assert set(points["government_rule"]) <= {"fixed", "competitive"}
    table = tmp_path / "design.csv"
    table.write_text("capital_mobility,government.capital_tax\n0.2,0.1\n0.4,0.2\n0.6,0.3\n")
    table_spec = grid_spec(design={"method": "table", "file": str(table)})
    del table_spec["factors"]
    spec = load_sweep(table_spec)
    assert spec.n_runs == 3 * 2 and spec.plan["government.capital_tax"].tolist()[-1] == 0.3
    table.write_text("capital_mobility,trade_opennes\n0.2,0.1\n")
    with pytest.raises(ScenarioError, match="did you mean 'trade_openness'") as caught:
        load_sweep(table_spec)
    assert caught.value.source == str(table) and caught.value.key == "trade_opennes"


# -- engines ---------------------------------------------------------------------------------

def test_results_identical_for_one_two_workers_and_dask(tmp_path):
    spec = grid_spec(design={"method": "lhs", "samples": 4}, replicates=2,
                     factors={"capital_mobility": {"min": 0.0, "max": 1.0},
                              "trade_openness": {"min": 0.0, "max": 1.0}})
    one = highroad.sweep(spec, workers=1, out=tmp_path / "one")
    two = highroad.sweep(spec, workers=2, out=tmp_path / "two")
    # a real LocalCluster: two single-threaded worker processes
    dask = highroad.sweep(spec, workers=2, out=tmp_path / "dask", engine="dask")
    assert len(one.runs) == 8
    for other in (two, dask):
        assert_frame_equal(without_wall_time(one.runs), without_wall_time(other.runs))
        assert_frame_equal(one.economy, other.economy)
        assert_frame_equal(one.regions, other.regions)


# -- durability and resume -------------------------------------------------------------------

def write_sweep(folder: Path, runs: int, steps: int) -> Path:
    """A sweep file of `runs` runs (one factor, `runs` levels) of a small world."""
    levels = ", ".join(f"{0.05 + 0.9 * i / (runs - 1):.4f}" for i in range(runs))
    path = folder / "resume.toml"
    path.write_text(f"""
base = "baseline"
steps = {steps}
seed = 3
[overrides]
n_regions = 2
workers_per_region = 400
firms_per_region = 8
burn_in = 2
[design]
method = "grid"
[factors]
capital_mobility = [{levels}]
""")
    return path


def assert_each_run_once(result: SweepResult, runs: int) -> None:
    assert result.runs["run_id"].tolist() == list(range(runs))
    sizes = result.economy.groupby("run_id").size()
    assert sizes.index.tolist() == list(range(runs)) and sizes.nunique() == 1
    assert result.regions.groupby("run_id").size().nunique() == 1


def test_resume_after_kill_9_has_every_run_exactly_once(tmp_path):
    runs = 24
    sweep_file = write_sweep(tmp_path, runs, steps=20)
    out = tmp_path / "out"
    # a real process (and its worker processes), killed with SIGKILL mid-sweep
    proc = subprocess.Popen([sys.executable, "-m", "highroad.cli", "sweep", str(sweep_file),
                             "--out", str(out), "--workers", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while len(list((out / "parts").glob("run-*.json"))) < 4:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    saved = len(list((out / "parts").glob("run-*.json")))
    assert 4 <= saved < runs and not (out / "runs.parquet").exists()
    assert main(["sweep", str(sweep_file), "--out", str(out), "--resume",
                 "--workers", "2", "--no-progress"]) == 0
    resumed = SweepResult.open(out)
    assert_each_run_once(resumed, runs)
    clean = highroad.sweep(sweep_file, workers=2, out=tmp_path / "clean")
    assert_frame_equal(resumed.economy, clean.economy)
    assert_frame_equal(without_wall_time(resumed.runs), without_wall_time(clean.runs))


def test_resume_repairs_half_written_runs(tmp_path, monkeypatch):
    spec = grid_spec(replicates=1)
    out = tmp_path / "out"

    def crash(self, spec):
        raise KeyboardInterrupt  # as if killed just before the final merge

    with monkeypatch.context() as patch:
        patch.setattr(SweepStore, "finish", crash)
        with pytest.raises(KeyboardInterrupt):
            highroad.sweep(spec, workers=1, out=out)
    store = SweepStore(out)
    assert set(store.done_runs()) == set(range(6))
    store.part(2, "json").unlink()                   # data saved, record not yet
    store.part(4, "json").unlink()                   # nothing saved at all
    store.part(4, "economy.parquet").unlink()
    (store.parts / ".run-000005.json.tmp").write_text("{half")  # a torn temporary file
    assert set(store.done_runs()) == {0, 1, 3, 5}
    with pytest.raises(ScenarioError, match="already holds a sweep"):
        highroad.sweep(spec, workers=1, out=out)
    resumed = highroad.sweep(spec, workers=1, out=out, resume=True)
    assert_each_run_once(resumed, 6)
    clean = highroad.sweep(spec, workers=1, out=tmp_path / "clean")
    assert_frame_equal(resumed.economy, clean.economy)
    assert_frame_equal(resumed.regions, clean.regions)
    # resuming a finished sweep runs nothing and gives the same tables
    again = highroad.sweep(spec, workers=1, out=out, resume=True)
    assert_frame_equal(again.runs, resumed.runs)
    with pytest.raises(ScenarioError, match="different sweep"):
        highroad.sweep(grid_spec(seed=8, replicates=1), workers=1, out=out, resume=True)


# -- failures --------------------------------------------------------------------------------

def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    real = highroad.api.simulate

    def fragile(scenario, *args, overrides=None, **kwargs):
        if overrides["capital_mobility"] > 0.9:
            raise InvariantError(3, "1", "capital_stock", "is NaN")
        return real(scenario, *args, overrides=overrides, **kwargs)

    monkeypatch.setattr(highroad.api, "simulate", fragile)  # one worker: runs in this process
    sweep_file = write_sweep(tmp_path, runs=4, steps=5)     # mobility 0.05, 0.35, 0.65, 0.95
    out = tmp_path / "out"
    code = main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1",
                 "--no-progress"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "4 runs, 3 ok, 1 failed" in printed and "capital_stock: is NaN" in printed
    result = SweepResult.open(out)
    failed = result.failed
    assert failed["run_id"].tolist() == [3] and failed["capital_mobility"].tolist() == [0.95]
    assert failed["error"].iloc[0] == "InvariantError: step 3, region 1: capital_stock: is NaN"
    assert failed["seed"].iloc[0] == result.runs["seed"].iloc[0]  # common seeds, stored
    assert "Traceback" in failed["traceback"].iloc[0]
    assert np.isnan(failed["end_income_gini"].iloc[0])
    assert sorted(result.economy["run_id"].unique()) == [0, 1, 2]


# -- bad sweep files -------------------------------------------------------------------------

GOOD = """base = "baseline"
steps = 5
[design]
method = "grid"
[factors]
capital_mobility = [0.2, 0.8]
"""

BAD = [
    ("replicate = 2\n" + GOOD, "replicate", "did you mean 'replicates'"),
    (GOOD.replace("capital_mobility", "capital_mobilty"), "factors.capital_mobilty",
     "did you mean 'capital_mobility'"),
    (GOOD + "government.capital_tx = [0.1]\n", "factors.government.capital_tx",
     "did you mean 'capital_tax'"),
    ('replicates = "three"\n' + GOOD, "replicates", "expected a whole number"),
    (GOOD.replace("[0.2, 0.8]", '["high", 0.8]'), "factors.capital_mobility[0]",
     "expected a number"),
    (GOOD.replace("[0.2, 0.8]", "[0.2, 1.5]"), "factors.capital_mobility[1]", "out of range"),
    (GOOD.replace('"grid"', '"sobel"'), "design.method", "did you mean 'sobol'"),
    (GOOD.split("capital_mobility")[0], "factors", "no factors to vary"),
    (GOOD.replace('"grid"', '"sobol"\nsamples = 10').replace("[0.2, 0.8]",
                                                            "{min = 0.2, max = 0.8}"),
     "design.samples", "not a power of 2"),
    (GOOD.replace('"grid"', '"lhs"'), "design.samples", "needs samples"),
    (GOOD.replace("[design]", "[overrides]\ncapital_mobility = 0.5\n[design]"),
     "factors.capital_mobility",
     "also set in [overrides]"),
    (GOOD.replace("[0.2, 0.8]", "{min = 0.8, max = 0.2}"), "factors.capital_mobility",
     "is not below max"),
    ('observables = ["income_gni"]\n' + GOOD, "observables[0]", "did you mean 'income_gini'"),
    (GOOD + "government.min_capital_tax = [0.1, 0.5]\ngovernment.max_capital_tax = [0.3]\n",
     "factors", "design point 1 (capital_mobility=0.2, government.min_capital_tax=0.5, "
     "government.max_capital_tax=0.3): government.min_capital_tax: 0.5 exceeds"),
    ('base = "baselin"\n' + GOOD.split("\n", 1)[1], "base", "did you mean 'baseline'"),
    (GOOD + "[factors.oops\n", "", "malformed TOML"),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD, ids=[b[1] or "toml" for b in BAD])
def test_bad_sweep_file_is_rejected_before_any_run(tmp_path, text, key, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    error = caught.value
    assert error.source == str(path) and error.key == key
    assert problem in str(error)
    assert error.allowed or not key  # says what is allowed (a TOML syntax error cannot)


def test_cli_exits_2_on_a_bad_sweep_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("capital_mobility", "capital_mobilty"))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "factors.capital_mobilty" in err and "Traceback" not in err
    assert not out.exists()
    path.write_text(GOOD)
    assert main(["sweep", str(path), "--out", str(out), "--workers", "0"]) == 2
    assert main(["sweep", "no_such_sweep", "--out", str(out)]) == 2
    assert not out.exists()


# -- versions --------------------------------------------------------------------------------

def test_sweep_records_versions_and_resume_refuses_to_mix_them(tmp_path, capsys):
    import pyarrow.parquet as pq

    from highroad.provenance import versions

    spec = grid_spec(replicates=1, steps=3)
    out = tmp_path / "out"
    first = highroad.sweep(spec, workers=1, out=out)
    now = versions()
    assert first.spec["versions"] == now
    for name in ("highroad", "mesa", "numpy", "pandas"):
        assert (first.runs[f"{name}_version"] == now[name]).all()
    meta = pq.read_schema(out / "runs.parquet").metadata
    assert json.loads(meta[b"highroad.versions"]) == now
    # A sweep started under another version of highroad: --resume refuses, exit 2.
    saved = json.loads((out / "sweep.json").read_text())
    saved["versions"] = {**now, "highroad": "0.0.1"}
    (out / "sweep.json").write_text(json.dumps(saved))
    with pytest.raises(ScenarioError, match="highroad 0.0.1"):
        highroad.sweep(spec, workers=1, out=out, resume=True)
    toml = tmp_path / "grid.toml"
    toml.write_text(
        'base = "baseline"\nsteps = 3\nreplicates = 1\nseed = 7\n'
        '[overrides]\nn_regions = 2\nworkers_per_region = 200\nfirms_per_region = 5\n'
        'burn_in = 2\n[design]\nmethod = "grid"\n[factors]\ncapital_mobility = [0.1, 0.5, 0.9]\n'
        '[factors.government]\ncapital_tax = [0.15, 0.35]\n')
    cli_out = tmp_path / "cli"
    assert main(["sweep", str(toml), "--out", str(cli_out), "--workers", "1",
                 "--no-progress"]) == 0
    saved = json.loads((cli_out / "sweep.json").read_text())
    saved["versions"] = {**saved["versions"], "mesa": "0.0.1"}
    (cli_out / "sweep.json").write_text(json.dumps(saved))
    # As that older sweep would have left it: its manifest matches its own files.
    from highroad.outputs import checksum

    manifest = json.loads((cli_out / "manifest.json").read_text())
    manifest["files"]["sweep.json"] = {"bytes": (cli_out / "sweep.json").stat().st_size,
                                       "sha256": checksum(cli_out / "sweep.json")}
    (cli_out / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["sweep", str(toml), "--out", str(cli_out), "--resume", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "mesa 0.0.1" in err and "--allow-version-mix" in err
    assert main(["sweep", str(toml), "--out", str(cli_out), "--resume", "--no-progress",
                 "--allow-version-mix"]) == 0


def live_firms(model) -> int:
    """A user's reporter, named in sweep files as `test_sweep:live_firms`."""
    return len(model.firms)


def test_sweep_reporters_and_agent_tables(tmp_path):
    spec = grid_spec(steps=4, observables=["income_gini"],
                     reporters={"live_firms": f"{__name__}:live_firms"},
                     record_agents={"every": 2, "workers": 10})
    result = highroad.sweep(spec, workers=1, out=tmp_path / "agents")
    economy = result.economy
    assert list(economy.columns[-2:]) == ["income_gini", "live_firms"]
    assert (economy["live_firms"] > 0).all() and "end_live_firms" in result.runs
    workers = result.read("workers")
    assert len(workers) == 12 * 3 * 10 and set(workers["step"]) == {0, 2, 4}
    firms = result.read("firms")
    assert set(firms.columns[:4]) == set(KEYS) and firms["capital"].gt(0).all()
    assert len(result.read("region_state")) == 12 * 3 * 2
    with pytest.raises(ScenarioError, match="reporters.x.*cannot import 'no_such_module'"):
        load_sweep(grid_spec(reporters={"x": "no_such_module:f"}))
    with pytest.raises(ScenarioError, match="record_agents.every.*out of range"):
        load_sweep(grid_spec(record_agents={"every": 0}))


def test_resume_with_more_replicates_extends_a_finished_sweep(tmp_path):
    spec = grid_spec(steps=3, seeding="independent")
    old = highroad.sweep(spec, workers=1, out=tmp_path / "s")
    old_economy = old.economy  # read now: the extended sweep replaces the file
    more = highroad.sweep(spec, workers=2, out=tmp_path / "s", resume=True, replicates=3)
    assert len(more.runs) == 18 and (more.runs["status"] == "ok").all()
    assert_frame_equal(more.runs.iloc[:12][KEYS], old.runs[KEYS])  # ids and seeds kept
    assert_frame_equal(more.economy[more.economy["run_id"] < 12].reset_index(drop=True),
                       old_economy)
    new = more.runs.iloc[12:]
    assert (new["replicate"] == 2).all() and not set(new["seed"]) & set(old.runs["seed"])
    # The new seeds are the next children of the same SeedSequence.
    children = np.random.SeedSequence(7).spawn(6 * 3)[12:]
    assert new["seed"].tolist() == [int(c.generate_state(1)[0]) for c in children]
    # A run of the new replicate is reproduced alone by its seed.
    row = new.iloc[0]
    alone = highroad.simulate("baseline", seed=int(row.seed), overrides={
        **TINY, "steps": 3, "capital_mobility": row.capital_mobility,
        "government.capital_tax": row["government.capital_tax"]})
    assert alone.economy["income_gini"].iloc[-1] == pytest.approx(
        more.economy.query(f"run_id == {row.run_id}")["income_gini"].iloc[-1])
    again = highroad.sweep(spec, workers=1, out=tmp_path / "s", resume=True)
    assert len(again.runs) == 18  # resuming the extended sweep runs nothing
    with pytest.raises(ScenarioError, match="fewer than the 3 replicates"):
        highroad.sweep(spec, workers=1, out=tmp_path / "s", resume=True, replicates=2)
    with pytest.raises(ScenarioError, match="--replicates"):
        highroad.sweep(spec, workers=1, out=tmp_path / "t", replicates=0)
