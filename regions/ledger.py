"""Stock-flow consistent accounting: every payment recorded once, with payer and payee.

Following Godley and Lavoie (2007) and Caiani et al. (2016), each quarter the ledger holds the
transaction-flow matrix (rows: flows, columns: sectors; every row sums to zero) and the net
inflow of each sector in each region. The model updates balances itself; at the end of the
quarter `check` compares each sector's change in money holdings, region by region, with what
the ledger recorded. Money enters or leaves only through flows with the rest of the world.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from highroad.errors import InvariantError
from highroad.regions.sums import region_sums

SECTORS = ("households", "firms", "investors", "government", "rest_of_world")
HH, FIRMS, INVESTORS, GOV, ROW = range(len(SECTORS))


class Ledger:
    """Records payments for one quarter; `check` verifies them against balance changes."""

    def __init__(self, n_regions: int) -> None:
        self.n_regions = n_regions
        self.start_quarter()

    def start_quarter(self) -> None:
        self.net = np.zeros((len(SECTORS), self.n_regions))
        self.matrix: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(SECTORS)))

    def pay(self, flow: str, payer: int, payer_region: np.ndarray | int,
            payee: int, payee_region: np.ndarray | int, amount: np.ndarray | float) -> None:
        """Record `amount` paid by sector `payer` to sector `payee` (per region)."""
        amount = np.asarray(amount, dtype=np.float64)
        total = float(amount.sum())
        if total == 0.0 and not np.any(amount):
            return
        self._book(payer, payer_region, amount, -1.0)
        self._book(payee, payee_region, amount)
        row = self.matrix[flow]
        row[payer] -= total
        row[payee] += total

    def pay_within(self, flow: str, payer: int, payee: int, region: np.ndarray | int,
                   amount: np.ndarray | float, by_region: np.ndarray | None = None) -> None:
        """`pay` where each payment stays in its region (payer and payee regions are equal).

        The same records as `pay(flow, payer, region, payee, region, amount)`, with the sum
        by region taken once for both sides (or passed in as `by_region`, if known).
        """
        amount = np.asarray(amount, dtype=np.float64)
        total = float(amount.sum())
        if total == 0.0 and not np.any(amount):
            return
        if np.ndim(region) == 0:
            self.net[payer, int(region)] -= total
            self.net[payee, int(region)] += total
        else:
            if by_region is None:
                by_region = region_sums(region, np.broadcast_to(amount, np.shape(region)),
                                        self.n_regions)
            self.net[payer] -= by_region
            self.net[payee] += by_region
        row = self.matrix[flow]
        row[payer] -= total
        row[payee] += total

    def debit(self, flow: str, sector: int, region: np.ndarray | int,
              amount: np.ndarray | float) -> None:
        """One side of a pooled payment (a market): `sector` pays `amount` into `flow`."""
        amount = np.asarray(amount, dtype=np.float64)
        self._book(sector, region, amount, -1.0)
        self.matrix[flow][sector] -= float(amount.sum())

    def credit(self, flow: str, sector: int, region: np.ndarray | int,
               amount: np.ndarray | float) -> None:
        """The other side of a pooled payment: `sector` receives `amount` from `flow`."""
        amount = np.asarray(amount, dtype=np.float64)
        self._book(sector, region, amount)
        self.matrix[flow][sector] += float(amount.sum())

    def _book(self, sector: int, region: np.ndarray | int, amount: np.ndarray,
              sign: float = 1.0) -> None:
        """Add `sign * amount` to the sector's net inflow in each region (summed first, then
        signed: the same numbers, without a negated copy of the amounts)."""
        if np.ndim(region) == 0:
            self.net[sector, int(region)] += sign * float(amount.sum())
        else:
            self.net[sector] += sign * region_sums(
                region, np.broadcast_to(amount, np.shape(region)), self.n_regions)

    def check(self, step: int, before: np.ndarray, after: np.ndarray,
              tolerance: float = 1e-9) -> float:
        """Compare balance changes with recorded flows; raise on a broken identity.

        Returns the largest relative residual (scaled by the economy's gross money stock).
        """
        scale = max(float(np.abs(before).sum()), float(np.abs(after).sum()), 1.0)
        residual = (after - before) - self.net
        bad = np.abs(residual) / scale
        worst = float(bad.max()) if bad.size else 0.0
        if not np.isfinite(after).all():
            s, r = np.argwhere(~np.isfinite(after))[0]
            raise InvariantError(step, str(r), f"{SECTORS[s]} money", "is not finite")
        for flow, row in self.matrix.items():
            if abs(float(row.sum())) / scale > tolerance:
                raise InvariantError(step, "all", f"flow '{flow}'",
                                     f"payments and receipts differ by {row.sum():.6g}")
        if worst > tolerance:
            s, r = np.unravel_index(int(np.argmax(bad)), bad.shape)
            raise InvariantError(
                step, str(r), f"{SECTORS[s]} money",
                f"balance changed by {after[s, r] - before[s, r]:.6g} but recorded flows sum to "
                f"{self.net[s, r]:.6g} (relative residual {worst:.2e})")
        return worst

    def transaction_matrix(self) -> pd.DataFrame:
        """This quarter's flows: one row per flow, one column per sector; rows sum to zero."""
        frame = pd.DataFrame({k: v for k, v in self.matrix.items()}, index=list(SECTORS)).T
        return frame.sort_index()
