"""Regions: Mesa agents whose governments tax, regulate and build quasi-public goods."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from highroad.agents.table import Column, Table
from highroad.regions.governing import policy_economics, region_state
from highroad.regions.government import OBJECTIVE_RULES, choose_policy, reactive_policy

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
    "resident_welfare": np.float64, "exit_threats": np.float64,
    "credible_threat_share": np.float64,
}


def new_region_table(capacity: int) -> Table:
    return Table(REGION_COLUMNS, capacity)


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
        deviant = index == 0  # region 0 may deviate from the others (gov.deviant_*)
        t.capital_tax[s] = t.preferred_tax[s] = float(np.clip(
            gov.capital_tax + deviant * gov.deviant_tax, 0.0, 0.9))
        t.labour_standard[s] = t.preferred_standard[s] = float(np.clip(
            gov.labour_standard + deviant * gov.deviant_standard, 0.0, 1.0))
        t.associative_capacity[s] = assoc.initial_capacity
        t.perceived_elasticity[s] = gov.elasticity_prior * model.params.world.capital_mobility
        t.enforcement[s] = gov.enforcement
        t.bargaining_power[s] = model.params.labour.bargaining_power
        t.member[s] = True

    def set_policy(self) -> None:
        """Phase 2: the government rule chooses this quarter's capital tax and standard.

        `fixed` keeps the scenario's policy; `reactive` adjusts every quarter; the rules with
        an objective (`regions.government`) review every `review_interval` quarters and move
        a share 1 - `policy_inertia` of the way to the policy they choose.
        """
        m = self.model
        if m.in_burn_in:
            return
        rule = m.params.world.government_rule
        gov = m.params.government
        t, s = self.table, self.slot
        if rule == "reactive":
            tax, standard = reactive_policy(
                t.capital_tax[s], t.labour_standard[s], t.preferred_tax[s],
                t.preferred_standard[s], t.flight_share[s], gov.adjustment_speed,
                gov.recovery_speed)
        elif rule in OBJECTIVE_RULES and m.policy_review_due:
            target_tax, target_standard = choose_policy(
                rule, region_state(m, s), policy_economics(m), m.tax_grid, m.standard_grid)
            w = gov.policy_inertia
            tax = w * t.capital_tax[s] + (1 - w) * target_tax
            standard = w * t.labour_standard[s] + (1 - w) * target_standard
        else:
            return
        t.capital_tax[s] = float(np.clip(tax, gov.min_capital_tax, gov.max_capital_tax))
        t.labour_standard[s] = float(np.clip(standard, 0.0, 1.0))

    def plan_budget(self) -> None:
        """Phase 2: spend last quarter's revenue net of benefits, correcting toward balance.

        Balanced over a horizon, debt bounded: each quarter a share `debt_correction` of the
        government's balance is spent or repaid. Discretionary spending is
        split between public capital (an immobile stock that enters production, Cohen and
        Rogers 1997, §5) and public consumption (valued by residents); both are bought from
        firms in the region.
        """
        gov = self.model.params.government
        t, s = self.table, self.slot
        # Policy modules' programmes are netted out, so their spending is budgeted, not borrowed.
        spend = max(0.0, t.revenue[s] - t.benefits[s] - t.programmes[s]
                    + gov.debt_correction * t.cash[s])
        t.public_investment[s] = gov.public_goods_share * spend
        t.public_consumption[s] = spend - t.public_investment[s]
