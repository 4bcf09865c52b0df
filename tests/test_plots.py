"""Every chart kind renders to every format from real run and sweep folders."""

from __future__ import annotations

import pytest

import highroad
from highroad.analysis.plot_results import KINDS, plot_results
from highroad.analysis.plots import FORMATS
from highroad.cli import main
from highroad.errors import ScenarioError

TINY = {"n_regions": 3, "workers_per_region": 100, "firms_per_region": 3, "burn_in": 2}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("plots")
    run = root / "run"
    args = ["run", "baseline", "--steps", "6", "--out", str(run), "--no-progress"]
    for key, value in TINY.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    sweep = root / "sweep"
    highroad.sweep({"name": "tiny_sobol", "base": "baseline", "steps": 6, "replicates": 1,
                    "seed": 1, "overrides": TINY,
                    "design": {"method": "sobol", "samples": 4, "calc_second_order": False},
                    "factors": {"capital_mobility": {"min": 0.0, "max": 1.0},
                                "government.capital_tax": {"min": 0.1, "max": 0.4}}},
                   workers=1, out=sweep)
    return {"run": run, "sweep": sweep}


CASES = [("timeseries", "run"), ("timeseries", "sweep"), ("heatmap", "sweep"),
         ("tornado", "sweep"), ("lorenz", "run"), ("regions", "run"), ("sobol", "sweep")]


def test_every_kind_is_covered():
    assert {kind for kind, _ in CASES} == set(KINDS)


@pytest.mark.parametrize("kind, folder", CASES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_chart_renders(folders, tmp_path, kind, folder, fmt):
    path = plot_results(folders[folder], kind, observable="income_gini",
                        by="capital_mobility" if folder == "sweep" else None,
                        x="capital_mobility", y="government.capital_tax", fmt=fmt,
                        out=tmp_path / f"{kind}")
    assert path.suffix == f".{fmt}" and path.stat().st_size > 1000


def test_plot_errors_are_clear(folders, tmp_path):
    with pytest.raises(ScenarioError, match="needs a sweep"):
        plot_results(folders["run"], "heatmap")
    with pytest.raises(ScenarioError, match="no such results folder"):
        plot_results(tmp_path / "missing", "timeseries")
    assert main(["plot", str(folders["sweep"]), "--kind", "heatmap"]) == 2
