"""Regional labour markets: separations, layoffs, matching. Vectorised over all workers.

Workers search only in their own region (they "move around less frequently than firms and
currency\", Cohen and Rogers 1997, §5); migration is a separate, rare step.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.workforce import UNEMPLOYED
from highroad.regions.draws import bernoulli_indices
from highroad.regions.kernels import lexsort_groups


def separations(employer: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of the employed workers who leave their jobs this quarter (probability `rate`)."""
    drawn = bernoulli_indices(rng, len(employer), rate)
    return drawn[employer[drawn] != UNEMPLOYED]


def layoffs(employer: np.ndarray, target: np.ndarray, rng: np.random.Generator,
            counts: np.ndarray | None = None) -> np.ndarray:
    """Indices of the workers laid off by firms with more workers than their `target`.

    Jobs exist only where capital does (capital per job): when capital leaves a region or a
    firm shrinks, the workforce goes with it (Cohen and Rogers 1997, §1: exit "lays off the
    workforce"). Each such firm lays off its excess, chosen at random. `counts`: the firms'
    current employees, if known.
    """
    if counts is None:
        counts = np.bincount(employer + 1, minlength=len(target) + 1)[1:]
    over = np.zeros(len(target) + 1, dtype=bool)  # the last entry stands for the unemployed
    np.greater(counts, target, out=over[:-1])
    if not over.any():
        return np.empty(0, dtype=np.int64)
    # Only the workers of firms over their target can lose their jobs.
    employed = np.flatnonzero(over[employer])
    firm = employer[employed]
    order = lexsort_groups(rng.random(employed.size), firm)
    sorted_firm = firm[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_firm)) + 1]
    rank = np.arange(sorted_firm.size) - np.repeat(starts, np.diff(np.r_[starts, sorted_firm.size]))
    return employed[order][rank >= target[sorted_firm]]


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
          rng: np.random.Generator, copy: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Match job seekers to vacancies within each region, assortatively by skill.

    The number of matches comes from the matching function; which seekers and which jobs meet
    is random, and within that draw the most skilled meet the jobs of the firms that value skill
    most (high-road firms first: "good jobs require good firms", Rodrik-Stantcheva). Returns the
    new employer array (a copy, or `employer` changed in place with `copy=False`) and the
    indices of the workers hired, region by region.
    """
    seekers = np.flatnonzero(employer == UNEMPLOYED)
    u_by_region = np.bincount(worker_region[seekers], minlength=n_regions)
    v_by_region = np.bincount(firm_region, weights=vacancies, minlength=n_regions).astype(np.int64)
    m = matches_per_region(u_by_region, v_by_region, efficiency, elasticity)
    if m.sum() == 0:
        return employer, np.empty(0, dtype=np.int64)
    # One vacancy slot per open job, labelled with its firm.
    slots = np.repeat(np.arange(len(vacancies)), vacancies)
    if copy:
        employer = employer.copy()
    seekers = seekers[rng.permutation(seekers.size)]
    slots = slots[rng.permutation(slots.size)]
    # The first m[r] seekers and the first m[r] slots of each region, in drawn order, all
    # regions at once (a stable grouping by region keeps the drawn order within each).
    chosen = first_in_group(seekers, worker_region[seekers], m)
    jobs = first_in_group(slots, firm_region[slots], m)
    chosen_region = np.repeat(np.arange(n_regions), m)
    # Within each region, most skilled first and highest priority first (ties: drawn order).
    chosen = chosen[lexsort_groups(-skill[chosen], chosen_region)]
    jobs = jobs[lexsort_groups(-firm_priority[jobs], chosen_region)]
    employer[chosen] = jobs
    return employer, chosen


def match_in_rounds(employer: np.ndarray, worker_region: np.ndarray, skill: np.ndarray,
                    firm_region: np.ndarray, vacancies: np.ndarray, firm_priority: np.ndarray,
                    efficiency: float, elasticity: float, n_regions: int, rounds: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`match` repeated `rounds` times within a quarter on what is left unmatched.

    Time aggregation (Shimer 2012, §2): flows measured at a coarse interval miss what
    happens within it. With one round a quarter a job the round does not fill stays open
    for the whole quarter; with several, seekers and jobs left over meet again, as they
    would over the weeks of a quarter. Changes `employer` in place; returns it, the workers
    hired (round after round) and the jobs each firm filled. One round is `match` itself.
    """
    open_jobs = vacancies.copy()
    filled = np.zeros(vacancies.size, dtype=np.int64)
    hired_by_round = []
    for _ in range(rounds):
        employer, hired = match(employer, worker_region, skill, firm_region, open_jobs,
                                firm_priority, efficiency, elasticity, n_regions, rng,
                                copy=False)
        if hired.size == 0:  # nothing changed, so no later round can match either
            break
        got = np.bincount(employer[hired], minlength=vacancies.size)
        filled += got
        open_jobs -= got
        hired_by_round.append(hired)
    hired = (np.concatenate(hired_by_round) if hired_by_round
             else np.empty(0, dtype=np.int64))
    return employer, hired, filled


def first_in_group(items: np.ndarray, group: np.ndarray, take: np.ndarray) -> np.ndarray:
    """The first `take[g]` items of each group g, grouped in order of g, order kept within."""
    # A stable sort of small integers is a radix sort when they fit in 16 bits.
    key = group.astype(np.uint16) if take.size <= 1 << 16 else group
    order = np.argsort(key, kind="stable")
    counts = np.bincount(group, minlength=take.size)
    starts = np.cumsum(counts) - counts
    rank = np.arange(items.size) - np.repeat(starts, counts)
    grouped = group[order]
    return items[order[rank < take[grouped]]]
