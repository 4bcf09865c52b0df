"""Unemployment benefits replace each claimant's own previous wage."""

from __future__ import annotations

import numpy as np
import pytest

from highroad.agents.workforce import UNEMPLOYED
from highroad.regions.incomes import benefit_bases
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def test_the_base_is_the_claimants_last_wage_or_the_regional_median_if_she_never_worked():
    np.testing.assert_array_equal(benefit_bases(np.array([2.0, 0.0, 0.5]),
                                                np.array([1.0, 1.0, 3.0])), [2.0, 1.0, 0.5])


def _after(steps: int, **overrides) -> RegionalEconomy:
    model = RegionalEconomy(load_scenario("baseline", {
        "workers_per_region": 500, "firms_per_region": 10, **overrides}), seed=4)
    for _ in range(steps):
        model.step()
    return model


def test_each_unemployed_worker_draws_the_replacement_rate_of_her_own_last_wage():
    model = _after(12)
    wf = model.workforce
    unemployed = np.flatnonzero(wf.employer == UNEMPLOYED)
    had_job = unemployed[wf.last_wage[unemployed] > 0]
    assert had_job.size > 10
    bases = model.benefit_base_of(had_job, wf.region[had_job])
    np.testing.assert_array_equal(bases, wf.last_wage[had_job])
    # Who earned more draws more: the bases differ as the lost wages did.
    assert bases.std() > 0


def test_what_a_searcher_draws_is_the_mean_benefit_of_the_regions_unemployed():
    model = _after(11)
    seen = {}
    pay_dividends = model.pay_dividends

    def right_after_benefits():  # phase 6 pays benefits, then dividends
        unemployed = np.flatnonzero(model.workforce.employer == UNEMPLOYED)
        seen["home"] = model.workforce.region[unemployed].copy()
        seen["bases"] = model.benefit_base_of(unemployed, seen["home"])
        seen["benefit"] = model.region_column("benefit").copy()
        pay_dividends()

    model.pay_dividends = right_after_benefits
    model.step()
    replacement = model.params.labour.benefit_replacement
    with_unemployed = [r for r in range(model.n_regions) if (seen["home"] == r).any()]
    assert with_unemployed
    for r in with_unemployed:
        mine = seen["home"] == r
        assert seen["benefit"][r] == pytest.approx(replacement * seen["bases"][mine].mean())


def test_the_placebo_base_is_the_regions_mean_wage_for_everyone():
    model = _after(12, **{"labour.benefit_base": "regional_mean_wage"})
    wf = model.workforce
    unemployed = np.flatnonzero(wf.employer == UNEMPLOYED)
    np.testing.assert_array_equal(model.benefit_base_of(unemployed, wf.region[unemployed]),
                                  model.region_column("mean_wage")[wf.region[unemployed]])


def test_a_retiree_replaced_by_an_entrant_leaves_no_wage_record():
    model = _after(40, **{"demography.retirement_rate": 0.05})
    wf = model.workforce
    entrants = model.entrants
    never = entrants[wf.employer[entrants] == UNEMPLOYED]
    assert never.size > 0 and (wf.last_wage[never] == 0).all()
