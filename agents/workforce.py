"""The workers: every worker an individual, all of them held as arrays in one Workforce.

10^5 to 10^6 workers must step in seconds, so a worker is a row, not a Mesa agent
(docs/design.md). `workforce[i]` gives a per-worker view for inspection and tests. The
mechanisms that act on workers alone (skills, demography, migration) are the vectorised
functions below; the markets they meet live in `highroad.regions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from highroad.regions.sums import keep_ordered

UNEMPLOYED = -1
LANES = 4  # partial sums per firm in `Workforce.firm_sums`


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


@dataclass(frozen=True)
class RowMoves:
    """Rows `sources` of the worker arrays move to rows `targets` (a permutation of them)."""

    targets: np.ndarray
    sources: np.ndarray

    def apply(self, values: np.ndarray) -> None:
        """Move the rows of `values` in place."""
        values[self.targets] = values[self.sources]


class Workforce:
    """Struct of arrays: region, employer (firm slot or -1), skill, wage, wealth, income...

    Workers are stored region by region (`region` never decreases along the arrays), so a
    sum over a region's workers reads one contiguous slice (see `regions.sums`), and a
    region's median wage is selected within its slice. Migration keeps the order by moving
    rows (`move`); per-worker arrays kept elsewhere follow through `columns`.
    """

    #: The per-worker arrays of the workforce itself (reordered together by `move`).
    ARRAYS = ("region", "_employer", "skill", "wage", "wealth", "income", "tenure", "stake",
              "origin_rank", "hire_skill", "last_wage")

    def __init__(self, region: np.ndarray, skill: np.ndarray, wealth: np.ndarray) -> None:
        n = len(region)
        self.region = np.asarray(region, dtype=np.int64)
        if n and (self.region[1:] < self.region[:-1]).any():
            raise ValueError("workers must be given region by region (region non-decreasing)")
        keep_ordered(self.region)
        #: Per-worker arrays owned by others (policy modules, the model), moved with the rows.
        self.columns: dict[str, np.ndarray] = {}
        self._employed_index: np.ndarray | None = None
        self._firm_key: np.ndarray | None = None
        self._lanes: np.ndarray | None = None
        self._key_buffer = np.empty(0, dtype=np.int64)
        self.employer = np.full(n, UNEMPLOYED, dtype=np.int64)
        self.skill = np.asarray(skill, dtype=np.float64)
        self.wage = np.zeros(n)             # gross wage this quarter (0 if unemployed)
        self.last_wage = np.zeros(n)        # wage in the last quarter employed (0: never)
        self.wealth = np.asarray(wealth, dtype=np.float64)  # deposits, never negative
        self.income = np.zeros(n)           # disposable income last quarter
        self.tenure = np.zeros(n, dtype=np.int64)
        self.hire_skill = self.skill.copy()  # skill when the current job began (skill growth)
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
        self.employment_changed()

    def employment_changed(self) -> None:
        """Call after writing into `employer` in place: the cached employed index and firm
        keys (`employed_index`, `firm_sums`) are stale."""
        self._employed_index = None
        self._firm_key = None

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
        self.employment_changed()

    def firm_sums(self, values: np.ndarray, n_slots: int) -> np.ndarray:
        """Sum of `values` (one per worker) over each firm slot's workers; the unemployed's
        values are left out.

        Workers come region by region and, within a region, largely by employer, so adding
        each into her employer's total waits on the addition before it. Each total is kept
        in `LANES` parts, by the worker's position, which breaks that chain (about twice as
        fast on 200,000 workers; the sum is taken in a different order than one by one).
        """
        if self._firm_key is None:  # (slot + 1) * LANES + lane; the unemployed in bin 0
            if self._lanes is None:
                self._lanes = np.arange(len(self)) % LANES + LANES
                self._key_buffer = np.empty(len(self), dtype=np.int64)
            # Into a buffer kept from quarter to quarter: a fresh array this size costs more
            # in page faults than the arithmetic.
            self._firm_key = np.multiply(self._employer, LANES, out=self._key_buffer)
            self._firm_key += self._lanes
        parts = np.bincount(self._firm_key, values, (n_slots + 1) * LANES)
        return parts.reshape(-1, LANES).sum(axis=1)[1:]

    def staff_of(self, firms: np.ndarray) -> np.ndarray:
        """Indices (ascending) of the workers employed by the firm slots where `firms` is
        true (one entry per slot in use)."""
        pick = np.zeros(len(firms) + 1, dtype=bool)  # the unemployed (-1) read the last
        pick[:-1] = firms
        return np.flatnonzero(pick[self._employer])

    def spread(self, per_region: np.ndarray) -> np.ndarray:
        """The value of each worker's region, for every worker (`per_region[region]`)."""
        bounds = np.searchsorted(self.region, np.arange(len(per_region) + 1))
        return np.repeat(per_region, np.diff(bounds))

    def count_by_region(self, n_regions: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Workers (or those where `mask` is true) in each region, counted slice by slice."""
        bounds = np.searchsorted(self.region, np.arange(n_regions + 1))
        if mask is None:
            return np.diff(bounds)
        return np.array([np.count_nonzero(mask[a:b]) for a, b in
                         zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)],
                        dtype=np.int64)

    def move(self, who: np.ndarray, region: int | np.ndarray) -> RowMoves:
        """Workers `who` now live in `region`; rows move so that regions stay in order.

        Only the rows that end up outside their region's new slice move: each slice grows
        or shrinks at its ends, so a few migrants move a few rows, not all of them. Returns
        the moves: arrays indexed by worker kept outside the workforce and its `columns`
        must follow them (`moves.apply(values)`).
        """
        new = np.broadcast_to(region, np.shape(who))
        if new.size == 0:
            nobody = np.empty(0, dtype=np.int64)
            return RowMoves(nobody, nobody)
        n_regions = int(max(self.region[-1], new.max())) + 1
        counts = np.diff(np.searchsorted(self.region, np.arange(n_regions + 1)))
        counts += np.bincount(new, minlength=n_regions) - np.bincount(self.region[who],
                                                                      minlength=n_regions)
        self.region[who] = new
        expected = np.repeat(np.arange(n_regions), counts)
        misplaced = np.flatnonzero(self.region != expected)
        # The misplaced rows hold exactly the regions their positions lack: pair them up.
        moves = RowMoves(misplaced[np.argsort(expected[misplaced], kind="stable")],
                         misplaced[np.argsort(self.region[misplaced], kind="stable")])
        for name in self.ARRAYS:
            moves.apply(getattr(self, name))
        for values in self.columns.values():
            moves.apply(values)
        self.employment_changed()
        return moves


def learn_and_forget(skill: np.ndarray, on_high_road: np.ndarray, on_low_road: np.ndarray,
                     growth_high: float | np.ndarray, growth_low: float, decay: float,
                     skill_min: float, skill_max: float) -> np.ndarray:
    """Skill grows on the job, most on high-road jobs, and decays in unemployment.

    Cohen and Rogers (1997, §5): high-road firms rely on "skilled" workers and build their skill;
    docs/design.md: "skill grows on high-road jobs and in training, decays in unemployment".
    Growth is logistic toward `skill_max`, so skills stay bounded: the employed grow by
    `growth * (1 - skill / skill_max)`, the unemployed lose a share `decay`. Masks over all
    workers; `growth_high` is one number or one per worker. Returns the new skills.
    """
    # Nearly everyone is employed: one pass over all workers beats gathering the employed.
    factor = np.where(on_high_road, growth_high, growth_low)
    headroom = np.divide(skill, skill_max)
    np.subtract(1.0, headroom, out=headroom)
    np.clip(headroom, 0.0, 1.0, out=headroom)
    factor *= headroom
    factor += 1.0
    factor[~(on_high_road | on_low_road)] = 1.0 - decay
    factor *= skill
    np.clip(factor, skill_min, skill_max, out=factor)
    return factor


def grow_skill(skill: np.ndarray, who: np.ndarray, growth: float, skill_min: float,
               skill_max: float) -> None:
    """Workers `who` learn: logistic growth `growth * (1 - skill / skill_max)`, in place.

    The growth of `learn_and_forget`, for the extra learning some jobs give (training in a
    low-road firm, empowering tasks), within the same bounds.
    """
    skill_of = skill[who]
    headroom = skill_of / skill_max
    np.subtract(1.0, headroom, out=headroom)
    np.clip(headroom, 0.0, 1.0, out=headroom)
    headroom *= growth
    headroom += 1.0
    skill_of *= headroom
    skill[who] = np.clip(skill_of, skill_min, skill_max, out=skill_of)


def entrant_skills(parent_rank: np.ndarray, persistence: float, dispersion: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Skill of a new cohort member, shaped by the parent's income rank.

    Cohen and Rogers (1997, §4): fair equality of opportunity is about chances "before income is
    earned"; the rank link makes intergenerational persistence measurable, and the early-life
    investment policy acts on it. Log skill is normal with mean-one skill on average.
    """
    z_parent = (parent_rank - 0.5) * np.sqrt(12.0)  # standardised uniform rank
    noise = rng.standard_normal(len(parent_rank))
    z = persistence * z_parent + np.sqrt(1.0 - persistence**2) * noise
    return np.exp(dispersion * z - 0.5 * dispersion**2)


def income_ranks(income: np.ndarray, who: np.ndarray,
                 ordered: np.ndarray | None = None) -> np.ndarray:
    """Percentile rank (0..1) of the incomes of workers `who` in the whole distribution
    (`ordered`: the incomes sorted, if known)."""
    ordered = np.sort(income) if ordered is None else ordered
    below = np.searchsorted(ordered, income[who], side="left")
    equal = np.searchsorted(ordered, income[who], side="right") - below
    return (below + 0.5 * equal) / max(len(income), 1)
