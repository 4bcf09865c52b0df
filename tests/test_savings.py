"""Investors' saving: consumption out of net worth, and the idle cash it stops piling up."""

from __future__ import annotations

import numpy as np
import pytest

import highroad
from highroad.agents.firm import INVESTOR_OWNED
from highroad.agents.investor import investor_spending
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def test_investor_spending_is_out_of_income_and_wealth_paid_from_cash():
    assert investor_spending(10.0, 1000.0, 500.0, 0.6, 0.01) == pytest.approx(16.0)
    assert investor_spending(10.0, 1000.0, 5.0, 0.6, 0.01) == 5.0  # never more than its cash
    assert investor_spending(10.0, 1000.0, -3.0, 0.6, 0.01) == 0.0
    assert investor_spending(-50.0, 100.0, 500.0, 0.6, 0.01) == 0.0  # never negative


def test_net_worth_is_cash_foreign_assets_and_the_owners_share_of_its_firms(small):
    model = RegionalEconomy(load_scenario("baseline", small), seed=3)
    for _ in range(12):
        model.step()
    t = model.firm_table
    owned = t.view("active") & (t.view("owner_type") == INVESTOR_OWNED)
    equity = (t.view("capital") + t.view("cash")) * (1 - t.view("worker_stake"))
    for k, inv in enumerate(model.investor_list):
        mine = owned & (t.view("owner") == k)
        expected = inv.cash + inv.foreign_assets + equity[mine].sum()
        assert model.investor_net_worth()[k] == pytest.approx(expected)
    cash_only = RegionalEconomy(load_scenario("baseline", {
        **small, "capital.investor_wealth_base": "cash"}), seed=3)
    cash_only.step()
    np.testing.assert_array_equal(cash_only.investor_net_worth(),
                                  [inv.cash for inv in cash_only.investor_list])


def _idle_cash_share(base: str) -> float:
    """Investors' cash over the capital of all active firms, after 30 years at defaults."""
    model = RegionalEconomy(load_scenario("baseline", {"capital.investor_wealth_base": base}),
                            seed=1)
    for _ in range(120):
        model.step()
    t = model.firm_table
    return sum(inv.cash for inv in model.investor_list) / t.view("capital")[t.view("active")].sum()


def test_consuming_out_of_net_worth_keeps_savings_from_piling_up_as_idle_cash():
    """The placebo: with cash as the base, savings that found no firm stay idle and grow
    (measured at the calibrated defaults: 0.23 of firm capital after 30 years); out of net
    worth they are spent down (measured 0.10; 0.24 against 0.03 before production followed
    sales, when firms reinvested more of their profits)."""
    idle_placebo, idle = _idle_cash_share("cash"), _idle_cash_share("net_worth")
    assert idle_placebo > 0.1
    assert idle < 0.5 * idle_placebo


#: A calibration candidate whose economy fell into long depressions at some seeds
#: (the rounded estimate of an earlier calibration, with benefits on the regional mean wage
#: as then; written out so the test does not depend on the defaults). Investors found firms
#: in their best region, as then: with the founding taste on, the cash-based economy at
#: these seeds no longer sinks (mean unemployment 4.4%). Forced exits the same for every
#: firm, as then (`firms.exit_size_elasticity` did not exist).
FRAGILE = {"labour.matching_efficiency": 0.649, "labour.bargaining_power": 0.466,
           "labour.search_weight": 0.0749, "firms.tfp_dispersion": 0.238,
           "capital.location_taste": 0.00226, "firms.closure_rate": -0.0217,
           "capital.investor_household_share": 0.0949, "firms.exit_shock": 0.00655,
           "firms.tfp_distribution": "pareto", "firms.loss_closure": True,
           "labour.separation_rate": 0.1, "goods.local_price_bound": 1.5,
           "labour.benefit_base": "regional_mean_wage",
           "firms.demand_constrained": False, "shocks.common_share": 0.0,
           "labour.threat_point": "job_finding", "labour.outside_skill_elasticity": 0.0,
           "capital.founding_taste": False, "firms.exit_size_elasticity": 0.0}


@pytest.mark.slow
def test_idle_savings_deepen_depressions():
    """Keynes (1936, ch. 8-9): saving neither invested nor spent is demand withdrawn. At two
    seeds where the cash-based economy sank into depressions (mean unemployment over the last
    30 years 28% and 23%), consuming out of net worth must at least halve the mean."""
    def unemployment(base: str) -> float:
        rates = [highroad.simulate("baseline", seed=seed, overrides={
            **FRAGILE, "capital.investor_wealth_base": base}).economy["unemployment"]
            .iloc[-120:].mean() for seed in (23012616, 3031610183)]
        return float(np.mean(rates))

    placebo = unemployment("cash")
    assert placebo > 0.15
    assert unemployment("net_worth") < 0.5 * placebo
