"""Workers' self-management and the coordinator class (Wetzel, digest Part B).

Wetzel's class analysis has two bases of class: capitalist property, and the concentration
of "empowering" work — "control over planning, conceptualization, decision-making,
coordination of the labor of others" — in a coordinator class (B2). The module encodes:

- self-managed firms (B3.2, B3.4): a share of firms are run by their workers. Their capital
  does not exit (the firm is not investor-owned, so Firm.mobile is false), their net income
  is shared among members (the dividend rule of RegionalEconomy.pay_dividends), and in a
  market they can go bankrupt: "Competition between firms is likely to lead to bankruptcy of
  some firms, generating unemployment";
- the coordinator-class mechanism in hierarchical firms (B2): a share of each firm's jobs are
  empowering; the most skilled hold them, earn a scarcity premium ("Firms needing scarce
  skills will be forced to pay more or give more in the way of perks"), and their skill
  grows with their tasks: "The skills and knowledge that people have is shaped by the kinds
  of activities they do day after day". Self-managed firms without job balancing are
  hierarchical too — Mondragon is "coordinator-class dominated" despite its assemblies;
- job balancing (B3.3): in self-managed firms with balancing, jobs are redesigned "so that
  the conceptual, decision-making and skilled tasks are integrated with the physical doing
  of the work": every member gets the same share of empowering tasks, so the skill gap
  closes and there is no coordinator premium;
- remuneration (B3.8): in self-managed firms, pay is shared equally, by effort ("in
  proportion to their effort and sacrifice in socially useful work"), or left to individual
  bargaining;
- `private_capital = false` (B3.9): "money can't exist in the form of capital": investors
  found no new firms.

Participatory planning (B3.6) is not encoded: allocation stays a market.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.firm import SELF_MANAGED
from highroad.analysis.metrics import lexsort_groups
from highroad.policies import PolicyModule, PolicyParams, register
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

    def on_bargaining(self, model: RegionalEconomy) -> None:
        p = self.params
        balanced = balanced_firms(model, p)
        coordinators = (empowered_workers(model, p.coordinator_share, balanced)
                        if p.coordinator_class else np.empty(0, dtype=np.int64))
        model.coordinator = np.zeros(len(model.workforce), dtype=bool)
        model.coordinator[coordinators] = True
        share_pay(model, p.remuneration, self.effort)
        pay_coordinator_premium(model, p.coordinator_premium, coordinators)

    def on_demography(self, model: RegionalEconomy) -> None:
        p = self.params
        skills_follow_tasks(model, p, balanced_firms(model, p))
        new = model.entrants
        self.effort[new] = draw_effort(model, new.size, p.effort_dispersion)
        model.coordinator[new] = False


def convert_firms(model: RegionalEconomy, share: float) -> None:
    """A share of each region's firms (chosen at random) become self-managed (B3.2)."""
    t = model.firm_table
    active = np.flatnonzero(t.view("active"))
    region = t.view("region")[active]
    for r in range(model.n_regions):
        here = active[region == r]
        n = int(np.floor(share * here.size + 0.5))
        chosen = model.rng.permutation(here)[:n]
        t.view("owner_type")[chosen] = SELF_MANAGED


def draw_effort(model: RegionalEconomy, n: int, dispersion: float) -> np.ndarray:
    """Effort: "the one thing that each person has in their own power" (B3.8); mean one."""
    return np.exp(dispersion * model.rng.standard_normal(n) - 0.5 * dispersion**2)


