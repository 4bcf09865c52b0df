"""Rare independent events among many workers, drawn without a number for each worker.

Retirement, migration and quits each strike a small share of the workers each quarter,
independently. Drawing one uniform number per worker and keeping those below the rate costs
a pass over every worker for a few hundred events; drawing the gaps between successive
events (geometric with the same probability) gives the same distribution, a Bernoulli
process over the workers, at a cost proportional to the number of events.
"""

from __future__ import annotations

import numpy as np


def bernoulli_indices(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Ascending indices in 0..n-1, each included independently with probability `p`.

    The gaps between included indices are geometric (`rng.geometric(p)`), drawn in batches
    until the indices pass `n`.
    """
    if n <= 0 or p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n, dtype=np.int64)
    expected = n * p
    batch = int(expected + 4.0 * np.sqrt(expected) + 16)
    chunks, last = [], -1
    while last < n - 1:
        # A gap past the end ends the draw: capping gaps at n keeps the sums from overflowing.
        positions = last + np.cumsum(np.minimum(rng.geometric(p, size=batch), n))
        chunks.append(positions)
        last = int(positions[-1])
    drawn = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    return drawn[: np.searchsorted(drawn, n)]
