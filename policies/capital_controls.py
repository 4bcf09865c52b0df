"""Capital controls: relocation and exit taxed or barred — a robustness control.

Cohen and Rogers (1997, §1) accept the sceptics' premise that controls are "an unstable and
otherwise inadvisable strategy in a modern economy" (draft); the 1997 version adds that limiting
access to the domestic market is "difficult to sustain". C&R's claim is meant to hold
*without* controls, so the module is a control condition (Cohen and Rogers 1997, §1): it lets a
sweep ask how much of an egalitarian region's survival comes from blocking exit rather than from
making staying worth it.

A tax on the value of capital moved to another region (`relocation_tax`) or sent abroad
(`exit_tax`), paid to the region it leaves; a rate of 1 bars the move. Firms and investors
weigh the tax in their location choices (Firm.review_location, Investor.allocate).
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
    enabled: bool = spec(False, "-", "Switch capital controls on.")
    relocation_tax: float = spec(0.2, "share of capital value moved",
                                 "Tax on capital moved to another region, paid to the region it "
                                 "leaves; 1 bars relocation.", 0, 1)
    exit_tax: float = spec(0.2, "share of capital value sent abroad",
                           "Tax on capital sent to the rest of the world; 1 bars exit.", 0, 1)


@register
class CapitalControls(PolicyModule):
    """Tax (or bar) capital leaving a region for another region or for the rest of the world."""

    name = "capital_controls"
    Params = Params

    def on_policy(self, model: RegionalEconomy) -> None:
        tax_capital_flight(model, self.params)


def tax_capital_flight(model: RegionalEconomy, p: Params) -> None:
    """Set the border taxes on capital (the strictest of this module and any other rule).

    Cohen and Rogers (1997, §1): the sceptic's counter-instrument, "limit access to their domestic
    … market to those complying with its regulatory terms – both difficult to sustain".
    """
    np.maximum(model.relocation_tax, p.relocation_tax, out=model.relocation_tax)
    np.maximum(model.exit_tax, p.exit_tax, out=model.exit_tax)
