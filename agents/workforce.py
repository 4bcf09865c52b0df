"""The workers: every worker an individual, all of them held as arrays in one Workforce.

10^5 to 10^6 workers must step in seconds, so a worker is a row, not a Mesa agent
(DESIGN.md §2). `workforce[i]` gives a per-worker view for inspection and tests. The
mechanisms that act on workers alone (skills, demography, migration) are the vectorised
functions below; the markets they meet live in `highroad.regions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNEMPLOYED = -1


@dataclass(frozen=True)
class WorkerView:
    """One worker's state, read from the arrays (for inspection and tests)."""

    index: int
    region: int
    employer: int
    skill: float
    wage: float
    wealth: float
    income: float
    tenure: int
    stake: float


class Workforce:
    """Struct of arrays: region, employer (firm slot or -1), skill, wage, wealth, income..."""

    def __init__(self, region: np.ndarray, skill: np.ndarray, wealth: np.ndarray) -> None:
        n = len(region)
        self.region = np.asarray(region, dtype=np.int64)
        self._employed_index: np.ndarray | None = None
        self.employer = np.full(n, UNEMPLOYED, dtype=np.int64)
        self.skill = np.asarray(skill, dtype=np.float64)
        self.wage = np.zeros(n)             # gross wage this quarter (0 if unemployed)
        self.wealth = np.asarray(wealth, dtype=np.float64)  # deposits, never negative
        self.income = np.zeros(n)           # disposable income last quarter
        self.tenure = np.zeros(n, dtype=np.int64)
        self.stake = np.zeros(n)            # ownership stake (asset-based redistribution)
        self.origin_rank = np.full(n, np.nan)  # parent's income rank at entry (NaN: not an entrant)

    def __len__(self) -> int:
        return len(self.region)

    def __getitem__(self, i: int) -> WorkerView:
        return WorkerView(i, int(self.region[i]), int(self.employer[i]), float(self.skill[i]),
                          float(self.wage[i]), float(self.wealth[i]), float(self.income[i]),
                          int(self.tenure[i]), float(self.stake[i]))

    @property
    def employer(self) -> np.ndarray:
        """Firm slot of each worker's employer, or UNEMPLOYED (-1)."""
        return self._employer

    @employer.setter
    def employer(self, value: np.ndarray) -> None:
        self._employer = value
        self._employed_index = None

    def employment_changed(self) -> None:
        """Call after writing into `employer` in place: the cached employed index is stale."""
        self._employed_index = None

    @property
    def employed(self) -> np.ndarray:
        return self._employer != UNEMPLOYED

    def employed_index(self) -> np.ndarray:
        """Indices of the employed workers, ascending (cached until employment changes).

        Phases 4 to 6 and the observables all work on the employed; computing the index once
        per change instead of once per use saves a pass over every worker each time. Writes to
        `employer` either assign the whole array or call `employment_changed`; treat the
        returned array as read-only.
        """
        if self._employed_index is None:
            self._employed_index = np.flatnonzero(self._employer != UNEMPLOYED)
        return self._employed_index

    def fire(self, who: np.ndarray) -> None:
        """Workers `who` lose their jobs (and this quarter's wage)."""
        self._employer[who] = UNEMPLOYED
        self.wage[who] = 0.0
        self._employed_index = None

    def count_by_region(self, n_regions: int, mask: np.ndarray | None = None) -> np.ndarray:
        region = self.region if mask is None else self.region[mask]
        return np.bincount(region, minlength=n_regions)


def learn_and_forget(skill: np.ndarray, on_high_road: np.ndarray, on_low_road: np.ndarray,
                     growth_high: float | np.ndarray, growth_low: float, decay: float,
                     skill_min: float, skill_max: float) -> np.ndarray:
    """Skill grows on the job, most on high-road jobs, and decays in unemployment.

    Cohen-Rogers §5 (M39): high-road firms rely on "skilled" workers and build their skill;
    DESIGN.md §2: "skill grows on high-road jobs and in training, decays in unemployment".
    Growth is logistic toward `skill_max`, so skills stay bounded. (Masks over all workers;
    `learn_on_the_job` does the work.)
    """
    employed = np.flatnonzero(on_high_road | on_low_road)
    if np.ndim(growth_high):
        growth_high = np.asarray(growth_high)[employed]
    return learn_on_the_job(skill, employed, on_high_road[employed], growth_high, growth_low,
                            decay, skill_min, skill_max)


def learn_on_the_job(skill: np.ndarray, employed: np.ndarray, on_high_road: np.ndarray,
                     growth_high: float | np.ndarray, growth_low: float, decay: float,
                     skill_min: float, skill_max: float) -> np.ndarray:
    """`learn_and_forget` given the employed's indices and, for each of them, whether the
    job is on the high road (and `growth_high`, per employed worker or one number).

    Returns the new skills of all workers: the employed grow by
    `growth * (1 - skill / skill_max)`, the unemployed lose a share `decay`.
    """
    learned = skill[employed]
    headroom = np.divide(learned, skill_max)
    np.subtract(1.0, headroom, out=headroom)
    np.clip(headroom, 0.0, 1.0, out=headroom)
    headroom *= np.where(on_high_road, growth_high, growth_low)
    headroom += 1.0
    learned *= headroom
    new = skill * (1.0 - decay)
    new[employed] = learned
    np.clip(new, skill_min, skill_max, out=new)
    return new


def entrant_skills(parent_rank: np.ndarray, persistence: float, dispersion: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Skill of a new cohort member, shaped by the parent's income rank.

    Cohen-Rogers §4 (M35): fair equality of opportunity is about chances "before income is
    earned"; the rank link makes intergenerational persistence measurable, and the early-life
    investment policy acts on it. Log skill is normal with mean-one skill on average.
    """
    z_parent = (parent_rank - 0.5) * np.sqrt(12.0)  # standardised uniform rank
    noise = rng.standard_normal(len(parent_rank))
    z = persistence * z_parent + np.sqrt(1.0 - persistence**2) * noise
    return np.exp(dispersion * z - 0.5 * dispersion**2)


def income_ranks(income: np.ndarray, who: np.ndarray) -> np.ndarray:
    """Percentile rank (0..1) of the incomes of workers `who` in the whole distribution."""
    ordered = np.sort(income)
    below = np.searchsorted(ordered, income[who], side="left")
    equal = np.searchsorted(ordered, income[who], side="right") - below
    return (below + 0.5 * equal) / max(len(income), 1)
