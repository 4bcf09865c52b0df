"""`highroad analyze` gives SALib's own numbers on the same samples, and refuses what the
design cannot support."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

import highroad
from highroad.analysis.analyze import analyze
from highroad.analysis.plot_results import plot_results
from highroad.cli import main
from highroad.errors import ScenarioError

TINY = {"n_regions": 3, "workers_per_region": 60, "firms_per_region": 3, "burn_in": 2}
FACTORS = {"capital_mobility": {"min": 0.0, "max": 1.0},
           "government.capital_tax": {"min": 0.1, "max": 0.4},
           "government_rule": ["fixed", "competitive"]}
PROBLEM = {"num_vars": 3, "names": list(FACTORS),
           "bounds": [[0.0, 1.0], [0.1, 0.4], [0.0, 2.0]]}
DESIGNS = {"sobol2": {"method": "sobol", "samples": 8, "calc_second_order": True, "seed": 3},
           "sobol1": {"method": "sobol", "samples": 8, "calc_second_order": False, "seed": 3},
           "morris": {"method": "morris", "samples": 4, "seed": 3},
           "lhs": {"method": "lhs", "samples": 16, "seed": 3}}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyze")
    out = {}
    for name, design in DESIGNS.items():
        out[name] = root / name
        highroad.sweep({"name": name, "steps": 3, "replicates": 2, "seed": 1,
                        "overrides": TINY, "design": design, "factors": FACTORS},
                       workers=1, out=out[name])
    return out


def point_means(folder) -> np.ndarray:
    runs = pd.read_parquet(folder / "runs.parquet")
    return runs.groupby("point")["end_income_gini"].mean().sort_index().to_numpy()


def stored_design(folder) -> pd.DataFrame:
    plan = pd.read_parquet(folder / "design.parquet")
    return plan[plan["replicate"] == 0].reset_index(drop=True)


@pytest.mark.parametrize("name, second", [("sobol2", True), ("sobol1", False)])
def test_sobol_equals_salib_on_the_same_samples(sweeps, name, second):
    x = sobol_sample.sample(PROBLEM, 8, calc_second_order=second, seed=3)
    design = stored_design(sweeps[name])
    np.testing.assert_allclose(design["capital_mobility"], x[:, 0])
    assert design["government_rule"].tolist() == [["fixed", "competitive"][int(v)]
                                                  for v in x[:, 2]]
    y = point_means(sweeps[name])
    expected = sobol_analyze.analyze(PROBLEM, y, calc_second_order=second, seed=1,
                                     num_resamples=1000, conf_level=0.95)
    got = analyze(sweeps[name], "sobol", "income_gini")
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_allclose(got.table[column], expected[column])
    if second:
        np.testing.assert_allclose(got.second_order["S2"],
                                   expected["S2"][np.triu_indices(3, k=1)])
    else:
        assert got.second_order is None
    written = pd.read_csv(sweeps[name] / "analysis" / "sobol_income_gini.csv")
    np.testing.assert_allclose(written["ST"], expected["ST"])


def test_morris_equals_salib_on_the_same_samples(sweeps):
    x = morris_sample.sample(PROBLEM, 4, num_levels=4, seed=3)
    y = point_means(sweeps["morris"])
    expected = morris_analyze.analyze(PROBLEM, x, y, num_levels=4, seed=1,
                                      num_resamples=1000, conf_level=0.95)
    got = analyze(sweeps["morris"], "morris", "income_gini")
    for column in ("mu", "mu_star", "sigma", "mu_star_conf"):
        np.testing.assert_allclose(got.table[column], expected[column])


def test_delta_runs_on_sampled_designs(sweeps):
    got = analyze(sweeps["sobol2"], "delta", "income_gini")
    assert list(got.table.columns) == ["factor", "delta", "delta_conf", "S1", "S1_conf"]
    assert got.table["delta"].between(0, 1).all()


@pytest.mark.parametrize("name, method", [("lhs", "sobol"), ("morris", "sobol"),
                                          ("sobol2", "morris"), ("lhs", "morris")])
def test_methods_the_design_cannot_support_exit_2(sweeps, name, method, capsys):
    assert main(["analyze", str(sweeps[name]), "--method", method]) == 2
    assert "cannot analyse" in capsys.readouterr().err


def test_cli_analyze_writes_csv_and_figure(sweeps, capsys):
    assert main(["analyze", str(sweeps["sobol1"]), "--method", "sobol",
                 "--observable", "high_road_share", "--format", "svg"]) == 0
    assert "ST_conf" in capsys.readouterr().out
    folder = sweeps["sobol1"] / "analysis"
    assert (folder / "sobol_high_road_share.csv").is_file()
    assert (folder / "sobol_high_road_share.svg").is_file()


def test_unknown_observable_and_missing_threshold_exit_2(sweeps):
    assert main(["analyze", str(sweeps["lhs"]), "--method", "delta",
                 "--observable", "nope"]) == 2
    assert main(["analyze", str(sweeps["lhs"]), "--method", "prim"]) == 2


def test_plot_sobol_draws_what_analyze_computed(sweeps, tmp_path):
    path = plot_results(sweeps["sobol2"], "sobol", observable="unemployment",
                        out=tmp_path / "s")
    assert path.stat().st_size > 1000
    written = pd.read_csv(sweeps["sobol2"] / "analysis" / "sobol_unemployment.csv")
    expected = sobol_analyze.analyze(PROBLEM, pd.read_parquet(
        sweeps["sobol2"] / "runs.parquet").groupby("point")["end_unemployment"].mean()
        .to_numpy(), calc_second_order=True, seed=1, num_resamples=1000)
    np.testing.assert_allclose(written["ST"], expected["ST"])
    with pytest.raises(ScenarioError, match="cannot analyse a 'lhs' design"):
        plot_results(sweeps["lhs"], "sobol")
    assert main(["plot", str(sweeps["morris"]), "--kind", "sobol"]) == 2


def test_prim_finds_a_box(sweeps):
    pytest.importorskip("ema_workbench")
    runs = pd.read_parquet(sweeps["lhs"] / "runs.parquet")
    threshold = float(runs["end_income_gini"].median())
    got = analyze(sweeps["lhs"], "prim", "income_gini", threshold=threshold)
    assert set(got.table["factor"]) <= set(FACTORS)
    trajectory = got.extra["trajectory"]
    assert trajectory["coverage"].between(0, 1).all()
    assert trajectory["density"].iloc[-1] >= trajectory["density"].iloc[0]
    assert (sweeps["lhs"] / "analysis" / "prim_income_gini.csv").is_file()