def balanced_firms(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Which firm slots balance jobs: self-managed firms, when job balancing is on."""
    self_managed = model.firm_table.view("owner_type") == SELF_MANAGED
    return self_managed & p.job_balancing


def assign_empowering_jobs(model: RegionalEconomy, share: float,
                           balanced: np.ndarray) -> np.ndarray:
    """In each hierarchical firm, the most skilled `share` of the staff hold empowering jobs.

    Wetzel B2: "When these tasks are concentrated or relatively monopolized into an elite,
    that is the basis of coordinator class power". Skill decides who gets them; the tasks
    then build the skill (`skills_follow_tasks`), so the stratum reproduces itself.
    Returns a mask over all workers (see `empowered_workers` for their indices).
    """
    out = np.zeros(len(model.workforce), dtype=bool)
    out[empowered_workers(model, share, balanced)] = True
    return out


def empowered_workers(model: RegionalEconomy, share: float,
                      balanced: np.ndarray) -> np.ndarray:
    """Indices of the workers holding empowering jobs (see `assign_empowering_jobs`).

    Within each hierarchical firm staff are ranked by skill, highest first (ties by worker
    index), and the first round(share x staff) are empowered.
    """
    wf, t = model.workforce, model.firm_table
    emp = wf.employed_index()
    firm = wf.employer[emp]
    hierarchical = np.flatnonzero(~balanced[firm])
    emp, firm = emp[hierarchical], firm[hierarchical]
    if emp.size == 0:
        return emp
    order = lexsort_groups(-wf.skill[emp], firm)
    sorted_firm = firm[order]
    staff = np.bincount(firm, minlength=t.size)
    starts = np.cumsum(staff) - staff
    rank = np.arange(sorted_firm.size) - starts[sorted_firm]
    quota = np.floor(share * t.view("employees") + 0.5)
    return emp[order[rank < quota[sorted_firm]]]


def share_pay(model: RegionalEconomy, rule: str, effort: np.ndarray) -> None:
    """Self-managed firms share their pay bill among members by their rule (B3.8).

    `equal`: everyone gets the firm's mean pay; `effort`: pay is proportional to effort,
    "remunerated in proportion to their effort and sacrifice"; `bargaining`: individual
    bargained wages stand. The bill is unchanged, so the firm's accounts are too.
    """
    if rule == "bargaining":
        return
    wf, t = model.workforce, model.firm_table
    emp = wf.employed_index()
    firm = wf.employer[emp]
    members = np.flatnonzero(t.view("owner_type")[firm] == SELF_MANAGED)
    emp, firm = emp[members], firm[members]
    if emp.size == 0:
        return
    weight = effort[emp] if rule == "effort" else np.ones(emp.size)
    bill = np.bincount(firm, weights=wf.wage[emp], minlength=t.size)
    total = np.bincount(firm, weights=weight, minlength=t.size)
    wf.wage[emp] = bill[firm] * weight / np.maximum(total[firm], 1e-12)


def pay_coordinator_premium(model: RegionalEconomy, premium: float,
                            coordinator: np.ndarray) -> None:
    """Empowering jobs earn a premium on the bargained wage, paid by the firm (B2, B3.4).

    Wetzel B2: "Individuals can use acquisition of different levels of skill and expertise
    to secure bargaining power to compete in the labor market." `coordinator`: a mask over
    workers, or their indices.
    """
    wf = model.workforce
    wf.wage[coordinator] *= 1.0 + premium


def skills_follow_tasks(model: RegionalEconomy, p: Params, balanced: np.ndarray) -> None:
    """Empowering tasks build skill: for coordinators alone, or for every balanced member.

    Wetzel B2: "The professionals and managers do jobs, and experience forms of education,
    that prepare them for effective decision-making." Under job balancing each member does
    a `coordinator_share` of empowering work, so the same learning is spread evenly (B3.3).
    """
    wf, lp = model.workforce, model.params.labour
    g = p.empowerment_skill_growth
    emp = wf.employed_index()
    # Coordinators (never in balanced firms) and balanced members; for everyone else skill
    # * (1 + 0) is skill, within its bounds, so they are left alone.
    for who, growth in ((emp[model.coordinator[emp]], g),
                        (emp[balanced[wf.employer[emp]]], g * p.coordinator_share)):
        if growth <= 0 or who.size == 0:
            continue
        skill = wf.skill[who]
        headroom = np.clip(1.0 - skill / lp.skill_max, 0.0, 1.0)
        wf.skill[who] = np.clip(skill * (1.0 + growth * headroom), lp.skill_min, lp.skill_max)
