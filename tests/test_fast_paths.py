"""The fast paths of the performance rounds give the numbers of the plain ones they replace.

Each vectorised shortcut is checked against the straightforward computation it stands for,
and the model-level invariants the shortcuts rely on are checked on a running economy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from highroad.agents.workforce import UNEMPLOYED, Workforce
from highroad.analysis.metrics import (
    Households,
    gini_sorted,
    group_medians,
    lexsort_groups,
    median_sorted,
    merge_sorted,
    middle_class_share_sorted,
    nearly_sorted_order,
    position_weighted_sums,
    sort_order,
    std_of_log,
)
from highroad.analysis.observables import class_rows, good_jobs
from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def _keys(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:
        return rng.random(n)
    if kind == 1:  # many exact ties
        return np.round(rng.random(n), 2)
    if kind == 2:  # distinct keys that share their leading bits
        return 1.0 + rng.integers(0, 50, n) * 1e-13
    keys = rng.normal(0, 1, n)  # both signs and both zeros
    keys[::7], keys[::11] = 0.0, -0.0
    return keys


@pytest.mark.parametrize("n", [10, 3_000, 60_000])
@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_lexsort_groups_is_np_lexsort(n, kind):
    rng = np.random.default_rng(n + kind)
    for groups in (3, 2_000, 200_000):
        group = rng.integers(0, groups, n)
        key = _keys(rng, kind, n)
        for k in (key, -key):
            assert np.array_equal(lexsort_groups(k, group), np.lexsort((k, group)))


def test_households_measures_match_the_merged_arrays():
    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(1, 2_000))
        units = np.round(rng.normal(1, 1, n), int(rng.integers(1, 4)))
        k = int(rng.integers(0, 6))
        extra = np.round(rng.normal(1, 2, k), 1)
        if k:
            extra[0] = units[0]  # an extra household tied with a worker
        weights = rng.choice([1.0, 200.0, 0.37, 12.5], k)
        dist = Households(np.sort(units), extra, weights)
        x, w = merge_sorted(units, extra, weights)
        assert dist.gini() == pytest.approx(gini_sorted(x, w), abs=1e-12)
        assert dist.median() == median_sorted(x, w)
        assert dist.middle_class_share() == pytest.approx(middle_class_share_sorted(x, w),
                                                          abs=1e-12)
        cum = np.cumsum(w)
        reference = cum[np.minimum(np.searchsorted(x, dist.units), x.size - 1)] / cum[-1]
        assert np.allclose(dist.ranks_of_runs(), reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 7, 129, 16_384, 16_385, 50_001, 200_003])
def test_position_weighted_sums_are_np_sum_bit_for_bit(n):
    rng = np.random.default_rng(n)
    x = np.sort(rng.lognormal(0, 2, n))
    for first, step in ((1, 1), (2 * n - 1, -2)):
        weights = first + step * np.arange(n, dtype=float)
        assert position_weighted_sums(x, first, step) == (float(np.sum(weights * x)),
                                                          float(np.sum(x)))


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_sort_order_sorts_like_argsort(kind):
    rng = np.random.default_rng(kind)
    for n in (0, 1, 2, 5_000, 70_000):
        keys = _keys(rng, kind, n)
        for k in (keys, -keys):
            order, ordered = sort_order(k)
            assert np.array_equal(np.sort(order), np.arange(n))
            assert np.array_equal(ordered, k[order])
            assert np.array_equal(ordered, np.sort(k))


def test_std_of_log_is_np_std_bit_for_bit():
    rng = np.random.default_rng(6)
    for n in (1, 10, 1_000, 100_001):
        skill = rng.lognormal(0, 0.5, n)
        assert std_of_log(skill) == float(np.log(skill).std())


def test_households_ranks_of_values_and_positions():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 3_000))
        units = np.sort(np.round(rng.normal(1, 1, n), int(rng.integers(1, 4))))
        k = int(rng.integers(0, 6))
        dist = Households(units, np.round(rng.normal(1, 2, k), 1),
                          rng.choice([1.0, 200.0, 0.37], k))
        values = rng.choice(units, int(rng.integers(1, 500)))
        below = np.searchsorted(units, values)
        reference = (below + 1.0 + dist.extra_weight_before(below)) / dist.total_weight
        assert np.array_equal(dist.ranks_of(values), reference)
        order = nearly_sorted_order(values)
        assert np.array_equal(np.sort(order), np.arange(values.size))
        positive = np.abs(values) + 1.0  # non-negative: ascending but for the last bits
        assert np.all(np.diff(positive[nearly_sorted_order(positive)]) > -1e-9)
        positions = np.flatnonzero(rng.random(n) < 0.3)
        assert np.array_equal(dist.ranks_of_runs(positions), dist.ranks_of_runs()[positions])


def test_count_by_region_is_bincount():
    rng = np.random.default_rng(8)
    for _ in range(20):
        n, regions = int(rng.integers(1, 5_000)), int(rng.integers(1, 30))
        region = np.sort(rng.integers(0, regions, n))
        wf = Workforce(region, np.ones(n), np.ones(n))
        mask = rng.random(n) < 0.6
        expected = np.bincount(region[mask], minlength=regions)
        assert np.array_equal(wf.count_by_region(regions, mask), expected)
        assert np.array_equal(wf.count_by_region(regions), np.bincount(region, minlength=regions))


def test_group_medians_read_per_slice_equal_the_one_sort():
    rng = np.random.default_rng(4)
    for _ in range(50):
        n, groups = int(rng.integers(50, 3_000)), int(rng.integers(1, 12))
        values = np.round(rng.lognormal(0, 1, n) * 100, int(rng.integers(0, 4))) / 7
        group = np.sort(rng.integers(0, groups, n))
        shuffled = rng.permutation(n)
        # Sorted groups take the per-slice path; shuffled, the same values take the sort.
        assert np.array_equal(group_medians(values, group, groups),
                              group_medians(values[shuffled], group[shuffled], groups),
                              equal_nan=True)


@pytest.fixture(scope="module")
def mobile_economy() -> RegionalEconomy:
    overrides = {"n_regions": 4, "workers_per_region": 800, "firms_per_region": 10,
                 "burn_in": 0, "capital_mobility": 1.0, "government_rule": "competitive",
                 "demography.migration_rate": 0.05, "firms.review_probability": 0.3,
                 **{f"policies.{name}.enabled": True for name in REGISTRY}}
    model = RegionalEconomy(load_scenario("baseline", overrides), seed=5)
    for _ in range(25):
        model.step()
    return model


def test_workers_work_in_their_own_region_and_firms_count_them(mobile_economy):
    model = mobile_economy
    wf, t = model.workforce, model.firm_table
    # The run moved both: firms between regions, and workers.
    assert sum(row["relocations"] for row in model.records) > 0
    assert sum(row["migrants"] for row in model.records) > 0
    emp = np.flatnonzero(wf.employer != UNEMPLOYED)
    # The per-firm shortcuts (wages, region counts) rest on these.
    assert np.array_equal(wf.region[emp], t.view("region")[wf.employer[emp]])
    assert np.array_equal(np.bincount(wf.employer[emp], minlength=t.size), t.view("employees"))
    assert np.array_equal(wf.employed_index(), emp)
    assert np.array_equal(model.employment_by_region(),
                          np.bincount(wf.region[emp], minlength=model.n_regions))


def test_batched_layoffs_release_every_worker_of_a_firm_that_moves(mobile_economy):
    model = mobile_economy
    wf = model.workforce
    firm = next(f for f in model.firms if f.employees > 0)
    slot = firm.slot
    with model.batched_layoffs():
        model.relocate(firm, (firm.region + 1) % model.n_regions, 1.0)
        assert model.firm_table.employees[slot] == 0
    assert not np.any(wf.employer == slot)
    assert np.array_equal(wf.employed_index(), np.flatnonzero(wf.employer != UNEMPLOYED))


def test_good_jobs_and_coordinator_pay_read_per_firm_match_per_worker(mobile_economy):
    model = mobile_economy
    wf, lp = model.workforce, model.params.labour
    emp = wf.employed_index()
    # Per worker: her region's median wage, her tenure, her skill growth since hire.
    threshold = lp.good_job_wage * model.region_column("median_wage")[wf.region[emp]]
    good = (wf.wage[emp] >= threshold) & (wf.tenure[emp] >= lp.good_job_tenure)
    g = (lp.skill_growth_low + lp.skill_growth_high) / 2
    for k, i in enumerate(emp):  # the benchmark path, worker by worker
        s0 = wf.hire_skill[i]
        path = lp.skill_max / (1 + (lp.skill_max / s0 - 1) * math.exp(-g * wf.tenure[i]))
        good[k] &= wf.skill[i] >= path * (1 - 1e-9)
    assert np.array_equal(np.flatnonzero(good_jobs(model)), emp[good])
    # The coordinators' pay against the other employed's, each averaged directly.
    coord = model.coordinator[emp]
    assert 0 < coord.sum() < emp.size
    ratio = wf.wage[emp][coord].mean() / wf.wage[emp][~coord].mean()
    assert class_rows(model)["coordinator_pay_ratio"] == pytest.approx(ratio, rel=1e-13)
