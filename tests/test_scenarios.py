"""The shipped scenarios: every one loads, validates, says what it stands for, and runs."""

from __future__ import annotations

import copy
import tomllib

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL

from highroad.api import simulate
from highroad.cli import main
from highroad.errors import ScenarioError
from highroad.scenarios.loader import SCENARIO_DIR, build_scenario, list_scenarios, load_scenario

WALZER = ["global_state", "empire", "federation", "third_degree_pluralism",
          "second_degree_pluralism", "first_degree_pluralism", "anarchy"]
REQUIRED = ["baseline", "race_to_bottom", "social_democracy_closed", "social_democracy_open",
            "new_egalitarian", "balkanization", "good_jobs", "libcom", "parecon",
            "central_planning",
            *[f"walzer_{r}" for r in WALZER]]


def test_every_system_of_the_papers_has_a_scenario() -> None:
    assert set(REQUIRED) <= set(list_scenarios())


@pytest.mark.parametrize("name", REQUIRED)
def test_scenario_loads_validates_and_runs(name: str) -> None:
    with (SCENARIO_DIR / f"{name}.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    assert doc.get("description") and doc.get("source"), "a description and a source line"
    scenario = load_scenario(name)
    assert scenario.world.description == doc["description"]
    assert main(["validate", name]) == 0
    small = {**SMALL, "steps": 4, "burn_in": 2}
    if scenario.world.region_sizes:  # keep the scenario's regions, shrink them
        del small["n_regions"]
    result = simulate(name, seed=0, overrides=small)
    assert len(result.economy) == 5
    numeric = result.economy.select_dtypes("number")
    assert np.isfinite(numeric.to_numpy()).all()
    assert (result.economy.accounting_residual < 1e-9).all()


def test_baseline_policy_tables_are_all_off_and_change_nothing() -> None:
    with (SCENARIO_DIR / "baseline.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    assert doc["policies"] and not any(t["enabled"] for t in doc["policies"].values())
    bare = copy.deepcopy(doc)
    del bare["policies"]
    small = {**bare, **SMALL}
    with_tables = simulate(build_scenario({**doc, **SMALL}, "baseline.toml", "baseline"), seed=2)
    without = simulate(build_scenario(small, "baseline.toml", "baseline"), seed=2)
    pd.testing.assert_frame_equal(with_tables.economy, without.economy)
    pd.testing.assert_frame_equal(with_tables.regions, without.regions)


@pytest.mark.parametrize("regime", WALZER)
def test_each_walzer_scenario_sets_its_regime_in_the_same_world(regime: str) -> None:
    scenario = load_scenario(f"walzer_{regime}")
    assert scenario.policies["supra_regional"].enabled
    assert scenario.policies["supra_regional"].regime == regime
    reference = load_scenario("walzer_anarchy")
    for key in ("capital_mobility", "trade_openness", "government_rule"):
        assert getattr(scenario.world, key) == getattr(reference.world, key)


def test_paired_scenarios_differ_only_in_the_world() -> None:
    """social_democracy_closed/open: the same levers at low and high mobility."""
    closed, open_ = load_scenario("social_democracy_closed"), load_scenario("social_democracy_open")
    assert closed.policies == open_.policies
    assert closed.world.capital_mobility < open_.world.capital_mobility
    assert closed.world.trade_openness < open_.world.trade_openness


def test_new_egalitarian_switches_on_the_package_under_high_mobility() -> None:
    s = load_scenario("new_egalitarian")
    on = {name for name, p in s.policies.items() if p.enabled}
    assert on == {"associative_governance", "quasi_public_goods", "asset_redistribution",
                  "supra_regional"}
    assert s.policies["supra_regional"].conditional_support > 0
    assert s.world.capital_mobility >= 0.8


def test_bad_policy_keys_name_the_key_and_what_is_allowed() -> None:
    with pytest.raises(ScenarioError, match="policies.supra_regional.regime.*federation"):
        load_scenario("walzer_federation", {"policies.supra_regional.regime": "feudalism"})
    with pytest.raises(ScenarioError, match="policies.good_jobs.subsidy_rate.*0.35"):
        load_scenario("good_jobs", {"policies.good_jobs.subsidy_rate": 0.5})
    with pytest.raises(ScenarioError, match="did you mean 'equalisation_rate'"):
        load_scenario("balkanization", {"policies.supra_regional.equalization_rate": 0.2})
