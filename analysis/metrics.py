"""Distributional and regional measures, vectorised, weighted where households differ in size."""

from __future__ import annotations

import numpy as np

from highroad.regions.kernels import group_medians, lexsort_groups  # noqa: F401 (re-exported)


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
    return gini_of_sorted(np.sort(x), float(x.sum()))


def gini_of_sorted(x_sorted: np.ndarray, total: float) -> float:
    """Unweighted Gini of non-negative values already sorted ascending, whose sum is `total`.

    `total` is passed in (summed over the unsorted values) so a caller that also needs the
    mean or the median of the same values sorts and sums them once.
    """
    n = x_sorted.size
    if n == 0 or total <= 0:
        return 0.0
    # sum_i i x_(i) as a pairwise sum, not np.dot: BLAS splits a long dot product over
    # threads, so its rounding (and the Gini's last digits) would depend on the core count.
    g = 2.0 * position_weighted_sums(x_sorted, 1, 1)[0] / (n * total) - (n + 1.0) / n
    return float(np.clip(g, 0.0, 1.0))


#: The leaves of `position_weighted_sums`: blocks of products this long stay in the cache.
_BLOCK = 16384
_OFFSETS = np.arange(_BLOCK, dtype=float)
_OFFSETS.flags.writeable = False


def position_weighted_sums(x: np.ndarray, first: int, step: int) -> tuple[float, float]:
    """`sum_p (first + step * p) * x[p]` and `sum_p x[p]`, the numbers `np.sum` gives.

    `np.sum` of a contiguous float array is a pairwise sum: it halves the array (the first
    half a multiple of 8 long) down to blocks of 128. Following the same halving down to
    blocks of `_BLOCK`, each block's products are formed in one buffer and summed by
    `np.sum`, and the block itself summed while it is in the cache: the same additions in
    the same order as `np.sum` of the products and of `x`, in one pass over `x` and without
    arrays of weights and products as long as it. The weights must be integers below 2**53
    (exact as floats).
    """
    if x.size == 0:
        return 0.0, 0.0
    steps = _OFFSETS[:min(x.size, _BLOCK)] * step
    products = np.empty_like(steps)

    def pairwise(start: int, stop: int) -> tuple[float, float]:
        n = stop - start
        if n <= _BLOCK:
            np.add(steps[:n], first + step * start, out=products[:n])
            products[:n] *= x[start:stop]
            return float(products[:n].sum()), float(x[start:stop].sum())
        half = n // 2
        half -= half % 8
        low, high = pairwise(start, start + half), pairwise(start + half, stop)
        return low[0] + high[0], low[1] + high[1]

    return pairwise(0, x.size)


def nearly_sorted_order(values: np.ndarray) -> np.ndarray:
    """A permutation that puts non-negative floats in ascending order, up to their last bits.

    One sort of 64-bit integers, twice as fast as `np.argsort`: each value's bit pattern
    (for non-negative floats, in the order of the values) with its lowest bits replaced by
    its position. Values that differ only in those bits, and negative values, may come out
    of order: for work that is faster, but not different, with keys mostly ascending.
    """
    bits = np.uint64(max(values.size - 1, 0).bit_length())
    packed = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64) >> bits
    packed <<= bits
    packed |= np.arange(values.size, dtype=np.uint64)
    packed.sort()
    packed &= (np.uint64(1) << bits) - np.uint64(1)
    return packed.view(np.int64)


def sort_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A permutation sorting `values` (floats, no NaN) ascending, and the sorted values.

    The permutation is `np.argsort`'s but for the order of equal values, in about half its
    time: `nearly_sorted_order` does most of the work, and the few values it leaves out of
    order (those differing only in their last bits, negative values) are put right by a
    stable sort of the nearly sorted values, fast on such input (timsort merges runs).
    """
    order = nearly_sorted_order(values)
    ordered = values[order]
    if ordered.size > 1 and (ordered[1:] < ordered[:-1]).any():
        fix = np.argsort(ordered, kind="stable")
        order, ordered = order[fix], ordered[fix]
    return order, ordered


def std_of_log(values: np.ndarray) -> float:
    """`np.log(values).std()`, the same number, with one temporary array instead of three."""
    logs = np.log(values)
    mean = logs.sum() / logs.size
    logs -= mean
    np.multiply(logs, logs, out=logs)
    return float(np.sqrt(logs.sum() / logs.size))


def median_of_sorted(x_sorted: np.ndarray) -> float:
    """Median of values sorted ascending (the same number `np.median` gives)."""
    n = x_sorted.size
    if n == 0:
        return float("nan")
    return float((x_sorted[(n - 1) // 2] + x_sorted[n // 2]) / 2.0)






def merge_sorted(bulk: np.ndarray, extra: np.ndarray,
                 extra_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort many unit-weight values plus a few weighted ones (e.g. workers plus investors).

    One fast `np.sort` of the bulk and an insertion of the few, instead of an argsort of all.
    """
    return merge_into_sorted(np.sort(np.asarray(bulk, dtype=float)), extra, extra_weights)[:2]


