"""Phase 2: governments set policy (their rule, then the policy modules, then the budget).

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.regions.governing import hear_exit_threats
from highroad.regions.government import OBJECTIVE_RULES


class PolicySetting:
    def set_policies(self) -> None:
        self.reset_levers()
        gov, assoc = self.params.government, self.params.associations
        a = self.region_column("associative_capacity")
        # Monitoring as a by-product of deliberation (Cohen and Rogers 1997, §3).
        self.region_column("enforcement")[:] = np.clip(
            gov.enforcement + assoc.enforcement_effect * a, 0.0, 1.0)
        self.region_column("bargaining_power")[:] = self.params.labour.bargaining_power
        if self.params.labour.benefit_base == "regional_mean_wage":
            # Otherwise last quarter's benefits are the base (set when they are paid).
            self.region_column("benefit")[:] = (self.params.labour.benefit_replacement
                                                * self.region_column("mean_wage"))
        self.conditions = self.market_conditions()  # what governments project from
        if self.listens_to_threats:
            hear_exit_threats(self)
        self.regions.do("set_policy")
        self.run_hooks("on_policy")
        self.regions.do("plan_budget")
        self.region_column("programmes")[:] = 0.0  # netted by this plan; refilled until the next
        self.conditions = self.market_conditions()

    def reset_levers(self) -> None:
        """Return the per-quarter policy levers to neutral; enabled modules set them again."""
        self.outside_bonus[:] = 0.0
        self.transition_relief[:] = 0.0
        self.skill_growth_bonus[:] = 0.0
        self.relocation_tax[:] = 0.0
        self.exit_tax[:] = 0.0
        self.import_barrier[:] = 1.0

    @property
    def listens_to_threats(self) -> bool:
        """Governments with an objective hear exit threats before a review (if switched on)."""
        return (self.params.capital.exit_threats and not self.in_burn_in
                and self.params.world.government_rule in OBJECTIVE_RULES
                and self.policy_review_due)
