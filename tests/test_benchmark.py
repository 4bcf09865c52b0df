"""The benchmark runs (quick sizes) and writes its JSON; nothing here is timed."""

from __future__ import annotations

import json

from highroad.benchmarks.__main__ import TARGETS, all_modules_on, main, sweep_spec
from highroad.policies import REGISTRY
from highroad.scenarios import load_scenario
from highroad.scenarios.sweep_spec import load_sweep


def test_quick_benchmark_writes_its_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    for key in ["sizes", "scaling_exponent_top_two", "peak_bytes_per_worker", "reference_run",
                "classroom_steps_per_second", "sweep"]:
        assert key in result
    row = next(iter(result["sizes"].values()))
    assert row["modules_on_worker_steps_per_second"] > 0
    assert row["mesa_agent_steps_per_second"] > 0
    assert "worker-steps/s" in capsys.readouterr().out
    # Every target is reported; a quick run judges none of them.
    assert [t["key"] for t in result["targets"]] == [key for key, *_ in TARGETS]
    assert all(t["met"] is None for t in result["targets"])
    assert result["sweep"]["speedup"] > 0


def test_all_modules_on_switches_every_module_on_and_puts_it_to_work():
    scenario = load_scenario("baseline", all_modules_on())
    assert all(scenario.policies[name].enabled for name in REGISTRY)
    # The supra-regional institution gets a regime whose instruments act (its defaults
    # are all zero: a module that is on but does nothing would flatter the benchmark).
    assert scenario.policies["supra_regional"].regime != "custom"


def test_the_benchmark_sweep_is_a_valid_sweep_file():
    spec = load_sweep(sweep_spec(40_000, 120, 16))
    assert spec.n_runs == 16
    assert spec.base.world.workers_per_region * spec.base.world.n_regions == 40_000


def test_allocator_setting_is_applied_once_and_can_be_refused():
    """`highroad.keep_freed_memory()`: applied when asked, refused with the environment
    variable; results never depend on it (same run, same numbers, either way)."""
    import os
    import subprocess
    import sys

    code = ("import highroad.allocator as a\n"
            "import highroad\n"
            "highroad.keep_freed_memory()\n"
            "e = highroad.simulate('baseline', steps=3, seed=1).economy\n"
            "print(a._applied, float(e['income_gini'].iloc[-1]).hex())")
    runs = {}
    for value in ("1", "0"):
        env = {**os.environ, "HIGHROAD_KEEP_FREED_MEMORY": value}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.split()
        runs[value] = out
    if sys.platform == "linux":
        assert runs["1"][0] == "True"
    assert runs["0"][0] == "False"
    assert runs["1"][1] == runs["0"][1]


def test_building_and_running_a_model_leaves_the_allocator_alone():
    """A library user's process (a notebook, EMA Workbench) keeps its allocator settings:
    neither building a model nor simulating calls `keep_freed_memory`; the CLI does."""
    import os
    import subprocess
    import sys

    code = ("import highroad.allocator as a\n"
            "from highroad import simulate\n"
            "from highroad.regions.model import RegionalEconomy\n"
            "from highroad.scenarios.loader import load_scenario\n"
            "RegionalEconomy(load_scenario('baseline', {'n_regions': 2}), seed=0).step()\n"
            "simulate('baseline', steps=2, seed=1)\n"
            "print(a._applied)\n"
            "from highroad.cli import main\n"
            "main(['scenarios'])\n"
            "print(a._applied)")
    env = {**os.environ, "HIGHROAD_KEEP_FREED_MEMORY": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == "None"
    assert out[-1] == ("True" if sys.platform == "linux" else "False")
