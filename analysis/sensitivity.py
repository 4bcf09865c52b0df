"""Global sensitivity analysis of sweep results with SALib (Sobol indices)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def sobol_indices(problem: dict[str, Any], y: np.ndarray,
                  resamples: int = 1000) -> tuple[pd.DataFrame, np.ndarray]:
    """First-order and total Sobol indices with 95% intervals, and the bootstrap resamples
    of the total indices (factors x resamples) for intervals of sums and differences.

    `y` holds one value per design point in the order SALib's Saltelli sampler made them
    (first-order indices only: the sweep's design has `calc_second_order = false`).
    """
    from SALib.analyze import sobol

    # seed=1, not 0: SALib treats 0 as "no seed" and the intervals would vary between calls.
    si = sobol.analyze(problem, np.asarray(y, dtype=float), calc_second_order=False,
                       keep_resamples=True, seed=1, num_resamples=resamples)
    frame = pd.DataFrame({"factor": problem["names"], "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    # SALib keeps the resampled estimates as (resamples, factors).
    return frame, np.asarray(si["ST_conf_all"]).T


def design_values(runs: pd.DataFrame, column: str) -> np.ndarray:
    """One value per design point (mean over replicates), in design order."""
    return runs.groupby("point")[column].mean().sort_index().to_numpy()
