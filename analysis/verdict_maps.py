"""Where each verdict holds: verdicts over capital_mobility x trade_openness under each
government rule, the share of that space where each side's prediction holds, and PRIM
(EMA Workbench) on where the sceptics win.

Each cell of the grid runs the claim's conditions with the cell's settings under them (the
scenario file < [world] < --set < the cell < the condition's own overrides): an axis the
claim's contrast itself sets (H2's mobility, H3's rule) keeps the claim's value, and is left
out of that claim's grid.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from highroad.analysis.claims import Claim, ClaimsSpec, run_conditions, summarise
from highroad.analysis.decide import verdicts
from highroad.analysis.verdicts import contrast_effect

AXES = ("capital_mobility", "trade_openness", "government_rule")
DEFAULT_MAPS = {"capital_mobility": [0.1, 0.5, 0.9], "trade_openness": [0.1, 0.5, 0.9],
                "government_rule": ["fixed", "competitive", "democratic", "leviathan",
                                    "reactive"], "replicates": 4}


def grid(claim: Claim, spec: ClaimsSpec) -> list[dict[str, Any]]:
    """The cells of the claim's map: every combination of the axes its contrast leaves free."""
    settings = {**DEFAULT_MAPS, **spec.maps}
    fixed = {k for c in claim.conditions for k in c.overrides}
    axes = [a for a in AXES if a not in fixed]
    return [dict(zip(axes, values, strict=True))
            for values in itertools.product(*(settings[a] for a in axes))]


def verdict_map(claim: Claim, spec: ClaimsSpec, user: dict[str, Any], out: Path,
                workers: int | None, replicates: int | None = None) -> pd.DataFrame:
    """One row per cell: the cell's settings, the effect and both verdicts."""
    cells = grid(claim, spec)
    reps = int(replicates or {**DEFAULT_MAPS, **spec.maps}["replicates"])
    conditions = [replace(c, overrides={**cell, **c.overrides})
                  for cell in cells for c in claim.conditions]
    runs = run_conditions(claim.id.replace("/", "_") + "_map", conditions, spec, user, reps,
                          out, workers)
    values = summarise(runs, claim.observable)
    d = spec.sesoi_of(claim.observable)
    k = len(claim.conditions)
    rows = []
    for i, cell in enumerate(cells):
        arrays = [values.loc[values["point"] == i * k + j, "value"].to_numpy()
                  for j in range(k)]
        effect = contrast_effect(arrays, claim.weights)
        rows.append({"claim": claim.id, **cell, "effect": effect.difference,
                     "ci_low": effect.ci_low, "ci_high": effect.ci_high,
                     **verdicts(claim, effect, d)})
    return pd.DataFrame(rows)


def robust_shares(cells: pd.DataFrame, row: dict[str, Any]) -> dict[str, float]:
    """Shares of the map where each side's prediction is supported, and where both of the
    headline verdicts hold (`robust_share`)."""
    same = ((cells["sceptic_verdict"] == row["sceptic_verdict"])
            & (cells["counter_verdict"] == row["counter_verdict"]))
    return {"robust_share": float(same.mean()),
            "sceptic_share": float((cells["sceptic_verdict"] == "supported").mean()),
            "counter_share": float((cells["counter_verdict"] == "supported").mean()),
            "map_cells": len(cells)}


def sceptics_win(cells: pd.DataFrame) -> np.ndarray:
    """Cells where the sceptics' prediction is supported and the counter-claim's is not."""
    return ((cells["sceptic_verdict"] == "supported")
            & (cells["counter_verdict"] != "supported")).to_numpy()


def prim_where_sceptics_win(cells: pd.DataFrame, density: float = 0.8) -> str:
    """PRIM (EMA Workbench) over one claim's map cells: the box of settings where the
    sceptics win, as text ('' when they win nowhere or everywhere)."""
    from ema_workbench.analysis import prim

    y = sceptics_win(cells)
    if not y.any() or y.all():
        return ""
    axes = [a for a in AXES if a in cells and cells[a].notna().all()]
    x = cells[axes].reset_index(drop=True).copy()
    for a in axes:
        if not pd.api.types.is_numeric_dtype(x[a]):
            x[a] = x[a].astype(str).astype("category")
    box = prim.Prim(x, y, threshold=density).find_box()
    last = len(box.peeling_trajectory) - 1
    stats = box.peeling_trajectory.iloc[last]
    if stats["density"] < density:
        return (f"no box reaches density {density:g} (the sceptics win in {int(y.sum())} of "
                f"{len(y)} cells, scattered)")
    limits = []
    for key in box.qp[last]:
        lo, hi = box.box_lim[key].iloc[0], box.box_lim[key].iloc[1]
        limits.append(f"{key} in {{{', '.join(sorted(map(str, lo)))}}}" if isinstance(lo, set)
                      else f"{lo:g} <= {key} <= {hi:g}")
    return (f"{'; '.join(limits) or 'the whole space'} (coverage {stats['coverage']:.2f}, "
            f"density {stats['density']:.2f}, {int(y.sum())} of {len(y)} cells)")
