"""Phase 3, second half: firms relocate, exit abroad or close, and their workers are let go.

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from highroad.agents.firm import INVESTOR_OWNED, Firm
from highroad.agents.investor import Investor
from highroad.regions.ledger import FIRMS, GOV, INVESTORS, ROW


class Relocation:
    def _release_workers(self, firm: Firm) -> None:
        """The firm's workers lose their jobs (at once, or when the current batch ends)."""
        self.firm_table.employees[firm.slot] = 0
        if self._releasing is not None:
            self._releasing.append(firm.slot)
        else:
            self._lay_off_firms([firm.slot])

    def _lay_off_firms(self, slots: list[int]) -> None:
        """Every worker of the firms in `slots` loses the job: one pass over the workers."""
        if not slots:
            return
        wf = self.workforce
        closing = np.zeros(self.firm_table.size + 1, dtype=bool)  # last entry: the unemployed
        closing[slots] = True
        wf.fire(np.flatnonzero(closing[wf.employer]))

    @contextmanager
    def batched_layoffs(self) -> Iterator[None]:
        """Within this block, firms that move, exit or close lay off their workers together
        at its end (one pass over the workers instead of one per firm). Nothing inside reads
        who is employed: reviews and closures look at firms, prices and the region table."""
        self._releasing = []
        try:
            yield
        finally:
            slots, self._releasing = self._releasing, None
            self._lay_off_firms(slots)

    def relocate(self, firm: Firm, destination: int, keep: float) -> None:
        """Move a firm: workers stay behind, a share 1 - keep of the capital is lost."""
        origin = firm.region
        self._release_workers(firm)
        before = firm.capital
        firm.capital = before * keep
        self.capital_account["relocation_loss"] += before * (1.0 - keep)
        t = self.region_table
        t.flight_out[origin] += before
        t.flight_in[destination] += before * keep
        levy = self.relocation_tax[origin] * firm.capital
        if levy > 0:
            self._pay_capital_control(FIRMS, origin, levy)
            firm.cash -= levy
        self.firm_table.worker_stake[firm.slot] = 0.0  # the stake stayed behind with the workers
        self.ledger.pay("relocation", FIRMS, origin, FIRMS, destination, firm.cash)
        firm.region = destination
        self.flows["relocations"] += 1

    def exit_abroad(self, firm: Firm, keep: float) -> None:
        """Capital leaves for the rest of the world; the owner keeps a share `keep` abroad."""
        owner = self.investor_list[firm.owner]
        self._release_workers(firm)
        self.region_table.flight_out[firm.region] += firm.capital
        exported = firm.capital * keep
        levy = self.exit_tax[firm.region] * exported
        if levy > 0:  # the owner cedes that much of the asset abroad; it comes home as tax
            self.rest_of_world.balance -= levy
            self._pay_capital_control(ROW, firm.region, levy)
        owner.foreign_assets += exported - levy
        self.capital_account["exported"] += firm.capital
        self.flows["exits"] += 1
        self._close(firm, owner)

    def shut_down(self, slots: np.ndarray, flow: str) -> None:
        """Close the firms in `slots` at home: workers laid off, capital scrapped, cash (or
        debt) to the owner; counted in `flows[flow]`."""
        with self.batched_layoffs():
            for slot in slots.tolist():
                firm = self.slot_to_firm[slot]
                self._release_workers(firm)
                self.capital_account["scrapped"] += firm.capital
                owner = (self.investor_list[firm.owner] if firm.owner_type == INVESTOR_OWNED
                         else None)
                self._close(firm, owner)
                self.flows[flow] += 1

    def close_loss_making_firms(self) -> None:
        """Firms that keep losing money close: selection on profitability.

        Jovanovic (1982) and Hopenhayn (1992, §3): a firm exits when its expected value of
        staying falls below that of leaving; firms learn from their profits whether they are
        efficient, and the inefficient leave. Here a firm closes after `closure_patience`
        consecutive quarters of losses (after depreciation), or at once when its smoothed
        after-tax profit rate (what it expects to earn) falls below `closure_rate`. Run after
        this quarter's profits; closures are counted apart from exits abroad.
        """
        fp, t = self.params.firms, self.firm_table
        if not fp.loss_closure:
            return
        active = t.view("active")
        losses = t.view("loss_quarters")
        losses[:] = np.where(active & (t.view("profit") < 0), losses + 1, 0)
        closing = active & ((losses >= fp.closure_patience) | (t.view("rate") < fp.closure_rate))
        self.shut_down(np.flatnonzero(closing), "closures")

    def close_firms_hit_by_exit_shocks(self) -> None:
        """Each firm closes with a small chance every quarter, whatever its profits.

        Melitz (2003, Econometrica 71(6), §2) and Hopenhayn and Rogerson (1993, JPE 101(5)):
        every period a firm is hit with probability delta by a shock that forces it to exit
        (a lost market, a founder's death, a disaster); selection on profits
        (`close_loss_making_firms`) comes on top. With firms that grow while they survive,
        a constant death rate also gives the size distribution its Pareto tail (Reed 2001,
        Economics Letters 74(1); Gabaix 2009, Annual Review of Economics 1, §4). The chance is
        `firms.exit_shock` a quarter for a firm of the economy's mean size, by size as
        `exit_shock_chances` says; counted with the closures. Draws nothing at 0.
        """
        fp = self.params.firms
        if fp.exit_shock <= 0:
            return
        active = np.flatnonzero(self.firm_table.view("active"))
        chance = exit_shock_chances(self.firm_table.view("employees")[active], fp.exit_shock,
                                    fp.exit_size_elasticity)
        hit = active[self.rng.random(active.size) < chance]
        self.shut_down(hit, "closures")

    def _close(self, firm: Firm, owner: Investor | None) -> None:
        """Pay the firm's cash (or debt) to its owner, scrap what capital is left, remove it."""
        cash = firm.cash
        if owner is not None:
            self.ledger.pay("closure", FIRMS, firm.region, INVESTORS, owner.home, cash)
            owner.cash += cash
        else:  # a worker-owned firm's remaining cash or debt passes to its region
            self.ledger.pay("closure", FIRMS, firm.region, GOV, firm.region, cash)
            self.region_column("cash")[firm.region] += cash
        firm.cash = 0.0
        self.firm_table.investment[firm.slot] = 0.0
        self.firm_table.active[firm.slot] = False
        self.firm_table.capital[firm.slot] = 0.0
        del self.slot_to_firm[firm.slot]
        firm.remove()


def exit_shock_chances(staff: np.ndarray, rate: float, size_elasticity: float
                       ) -> np.ndarray | float:
    """Each firm's chance of a forced exit this quarter: `rate` for a firm of the mean size
    of the active firms (`staff`), times its size relative to that mean to the power
    `-size_elasticity`, at most 1.

    Small firms fail more often than large ones: following over 200,000 US manufacturing
    plants that entered in 1967-1977, Dunne, Roberts and Samuelson (1989, Quarterly Journal
    of Economics 104(4): 671-698) find plants' failure rates falling with size as well as
    with age. The count of firms that exit is then mostly small firms, while the jobs lost
    with them are few (for elasticities below 1); with one chance for every firm, the rare
    forced exit of a region's largest employer is as likely as a newcomer's. The power law
    is our functional form, not theirs: one parameter, fitted in
    scenarios/calibration/exit_by_size.toml.
    At `size_elasticity` 0 every firm has the chance `rate` (Melitz 2003, §2), and the draws
    are those of that model. A firm without staff counts as one worker.
    """
    if size_elasticity == 0 or staff.size == 0:
        return rate
    size = np.maximum(staff, 1).astype(float)
    size /= size.mean()
    return np.minimum(rate * size ** -size_elasticity, 1.0)
