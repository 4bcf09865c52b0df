"""Phase 9: balances by sector and region, and the conservation checks on capital and workers
(the ledger itself is ledger.py).

A mixin of `RegionalEconomy` (regions/model.py): its methods are the model's own.
"""

from __future__ import annotations

import numpy as np

from highroad.errors import InvariantError
from highroad.regions.ledger import FIRMS, GOV, HH, INVESTORS, ROW
from highroad.regions.sums import region_sums


class Accounting:
    def balances(self) -> np.ndarray:
        """Money held by each sector in each region (the rest of the world in column 0)."""
        R = self.n_regions
        out = np.zeros((5, R))
        wf, t = self.workforce, self.firm_table
        out[HH] = region_sums(wf.region, wf.wealth, R)
        active = t.view("active")
        out[FIRMS] = np.bincount(t.view("region")[active], weights=t.view("cash")[active],
                                 minlength=R)
        for inv in self.investor_list:
            out[INVESTORS, inv.home] += inv.cash
        out[GOV] = self.region_column("cash")
        out[ROW, 0] = self.rest_of_world.balance
        return out

    def check_capital(self, step: int) -> None:
        """Capital is conserved up to investment, depreciation, losses, scrapping and exit."""
        acc = self.capital_account
        now = float(self.firm_column("capital").sum())
        expected = (self.total_capital + acc["investment"] - acc["depreciation"]
                    - acc["switching"] - acc["relocation_loss"] - acc["exported"]
                    - acc["scrapped"])
        scale = max(self.total_capital, 1.0)
        if abs(now - expected) / scale > 1e-9 or not np.isfinite(now):
            raise InvariantError(step, "all", "capital stock",
                                 f"is {now:.6g} but recorded flows imply {expected:.6g}")
        self.total_capital = now

    def check_workers(self, step: int) -> None:
        """Workers are conserved: entries replace retirements, migration moves them."""
        wf = self.workforce
        n = int(self.workers_by_region.sum())
        if len(wf) != self.recorded_workers or n != len(wf):
            raise InvariantError(step, "all", "workers", f"{n} counted, {len(wf)} expected")
        if (wf.region[1:] < wf.region[:-1]).any():
            raise InvariantError(step, "all", "worker order",
                                 "workers are not stored region by region (a write to "
                                 "Workforce.region other than Workforce.move)")
        staff = int(self.firm_table.view("employees").sum())
        if wf.employed_index().size != staff:
            raise InvariantError(step, "all", "employed workers",
                                 f"{wf.employed_index().size} have an employer but firms count "
                                 f"{staff} (an in-place write to Workforce.employer without "
                                 "employment_changed(), or staff counts not kept)")
        for name in ("wage", "wealth", "skill", "income"):
            values = getattr(wf, name)
            # A sum is finite unless some value is not (or it overflows: then look closer).
            if not np.isfinite(values.sum()):
                bad = np.flatnonzero(~np.isfinite(values))
                if bad.size:
                    raise InvariantError(step, str(wf.region[int(bad[0])]), f"worker {name}",
                                         "is not finite")
        if len(wf) and wf.wealth.min() < -1e-9:
            i = int(np.argmin(wf.wealth))
            raise InvariantError(step, str(wf.region[i]), "household wealth",
                                 f"is negative ({wf.wealth[i]:.3g})")
