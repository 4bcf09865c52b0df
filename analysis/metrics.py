"""Distributional and regional measures, vectorised, weighted where households differ in size."""

from __future__ import annotations

import numpy as np


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini coefficient of non-negative values (negative values count as zero), in [0, 1]."""
    x = np.maximum(np.asarray(values, dtype=float), 0.0)
    if weights is None:
        return _unweighted_gini(x)
    w = np.asarray(weights, dtype=float)
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


def _unweighted_gini(x: np.ndarray) -> float:
    """G = 2 sum(i x_(i)) / (n sum x) - (n + 1) / n over sorted x (one fast sort)."""
    n = x.size
    total = float(x.sum())
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1, dtype=float)
    g = 2.0 * float(np.dot(ranks, np.sort(x))) / (n * total) - (n + 1.0) / n
    return float(np.clip(g, 0.0, 1.0))


def group_medians(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of `values` within each group 0..n_groups-1 (nan for an empty group)."""
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    # Sort once by (group, value): shift each group onto its own interval of the real line.
    low = float(values.min())
    span = float(values.max()) - low + 1.0
    counts = np.bincount(groups, minlength=n_groups)
    offsets = np.repeat(np.arange(n_groups) * span, counts)
    v = np.sort((values - low) + groups * span) - offsets + low
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2.0
    return out


def merge_sorted(bulk: np.ndarray, extra: np.ndarray,
                 extra_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort many unit-weight values plus a few weighted ones (e.g. workers plus investors).

    One fast `np.sort` of the bulk and an insertion of the few, instead of an argsort of all.
    """
    xs = np.sort(np.asarray(bulk, dtype=float))
    order = np.argsort(extra, kind="stable")
    extra, extra_weights = np.asarray(extra, float)[order], np.asarray(extra_weights, float)[order]
    at = np.searchsorted(xs, extra, side="right")
    return np.insert(xs, at, extra), np.insert(np.ones_like(xs), at, extra_weights)


def gini_sorted(x: np.ndarray, w: np.ndarray) -> float:
    """Gini of values already sorted ascending, with weights (negative values count as 0)."""
    x = np.maximum(x, 0.0)
    cum_xw = np.cumsum(x * w)
    total_w, total_xw = float(w.sum()), float(cum_xw[-1]) if x.size else 0.0
    if total_xw <= 0 or total_w <= 0:
        return 0.0
    lorenz = cum_xw / total_xw
    area = float(np.dot(w, lorenz + np.r_[0.0, lorenz[:-1]])) / (2.0 * total_w)
    return float(np.clip(1.0 - 2.0 * area, 0.0, 1.0))


def median_sorted(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted median of values already sorted ascending."""
    cum = np.cumsum(w)
    if cum.size == 0 or cum[-1] <= 0:
        return 0.0
    return float(x[min(int(np.searchsorted(cum, 0.5 * cum[-1])), x.size - 1)])


def middle_class_share_sorted(x: np.ndarray, w: np.ndarray, low: float = 0.75,
                              high: float = 2.0) -> float:
    """Share of households between `low` and `high` times the median (sorted input)."""
    median = median_sorted(x, w)
    if median <= 0:
        return 0.0
    lo, hi = np.searchsorted(x, low * median, "left"), np.searchsorted(x, high * median, "right")
    return float(w[lo:hi].sum() / w.sum())


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
