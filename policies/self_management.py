"""Workers' self-management and the coordinator class (Wetzel n.d.).

Wetzel's class analysis has two bases of class: capitalist property, and the concentration
of "empowering" work — "control over planning, conceptualization, decision-making,
coordination of the labor of others" — in a coordinator class ("What Creates Class
Oppression?"). The module encodes:

- self-managed firms ("Balanced Jobs", "Autonomy and Allocation"): a share of firms are run by
  their workers. Their capital does not exit (the firm is not investor-owned, so Firm.mobile is
  false), their net income is shared among members (the dividend rule of
  RegionalEconomy.pay_dividends), and in a market they can go bankrupt: "Competition between
  firms is likely to lead to bankruptcy of some firms, generating unemployment";
- the coordinator-class mechanism in hierarchical firms ("Balanced Jobs"): a share of each
  firm's jobs are empowering; the most skilled hold them, earn a scarcity premium ("Firms
  needing scarce skills will be forced to pay more or give more in the way of perks"), and
  their skill grows with their tasks: "The skills and knowledge that people have is shaped by
  the kinds of activities they do day after day". Self-managed firms without job balancing are
  hierarchical too — Mondragon is "coordinator-class dominated" despite its assemblies;
- job balancing ("Balanced Jobs"): in self-managed firms with balancing, jobs are redesigned "so
  that the conceptual, decision-making and skilled tasks are integrated with the physical doing
  of the work": every member gets the same share of empowering tasks, so the skill gap
  closes and there is no coordinator premium;
- remuneration ("Wage Labor"): in self-managed firms, pay is shared equally, by effort ("in
  proportion to their effort and sacrifice in socially useful work"), or left to individual
  bargaining;
- `private_capital = false` ("Abolition of money?"): "money can't exist in the form of capital":
  investors found no new firms.

Participatory and central planning ("Central planning versus participatory planning") are
the `planning` module's: with this module alone, allocation is a market.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.firm import SELF_MANAGED
from highroad.agents.workforce import grow_skill
from highroad.policies import PolicyModule, PolicyParams, register
from highroad.regions.kernels import lexsort_groups
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

REMUNERATION = ("bargaining", "equal", "effort")


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-",
                         "Switch self-managed firms and the coordinator-class mechanism on.")
    self_managed_share: float = spec(0.5, "share of firms",
                                     "Share of each region's firms run by their workers at start.",
                                     0, 1)
    private_capital: bool = spec(True, "-",
                                 "Investors may found new (investor-owned) firms; false: money "
                                 "cannot become capital.")
    job_balancing: bool = spec(True, "-",
                               "Self-managed firms balance jobs: empowering tasks are spread over "
                               "all members.")
    coordinator_class: bool = spec(True, "-",
                                   "Hierarchical firms concentrate empowering tasks in a "
                                   "coordinator class.")
    coordinator_share: float = spec(0.17, "share of a firm's jobs",
                                    "Empowering jobs in a hierarchical firm (Wetzel's estimate of "
                                    "the coordinator class: 17%).", 0, 0.5)
    coordinator_premium: float = spec(0.5, "share of the bargained wage",
                                      "Scarcity premium of an empowering job.", 0, 3)
    empowerment_skill_growth: float = spec(0.01, "per quarter",
                                           "Extra skill growth from doing empowering tasks full "
                                           "time.", 0, 0.2)
    remuneration: str = spec("effort", "-",
                             "How self-managed firms share their pay bill among members.",
                             choices=REMUNERATION)
    effort_dispersion: float = spec(0.2, "log points", "Dispersion of effort across workers.", 0, 2)


@register
class SelfManagement(PolicyModule):
    """Self-managed firms, job balancing, pay by effort; coordinators in hierarchical firms."""

    name = "self_management"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        p = self.params
        convert_firms(model, p.self_managed_share)
        model.private_founding = p.private_capital
        model.coordinator = np.zeros(len(model.workforce), dtype=bool)
        self.effort = draw_effort(model, len(model.workforce), p.effort_dispersion)
        model.workforce.columns["effort"] = self.effort  # a migrant's effort moves with her
        self.coordinators = np.empty(0, dtype=np.int64)  # as marked at the last bargaining

    def on_bargaining(self, model: RegionalEconomy) -> None:
        p = self.params
        balanced = balanced_firms(model, p)
        coordinators = (empowered_workers(model, p.coordinator_share, balanced)
                        if p.coordinator_class else np.empty(0, dtype=np.int64))
        model.coordinator = np.zeros(len(model.workforce), dtype=bool)
        model.coordinator[coordinators] = True
        self.coordinators = coordinators
        share_pay(model, p.remuneration, self.effort)
        pay_coordinator_premium(model, p.coordinator_premium, coordinators)

    def on_demography(self, model: RegionalEconomy) -> None:
        p = self.params
        skills_follow_tasks(model, p, balanced_firms(model, p), self.coordinators)
        new = model.entrants
        self.effort[new] = draw_effort(model, new.size, p.effort_dispersion)
        model.coordinator[new] = False


def convert_firms(model: RegionalEconomy, share: float) -> None:
    """A share of each region's firms (chosen at random) become self-managed ("Autonomy and
    Allocation")."""
    t = model.firm_table
    active = np.flatnonzero(t.view("active"))
    region = t.view("region")[active]
    for r in range(model.n_regions):
        here = active[region == r]
        n = int(np.floor(share * here.size + 0.5))
        chosen = model.rng.permutation(here)[:n]
        t.view("owner_type")[chosen] = SELF_MANAGED


