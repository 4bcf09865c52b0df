"""Participatory and central planning of output (Wetzel n.d., "Central planning versus
participatory planning").

Wetzel contrasts two ways to allocate "worker time and other resources in social production"
without a market. Under central planning "a planning agency acquires information about
consumer demand and about the production capacity of various facilities. The professional
planners than craft the plan and issue marching orders to the production groups", and "the
planning elite will want to have managers in charge in the various production facilities".
Under participatory planning "individuals and resident assemblies and federations of resident
assemblies put forward proposals for what they want produced, both for individual and public
consumption goods. Production groups put forward their proposals for what they will
produce"; the proposals are aggregated, their consequences published, and revised "through a
series of back-and-forth sessions"; prices measure "the strength of desire"; "There is no
central planning elite".

The module sets each firm's output (its planned jobs; the labour market hires up to the plan
within capacity) each quarter, for each good (standard and quality) economy-wide:

- `participatory`: consumers' proposals are last quarter's spending on each good, split into
  a private channel (households and investors) and a public channel (the governments'
  purchases, the resident federations' proposals), each a finite budget spent at the
  published indicative price; production groups propose their capacity output if the price
  covers their unit labour cost, less if not (`supply_elasticity`). A facilitation board
  publishes the excess demand and moves the price; `rounds` rounds, or fewer if the plan is
  feasible within `tolerance` (`iterate_plan`). The plan is the groups' final proposals,
  scaled to what is demanded;
- `central`: the agency estimates demand and each facility's capacity with a multiplicative
  log-normal error (`information_error`), sets output to the estimated demand at its
  accounting prices (each good's unit labour cost), within estimated capacity, and shares it
  out by estimated capacity (`central_plan`). The managers it appoints are the coordinator
  class of hierarchical firms (the `self_management` module with `job_balancing = false`, as
  the `central_planning` scenario sets it).

Observables (model attributes, for custom reporters): `planning_error`, the mean absolute log
error of the plan's information (central: its demand and capacity estimates; participatory:
the excess demand left after the last round), and `top_decile_empowering_share`, the share
of empowering work held by the top income decile (`empowering_work`).

Departures: the plan sets output, not investment (firms' reinvestment rule stays) nor prices
(markets still clear what is produced, so a wrong plan shows as prices and losses); one plan
per good for the whole economy (the federations of industries), not per region; the
consumer side is spending, not itemised requests; no disbanding rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.self_management import balanced_firms
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

MODES = ("participatory", "central")


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch planning of firms' output on.")
    mode: str = spec("participatory", "-",
                     "Participatory planning (proposals, aggregation, iteration) or a central "
                     "planning agency.", choices=MODES)
    rounds: int = spec(8, "rounds", "Most rounds of proposals and revisions per quarter "
                       "(participatory).", 1, 100)
    tolerance: float = spec(0.01, "log points",
                            "Largest excess demand at which the plan counts as feasible "
                            "(participatory).", 0, 1)
    price_adjustment: float = spec(0.5, "1",
                                   "Elasticity of the indicative price to the published excess "
                                   "demand between rounds (participatory).", 0.01, 2)
    supply_elasticity: float = spec(1.0, "1",
                                    "Elasticity of a production group's proposal to the ratio of "
                                    "price to its unit labour cost, below cost (participatory).",
                                    0, 10)
    information_error: float = spec(0.1, "log points",
                                    "Standard deviation of the central agency's errors about "
                                    "demand and each facility's capacity (central).", 0, 2)


@register
class Planning(PolicyModule):
    """Plan each firm's output: participatory rounds of proposals, or a central agency."""

    name = "planning"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        model.planning_error = 0.0
        model.top_decile_empowering_share = 0.0
        self.last_public = np.zeros(2)  # last quarter's public purchases by good

    def on_investment(self, model: RegionalEconomy) -> None:
        p = self.params
        spending = spending_by_good(model)
        if not (spending > 0).all():  # nothing to plan from yet (the first quarter)
            model.planned_jobs = None
            return
        output = (participatory_plan(model, p, spending, self.last_public)
                  if p.mode == "participatory" else central_plan(model, p, spending))
        self.last_public = public_proposals(model)
        t = model.firm_table
        productivity = np.maximum(t.view("productivity"), 1e-12)
        model.planned_jobs = np.where(t.view("active"), np.ceil(output / productivity),
                                      -1).astype(np.int64)

    def on_incomes(self, model: RegionalEconomy) -> None:
        model.top_decile_empowering_share = empowering_work(model)


