"""Each fact's estimator on synthetic data with a known answer; `highroad facts` end to end."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from highroad.analysis.facts import (
    CellMoments,
    FirmRecorder,
    annual_capital_relocated,
    beta_convergence,
    beveridge_correlation,
    cell_wage_effects,
    decile_ratio,
    exit_rate,
    fixed_effects_slope,
    job_flow_rates,
    regional_unemployment_gap,
    rent_sharing_elasticity,
    wage_curve,
    worker_traits,
    zipf_exponent,
)
from highroad.analysis.facts_report import COLUMNS, bootstrap_interval, load_facts
from highroad.errors import ScenarioError


def test_decile_ratio_of_a_lognormal_is_exp_of_twice_the_quantile_spread():
    rng = np.random.default_rng(1)
    sigma = 0.4
    wages = np.exp(sigma * rng.standard_normal(200_000))
    expected = np.exp(2 * 1.2815516 * sigma)  # z(0.9) = 1.28155
    assert decile_ratio(wages) == pytest.approx(expected, rel=0.01)


def test_job_flows_count_entry_growth_shrinkage_and_exit():
    before = np.array([10, 10, 10, 5])          # the 5th firm is born in between
    after = np.array([12, 10, 7, 0, 3])         # firm 3 shuts, firm 4 enters
    creation, destruction = job_flow_rates(before, after)
    size = 0.5 * (35 + 32)
    assert creation == pytest.approx((2 + 3) / size)
    assert destruction == pytest.approx((3 + 5) / size)


def test_exit_rate_counts_only_firms_active_at_the_start():
    start = np.array([True, True, True, True, False])
    end = np.array([True, False, True, True, False, True, True])  # two born during the year
    assert exit_rate(start, end) == pytest.approx(1 / 4)


@pytest.mark.parametrize("alpha", [1.0, 1.5])
def test_zipf_exponent_of_a_pareto_sample(alpha):
    rng = np.random.default_rng(2)
    sizes = (1.0 - rng.random(50_000)) ** (-1.0 / alpha)  # P(S > s) = s^-alpha
    assert zipf_exponent(sizes) == pytest.approx(alpha, rel=0.05)


def test_beveridge_correlation_of_series_with_a_known_correlation():
    rng = np.random.default_rng(3)
    u = rng.standard_normal(5000)
    v = -0.6 * u + 0.8 * rng.standard_normal(5000)  # correlation -0.6
    assert beveridge_correlation(0.05 + 0.01 * v, 0.06 + 0.01 * u) == pytest.approx(-0.6,
                                                                                   abs=0.03)
    assert np.isnan(beveridge_correlation(np.ones(10), u[:10]))


def test_vacancy_rate_counts_unfilled_jobs_of_active_firms_over_jobs_and_vacancies():
    """The JOLTS job openings rate: openings / (employment + openings). A firm over its
    target has no opening (not a negative one); a closed firm's target counts for nothing."""
    rec = FirmRecorder()
    rec.employees = [np.array([8, 10, 5, 0]), np.array([10, 12, 5, 0])]
    rec.target = [np.array([10, 9, 5, 7]), np.array([10, 15, 6, 4])]
    rec.active = [np.array([True, True, True, False]), np.array([True, True, True, False])]
    # Quarter 0: 2 openings (firm 0), firm 1 over target, firm 3 closed: 2 / (23 + 2).
    # Quarter 1: 3 + 1 openings over 27 employed: 4 / 31.
    assert rec.vacancy_rate() == pytest.approx([2 / 25, 4 / 31])


def test_wage_curve_recovers_the_elasticity_with_region_and_year_effects():
    rng = np.random.default_rng(4)
    regions, years = 12, 30
    region = np.repeat(np.arange(regions), years)
    year = np.tile(np.arange(years), regions)
    # Regional unemployment correlated with the region effects: pooled OLS would be biased.
    region_effect = rng.normal(0, 0.3, regions)
    year_effect = rng.normal(0, 0.1, years)
    log_u = np.log(0.06) + 0.8 * region_effect[region] + 0.3 * year_effect[year] \
        + 0.3 * rng.standard_normal(region.size)
    log_w = region_effect[region] + year_effect[year] - 0.1 * log_u \
        + 0.01 * rng.standard_normal(region.size)
    b, _, _ = wage_curve(log_w, log_u, region, year)
    assert b == pytest.approx(-0.1, abs=0.005)


