"""Training as a firm's investment with a poaching risk (Cohen and Rogers 1997, §5).

Becker (1964, ch. II) on general training.

In the core model every high-road job trains for free: its workers' skill grows at
`labour.skill_growth_high` whatever the firm decides. Cohen and Rogers (1997, §1, §5) rest the
case for regional training systems on a market failure: training is among the supports "that
firms will not provide on their own". Becker (1964, ch. II) gives the reason: skill that is
general raises the worker's value to every firm, so other firms can hire the trained worker
away and the worker, not the trainer, collects the return. With the module on:

- high-road jobs no longer train for free (the region's extra high-road learning is removed);
  a firm that trains pays `cost` per employee per quarter, bought from local providers, and its
  workers learn `skill_gain` more per quarter;
- a firm trains when its expected share of the gain covers the cost (`trains_if_worth_it`):
  it keeps the share of the gain the wage bargain leaves it, less the share its workers'
  outside offers take, for as long as they stay. Outside offers arrive with the region's
  `contestability`: the share of open high-road jobs among open high-road jobs and job
  seekers (search frictions: where skilled labour is scarce, others bid for it);
- trained workers' outside options rise: a trained worker's wage at her trainer takes that
  share of her training's gain (`pay_outside_offers`);
- other firms hire them away: each quarter a trained worker at her trainer leaves for an open
  job at another high-road firm with probability `poaching_rate * contestability` (`poach`).

Regional training systems (`quasi_public_goods`, whose levy trains every high-road worker
whoever employs her) and employer-linked training (`good_jobs`, which trains the unemployed
with public money and makes committed firms train) then act on a real failure. Departure:
the core's training time (`firms.training_share`, output forgone on every high-road job)
stays; the module adds the money cost of training and makes learning depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.workforce import UNEMPLOYED, grow_skill
from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import by_region, firms_buy
from highroad.regions.labour_market import first_in_group
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch training as a firm's investment on (high-road jobs "
                         "no longer train for free).")
    cost: float = spec(0.03, "initial wages per employee per quarter",
                       "Money a training firm spends on each employee's training (employers' "
                       "training spending is about 2-3% of payroll in the US: ATD, State of the "
                       "Industry).", 0, 2)
    skill_gain: float = spec(0.01, "per quarter",
                             "Extra skill growth (toward the maximum) of a training firm's "
                             "workers; the default is the core's high-road minus low-road "
                             "growth.", 0, 0.2)
    poaching_rate: float = spec(0.1, "per quarter",
                                "Chance a trained worker at her trainer gets an offer she takes, "
                                "at full contestability (if a poacher has an open job).", 0, 1)
    general_skill: bool = spec(True, "-",
                               "Training is general (Becker 1964): other firms value it, bid for "
                               "it and hire trained workers away; false makes it firm-specific "
                               "(no outside offers: the placebo of the poaching externality).")
    discount_rate: float = spec(0.02, "per quarter",
                                "Firms' discount rate on the returns to training.", 0, 1)


@register
class Training(PolicyModule):
    """Firms decide whether to train; trained workers' general skill invites poaching."""

    name = "training"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        n = len(model.workforce)
        self.trainer = np.full(n, UNEMPLOYED, dtype=np.int64)  # slot of her last trainer
        self.gained = np.zeros(n)                               # log skill from that training
        model.workforce.columns["trainer"] = self.trainer
        model.workforce.columns["trained_gain"] = self.gained
        self.trains = np.zeros(model.firm_table.size, dtype=bool)
        self.contest = np.zeros(model.n_regions)  # last quarter's, as firms read it

    def on_policy(self, model: RegionalEconomy) -> None:
        lp = model.params.labour
        model.skill_growth_bonus -= lp.skill_growth_high - lp.skill_growth_low

    def on_investment(self, model: RegionalEconomy) -> None:
        self.trains = trains_if_worth_it(model, self.params, self.contest)

    def on_bargaining(self, model: RegionalEconomy) -> None:
        self.contest = (contestability(model) if self.params.general_skill
                        else np.zeros(model.n_regions))
        poach(model, self.params, self.trainer, self.contest)
        pay_outside_offers(model, self.trainer, self.gained, self.contest)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        t = model.firm_table
        bill = np.where(padded(self.trains, t.size),
                        self.params.cost * model.reference_wage * t.view("employees"), 0.0)
        firms_buy(model, "training", bill)

    def on_demography(self, model: RegionalEconomy) -> None:
        train_staff(model, self.params, self.trains, self.trainer, self.gained)


def padded(flags: np.ndarray, size: int) -> np.ndarray:
    """Per-slot flags for `size` firm slots (slots added since they were set are False)."""
    if flags.size >= size:
        return flags[:size]
    return np.concatenate([flags, np.zeros(size - flags.size, dtype=bool)])


def openings(model: RegionalEconomy) -> np.ndarray:
    """Open jobs left after matching at each high-road firm slot (the would-be poachers)."""
    t = model.firm_table
    open_jobs = np.maximum(t.view("target") - t.view("employees"), 0)
    return np.where(t.view("active") & t.view("high"), open_jobs, 0)


def contestability(model: RegionalEconomy) -> np.ndarray:
    """Chance, per region, that an outside employer bids for a trained worker.

    Becker (1964): general skill is worth as much to any firm that values skill; here those are
    the high-road firms (low-road jobs are de-skilled, one wage per firm). With search
    frictions the bids arrive only where such firms have jobs to fill: the share of open
    high-road jobs among open high-road jobs and job seekers, after this quarter's matching.
    """
    t = model.firm_table
    vacant = by_region(model, t.view("region"), openings(model).astype(np.float64))
    seekers = model.workforce.count_by_region(model.n_regions, model.workforce.employer < 0)
    total = vacant + seekers
    return np.divide(vacant, total, out=np.zeros(model.n_regions), where=total > 0)


