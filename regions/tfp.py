"""Firm productivity at birth: one draw, used for the firms at start and for every entrant."""

from __future__ import annotations

from typing import Any

import numpy as np


def draw_tfp(rng: np.random.Generator, n: int, params: Any) -> np.ndarray:
    """`n` firm productivities with mean 1, from the scenario's `firms` parameters.

    `tfp_distribution = "pareto"`: a Pareto tail, as measured productivity and firm-size
    distributions show (Axtell 2001, Science 293; Luttmer 2007, QJE 122(3), §II: a Pareto
    tail of productivity gives a Pareto tail of firm size). Its shape is 1 / `tfp_dispersion`
    (log productivity is then exponential with that standard deviation); a shape near 3 is
    what trade models estimate from firm sizes (Chaney 2008, AER 98(4), §III). `"lognormal"`:
    the thin-tailed alternative, log productivity normal with that standard deviation.
    Either way the mean is 1, so the dispersion spreads productivity without raising its
    average; dispersion 0 gives every firm productivity 1.
    """
    sigma = params.tfp_dispersion
    if params.tfp_distribution == "lognormal":
        return np.exp(sigma * rng.standard_normal(n) - 0.5 * sigma**2)
    # Inverse CDF of a Pareto with shape 1/sigma and mean 1 (scale 1 - sigma), u in (0, 1].
    return (1.0 - sigma) * (1.0 - rng.random(n)) ** -sigma
