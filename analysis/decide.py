"""Deciding one claim: its contrast, the verdicts, and the checks a referee would ask for.

For each claim (`analysis/claims.py` loads them) this module runs its conditions, forms the
contrast (B - A, or the difference-in-differences (B - A) - (D - C)), and applies the rule of
`analysis/verdicts.py` with the observable's smallest effect of interest. Then:

- **placebo**: the same contrast with the claim's mechanism switched off (`placebo`
  overrides on every condition); `placebo_effect`, and a flag when at least half the effect
  survives its placebo;
- **settled**: each condition runs until the drift of its replicate-mean path over the last
  `checks.settle_window` of the run (OLS slope times the window) is within
  `checks.settle_tolerance` times the SESOI; a claim's conditions are continued together in
  chunks up to a longest run while one has not (`analysis/settle.py`); the placebo, scaled
  and dose runs are as long as the claim's runs;
- **fragile**: the verdicts again at `checks.scale` times the workers and firms per region;
  `fragile` when either side's verdict changes;
- **dose**: where declared, B at each dose of a stated range.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.claims import (
    Claim,
    ClaimsSpec,
    Condition,
    Runs,
    run_conditions,
    summarise,
)
from highroad.analysis.settle import Rule, settle
from highroad.analysis.verdicts import Effect, contrast_effect, meaningful, verdict
from highroad.scenarios.loader import load_scenario

LETTERS = "ABCD"
DEFAULT_CHECKS = {"settle_window": 0.4, "settle_tolerance": 0.5, "settle_chunk": 0.5,
                  "settle_longest": 2.0, "scale": 2, "placebo_share": 0.5}


def checks(spec: ClaimsSpec) -> dict[str, float]:
    return {**DEFAULT_CHECKS, **spec.checks}


def effect_of(claim: Claim, runs: Runs) -> tuple[Effect, pd.DataFrame]:
    """The claim's contrast over replicates, and the per-run values labelled A..D."""
    values = summarise(runs, claim.observable)
    arrays = [values.loc[values["point"] == i, "value"].to_numpy()
              for i in range(len(claim.conditions))]
    effect = contrast_effect(arrays, claim.weights)
    labels = np.array(list(LETTERS))[values["point"].to_numpy()]
    return effect, values.assign(condition=labels)


def verdicts(claim: Claim, effect: Effect, d: float) -> dict[str, Any]:
    """Both sides' verdicts and the interval flags."""
    return {
        "sceptic_verdict": verdict(claim.sceptic_predicts, effect, d),
        "counter_verdict": verdict(claim.counter_predicts, effect, d),
        "meaningful": meaningful(effect, d),
    }


def with_overrides(conditions: list[Condition], extra: dict[str, Any]) -> list[Condition]:
    return [replace(c, overrides={**c.overrides, **extra}) for c in conditions]


def scaled(conditions: list[Condition], common: dict[str, Any], factor: int
           ) -> list[Condition]:
    """The conditions with `factor` times the workers and firms per region each would have."""
    out = []
    for c in conditions:
        world = load_scenario(c.scenario, {**common, **c.overrides}).world
        out.append(replace(c, overrides={
            **c.overrides, "workers_per_region": int(world.workers_per_region * factor),
            "firms_per_region": int(world.firms_per_region * factor)}))
    return out


