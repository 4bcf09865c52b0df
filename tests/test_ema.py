"""`highroad.ema.model`: an EMA Workbench Model whose ranges come from the schema."""

from __future__ import annotations

import pytest

from highroad.errors import ScenarioError

ema_workbench = pytest.importorskip("ema_workbench")

from highroad import ema  # noqa: E402

TINY = {"n_regions": 2, "workers_per_region": 60, "firms_per_region": 3, "burn_in": 2}


def test_ranges_come_from_the_schema_and_experiments_run():
    model = ema.model(uncertainties=["capital_mobility", ("trade_openness", 0.1, 0.5),
                                     "government_rule"],
                      levers=["government.capital_tax", "policies.good_jobs.enabled",
                              ("n_regions", 2, 3)],
                      outcomes=["income_gini", "high_road_share"], overrides=TINY, steps=3)
    params = {p.name: p for p in [*model.uncertainties, *model.levers]}
    assert (params["capital_mobility"].lower_bound, params["capital_mobility"].upper_bound) \
        == (0.0, 1.0)
    assert params["trade_openness"].upper_bound == 0.5
    from highroad.scenarios.schema import GOVERNMENT_RULES

    assert {c.value for c in params["government_rule"].categories} == set(GOVERNMENT_RULES)
    assert isinstance(params["policies.good_jobs.enabled"], ema_workbench.BooleanParameter)
    assert isinstance(params["n_regions"], ema_workbench.IntegerParameter)
    experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4 and outcomes["income_gini"].shape == (4,)
    assert ((outcomes["high_road_share"] >= 0) & (outcomes["high_road_share"] <= 1)).all()


def test_a_run_equals_the_sweep_definition_of_end_values():
    from highroad.api import simulate
    from highroad.scenarios.sweep_runner import end_of_run

    model = ema.model(uncertainties=["capital_mobility"], outcomes=["income_gini"],
                      overrides=TINY, steps=4, seed=3)
    got = model.function(capital_mobility=0.7)
    run = simulate("baseline", steps=4, seed=3, overrides={**TINY, "capital_mobility": 0.7})
    assert got == {"income_gini": end_of_run(run.economy)["income_gini"]}


def test_bad_keys_and_ranges_are_refused():
    with pytest.raises(ScenarioError, match="did you mean 'capital_mobility'"):
        ema.model(uncertainties=["capital_mobilty"], overrides=TINY)
    with pytest.raises(ScenarioError, match="out of range"):
        ema.model(uncertainties=[("capital_mobility", 0.1, 1.5)], overrides=TINY)
    with pytest.raises(ScenarioError, match="not an economy observable"):
        ema.model(uncertainties=["capital_mobility"], outcomes=["nope"], overrides=TINY)
