"""Governments that choose: each rule maximises a stated objective over a grid of policies.

A government compares capital taxes and labour standards by projecting its region's economy
`planning_horizon` quarters ahead under each policy (`project_policies`), with the beliefs it
has learned about how capital answers to its policy (`regions.beliefs`), and the budget spent
as the model spends it (`Region.plan_budget`). The rules differ only in what they maximise:

- `competitive`: the welfare of its residents (`expected_log_welfare`), taking the other
  regions' policies as given: the non-cooperative best response of the tax-competition
  literature (Zodrow and Mieszkowski 1986; Wilson 1986).
- `democratic`: the welfare of the median-income resident, chosen by majority (Meltzer and
  Richard 1981, for the median voter over redistribution).
- `leviathan`: tax revenue (Brennan and Buchanan 1980), the benchmark the sceptics' story of
  a race to the bottom implicitly uses (Cohen and Rogers 1997, §1).
- `reactive`: no objective; cut when capital leaves, drift back otherwise (`reactive_policy`).

Residents here are the region's households (workers and the unemployed). Capital owners are
left out of the objective, as in Zodrow and Mieszkowski (1986), where capital income is
earned at the net return the world market sets and a small region takes as given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from highroad.regions.returns import after_tax, expected_wage, public_capital_multiplier
from highroad.regions.welfare import log_utility

OBJECTIVE_RULES = ("competitive", "democratic", "leviathan")


@dataclass(frozen=True)
class RegionState:
    """What a government knows about its region when it reviews policy (one quarter's data)."""

    residents: float            # workers living in the region
    employed: float
    capital: float              # firm capital in the region
    high_share: float           # high-road share of employment
    revenue_per_worker: np.ndarray  # (2,) low and high road, at firm productivity 1, now
    outside_option: float
    bargaining_power: float
    enforcement: float
    median_wage: float          # the base of the wage floor
    utilisation: float
    public_capital: float       # per worker
    tax: float                  # capital tax now
    standard: float             # labour standard now
    elasticity: float           # believed elasticity of capital to its after-tax return


@dataclass(frozen=True)
class Economics:
    """The scenario's parameters a projection needs (the same for every region)."""

    capital_per_job: float
    depreciation: float
    world_return: float
    investment_response: float
    max_growth: float
    max_employment: float       # highest employment rate: frictions leave some unemployed
    labour_tax: float
    benefit_replacement: float
    public_goods_share: float
    public_depreciation: float
    elasticity_low: float
    elasticity_high: float
    public_weight: float
    horizon: float


@dataclass(frozen=True)
class Projection:
    """A region `horizon` quarters ahead under each candidate policy (arrays of one shape)."""

    employment_rate: np.ndarray
    mean_wage: np.ndarray
    median_wage: np.ndarray
    benefit: np.ndarray
    public_consumption: np.ndarray  # per resident, per quarter
    revenue: np.ndarray             # capital and labour tax, per resident, per quarter
    capital: np.ndarray             # relative to now


def pretax_return(state: RegionState, econ: Economics, multiplier: np.ndarray,
                  floor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-tax profit rate on capital, mean wage and the Nash-wage scale for each policy."""
    h = state.high_share
    rev_low = state.revenue_per_worker[0] * multiplier[0]
    rev_high = state.revenue_per_worker[1] * multiplier[1]
    w_low = expected_wage(rev_low, state.outside_option, state.bargaining_power, floor,
                          state.enforcement)
    w_high = expected_wage(rev_high, state.outside_option, state.bargaining_power, floor,
                           state.enforcement)
    margin = h * (rev_high - w_high) + (1.0 - h) * (rev_low - w_low)
    rate = margin * state.utilisation / econ.capital_per_job - econ.depreciation
    mean_wage = h * w_high + (1.0 - h) * w_low
    return rate, mean_wage, h * rev_high + (1.0 - h) * rev_low


def capital_response(state: RegionState, econ: Economics, net: np.ndarray,
                     net_now: float) -> np.ndarray:
    """Capital in the region after `horizon` quarters, relative to now, at after-tax rate `net`.

    Two channels. Location (believed): relocation, entry and exit answer to the after-tax
    return with the elasticity the government has learned. Reinvestment (known): firms grow
    their capital at `investment_response` times the after-tax return over the world return,
    the rule every firm follows (see `RegionalEconomy.plan_firm_investment`). Capital beyond
    what the region's workers can staff earns nothing and is not counted.
    """
    floor = 1e-4
    # The belief is used as learned, sign included: clipping it at zero would turn noise in
    # the estimate into a bias toward lower taxes.
    located = (np.maximum(net, floor) / max(net_now, floor)) ** state.elasticity
    growth = np.clip(econ.investment_response * (net - econ.world_return),
                     -econ.depreciation, econ.max_growth)
    relative = located * np.exp(econ.horizon * growth)
    staffable = highest_employment(state, econ) / max(state.employed, 1.0)
    return np.minimum(relative, max(staffable, 1.0))


def highest_employment(state: RegionState, econ: Economics) -> float:
    """The most residents new capital can employ: all but those frictions leave unemployed
    (`max_employment`), or as many as are employed now where frictions already leave fewer.

    Jobs follow capital in proportion below that (measured in the model: a region taxing
    capital 0.2 more than the others under full mobility ends with 82% less capital and 74%
    fewer employed at the calibrated defaults; 20% and 15% at the earlier, uncalibrated
    ones).
    """
    return max(econ.max_employment * state.residents, state.employed)


def project_policies(state: RegionState, econ: Economics, taxes: np.ndarray,
                     standards: np.ndarray, iterations: int = 4) -> Projection:
    """Project the region under every (tax, standard) pair (arrays broadcast together).

    Public capital and the capital stock depend on each other (revenue builds public capital,
    public capital raises productivity and so returns and the tax base): a few fixed-point
    rounds settle them. The budget is spent as the model spends it: benefits first, then a
    share `public_goods_share` of the rest builds public capital, the remainder is public
    consumption.
    """
    taxes, standards = np.broadcast_arrays(np.asarray(taxes, float), np.asarray(standards, float))
    floor = standards * state.median_wage
    # Now: the current policy at the current public capital (the revenue scale of the
    # employment mix does not depend on the floor).
    rate_now, _, scale_now = pretax_return(state, econ, np.ones(2),
                                           np.array(state.standard * state.median_wage))
    net_now = float(after_tax(rate_now, state.tax))
    n = max(state.residents, 1.0)
    g_now = state.public_capital
    g = np.full(taxes.shape, g_now)
    keep = np.exp(-econ.public_depreciation * econ.horizon)
    for _ in range(iterations):
        multiplier = np.stack([
            public_capital_multiplier(g, g_now, econ.elasticity_low),
            public_capital_multiplier(g, g_now, econ.elasticity_high)])
        rate, mean_wage, revenue_scale = pretax_return(state, econ, multiplier, floor)
        capital = capital_response(state, econ, after_tax(rate, taxes), net_now)
        employed = np.minimum(state.employed * capital, highest_employment(state, econ))
        profits = np.maximum(rate, 0.0) * state.capital * capital
        revenue = taxes * profits + econ.labour_tax * mean_wage * employed
        benefit = econ.benefit_replacement * mean_wage
        spend = np.maximum(revenue - benefit * (n - employed), 0.0)
        steady = econ.public_goods_share * spend / (econ.public_depreciation * n)
        g = steady + keep * (g_now - steady)
    # The median worker's wage moves with the Nash wage's scale and the floor.
    nash_median = state.median_wage * revenue_scale / max(float(scale_now), 1e-12)
    median = (state.enforcement * np.maximum(nash_median, floor)
              + (1.0 - state.enforcement) * nash_median)
    return Projection(employment_rate=employed / n, mean_wage=mean_wage, median_wage=median,
                      benefit=benefit,
                      public_consumption=(1.0 - econ.public_goods_share) * spend / n,
                      revenue=revenue / n, capital=capital)


def expected_log_welfare(private_employed: np.ndarray, private_unemployed: np.ndarray,
                         employment_rate: np.ndarray, public_consumption: np.ndarray,
                         public_weight: float) -> np.ndarray:
    """Resident welfare: expected log private income plus a weight on log public consumption.

    Log utility of private and public consumption (the Cobb-Douglas preferences of the
    tax-competition literature, e.g. Zodrow and Mieszkowski 1986); a resident is employed with
    the region's employment rate: the measure of `regions.welfare`, projected.
    """
    private = (employment_rate * log_utility(private_employed)
               + (1.0 - employment_rate) * log_utility(private_unemployed))
    return private + public_weight * log_utility(public_consumption)


def objective(rule: str, projection: Projection, econ: Economics) -> np.ndarray:
    """What each rule maximises, for every projected policy."""
    p = projection
    if rule == "leviathan":
        return p.revenue
    wage = p.median_wage if rule == "democratic" else p.mean_wage
    return expected_log_welfare((1.0 - econ.labour_tax) * wage, p.benefit, p.employment_rate,
                                p.public_consumption, econ.public_weight)


def choose_policy(rule: str, state: RegionState, econ: Economics, taxes: np.ndarray,
                  standards: np.ndarray) -> tuple[float, float]:
    """The (tax, standard) on the grid that maximises the rule's objective; ties: lower tax."""
    tax_grid, standard_grid = np.meshgrid(taxes, standards, indexing="ij")
    value = objective(rule, project_policies(state, econ, tax_grid, standard_grid), econ)
    i, j = np.unravel_index(int(np.argmax(value)), value.shape)
    return float(taxes[i]), float(standards[j])


def reactive_policy(tax: float, standard: float, preferred_tax: float,
                    preferred_standard: float, flight_share: float, speed: float,
                    recovery: float) -> tuple[float, float]:
    """A reflex without an objective: cut tax and standard when capital flees, drift back.

    Kept for comparison only. It reads the net outflow of capital as a reason to cut whatever
    caused it, so it races even when capital ignores taxes (its flight is then churn or
    pre-tax differences): a race it produces is evidence about the rule, not about tax
    competition. Cohen and Rogers (1997, §1) describe the sceptics' version: exit "or even
    their threat of exit, will weaken the regulatory resolve of citizens and governments".
    """
    cut = speed * max(flight_share, 0.0)
    tax = tax - cut + recovery * (preferred_tax - tax)
    standard = standard - cut + recovery * (preferred_standard - standard)
    return tax, standard
