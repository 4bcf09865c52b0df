"""Unit tests of each mechanism, on hand-built inputs and tiny worlds."""

from __future__ import annotations

import numpy as np
import pytest

from highroad.agents.workforce import UNEMPLOYED, entrant_skills, learn_and_forget
from highroad.analysis.metrics import gini, group_medians, middle_class_share, theil
from highroad.errors import InvariantError
from highroad.regions import goods_market as gm
from highroad.regions import labour_market as lm
from highroad.regions.government import reactive_policy
from highroad.regions.ledger import FIRMS, HH, Ledger
from highroad.regions.model import RegionalEconomy
from highroad.regions.returns import apply_wage_floor, nash_wage
from highroad.scenarios import load_scenario


def tiny_model(small: dict, **overrides) -> RegionalEconomy:
    return RegionalEconomy(load_scenario("baseline", {**small, **overrides}), seed=3)


# -- firms: relocation and exit --------------------------------------------------------------

def _tax_gap_world(small: dict, mobility: float) -> RegionalEconomy:
    model = tiny_model(small, n_regions=2, capital_mobility=mobility, volatility=0.0)
    for _ in range(3):
        model.step()
    taxes = model.region_column("capital_tax")
    taxes[:] = [0.9, 0.0]  # region 0 taxes away almost all profit, region 1 nothing
    model.conditions = model.market_conditions()
    return model


@pytest.mark.parametrize("mobility, should_leave", [(1.0, True), (0.0, False)])
def test_firm_leaves_a_punishing_region_only_when_capital_is_mobile(small, mobility,
                                                                    should_leave):
    model = _tax_gap_world(small, mobility)
    firm = next(f for f in model.firms if f.region == 0 and not f.high)
    slot = firm.slot
    moved = firm.review_location()
    assert moved is should_leave
    left_region = bool((not model.firm_table.active[slot]) or model.firm_table.region[slot] == 1)
    assert left_region is should_leave


def test_relocation_lays_off_the_workforce_and_records_flight(small):
    model = _tax_gap_world(small, 1.0)
    firm = next(f for f in model.firms if f.region == 0 and f.employees > 0)
    slot = firm.slot
    assert firm.review_location()
    assert not np.any(model.workforce.employer == slot)
    assert model.region_table.flight_out[0] > 0


def test_worker_owned_capital_does_not_move(small):
    from highroad.agents.firm import WORKER_OWNED

    model = _tax_gap_world(small, 1.0)
    firm = next(f for f in model.firms if f.region == 0)
    firm.owner_type = WORKER_OWNED
    assert firm.review_location() is False
    assert firm.region == 0


def test_strategy_switch_pays_the_transition_cost(small):
    model = tiny_model(small, **{"firms.transition_cost": 0.2, "firms.decision_noise": 0.0})
    model.step()
    firm = next(f for f in model.firms if not f.high)
    # Make the high road far more profitable here than the low road.
    model.conditions.revenue_per_worker[firm.region] = [0.5, 5.0]
    before = firm.capital
    assert firm.review_strategy()
    assert firm.high
    assert firm.capital == pytest.approx(before * (1 - model.switching_cost(firm.region, True)))


def test_no_switch_when_the_gain_does_not_cover_the_cost(small):
    model = tiny_model(small, **{"firms.transition_cost": 1.0, "firms.decision_noise": 0.0,
                                 "associations.transition_cost_relief": 0.0})
    model.step()
    firm = next(f for f in model.firms if not f.high)
    model.conditions.revenue_per_worker[firm.region] = [1.0, 1.05]
    assert not firm.review_strategy()
    assert not firm.high


# -- labour market ---------------------------------------------------------------------------

def test_nash_wage_lies_between_outside_option_and_revenue_product():
    rp, outside = np.array([2.0, 1.0]), np.array([0.5, 0.5])
    w = nash_wage(rp, outside, 0.4)
    assert np.all(w > outside) and np.all(w < rp)
    assert nash_wage(2.0, 0.5, 1.0) == 2.0 and nash_wage(2.0, 0.5, 0.0) == 0.5


def test_wage_floor_binds_only_for_complying_employers():
    wage = np.array([0.3, 0.3, 0.9])
    out = apply_wage_floor(wage, np.array([0.5, 0.5, 0.5]), np.array([True, False, True]))
    assert out.tolist() == [0.5, 0.3, 0.9]


def test_wage_floor_binds_in_the_model(small):
    model = tiny_model(small, **{"government.labour_standard": 1.0, "government.enforcement": 1.0,
                                 "associations.enforcement_effect": 0.0})
    model.step()
    model.step()
    wf = model.workforce
    floor = model.conditions.wage_floor[wf.region[wf.employed]]
    assert np.all(wf.wage[wf.employed] >= floor - 1e-12)


