"""The decision rule on synthetic data where the answer is known: each outcome reachable."""

from __future__ import annotations

import numpy as np
import pytest

from highroad.analysis.verdicts import (
    Effect,
    bootstrap_effect,
    contrast_effect,
    equivalent,
    meaningful,
    verdict,
)

D = 0.05  # the smallest effect of interest in these tests


def pair(shift: float, noise: float, n: int = 30, seed: int = 0) -> Effect:
    rng = np.random.default_rng(seed)
    a = rng.normal(1.0, 0.2, n)
    return bootstrap_effect(a, a + shift + rng.normal(0, noise, n))


def test_a_clear_increase_supports_increase_and_refutes_the_other_sides():
    e = pair(0.5, 0.05)
    assert e.ci_low > 0.4 and e.ci_high < 0.6 and e.ci_low < e.ci90_low < e.ci90_high < e.ci_high
    assert meaningful(e, D)
    assert verdict("increase", e, D) == "supported"
    assert verdict("decrease", e, D) == "refuted"
    assert verdict("no_change", e, D) == "refuted"
    assert verdict("not_increase", e, D) == "refuted"
    assert verdict("not_decrease", e, D) == "supported"


def test_no_effect_is_shown_equivalent_by_two_one_sided_tests():
    e = pair(0.0, 0.01, n=40, seed=1)
    assert equivalent(e, D) and not meaningful(e, D)
    assert verdict("no_change", e, D) == "supported"
    assert verdict("increase", e, D) == "refuted"
    assert verdict("decrease", e, D) == "refuted"
    assert verdict("not_increase", e, D) == "supported"


def test_a_tiny_but_certain_effect_is_no_change_not_an_increase():
    """Different from zero and equivalent to it: a trivial effect (Lakens et al. 2018)."""
    e = pair(0.01, 0.002, n=40, seed=2)
    assert e.ci_low > 0 and equivalent(e, D)
    assert verdict("no_change", e, D) == "supported"
    assert verdict("increase", e, D) == "refuted"


def test_noise_larger_than_the_margin_is_inconclusive_both_ways():
    e = pair(0.02, 0.3, n=6, seed=3)
    assert e.ci_low < 0 < e.ci_high and not equivalent(e, D)
    for prediction in ("increase", "decrease", "no_change", "not_increase", "not_decrease"):
        assert verdict(prediction, e, D) == "inconclusive"


def test_a_moderate_certain_effect_refutes_no_change_without_being_meaningful():
    e = pair(0.05, 0.03, n=40, seed=4)
    assert e.ci_low > 0 and not equivalent(e, D) and not meaningful(e, D)
    assert verdict("no_change", e, D) == "refuted"
    assert verdict("increase", e, D) == "supported"


def test_the_equivalence_bounds_are_the_90_percent_interval():
    inside = Effect(0, 0, 0.0, -0.06, 0.06, 1, 1, 1, 10, -0.04, 0.04)
    assert equivalent(inside, D) and verdict("no_change", inside, D) == "supported"
    outside = Effect(0, 0, 0.0, -0.06, 0.06, 1, 1, 1, 10, -0.06, 0.04)
    assert verdict("no_change", outside, D) == "inconclusive"


def test_pairing_removes_shared_noise():
    rng = np.random.default_rng(3)
    shared = rng.normal(0, 1.0, 20)
    a, b = 1 + shared, 1.2 + shared
    paired = bootstrap_effect(a, b, paired=True)
    unpaired = bootstrap_effect(a, b, paired=False)
    assert paired.ci_high - paired.ci_low < unpaired.ci_high - unpaired.ci_low
    assert verdict("increase", paired, 0.0) == "supported"


def test_difference_in_differences_removes_what_both_arms_share():
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.5, (4, 20))
    shared = rng.normal(0, 1.0, 20)
    a, c = 1 + shared + 0.01 * noise[0], 2 + shared + 0.01 * noise[2]
    b = a + 0.3 + 0.01 * noise[1]  # the factor adds 0.3 with the supports ...
    d = c + 0.3 + 0.01 * noise[3]  # ... and 0.3 without: no interaction
    e = contrast_effect([a, b, c, d], [-1, 1, 1, -1])
    assert abs(e.difference) < 0.01 and verdict("no_change", e, D) == "supported"
    e = contrast_effect([a, b + 0.2, c, d], [-1, 1, 1, -1])
    assert verdict("increase", e, D) == "supported"


def test_unknown_prediction_is_an_error():
    with pytest.raises(ValueError, match="allowed"):
        verdict("sideways", Effect(0, 0, 0, 0, 1, 1, 1, 1, 2, 0, 1), 0)
