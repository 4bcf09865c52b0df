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


@pytest.fixture(scope="module")
def categorical(tmp_path_factory):
    out = tmp_path_factory.mktemp("plots_categorical") / "sweep"
    highroad.sweep({"name": "cat", "steps": 4, "replicates": 2, "seed": 1, "overrides": TINY,
                    "factors": {"capital_mobility": [0.2, 0.9],
                                "government_rule": ["fixed", "democratic", "competitive"]}},
                   workers=1, out=out)
    return out


def test_text_factors_in_heatmap_and_tornado_keep_the_file_order(categorical):
    from highroad.analysis import plots
    from highroad.analysis.plot_results import Results

    res = Results(categorical)
    runs = res.table("runs")
    fig = plots.heatmap(runs, "government_rule", "capital_mobility", "income_gini",
                        res.orders())
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["fixed", "democratic", "competitive"]
    levels = plots.factor_levels(runs, "government_rule", "end_income_gini",
                                 res.orders()["government_rule"])
    assert levels.index.tolist() == ["fixed", "democratic", "competitive"]  # none dropped
    fig = plots.tornado(runs, res.factors(), "income_gini", res.orders())
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {"fixed", "democratic", "competitive", "0.2", "0.9"} <= names


def test_default_file_names_differ_and_bands_are_labelled(categorical):
    first = plot_results(categorical, "timeseries", observable="income_gini")
    second = plot_results(categorical, "timeseries", observable="unemployment",
                          by="government_rule")
    third = plot_results(categorical, "heatmap", x="government_rule", y="capital_mobility")
    assert len({first.name, second.name, third.name}) == 3 and first.exists()
    from highroad.analysis import plots
    from highroad.analysis.plot_results import Results

    fig = plots.timeseries(Results(categorical).table("economy"), "income_gini",
                           by="government_rule")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(text.startswith("5-95% of runs (other factors and replicates pooled)")
               for text in labels)