def test_layoffs_bring_every_firm_down_to_its_target():
    rng = np.random.default_rng(0)
    employer = np.array([0, 0, 0, 1, 1, UNEMPLOYED, 2])
    out = employer.copy()
    out[lm.layoffs(employer, np.array([1, 2, 0]), rng)] = UNEMPLOYED
    counts = np.bincount(out[out >= 0], minlength=3)
    assert counts.tolist() == [1, 2, 0]


def test_matching_stays_within_regions_and_respects_both_sides():
    rng = np.random.default_rng(1)
    n = 200
    employer = np.full(n, UNEMPLOYED)
    worker_region = np.repeat([0, 1], n // 2)
    skill = rng.random(n)
    firm_region = np.array([0, 0, 1])
    vacancies = np.array([10, 5, 0])
    out, hired = lm.match(employer, worker_region, skill, firm_region, vacancies,
                          np.array([1.0, 0.0, 0.0]), 1.0, 0.5, 2, rng)
    assert np.all(worker_region[out >= 0] == 0)  # region 1 has no vacancies
    assert np.all(np.bincount(out[out >= 0], minlength=3) <= vacancies)
    # Assortative: the firm with priority gets the most skilled of those hired.
    assert skill[out == 0].min() >= skill[out == 1].max()


def test_matching_function_is_capped_by_both_sides():
    m = lm.matches_per_region(np.array([10, 0, 50]), np.array([100, 10, 5]), 2.0, 0.5)
    assert m.tolist() == [10, 0, 5]


def _rounds_market(rounds: int, seed: int = 5):
    """60 seekers and 60 open jobs in one region; a round of efficiency 0.5 fills 30."""
    n = 60
    employer = np.full(n, UNEMPLOYED)
    rng = np.random.default_rng(seed)
    skill = rng.random(n)
    return lm.match_in_rounds(employer, np.zeros(n, dtype=np.int64), skill,
                              np.zeros(3, dtype=np.int64), np.array([30, 20, 10]),
                              np.array([2.0, 1.0, 0.0]), 0.5, 0.5, 1, rounds,
                              np.random.default_rng(seed))


def test_one_round_of_matching_is_the_single_match():
    employer, hired, filled = _rounds_market(1)
    alone, hired_alone = lm.match(np.full(60, UNEMPLOYED), np.zeros(60, dtype=np.int64),
                                  np.random.default_rng(5).random(60),
                                  np.zeros(3, dtype=np.int64), np.array([30, 20, 10]),
                                  np.array([2.0, 1.0, 0.0]), 0.5, 0.5, 1,
                                  np.random.default_rng(5))
    np.testing.assert_array_equal(employer, alone)
    np.testing.assert_array_equal(hired, hired_alone)
    assert filled.tolist() == np.bincount(alone[alone >= 0], minlength=3).tolist()


def test_more_rounds_fill_more_jobs_never_more_than_are_open():
    """Time aggregation (Shimer 2012): what one round leaves open, later rounds fill."""
    counts = []
    for rounds in (1, 2, 3, 6):
        employer, hired, filled = _rounds_market(rounds)
        assert np.all(filled <= [30, 20, 10])
        assert filled.sum() == hired.size == np.count_nonzero(employer >= 0)
        assert hired.size == np.unique(hired).size  # nobody is hired twice
        counts.append(int(filled.sum()))
    # 30 in the first round (0.5 * sqrt(60 * 60)), then 15, then 7 or 8 of what is left.
    assert counts[0] == 30 and counts[1] == 45
    assert counts[0] < counts[1] < counts[2] < counts[3] <= 60


def test_monthly_matching_rounds_lower_the_vacancy_rate(small):
    """The placebo of the rounds: at one round a quarter the economy keeps more jobs open
    at the quarter's end than at three, seed for seed."""
    from highroad.analysis.facts import FirmRecorder
    from highroad.api import simulate

    for seed in (0, 1):
        rates = []
        for rounds in (1, 3):
            recorder = FirmRecorder()
            simulate(load_scenario("baseline", {**small, "labour.matching_rounds": rounds}),
                     seed=seed, observer=recorder)
            rates.append(float(recorder.vacancy_rate().mean()))
        assert rates[1] < rates[0], (seed, rates)


# -- skills and demography --------------------------------------------------------------------

def test_skill_grows_most_on_the_high_road_and_decays_in_unemployment():
    skill = np.ones(3)
    out = learn_and_forget(skill, np.array([True, False, False]), np.array([False, True, False]),
                           0.02, 0.005, 0.01, 0.2, 3.0)
    assert out[0] > out[1] > 1.0 > out[2]
    assert np.all(learn_and_forget(np.full(2, 2.999), np.array([True, True]),
                                   np.array([False, False]), 1.0, 0.0, 0.0, 0.2, 3.0) <= 3.0)


def test_entrant_skill_follows_parent_rank():
    rng = np.random.default_rng(2)
    low = entrant_skills(np.full(5000, 0.1), 0.5, 0.4, rng).mean()
    high = entrant_skills(np.full(5000, 0.9), 0.5, 0.4, rng).mean()
    assert high > low


# -- goods market -----------------------------------------------------------------------------

def test_quality_share_rises_with_income_and_falls_with_its_price():
    share = gm.quality_share(np.array([0.5, 1.0, 2.0]), np.ones(3), 0.6, 1.0, 2.5, 1.0)
    assert np.all(np.diff(share) > 0)
    cheap, dear = gm.quality_share(np.ones(2), np.array([0.8, 1.25]), 0.6, 1.0, 2.5, 1.0)
    assert cheap > dear


def test_market_clearing_conserves_money():
    demand = np.array([[10.0, 5.0], [4.0, 0.0]])
    output = np.array([3.0, 2.0, 1.0])
    out = gm.clear_markets(demand, output, np.array([0, 0, 1]), np.array([0, 1, 0]), 0.6,
                           np.array([0.2, 0.1]), np.array([1.0, 2.0]), 2)
    assert out.revenue.sum() + out.imports.sum() == pytest.approx(demand.sum()
                                                                  + out.exports.sum())


def test_openness_raises_import_shares_more_for_standard_goods():
    shares = gm.trade_shares(0.8, np.array([0.8, 0.2]), np.ones(2), np.ones(2), 1.5)
    closed = gm.trade_shares(0.0, np.array([0.8, 0.2]), np.ones(2), np.ones(2), 1.5)
    assert shares[0] > shares[1] > 0 and np.all(closed == 0)


# -- governments ------------------------------------------------------------------------------

def test_reactive_rule_cuts_under_flight_and_recovers_without():
    tax, std = reactive_policy(0.25, 0.5, 0.25, 0.5, 0.05, 0.5, 0.01)
    assert tax < 0.25 and std < 0.5
    tax2, _ = reactive_policy(0.1, 0.5, 0.25, 0.5, 0.0, 0.5, 0.1)
    assert 0.1 < tax2 < 0.25


# -- metrics and accounting --------------------------------------------------------------------

def test_gini_known_values():
    assert gini(np.ones(10)) == pytest.approx(0.0)
    assert gini(np.r_[np.zeros(9), 1.0]) == pytest.approx(0.9)
    assert gini(np.array([1.0, 3.0]), np.array([3.0, 1.0])) == pytest.approx(
        gini(np.array([1.0, 1.0, 1.0, 3.0])))


def test_group_medians_and_middle_class():
    med = group_medians(np.array([1.0, 3.0, 2.0, 10.0]), np.array([0, 0, 0, 2]), 3)
    assert med[0] == 2.0 and np.isnan(med[1]) and med[2] == 10.0
    assert middle_class_share(np.array([1.0, 1.0, 10.0]), np.ones(3)) == pytest.approx(2 / 3)
    assert theil(np.ones(4)) == pytest.approx(0.0)


def test_ledger_catches_an_unrecorded_payment():
    ledger = Ledger(2)
    before = np.zeros((5, 2))
    after = before.copy()
    ledger.pay("wages", FIRMS, 0, HH, 0, 1.0)
    after[FIRMS, 0], after[HH, 0] = -1.0, 1.0
    assert ledger.check(1, before, after) == 0.0
    after[HH, 1] = 0.5  # money appears in region 1 with no payment behind it
    with pytest.raises(InvariantError, match=r"step 2, region 1: households money"):
        ledger.check(2, before, after)


def test_a_nan_stops_the_run_with_step_region_and_quantity(small):
    model = tiny_model(small)
    model.step()
    model.workforce.wealth[5] = np.nan
    region = model.workforce.region[5]
    with pytest.raises(InvariantError, match=rf"region {region}: worker wealth: is not finite"):
        model.step()


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_regional_innovations_share_a_common_part_and_keep_their_variance(share):
    """Each region's innovation has the scenario's standard deviation; a share of its variance
    is common to all regions (Clark 1998), so two regions' innovations correlate at `share`."""
    from highroad.regions.shocks import regional_innovations

    rng = np.random.default_rng(3)
    draws = np.array([regional_innovations(rng, 4, 0.02, share) for _ in range(20_000)])
    assert np.allclose(draws.std(axis=0), 0.02, rtol=0.03)
    corr = np.corrcoef(draws.T)[np.triu_indices(4, 1)]
    assert np.allclose(corr, share, atol=0.03)


def test_independent_regional_innovations_are_the_draws_they_always_were():
    """At common share 0 no common draw is made: the same numbers as independent draws."""
    from highroad.regions.shocks import regional_innovations

    a, b = np.random.default_rng(7), np.random.default_rng(7)
    assert np.array_equal(regional_innovations(a, 6, 0.02, 0.0), 0.02 * b.standard_normal(6))
