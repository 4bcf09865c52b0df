"""Resident welfare: a quantity of the model, what competitive governments maximise.

Each household's welfare is the log of its disposable income this quarter plus a weight
(`government.public_consumption_weight`) on the log of its region's public consumption per
resident. Log utility of private and public consumption is the form of the tax-competition
literature (Zodrow and Mieszkowski 1986) and, with Cobb-Douglas preferences, the weight is the
ratio of public to private consumption a welfare-maximising budget would choose. Public
capital is not counted here directly: it pays through productivity and so through wages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from highroad.regions.sums import region_sums

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

INCOME_FLOOR = 1e-3  # keeps the logarithm finite for a household with no income this quarter


def log_utility(x: np.ndarray | float) -> np.ndarray:
    """log of an income or a consumption level, floored at `INCOME_FLOOR`."""
    return np.log(np.maximum(x, INCOME_FLOOR))


def measure_resident_welfare(model: RegionalEconomy) -> None:
    """Mean resident welfare by region (the `resident_welfare` column) and for the economy."""
    wf, R = model.workforce, model.n_regions
    rt = model.region_table
    residents = np.maximum(model.workers_by_region, 1)
    private = region_sums(wf.region, log_utility(wf.income), R) / residents
    public = log_utility(rt.view("public_consumption")[:R] / residents)
    welfare = private + model.params.government.public_consumption_weight * public
    rt.view("resident_welfare")[:R] = welfare
    model.resident_welfare = float(np.average(welfare, weights=residents))
