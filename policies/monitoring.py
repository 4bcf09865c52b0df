"""Monitoring with a budget: a central inspectorate and associations (Cohen and Rogers 1997, §3).

In the core model compliance with the wage floor is a probability set by parameters
(`government.enforcement` plus a free by-product of associative capacity). This module makes
it something a region buys. Cohen and Rogers (1997, §3) argue that associations have a
"distinctive capacity ... to gather local information, monitor compliance, and promote
cooperation", and that "Monitoring in the implementation of agreements would also be a natural
byproduct of ongoing discussion"; the central state, by contrast, must pay for inspection.
The module lets the two be compared at an equal budget:

- a monitoring budget per firm, paid each quarter from the region's budget (a public purchase
  of services in the region, recorded in the ledger and netted from the next budget plan);
- a share of it is handed to the region's associations; a unit of their spending counts
  `byproduct_leverage` times the region's associative capacity units of inspection effort
  (the information is already gathered in deliberation), a unit of the inspectorate's counts
  one;
- compliance then has diminishing returns to effort:
  `1 - (1 - voluntary_compliance) * exp(-inspection_efficiency * effort)`, which replaces the
  core's fixed `government.enforcement` (the associations' free by-product of the core
  model stays, and so does any other module's effect).

Whether associations monitor more cheaply is then decided by the region's capacity, which
the model makes: with `byproduct_leverage * capacity` above one they do, below it they do
not. Compliance is observed as it is in the model: firms that pay at least the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import by_region, gov_buys
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch monitoring with a budget on (it replaces the fixed "
                         "government.enforcement).")
    budget: float = spec(0.5, "initial wages per firm per quarter",
                         "Public spending on monitoring the wage floor, per active firm.", 0, 20)
    association_share: float = spec(0.0, "share of the budget",
                                    "Share of the monitoring budget handed to the region's "
                                    "associations (the rest pays the central inspectorate).", 0, 1)
    voluntary_compliance: float = spec(0.5, "probability",
                                       "Chance a firm complies with the floor with no inspection.",
                                       0, 1)
    inspection_efficiency: float = spec(2.0, "per (initial wage per firm per quarter)",
                                        "Inspection effort's effect: compliance closes "
                                        "1 - exp(-efficiency * effort) of its gap to one "
                                        "(diminishing returns). The default with the default "
                                        "budget gives the core's 0.8.", 0, 50)
    byproduct_leverage: float = spec(2.0, "effort per unit of spending at full capacity",
                                     "Inspection effort a unit of associations' spending buys, "
                                     "per unit of associative capacity (monitoring as a "
                                     "by-product of deliberation, §3).", 0, 10)
    byproduct: bool = spec(True, "-", "Associations' spending counts byproduct_leverage times "
                           "capacity units of effort (monitoring as a by-product of "
                           "deliberation); off, it counts one unit, as the inspectorate's: "
                           "who monitors then makes no difference (the claims' placebo).")


@register
class Monitoring(PolicyModule):
    """Buy compliance with the wage floor: a central inspectorate and associations, one budget."""

    name = "monitoring"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        self.spending = np.zeros(model.n_regions)

    def on_policy(self, model: RegionalEconomy) -> None:
        self.spending = monitoring_spending(model, self.params)
        buy_compliance(model, self.params)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        gov_buys(model, self.spending, builds_stock=False)
        model.flows["monitoring_spending"] += float(self.spending.sum())


def monitoring_spending(model: RegionalEconomy, p: Params) -> np.ndarray:
    """The region's monitoring bill this quarter: `budget` initial wages per active firm."""
    t = model.firm_table
    firms = by_region(model, t.view("region"), t.view("active").astype(np.float64))
    return p.budget * model.reference_wage * firms


def inspection_effort(p: Params, capacity: np.ndarray) -> np.ndarray:
    """Effort per firm bought by the budget, central and associational (Cohen and Rogers 1997, §3).

    The inspectorate's spending counts one for one; associations' spending counts
    `byproduct_leverage * capacity`, since their monitoring is "a natural byproduct of ongoing
    discussion" (§3) and only as good as the arenas that produce it. With `byproduct` off
    they count one for one too.
    """
    central = p.budget * (1.0 - p.association_share)
    leverage = p.byproduct_leverage * capacity if p.byproduct else 1.0
    associational = p.budget * p.association_share * leverage
    return central + associational


def compliance_bought(p: Params, effort: np.ndarray) -> np.ndarray:
    """Compliance with diminishing returns to inspection effort."""
    return 1.0 - (1.0 - p.voluntary_compliance) * np.exp(-p.inspection_efficiency * effort)


def buy_compliance(model: RegionalEconomy, p: Params) -> None:
    """Replace the core's fixed central enforcement by the compliance the budget buys.

    Additive, so that other modules' effects on compliance (associative_governance) keep theirs
    whatever the modules' order.
    """
    enforcement = model.region_column("enforcement")
    capacity = model.region_column("associative_capacity")
    bought = compliance_bought(p, inspection_effort(p, capacity))
    enforcement[:] = np.clip(enforcement + bought - model.params.government.enforcement, 0.0, 1.0)


def observed_compliance(model: RegionalEconomy) -> np.ndarray:
    """Share of each region's active employers whose every worker earns at least the floor."""
    t, wf = model.firm_table, model.workforce
    floor = model.conditions.wage_floor[t.view("region")]
    employed = np.flatnonzero(wf.employer >= 0)
    lowest = np.full(t.size, np.inf)
    np.minimum.at(lowest, wf.employer[employed], wf.wage[employed])
    employer = t.view("active") & (t.view("employees") > 0)
    pays = employer & (lowest >= floor * (1.0 - 1e-12))
    region = t.view("region")
    n = by_region(model, region, employer.astype(np.float64))
    return np.divide(by_region(model, region, pays.astype(np.float64)), n,
                     out=np.ones(model.n_regions), where=n > 0)
