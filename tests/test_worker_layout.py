"""The fast paths of the worker layout: region-ordered rows, slice sums, rare-event draws.

Each is checked against the plain computation it replaces (hypothesis draws the inputs),
and the region order is checked on a run where workers migrate.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from highroad.agents.workforce import Workforce
from highroad.regions.draws import bernoulli_indices
from highroad.regions.model import RegionalEconomy
from highroad.regions.sums import SMALL, region_sums
from highroad.scenarios import load_scenario

sizes = st.integers(min_value=0, max_value=3 * SMALL)


@settings(max_examples=60, deadline=None)
@given(n=sizes, n_regions=st.integers(1, 7), seed=st.integers(0, 2**32 - 1),
       ordered=st.booleans())
def test_region_sums_equal_bincount(n: int, n_regions: int, seed: int, ordered: bool) -> None:
    rng = np.random.default_rng(seed)
    region = rng.integers(0, n_regions, n)
    if ordered:
        region.sort()
    values = rng.normal(size=n)
    expected = np.bincount(region, values, n_regions)
    got = region_sums(region, values, n_regions)
    assert got.dtype == np.float64 and got.shape == (n_regions,)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(region_sums(region, None, n_regions),
                                  np.bincount(region, minlength=n_regions))


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 80), n_regions=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_move_keeps_regions_in_order_and_every_worker_whole(n: int, n_regions: int,
                                                            seed: int) -> None:
    rng = np.random.default_rng(seed)
    wf = Workforce(np.sort(rng.integers(0, n_regions, n)), rng.random(n), rng.random(n))
    wf.columns["id"] = np.arange(n)
    region_of = dict(enumerate(wf.region.tolist()))
    skill_of = dict(enumerate(wf.skill.tolist()))
    outside = np.arange(n) * 10.0  # an array kept outside the workforce, moved by hand
    who = np.flatnonzero(rng.random(n) < 0.3)
    to = int(rng.integers(0, n_regions))
    for i in who:
        region_of[int(i)] = to
    moves = wf.move(who, to)
    moves.apply(outside)
    assert (np.diff(wf.region) >= 0).all()
    ids = wf.columns["id"]
    assert sorted(ids.tolist()) == list(range(n))
    for row, i in enumerate(ids.tolist()):
        assert wf.region[row] == region_of[i]
        assert wf.skill[row] == skill_of[i]
        assert outside[row] == i * 10.0


def test_workers_stay_in_region_order_while_they_migrate() -> None:
    model = RegionalEconomy(load_scenario("baseline", {
        "n_regions": 4, "workers_per_region": 1500, "firms_per_region": 15,
        "demography.migration_rate": 0.2, "burn_in": 0}), seed=1)
    for _ in range(8):
        model.step()
    wf = model.workforce
    assert sum(r["migrants"] for r in model.records) > 0
    assert (np.diff(wf.region) >= 0).all()
    # Employees live where their employer is, after rows moved.
    emp = wf.employed_index()
    np.testing.assert_array_equal(wf.region[emp], model.firm_table.view("region")[wf.employer[emp]])


def test_region_order_is_an_invariant() -> None:
    import pytest

    from highroad.errors import InvariantError

    model = RegionalEconomy(load_scenario("baseline", {"n_regions": 3}), seed=0)
    model.step()
    model.workforce.region[0] = 2  # a write that bypasses Workforce.move
    with pytest.raises(InvariantError, match="region by region"):
        model.step()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 5000), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_bernoulli_indices_are_ascending_and_in_range(n: int, p: float, seed: int) -> None:
    drawn = bernoulli_indices(np.random.default_rng(seed), n, p)
    assert drawn.dtype == np.int64
    assert (np.diff(drawn) > 0).all()
    assert drawn.size == 0 or (drawn[0] >= 0 and drawn[-1] < n)


def test_bernoulli_indices_include_each_index_with_probability_p() -> None:
    rng = np.random.default_rng(0)
    n, p, draws = 200, 0.05, 4000
    counts = np.zeros(n)
    sizes = []
    for _ in range(draws):
        drawn = bernoulli_indices(rng, n, p)
        counts[drawn] += 1
        sizes.append(drawn.size)
    # Every index equally likely; the count binomial(n, p): mean and variance.
    share = counts / draws
    assert abs(share.mean() - p) < 0.003
    assert np.abs(share - p).max() < 5 * np.sqrt(p * (1 - p) / draws)
    assert abs(np.mean(sizes) - n * p) < 0.2
    assert abs(np.var(sizes) / (n * p * (1 - p)) - 1) < 0.1
