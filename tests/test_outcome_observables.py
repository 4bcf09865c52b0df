"""Observables that measure behaviour: no flag or probability a module sets enters them."""

from __future__ import annotations

import numpy as np

from highroad.analysis.observables import good_jobs, observed_compliance, realised_skill_growth
from highroad.api import simulate

TINY = {"workers_per_region": 120, "firms_per_region": 6, "burn_in": 4}


def model_after(steps: int = 12, **overrides):
    return simulate("baseline", steps=steps, overrides={**TINY, **overrides}, seed=3,
                    keep_model=True).model


def test_a_training_flag_alone_makes_no_job_good():
    model = model_after()
    t = model.firm_table
    before = good_jobs(model).copy()
    t.view("trains")[:] = True
    t.view("high")[:] = ~t.view("high")  # nor does the road a firm is on
    assert np.array_equal(good_jobs(model), before)


def test_good_jobs_need_realised_skill_growth():
    model = model_after()
    wf = model.workforce
    assert good_jobs(model).any()
    wf.hire_skill[:] = wf.skill  # as if no one had learned anything on the job
    grew = realised_skill_growth(model)
    could = (wf.tenure > 0) & (wf.skill < model.params.labour.skill_max)  # not at the top
    assert could.any() and not grew[could].any()
    assert not good_jobs(model)[could].any()


def test_observed_compliance_reads_wages_against_the_floor():
    full = model_after(**{"government.enforcement": 1.0, "government.labour_standard": 0.95})
    assert observed_compliance(full) == 1.0
    none = model_after(**{"government.enforcement": 0.0, "government.labour_standard": 0.95})
    assert observed_compliance(none) < 0.9
    wf = none.workforce
    emp = wf.employed_index()
    floor = none.conditions.wage_floor[wf.region[emp]]
    assert observed_compliance(none) == np.mean(wf.wage[emp] >= floor * (1 - 1e-9))