def trains_if_worth_it(model: RegionalEconomy, p: Params, contest: np.ndarray) -> np.ndarray:
    """A high-road firm trains when the share of the gain it keeps covers the cost.

    Cohen and Rogers (1997, §5): training is a support "that firms will not provide on their
    own"; Becker (1964): the trainer keeps the return on general skill only while no other firm
    bids for it. A quarter's training raises an employee's output by `skill_elasticity *
    skill_gain * headroom` of revenue per worker for as long as she stays; the firm keeps the
    share `1 - bargaining_power` of it, less the share `contestability` the worker's outside
    offers take, over the horizon `1 / (separation + retirement + poaching + discount)`.
    Firms read last quarter's revenue and contestability.
    """
    t, lp, fp = model.firm_table, model.params.labour, model.params.firms
    region = t.view("region")
    staff = np.maximum(t.view("employees"), 1)
    revenue_per_worker = np.maximum(t.view("revenue"), 0.0) / staff
    headroom = np.clip(1.0 - t.view("mean_skill") / lp.skill_max, 0.0, 1.0)
    contest = contest[region]
    kept = (1.0 - model.conditions.bargaining_power[region]) * (1.0 - contest)
    leave = (lp.separation_rate + model.params.demography.retirement_rate
             + p.poaching_rate * contest + p.discount_rate)
    value = fp.skill_elasticity * p.skill_gain * headroom * revenue_per_worker * kept / leave
    out = np.zeros(t.size, dtype=bool)
    out[:] = t.view("active") & t.view("high") & (value >= p.cost * model.reference_wage)
    model.flows["training_firms"] += float(out.sum())
    return out


def poach(model: RegionalEconomy, p: Params, trainer: np.ndarray, contest: np.ndarray) -> None:
    """Other firms hire trained workers away from their trainers (Becker 1964).

    A trained worker still at her trainer leaves with probability `poaching_rate` times her
    region's contestability, for an open job at another high-road firm (they pay by skill),
    whether or not it trains itself. Hires are capped by those jobs, region by region.
    """
    wf, t = model.workforce, model.firm_table
    employer = wf.employer
    at_trainer = np.flatnonzero((employer >= 0) & (employer == trainer))
    if at_trainer.size == 0:
        return
    region = wf.region[at_trainer]
    drawn = at_trainer[model.rng.random(at_trainer.size) < p.poaching_rate * contest[region]]
    open_jobs = openings(model)
    if drawn.size == 0 or not open_jobs.any():
        return
    slots = np.repeat(np.arange(t.size), open_jobs)
    slots = slots[model.rng.permutation(slots.size)]
    firm_region = t.view("region")
    m = np.minimum(np.bincount(wf.region[drawn], minlength=model.n_regions),
                   np.bincount(firm_region[slots], minlength=model.n_regions))
    movers = first_in_group(drawn, wf.region[drawn], m)
    jobs = first_in_group(slots, firm_region[slots], m)
    elsewhere = jobs != employer[movers]  # an opening at her own firm is no offer
    movers, jobs = movers[elsewhere], jobs[elsewhere]
    employees = t.view("employees")
    np.subtract.at(employees, employer[movers], 1)
    np.add.at(employees, jobs, 1)
    employer[movers] = jobs
    wf.tenure[movers] = 0
    wf.employment_changed()
    model.flows["poached"] += movers.size
    model.bargain_wages()


def pay_outside_offers(model: RegionalEconomy, trainer: np.ndarray, gained: np.ndarray,
                       contest: np.ndarray) -> None:
    """A trained worker at her trainer is paid the share of her training's gain her outside
    offers command (Becker 1964: general skill is paid for by the worker's market).

    Her bargained wage already gives her `bargaining_power` of the gain; the outside offers,
    present in proportion to the region's contestability, take that share of the rest.
    """
    wf, t = model.workforce, model.firm_table
    employer = wf.employer
    stay = np.flatnonzero((employer >= 0) & (employer == trainer) & (gained > 0))
    if stay.size == 0:
        return
    firm = employer[stay]
    region = t.view("region")[firm]
    revenue_per_worker = t.view("productivity")[firm] * model.effective_price[
        region, t.view("high")[firm].astype(np.int64)]
    gain = revenue_per_worker * (1.0 - np.exp(-model.params.firms.skill_elasticity * gained[stay]))
    power = model.conditions.bargaining_power[region]
    wf.wage[stay] += contest[region] * (1.0 - power) * gain


def train_staff(model: RegionalEconomy, p: Params, trains: np.ndarray, trainer: np.ndarray,
                gained: np.ndarray) -> None:
    """Workers of training firms learn; the gain is general and travels with them.

    A worker trained by a new employer starts a new record (what she gained before is hers,
    but her new trainer's concern is its own training). Entrants start untrained.
    """
    wf, lp = model.workforce, model.params.labour
    entrants = model.entrants
    trainer[entrants] = UNEMPLOYED
    gained[entrants] = 0.0
    who = model.workforce.staff_of(padded(trains, model.firm_table.size))
    if who.size == 0:
        return
    before = wf.skill[who].copy()
    grow_skill(wf.skill, who, p.skill_gain, lp.skill_min, lp.skill_max)
    fresh = trainer[who] != wf.employer[who]
    gained[who[fresh]] = 0.0
    trainer[who] = wf.employer[who]
    gained[who] += np.log(wf.skill[who] / before)
