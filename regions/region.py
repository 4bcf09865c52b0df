"""Regions: Mesa agents whose governments tax, regulate and build quasi-public goods."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from highroad.agents.table import Column, Table

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

REGION_COLUMNS = {
    "capital_tax": np.float64, "labour_standard": np.float64, "preferred_tax": np.float64,
    "preferred_standard": np.float64, "public_goods": np.float64, "cash": np.float64,
    "associative_capacity": np.float64, "log_shock": np.float64, "revenue": np.float64,
    "benefits": np.float64, "public_investment": np.float64, "public_consumption": np.float64,
    "flight_out": np.float64, "flight_in": np.float64, "flight_share": np.float64,
    "perceived_elasticity": np.float64, "gdp": np.float64, "median_wage": np.float64,
    "mean_wage": np.float64, "benefit": np.float64, "enforcement": np.float64,
    "bargaining_power": np.float64, "member": bool, "support": np.float64,
    "programmes": np.float64,  # policy-module spending since the last budget plan
}


def new_region_table(capacity: int) -> Table:
    return Table(REGION_COLUMNS, capacity)


def competitive_policy(tax: float, standard: float, preferred_tax: float,
                       preferred_standard: float, flight_share: float, speed: float,
                       recovery: float) -> tuple[float, float]:
    """Chase capital: cut tax and standard when capital flees, drift back when it does not.

    Cohen and Rogers (1997, §1): exit "or even their threat of exit, will weaken the regulatory
    resolve of citizens and governments"; docs/design.md: the competitive rule adjusts "toward
    whatever attracted capital last periods (capital outflow -> cut)". Inflows do not raise
    policy above what the region prefers: they only let it drift back. Nothing here says taxes
    must fall: they fall only if capital actually leaves in response to them.
    """
    cut = speed * max(flight_share, 0.0)
    tax = tax - cut + recovery * (preferred_tax - tax)
    standard = standard - cut + recovery * (preferred_standard - standard)
    return tax, standard


def median_voter_tax(wage_income: float, profit_per_capita: float, tax_now: float,
                     elasticity: float, employment_cap: float, lo: float, hi: float) -> float:
    """The capital tax that maximises the median resident's expected income.

    docs/design.md: the democratic rule "picks the policy that maximises the median resident's
    expected income given the capital elasticity it has observed". Capital responds to the
    after-tax share with constant elasticity, k(t) = ((1 - t) / (1 - t_now))^e; jobs and the
    tax base scale with capital (jobs capped by the labour force); revenue returns equally
    to residents.
    """
    grid = np.linspace(lo, hi, 61)
    k = ((1.0 - grid) / max(1.0 - tax_now, 1e-9)) ** elasticity
    income = wage_income * np.minimum(k, employment_cap) + grid * profit_per_capita * k
    return float(grid[int(np.argmax(income))])


class Region(mesa.Agent):
    """A region: its government's policy, budget, quasi-public goods, associative capacity."""

    capital_tax = Column()
    labour_standard = Column()
    public_goods = Column()
    cash = Column()
    associative_capacity = Column()
    flight_share = Column()

    model: RegionalEconomy

    def __init__(self, model: RegionalEconomy, index: int) -> None:
        super().__init__(model)
        self.table = model.region_table
        self.slot = self.table.add_row()
        assert self.slot == index
        self.index = index
        gov, assoc = model.params.government, model.params.associations
        t, s = self.table, self.slot
        t.capital_tax[s] = t.preferred_tax[s] = gov.capital_tax
        t.labour_standard[s] = t.preferred_standard[s] = gov.labour_standard
        t.associative_capacity[s] = assoc.initial_capacity
        t.perceived_elasticity[s] = gov.elasticity_prior
        t.enforcement[s] = gov.enforcement
        t.bargaining_power[s] = model.params.labour.bargaining_power
        t.member[s] = True

    def set_policy(self) -> None:
        """Phase 2: the government rule chooses this quarter's capital tax and standard."""
        m = self.model
        if m.in_burn_in:
            return
        rule = m.params.world.government_rule
        gov = m.params.government
        t, s = self.table, self.slot
        if rule == "competitive":
            tax, standard = competitive_policy(
                t.capital_tax[s], t.labour_standard[s], t.preferred_tax[s],
                t.preferred_standard[s], t.flight_share[s], gov.adjustment_speed,
                gov.recovery_speed)
        elif rule == "democratic":
            tax, standard = self._democratic_policy()
        else:
            return
        t.capital_tax[s] = float(np.clip(tax, gov.min_capital_tax, gov.max_capital_tax))
        t.labour_standard[s] = float(np.clip(standard, 0.0, 1.0))

    def _democratic_policy(self) -> tuple[float, float]:
        m, gov = self.model, self.model.params.government
        t, s = self.table, self.slot
        self._learn_elasticity()
        residents = max(m.workers_by_region[s], 1)
        employed_share = m.employed_by_region[s] / residents
        wage_income = (1 - m.params.labour.labour_tax) * t.median_wage[s] * employed_share
        profit_pc = max(m.profit_by_region[s], 0.0) / residents
        cap = 1.0 / max(employed_share, 1e-9)
        target = median_voter_tax(wage_income, profit_pc, t.capital_tax[s],
                                  t.perceived_elasticity[s], cap, gov.min_capital_tax,
                                  gov.max_capital_tax)
        tax = gov.policy_inertia * t.capital_tax[s] + (1 - gov.policy_inertia) * target
        # One policy-intensity dimension: the floor moves in proportion to the tax.
        standard = t.preferred_standard[s] * tax / max(t.preferred_tax[s], 1e-9)
        return tax, min(standard, 1.0)

    def _learn_elasticity(self) -> None:
        """Update the perceived capital elasticity from flight against the tax gap.

        Observed flight share per quarter, over the horizon, per log-point of after-tax share
        given up relative to the other regions; learned only while this region taxes more.
        """
        m, gov = self.model, self.model.params.government
        t, s = self.table, self.slot
        others = np.delete(t.view("capital_tax"), s)
        if others.size == 0:
            # One region: capital can only leave for the rest of the world at the world return.
            gap = np.log(1.0 / max(1.0 - t.capital_tax[s], 1e-9))
        else:
            gap = np.log((1.0 - others.mean()) / max(1.0 - t.capital_tax[s], 1e-9))
        if gap <= 0.01:
            return
        observed = np.clip(m.params.firms.horizon * max(t.flight_share[s], 0.0) / gap, 0, 50)
        mem = gov.elasticity_memory
        t.perceived_elasticity[s] = mem * t.perceived_elasticity[s] + (1 - mem) * observed

    def plan_budget(self) -> None:
        """Phase 2: spend last quarter's revenue net of benefits, correcting toward balance.

        docs/design.md: "Balanced budget over a horizon, debt bounded". Discretionary spending is
        split between quasi-public goods (an immobile stock, Cohen and Rogers 1997, §5) and public
        consumption; both are bought from firms in the region.
        """
        gov = self.model.params.government
        t, s = self.table, self.slot
        # Policy modules' programmes are netted out, so their spending is budgeted, not borrowed.
        spend = max(0.0, t.revenue[s] - t.benefits[s] - t.programmes[s]
                    + gov.debt_correction * t.cash[s])
        t.public_investment[s] = gov.public_goods_share * spend
        t.public_consumption[s] = spend - t.public_investment[s]