def test_cell_wage_effects_recover_each_cells_wage_and_the_returns_to_traits():
    rng = np.random.default_rng(8)
    cells, n = 12, 6000
    cell = rng.integers(0, cells, n)
    effect = rng.normal(0, 0.2, cells)
    # Traits differ between cells (composition), so cell means of ln w are not the effects.
    traits = np.column_stack([rng.normal(0.3 * effect[cell], 0.3), rng.random(n) * 10])
    g = np.array([0.6, 0.02])
    log_w = effect[cell] + traits @ g + 0.05 * rng.standard_normal(n)
    found, returns = cell_wage_effects(CellMoments.of(cell, log_w, traits, cells + 1))
    np.testing.assert_allclose(returns, g, atol=0.01)
    np.testing.assert_allclose(found[:cells], effect, atol=0.01)
    assert np.isnan(found[cells])  # a cell without workers
    halves = (CellMoments.of(cell[:n // 2], log_w[:n // 2], traits[:n // 2], cells + 1)
              + CellMoments.of(cell[n // 2:], log_w[n // 2:], traits[n // 2:], cells + 1))
    np.testing.assert_allclose(cell_wage_effects(halves)[0][:cells], found[:cells])


def test_the_two_step_wage_curve_undoes_the_composition_bias_of_mean_wages():
    """Where unemployment is high the least skilled lose their jobs first, so the region's
    mean wage hardly falls though every worker's pay does (Solon, Barsky and Parker 1994):
    the mean-wage slope misses the elasticity, the composition-adjusted one finds it."""
    rng = np.random.default_rng(9)
    regions, years, per_cell = 10, 20, 400
    region = np.repeat(np.arange(regions), years)
    year = np.tile(np.arange(years), regions)
    log_u = np.log(0.06) + 0.5 * rng.standard_normal(region.size)
    cell_of, log_w, traits = [], [], []
    for c, lu in enumerate(log_u):
        skill = np.exp(0.5 * rng.standard_normal(per_cell))
        keep = skill > np.quantile(skill, min(0.9, 3 * np.exp(lu)))  # the least skilled out
        tenure = rng.integers(0, 40, keep.sum())
        z = worker_traits(skill[keep], tenure)
        cell_of.append(np.full(keep.sum(), c))
        log_w.append(-0.1 * lu + 0.7 * z[:, 0] + 0.01 * z[:, 1]
                     + 0.02 * rng.standard_normal(keep.sum()))
        traits.append(z)
    cell_of, log_w, traits = map(np.concatenate, (cell_of, log_w, traits))
    mean_log = np.bincount(cell_of, weights=log_w) / np.bincount(cell_of)
    naive, _, _ = wage_curve(mean_log, log_u, region, year)
    adjusted, _ = cell_wage_effects(CellMoments.of(cell_of, log_w, traits, region.size))
    b, _, _ = wage_curve(adjusted, log_u, region, year)
    assert b == pytest.approx(-0.1, abs=0.01)
    assert naive > -0.05


def test_the_first_stage_reads_the_models_own_wage_equation():
    """In a run, pay rises with skill, by less than the high road's skill elasticity (part
    of pay is the outside option, which hardly follows skill): the first stage measures the
    model's wage equation (regions/labour.py, worker_wages), not noise. (The tenure profile
    is too flat, 1% a year on the rent alone, for its sign to be a test.)"""
    from highroad.api import simulate
    from highroad.scenarios.loader import load_scenario

    rec = FirmRecorder()
    scenario = load_scenario("baseline", {"workers_per_region": 400, "steps": 60})
    simulate(scenario, seed=1, observer=rec)
    _, g = cell_wage_effects(sum(rec.wage_cells[1:], start=rec.wage_cells[0]))
    assert 0.1 < g[0] < scenario.firms.skill_elasticity


def test_regional_unemployment_gap_is_the_yearly_spread_of_regional_rates():
    years = pd.DataFrame({0: [0.05, 0.04, 0.06], 1: [0.09, 0.30, np.nan],
                          2: [0.07, 0.05, 0.02]})  # region 1 has no workers in year 2
    assert regional_unemployment_gap(years) == pytest.approx((0.04 + 0.26 + 0.04) / 3)


def test_fixed_effects_slope_matches_least_squares_with_dummies_on_an_unbalanced_panel():
    rng = np.random.default_rng(5)
    n = 300
    g1, g2 = rng.integers(0, 7, n), rng.integers(0, 11, n)
    x = rng.standard_normal(n) + 0.5 * g1
    y = 0.7 * x + g1 - 0.3 * g2 + rng.standard_normal(n)
    slope, _, _ = fixed_effects_slope(y, x, [g1, g2])
    design = np.column_stack([x, pd.get_dummies(g1).to_numpy(float),
                              pd.get_dummies(g2).to_numpy(float)[:, 1:]])
    assert slope == pytest.approx(np.linalg.lstsq(design, y, rcond=None)[0][0], rel=1e-8)


def test_beta_convergence_recovers_a_known_rate():
    rng = np.random.default_rng(6)
    beta, T = 0.02, 10
    initial = rng.normal(0, 0.3, 400)
    period = np.repeat(np.arange(4), 100)
    growth = 0.01 * period - (1 - np.exp(-beta * T)) / T * initial \
        + 0.001 * rng.standard_normal(400)
    estimate, _, _ = beta_convergence(initial, growth, period, T)
    assert estimate == pytest.approx(beta, rel=0.05)


def test_rent_sharing_recovers_the_elasticity_from_changes_within_firms():
    """Firm wages = firm effect * (value added per worker)^0.1 * noise, with common year
    shocks and firms entering: the within-firm yearly changes recover 0.1, whatever the
    levels (a firm effect correlated with value added would bias a cross-section)."""
    rng = np.random.default_rng(3)
    firms, quarters, true = 400, 24, 0.1
    effect = rng.normal(0, 0.5, firms)
    log_va = effect[:, None] + np.cumsum(rng.normal(0, 0.1, (firms, quarters)), axis=1)
    year = rng.normal(0, 0.05, quarters)
    log_w = 2 * effect[:, None] + true * log_va + year + rng.normal(0, 0.01, (firms, quarters))
    wage = [np.exp(log_w[:, q]) for q in range(quarters)]
    va = [np.exp(log_va[:, q]) for q in range(quarters)]
    wage[10] = wage[10][:300]  # 100 firms not yet born at quarter 10
    va[10] = va[10][:300]
    wage[12][:5] = 0.0  # five firms without staff
    assert rent_sharing_elasticity(wage, va) == pytest.approx(true, abs=0.01)


def test_annual_capital_relocated_sums_a_year_over_its_mean_stock():
    moved = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 4.0])
    capital = np.array([100.0] * 4 + [200.0] * 4)
    assert annual_capital_relocated(moved, capital) == pytest.approx((0.02 + 0.02) / 2)


def test_bootstrap_interval_covers_the_mean_and_ignores_nan():
    values = np.array([1.0, 2.0, 3.0, np.nan, 4.0])
    lo, hi = bootstrap_interval(values, 2000)
    assert lo < 2.5 < hi and lo >= 1.0 and hi <= 4.0


def test_facts_file_errors_name_file_and_key(tmp_path):
    path = tmp_path / "facts.toml"
    path.write_text("[measurement]\nwindow = 40\nconvergence_years = 5\n"
                    "bootstrap_resamples = 500\n[facts.u]\nlabel = 'u'\nlow = 0.09\n"
                    "high = 0.04\nsource = 's'\nmeasurement = 'm'\n")
    with pytest.raises(ScenarioError) as info:
        load_facts(path)
    assert str(path) in str(info.value) and "facts.u.low" in str(info.value)
    assert len(load_facts().facts) == 17


def test_highroad_facts_quick_end_to_end(tmp_path):
    out = tmp_path / "facts"
    done = subprocess.run([sys.executable, "-m", "highroad.cli", "facts", "--quick",
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "facts.csv")
    assert list(table.columns) == COLUMNS
    assert set(table["fact"]) == set(load_facts().facts)
    assert set(table["role"]) == {"calibrated", "held_out"}
    assert (table["role"] == "held_out").sum() >= 4
    finite = table.dropna(subset=["model"])
    assert ((finite["ci_low"] <= finite["model"]) & (finite["model"] <= finite["ci_high"])).all()
    assert (table["within"] == ((table["low"] <= table["model"])
                                & (table["model"] <= table["high"]))).all()
    assert len(pd.read_csv(out / "replicates.csv")) == 4
    for name in ("beveridge_curve", "wage_curve", "firm_sizes", "convergence"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000
    text = (out / "facts.md").read_text()
    assert "Axtell (2001)" in text and "facts inside their measured range" in text
    assert not list(out.rglob(".*tmp*"))


def test_highroad_facts_bad_override_exits_2_and_writes_nothing(tmp_path, capsys):
    from highroad.cli import main

    out = tmp_path / "facts"
    assert main(["facts", "--set", "capital_mobility=2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "capital_mobility" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["facts", "--replicates", "0", "--out", str(out)]) == 2


def test_regional_facts_pool_the_replicates_panels():
    from highroad.analysis.facts import Replicate
    from highroad.analysis.facts_report import fact_estimates

    spec = load_facts()
    rng = np.random.default_rng(7)
    reps = []
    for seed in range(3):
        x = rng.standard_normal(40)
        wage = -0.1 * x + 0.01 * rng.standard_normal(40)
        reps.append(Replicate(seed, {}, {"wage_x": x, "wage_y": wage, "convergence_x": x,
                                         "convergence_y": -0.018 * x}))
    x = np.concatenate([r.figures["wage_x"] for r in reps])
    y = np.concatenate([r.figures["wage_y"] for r in reps])
    estimates = fact_estimates(reps, spec)
    assert estimates["wage_curve_elasticity"] == pytest.approx(np.sum(x * y) / np.sum(x * x))
    T = spec.convergence_years
    assert estimates["beta_convergence"] == pytest.approx(-np.log(1 - 0.018 * T) / T)


def test_facts_are_the_same_on_one_process_or_two(tmp_path):
    import highroad

    small = {"n_regions": 2, "workers_per_region": 300, "firms_per_region": 6, "steps": 48,
             "burn_in": 8}
    one = highroad.facts(replicates=2, overrides=small, workers=1, out=tmp_path / "one")
    two = highroad.facts(replicates=2, overrides=small, workers=2, out=tmp_path / "two")
    pd.testing.assert_frame_equal(one.table, two.table)
