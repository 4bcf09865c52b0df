"""Regional training systems and modernisation services (Cohen and Rogers 1997, §5).

High-road firms need supports "that firms will not provide on their own, and that the state
cannot be relied on to provide" (§1): training, technology diffusion, labour-market
administration. A region that supplies them inclines firms "toward production strategies
that relied upon them, and via those strategies toward investment in additional capacity
within those regions" (§5); the effect is "to tie down a growing share of investment, which
would in effect be investment in locationally-immobile public goods" (§5).

The module finances an addition to the region's quasi-public goods stock with a levy on
firms' sales. The stock already raises high-road productivity in the core model (it enters
`high_road_productivity`), and it is immobile: a firm that leaves loses it. Two mechanisms
are the module's own:

- jointness: the supports need "jointness in supply coupled with jointness in production -
  intense collaboration among a variety of actors" (draft, §5): only with enough high-road
  firms taking part does the levy build the stock; below the threshold part of it buys
  ordinary public services instead;
- training systems: workers on high-road jobs learn faster where the stock is larger.

Firms see the levy as a cost in their expected returns ("will ... drive up their costs",
§1): whether the supports are worth it to them, the crux of C&R's disagreement with the
sceptics, is then the model's answer, not an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import firms_pay_gov, gov_buys
from highroad.scenarios.schema import spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch the regional quasi-public goods programme on.")
    levy: float = spec(0.03, "share of firm sales",
                       "Levy on firms' sales that finances the regional training and modernisation"
                       " stock.", 0, 0.2)
    jointness: float = spec(0.2, "high-road employment share",
                            "High-road employment share at which the levy fully builds the stock "
                            "(below it, a proportional part does).", 0, 1)
    training_effect: float = spec(0.01, "per quarter",
                                  "Extra skill growth on high-road jobs at a full quasi-public "
                                  "goods index.", 0, 0.2)


@register
class QuasiPublicGoods(PolicyModule):
    """Levy firms, build the immobile training and modernisation stock, train workers with it."""

    name = "quasi_public_goods"
    Params = Params

    def on_setup(self, model: RegionalEconomy) -> None:
        self.raised = np.zeros(model.n_regions)  # last quarter's levy, spent this quarter

    def on_policy(self, model: RegionalEconomy) -> None:
        train_workers(model, self.params)

    def on_investment(self, model: RegionalEconomy) -> None:
        price_in_levy(model, self.params)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        build_stock(model, self.params, self.raised)

    def on_incomes(self, model: RegionalEconomy) -> None:
        self.raised = raise_levy(model, self.params)


def raise_levy(model: RegionalEconomy, p: Params) -> np.ndarray:
    """Firms pay the levy on this quarter's sales to their region; returns what each raised."""
    t = model.firm_table
    amount = np.where(t.view("active"), p.levy * np.maximum(t.view("revenue"), 0.0), 0.0)
    # Earmarked: spent on the stock next quarter (`build_stock`), not by the budget plan.
    return firms_pay_gov(model, "qpg_levy", amount, earmarked=True)


def build_stock(model: RegionalEconomy, p: Params, raised: np.ndarray) -> None:
    """Spend the levy on the stock, in full only where enough firms take part (§5).

    Cohen and Rogers (1997 draft, §5): the supports have "jointness in supply coupled with
    jointness in production"; the share of the levy that builds the stock is the region's high-road
    employment share over `jointness` (at most one); the rest buys ordinary public services.
    """
    joint = (np.ones(model.n_regions) if p.jointness <= 0 else
             np.minimum(model.high_road_employment_share / p.jointness, 1.0))
    # Earmarked money already raised: neither purchase is netted from the next budget.
    gov_buys(model, raised * joint, builds_stock=True, budgeted=False)
    gov_buys(model, raised * (1.0 - joint), builds_stock=False, budgeted=False)


def train_workers(model: RegionalEconomy, p: Params) -> None:
    """Training systems: high-road workers learn faster where the stock is larger (§1)."""
    model.skill_growth_bonus += p.training_effect * model.public_goods_index()


def price_in_levy(model: RegionalEconomy, p: Params) -> None:
    """Firms and investors expect the levy to cut their revenue per worker (§1)."""
    model.conditions.revenue_per_worker = model.conditions.revenue_per_worker * (1.0 - p.levy)
