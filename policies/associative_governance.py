"""Public support for regional deliberative arenas (Cohen and Rogers 1997, §3).

C&R's premises: organisations that represent under-represented interests add regulatory
competence, and "the right kinds of association do not naturally or spontaneously arise"
(draft), so public powers must foster them (§3). The arenas' "distinctive capacity ... to
gather local information, monitor compliance, and promote cooperation" (§3) works here
through four channels, each scaled by the region's associative capacity:

- monitoring: "Monitoring in the implementation of agreements would also be a natural
  byproduct of ongoing discussion" (§3): compliance with the wage floor rises;
- transition: "Moving to the high road is associated with various transition costs" (§5);
  cooperation among firms, unions and schools lowers them;
- practice: units "operate within networks of similar problem-solvers, comparing solutions
  across sites with an eye to improvement": firms close part of the gap to the region's
  best high-road practice;
- representation: without organised representation "the balance of political and economic
  bargaining power will defeat norms requiring real equality of opportunity" (§3).

The budget is a share of the region's discretionary spending, redirected from its usual
split (so quasi-public goods investment falls by that share: support is not free). Support
"tied to public service" (§3) yields citizen-like solidarities; untied support is partly
captured by factions, which the `public_service = false` setting encodes as a loss of the
channels' effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch public support for deliberative arenas on.")
    budget_share: float = spec(0.1, "share of discretionary spending",
                               "Public spending redirected to regional deliberative arenas.",
                               0, 0.5)
    support_efficiency: float = spec(1.0, "capacity per (spending per worker / initial wage)",
                                     "Growth of associative capacity bought by the arenas' budget.",
                                     0, 20)
    public_service: bool = spec(True, "-",
                                "Support is tied to public-service tasks (§3); if false, factions"
                                " capture part of its effect.")
    faction_loss: float = spec(0.5, "1",
                               "Share of the channels' effect lost when support is not tied to "
                               "public service.", 0, 1)
    monitoring_effect: float = spec(0.15, "probability",
                                    "Extra compliance with the labour standard at full capacity.",
                                    0, 1)
    transition_relief: float = spec(0.3, "share of transition cost",
                                    "Extra share of the high-road transition cost removed at full "
                                    "capacity.", 0, 1)
    practice_diffusion: float = spec(0.05, "per quarter",
                                     "Share of a firm's gap to regional best high-road practice "
                                     "closed per quarter at full capacity.", 0, 1)
    representation: float = spec(0.05, "Nash weight",
                                 "Extra bargaining power of workers at full capacity.", 0, 0.5)


@register
class AssociativeGovernance(PolicyModule):
    """Fund deliberative arenas; their capacity monitors, eases transitions, spreads practice."""

    name = "associative_governance"
    Params = Params

    def effect(self) -> float:
        """How much of the arenas' capacity serves the public (§3)."""
        p = self.params
        return 1.0 if p.public_service else 1.0 - p.faction_loss

    def on_policy(self, model: RegionalEconomy) -> None:
        capacity = model.region_column("associative_capacity") * self.effect()
        monitor_standards(model, self.params, capacity)
        ease_transition(model, self.params, capacity)
        represent_workers(model, self.params, capacity)

    def on_investment(self, model: RegionalEconomy) -> None:
        fund_arenas(model, self.params)
        spread_practice(model, self.params,
                        model.region_column("associative_capacity") * self.effect())


def fund_arenas(model: RegionalEconomy, p: Params) -> None:
    """Redirect a share of discretionary spending to the arenas; capacity grows with it.

    Cohen and Rogers (1997, §3): associations "do not naturally or spontaneously arise", so public
    powers must foster them. The arenas buy their services in the region (public
    consumption); what they take comes out of both parts of the usual split, so quasi-public
    goods investment falls by the same share. The `support` column feeds the capacity update
    of phase 7 (RegionalEconomy.update_associations).
    """
    rt = model.region_table
    invest, consume = rt.view("public_investment"), rt.view("public_consumption")
    arenas = p.budget_share * (invest + consume)
    invest *= 1.0 - p.budget_share
    consume *= 1.0 - p.budget_share
    consume += arenas
    per_worker = arenas / np.maximum(model.workers_by_region, 1.0) / model.reference_wage
    rt.view("support")[:] = p.support_efficiency * per_worker
    model.flows["associative_support"] += float(arenas.sum())


def monitor_standards(model: RegionalEconomy, p: Params, capacity: np.ndarray) -> None:
    """Monitoring as a by-product of deliberation raises compliance (Cohen and Rogers 1997, §3)."""
    enforcement = model.region_column("enforcement")
    enforcement[:] = np.clip(enforcement + p.monitoring_effect * capacity, 0.0, 1.0)


def ease_transition(model: RegionalEconomy, p: Params, capacity: np.ndarray) -> None:
    """Cooperation lowers the one-off cost of moving to the high road.

    Cohen and Rogers (1997, §5): "Moving to the high road is associated with various
    transition costs".
    """
    model.transition_relief += p.transition_relief * capacity


def represent_workers(model: RegionalEconomy, p: Params, capacity: np.ndarray) -> None:
    """Organised representation balances bargaining power (Cohen and Rogers 1997, §3)."""
    power = model.region_column("bargaining_power")
    power[:] = np.clip(power + p.representation * capacity, 0.0, 1.0)


def spread_practice(model: RegionalEconomy, p: Params, capacity: np.ndarray) -> None:
    """Firms close part of the gap to the region's best high-road practice.

    Cohen and Rogers (1997, §3): arenas "operate within networks of similar problem-solvers,
    comparing solutions across sites with an eye to improvement"; and deliberation encourages
    "a more complete revelation of private information". Best practice is the upper quartile of
    the region's high-road firms' productivity (tfp); firms below it move toward it.
    """
    t = model.firm_table
    active = t.view("active")
    region, tfp = t.view("region"), t.view("tfp")
    high = np.flatnonzero(active & t.view("high"))
    target = upper_quartiles(tfp[high], region[high], model.n_regions)[region]
    gap = np.where(active & np.isfinite(target), np.maximum(target - tfp, 0.0), 0.0)
    tfp += p.practice_diffusion * capacity[region] * gap


def upper_quartiles(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """The 0.75 quantile of `values` within each group 0..n_groups-1 (nan for an empty group).

    The numbers `np.quantile(values[groups == g], 0.75)` gives, for all groups from one
    sort: its default (linear) method interpolates between the order statistics around
    (n - 1) * 0.75, in the same steps (numpy's `_lerp`); a group holding a nan gives nan.
    """
    out = np.full(n_groups, np.nan)
    if values.size == 0:
        return out
    ordered = values[np.lexsort((values, groups))]
    count = np.bincount(groups, minlength=n_groups)
    has = np.flatnonzero(count)
    n = count[has]
    start = (np.cumsum(count) - count)[has]
    position = (n - 1) * 0.75
    below = np.floor(position)
    gamma = position - below
    lo = ordered[start + below.astype(np.int64)]
    hi = ordered[start + np.minimum(below.astype(np.int64) + 1, n - 1)]
    diff = hi - lo
    best = np.where(gamma >= 0.5, hi - diff * (1 - gamma), lo + diff * gamma)
    best[np.isnan(ordered[start + n - 1])] = np.nan  # nans sort last
    out[has] = best
    return out
