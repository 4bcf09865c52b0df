"""The claims engine: the declared table, the checks, and verdicts that can move."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from highroad.analysis.claims import load_claims
from highroad.analysis.decide import scaled, with_overrides
from highroad.analysis.report import run_claims, selected
from highroad.analysis.verdict_maps import grid, prim_where_sceptics_win
from highroad.errors import ScenarioError
from highroad.scenarios import load_scenario

TINY = {"workers_per_region": 150, "firms_per_region": 8, "burn_in": 10}
COLUMNS = ["claim", "observable", "effect", "ci_low", "ci_high", "margin", "sceptic_verdict",
           "counter_verdict", "placebo_effect", "settled", "fragile", "robust_share"]


def test_the_claims_file_covers_all_thirteen_pairs_and_the_extra_comparisons():
    spec = load_claims()
    ids = {c.id for c in spec.claims} | {spec.c5["id"]}
    assert {f"H{i}/C{i}" for i in range(1, 14)} <= ids
    assert {"RS1", "RS2"} <= ids
    assert len(spec.walzer["regimes"]) == 7
    for regime in spec.walzer["regimes"]:
        load_scenario(regime)
    for claim in spec.claims:  # every condition, placebo and scaled one is a valid scenario
        assert claim.why and claim.placebo and claim.observable in spec.sesoi
        conditions = claim.conditions
        for cond in (*conditions, *with_overrides(conditions, claim.placebo),
                     *scaled(conditions, spec.world, 2)):
            load_scenario(cond.scenario, {**spec.world, **cond.overrides})
        assert claim.sceptic_predicts != claim.counter_predicts
        assert len(claim.weights) == len(conditions)


def test_every_smallest_effect_of_interest_gives_its_reason():
    for observable, (value, why) in load_claims().sesoi.items():
        assert value > 0 and len(why) > 20, observable


@pytest.mark.parametrize("cut, message", [
    ("[sesoi]", "sesoi"),
    ('placebo = { overrides = { "policies.associative_governance.faction_loss" = 0.0 }, '
     'why = "untied support loses nothing to faction" }', "placebo"),
])
def test_a_claims_file_without_margins_or_placebos_is_refused(tmp_path, cut, message):
    from highroad.analysis.claims import CLAIMS_FILE

    text = CLAIMS_FILE.read_text()
    assert cut in text
    broken = text.replace(cut, "[unused]" if cut == "[sesoi]" else "")
    path = tmp_path / "claims.toml"
    path.write_text(broken)
    with pytest.raises(ScenarioError, match=message):
        load_claims(path)


def test_only_selects_claims_and_rejects_unknown_ones():
    spec = load_claims()
    claims, c5, walzer = selected(spec, ["H1", "C5", "walzer"])
    assert [c.id for c in claims] == ["H1/C1"] and c5 and walzer
    with pytest.raises(ScenarioError, match="unknown claim H99"):
        selected(spec, ["H99"])


def test_maps_leave_out_the_axes_a_claim_sets_itself():
    spec = load_claims()
    claims = {c.id: c for c in spec.claims}
    assert all("capital_mobility" not in cell and "government_rule" not in cell
               for cell in grid(claims["H2/C2"], spec))
    cells = grid(claims["H11/C11"], spec)
    assert len(cells) == 3 * 3 * 5 and {"capital_mobility", "trade_openness",
                                        "government_rule"} == set(cells[0])


def test_prim_finds_where_the_sceptics_win():
    rng = np.random.default_rng(0)
    cells = pd.DataFrame({"capital_mobility": np.repeat([0.1, 0.5, 0.9], 10),
                          "trade_openness": rng.uniform(0, 1, 30)})
    wins = cells["capital_mobility"] > 0.7
    cells["sceptic_verdict"] = np.where(wins, "supported", "refuted")
    cells["counter_verdict"] = np.where(wins, "refuted", "supported")
    box = prim_where_sceptics_win(cells)
    assert "capital_mobility" in box and "10 of 30" in box
    scattered = cells.assign(sceptic_verdict=np.where(np.arange(30) % 10 == 0, "supported",
                                                      "refuted"))
    assert "no box" in prim_where_sceptics_win(scattered)
    cells["sceptic_verdict"] = "refuted"
    assert prim_where_sceptics_win(cells) == ""


def test_removing_the_mechanism_moves_the_verdict(tmp_path):
    """H9/C9 (balkanization) rests on equalisation: members that may leave a union that
    equalises revenue drift apart. Its placebo withdraws the equalisation, which makes the
    two conditions the same model; the verdict then moves to 'no change'. (Until the
    defaults were calibrated this test used H11/C11, whose effect on the income Gini a world
    this small no longer resolves.) Since the threat point reads regional unemployment the
    effect here is +0.074 with an interval of -0.03 to +0.18 over 8 replicates: inconclusive,
    so the placebo moves the verdict from undecided to decided ('no change')."""
    report = run_claims(tmp_path, replicates=8, steps=40, workers=2, overrides=TINY,
                        only=["C9"], progress=False, maps=False)
    row = report.table.iloc[0]
    assert row["effect"] > 0
    assert row["sceptic_verdict"] != "refuted" and row["counter_verdict"] != "supported"
    assert row["placebo_effect"] == 0.0  # the two conditions are then the same model
    assert row["placebo_sceptic_verdict"] == "refuted"
    assert row["placebo_counter_verdict"] == "supported"
    assert not row["survives_placebo"]


def test_report_files_and_columns(tmp_path):
    spec = load_claims()
    spec_maps = {"capital_mobility": [0.1, 0.9], "trade_openness": [0.5],
                 "government_rule": ["fixed"], "replicates": 2}
    claims_file = tmp_path / "claims.toml"
    text = Path(spec.source).read_text()
    text = text.replace("capital_mobility = [0.1, 0.5, 0.9]\ntrade_openness = [0.1, 0.5, 0.9]\n"
                        'government_rule = ["fixed", "competitive", "democratic", "leviathan", '
                        '"reactive"]\nreplicates = 3',
                        "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in spec_maps.items()))
    claims_file.write_text(text)
    assert load_claims(claims_file).maps == spec_maps
    out = tmp_path / "out"
    report = run_claims(out, replicates=2, steps=8, workers=1, overrides=TINY,
                        only=["RS1", "H8"], progress=False, claims_file=claims_file)
    text = (out / "claims.md").read_text()
    assert "## The rule" in text and "RS1" in text and "figures/RS1.png" in text
    assert "equivalent to zero" in text and "Dose-response" in text
    table = pd.read_csv(out / "claims.csv")
    assert list(table["claim"]) == ["H8/C8", "RS1"]
    assert set(COLUMNS) <= set(table.columns)
    assert table[COLUMNS].notna().all().all()
    assert table.loc[table["claim"] == "H8/C8", "design"].item() == "difference-in-differences"
    # each claim says how long it ran (8 quarters, continued by 4 up to 16) and what settled
    assert set(table["steps"]) <= {8, 12, 16} and "continued in chunks of 4 quarters" in text
    assert table[["settled_a", "settled_b", "settled_c", "settled_d"]].iloc[0].notna().all()
    assert all(table["settled"] == table.filter(like="settled_").fillna(True).all(axis=1))
    for name in ("RS1", "H8_C8", "RS1_map", "H8_C8_map", "robust_shares"):
        assert (out / "figures" / f"{name}.png").exists()
    doses = pd.read_csv(out / "doses.csv")
    assert list(doses["dose"]) == [0.05, 0.15, 0.5, 1.0]
    maps = pd.read_csv(out / "verdict_maps.csv")
    assert len(maps) == 4 and set(maps["claim"]) == {"RS1", "H8/C8"}
    assert report.table.iloc[0]["counter_verdict"] in ("supported", "refuted", "inconclusive")
    # The versions that made the report: in its header and beside the CSV.
    import json

    from highroad.provenance import describe, versions

    assert describe(versions()) in text
    assert json.loads((out / "versions.json").read_text()) == versions()


def test_c5_compares_grouped_sobol_indices_with_a_convergence_table(tmp_path):
    report = run_claims(tmp_path, replicates=2, steps=8, workers=2, overrides=TINY,
                        only=["C5"], progress=False, sobol_samples=32)
    assert list(report.sobol["factor"].unique()) == ["openness", "policy"]
    convergence = pd.read_csv(tmp_path / "sobol_convergence.csv")
    assert list(convergence["base_samples"].unique()) == [16, 32]
    row = report.table.iloc[0]
    assert row["effect"] == pytest.approx(row["mean_b"] - row["mean_a"])
    assert row["counter_verdict"] in ("supported", "refuted", "inconclusive")
    assert (tmp_path / "figures" / "H5_C5_income_gini_convergence.png").exists()
    half = (row["ci_high"] - row["ci_low"]) / 2
    assert row["ci_half_width"] == pytest.approx(half)
    text = (tmp_path / "claims.md").read_text()
    assert ("**wider than ±0.1**" if half >= 0.1 else "narrower than ±0.1") in text


def test_the_readme_table_is_the_committed_report():
    from highroad.analysis.report import readme_table

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    shown = readme.split("<!-- claims-table -->\n", 1)[1].split("\n<!-- /claims-table -->")[0]
    assert shown == readme_table(pd.read_csv(root / "docs" / "report" / "claims.csv"))


def test_c5_drops_only_the_base_samples_a_stopped_run_left_incomplete():
    """A run stopped by a plausibility bound (NaN) removes its whole Saltelli block, no more."""
    from highroad.analysis.c5 import complete_blocks

    y = np.arange(5 * 4, dtype=float)
    y[6] = np.nan  # base sample 1 (rows 4-7)
    kept, dropped = complete_blocks(y, 5, 4)
    assert dropped == 1 and kept.tolist() == [*range(0, 4), *range(8, 20)]


# -- H12/C12: the same monitoring budget, spent by the inspectorate or by associations -----------

def test_h12_conditions_differ_only_in_who_monitors():
    claim = next(c for c in load_claims().claims if c.id == "H12/C12")
    a, b = claim.a.overrides, claim.b.overrides
    assert claim.a.scenario == claim.b.scenario and claim.c is None
    assert {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)} == {
        "policies.monitoring.association_share"}
    assert (a["policies.monitoring.association_share"], b["policies.monitoring.association_share"]
            ) == (0.0, 1.0)
    assert a["policies.monitoring.enabled"] is True and "policies.monitoring.budget" not in a
    assert claim.observable == "observed_compliance"  # read off wages, not a probability


def test_h12_placebo_makes_who_monitors_irrelevant():
    from highroad.policies import monitoring as mon

    claim = next(c for c in load_claims().claims if c.id == "H12/C12")
    capacity = np.array([0.1, 0.5, 0.9])
    efforts = {}
    for placebo in (False, True):
        extra = claim.placebo if placebo else {}
        for share in (0.0, 1.0):
            scen = load_scenario("baseline", {"policies.monitoring.enabled": True,
                                              "policies.monitoring.association_share": share,
                                              **extra})
            efforts[placebo, share] = mon.inspection_effort(
                scen.policies["monitoring"], capacity)
    assert not np.allclose(efforts[False, 0.0], efforts[False, 1.0])
    np.testing.assert_allclose(efforts[True, 0.0], efforts[True, 1.0])


# -- settled runs --------------------------------------------------------------------------------

def test_a_run_is_the_start_of_a_longer_run_with_the_same_seed():
    """What lets a claim be continued by cutting a longer run (analysis/settle.py)."""
    from highroad.api import simulate

    short = simulate("baseline", seed=5, overrides={**TINY, "steps": 6})
    long = simulate("baseline", seed=5, overrides={**TINY, "steps": 10})
    pd.testing.assert_frame_equal(short.economy, long.economy[long.economy["step"] <= 6])
    pd.testing.assert_frame_equal(short.regions,
                                  long.regions[long.regions["step"] <= 6].reset_index(drop=True))


PATHS = {"flat": lambda s: 0.5, "levels off": lambda s: 0.01 * min(s, 100),
         "drifts": lambda s: 0.01 * s}


def _synthetic_runs(calls):
    """A stand-in for run_conditions: each condition's label names its (noise-free) path."""
    from highroad.analysis.claims import Runs

    def run(name, conditions, spec, user, reps, out, workers):
        calls.append((name, int(user["steps"])))
        runs, rows = [], []
        for point, cond in enumerate(conditions):
            for r in range(reps):
                run_id = point * reps + r
                runs.append({"run_id": run_id, "point": point, "replicate": r, "seed": r})
                rows += [{"run_id": run_id, "point": point, "step": s,
                          "x": PATHS[cond.label](s)} for s in range(int(user["steps"]) + 1)]
        economy = pd.DataFrame(rows)
        return Runs(pd.DataFrame(runs), economy, economy.assign(region=0))
    return run


