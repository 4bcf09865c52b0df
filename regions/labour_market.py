"""Regional labour markets: separations, layoffs, matching. Vectorised over all workers.

Workers search only in their own region (they "move around less frequently than firms and
currency", Cohen-Rogers §5); migration is a separate, rare step.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.workforce import UNEMPLOYED


def separate(employer: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Exogenous job separations: each employed worker loses the job with probability `rate`."""
    leaving = (employer != UNEMPLOYED) & (rng.random(len(employer)) < rate)
    employer = employer.copy()
    employer[leaving] = UNEMPLOYED
    return employer


def lay_off_excess(employer: np.ndarray, target: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """Firms with more workers than jobs lay off the excess, chosen at random.

    Jobs exist only where capital does (capital per job): when capital leaves a region or a
    firm shrinks, the workforce goes with it (Cohen-Rogers §1, M2: exit "lays off the
    workforce").
    """
    counts = np.bincount(employer[employer != UNEMPLOYED], minlength=len(target))
    over = counts > target
    if not over.any():
        return employer
    # Only the workers of firms over their target can lose their jobs.
    employed = np.flatnonzero((employer != UNEMPLOYED) & over[np.maximum(employer, 0)])
    firm = employer[employed]
    order = np.lexsort((rng.random(employed.size), firm))
    sorted_firm = firm[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_firm)) + 1]
    rank = np.arange(sorted_firm.size) - np.repeat(starts, np.diff(np.r_[starts, sorted_firm.size]))
    fire = employed[order][rank >= target[sorted_firm]]
    employer = employer.copy()
    employer[fire] = UNEMPLOYED
    return employer


def matches_per_region(unemployed: np.ndarray, vacancies: np.ndarray, efficiency: float,
                       elasticity: float) -> np.ndarray:
    """Cobb-Douglas matching function M = A U^a V^(1-a), capped by both sides of the market."""
    u = unemployed.astype(np.float64)
    v = vacancies.astype(np.float64)
    m = efficiency * u**elasticity * v ** (1.0 - elasticity)
    return np.minimum(np.floor(m), np.minimum(unemployed, vacancies)).astype(np.int64)


def match(employer: np.ndarray, worker_region: np.ndarray, skill: np.ndarray,
          firm_region: np.ndarray, vacancies: np.ndarray, firm_priority: np.ndarray,
          efficiency: float, elasticity: float, n_regions: int,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Match job seekers to vacancies within each region, assortatively by skill.

    The number of matches comes from the matching function; which seekers and which jobs meet
    is random, and within that draw the most skilled meet the jobs of the firms that value skill
    most (high-road firms first: "good jobs require good firms", Rodrik-Stantcheva). Returns the
    new employer array and the indices of the workers hired.
    """
    seekers = np.flatnonzero(employer == UNEMPLOYED)
    u_by_region = np.bincount(worker_region[seekers], minlength=n_regions)
    v_by_region = np.bincount(firm_region, weights=vacancies, minlength=n_regions).astype(np.int64)
    m = matches_per_region(u_by_region, v_by_region, efficiency, elasticity)
    if m.sum() == 0:
        return employer, np.empty(0, dtype=np.int64)
    # One vacancy slot per open job, labelled with its firm.
    slots = np.repeat(np.arange(len(vacancies)), vacancies)
    slot_region = firm_region[slots]
    employer = employer.copy()
    hired_all = []
    seekers = seekers[rng.permutation(seekers.size)]
    seeker_region = worker_region[seekers]
    slots = slots[rng.permutation(slots.size)]
    slot_region = firm_region[slots]
    for r in np.flatnonzero(m):
        chosen = seekers[seeker_region == r][: m[r]]
        jobs = slots[slot_region == r][: m[r]]
        chosen = chosen[np.argsort(-skill[chosen], kind="stable")]
        jobs = jobs[np.argsort(-firm_priority[jobs], kind="stable")]
        employer[chosen] = jobs
        hired_all.append(chosen)
    return employer, np.concatenate(hired_all)
