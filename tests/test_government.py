"""Governments with objectives, capital that answers to taxes, and the placebo."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import highroad
from highroad.regions.beliefs import prior_beliefs, rls_update, threat_observation
from highroad.regions.government import (
    Economics,
    RegionState,
    choose_policy,
    objective,
    project_policies,
)
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario

SMALL = {"workers_per_region": 500, "firms_per_region": 10, "steps": 80}
#: Six seeds: the spread of a three-seed mean of the end tax (about 0.03) is close to the
#: placebo's 10% tolerance, so any change to the model's draws could fail it by chance.
SEEDS = range(6)
#: Twelve for the difference in differences: its per-seed values spread from -0.15 to +0.08
#: (competitive) and -0.28 to +0.17 (democratic) at the calibrated defaults, so six seeds
#: put its mean anywhere within about 0.04.
DID_SEEDS = range(12)


def end_tax(seeds=SEEDS, **overrides) -> float:
    """Mean capital tax of the last 20 quarters, averaged over seeds."""
    taxes = [highroad.simulate("baseline", seed=s, overrides={**SMALL, **overrides})
             .economy["mean_capital_tax"].iloc[-20:].mean() for s in seeds]
    return float(np.mean(taxes))


# -- the placebo: no race where capital ignores taxes ------------------------------------------
# The race is the effect of capital mobility on the tax; its mechanism is capital answering to
# taxes (salience). The placebo switches that off and compares the same contrast: mobile against
# closed, both tax-blind. (Comparing tax-blind mobile capital with tax-seeing closed capital
# would mix in the domestic channel: where jobs wait to be filled, reinvestment that answers to
# the tax makes a closed economy's government tax capital less, mobility or not.)

BLIND = {"capital.tax_salience": 0.0}


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["competitive", "democratic"])
def test_tax_blind_capital_produces_no_race(rule):
    """With capital that ignores taxes, mobility does not lower the tax (by a tenth or more).

    Measured at the calibrated defaults it raises it (competitive 0.332 closed, 0.409
    mobile; democratic 0.317 and 0.439): mobile capital that cannot be taught by taxes
    teaches governments a weak, noisy response, docs/verification.md.
    """
    closed = end_tax(government_rule=rule, capital_mobility=0.0, **BLIND)
    mobile = end_tax(government_rule=rule, capital_mobility=1.0, **BLIND)
    assert mobile > 0.9 * closed


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["competitive", "democratic"])
def test_capital_that_sees_taxes_lowers_them_against_the_placebo(rule):
    """Tax competition (Zodrow and Mieszkowski 1986; Wilson 1986): what mobility does to the
    tax is lower, by more than a tenth of the closed tax, when capital sees taxes than when
    it does not (a difference in differences: the mechanism's own effect, whatever else
    mobility changes). The total effect of mobility is reported, not asserted: at the
    calibrated defaults it is small (docs/verification.md), because governments facing
    unemployment already spare capital in a closed economy, where capital is jobs.

    Measured at the calibrated defaults (competitive, seeds 0-11): closed 0.300, mobile
    0.292, tax-blind 0.330 and 0.385; the difference in differences -0.063 (standard error
    0.019) against the bound -0.030 (over seeds 0-5 alone -0.066; at the previous defaults
    -0.022 there: hence twelve); democratic, seeds 0-11: -0.109 (standard error 0.038)
    against -0.028."""
    closed = end_tax(DID_SEEDS, government_rule=rule, capital_mobility=0.0)
    mobile = end_tax(DID_SEEDS, government_rule=rule, capital_mobility=1.0)
    blind_closed = end_tax(DID_SEEDS, government_rule=rule, capital_mobility=0.0, **BLIND)
    blind_mobile = end_tax(DID_SEEDS, government_rule=rule, capital_mobility=1.0, **BLIND)
    assert (mobile - closed) - (blind_mobile - blind_closed) < -0.1 * closed


@pytest.mark.slow
def test_reactive_rule_races_even_when_capital_is_tax_blind():
    """Why the reflex rule is no evidence: its race survives the placebo."""
    closed = end_tax(seeds=range(2), government_rule="reactive", capital_mobility=0.0)
    blind = end_tax(seeds=range(2), government_rule="reactive", capital_mobility=1.0,
                    **{"capital.tax_salience": 0.0})
    assert blind < 0.5 * closed


# -- beliefs ------------------------------------------------------------------------------------

def test_recursive_least_squares_learns_the_slope_in_both_directions():
    rng = np.random.default_rng(0)
    for true_slope in (0.0, 0.4):
        coef, cov = prior_beliefs(1, prior_flow_slope=0.2, prior_weight=8)
        for _ in range(400):
            x = np.array([[1.0, rng.normal(0, 0.05), rng.normal(0, 0.5)]])
            y = 0.01 + true_slope * x[:, 1] + 0.02 * x[:, 2] + rng.normal(0, 0.002, 1)
            rls_update(coef, cov, x, y, forgetting=0.99)
        assert coef[0, 1] == pytest.approx(true_slope, abs=0.05)


def test_an_incredible_threat_moves_no_belief():
    coef, cov = prior_beliefs(2, prior_flow_slope=0.1, prior_weight=8)
    before = coef.copy()
    x, y = threat_observation(np.array([0.3, 0.3]), 0.05, 0.05, np.array([0.5, 0.5]))
    rls_update(coef, cov, x, y, 1.0, weight=np.array([0.0, 1.0]))
    assert coef[0, 1] == before[0, 1]          # no credible threat: unchanged
    assert coef[1, 1] > before[1, 1]           # credible: capital believed more responsive


# -- projections against theory -------------------------------------------------------------------

def _state(elasticity: float, tax: float = 0.9, residents: float = 1000.0,
           employed: float = 900.0) -> RegionState:
    return RegionState(residents=residents, employed=employed, capital=10.0 * employed,
                       high_share=0.0,
                       revenue_per_worker=np.array([1.0, 1.0]), outside_option=0.2,
                       bargaining_power=0.5, enforcement=0.0, median_wage=0.6,
                       utilisation=1.0, public_capital=2.4, tax=tax, standard=0.0,
                       elasticity=elasticity)


def _economics(**changes) -> Economics:
    base = dict(capital_per_job=10.0, depreciation=0.015, world_return=0.0125,
                investment_response=0.0, max_growth=0.0, max_employment=0.97, labour_tax=0.0,
                benefit_replacement=0.0, public_goods_share=0.0, public_depreciation=0.0125,
                elasticity_low=0.0, elasticity_high=0.0,
                public_weight=0.3, horizon=20.0)
    return Economics(**{**base, **changes})


@pytest.mark.parametrize("elasticity", [0.5, 1.0, 3.0])
def test_leviathan_sets_the_inverse_elasticity_tax(elasticity):
    """Revenue t * base * (1 - t)^e peaks at t = 1 / (1 + e) (Brennan and Buchanan 1980)."""
    taxes = np.linspace(0.0, 0.9, 901)
    # Many residents per job: the capital the tax attracts can always be staffed.
    state = _state(elasticity, residents=1e6, employed=100.0)
    tax, _ = choose_policy("leviathan", state, _economics(), taxes, np.array([0.0]))
    assert tax == pytest.approx(min(1.0 / (1.0 + elasticity), 0.9), abs=0.002)


def test_an_inelastic_base_is_taxed_to_the_limit_and_an_elastic_one_less():
    """A closed region taxes an immobile base fully (it is a lump sum); mobility lowers it."""
    taxes, standards = np.linspace(0.0, 0.6, 61), np.array([0.0])
    econ = _economics(labour_tax=0.2, benefit_replacement=0.4, public_goods_share=0.15)
    # Employment has room to grow (900 of 1000 employed, at most 970).
    closed, _ = choose_policy("competitive", _state(0.0, tax=0.25), econ, taxes, standards)
    mobile, _ = choose_policy("competitive", _state(3.0, tax=0.25), econ, taxes, standards)
    assert closed == pytest.approx(0.6) and mobile < closed


def test_a_projection_keeps_todays_employment_where_capital_stays_and_loses_jobs_with_it():
    """Where frictions leave fewer unemployed than `max_employment` allows (950 of 1000
    employed, cap 0.9), unchanged capital keeps today's employment, and capital driven out
    takes jobs with it in proportion: the cap must not read as a fall in employment that no
    policy causes."""
    state = _state(2.0, tax=0.2, employed=950.0)
    econ = _economics(max_employment=0.9)
    p = project_policies(state, econ, np.array([0.2, 0.4]), np.array([0.0, 0.0]))
    assert p.capital[0] == pytest.approx(1.0)
    assert p.employment_rate[0] == pytest.approx(0.95)
    assert p.capital[1] < 1.0
    assert p.employment_rate[1] == pytest.approx(0.95 * p.capital[1])


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["competitive", "democratic", "leviathan"])
def test_closed_economy_each_rule_sets_the_optimum_of_its_objective(rule, monkeypatch):
    """At mobility 0, a review adopts the maximiser of the rule's own objective.

    The reviews of a run are recorded as they happen; the optimum is then found independently
    of the rule's grid search, by a bounded scalar optimiser over the tax (scipy) at the
    standard the rule chose, on the same region state.
    """
    from highroad.regions import region as region_module

    seen = []

    def recording(rule_, state, econ, taxes, standards):
        choice = choose_policy(rule_, state, econ, taxes, standards)
        seen.append((state, econ, choice))
        return choice

    monkeypatch.setattr(region_module, "choose_policy", recording)
    overrides = {**SMALL, "steps": 24, "government_rule": rule, "capital_mobility": 0.0,
                 "government.policy_inertia": 0.0, "government.tax_grid": 121}
    model = RegionalEconomy(load_scenario("baseline", overrides), seed=1)
    for _ in range(model.params.world.burn_in + 24):
        model.step()
    gov = model.params.government
    spacing = (gov.max_capital_tax - gov.min_capital_tax) / (gov.tax_grid - 1)
    assert len(seen) == model.n_regions * 6 and all(s.elasticity == 0 for s, _, _ in seen)
    # The last review's choices are the taxes in force (inertia 0, no modules).
    last = [c[0] for _, _, c in seen[-model.n_regions:]]
    assert np.allclose(model.region_column("capital_tax"), last)
    for state, econ, (tax, standard) in seen:

        def loss(t: float, state=state, econ=econ, standard=standard) -> float:
            p = project_policies(state, econ, np.array(t), np.array(standard))
            return -float(objective(rule, p, econ))

        best = minimize_scalar(loss, bounds=(gov.min_capital_tax, gov.max_capital_tax),
                               method="bounded", options={"xatol": 1e-6})
        # The grid's choice is within one grid step of the optimum, or at least as good.
        assert abs(tax - best.x) <= spacing + 1e-6 or loss(tax) <= best.fun + 1e-12


# -- the symmetric Zodrow-Mieszkowski-Wilson world -------------------------------------------

ZMW = {**SMALL, "n_regions": 4, "volatility": 0.0, "demography.region_skill_dispersion": 0.0,
       "firms.tfp_dispersion": 0.0, "trade_openness": 0.0, "firms.investment_response": 0.0,
       "capital.exit_hurdle": 1.0, "capital.entry_hurdle": 1.0, "capital_mobility": 1.0,
       # Fixed total capital: no firm closes for losses or by a forced exit either.
       "firms.loss_closure": False, "firms.exit_shock": 0.0}


@pytest.mark.slow
def test_symmetric_tax_competition_underprovides_and_harmonisation_helps():
    """Identical regions, fixed total capital, no trade (Zodrow and Mieszkowski 1986; Wilson
    1986): the Nash tax is below the tax a welfare-maximising centre sets for all (the
    competitive tax with immobile capital, where no region's tax drives capital to the others),
    public goods are under-provided, and harmonising at the centre's tax raises welfare."""
    seeds = range(2)

    def run(**extra):
        return [highroad.simulate("baseline", seed=s, overrides={**ZMW, **extra}).economy
                .iloc[-20:].mean(numeric_only=True) for s in seeds]

    nash = run(government_rule="competitive")
    centre = run(government_rule="competitive", capital_mobility=0.0)
    central_tax = float(np.mean([e["mean_capital_tax"] for e in centre]))
    harmonised = run(government_rule="fixed", **{"government.capital_tax": central_tax})
    mean = lambda runs, c: float(np.mean([e[c] for e in runs]))  # noqa: E731
    assert mean(nash, "mean_capital_tax") < central_tax
    assert mean(nash, "public_goods_per_capita") < mean(harmonised, "public_goods_per_capita")
    assert mean(harmonised, "resident_welfare") > mean(nash, "resident_welfare")


@pytest.mark.slow
def test_jobs_leave_with_the_capital_a_higher_tax_drives_out():
    """What the projection assumes (jobs follow capital), measured in the model: under full
    mobility a region that taxes capital 0.2 more than the others ends with less capital and
    fewer of its residents employed (in logs, against the same world without the deviation).
    Measured over seeds 0-3: capital -0.21, employment -0.074, about a third as much; with
    the Pissarides threat point -0.23 and -0.14. Where unemployment rises the threat point
    and wages fall, so the capital that stays employs more: the projection, which moves jobs
    in proportion to capital, overstates the jobs a tax drives out (docs/validation.md)."""
    def region0_relative(**extra):
        caps, emps = [], []
        for s in range(4):
            regions = highroad.simulate("baseline", seed=s, overrides={
                **SMALL, "capital_mobility": 1.0, **extra}).regions
            last = regions[regions["step"] >= regions["step"].max() - 19]
            g = last.groupby("region").mean(numeric_only=True)
            caps.append(g["capital_stock"].iloc[0] / g["capital_stock"].iloc[1:].mean())
            emps.append((1 - g["unemployment"].iloc[0]) / (1 - g["unemployment"].iloc[1:]).mean())
        return np.mean(caps), np.mean(emps)

    cap0, emp0 = region0_relative()
    cap1, emp1 = region0_relative(**{"government.deviant_tax": 0.2})
    capital_change, employment_change = np.log(cap1 / cap0), np.log(emp1 / emp0)
    assert capital_change < -0.1 and employment_change < 0.25 * capital_change
