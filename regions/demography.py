"""Phase 7: skills, retirement and entry, migration and associative capacity.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.agents.workforce import (
    UNEMPLOYED,
    entrant_skills,
    income_ranks,
    learn_and_forget,
)
from highroad.regions.draws import bernoulli_indices
from highroad.regions.ledger import HH


class Demography:
    def learn_age_migrate(self) -> None:
        p, wf, t = self.params, self.workforce, self.firm_table
        lp = p.labour
        employer = wf.employer
        employed = employer != UNEMPLOYED
        on_high = np.append(t.view("high"), False)[employer]  # the last entry: unemployed
        growth_high = wf.spread(lp.skill_growth_high + self.skill_growth_bonus)
        wf.skill = learn_and_forget(wf.skill, on_high, employed & ~on_high, growth_high,
                                    lp.skill_growth_low, lp.skill_decay, lp.skill_min,
                                    lp.skill_max)
        wf.tenure = np.where(employed, wf.tenure + 1, 0)
        self.retire_and_enter()
        self.run_hooks("on_demography")
        self.migrate()
        self.update_associations()

    def sorted_incomes(self) -> np.ndarray:
        """This quarter's workers' incomes, sorted (read-only; shared by retirement and the
        observables).

        Incomes are final once paid (phase 6): the sort is kept for the quarter, and taken
        again if the incomes have changed since (their sum differs) or the quarter has.
        """
        income = self.workforce.income
        total = float(income.sum())
        cached = self._sorted_incomes
        if cached is None or cached[0] != self.steps or cached[1] != total:
            cached = (self.steps, total, np.sort(income))
            self._sorted_incomes = cached
        return cached[2]

    def retire_and_enter(self) -> None:
        """Workers retire; each is replaced by an entrant whose skill follows the parent's rank.

        docs/design.md: "workers retire and new cohorts enter with skill shaped by early-life
        investment and parental wealth". The household's wealth passes to the entrant (a
        bequest inside the same household row: no money moves).
        """
        p, wf = self.params, self.workforce
        retiring = bernoulli_indices(self.rng, len(wf), p.demography.retirement_rate)
        self.entrants = retiring
        if retiring.size == 0:
            return
        ranks = income_ranks(wf.income, retiring, self.sorted_incomes())
        wf.skill[retiring] = np.clip(
            entrant_skills(ranks, p.demography.skill_persistence,
                           p.demography.entrant_skill_dispersion, self.rng),
            p.labour.skill_min, p.labour.skill_max)
        wf.origin_rank[retiring] = ranks
        firm = wf.employer[retiring]
        was_employed = firm >= 0
        np.subtract.at(self.firm_table.employees, firm[was_employed], 1)
        wf.fire(retiring)
        wf.tenure[retiring] = 0
        wf.last_wage[retiring] = 0.0
        spell = wf.columns.get("unemployment_spell")  # kept when benefits run out
        if spell is not None:
            spell[retiring] = 0  # an entrant has not yet drawn a benefit
        self.flows["retirements"] += retiring.size
        self.flows["entries"] += retiring.size

    def migrate(self) -> None:
        """Rarely, an unemployed worker moves to the region with the best job prospects.

        Cohen and Rogers (1997, §5): "people move around less frequently than firms and currency";
        the move happens only when expected income there beats home by a clear margin (10%).
        """
        p, wf = self.params, self.workforce
        movers = bernoulli_indices(self.rng, len(wf), p.demography.migration_rate)
        movers = movers[wf.employer[movers] == UNEMPLOYED]
        if movers.size == 0 or self.n_regions == 1:
            return
        workers = np.maximum(self.workers_by_region, 1)
        employment = self.employed_by_region / workers
        prospects = (employment * self.region_column("mean_wage")
                     + (1 - employment) * self.region_column("benefit"))
        best = int(np.argmax(prospects))
        origin = wf.region[movers]
        go = movers[prospects[best] > 1.1 * prospects[origin]]
        if go.size == 0:
            return
        self.ledger.pay("migration", HH, wf.region[go], HH, best, wf.wealth[go])
        moves = wf.move(go, best)
        # Per-worker arrays the model keeps itself follow the rows.
        moves.apply(self.last_income)
        if self.coordinator is not None:
            moves.apply(self.coordinator)
        self.flows["migrants"] += go.size

    def update_associations(self) -> None:
        """Associative capacity grows with high-road density and public support, and decays.

        Cohen and Rogers (1997, §3): "the right kinds of association do not naturally or
        spontaneously arise"; they grow where they are supported (the `support` column, set
        by policy modules) and where cooperative, high-road production is dense.
        """
        ap = self.params.associations
        a = self.region_column("associative_capacity")
        support = self.region_column("support")
        grow = (ap.growth_from_high_road * self.high_road_employment_share + support) * (1 - a)
        a[:] = np.clip(a + grow - ap.decay * a, 0.0, 1.0)
