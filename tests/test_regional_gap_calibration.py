"""The calibration variant that targets the regional unemployment gap
(scenarios/calibration/regional_gap.toml; its run in docs/calibration/regional_gap.md)."""

from __future__ import annotations

import pytest

from highroad.analysis.facts_report import load_facts
from highroad.scenarios.calibration import CALIBRATION_DIR, load_calibration


def test_the_regional_gap_variant_holds_out_four_facts():
    spec = load_calibration(CALIBRATION_DIR / "regional_gap.toml")
    held_out = set(load_facts().facts) - set(spec.targets)
    assert {"zipf_exponent", "beveridge_correlation", "wage_curve_elasticity",
            "beta_convergence"} <= held_out


def test_the_regional_gap_variant_is_the_shipped_calibration_plus_the_gap():
    """docs/validation.md reports the variant as the shipped calibration with one more
    target, the regional unemployment gap at the OECD average, and nothing else changed."""
    base, variant = (load_calibration(CALIBRATION_DIR / n).to_dict()
                     for n in ("baseline.toml", "regional_gap.toml"))
    assert set(variant["targets"]) - set(base["targets"]) == {"regional_unemployment_gap"}
    assert variant["targets"]["regional_unemployment_gap"]["value"] == pytest.approx(0.06)
    for name, target in base["targets"].items():
        assert variant["targets"][name] == target, name
    for key in ("settings", "parameters", "objective", "replicates", "seed", "scenario"):
        assert variant[key] == base[key], key