def decide_claim(claim: Claim, spec: ClaimsSpec, user: dict[str, Any], reps: int, out: Path,
                 workers: int | None, check: bool = True
                 ) -> tuple[dict[str, Any], pd.DataFrame, Runs, pd.DataFrame | None]:
    """Effect, interval and verdicts of one claim with its placebo, settledness, fragility
    and dose-response; also its per-run values, its runs and the dose table (or None)."""
    name = claim.id.replace("/", "_")
    d = spec.sesoi_of(claim.observable)
    c = checks(spec)
    ran = settle(name, claim.conditions, claim.observable, d, Rule.of(c), spec, user, reps,
                 out, workers)
    runs, user = ran.runs, {**user, "steps": ran.steps}  # the checks run as long
    effect, values = effect_of(claim, runs)
    row: dict[str, Any] = {
        "claim": claim.id, "title": claim.title, "source": claim.source,
        "condition_a": claim.a.label, "condition_b": claim.b.label,
        "condition_c": claim.c.label if claim.c else "",
        "condition_d": claim.d.label if claim.d else "",
        "design": "difference-in-differences" if claim.c else "pair",
        "observable": claim.observable, "why": claim.why,
        "mean_a": effect.mean_a, "mean_b": effect.mean_b, "effect": effect.difference,
        "ci_low": effect.ci_low, "ci_high": effect.ci_high,
        "ci90_low": effect.ci90_low, "ci90_high": effect.ci90_high,
        "margin": d, "replicates": effect.replicates,
        "sceptic_predicts": claim.sceptic_predicts, "counter_predicts": claim.counter_predicts,
        **verdicts(claim, effect, d),
    }
    if claim.c is None:
        pair = summarise(runs, claim.observable)
        a = pair.loc[pair["point"] == 0, "value"].to_numpy()
        row["ratio"] = float(pair.loc[pair["point"] == 1, "value"].mean() / a.mean()) \
            if a.mean() != 0 else float("nan")
    else:
        row["ratio"] = float("nan")
    row.update({"steps": ran.steps, "drift": float(np.abs(ran.drift).max()),
                "settled": all(ran.settled)})
    for letter, drifted, settled in zip(LETTERS.lower(), ran.drift, ran.settled,
                                        strict=False):
        row.update({f"drift_{letter}": drifted, f"settled_{letter}": settled})
    if not check:
        return row, values, runs, None
    common = {**spec.world, **user}
    placebo_runs = run_conditions(f"{name}_placebo", with_overrides(claim.conditions,
                                                                     claim.placebo),
                                  spec, user, reps, out, workers)
    placebo, _ = effect_of(claim, placebo_runs)
    placebo_verdicts = verdicts(claim, placebo, d)
    row.update({
        "placebo_effect": placebo.difference, "placebo_ci_low": placebo.ci_low,
        "placebo_ci_high": placebo.ci_high,
        "placebo_sceptic_verdict": placebo_verdicts["sceptic_verdict"],
        "placebo_counter_verdict": placebo_verdicts["counter_verdict"],
        "survives_placebo": bool(abs(placebo.difference)
                                 >= c["placebo_share"] * abs(effect.difference)
                                 and abs(effect.difference) > 0),
    })
    big_runs = run_conditions(f"{name}_scaled", scaled(claim.conditions, common,
                                                       int(c["scale"])),
                              spec, user, reps, out, workers)
    big, _ = effect_of(claim, big_runs)
    big_verdicts = verdicts(claim, big, d)
    row.update({
        "scaled_effect": big.difference, "scaled_sceptic_verdict": big_verdicts[
            "sceptic_verdict"], "scaled_counter_verdict": big_verdicts["counter_verdict"],
        "fragile": bool(big_verdicts["sceptic_verdict"] != row["sceptic_verdict"]
                        or big_verdicts["counter_verdict"] != row["counter_verdict"]),
    })
    return row, values, runs, dose_response(claim, spec, user, reps, out, workers)


def dose_response(claim: Claim, spec: ClaimsSpec, user: dict[str, Any], reps: int, out: Path,
                  workers: int | None) -> pd.DataFrame | None:
    """The effect of B over A at each declared dose (pairs only), with both verdicts."""
    if claim.dose is None or claim.c is not None:
        return None
    doses = [replace(claim.b, label=f"{claim.dose.key} = {v:g}",
                     overrides={**claim.b.overrides, claim.dose.key: v})
             for v in claim.dose.values]
    runs = run_conditions(claim.id.replace("/", "_") + "_dose", [claim.a, *doses], spec, user,
                          reps, out, workers)
    values = summarise(runs, claim.observable)
    a = values.loc[values["point"] == 0, "value"].to_numpy()
    d = spec.sesoi_of(claim.observable)
    rows = []
    for i, dose in enumerate(claim.dose.values, start=1):
        b = values.loc[values["point"] == i, "value"].to_numpy()
        effect = contrast_effect([a, b], [-1.0, 1.0])
        rows.append({"claim": claim.id, "dose_key": claim.dose.key, "dose": dose,
                     "effect": effect.difference, "ci_low": effect.ci_low,
                     "ci_high": effect.ci_high, **verdicts(claim, effect, d)})
    return pd.DataFrame(rows)
