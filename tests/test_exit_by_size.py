"""Forced exits that fall with firm size (regions/relocation.py exit_shock_chances; Dunne,
Roberts and Samuelson 1989), and the calibration variant that fits
how fast they fall (scenarios/calibration/exit_by_size.toml)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from highroad.regions.model import RegionalEconomy
from highroad.regions.relocation import exit_shock_chances
from highroad.scenarios import load_scenario
from highroad.scenarios.calibration import CALIBRATION_DIR, load_calibration

#: A heavy-tailed staff vector: many small firms, a few large ones.
STAFF = np.round(np.random.default_rng(0).pareto(1.1, 2_000) * 5).astype(np.int64)


def test_at_elasticity_zero_every_firm_has_the_same_chance():
    assert exit_shock_chances(STAFF, 0.01, 0.0) == 0.01


def test_chances_fall_with_size_and_a_firm_of_the_mean_size_has_the_rate():
    staff = np.array([1, 4, 10, 25, 100])  # mean 28
    chance = exit_shock_chances(staff, 0.02, 0.5)
    assert (np.diff(chance) < 0).all()
    np.testing.assert_allclose(exit_shock_chances(np.array([7, 14, 21]), 0.02, 0.5)[1], 0.02)
    # A firm without staff counts as one worker; no chance exceeds 1.
    np.testing.assert_array_equal(exit_shock_chances(np.array([0, 1, 400]), 0.02, 0.5)[:2],
                                  exit_shock_chances(np.array([1, 1, 400]), 0.02, 0.5)[:2])
    assert exit_shock_chances(np.array([1, 10_000]), 0.5, 2.0).max() == 1.0


@pytest.mark.parametrize("elasticity", [0.25, 0.5, 0.75])
def test_more_firms_exit_but_fewer_jobs_go_with_them(elasticity):
    """The point of the mechanism: at the same rate for a firm of the mean size, the number
    of firms that exit rises (small firms are most firms) while the share of jobs lost with
    them falls (large firms hold most jobs), for elasticities below 1; at 1 each firm's
    expected job loss is the same, and the share of jobs lost is the flat model's."""
    staff = np.maximum(STAFF, 1)
    flat = exit_shock_chances(staff, 0.01, 0.0)
    chance = exit_shock_chances(staff, 0.01, elasticity)
    assert chance.sum() > flat * staff.size
    assert (chance * staff).sum() / staff.sum() < flat
    at_one = exit_shock_chances(staff, 0.01, 1.0)
    assert (at_one * staff).sum() / staff.sum() == pytest.approx(flat)


def _model(elasticity: float, seed: int) -> RegionalEconomy:
    """The default economy (three regions of 2,000 workers) after 30 quarters, its firms
    of many sizes, about to draw one quarter of forced exits at 0.2 for a firm of the mean
    size."""
    over = {"n_regions": 3, "workers_per_region": 2_000}
    model = RegionalEconomy(load_scenario("baseline", over), seed=seed)
    for _ in range(30):
        model.step()
    firms = dataclasses.replace(model.params.firms, exit_shock=0.2,
                                exit_size_elasticity=elasticity)
    model.params = dataclasses.replace(model.params, firms=firms)
    return model


def _forced_exits(model: RegionalEconomy) -> tuple[np.ndarray, np.ndarray]:
    """The firms one quarter's exit shocks close, and the staff every active firm had."""
    active = np.flatnonzero(model.firm_table.view("active"))
    staff = model.firm_table.view("employees")[active].copy()
    model.close_firms_hit_by_exit_shocks()
    return ~model.firm_table.view("active")[active], staff


def test_the_model_draws_each_firm_against_its_own_chance():
    model = _model(0.5, 1)
    active = np.flatnonzero(model.firm_table.view("active"))
    staff = model.firm_table.view("employees")[active]
    rng = copy.deepcopy(model.rng)
    expected = rng.random(active.size) < exit_shock_chances(staff, 0.2, 0.5)
    closed, _ = _forced_exits(model)
    np.testing.assert_array_equal(closed, expected)


