"""Distributional and regional measures, vectorised, weighted where households differ in size."""

from __future__ import annotations

import numpy as np


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini coefficient of non-negative values (negative values count as zero), in [0, 1]."""
    x = np.maximum(np.asarray(values, dtype=float), 0.0)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    x, w = x[keep], w[keep]
    if x.size == 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum_w = np.cumsum(w)
    cum_xw = np.cumsum(x * w)
    total_w, total_xw = cum_w[-1], cum_xw[-1]
    if total_xw <= 0:
        return 0.0
    # Area under the Lorenz curve by trapezoids over population shares.
    lorenz = cum_xw / total_xw
    prev = np.r_[0.0, lorenz[:-1]]
    area = np.sum(w / total_w * (lorenz + prev) / 2.0)
    return float(np.clip(1.0 - 2.0 * area, 0.0, 1.0))


def group_medians(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of `values` within each group 0..n_groups-1 (nan for an empty group)."""
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    order = np.lexsort((values, groups))
    v, g = values[order], groups[order]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2.0
    return out


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    if cum.size == 0 or cum[-1] <= 0:
        return 0.0
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def middle_class_share(income: np.ndarray, weights: np.ndarray, low: float = 0.75,
                       high: float = 2.0) -> float:
    """Share of households with income between `low` and `high` times the median (OECD band)."""
    median = weighted_median(income, weights)
    if median <= 0:
        return 0.0
    inside = (income >= low * median) & (income <= high * median)
    return float(weights[inside].sum() / weights.sum())


def coefficient_of_variation(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    mean = values.mean() if values.size else 0.0
    return float(values.std() / mean) if mean > 0 else 0.0


def theil(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Theil T index of positive values (zeros contribute nothing)."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    mean = np.sum(w * x) / np.sum(w) if np.sum(w) > 0 else 0.0
    if mean <= 0:
        return 0.0
    r = x / mean
    terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return float(max(np.sum(w * terms) / np.sum(w), 0.0))