def draw_effort(model: RegionalEconomy, n: int, dispersion: float) -> np.ndarray:
    """Effort: "the one thing that each person has in their own power" ("Wage Labor"); mean one."""
    return np.exp(dispersion * model.rng.standard_normal(n) - 0.5 * dispersion**2)


def balanced_firms(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Which firm slots balance jobs: self-managed firms, when job balancing is on."""
    self_managed = model.firm_table.view("owner_type") == SELF_MANAGED
    return self_managed & p.job_balancing


def assign_empowering_jobs(model: RegionalEconomy, share: float,
                           balanced: np.ndarray) -> np.ndarray:
    """In each hierarchical firm, the most skilled `share` of the staff hold empowering jobs.

    Wetzel (n.d., "Balanced Jobs"): "When these tasks are concentrated or relatively
    monopolized into an elite, that is the basis of coordinator class power". Skill decides who
    gets them; the tasks then build the skill (`skills_follow_tasks`), so the stratum
    reproduces itself. Returns a mask over all workers (see `empowered_workers` for their
    indices).
    """
    out = np.zeros(len(model.workforce), dtype=bool)
    out[empowered_workers(model, share, balanced)] = True
    return out


def empowered_workers(model: RegionalEconomy, share: float,
                      balanced: np.ndarray) -> np.ndarray:
    """Indices of the workers holding empowering jobs (see `assign_empowering_jobs`).

    Within each hierarchical firm staff are ranked by skill, highest first (ties by worker
    index), and the first round(share x staff) are empowered. Only staff at or above their
    firm's mean skill (the `mean_skill` of this quarter's bargaining) are ranked: the
    empowered are among them whenever there are at least as many of them as empowering
    jobs, and a firm with fewer ranks its whole staff.
    """
    wf, t = model.workforce, model.firm_table
    quota = np.floor(share * np.where(balanced, 0, t.view("employees")) + 0.5).astype(np.int64)
    bar = np.full(t.size + 1, np.inf)  # the unemployed (-1) read the last entry: never ranked
    bar[:-1] = np.where(balanced, np.inf, t.view("mean_skill"))
    for _ in range(2):
        ranked = np.flatnonzero(wf.skill >= bar[wf.employer])
        firm = wf.employer[ranked]
        staff = np.bincount(firm, minlength=t.size)
        short = staff < quota
        if not short.any():
            break
        bar[:-1][short] = -np.inf  # rank the whole staff
    np.minimum(quota, staff, out=quota)
    order = lexsort_groups(-wf.skill[ranked], firm)
    # `order` runs firm by firm; the first `quota` places of each firm's run are empowered.
    passed = staff - quota
    place = np.repeat(np.cumsum(passed) - passed, quota)
    place += np.arange(place.size)
    return ranked[order[place]]


def share_pay(model: RegionalEconomy, rule: str, effort: np.ndarray) -> None:
    """Self-managed firms share their pay bill among members by their rule ("Wage Labor").

    `equal`: everyone gets the firm's mean pay; `effort`: pay is proportional to effort,
    "remunerated in proportion to their effort and sacrifice"; `bargaining`: individual
    bargained wages stand. The bill is unchanged, so the firm's accounts are too.
    """
    if rule == "bargaining":
        return
    wf, t = model.workforce, model.firm_table
    members = model.workforce.staff_of(t.view("owner_type") == SELF_MANAGED)
    if members.size == 0:
        return
    firm = wf.employer[members]
    weight = effort[members] if rule == "effort" else np.ones(members.size)
    bill = np.bincount(firm, weights=wf.wage[members], minlength=t.size)
    total = np.bincount(firm, weights=weight, minlength=t.size)
    pay = bill[firm]
    pay *= weight
    pay /= np.maximum(total, 1e-12)[firm]
    wf.wage[members] = pay


def pay_coordinator_premium(model: RegionalEconomy, premium: float,
                            coordinator: np.ndarray) -> None:
    """Empowering jobs earn a premium on the bargained wage, paid by the firm ("What Creates Class
    Oppression?", "Autonomy and Allocation").

    Wetzel (n.d., "Autonomy and Allocation"): "Individuals can use acquisition of different
    levels of skill and expertise to secure bargaining power to compete in the labor market."
    `coordinator`: a mask over workers, or their indices.
    """
    wf = model.workforce
    wf.wage[coordinator] *= 1.0 + premium


def marked_coordinators(model: RegionalEconomy, known: np.ndarray | None = None) -> np.ndarray:
    """Indices of the workers `model.coordinator` marks (ascending, or in the order of `known`).

    `known`: the distinct workers marked at bargaining; while the mask marks exactly them
    (no row has moved since) they are the answer, without a search through every worker.
    """
    mask = model.coordinator
    if known is not None and known.size == np.count_nonzero(mask) and mask[known].all():
        return known
    return np.flatnonzero(mask)


def skills_follow_tasks(model: RegionalEconomy, p: Params, balanced: np.ndarray,
                        coordinators: np.ndarray | None = None) -> None:
    """Empowering tasks build skill: for coordinators alone, or for every balanced member.

    Wetzel (n.d., "Balanced Jobs"): "The professionals and managers do jobs, and experience
    forms of education, that prepare them for effective decision-making." Under job
    balancing each member does a `coordinator_share` of empowering work, so the same
    learning is spread evenly.
    `coordinators`: those marked at bargaining, if known (see `marked_coordinators`).
    """
    wf, lp = model.workforce, model.params.labour
    g = p.empowerment_skill_growth
    # Coordinators still employed (never in balanced firms) and balanced members; for
    # everyone else skill * (1 + 0) is skill, within its bounds, so they are left alone.
    coordinators = marked_coordinators(model, coordinators)
    coordinators = coordinators[wf.employer[coordinators] >= 0]
    for who, growth in ((coordinators, g),
                        (wf.staff_of(balanced), g * p.coordinator_share)):
        if growth <= 0 or who.size == 0:
            continue
        grow_skill(wf.skill, who, growth, lp.skill_min, lp.skill_max)
