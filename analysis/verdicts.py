"""Effect sizes, bootstrap confidence intervals and the decision rule of the claims report.

The rule, stated once and applied to every claim (and printed in the report), combines a
test of difference with an equivalence test (Lakens 2017, "Equivalence tests", §2; Lakens,
Scheel and Isager 2018, §3: the four outcomes of the two tests). Each observable has an
absolute smallest effect size of interest (SESOI, `d`), declared with its reason in the
claims file. With the paired percentile-bootstrap intervals of the effect (B minus A, or a
difference-in-differences):

- the effect is **equivalent to zero** when its 90% interval lies inside [-d, +d] (two
  one-sided tests, each at 5%: Schuirmann 1987);
- it is **different from zero** when its 95% interval excludes 0 (two-sided test at 5%);
- it is **meaningful** when its 95% interval lies entirely beyond ±d (a minimum-effect test;
  reported, never required by a verdict).

A `no_change` prediction is supported when the effect is equivalent to zero, refuted when it
is different from zero and not equivalent, inconclusive otherwise. An `increase`
(`decrease`) prediction is supported when the effect is above (below) zero and not
equivalent, refuted when it is equivalent to zero or different from zero the other way,
inconclusive otherwise. `not_increase` (`not_decrease`) is supported when the upper (lower)
bound of the 90% interval is below +d (above -d), a one-sided non-superiority
(non-inferiority) test at 5%, refuted when `increase` (`decrease`) is supported, and
inconclusive otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREDICTIONS = ("increase", "decrease", "no_change", "not_increase", "not_decrease")
VERDICTS = ("supported", "refuted", "inconclusive")

RULE = (
    "Each observable has an absolute smallest effect size of interest d (SESOI), declared "
    "with its reason in scenarios/claims/claims.toml. The effect (B minus A, or a "
    "difference-in-differences) has paired percentile-bootstrap intervals over replicates "
    "(common random numbers). It is *equivalent to zero* when its 90% interval lies inside "
    "[-d, +d] (two one-sided tests at 5%), *different from zero* when its 95% interval "
    "excludes 0, and *meaningful* when its 95% interval lies beyond ±d (reported only). "
    "no_change: supported if equivalent, refuted if different and not equivalent. "
    "increase (decrease): supported if different from zero in that direction and not "
    "equivalent; refuted if equivalent or different the other way. not_increase "
    "(not_decrease): supported if the 90% interval's upper bound is below +d (lower bound "
    "above -d), refuted if increase (decrease) is supported. Anything else: inconclusive."
)


@dataclass(frozen=True)
class Effect:
    """Difference and ratio of means of B over A with percentile bootstrap intervals
    (95% `ci_*`, 90% `ci90_*`)."""

    mean_a: float
    mean_b: float
    difference: float
    ci_low: float
    ci_high: float
    ratio: float
    ratio_low: float
    ratio_high: float
    replicates: int
    ci90_low: float = float("nan")
    ci90_high: float = float("nan")


def bootstrap_effect(a: np.ndarray, b: np.ndarray, resamples: int = 4000,
                     seed: int = 0, paired: bool = True) -> Effect:
    """Effect of B over A across replicates, with 95% and 90% percentile bootstrap intervals.

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
    lo90, hi90 = np.percentile(diff, [5.0, 95.0])
    rlo, rhi = np.nanpercentile(ratio, [2.5, 97.5]) if np.isfinite(ratio).any() else (np.nan,) * 2
    return Effect(float(a.mean()), float(b.mean()), float(b.mean() - a.mean()), float(lo),
                  float(hi), float(point_ratio), float(rlo), float(rhi), int(min(a.size, b.size)),
                  float(lo90), float(hi90))


def contrast_effect(values: list[np.ndarray], weights: list[float], resamples: int = 4000,
                    seed: int = 0) -> Effect:
    """A linear contrast of condition means (e.g. the difference-in-differences
    (B - A) - (D - C): weights -1, +1, +1, -1), replicates resampled together across
    conditions (common random numbers). `mean_a`/`mean_b` are the contrast's negative and
    positive parts (A + D and B + C for the difference-in-differences)."""
    arrays = [np.asarray(v, dtype=float) for v in values]
    n = min(v.size for v in arrays)
    arrays = [v[:n] for v in arrays]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    boot = sum(w * v[idx].mean(axis=1) for w, v in zip(weights, arrays, strict=True))
    point = float(sum(w * v.mean() for w, v in zip(weights, arrays, strict=True)))
    neg = float(sum(-w * v.mean() for w, v in zip(weights, arrays, strict=True) if w < 0))
    pos = float(sum(w * v.mean() for w, v in zip(weights, arrays, strict=True) if w > 0))
    lo, hi = np.percentile(boot, [2.5, 97.5])
    lo90, hi90 = np.percentile(boot, [5.0, 95.0])
    return Effect(neg, pos, point, float(lo), float(hi), float("nan"), float("nan"),
                  float("nan"), n, float(lo90), float(hi90))


def equivalent(effect: Effect, sesoi: float) -> bool:
    """Two one-sided tests at 5%: the 90% interval inside [-sesoi, +sesoi]."""
    return -sesoi < effect.ci90_low and effect.ci90_high < sesoi


def different(effect: Effect) -> int:
    """+1 (-1) when the 95% interval lies above (below) zero, else 0."""
    return 1 if effect.ci_low > 0 else -1 if effect.ci_high < 0 else 0


def meaningful(effect: Effect, sesoi: float) -> bool:
    """The 95% interval lies entirely beyond ±sesoi (a minimum-effect test)."""
    return effect.ci_low > sesoi or effect.ci_high < -sesoi


def verdict(prediction: str, effect: Effect, sesoi: float) -> str:
    """Apply the rule (module docstring) to one side's prediction."""
    eq, diff = equivalent(effect, sesoi), different(effect)
    if prediction == "no_change":
        return "supported" if eq else "refuted" if diff else "inconclusive"
    if prediction in ("increase", "decrease"):
        sign = 1 if prediction == "increase" else -1
        if diff == sign and not eq:
            return "supported"
        return "refuted" if eq or diff == -sign else "inconclusive"
    if prediction in ("not_increase", "not_decrease"):
        opposite = "increase" if prediction == "not_increase" else "decrease"
        bound_ok = (effect.ci90_high < sesoi if prediction == "not_increase"
                    else effect.ci90_low > -sesoi)
        if bound_ok:
            return "supported"
        return "refuted" if verdict(opposite, effect, sesoi) == "supported" else "inconclusive"
    raise ValueError(f"unknown prediction {prediction!r}; allowed: {', '.join(PREDICTIONS)}")
