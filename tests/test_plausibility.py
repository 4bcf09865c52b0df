"""Plausibility guards (regions/plausibility.py) and capital flight as a true share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import highroad
from highroad.analysis.summary import summary_table
from highroad.errors import InvariantError
from highroad.regions import plausibility
from highroad.scenarios.sweep_runner import end_of_run

SMALL = {"n_regions": 3, "workers_per_region": 200, "firms_per_region": 4, "burn_in": 2}


def test_runaway_wages_stop_the_run_with_step_region_and_quantity():
    # Regression: an allowed value drove the mean wage to 1.3e10 and exited 0.
    with pytest.raises(InvariantError) as caught:
        highroad.simulate("baseline", seed=0, steps=60,
                          overrides={"labour.benefit_replacement": 1.5,
                                     "labour.benefit_base": "regional_mean_wage"})
    err = caught.value
    assert err.step > 1 and err.region != ""
    assert "times its first-quarter value" in str(err)


def test_a_bound_left_names_the_region(monkeypatch):
    monkeypatch.setattr(plausibility, "FACTOR", 1.0001)  # any drift at all leaves the bounds
    with pytest.raises(InvariantError, match=r"^step \d+, region \w+: "):
        highroad.simulate("baseline", seed=1, steps=5, overrides=SMALL)


def test_ordinary_runs_stay_inside_the_bounds():
    result = highroad.simulate("race_to_bottom", seed=2, steps=80, overrides=SMALL)
    assert not result.economy["collapsed"].any()


def test_a_collapse_is_reported_as_a_collapse_not_as_equality():
    economy = pd.DataFrame({"step": range(4), "collapsed": [False, False, True, True],
                            **{c: [0.3, 0.3, 0.0, 0.0] for c in (
                                "high_road_share", "good_jobs_share", "wage_gini",
                                "income_gini", "unemployment", "mean_capital_tax",
                                "public_goods_per_capita", "capital_flight", "regional_cv")}})
    table = summary_table(economy)
    assert np.isnan(table.loc["Income Gini", "end"])
    assert table.loc["COLLAPSED (share of quarters)", "end"] == 1.0
    end = end_of_run(economy)
    assert end["collapsed"] == 1.0 and np.isnan(end["income_gini"])


@pytest.mark.parametrize("overrides", [{}, {"labour.bargaining_power": 1.0},
                                       {"capital_mobility": 1.0, "government_rule": "competitive"}])
def test_capital_flight_is_a_share_of_the_stock_before_the_flight(overrides):
    # Regression: the economy column divided by the stock after the flight (up to 3.94)
    # and the region table's capital_flight was an amount of money.
    result = highroad.simulate("race_to_bottom", seed=3, steps=40, overrides={**SMALL, **overrides})
    eco, reg = result.economy, result.regions
    assert eco["capital_flight"].between(0, 1).all()
    assert reg["capital_flight"].between(0, 1).all()
    assert "capital_flight_amount" in reg and "capital_flight_amount" in eco
    moved = reg["capital_flight_amount"] > 0
    assert (reg.loc[moved, "capital_flight"] > 0).all()
    assert np.allclose(eco["capital_flight_amount"],
                       reg.groupby("step")["capital_flight_amount"].sum().to_numpy())


@pytest.mark.parametrize("name", sorted(highroad.list_scenarios()))
def test_every_shipped_scenario_stays_inside_the_bounds(name):
    """The bounds cut runaways, not the scenarios the model ships (400 quarters at full
    region count were checked too: docs/reliability.md)."""
    result = highroad.simulate(name, seed=1, overrides={"workers_per_region": 150,
                                                        "firms_per_region": 4, "steps": 60})
    assert result.economy["capital_flight"].between(0, 1).all()