def capacity_output(model: RegionalEconomy) -> np.ndarray:
    """What each firm slot could produce with every job it has capital for filled."""
    t = model.firm_table
    jobs = np.floor(t.view("capital") / model.params.firms.capital_per_job)
    return np.where(t.view("active"), jobs * t.view("productivity"), 0.0)


def spending_by_good(model: RegionalEconomy) -> np.ndarray:
    """Last quarter's spending on each good's domestic output (standard, quality)."""
    t = model.firm_table
    road = t.view("high").astype(np.int64)
    revenue = np.where(t.view("active"), np.maximum(t.view("revenue"), 0.0), 0.0)
    return np.bincount(road, weights=revenue, minlength=2)


def public_proposals(model: RegionalEconomy) -> np.ndarray:
    """The public channel: this quarter's public purchases by good, as the resident
    federations have set them in the budgets of phase 2."""
    rt, gp = model.region_table, model.params.goods
    public = float((rt.view("public_investment") + rt.view("public_consumption")).sum())
    return public * np.array([1.0 - gp.public_quality_share, gp.public_quality_share])


def proposals(model: RegionalEconomy, p: Params, price: np.ndarray,
              capacity: np.ndarray) -> np.ndarray:
    """Each production group's proposal at the indicative price of its good.

    Full capacity when the price covers its unit labour cost (last quarter's wage bill per
    unit of output), a share `(price / cost) ** supply_elasticity` of it below.
    """
    t = model.firm_table
    road = t.view("high").astype(np.int64)
    output = np.maximum(t.view("output"), 1e-12)
    wages = model.workforce.firm_sums(model.workforce.wage, t.size)
    cost = np.where(t.view("output") > 0, wages / output, 0.0)
    ratio = np.divide(price[road], cost, out=np.full(t.size, np.inf), where=cost > 0)
    return capacity * np.minimum(ratio, 1.0) ** p.supply_elasticity


def iterate_plan(model: RegionalEconomy, p: Params, budgets: np.ndarray,
                 capacity: np.ndarray) -> tuple[np.ndarray, float]:
    """Rounds of proposals, aggregation and revision until the plan is feasible.

    Wetzel (n.d., "Central planning versus participatory planning"): "some group or groups
    aggregate the proposals and figure out their total consequences and then publish this. In
    light of this information, people can then revise their proposals". Consumers' budgets
    (both channels) are spent at the indicative price; the board raises the price of a good
    in excess demand and lowers it in excess supply. Returns the groups' final proposals and
    the excess demand left (log points, the larger of the two goods).
    """
    t = model.firm_table
    road = t.view("high").astype(np.int64)
    price = np.maximum(model.effective_price.mean(axis=0), 1e-9)
    gap = 0.0
    for _ in range(p.rounds):
        offered = proposals(model, p, price, capacity)
        supply = np.bincount(road, weights=offered, minlength=2)
        demand = budgets / price
        has = (supply > 0) & (demand > 0)
        excess = np.where(has, np.log(np.where(has, demand, 1.0) / np.where(has, supply, 1.0)),
                          0.0)
        gap = float(np.abs(excess).max())
        if gap <= p.tolerance:
            break
        price = price * np.exp(p.price_adjustment * excess)
    offered = proposals(model, p, price, capacity)
    supply = np.bincount(road, weights=offered, minlength=2)
    demand = budgets / price
    scale = np.divide(demand, supply, out=np.ones(2), where=supply > 0)
    return offered * np.minimum(scale, 1.0)[road], gap


