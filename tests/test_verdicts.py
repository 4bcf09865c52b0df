"""The verdict rule on synthetic data where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from highroad.analysis.verdicts import bootstrap_effect, verdict


def test_a_clear_increase_supports_increase_and_refutes_the_other_sides():
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 0.05, 30)
    b = a + 0.5 + rng.normal(0, 0.05, 30)
    e = bootstrap_effect(a, b)
    assert e.ci_low > 0.4 and e.ci_high < 0.6
    assert e.ratio == pytest.approx(b.mean() / a.mean())
    assert verdict("increase", e.ci_low, e.ci_high, 0.05) == "supported"
    assert verdict("decrease", e.ci_low, e.ci_high, 0.05) == "refuted"
    assert verdict("no_change", e.ci_low, e.ci_high, 0.05) == "refuted"


def test_no_effect_supports_no_change_within_the_margin():
    rng = np.random.default_rng(1)
    a = rng.normal(1.0, 0.05, 40)
    b = a + rng.normal(0, 0.01, 40)
    e = bootstrap_effect(a, b)
    assert verdict("no_change", e.ci_low, e.ci_high, 0.05) == "supported"
    assert verdict("increase", e.ci_low, e.ci_high, 0.05) == "refuted"


def test_noise_larger_than_the_effect_is_inconclusive():
    rng = np.random.default_rng(2)
    a = rng.normal(1.0, 0.5, 5)
    b = rng.normal(1.1, 0.5, 5)
    e = bootstrap_effect(a, b, paired=False)
    assert verdict("increase", e.ci_low, e.ci_high, 0.0) == "inconclusive"
    assert verdict("decrease", e.ci_low, e.ci_high, 0.0) == "inconclusive"


def test_pairing_removes_shared_noise():
    rng = np.random.default_rng(3)
    shared = rng.normal(0, 1.0, 20)
    a, b = 1 + shared, 1.2 + shared
    paired = bootstrap_effect(a, b, paired=True)
    unpaired = bootstrap_effect(a, b, paired=False)
    assert paired.ci_high - paired.ci_low < unpaired.ci_high - unpaired.ci_low
    assert verdict("increase", paired.ci_low, paired.ci_high, 0.0) == "supported"


def test_unknown_prediction_is_an_error():
    with pytest.raises(ValueError, match="allowed"):
        verdict("sideways", 0, 1, 0)
