"""The claims engine: the declared table, the verdict rule, and verdicts that can move."""

from __future__ import annotations

import pandas as pd
import pytest

from highroad.analysis.claims import judge, load_claims
from highroad.analysis.report import run_claims, selected
from highroad.analysis.verdicts import Effect
from highroad.errors import ScenarioError
from highroad.scenarios import load_scenario

TINY = {"workers_per_region": 150, "firms_per_region": 4, "burn_in": 5}


def test_the_claims_file_covers_all_thirteen_pairs_and_the_extra_comparisons():
    spec = load_claims()
    ids = {c.id for c in spec.claims} | {spec.c5["id"]}
    assert {f"H{i}/C{i}" for i in range(1, 14)} <= ids
    assert {"RS1", "RS2"} <= ids
    assert len(spec.walzer["regimes"]) == 7
    for regime in spec.walzer["regimes"]:
        load_scenario(regime)
    for claim in spec.claims:  # every condition resolves to a valid scenario
        for cond in (claim.a, claim.b):
            load_scenario(cond.scenario, {**spec.world, **cond.overrides})
        assert claim.sceptic_predicts != claim.counter_predicts


def effect(lo: float, hi: float) -> Effect:
    return Effect(1.0, 1.0 + (lo + hi) / 2, (lo + hi) / 2, lo, hi, 1.0, 1.0, 1.0, 8)


@pytest.mark.parametrize("prediction, lo, hi, expected", [
    ("not_decrease", -0.05, 0.3, "supported"),
    ("not_decrease", -0.5, -0.2, "refuted"),
    ("not_decrease", -0.3, 0.1, "inconclusive"),
    ("not_increase", -0.3, 0.05, "supported"),
    ("not_increase", 0.2, 0.5, "refuted"),
    ("increase", 0.2, 0.5, "supported"),
    ("no_change", -0.05, 0.05, "supported"),
])
def test_judge_applies_the_rule_to_known_intervals(prediction, lo, hi, expected):
    assert judge(prediction, effect(lo, hi), margin=0.1) == expected


def test_only_selects_claims_and_rejects_unknown_ones():
    spec = load_claims()
    claims, c5, walzer = selected(spec, ["H1", "C5", "walzer"])
    assert [c.id for c in claims] == ["H1/C1"] and c5 and walzer
    with pytest.raises(ScenarioError, match="unknown claim H99"):
        selected(spec, ["H99"])


def test_removing_the_mechanism_moves_the_verdict(tmp_path):
    """C12 rests on monitoring as a by-product of association; switch that off."""
    with_mechanism = run_claims(tmp_path / "on", replicates=4, steps=30, workers=2,
                                overrides=TINY, only=["C12"], progress=False)
    row = with_mechanism.table.iloc[0]
    assert row["counter_verdict"] == "supported" and row["sceptic_verdict"] == "refuted"
    removed = run_claims(tmp_path / "off", replicates=4, steps=30, workers=2,
                         overrides={**TINY, "associations.enforcement_effect": 0.0,
                                    "policies.associative_governance.monitoring_effect": 0.0},
                         only=["C12"], progress=False)
    assert removed.table.iloc[0]["counter_verdict"] != "supported"


def test_report_files(tmp_path):
    report = run_claims(tmp_path, replicates=2, steps=8, workers=1, overrides=TINY,
                        only=["RS2"], progress=False)
    text = (tmp_path / "claims.md").read_text()
    assert "## The rule" in text and "RS2" in text and "figures/RS2.png" in text
    table = pd.read_csv(tmp_path / "claims.csv")
    assert list(table["claim"]) == ["RS2"] and (tmp_path / "figures" / "RS2.png").exists()
    assert report.table.iloc[0]["counter_verdict"] in ("supported", "refuted", "inconclusive")
    # The versions that made the report: in its header and beside the CSV.
    import json

    from highroad.provenance import describe, versions

    assert describe(versions()) in text
    assert json.loads((tmp_path / "versions.json").read_text()) == versions()
