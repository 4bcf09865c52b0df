"""Plausibility guards: bounds an economy must stay inside for its numbers to mean anything.

Checked at the end of every quarter (`RegionalEconomy.close_quarter`), after the accounting:

- prices, regional mean wages, regional output per employed worker and the output a
  high-road job would give in each region (its technology frontier, which grows whether or
  not a firm takes the road) stay within a factor `FACTOR` (10^4) of their values at the end
  of the first quarter, up or down;
- the employment rate of every region lies in [0, 1];
- output (revenue) of every region is finite and non-negative.

A run that leaves them stops with `InvariantError` naming step, region and quantity. An
economy in which nobody works or nothing is sold is a legitimate outcome of some settings,
not a broken invariant: that quarter is marked `collapsed` (see `collapsed`), and readers
report it as a collapse instead of as the perfect equality its all-zero incomes would show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from highroad.errors import InvariantError
from highroad.regions.returns import HIGH

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

#: How far (as a factor, up or down) a price, wage or productivity may drift from its value
#: at the end of the first quarter. Four orders of magnitude: no economy run by this model's
#: rules for centuries moves that far without a runaway.
FACTOR = 1e4


def quantities(model: RegionalEconomy) -> dict[str, np.ndarray]:
    """The guarded quantities this quarter: market prices, and wages and productivity by region."""
    t = model.firm_table
    active = t.view("active")
    region = t.view("region")[active]
    output = np.bincount(region, weights=t.view("output")[active], minlength=model.n_regions)
    employed = model.employed_by_region
    productivity = np.divide(output, employed, out=np.full(model.n_regions, np.nan),
                             where=employed > 0)
    regions = np.arange(model.n_regions)
    with np.errstate(over="ignore", invalid="ignore"):  # a runaway is what is looked for
        notional = model.road_productivity(regions, np.full(model.n_regions, HIGH),
                                           model.mean_skill_by_region, np.ones(model.n_regions))
    return {"price of low-road goods": np.array([model.market_price[0]]),
            "price of high-road goods": np.array([model.market_price[1]]),
            "mean wage": np.where(employed > 0, model.region_column("mean_wage"), np.nan),
            "output per employed worker": productivity,
            "high-road output per job": np.where(np.isfinite(notional), notional, np.inf)}


def collapsed(model: RegionalEconomy) -> bool:
    """True when nobody in the economy is employed or nothing is sold this quarter."""
    return bool(model.employed_by_region.sum() <= 0 or model.region_column("gdp").sum() <= 0)


def check_plausible(model: RegionalEconomy, step: int) -> None:
    """Stop the run (InvariantError) if a guarded quantity left its bounds this quarter."""
    rate = np.divide(model.employed_by_region, model.workers_by_region,
                     out=np.zeros(model.n_regions), where=model.workers_by_region > 0)
    for r in np.flatnonzero(~((rate >= 0) & (rate <= 1))):
        raise InvariantError(step, str(r), "employment rate", f"{rate[r]:.6g} is outside [0, 1]")
    gdp = model.region_column("gdp")
    for r in np.flatnonzero(~(np.isfinite(gdp) & (gdp >= 0))):
        raise InvariantError(step, str(r), "output", f"{gdp[r]:.6g} is not finite and >= 0")
    now = quantities(model)
    reference = getattr(model, "plausible_reference", None)
    if reference is None:  # the first quarter sets the scale
        model.plausible_reference = {k: _scale(v) for k, v in now.items()}
        return
    for name, values in now.items():
        ref = reference[name]
        if not np.isfinite(ref) or ref <= 0:
            reference[name] = ref = _scale(values)
            if not np.isfinite(ref):
                continue
        ratio = values / ref
        bad = np.flatnonzero(~np.isnan(values) & ((ratio > FACTOR) | (ratio < 1 / FACTOR)))
        if bad.size:
            r = int(bad[0])
            where = "all" if len(values) == 1 else str(r)
            raise InvariantError(step, where, name,
                                 f"{values[r]:.4g} is {ratio[r]:.3g} times its first-quarter "
                                 f"value {ref:.4g}; allowed: a factor of {FACTOR:g} either way")


def _scale(values: np.ndarray) -> float:
    """The reference value: the mean over regions with a value (NaN if none has one)."""
    finite = values[np.isfinite(values) & (values > 0)]
    return float(finite.mean()) if finite.size else float("nan")
