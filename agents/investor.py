"""Investors: owners of investor-owned firms' capital, mobile across regions and abroad."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from highroad.regions.returns import with_location_taste

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy


def founds_firm(margin: float, full_margin: float, draw: float) -> bool:
    """Free entry: the chance of founding a firm rises with the entrant's expected margin.

    Hopenhayn (1992, §2): entry continues while an entrant's expected value beats the entry
    cost, so the mass of entrants answers to that margin; Pissarides (2000, ch. 1): free entry
    drives the expected value of a new position to its cost. Here an investor founds a firm
    with probability `margin / full_margin` (capped at 1), where `margin` is the entrant's
    expected after-tax rate over the world return plus the hurdle; `draw` is uniform on [0, 1).
    """
    return margin > 0 and draw < margin / full_margin


def investor_spending(income: float, wealth: float, cash: float, out_of_income: float,
                      out_of_wealth: float) -> float:
    """What an investor spends on consumption this quarter: out of income and out of wealth.

    Ando and Modigliani (1963, AER 53(1), §1): consumption is a share of income plus a share
    of net worth; Poterba (2000, JEP 14(2)) measures the share out of stock-market wealth at a
    few cents a year per unit. The wealth is the investor's net worth, its equity in the firms
    it owns included (`RegionalEconomy.investor_net_worth`); what the investor spends is paid
    from its cash and never exceeds it. With net worth as the base, savings that find no firm
    to found are spent down over time instead of piling up as idle cash (Keynes 1936, ch. 8–9:
    saving that is neither invested nor spent is demand withdrawn).
    """
    return float(np.clip(out_of_income * income + out_of_wealth * wealth, 0.0, max(cash, 0.0)))


class Investor(mesa.Agent):
    """A class of capital owners with a home region: cash, foreign assets, owned firms.

    One Investor agent stands for `households` owner households, so distributional measures
    weight it accordingly (docs/design.md: investors "receive profits, consume, reinvest new
    capital where expected after-tax returns are highest, and can exit to the rest of the
    world at the world return").
    """

    model: RegionalEconomy

    def __init__(self, model: RegionalEconomy, home: int, cash: float, households: float) -> None:
        super().__init__(model)
        self.home = home
        self.cash = cash
        self.foreign_assets = 0.0
        self.households = households
        self.income = 0.0  # dividends and foreign returns last quarter

    def region_values(self, rates: np.ndarray) -> np.ndarray:
        """What a unit of this investor's savings is worth founding a firm in each region at
        expected `rates`: what moving it loses outside the home region, and capital controls
        (a tax of 1 bars it); without `firms.profit_entry`, only where someone is unemployed."""
        m, fp = self.model, self.model.params.firms
        regions = np.arange(m.n_regions)
        # Capital controls tax capital placed outside the home region; a tax of 1 bars it.
        move_tax = m.relocation_tax[self.home]
        keep = np.where(regions == self.home, 1.0, m.mobility_keep * (1.0 - move_tax))
        value = keep * (1.0 + fp.horizon * rates)
        if not fp.profit_entry:
            value[m.unemployed_by_region < 1] = -np.inf  # no one to hire
        if move_tax >= 1.0:
            value[regions != self.home] = -np.inf
        return value

    def allocate(self) -> None:
        """Put savings where the expected after-tax return is highest, net of mobility.

        Cohen and Rogers (1997, §1): openness "enlarged domestic capital's possibilities of exit";
        new capital goes to the region with the best expected return (founding a firm there on
        the better road) or abroad at the world return. Capital placed outside the home region
        loses what relocation loses (`RegionalEconomy.mobility_keep`); at m = 0 it stays home.
        With `firms.profit_entry`, whether a firm is founded answers to the expected profit of
        an entrant, not to who is unemployed there (`founds_firm`); labour scarcity enters
        through the expected rate (its utilisation). Without it, a firm is founded only where
        workers are unemployed, sized to half of them. With `capital.founding_taste`, each
        rate (abroad's too) carries the investor's own valuation of the place, drawn afresh
        (`with_location_taste`; Carlton 1983): investors founding in the same quarter spread
        over regions whose expected rates differ by less than their tastes, instead of all
        choosing the one best region.
        """
        m = self.model
        cp, fp = m.params.capital, m.params.firms
        mobility = m.params.world.capital_mobility
        rates, world_return = m.entry_rates(), cp.world_return
        if cp.founding_taste:  # its own valuation of each place, abroad too (Carlton 1983)
            tasted = with_location_taste(np.append(rates, world_return), cp.location_taste,
                                         m.rng)
            rates, world_return = tasted[:-1], float(tasted[-1])
        exit_tax = m.exit_tax[self.home]  # capital controls on capital leaving for abroad
        value = self.region_values(rates)
        best = int(np.argmax(value))
        world_value = (m.mobility_keep * (1.0 - exit_tax) * (1.0 + fp.horizon * world_return)
                       if exit_tax < 1.0 else -np.inf)
        # Wetzel (n.d., "Abolition of money?"): where money cannot become capital, no one founds a
        # private firm.
        margin = float(rates[best]) - world_return - cp.entry_hurdle
        if m.private_founding and margin > 0 and value[best] > world_value:
            if self.foreign_assets > 0:
                m.repatriate(self, cp.repatriation_rate * self.foreign_assets)
            investable = self.cash - m.investor_reserve(self)
            if not fp.profit_entry:
                # A new plant is sized to the workers it can expect to hire there.
                hireable = 0.5 * m.unemployed_by_region[best] * fp.capital_per_job
                size = min(investable, m.typical_firm_capital, hireable)
                if size >= max(0.25 * m.typical_firm_capital, 5 * fp.capital_per_job):
                    m.found_firm(self, best, size)
                return
            size = min(investable, max(fp.entrant_size * m.typical_firm_capital,
                                       5 * fp.capital_per_job))
            if (size >= 5 * fp.capital_per_job
                    and founds_firm(margin, fp.entry_margin_full, float(m.rng.random()))):
                m.found_firm(self, best, size)
        elif mobility > 0 and value[best] < world_value:
            investable = self.cash - m.investor_reserve(self)
            if investable > 0:
                m.invest_abroad(self, mobility * investable)
