"""The good-jobs strategy of Rodrik and Stantcheva (2021, §§III-VI), each part switchable.

- `employer_training` (§III): sectoral, employer-linked training of the unemployed, whose
  randomised evaluations show "significant and sustained gains for participants"; trainees
  gain skill, and assortative matching places them in the jobs that value skill most;
- `conditional_subsidy` (§IV): a capital subsidy on the model of the UK's Regional
  Selective Assistance, which targeted "low-income, high-unemployment areas" and financed "up
  to 35 per cent of the investment" — but conditioned, unlike the RSA, on good-job
  commitments: the firm trains its workers, pays at least the good-job wage, and delays
  moving out ("asked to delay doing so for a number of years");
- `labour_friendly_innovation` (§V): public R&D that redirects technology "to match
  current skills", raising output per worker on the high road without displacing workers:
  the high-road technology frontier of the region moves out;
- `safeguard` (§VI): "Restrictions on imports should not be permissible merely
  because wages in an exporting country are low", but trade "may be considered unfair when
  competitive advantage is gained through the violation of worker rights". The trigger is
  the suppliers' rights-violation index, never their price; a triggered safeguard shuts out
  the violating share of low-wage imports.

The rest of the world's violation index is a parameter (the paper gives none); internal
trade runs through one pooled market without bilateral flows, so the safeguard applies to
the rest of the world's suppliers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.agents.workforce import UNEMPLOYED, grow_skill
from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import by_region, gov_buys, gov_pays_firms
from highroad.regions.returns import LOW
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-",
                         "Switch the good-jobs strategy on (then each part by its own switch).")
    employer_training: bool = spec(True, "-", "Employer-linked training of the unemployed.")
    training_coverage: float = spec(0.05, "share of the unemployed per quarter",
                                    "Unemployed workers enrolled in employer-linked training.",
                                    0, 1)
    training_gain: float = spec(0.1, "relative skill gain", "Skill gain of a trainee.", 0, 1)
    training_cost: float = spec(1.0, "quarters of regional mean wage per trainee",
                                "Public cost of a training place.", 0, 20)
    conditional_subsidy: bool = spec(True, "-",
                                     "Capital subsidy conditional on good-job commitments.")
    subsidy_rate: float = spec(0.25, "share of investment",
                               "Share of a committed firm's investment the region pays (RSA: up to"
                               " 35%).", 0, 0.35)
    distressed_only: bool = spec(True, "-",
                                 "Only regions with unemployment above the economy's are eligible "
                                 "(Bartik: focus on distressed areas).")
    commitment_quarters: int = spec(12, "quarters",
                                    "Quarters a subsidised firm commits not to relocate or exit.",
                                    0, 200)
    labour_friendly_innovation: bool = spec(True, "-",
                                            "Public R&D that moves the high-road frontier toward "
                                            "labour-augmenting technology.")
    innovation_budget: float = spec(0.005, "share of regional GDP per quarter",
                                    "Public spending on labour-friendly R&D.", 0, 0.1)
    innovation_returns: float = spec(0.5, "frontier growth per unit of budget share",
                                     "Growth of the high-road frontier per quarter per unit of GDP"
                                     " share spent.", 0, 5)
    safeguard: bool = spec(True, "-",
                           "Safeguard on imports made in violation of worker rights (never on low "
                           "wages alone).")
    partner_violation: float = spec(0.3, "0-1",
                                    "Share of low-wage imports produced in violation of worker "
                                    "rights.", 0, 1)
    violation_threshold: float = spec(0.2, "0-1",
                                      "Violation index above which the safeguard is triggered.",
                                      0, 1)


@register
class GoodJobs(PolicyModule):
    """Training, conditional subsidies, labour-friendly innovation and a rights safeguard."""

    name = "good_jobs"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        self.training_bill = np.zeros(model.n_regions)

    def on_policy(self, model: RegionalEconomy) -> None:
        p = self.params
        if p.safeguard:
            apply_safeguard(model, p)
        if p.labour_friendly_innovation:
            shift_frontier(model, p)

    def on_investment(self, model: RegionalEconomy) -> None:
        if self.params.conditional_subsidy:
            subsidise_committed_firms(model, self.params)

    def on_bargaining(self, model: RegionalEconomy) -> None:
        if self.params.conditional_subsidy:
            keep_commitments(model)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        p = self.params
        bill = self.training_bill
        if p.labour_friendly_innovation:
            bill = bill + p.innovation_budget * model.region_column("gdp")
        gov_buys(model, bill, builds_stock=False)
        self.training_bill = np.zeros(model.n_regions)

    def on_demography(self, model: RegionalEconomy) -> None:
        p = self.params
        if p.employer_training:
            self.training_bill = train_unemployed(model, p)
        if p.conditional_subsidy:
            train_on_the_job(model)


def train_unemployed(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Enrol a share of the unemployed; trainees gain skill. Returns the bill by region.

    Rodrik and Stantcheva (2021, §III): sectoral programmes with "partnerships with community
    colleges and employers" produce "significant and sustained gains for participants". The skill
    gain moves trainees up the assortative hiring queue (labour_market.match), toward the
    firms that value skill most. The places are bought from local providers next quarter.
    """
    wf, lp = model.workforce, model.params.labour
    seekers = np.flatnonzero(wf.employer == UNEMPLOYED)
    trainees = seekers[model.rng.random(seekers.size) < p.training_coverage]
    wf.skill[trainees] = np.minimum(wf.skill[trainees] * (1.0 + p.training_gain), lp.skill_max)
    home = wf.region[trainees]
    cost = p.training_cost * model.region_column("mean_wage")[home]
    model.flows["trainees"] += trainees.size
    return by_region(model, home, cost)