def participatory_plan(model: RegionalEconomy, p: Params, spending: np.ndarray,
                       last_public: np.ndarray) -> np.ndarray:
    """Consumers' proposals through a private and a public channel meet the production
    groups' proposals (Wetzel n.d., "Central planning versus participatory planning": "both
    for individual and public consumption goods"). The private channel is what households
    and investors spent on each good last quarter (spending less last quarter's public
    purchases); the public channel is this quarter's public purchases. Returns each firm's
    planned output."""
    private = np.maximum(spending - last_public, 0.0)
    budgets = private + public_proposals(model)
    planned, gap = iterate_plan(model, p, budgets, capacity_output(model))
    model.planning_error = gap
    return planned


def accounting_prices(model: RegionalEconomy) -> np.ndarray:
    """Each good's unit labour cost last quarter: the central agency's prices."""
    t = model.firm_table
    road = t.view("high").astype(np.int64)
    active = t.view("active")
    wages = model.workforce.firm_sums(model.workforce.wage, t.size)
    cost = np.bincount(road, weights=np.where(active, wages, 0.0), minlength=2)
    output = np.bincount(road, weights=np.where(active, t.view("output"), 0.0), minlength=2)
    return np.divide(cost, output, out=np.ones(2), where=(output > 0) & (cost > 0))


def central_plan(model: RegionalEconomy, p: Params, spending: np.ndarray) -> np.ndarray:
    """The agency's plan from noisy information (Wetzel n.d., "Central planning versus
    participatory planning": "how would they get accurate information about the relative
    preferences of consumers for outcomes? ... Central planning has no way to obtain this
    information").

    Demand and each facility's capacity are estimated with mean-one log-normal errors of
    dispersion `information_error`; output is the estimated demand at the agency's accounting
    prices (unit labour cost), within estimated capacity, shared out by estimated capacity.
    """
    t = model.firm_table
    road = t.view("high").astype(np.int64)
    sigma = p.information_error
    demand_error = sigma * model.rng.standard_normal(2) - 0.5 * sigma**2
    capacity_error = sigma * model.rng.standard_normal(t.size) - 0.5 * sigma**2
    capacity = capacity_output(model)
    seen_capacity = capacity * np.exp(capacity_error)
    wanted = spending * np.exp(demand_error) / accounting_prices(model)
    total = np.bincount(road, weights=seen_capacity, minlength=2)
    share = np.divide(seen_capacity, total[road], out=np.zeros(t.size), where=total[road] > 0)
    planned = share * np.minimum(wanted, total)[road]
    active = t.view("active") & (capacity > 0)
    errors = np.concatenate([np.abs(demand_error), np.abs(capacity_error[active])])
    model.planning_error = float(errors.mean())
    return planned


def empowering_work(model: RegionalEconomy) -> float:
    """Share of empowering work held by the top income decile.

    Wetzel (n.d., "Balanced Jobs"): class rests on "control over planning, conceptualization,
    decision-making, coordination of the labor of others" being "concentrated into the hands of
    a few". A coordinator does empowering work full time; a member of a firm that balances jobs
    does the firm's share of it (`self_management.coordinator_share`); everyone else none.
    """
    wf = model.workforce
    work = np.zeros(len(wf))
    sm = next((m for m in model.policy_modules if m.name == "self_management"), None)
    if sm is not None:
        balanced = np.append(balanced_firms(model, sm.params), False)
        work[balanced[wf.employer]] = sm.params.coordinator_share
    if model.coordinator is not None:
        work[model.coordinator] = 1.0
    total = work.sum()
    if total <= 0:
        return 0.0
    k = max(len(wf) // 10, 1)
    top = np.argpartition(wf.income, len(wf) - k)[len(wf) - k:]
    return float(work[top].sum() / total)

