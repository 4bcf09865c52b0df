"""Whole-model tests: determinism, accounting, emergent behaviour over several seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import highroad
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario

ECONOMY_COLUMNS = [
    "step", "high_road_share", "high_road_employment_share", "good_jobs_share", "mean_wage",
    "median_wage", "wage_gini", "income_gini", "wealth_gini", "unemployment", "labour_share",
    "productivity", "middle_class_share", "mean_capital_tax", "capital_tax_dispersion",
    "mean_labour_standard", "public_goods_per_capita", "capital_flight", "regional_cv",
    "accounting_residual",
]
REGION_COLUMNS = [
    "step", "region", "workers", "capital_stock", "capital_tax", "labour_standard",
    "high_road_share", "unemployment", "gdp_per_capita", "public_goods_per_capita",
    "associative_capacity",
]


def test_simulate_returns_the_documented_frames(small):
    result = highroad.simulate("baseline", seed=1, overrides=small)
    assert result.economy.columns[0] == "step"
    assert set(ECONOMY_COLUMNS) <= set(result.economy.columns)
    assert set(REGION_COLUMNS) <= set(result.regions.columns)
    assert len(result.economy) == small["steps"] + 1  # the last burn-in quarter is step 0
    assert len(result.regions) == (small["steps"] + 1) * small["n_regions"]
    assert result.seed == 1 and result.scenario.world.n_regions == small["n_regions"]
    frame = result.economy
    assert np.isfinite(frame.to_numpy(dtype=float)).all()


def test_steps_argument_and_scenario_objects(small):
    scenario = load_scenario("baseline", small)
    result = highroad.simulate(scenario, steps=7, seed=2)
    assert result.economy["step"].tolist() == list(range(8))


def test_same_seed_same_numbers_different_seed_different_numbers(small):
    a = highroad.simulate("baseline", seed=5, overrides=small)
    b = highroad.simulate("baseline", seed=5, overrides=small)
    c = highroad.simulate("baseline", seed=6, overrides=small)
    pd.testing.assert_frame_equal(a.economy, b.economy)
    pd.testing.assert_frame_equal(a.regions, b.regions)
    assert not a.economy["income_gini"].equals(c.economy["income_gini"])


def test_accounting_identities_hold_over_a_whole_run(small):
    overrides = {**small, "steps": 60, "government_rule": "competitive",
                 "capital_mobility": 1.0, "volatility": 0.05}
    model = RegionalEconomy(load_scenario("baseline", overrides), seed=4)
    for _ in range(overrides["burn_in"] + overrides["steps"]):
        model.step()
        matrix = model.ledger.transaction_matrix()
        scale = float(np.abs(model.balances()).sum())
        assert np.all(np.abs(matrix.sum(axis=1)) <= 1e-9 * scale)
    economy = pd.DataFrame(model.records)
    assert economy["accounting_residual"].max() < 1e-9
    assert (economy["workers"] == len(model.workforce)).all()
    assert (economy["retirements"] == economy["entries"]).all()


def test_shares_rates_and_ginis_are_in_range(small):
    e = highroad.simulate("baseline", seed=3, overrides={**small, "volatility": 0.1}).economy
    for col in ["high_road_share", "high_road_employment_share", "good_jobs_share", "wage_gini",
                "income_gini", "wealth_gini", "unemployment", "middle_class_share",
                "mean_capital_tax", "mean_labour_standard"]:
        assert e[col].between(0, 1).all(), col


def _end_mean(column: str, seeds: range, **overrides) -> float:
    values = []
    for seed in seeds:
        e = highroad.simulate("baseline", seed=seed, overrides=overrides).economy
        values.append(e[column].iloc[-len(e) // 4:].mean())
    return float(np.mean(values))


RACE = {"n_regions": 4, "workers_per_region": 500, "firms_per_region": 10, "steps": 80,
        "burn_in": 10}


# Whether mobile capital lowers competitive governments' taxes in total is a result, decided
# by the verification world (docs/verification.md), not asserted here: at the calibrated
# defaults, in this 4-region world over seeds 0-2, the capital tax ends at 0.210 with mobile
# capital and 0.231 with capital that barely moves (0.212 and 0.204 under the previous
# calibration). The mechanism, capital that sees taxes
# against a tax-blind placebo, is tested in tests/test_government.py.


def test_fixed_rule_keeps_taxes_whatever_the_mobility():
    for mobility in (0.0, 1.0):
        tax = highroad.simulate("baseline", seed=0, overrides={
            **RACE, "steps": 30, "capital_mobility": mobility}).economy["mean_capital_tax"]
        assert (tax == 0.25).all()


def test_democratic_governments_learn_that_mobile_capital_answers_to_taxes():
    """What a government believes about capital comes from the capital it gains and loses:
    none where capital cannot move, some where it moves, most where it moves for taxes.
    (Where the tax ends is the verification's question, docs/verification.md: at the
    calibrated defaults mobility moves it little, and in this small world it raised it.)"""
    def belief(**extra):
        return _end_mean("mean_perceived_elasticity", range(4), government_rule="democratic",
                         **RACE, **extra)

    sees_taxes = belief(capital_mobility=1.0)
    assert belief(capital_mobility=0.0) == 0.0
    assert sees_taxes > 1.0
    # Measured at the calibrated defaults, seeds 0-3: 4.28 against 0.57 for tax-blind
    # capital (per seed 4.0 / 6.5 / 3.2 / 3.4 against -0.2 / 0.0 / 0.9 / 1.5).
    assert sees_taxes > 1.5 * belief(capital_mobility=1.0, **{"capital.tax_salience": 0.0})


QUALITY_DEMAND = {
    "low": {"goods.quality_preference": 0.02, "goods.public_quality_share": 0.0,
            "goods.export_demand_high": 0.0},
    "high": {"goods.quality_preference": 20.0, "goods.public_quality_share": 1.0},
}


@pytest.mark.parametrize("side", ["low", "high"])
def test_both_roads_are_viable_somewhere_in_parameter_space(small, side):
    """Demand for quality decides which road pays: each can dominate, neither is scripted."""
    e = highroad.simulate("baseline", seed=0, overrides={
        **small, "steps": 60, **QUALITY_DEMAND[side]}).economy
    end = e["high_road_employment_share"].iloc[-10:].mean()
    assert (end < 0.3) if side == "low" else (end > 0.7)


def test_baseline_keeps_both_roads_alive(small):
    e = highroad.simulate("baseline", seed=0, overrides={**small, "steps": 60}).economy
    assert 0.05 < e["high_road_share"].iloc[-10:].mean() < 0.95