@pytest.mark.parametrize("paths, steps, settled, calls", [
    (["flat", "flat"], 80, [True, True], [80]),
    (["flat", "levels off"], 160, [True, True], [80, 240]),
    (["flat", "drifts"], 240, [True, False], [80, 240]),
])
def test_a_claim_not_settled_is_continued_and_a_settled_one_is_not(monkeypatch, tmp_path, paths,
                                                                    steps, settled, calls):
    from highroad.analysis import settle
    from highroad.analysis.claims import Condition, summarise

    made = []
    monkeypatch.setattr(settle, "run_conditions", _synthetic_runs(made))
    rule = settle.Rule(window=0.4, tolerance=0.5, chunk=0.5, longest=3.0)
    assert rule.lengths(80) == [120, 160, 200, 240]
    result = settle.settle("x", [Condition(p) for p in paths], "x", 0.1, rule, load_claims(),
                           {"steps": 80}, 3, tmp_path, 1)
    assert [n for _, n in made] == calls
    assert result.steps == steps and result.settled == settled
    assert result.runs.economy.groupby("run_id")["step"].max().eq(steps).all()
    values = summarise(result.runs, "x").groupby("point")["value"].mean()
    assert values[1] == pytest.approx(np.mean([PATHS[paths[1]](s) for s in
                                               range(steps - (steps + 1) // 4 + 1, steps + 1)]))


def test_c5_sample_count_is_a_power_of_two_the_convergence_table_reaches():
    from highroad.analysis.c5 import convergence_sizes

    n = int(load_claims().c5["samples"])
    assert n >= 1024 and n & (n - 1) == 0
    sizes = convergence_sizes(n)
    assert sizes[0] == 16 and sizes[-1] == n
    assert all(b == 2 * a for a, b in zip(sizes, sizes[1:], strict=False))
    assert convergence_sizes(1000)[-2:] == [512, 1000]  # blocks dropped: the design still ends it


@pytest.mark.parametrize("line, key", [("settle_longest = 2.0", "checks.settle_longest"),
                                       ("settle_chunk = 0.5", "checks.settle_chunk")])
def test_a_bad_settling_setting_names_its_key(tmp_path, line, key):
    from highroad.analysis.claims import CLAIMS_FILE

    text = CLAIMS_FILE.read_text()
    assert line in text
    path = tmp_path / "claims.toml"
    path.write_text(text.replace(line, line.split(" = ")[0] + " = 0.0"))
    with pytest.raises(ScenarioError, match=key):
        load_claims(path)
