"""H5/C5: is inequality more a matter of domestic policy than of openness?

Grouped Sobol indices (SALib, `groups`; Jacques, Lavergne and Devictor 2006, §2) of each
observable over two groups of factors: openness (the world: capital mobility, trade
openness) and domestic policy (the levers a region keeps under its government rule). One
total-order index per group, so the verdict compares two numbers, not sums of overlapping
indices. The governments follow an endogenous rule (`[c5].overrides`), so openness acts
through the tax governments choose as well as directly. The design is SALib's Saltelli
sample; the indices are recomputed on its leading 2^k base samples for the convergence
plot (a prefix of a Sobol sequence is itself a balanced design).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.claims import ClaimsSpec, Runs, summarise
from highroad.analysis.verdicts import Effect, verdict

GROUPS = ("openness", "policy")


def problem(c5: dict[str, Any]) -> dict[str, Any]:
    names = [*c5["openness"], *c5["policy"]]
    bounds = [list(map(float, c5[g][k])) for g in GROUPS for k in c5[g]]
    return {"num_vars": len(names), "names": names, "bounds": bounds,
            "groups": [g for g in GROUPS for _ in c5[g]]}


def grouped_indices(prob: dict[str, Any], y: np.ndarray, resamples: int = 1000
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """S1 and ST per group with 95% intervals, and the resampled ST (groups x resamples)."""
    from SALib.analyze import sobol

    si = sobol.analyze(prob, np.asarray(y, dtype=float), calc_second_order=False,
                       keep_resamples=True, seed=1, num_resamples=resamples)
    frame = pd.DataFrame({"factor": list(GROUPS), "group": list(GROUPS), "S1": si["S1"],
                          "S1_conf": si["S1_conf"], "ST": si["ST"], "ST_conf": si["ST_conf"]})
    return frame, np.asarray(si["ST_conf_all"]).T


def convergence_sizes(kept: int, first: int = 16) -> list[int]:
    """The base-sample counts of the convergence table: 16, 32, 64, ... up to the design's
    own (`kept`), which always ends it."""
    sizes = []
    while first < kept:
        sizes.append(first)
        first *= 2
    return [*sizes, kept]


def complete_blocks(y: np.ndarray, n: int, block: int) -> tuple[np.ndarray, int]:
    """The outputs of the base samples whose every run finished, and how many were dropped.

    A Saltelli design (first order) holds, per base sample, `block` consecutive rows (A, one
    AB per group, B); a run that stopped (NaN) leaves its base sample incomplete. Dropping
    whole base samples keeps the estimator's structure: the indices are those of a design
    with fewer base samples, drawn from the part of the space where runs finish.
    """
    rows = np.asarray(y, dtype=float).reshape(n, block)
    complete = ~np.isnan(rows).any(axis=1)
    return rows[complete].ravel(), int((~complete).sum())


def c5_result(spec: ClaimsSpec, user: dict[str, Any], out: Path, workers: int | None,
              samples: int | None = None
              ) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]:
    """The verdict rows (one per observable), the grouped indices, and their convergence."""
    from SALib.sample import sobol as saltelli

    from highroad.scenarios.sweep import sweep

    c5 = spec.c5
    prob = problem(c5)
    n = int(samples or c5.get("samples", 256))
    x = saltelli.sample(prob, n, calc_second_order=False, seed=int(spec.seed % 2**31))
    common = {**spec.world, **c5.get("overrides", {}), **user}
    steps = int(common.get("steps", 80))
    result = sweep({
        "name": "c5_sobol", "base": "baseline", "steps": steps, "replicates": 1,
        "seed": spec.seed, "overrides": {k: v for k, v in common.items() if k != "steps"},
        "design": {"method": "table", "file": pd.DataFrame(x, columns=prob["names"])},
        # only the observables' columns are stored: 4,096 runs' tables stay small
        "observables": sorted({o.split(":")[1] if o.startswith("regions:") else o
                               for o in c5["observables"]}),
    }, workers=workers, out=out / "c5_sobol", resume=(out / "c5_sobol").exists())
    runs = Runs(result.runs, result.economy, result.regions)
    d = float(c5["sesoi"])
    block = len(GROUPS) + 2
    rows, indices, convergence = [], [], []
    for observable in c5["observables"]:
        y, dropped = complete_blocks(summarise(runs, observable).groupby("point")["value"]
                                     .mean().reindex(range(len(x))).to_numpy(), n, block)
        if dropped > 0.05 * n:
            raise RuntimeError(f"c5_sobol: {len(result.failed)} runs failed, {dropped} of "
                               f"{n} base samples incomplete (more than 5%)")
        for size in convergence_sizes(len(y) // block):
            frame, st_all = grouped_indices(prob, y[: size * block])
            diff = st_all[1] - st_all[0]
            lo, hi = np.nanpercentile(diff, [2.5, 97.5])
            convergence.append({"observable": observable, "base_samples": size,
                                "runs": size * block,
                                **{f"ST_{g}": v for g, v in zip(GROUPS, frame["ST"],
                                                                strict=True)},
                                **{f"ST_{g}_conf": v for g, v in zip(GROUPS, frame["ST_conf"],
                                                                     strict=True)},
                                "difference": float(frame["ST"][1] - frame["ST"][0]),
                                "diff_low": float(lo), "diff_high": float(hi)})
        frame, st_all = grouped_indices(prob, y)
        diff = st_all[1] - st_all[0]
        lo, hi = np.nanpercentile(diff, [2.5, 97.5])
        lo90, hi90 = np.nanpercentile(diff, [5.0, 95.0])
        openness, policy = float(frame["ST"][0]), float(frame["ST"][1])
        effect = Effect(openness, policy, policy - openness, float(lo), float(hi),
                        float("nan"), float("nan"), float("nan"), len(y), float(lo90),
                        float(hi90))
        rows.append({
            "claim": c5["id"], "title": c5["title"], "source": c5["source"],
            "condition_a": "openness: " + ", ".join(c5["openness"]),
            "condition_b": "policy: " + ", ".join(c5["policy"]),
            "design": (f"grouped Sobol, {len(y)} runs, {common.get('government_rule')} rule"
                       + (f"; {dropped} of {n} base samples left out: a run stopped at a "
                          "plausibility bound" if dropped else "")),
            "observable": f"{observable} (total Sobol index, policy minus openness)",
            "why": c5.get("why", ""), "mean_a": openness, "mean_b": policy,
            "effect": effect.difference, "ci_low": effect.ci_low, "ci_high": effect.ci_high,
            "ci90_low": effect.ci90_low, "ci90_high": effect.ci90_high, "margin": d,
            "ci_half_width": (effect.ci_high - effect.ci_low) / 2,
            "replicates": len(y), "sceptic_predicts": "decrease",
            "sceptic_verdict": verdict("decrease", effect, d), "counter_predicts": "increase",
            "counter_verdict": verdict("increase", effect, d),
            "placebo_effect": float("nan"), "settled": "n/a", "fragile": "n/a",
            "robust_share": float("nan")})
        indices.append(frame.assign(observable=observable))
    return rows, pd.concat(indices, ignore_index=True), pd.DataFrame(convergence)
