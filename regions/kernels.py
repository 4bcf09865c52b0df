"""Numeric kernels the core shares with the analysis layer: grouped medians, grouped sorts.

They live with the core (agents, regions, policies import them) so that the core imports
nothing from `highroad.analysis`; `analysis/metrics.py` re-exports them.
"""

from __future__ import annotations

import numpy as np


def group_medians(values: np.ndarray, groups: np.ndarray, n_groups: int,
                  counts: np.ndarray | None = None) -> np.ndarray:
    """Median of `values` within each group 0..n_groups-1 (nan for an empty group).

    The numbers are those of one sort by (group, value), done by shifting each group onto
    its own interval of the real line: each median is read back through that shift (so it
    may differ from the plain median in the last bits). When the groups come in order
    (workers are stored region by region) each group's two middle values are selected in
    its own slice instead, which gives the same numbers: the shift keeps the order within
    a group. `counts`: the size of each group, if known.
    """
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    low = float(values.min())
    span = float(values.max()) - low + 1.0
    if counts is None:
        counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    has = np.flatnonzero(counts)
    lo_rank, hi_rank = (counts - 1) // 2, counts // 2
    if values.size > 4 * n_groups and not (groups[1:] < groups[:-1]).any():
        lo, hi = np.empty(has.size), np.empty(has.size)
        for j, g in enumerate(has.tolist()):
            seg = values[starts[g]:starts[g] + counts[g]]
            a, b = int(lo_rank[g]), int(hi_rank[g])
            # One selection: the a-th value (a = b - 1) is the largest of those below the b-th
            # (numpy selects one rank several times faster than two).
            part = np.partition(seg, b)
            below = part[b] if a == b else part[:b].max()
            shift = g * span
            lo[j] = ((below - low) + shift - shift) + low
            hi[j] = ((part[b] - low) + shift - shift) + low
        out[has] = (lo + hi) / 2.0
        return out
    # Sort once by (group, value): shift each group onto its own interval of the real line.
    key = values - low
    key += groups * span
    key.sort()
    shift = (np.arange(n_groups) * span)[has]
    lo = (key[starts[has] + lo_rank[has]] - shift) + low
    hi = (key[starts[has] + hi_rank[has]] - shift) + low
    out[has] = (lo + hi) / 2.0
    return out


def lexsort_groups(key: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The permutation `np.lexsort((key, group))` gives, computed with fast sorts.

    Orders by `group` (non-negative integers), then by `key` (floats, no NaN), then by
    position, exactly as the stable lexsort does. `np.lexsort` runs two merge sorts;
    here one integer sort does the work: group, the leading bits of the key and the
    position packed into one 64-bit number. Keys that share those leading bits come out in
    position order, so the rare runs whose full keys are out of order are sorted again on
    their own (a few elements). About ten times faster at 10^5 to 10^6 elements. Small
    inputs, and groups or positions too large to pack, go to `np.lexsort`.
    """
    n = key.size
    if n < 2048:
        return np.lexsort((key, group))
    position_bits = (n - 1).bit_length()
    top = int(group.max())
    key_bits = 64 - max(top, 1).bit_length() - position_bits
    if int(group.min()) < 0 or key_bits < 16:
        return np.lexsort((key, group))
    # Floats as unsigned integers in the same order (-0.0 made +0.0: lexsort ties them).
    packed = np.add(key, 0.0, dtype=np.float64).view(np.uint64)
    flip = packed.view(np.int64) >> 63  # all ones for negative keys, else zero
    flip |= np.int64(-(1 << 63))
    packed ^= flip.view(np.uint64)
    packed >>= np.uint64(64 - key_bits)
    np.copyto(flip, group)
    flip <<= key_bits
    packed |= flip.view(np.uint64)
    packed <<= np.uint64(position_bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    # Runs of equal (group, leading key bits) come out in position order: right unless
    # their full keys are not in order, which only neighbours in a run can show.
    np.bitwise_xor(packed[1:], packed[:-1], out=flip[1:].view(np.uint64))
    in_run = np.flatnonzero(flip[1:].view(np.uint64) < np.uint64(1 << position_bits))
    packed &= np.uint64((1 << position_bits) - 1)
    order = packed.view(np.int64)
    wrong = in_run[key[order[in_run + 1]] < key[order[in_run]]]
    done = -1
    for w in wrong.tolist():
        if w < done:
            continue
        a, b = w, w + 2  # the run around the pair (w, w + 1), read off in_run
        i = int(np.searchsorted(in_run, w))
        while i > 0 and in_run[i - 1] == a - 1:
            a, i = a - 1, i - 1
        j = int(np.searchsorted(in_run, w))
        while j + 1 < in_run.size and in_run[j + 1] == b - 1:
            b, j = b + 1, j + 1
        members = order[a:b].copy()  # ascending positions
        order[a:b] = members[np.argsort(key[members], kind="stable")]
        done = b
    return order
