"""Effect sizes, bootstrap confidence intervals and the verdict rule of the claims report.

The rule, stated once and applied to every claim (and printed in the report):

Each side of a claim predicts a region of the effect (condition B minus condition A):
`increase` = above +m, `decrease` = below -m, `no_change` = between -m and +m, where the
margin m is the claim's declared relative margin times |mean of A|. With the 95% bootstrap
confidence interval of the effect, a side's prediction is **supported** when the interval lies
inside its region, **refuted** when the interval lies entirely outside it, and
**inconclusive** otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREDICTIONS = ("increase", "decrease", "no_change")
VERDICTS = ("supported", "refuted", "inconclusive")

RULE = (
    "Each side predicts a region for the effect (B minus A): increase = above +m, "
    "decrease = below -m, no change = within ±m, where m is the claim's margin times |mean A|. "
    "A prediction is supported when the 95% bootstrap confidence interval of the effect lies "
    "inside its region, refuted when the interval lies entirely outside it, inconclusive "
    "otherwise."
)


@dataclass(frozen=True)
class Effect:
    """Difference and ratio of means of B over A with percentile bootstrap intervals."""

    mean_a: float
    mean_b: float
    difference: float
    ci_low: float
    ci_high: float
    ratio: float
    ratio_low: float
    ratio_high: float
    replicates: int


def bootstrap_effect(a: np.ndarray, b: np.ndarray, resamples: int = 4000,
                     seed: int = 0, paired: bool = True) -> Effect:
    """Effect of B over A across replicates, with 95% percentile bootstrap intervals.

    With common random numbers (replicate r of A and B share a seed) the pairs are resampled
    together, which removes the shared noise from the interval.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    if paired and a.size == b.size:
        idx = rng.integers(0, a.size, size=(resamples, a.size))
        ma, mb = a[idx].mean(axis=1), b[idx].mean(axis=1)
    else:
        ma = a[rng.integers(0, a.size, size=(resamples, a.size))].mean(axis=1)
        mb = b[rng.integers(0, b.size, size=(resamples, b.size))].mean(axis=1)
    diff = mb - ma
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = mb / ma
        point_ratio = b.mean() / a.mean() if a.mean() != 0 else np.nan
    lo, hi = np.percentile(diff, [2.5, 97.5])
    rlo, rhi = np.nanpercentile(ratio, [2.5, 97.5]) if np.isfinite(ratio).any() else (np.nan,) * 2
    return Effect(float(a.mean()), float(b.mean()), float(b.mean() - a.mean()), float(lo),
                  float(hi), float(point_ratio), float(rlo), float(rhi), int(min(a.size, b.size)))


def region_of(prediction: str, margin: float) -> tuple[float, float]:
    """The interval of effects a prediction claims."""
    if prediction == "increase":
        return margin, np.inf
    if prediction == "decrease":
        return -np.inf, -margin
    if prediction == "no_change":
        return -margin, margin
    raise ValueError(f"unknown prediction {prediction!r}; allowed: {', '.join(PREDICTIONS)}")


def verdict(prediction: str, ci_low: float, ci_high: float, margin: float) -> str:
    """Apply the rule (module docstring) to one side's prediction."""
    lo, hi = region_of(prediction, margin)
    if lo <= ci_low and ci_high <= hi:
        return "supported"
    if ci_high < lo or ci_low > hi:
        return "refuted"
    return "inconclusive"
