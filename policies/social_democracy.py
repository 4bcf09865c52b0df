"""The "old solution" (Cohen and Rogers 1997, §2): central bargaining, transfers, demand support.

Three mechanisms of the post-war settlement (Cohen and Rogers 1997, §2):

- centralised bargaining: unions "made deals with »monopoly« capital directly – in
  centralized systems of wage-bargaining", "exchanging wage moderation for commitments to
  increased social welfare spending and guarantees of full employment" (§2). Covered wages
  are compressed toward the regional mean, and unions give up part of their bargaining weight;
- transfers: "In the most advanced Nordic cases, a substantial »social wage« was assured to
  all adults"; elsewhere efforts were "more »means-tested«" (§4). Universal or means-tested,
  financed pay-as-you-go by an earmarked tax on wages;
- counter-cyclical demand support: "Wage increases or state-led redistribution toward labor
  increased effective demand, which was captured by domestic firms supplying employment"
  (§2), on the condition of an economy "sufficiently insulated from foreign competitors that
  the benefits of demand-stimulus could be reliably captured within its borders" (§2). The
  stimulus is bought in the region's goods market, so under openness part of it leaks to
  imports and other regions (§2) by the goods market's own rules, not by assumption here.

Two of C&R's objections to the two transfer designs (§4), each switchable:

- `labour_supply`: the universal social wage's "very generosity creates dependency traps for
  potential labor market participants" (§4). Job seekers decline a share of the jobs they
  are offered that follows the return to work: a means-tested transfer is lost on taking a
  job (a participation tax), with the extensive-margin elasticity of participation to the
  return to work of Chetty et al. (2011, 0.25); a universal one is kept in work and acts by
  its income effect, a marginal propensity to earn out of unearned income of Imbens, Rubin
  and Sacerdote (2001, about -0.11). Which design traps more is then the model's answer;
- `political_support`: means-tested programmes suffer from "the lack of political support that
  follows from its narrowed focus on the very poor - programs for whom tend to be poor
  programs" (§4). Each region's transfer rate drifts toward the scenario's rate times the
  share of residents who receive it over `support_threshold` (at most one): universal
  programmes keep their rate, narrow ones shrink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import by_region, gov_buys, gov_pays_households, households_pay_gov
from highroad.regions.kernels import group_medians
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

TRANSFER_DESIGNS = ("universal", "means_tested")


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch the social-democratic package on.")
    coverage: float = spec(0.8, "share of workers",
                           "Share of each region's jobs covered by the central wage agreement.",
                           0, 1)
    compression: float = spec(0.5, "1",
                              "Share of the gap between a covered wage and the regional mean wage "
                              "that the central agreement closes.", 0, 1)
    wage_moderation: float = spec(0.2, "1",
                                  "Share of their bargaining weight covered unions give up in the "
                                  "corporatist bargain.", 0, 1)
    transfer_design: str = spec("universal", "-",
                                "Who receives the social wage: every resident, or only those below"
                                " the means test.", choices=TRANSFER_DESIGNS)
    transfer_rate: float = spec(0.1, "share of regional mean wage per quarter",
                                "Social wage paid to each eligible resident.", 0, 1)
    means_test: float = spec(0.75, "share of regional median income",
                             "Income below which a household qualifies under means testing.", 0, 3)
    demand_support: float = spec(1.0, "share of regional GDP per unit of unemployment gap",
                                 "Extra public purchases when unemployment exceeds the target "
                                 "(deficit-financed).", 0, 10)
    unemployment_target: float = spec(0.05, "share of workers",
                                      "Unemployment above which demand support starts.", 0, 1)
    labour_supply: bool = spec(False, "-",
                               "Job seekers answer to the social wage: they decline jobs as the "
                               "return to work falls (dependency traps, §4).")
    participation_elasticity: float = spec(0.25, "1",
                                           "Elasticity of participation to the return to work "
                                           "(extensive margin; Chetty et al. 2011: 0.25).", 0, 2)
    earnings_response: float = spec(0.11, "1",
                                    "Fall in participation per unit of unearned income relative "
                                    "to the wage (Imbens, Rubin and Sacerdote 2001: marginal "
                                    "propensity to earn about -0.11).", 0, 1)
    political_support: bool = spec(False, "-",
                                   "The transfer rate follows the share of residents who receive "
                                   "it (means-tested programmes shrink, §4).")
    support_threshold: float = spec(0.5, "share of residents",
                                    "Share of beneficiaries at which a programme keeps its full "
                                    "rate (a majority).", 0.01, 1)
    support_adjustment: float = spec(0.05, "per quarter",
                                     "Share of the gap to the supported rate closed per quarter.",
                                     0, 1)


@register
class SocialDemocracy(PolicyModule):
    """Centralised bargaining, a social wage, and counter-cyclical demand support."""

    name = "social_democracy"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        self.last_transfer = np.zeros(model.n_regions)   # social wage per eligible resident
        self.rate = np.full(model.n_regions, self.params.transfer_rate)  # as politics keeps it
        self.last_cost = 0.0
        self.last_wage_bill = 0.0

    def on_policy(self, model: RegionalEconomy) -> None:
        moderate_wages(model, self.params)
        self.social_wage_in_outside_option(model)

    def on_bargaining(self, model: RegionalEconomy) -> None:
        if self.params.labour_supply:
            decline_jobs(model, self.params, self.rate)
        compress_wages(model, self.params)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        support_demand(model, self.params)

    def on_incomes(self, model: RegionalEconomy) -> None:
        self.pay_social_wage(model)

    def social_wage_in_outside_option(self, model: RegionalEconomy) -> None:
        """The social wage is income a worker keeps without the job: it raises her fallback.

        Cohen and Rogers (1997, §4): "By increasing labor's bargaining power, a higher social wage
        drives the economy toward" high-road production; docs/design.md counts transfers in the
        outside option of the Nash bargain.
        """
        model.outside_bonus += self.last_transfer

    def pay_social_wage(self, model: RegionalEconomy) -> None:
        """Pay the social wage, and the earmarked wage tax that covers last quarter's cost.

        Universal: to "all adults" (the Nordic case); means-tested: to households with
        "substantially substandard incomes" (Cohen and Rogers 1997, §2), here below `means_test`
        times the regional median of this quarter's income. Pay-as-you-go: the tax rate is last
        quarter's cost over last quarter's wage bill, so the programme is self-financing with
        a one-quarter lag and the region's discretionary budget absorbs the rest.
        """
        p, wf = self.params, model.workforce
        wage_bill = float(wf.wage.sum())  # the unemployed earn 0
        if self.last_wage_bill > 0:
            rate = min(self.last_cost / self.last_wage_bill, 0.5)
            tax = wf.wage * rate
            np.minimum(tax, wf.wealth, out=tax)  # no one pays more than she holds
            households_pay_gov(model, "social_insurance_tax", slice(None), tax, wf.region,
                               capped=True)
        per_head = self.rate * model.region_column("mean_wage")
        if p.transfer_design == "universal":
            eligible: np.ndarray | slice = slice(None)  # everyone
            region = wf.region
            amount = wf.spread(per_head)
        else:
            median = group_medians(wf.income, wf.region, model.n_regions)
            eligible = np.flatnonzero(wf.income < (p.means_test * median)[wf.region])
            region = wf.region[eligible]
            amount = per_head[region]
        gov_pays_households(model, "social_wage", eligible, amount, region)
        if p.political_support:
            self.rate = supported_rate(model, p, self.rate, region)
        self.last_cost = float(amount.sum())
        self.last_wage_bill = wage_bill
        self.last_transfer = per_head.copy()


def participation(p: Params, rate: np.ndarray) -> np.ndarray:
    """Share of job offers taken, by region, as the social wage sets the return to work.

    Cohen and Rogers (1997, §4): a generous social wage "creates dependency traps for potential
    labor market participants". Means-tested: taking a job at about the mean wage loses a
    transfer of `rate` mean wages, so the return to work is `1 - rate` and participation
    `(1 - rate) ** participation_elasticity` (Chetty et al. 2011). Universal: the transfer is
    kept in work; its income effect lowers participation by `earnings_response * rate`
    (Imbens, Rubin and Sacerdote 2001). The core's unemployment benefit is the calibration
    point (participation one without a social wage).
    """
    rate = np.clip(rate, 0.0, 1.0)
    if p.transfer_design == "means_tested":
        return (1.0 - rate) ** p.participation_elasticity
    return np.clip(1.0 - p.earnings_response * rate, 0.0, 1.0)


def decline_jobs(model: RegionalEconomy, p: Params, rate: np.ndarray) -> None:
    """This quarter's hires out of non-employment decline their jobs with chance one minus
    participation (they stay out, counted as not employed)."""
    wf, t = model.workforce, model.firm_table
    hired = np.flatnonzero((wf.employer >= 0) & (wf.tenure == 0))
    if hired.size == 0:
        return
    stay_out = hired[model.rng.random(hired.size) >= participation(p, rate)[wf.region[hired]]]
    np.subtract.at(t.view("employees"), wf.employer[stay_out], 1)
    wf.fire(stay_out)
    model.flows["declined_jobs"] += stay_out.size


def supported_rate(model: RegionalEconomy, p: Params, rate: np.ndarray,
                   beneficiaries: np.ndarray) -> np.ndarray:
    """The transfer rate politics sustains: the scenario's rate times the share of residents
    who receive it over `support_threshold` (at most one), approached gradually.

    Cohen and Rogers (1997, §4): means-tested programmes suffer "from the lack of political
    support that follows from its narrowed focus on the very poor". `beneficiaries`: the
    regions of this quarter's recipients.
    """
    share = (np.bincount(beneficiaries, minlength=model.n_regions)
             / np.maximum(model.workers_by_region, 1.0))
    target = p.transfer_rate * np.minimum(share / p.support_threshold, 1.0)
    return rate + p.support_adjustment * (target - rate)


def moderate_wages(model: RegionalEconomy, p: Params) -> None:
    """Covered unions trade part of their bargaining weight for welfare and full employment.

    Cohen and Rogers (1997, §2): "exchanging wage moderation for commitments to increased social
    welfare spending and guarantees of full employment".
    """
    model.region_column("bargaining_power")[:] *= 1.0 - p.coverage * p.wage_moderation


def compress_wages(model: RegionalEconomy, p: Params) -> None:
    """Centralised bargaining sets covered wages closer to the regional mean.

    Cohen and Rogers (1997, §2): strong unions bargained "in centralized systems of
    wage-bargaining"; a central agreement sets one scale for many firms, so covered wages
    move toward the region's mean wage (wage compression). Firms that pay less
    than the mean pay more, and the reverse.
    """
    wf, t = model.workforce, model.firm_table
    if p.coverage == 0 or p.compression == 0 or not t.view("employees").any():
        return
    # The unemployed earn no wage, so the regional wage bill is the sum over all workers.
    counts = model.employment_by_region()
    mean = by_region(model, wf.region, wf.wage) / np.maximum(counts, 1)
    covered = model.rng.random(t.size) < p.coverage
    # Per firm slot, read by each worker through her employer (the unemployed read the last
    # entry): the mean wage of her region, and the share of the gap the agreement closes
    # (none outside it: her wage plus zero).
    target, closed = np.zeros(t.size + 1), np.zeros(t.size + 1)
    target[:-1] = mean[t.view("region")]
    closed[:-1][covered] = p.compression
    gap = target[wf.employer]
    gap -= wf.wage
    gap *= closed[wf.employer]
    wf.wage += gap


def support_demand(model: RegionalEconomy, p: Params) -> None:
    """Counter-cyclical purchases when unemployment exceeds the target, bought in the region.

    Cohen and Rogers (1997, §2): demand stimulus works when its benefits are "reliably captured
    within its borders"; the purchases join the region's demand and leak to imports and other
    regions as the goods market dictates (§2). Deficit-financed: repaid through the
    government's debt correction.
    """
    workers = np.maximum(model.workers_by_region, 1.0)
    unemployment = 1.0 - model.employment_by_region() / workers
    gap = np.maximum(unemployment - p.unemployment_target, 0.0)
    stimulus = p.demand_support * gap * model.region_column("gdp")
    gov_buys(model, stimulus, builds_stock=False, budgeted=False)
    model.flows["demand_support"] += float(stimulus.sum())
