"""Where investors found firms: the expected rates plus each investor's own valuation of a
location (random utility, Carlton 1983), or, the placebo, all in the single best region."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import BASELINE_TOML_DEFAULTS

import highroad
from highroad.regions.model import RegionalEconomy
from highroad.regions.returns import with_location_taste
from highroad.scenarios import load_scenario

#: A 4-region test-sized world (tests/conftest.py's SMALL with one more region).
WORLD = {"n_regions": 4, "workers_per_region": 400, "firms_per_region": 8, "steps": 30,
         "burn_in": 5}


def test_without_taste_the_rates_are_returned_and_nothing_is_drawn():
    rng = np.random.default_rng(1)
    rates = np.array([0.010, 0.011, 0.005])
    assert with_location_taste(rates, 0.0, rng) is rates
    assert rng.random() == np.random.default_rng(1).random()


def test_choices_spread_over_near_equal_locations_in_the_order_of_their_rates():
    rng = np.random.default_rng(2)
    rates = np.array([0.010, 0.011, 0.002])
    picks = np.bincount([int(np.argmax(with_location_taste(rates, 0.003, rng)))
                         for _ in range(4000)], minlength=3) / 4000
    # Normal tastes: P(0 beats 1) = Phi(-0.001 / (0.003 sqrt 2)) = 0.41; region 2 is 3 sd
    # behind both and is almost never chosen.
    assert picks[1] > picks[0] > 0.3
    assert picks[2] < 0.02
    assert np.argmax(rates) == 1  # without the taste, region 1 every time


def foundings_at_the_best_region(model: RegionalEconomy, founding_taste: bool) -> list[bool]:
    """For each firm founded in the next quarter of a twin of `model` that differs only in
    `capital.founding_taste`: whether it went to its investor's best untasted region."""
    twin = copy.deepcopy(model)
    twin.params = replace(twin.params, capital=replace(twin.params.capital,
                                                       founding_taste=founding_taste))
    at_best: list[bool] = []
    found_firm = twin.found_firm

    def recording(investor, region, size):
        untasted = investor.region_values(twin.entry_rates())
        at_best.append(region == int(np.argmax(untasted)))
        return found_firm(investor, region, size)

    twin.found_firm = recording
    twin.step()
    return at_best


def test_the_placebo_founds_every_firm_in_the_best_region_the_taste_spreads_them():
    """Twin worlds from one state, quarter by quarter, a 4-region world: without the taste
    every firm is founded in its investor's best region on expected rates; with it, some go
    to regions a little behind. Measured (seed 0, quarters 10-50): 17 of 25 foundings at
    the best region with the taste, 23 of 23 without."""
    model = RegionalEconomy(load_scenario("baseline", WORLD), seed=0)
    for _ in range(10):
        model.step()
    on: list[bool] = []
    off: list[bool] = []
    for _ in range(40):
        on += foundings_at_the_best_region(model, True)
        off += foundings_at_the_best_region(model, False)
        model.step()
    assert off and all(off)
    assert len(on) > 5 and not all(on)


@pytest.mark.slow
def test_the_taste_leaves_fewer_runs_in_slumps_than_the_placebo():
    """The effect docs/validation.md reports, in the economy it was measured in (the
    baseline.toml defaults, pinned), seeds 0-19: mean unemployment over the last 120
    quarters above 9% (the top of its measured range) in 3 runs with the founding taste and
    in 8 without (means 7.0% and 8.3%). Over seeds 0-9 alone the means go the other way
    (7.4% and 6.5%; 2 runs against 3): the effect is on the slumps, and it needs the
    twenty seeds. At the current defaults it is gone (6 runs with the taste, 5 without)."""
    def slumping(founding_taste: bool) -> int:
        return sum(
            highroad.simulate("baseline", seed=seed, overrides={
                **BASELINE_TOML_DEFAULTS,
                "capital.founding_taste": founding_taste}).economy["unemployment"]
            .iloc[-120:].mean() > 0.09 for seed in range(20))

    assert slumping(True) < slumping(False)
