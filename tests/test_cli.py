"""The command line as a user meets it: run, scenarios, validate, help, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import highroad
from highroad.cli import build_parser, main
from highroad.provenance import versions

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_summary_data_and_chart(tmp_path, capsys):
    code = main(["run", "baseline", "--steps", "6", "--seed", "2", "--out", str(tmp_path),
                 "--set", "n_regions=2", "--set", "workers_per_region=200",
                 "--set", "firms_per_region=4", "--set", "burn_in=2", "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    for label in ["High-road share", "Good-jobs share", "Wage Gini", "Income Gini",
                  "Unemployment", "Mean capital tax", "Public goods per head",
                  "Capital flight", "Between-region inequality"]:
        assert label in printed
    economy = pd.read_parquet(tmp_path / "baseline_economy.parquet")
    assert len(economy) == 7
    assert len(pd.read_csv(tmp_path / "baseline_regions.csv")) == 14
    assert (tmp_path / "baseline_summary.png").stat().st_size > 10_000
    assert not list(tmp_path.glob(".*tmp*"))
    resolved = json.loads((tmp_path / "baseline_scenario.json").read_text())
    assert resolved["versions"] == versions()
    assert resolved["versions"]["highroad"] == highroad.__version__
    # The README's output list names every file the run wrote, and nothing else.
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"`(baseline_\w+)\.(\w+(?:\|\w+)?)`", readme))
    listed_files = {f"{stem}.{ext}" for stem, exts in listed for ext in exts.split("|")}
    # (Hidden files are not outputs: `.highroad.lock` is the folder's writer lock.)
    assert listed_files == {path.name for path in tmp_path.iterdir()
                            if not path.name.startswith(".")}


def test_run_header_describes_the_scenario_as_run(tmp_path, capsys):
    code = main(["run", "baseline", "--steps", "2", "--out", str(tmp_path), "--no-progress",
                 "--set", "n_regions=3", "--set", "government_rule=competitive",
                 "--set", "workers_per_region=200", "--set", "firms_per_region=4",
                 "--set", "burn_in=2", "--set", "policies.quasi_public_goods.enabled=true"])
    assert code == 0
    header = capsys.readouterr().out.strip().split("\n\n")[0]
    assert "as run: 3 regions, competitive government rule" in header
    assert "policy modules: quasi_public_goods" in header
    # The file's description ("six regions ... fixed policy") is labelled as the file's.
    first = header.splitlines()[0]
    assert first.startswith("baseline with ") and "n_regions=3" in first
    assert "(the file describes: " in first


def test_run_header_without_overrides_is_the_description():
    from highroad.cli import run_header
    from highroad.scenarios.loader import load_scenario

    scenario = load_scenario("race_to_bottom")
    lines = run_header(scenario, 4, {}).splitlines()
    assert lines[0] == f"race_to_bottom: {scenario.world.description}"
    assert lines[1].startswith(f"as run: {scenario.world.n_regions} regions, "
                               f"{scenario.world.government_rule} government rule")
    assert lines[2].startswith("seed 4, ")


def test_bad_input_exits_2_with_one_message_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "baseline", "--set", "capital_mobility=2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "capital_mobility" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["run", "nonexistent_scenario"]) == 2
    assert main(["run", "baseline", "--set", "oops"]) == 2
    assert main(["validate", str(ROOT / "scenarios" / "baseline.toml")]) == 0


@pytest.mark.parametrize("command", ["run", "scenarios", "validate"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([command, "--help"])
    assert info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_run_py_and_console_script_in_a_subprocess(tmp_path):
    args = ["--steps", "3", "--out", str(tmp_path), "--set", "n_regions=1",
            "--set", "workers_per_region=100", "--set", "firms_per_region=2",
            "--set", "burn_in=1", "--no-progress"]
    done = subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "baseline_summary.png").exists()
    bad = subprocess.run([sys.executable, "-m", "highroad.cli", "run", "--set",
                          "government_rule=tyranny"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "did you mean" not in bad.stdout
    assert "government_rule" in bad.stderr and "Traceback" not in bad.stderr


def test_run_writes_reporters_and_agent_tables(tmp_path):
    out = tmp_path / "agents"
    args = ["run", "baseline", "--steps", "4", "--out", str(out), "--no-progress",
            "--set", "n_regions=2", "--set", "workers_per_region=60", "--set", "burn_in=2",
            "--reporter", "pi_floor=test_cli:one",
            "--record-agents", "2", "--sample-workers", "5"]
    assert main(args) == 0
    economy = pd.read_parquet(out / "baseline_economy.parquet")
    assert (economy["pi_floor"] == 1).all()
    workers = pd.read_parquet(out / "baseline_workers.parquet")
    assert len(workers) == 3 * 5 and set(workers["step"]) == {0, 2, 4}
    assert (out / "baseline_firms.parquet").exists()
    assert main(["run", "--steps", "1", "--out", str(tmp_path / "bad"),
                 "--reporter", "x=no_such_module:f"]) == 2
    assert not (tmp_path / "bad").exists()


def one(model) -> int:
    """A reporter for the test above (`test_cli:one`)."""
    return 1


def test_run_chart_bands_counterfactual_and_format(tmp_path):
    from highroad.analysis.charts import PANELS, summary_figure

    code = main(["run", "baseline", "--steps", "4", "--out", str(tmp_path), "--no-progress",
                 "--set", "n_regions=2", "--set", "workers_per_region=200",
                 "--set", "firms_per_region=4", "--set", "burn_in=2",
                 "--replicates", "2", "--compare", "capital_mobility=0", "--format", "svg"])
    assert code == 0
    assert (tmp_path / "baseline_summary.svg").read_bytes().lstrip().startswith(b"<?xml")
    runs = [pd.read_parquet(tmp_path / "baseline_economy.parquet")] * 2
    regions = pd.read_parquet(tmp_path / "baseline_regions.parquet")
    fig = summary_figure(runs, regions, "t", [runs[0].assign(capital_flight=0.0)], "as run",
                         "dashed: capital_mobility=0")
    assert len(fig.axes) == len(PANELS) == 6  # Gini and unemployment on separate axes
    for ax, (_, _, unit, _, _) in zip(fig.axes, PANELS, strict=True):
        assert ax.get_ylabel() == unit and ax.get_ylim()[0] == 0
        assert len(ax.collections) == 1  # the replicates' band (the compare has one run)
        assert any(line.get_linestyle() == "--" for line in ax.lines)  # the counterfactual


def test_run_refuses_zero_replicates(tmp_path, capsys):
    assert main(["run", "baseline", "--replicates", "0", "--out", str(tmp_path)]) == 2
    assert "replicates" in capsys.readouterr().err