def test_at_elasticity_zero_the_draws_are_the_flat_models():
    """The placebo: at 0 each firm is drawn against the one rate, as before the mechanism."""
    model = _model(0.0, 1)
    n = int(model.firm_table.view("active").sum())
    rng = copy.deepcopy(model.rng)
    closed, _ = _forced_exits(model)
    np.testing.assert_array_equal(closed, rng.random(n) < 0.2)


def test_in_the_running_economy_forced_exits_pick_small_firms():
    """Placebo in the model: over the same seeds and the same firms, the firms a quarter of
    forced exits closes are smaller than those that stay when the chance falls with size
    (elasticity 1), and no smaller, within noise, when it does not (0); at 0.5 the expected
    share of jobs lost is below the flat model's."""
    closed_mean = {}
    for elasticity in (0.0, 1.0):
        closed_staff, kept_staff = [], []
        for seed in range(3):
            closed, staff = _forced_exits(_model(elasticity, seed))
            closed_staff.append(staff[closed])
            kept_staff.append(staff[~closed])
        closed_mean[elasticity] = np.concatenate(closed_staff).mean()
        kept = np.concatenate(kept_staff).mean()
        if elasticity:
            assert closed_mean[elasticity] < 0.7 * kept
        else:
            assert closed_mean[elasticity] > 0.7 * kept
    assert closed_mean[1.0] < 0.8 * closed_mean[0.0]
    model = _model(0.5, 0)
    staff = model.firm_table.view("employees")[model.firm_table.view("active")]
    assert (exit_shock_chances(staff, 0.2, 0.5) * staff).sum() / staff.sum() < 0.2


def test_the_variant_is_the_regional_gap_calibration_plus_the_elasticity():
    """docs/validation.md reports the variant as regional_gap.toml with one more parameter,
    nothing else changed but the start point."""
    base, variant = (load_calibration(CALIBRATION_DIR / n).to_dict()
                     for n in ("regional_gap.toml", "exit_by_size.toml"))
    added = [p for p in variant["parameters"] if p not in base["parameters"]]
    assert [p["key"] for p in added] == ["firms.exit_size_elasticity"]
    assert [p for p in variant["parameters"] if p not in added] == list(base["parameters"])
    for key in ("settings", "targets", "objective", "pull", "replicates", "seed", "scenario",
                "global_method", "global_samples", "local_evaluations"):
        assert variant[key] == base[key], key


def test_the_low_pull_variant_differs_from_the_variant_only_in_its_pull():
    base, low = (load_calibration(CALIBRATION_DIR / n).to_dict()
                 for n in ("exit_by_size.toml", "exit_by_size_low_pull.toml"))
    assert (base["pull"], low["pull"]) == (0.1, 0.02)
    for key in set(base) - {"pull", "source"}:
        assert low[key] == base[key], key


def test_the_margin_variant_differs_from_the_variant_only_in_its_margin():
    base, margin = (load_calibration(CALIBRATION_DIR / n).to_dict()
                    for n in ("exit_by_size.toml", "exit_by_size_margin.toml"))
    assert "margin" not in base and margin["margin"] == 0.1
    for key in set(base) - {"source"}:
        assert margin[key] == base[key], key


def test_the_focused_variant_differs_from_the_margin_variant_only_as_its_header_says():
    margin, focused = (load_calibration(CALIBRATION_DIR / n).to_dict()
                       for n in ("exit_by_size_margin.toml", "exit_by_size_focused.toml"))
    keys = [p["key"] for p in margin["parameters"]]
    assert [p["key"] for p in focused["parameters"]] == [
        k for k in keys if k != "firms.closure_rate"]
    for old in margin["parameters"]:
        if old["key"] == "firms.sales_expectation_weight":
            assert next(p for p in focused["parameters"] if p["key"] == old["key"]) == {
                **old, "high": 1.0}
        elif old["key"] != "firms.closure_rate":
            assert old in focused["parameters"], old["key"]
    i = keys.index("firms.closure_rate")
    assert list(focused["start"]) == list(margin["start"][:i]) + list(margin["start"][i + 1:])
    assert (focused["global_samples"], focused["local_evaluations"]) == (32, 130)
    for key in set(margin) - {"source", "parameters", "start", "global_samples",
                              "local_evaluations"}:
        assert focused[key] == margin[key], key
