"""Demand-constrained production, entry on expected profits and exit on losses."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE_TOML_DEFAULTS

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
    demanded = sum(gm.demand_at_posted_prices(out, np.ones((1, 2)), np.ones(2), output,
                                              np.zeros(2, np.int64), np.zeros(2, np.int64), 1))
    np.testing.assert_allclose(demanded, [5.0, 15.0])
    assert (np.minimum(demanded, output) < output).all()


def test_demand_is_shared_by_capacity_and_can_exceed_output():
    output = np.array([0.0, 10.0])
    out = _one_region_market(30.0, output)
    capacity = np.array([10.0, 20.0])
    local, national = gm.demand_at_posted_prices(out, np.ones((1, 2)), np.ones(2), capacity,
                                                 np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    np.testing.assert_allclose(local, [10.0, 20.0])  # everything is local here
    np.testing.assert_allclose(national, 0.0)  # a firm with no output yet has a share


def test_buyers_a_sold_out_firm_turns_away_buy_from_firms_with_goods_left():
    # Region 0: firm 0 is asked 20 and has 10, firm 1 is asked 5 and has 15.
    local, national = np.array([20.0, 5.0]), np.zeros(2)
    output = np.array([10.0, 15.0])
    got = gm.redirect_unmet_demand(local, national, output, np.zeros(2, np.int64),
                                   np.zeros(2, np.int64), 1)
    np.testing.assert_allclose(got, [0.0, 10.0])
    sold = np.minimum(output, local + national + got)
    assert sold.sum() == 25.0  # every unit asked for is sold: nothing is lost
    # No firm is sent more than it has left: firm 1 has 15 left, 40 are turned away.
    got = gm.redirect_unmet_demand(np.array([50.0, 0.0]), national, output,
                                   np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    np.testing.assert_allclose(got, [0.0, 15.0])


def test_turned_away_buyers_stay_in_their_pool():
    """Local buyers look in their region, buyers of tradables anywhere, each for its own
    good: firm 0 (region 0, low road) is short 10 units, half local, half national."""
    region = np.array([0, 0, 1, 1])
    road = np.array([0, 1, 0, 0])
    local = np.array([10.0, 0.0, 0.0, 0.0])
    national = np.array([10.0, 0.0, 0.0, 0.0])
    output = np.array([10.0, 100.0, 100.0, 0.0])
    got = gm.redirect_unmet_demand(local, national, output, region, road, 2)
    # Region 0 has no other low-road seller: its local short goes unmet; the national short
    # goes to region 1's low-road firm with goods; the quality firm gets none.
    np.testing.assert_allclose(got, [0.0, 0.0, 5.0, 0.0])


def test_redirected_demand_keeps_a_demand_shocked_economy_employed(small):
    """The placebo: with idiosyncratic demand and hiring on sales (the calibrated defaults),
    buyers turned away and lost (switch off) leave firms with unsold goods shedding workers
    while those in demand cannot hire beyond their capacity; redirected, unemployment is
    lower at every seed (measured: 11% / 28% / 6% against 34% / 40% / 36%)."""
    lower = []
    for seed in (1, 2, 3):
        u = {}
        for redirect in (True, False):
            model = RegionalEconomy(load_scenario("baseline", {
                **small, "goods.redirect_unmet_demand": redirect}), seed=seed)
            rates = []
            for q in range(60):
                model.step()
                if q >= 30:
                    rates.append(model.unemployed_by_region.sum() / len(model.workforce))
            u[redirect] = float(np.mean(rates))
        lower.append(u[True] < u[False])
    assert all(lower)


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


#: The three mechanisms' switches (off by default until the economy is calibrated with them).
ON = {"firms.demand_constrained": True, "firms.profit_entry": True, "firms.loss_closure": True}


def _run(small: dict, steps: int, **overrides) -> RegionalEconomy:
    model = RegionalEconomy(load_scenario("baseline", {**small, **ON, **overrides}), seed=5)
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


def test_unsold_goods_earn_nothing_and_the_pool_money_is_all_paid():
    output = np.array([10.0, 30.0])
    out = _one_region_market(20.0, output)
    sold = np.array([10.0, 5.0])  # the second firm sold a sixth of its output
    revenue = gm.revenue_by_sales(out, sold, np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    assert revenue.sum() == 20.0
    np.testing.assert_allclose(revenue / sold, 20.0 / 15.0)  # one price for what is sold


def test_demand_shocks_are_persistent_and_mean_reverting():
    rng = np.random.default_rng(0)
    shock = np.full(20_000, 1.0)
    gm.demand_shocks(shock, 0.9, 0.0, rng)
    np.testing.assert_allclose(shock, 0.9)
    for _ in range(300):
        gm.demand_shocks(shock, 0.9, 0.1, rng)
    assert abs(shock.mean()) < 0.01
    assert abs(shock.std() - 0.1 / np.sqrt(1 - 0.81)) < 0.01  # the stationary dispersion


def test_a_firm_that_loses_its_demand_shrinks_and_then_closes(small):
    # Closure by patience alone: no forced exits, no immediate closure threshold; a loss of
    # customers that lasts (no decay of the shock); and no buyers turned away elsewhere to
    # replace its own (they would, where rivals sell out).
    model = _run(small, 4, **{"firms.demand_volatility": 0.0, "firms.demand_persistence": 0.999,
                              "firms.exit_shock": 0.0, "firms.closure_rate": -1.0,
                              "goods.redirect_unmet_demand": False})
    t = model.firm_table
    slot = int(np.flatnonzero(t.view("active") & (t.view("employees") > 4))[0])
    before = int(t.view("target")[slot])
    t.view("demand_shock")[slot] = -3.0  # its customers all but vanish
    for _ in range(3):  # two updates of its expected sales (weight 0.3) reach its target
        model.step()
    assert t.view("active")[slot] and t.view("target")[slot] < 0.7 * before
    for _ in range(model.params.firms.closure_patience + 2):
        model.step()
    assert not t.view("active")[slot]


def test_switched_off_the_mechanisms_leave_the_economy_as_it_was(small):
    """Off, nothing is drawn or decided differently: no expectations, closures or entrants on
    profits (the same seed's numbers as before the mechanisms)."""
    off = _run(small, 6, **{k: False for k in ON})
    t = off.firm_table
    assert np.isnan(t.view("expected_sales")).all() and (t.view("loss_quarters") == 0).all()
    assert off.flows["closures"] == 0 and off.flows["sell_through"] == 1.0


def test_a_thin_local_market_pays_at_most_the_bounded_price_and_spills_the_rest():
    """Two regions, one good: region 0 has one tiny local seller. Unbounded, its local price
    is the pool's money over a sliver of output; bounded, the pool pays at most the cap and
    the rest of its money buys from the national pool. No money is lost either way."""
    demand = np.array([[100.0, 0.0], [100.0, 0.0]])
    output = np.array([0.1, 50.0])
    region, road = np.array([0, 1]), np.array([0, 0])
    free = gm.clear_markets(demand, output, region, road, 0.6, np.zeros(2), np.zeros(2), 2)
    cap = np.full((2, 2), 1.5)
    bounded = gm.clear_markets(demand, output, region, road, 0.6, np.zeros(2), np.zeros(2), 2,
                               local_cap=cap)
    assert free.local_price[0, 0] > 100  # 60 units of money for 0.06 units of local output
    assert bounded.local_price[0, 0] <= 1.5 + 1e-12
    for out in (free, bounded):
        assert np.isclose(out.revenue.sum() + out.imports.sum(), demand.sum())
    kept, spilled = gm.bounded_local_demand(np.array([[60.0, 0.0]]), np.array([[0.06, 0.0]]),
                                            np.array([[1.5, 1.5]]))
    np.testing.assert_allclose(kept, [[0.09, 0.0]])
    np.testing.assert_allclose(spilled, [59.91, 0.0])


def test_a_region_without_jobs_reads_the_economys_wages_not_its_last_ones():
    """With no one employed, a region's wage statistics would freeze at their last values
    (and with them its wage floor and value of search); it reads the economy's instead."""
    scenario = load_scenario("baseline", {"n_regions": 3, "workers_per_region": 200,
                                          "firms_per_region": 4, "steps": 2, "burn_in": 0})
    model = RegionalEconomy(scenario, seed=1, observe=None)
    model.step()
    wf = model.workforce
    stale = 1e3 * model.region_column("median_wage")[0]
    model.region_column("median_wage")[0] = stale
    model.region_column("mean_wage")[0] = stale
    t = model.firm_table
    model.shut_down(np.flatnonzero(t.view("active") & (t.view("region") == 0)), "closures")
    model._aggregate_wages()
    employed = wf.employer >= 0
    assert not employed[wf.region == 0].any()
    assert model.region_column("median_wage")[0] == np.median(wf.wage[employed])
    np.testing.assert_allclose(model.region_column("mean_wage")[0], wf.wage[employed].mean())


def test_exit_shocks_close_firms_at_their_rate_whatever_their_profits(small):
    """Each quarter a share `exit_shock` of firms closes at random (Melitz 2003, §2): the
    number closed is a binomial draw at that rate, profitable firms included, their workers
    released; at 0 no firm is closed."""
    rate = 0.3
    model = _run(small, 2, **{"firms.exit_shock": rate})
    t = model.firm_table
    t.view("rate")[:] = 0.5  # every firm expects to do well
    active = np.flatnonzero(t.view("active"))
    counted = model.flows["closures"]
    model.close_firms_hit_by_exit_shocks()
    closed = active[~t.view("active")[active]]
    n = active.size
    assert 0 < closed.size < n and abs(closed.size - rate * n) <= 4 * np.sqrt(n * rate * (1 - rate))
    assert model.flows["closures"] - counted == closed.size
    assert not np.isin(model.workforce.employer, closed).any()
    off = _run(small, 2, **{"firms.exit_shock": 0.0})
    before, counted = int(off.firm_table.view("active").sum()), off.flows["closures"]
    off.close_firms_hit_by_exit_shocks()
    assert int(off.firm_table.view("active").sum()) == before
    assert off.flows["closures"] == counted


def _job_creation(**overrides) -> float:
    """Gross job creation a quarter (`highroad facts`), default world, mean of seeds 0-3."""
    from highroad.analysis.facts import measure_replicate

    scen = load_scenario("baseline", overrides)
    return float(np.mean([measure_replicate(scen, seed).facts["job_creation"]
                          for seed in range(4)]))


@pytest.mark.slow
def test_forced_exits_carry_the_job_flows_at_defaults():
    """The placebo of the job flows the calibration fits, at the current defaults: without
    forced exits (`firms.exit_shock` 0) gross job creation falls (measured, seeds 0-3:
    3.18% against 2.39% a quarter, unemployment 8.0% against 1.9%). Idiosyncratic demand
    no longer carries them (volatility 0: 3.19%; the next test)."""
    assert _job_creation() > _job_creation(**{"firms.exit_shock": 0.0}) + 0.005


@pytest.mark.slow
def test_idiosyncratic_demand_creates_and_destroys_jobs():
    """With hiring on sales, persistent firm-level demand shifts (Foster, Haltiwanger and
    Syverson 2008) move employment between firms; without them (volatility 0) gross job
    creation falls. Measured in the economy where this mechanism carried the job flows, the
    baseline.toml defaults (pinned; 20 replicates: 3.34% against 2.74% a quarter). At the
    current defaults it does not (seeds 0-3: 3.18% with, 3.19% without): the calibration
    moved the job flows onto forced exits (docs/validation.md)."""
    assert (_job_creation(**BASELINE_TOML_DEFAULTS)
            > _job_creation(**{**BASELINE_TOML_DEFAULTS, "firms.demand_volatility": 0.0})
            + 0.002)
