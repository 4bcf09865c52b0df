"""Demand-constrained production, entry on expected profits and exit on losses (issue 13)."""

from __future__ import annotations

import numpy as np

from highroad.agents.investor import founds_firm
from highroad.regions import goods_market as gm
from highroad.regions.labour import sales_targets
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def _one_region_market(money: float, output: np.ndarray) -> gm.MarketOutcome:
    """One region, low road only, everything local: the pool's money is `money`."""
    n = output.size
    demand = np.array([[money, 0.0]])
    return gm.clear_markets(demand, output, np.zeros(n, np.int64), np.zeros(n, np.int64),
                            1.0, np.zeros(2), np.zeros(2), 1)


def test_deficient_demand_leaves_output_unsold_but_every_unit_of_money_is_revenue():
    output = np.array([10.0, 30.0])
    out = _one_region_market(20.0, output)
    assert out.revenue.sum() == 20.0  # the money side: all of it becomes revenue
    # At a posted price of 1, the 20 units of money buy 20 of the 40 units made.
    demanded = gm.demand_at_posted_prices(out, np.ones((1, 2)), np.ones(2), output,
                                          np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    np.testing.assert_allclose(demanded, [5.0, 15.0])
    assert (np.minimum(demanded, output) < output).all()


def test_demand_is_shared_by_capacity_and_can_exceed_output():
    output = np.array([0.0, 10.0])
    out = _one_region_market(30.0, output)
    capacity = np.array([10.0, 20.0])
    demanded = gm.demand_at_posted_prices(out, np.ones((1, 2)), np.ones(2), capacity,
                                          np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    np.testing.assert_allclose(demanded, [10.0, 20.0])  # a firm with no output yet has a share


def test_sales_targets_follow_expected_sales_within_capacity():
    jobs = np.array([10, 10, 10, 10])
    expected = np.array([5.0, 50.0, np.nan, 4.0])
    productivity = np.array([1.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(sales_targets(jobs, expected, productivity, 0.1),
                                  [6, 10, 10, 10])
    np.testing.assert_array_equal(sales_targets(jobs, expected, productivity, 0.0),
                                  [5, 10, 10, 10])


def test_entry_answers_to_the_margin_not_to_a_fixed_rule():
    assert not founds_firm(0.0, 0.01, 0.0)
    assert not founds_firm(-0.01, 0.01, 0.0)
    assert founds_firm(0.005, 0.01, 0.49) and not founds_firm(0.005, 0.01, 0.51)
    assert founds_firm(0.02, 0.01, 0.99)


def _run(small: dict, steps: int, **overrides) -> RegionalEconomy:
    model = RegionalEconomy(load_scenario("baseline", {**small, **overrides}), seed=5)
    for _ in range(steps):
        model.step()
    return model


def test_loss_making_firms_close_and_are_counted_apart_from_exits(small):
    model = _run(small, 2)
    t = model.firm_table
    slot = int(np.flatnonzero(t.view("active"))[0])
    owner = model.investor_list[model.slot_to_firm[slot].owner]
    t.view("rate")[slot] = -0.5  # expects to lose half its capital a quarter
    expected = owner.cash + t.view("cash")[slot]
    model.close_loss_making_firms()
    assert not t.view("active")[slot] and t.view("cash")[slot] == 0.0
    assert model.flows["closures"] >= 1 and model.flows["exits"] == 0
    assert not (model.workforce.employer == slot).any()
    assert owner.cash <= expected + 1e-9  # the firm's cash went to its owner (others may too)


def test_firms_close_after_enough_quarters_of_losses(small):
    model = _run(small, 2)
    t = model.firm_table
    active = np.flatnonzero(t.view("active"))
    patience = model.params.firms.closure_patience
    t.view("loss_quarters")[active[:2]] = patience - 1
    t.view("profit")[active[0]] = -1.0   # a further loss: closes
    t.view("profit")[active[1]] = 1.0    # a profit: the count restarts
    model.close_loss_making_firms()
    assert not t.view("active")[active[0]] and t.view("active")[active[1]]
    assert t.view("loss_quarters")[active[1]] == 0


def test_without_entry_margin_no_firm_is_founded_whatever_the_unemployment(small):
    # An entry hurdle no entrant can clear: unemployment alone must not found a firm.
    model = _run(small, 12, **{"capital.entry_hurdle": 1.0})
    world = model.params.world
    assert model.unemployed_by_region.sum() > 0
    assert model.firm_table.size == world.n_regions * world.firms_per_region  # none added