def merge_into_sorted(xs: np.ndarray, extra: np.ndarray, extra_weights: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert a few weighted values into unit-weight values already sorted ascending.

    Returns the merged values, their weights and where the extras were inserted (`at`, as
    `np.insert` takes it: extra k lands before `xs[at[k]]`).
    """
    order = np.argsort(extra, kind="stable")
    extra, extra_weights = np.asarray(extra, float)[order], np.asarray(extra_weights, float)[order]
    at = np.searchsorted(xs, extra, side="right")
    # What np.insert(xs, at, extra) gives, by block copies (np.insert builds masks over all).
    k = extra.size
    values = np.empty(xs.size + k)
    where = at + np.arange(k)
    previous = 0
    for j, cut in enumerate(at.tolist()):
        values[previous + j:cut + j] = xs[previous:cut]
        previous = cut
    values[previous + k:] = xs[previous:]
    values[where] = extra
    weights = np.ones(xs.size + k)
    weights[where] = extra_weights
    return values, weights, at


def gini_sorted(x: np.ndarray, w: np.ndarray) -> float:
    """Gini of values already sorted ascending, with weights (negative values count as 0)."""
    if x.size == 0:
        return 0.0
    cum_xw = np.maximum(x, 0.0)
    cum_xw *= w
    np.cumsum(cum_xw, out=cum_xw)
    total_w, total_xw = float(w.sum()), float(cum_xw[-1])
    if total_xw <= 0 or total_w <= 0:
        return 0.0
    lorenz = cum_xw
    lorenz /= total_xw
    # Trapezoids: each Lorenz ordinate plus the one before it (0 before the first).
    pairs = np.empty_like(lorenz)
    pairs[0] = lorenz[0] + 0.0
    np.add(lorenz[1:], lorenz[:-1], out=pairs[1:])
    pairs *= w
    area = float(pairs.sum()) / (2.0 * total_w)  # pairwise sum, not BLAS (see gini_of_sorted)
    return float(np.clip(1.0 - 2.0 * area, 0.0, 1.0))


class Households:
    """A distribution over households: many of weight one (workers) and a few weighted ones.

    `units` are the unit-weight values, sorted ascending; `extra` and `extra_weights` the
    few weighted households (each Investor agent stands for many owner households). The
    measures are read off as if the few were inserted into the sorted many (after equal
    values, as `np.insert` at `np.searchsorted(units, extra, "right")` would put them),
    without building the merged arrays: each costs one or two passes over the units.
    """

    def __init__(self, units: np.ndarray, extra: np.ndarray, extra_weights: np.ndarray) -> None:
        order = np.argsort(extra, kind="stable")
        self.units = units
        self.extra = np.asarray(extra, dtype=float)[order]
        self.extra_weights = np.asarray(extra_weights, dtype=float)[order]
        self.at = np.searchsorted(units, self.extra, side="right")
        self.total_weight = units.size + float(self.extra_weights.sum())
        # Weight of the extras inserted before unit p (at <= p), for p in 0..n.
        self._before = np.r_[0.0, np.cumsum(self.extra_weights)]

    def extra_weight_before(self, position: np.ndarray) -> np.ndarray:
        """Weight of the extras that precede the unit at sorted `position` (at <= position)."""
        return self._before[np.searchsorted(self.at, position, side="right")]

    def gini(self) -> float:
        """Gini coefficient (negative values count as zero), the trapezoid Lorenz area.

        With weights w_i in sorted order, suffix weights S_i and total value T:
        G = 1 - sum_i w_i x_i (2 S_i - w_i) / (W T).
        """
        x, n = self.units, self.units.size
        start = int(np.searchsorted(x, 0.0, side="right"))  # the positive values
        # Units: S_p = (n - p) + weight of the extras after p; 2 (n - p) - 1 runs down the odds.
        total, positive = position_weighted_sums(x[start:], 2 * (n - start) - 1, -2)
        extra = np.maximum(self.extra, 0.0)
        value = positive + float(np.sum(self.extra_weights * extra))
        if value <= 0 or self.total_weight <= 0:
            return 0.0
        after = float(self.extra_weights.sum())
        previous = start
        for cut, weight in zip(self.at.tolist(), self.extra_weights.tolist(), strict=True):
            if cut > previous:
                total += 2.0 * after * float(x[previous:cut].sum())
                previous = cut
            after -= weight
        # Extras: S_k = w_k + weight of the extras after k + the units after it.
        suffix = np.cumsum(self.extra_weights[::-1])[::-1]
        s = suffix + (n - self.at)
        total += float(np.sum(self.extra_weights * extra * (2.0 * s - self.extra_weights)))
        g = 1.0 - total / (self.total_weight * value)
        return float(np.clip(g, 0.0, 1.0))

    def ranks_of(self, values: np.ndarray) -> np.ndarray:
        """The household rank of each of `values` (in no order): the cumulative weight up to
        the first household with that value, `(below + 1 + extras before) / W`, `below`
        counting the units less than it.

        The values are looked up in (nearly) ascending order: binary searches for ascending
        keys walk the units forwards, several times faster than for keys as they come.
        """
        order = nearly_sorted_order(values)
        below = np.searchsorted(self.units, values[order])
        out = np.empty(values.size)
        out[order] = (below + 1.0 + self.extra_weight_before(below)) / self.total_weight
        return out

    def median(self) -> float:
        """Weighted median: the first household at or past half the total weight."""
        x, n = self.units, self.units.size
        half = 0.5 * self.total_weight
        base, start = 0.0, 0
        for k, cut in enumerate(self.at.tolist() + [n]):
            # units start..cut-1: the unit at p has cumulative weight base + (p - start) + 1
            if cut > start and base + (cut - start) >= half:
                p = start + max(0, int(np.ceil(half - base - 1.0)))
                return float(x[min(p, cut - 1)])
            base += cut - start
            start = cut
            if k < self.extra.size:
                base += float(self.extra_weights[k])
                if base >= half:
                    return float(self.extra[k])
        if n:
            return float(x[-1])
        return float(self.extra[-1]) if self.extra.size else 0.0

    def share_between(self, low: float, high: float) -> float:
        """Share of households with value in [low, high]."""
        x = self.units
        units = int(np.searchsorted(x, high, "right")) - int(np.searchsorted(x, low, "left"))
        inside = (self.extra >= low) & (self.extra <= high)
        return (units + float(self.extra_weights[inside].sum())) / self.total_weight

    def middle_class_share(self, low: float = 0.75, high: float = 2.0) -> float:
        """Share of households between `low` and `high` times the median (OECD band)."""
        median = self.median()
        if median <= 0:
            return 0.0
        return self.share_between(low * median, high * median)

    def ranks_of_runs(self, positions: np.ndarray | None = None) -> np.ndarray:
        """For each sorted unit (or those at `positions`, ascending), the household rank
        `cum[left] / W` of its value.

        `left` is the first household with an equal value (always a unit: extras sit after
        equal units) and `cum` the cumulative weight, so the rank counts the households
        below, the first equal one and the extras before it.
        """
        x, n = self.units, self.units.size
        first = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
        first[1:][x[1:] == x[:-1]] = 0
        np.maximum.accumulate(first, out=first)
        # The extras before each unit (an insertion point never splits a run of equal
        # values, so the unit's own count serves for the first of its run).
        at = self.at
        if positions is not None:
            first = first[positions]
            at = np.searchsorted(positions, at)  # where the extras fall among the positions
        rank = np.repeat(self._before, np.diff(np.r_[0, at, first.size]))
        rank += first
        rank += 1.0
        rank /= self.total_weight
        return rank


def median_sorted(x: np.ndarray, w: np.ndarray, cum: np.ndarray | None = None) -> float:
    """Weighted median of values already sorted ascending (`cum`: np.cumsum(w), if known)."""
    cum = np.cumsum(w) if cum is None else cum
    if cum.size == 0 or cum[-1] <= 0:
        return 0.0
    return float(x[min(int(np.searchsorted(cum, 0.5 * cum[-1])), x.size - 1)])


def middle_class_share_sorted(x: np.ndarray, w: np.ndarray, low: float = 0.75,
                              high: float = 2.0, cum: np.ndarray | None = None) -> float:
    """Share of households between `low` and `high` times the median (sorted input)."""
    median = median_sorted(x, w, cum)
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