def subsidise_committed_firms(model: RegionalEconomy, p: Params) -> None:
    """Pay part of the planned investment of firms that commit to good jobs.

    Rodrik and Stantcheva (2021, §IV): the RSA financed "up to 35 per cent of the investment" in
    distressed areas; the good-jobs version asks for commitments in return: training, pay at
    least the good-job wage, and a delay before outsourcing or moving. A firm accepts when
    the subsidy covers this quarter's cost of the commitments (forgone output while
    training, the wage top-up at last quarter's wages). The firm keeps its own outlay and
    the subsidy enlarges the project.
    """
    t, wf, fp = model.firm_table, model.workforce, model.params.firms
    active, region = t.view("active"), t.view("region")
    eligible_region = np.ones(model.n_regions, dtype=bool)
    if p.distressed_only:
        workers = np.maximum(model.workers_by_region, 1.0)
        rate = model.unemployed_by_region / workers
        eligible_region = rate > model.unemployed_by_region.sum() / workers.sum()
    own = t.view("investment")
    subsidy = np.where(active & eligible_region[region] & (own > 0),
                       own * p.subsidy_rate / (1.0 - p.subsidy_rate), 0.0)
    # The wage top-up is needed only where a subsidy is on offer.
    staff = model.workforce.staff_of(subsidy > 0)
    firm = wf.employer[staff]
    shortfall = good_job_wage(model)[firm]
    shortfall -= wf.wage[staff]
    np.maximum(shortfall, 0.0, out=shortfall)
    top_up = np.bincount(firm, weights=shortfall, minlength=t.size)
    training = np.where(t.view("high"), 0.0, fp.training_share * t.view("revenue"))
    accept = (subsidy > 0) & (subsidy >= top_up + training)
    subsidy = np.where(accept, subsidy, 0.0)
    gov_pays_firms(model, "good_jobs_subsidy", subsidy)
    own += subsidy
    # Commitments run for `commitment_quarters` (at least this one): train, pay, stay.
    locked = t.view("locked_until")
    locked[:] = np.where(accept, np.maximum(locked, int(model.steps) + max(
        p.commitment_quarters, 1)), locked)
    t.view("trains")[:] = active & (locked > model.steps)
    model.flows["subsidised_firms"] += int(accept.sum())


def keep_commitments(model: RegionalEconomy) -> None:
    """Committed (training) firms pay the good-job wage; low-road trainers lose training time.

    Rodrik and Stantcheva (2021, §II): a good job pays a middle-class wage and offers a career
    ladder; the good-jobs observable counts training firms' jobs (analysis/observables.good_jobs).
    """
    t, wf, fp = model.firm_table, model.workforce, model.params.firms
    trains = t.view("trains")
    if not trains.any():
        return
    # Each worker's floor, read through her employer's slot: no floor (-inf) outside
    # training firms and for the unemployed (the last entry).
    floor = np.full(t.size + 1, -np.inf)
    floor[:-1][trains] = good_job_wage(model)[trains]
    np.maximum(wf.wage, floor[wf.employer], out=wf.wage)
    low_trainer = trains & ~t.view("high")
    t.view("productivity")[:] = np.where(low_trainer,
                                         t.view("productivity") * (1.0 - fp.training_share),
                                         t.view("productivity"))


def train_on_the_job(model: RegionalEconomy) -> None:
    """Workers of low-road training firms learn like high-road workers (the training pays)."""
    wf, t, lp = model.workforce, model.firm_table, model.params.labour
    where = model.workforce.staff_of(t.view("trains") & ~t.view("high"))
    grow_skill(wf.skill, where, lp.skill_growth_high - lp.skill_growth_low, lp.skill_min,
               lp.skill_max)


def good_job_wage(model: RegionalEconomy) -> np.ndarray:
    """The good-job wage of each firm slot: `good_job_wage` times its region's median wage."""
    t = model.firm_table
    return model.params.labour.good_job_wage * model.region_column("median_wage")[
        t.view("region")]


def shift_frontier(model: RegionalEconomy, p: Params) -> None:
    """Labour-friendly public R&D moves the region's high-road frontier out.

    Rodrik and Stantcheva (2021, §V): "The gap between skills and technology can be closed in one of
    two ways": more education, or innovation redirected to match current skills. Output per
    high-road worker rises at the same capital per job, so no job is displaced (the model
    has no labour-replacing automation to compete with it).
    """
    model.high_road_frontier *= 1.0 + p.innovation_returns * p.innovation_budget


def apply_safeguard(model: RegionalEconomy, p: Params) -> None:
    """Shut out the violating share of low-wage imports, if and only if violations pass V*.

    Rodrik and Stantcheva (2021, §VI): imports are not to be restricted "merely because wages in an
    exporting country are low", only where advantage comes "through the violation of worker
    rights". The world price plays no part in the trigger.
    """
    if p.partner_violation > p.violation_threshold:
        model.import_barrier[LOW] *= 1.0 - p.partner_violation
