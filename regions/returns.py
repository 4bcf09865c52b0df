"""What firms and investors expect to earn on each road in each region.

One table per quarter, computed once from last quarter's prices and this quarter's policy,
read by every decision: strategy review, relocation, exit, entry and investment. Using the
same expectations for "here" and "there" keeps the comparison fair; what ties a high-road firm
to its region is that its productivity there rests on immobile supports (quasi-public goods,
associative capacity, agglomeration) it would not find elsewhere (Cohen and Rogers 1997, §5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOW, HIGH = 0, 1


def nash_wage(revenue_per_worker: np.ndarray | float, outside_option: np.ndarray | float,
              bargaining_power: np.ndarray | float) -> np.ndarray:
    """Generalised Nash bargaining over the match surplus.

    docs/design.md: "Nash wage bargaining between the worker's outside option (benefits, citizen
    dividend, asset income) and the firm's productivity with bargaining power set by union
    coverage". The worker gets her outside option plus a share `bargaining_power` of the surplus.
    """
    return bargaining_power * revenue_per_worker + (1.0 - bargaining_power) * outside_option


def search_value(benefit: np.ndarray | float, wage: np.ndarray | float,
                 job_finding: np.ndarray | float, separation: float, discount: float,
                 weight: float) -> np.ndarray:
    """The worker's threat point: the flow value of unemployed search.

    Pissarides (2000, ch. 1, eq. 1.12 with 1.13): rU = b + f (E - U) and rE = w + s (U - E)
    give rU = b + f / (r + s + f) (w - b): the benefit plus the job-finding rate's share of
    the expected gain, with `wage` the wage a search finds (the region's median), `job_finding`
    the region's rate f, `separation` s and `discount` r, all per quarter. Where jobs are
    scarce f falls and with it the threat point and wages: the wage curve (Blanchflower and
    Oswald 1994, ch. 1). `weight` scales the search term (1 = Pissarides in full; 0 = the
    benefit alone, Hall and Milgrom 2008, §I).
    """
    f = np.asarray(job_finding, dtype=float)
    gain = np.maximum(np.asarray(wage, dtype=float) - benefit, 0.0)
    return benefit + weight * f / (discount + separation + f + 1e-12) * gain


def unemployment_threat(benefit: np.ndarray | float, wage: np.ndarray | float,
                        unemployment: np.ndarray | float, weight: float) -> np.ndarray:
    """The worker's threat point read from her region's unemployment rate.

    Layard, Nickell and Jackman (1991, ch. 2) and Blanchflower and Oswald (1994,
    ch. 3): a worker whose bargain breaks finds work at the going wage with the chance of
    not being unemployed, 1 - u, and otherwise draws the benefit, so her outside option is
    b + (1 - u)(w - b). Where unemployment is high the threat point and the wage fall: the
    wage curve, with an elasticity near -(1 - beta) u (w - b) / w for bargaining power beta.
    `weight` scales the search term as in `search_value` (1 = the expected income in full).
    """
    gain = np.maximum(np.asarray(wage, dtype=float) - benefit, 0.0)
    return benefit + weight * (1.0 - np.asarray(unemployment, dtype=float)) * gain


def apply_wage_floor(wage: np.ndarray, floor: np.ndarray, complies: np.ndarray) -> np.ndarray:
    """A labour standard: complying employers pay at least the regional floor.

    Cohen and Rogers (1997, §5): the high road needs "barriers to low-road defection", which
    the model encodes as a wage floor with an enforcement probability.
    """
    return np.where(complies, np.maximum(wage, floor), wage)


def expected_wage(revenue: np.ndarray | float, outside: np.ndarray | float,
                  power: np.ndarray | float, floor: np.ndarray | float,
                  enforcement: np.ndarray | float) -> np.ndarray:
    """The wage a firm expects to pay: the Nash wage, raised to the floor with the
    probability that the floor is enforced."""
    nash = nash_wage(revenue, outside, power)
    return enforcement * np.maximum(nash, floor) + (1.0 - enforcement) * nash


def bargained_revenue(own: np.ndarray | float, regional: np.ndarray | float,
                      firm_share: float) -> np.ndarray:
    """The revenue per worker a firm's wage bargain shares: its own, or in part its region's.

    Under firm-level bargaining (`firm_share` 1) workers share their own firm's rents, so
    wages follow firm productivity; under sectoral bargaining the rent is set for the
    region's firms on the same road together (`regional`, their employment-weighted mean
    revenue per worker), and a firm's own productivity moves its wages only by the weight
    left to it. Card, Cardoso, Heining and Kline (2018, JOLE 36(S1), §II and Table 1):
    measured rent-sharing elasticities are 0.05-0.15, well below what firm-level Nash
    bargaining over a firm's whole revenue gives.
    """
    if firm_share >= 1.0:
        return np.asarray(own, dtype=float)
    return firm_share * np.asarray(own, dtype=float) + (1.0 - firm_share) * np.asarray(
        regional, dtype=float)


def after_tax(rate: np.ndarray | float, tax: np.ndarray | float) -> np.ndarray:
    """Profit rate after a tax on positive profits (losses are not refunded)."""
    return np.where(rate > 0, rate * (1.0 - tax), rate)


@dataclass
class MarketConditions:
    """Per-region quantities every decision of a quarter reads."""

    revenue_per_worker: np.ndarray  # (regions, 2): at firm productivity 1, net of training time
    outside_option: np.ndarray      # (regions,)
    wage_floor: np.ndarray          # (regions,)
    enforcement: np.ndarray         # (regions,) probability a firm complies
    bargaining_power: np.ndarray    # (regions,)
    capital_tax: np.ndarray         # (regions,) the tax capital sees (see `seen_capital_tax`)
    utilisation: np.ndarray         # (regions,) share of jobs filled: labour scarcity idles capital
    capital_per_job: float
    depreciation: float
    #: (regions, 2) the region's employment-weighted mean revenue per worker on each road,
    #: what a sectoral bargain shares (`bargained_revenue`); with `firm_rent_share` 1 unused.
    regional_revenue: np.ndarray | None = None
    firm_rent_share: float = 1.0

    def margin_per_worker(self, regions: np.ndarray | int, road: np.ndarray | int,
                          tfp: np.ndarray | float) -> np.ndarray:
        """Expected revenue of a job less its expected wage (floor enforced with probability)."""
        rp = self.revenue_per_worker[regions, road] * tfp
        shared = rp if self.regional_revenue is None else bargained_revenue(
            rp, self.regional_revenue[regions, road], self.firm_rent_share)
        return rp - expected_wage(shared, self.outside_option[regions],
                                  self.bargaining_power[regions], self.wage_floor[regions],
                                  self.enforcement[regions])

    def pretax_rate(self, regions: np.ndarray | int, road: np.ndarray | int,
                    tfp: np.ndarray | float) -> np.ndarray:
        """Expected pre-tax profit per unit of capital, at the region's rate of filled jobs."""
        margin = self.margin_per_worker(regions, road, tfp) * self.utilisation[regions]
        return margin / self.capital_per_job - self.depreciation

    def after_tax_rate(self, regions: np.ndarray | int, road: np.ndarray | int,
                       tfp: np.ndarray | float) -> np.ndarray:
        """Expected profit per unit of capital after the region's capital tax."""
        return after_tax(self.pretax_rate(regions, road, tfp), self.capital_tax[regions])


def with_location_taste(rates: np.ndarray, taste: float,
                        rng: np.random.Generator) -> np.ndarray:
    """Expected rates of each location plus the decision-maker's own valuation of it.

    Random utility (McFadden 1974): the value of a location to a firm is the return everyone
    expects there plus a part of its own, drawn afresh at each choice with standard deviation
    `taste`; Carlton (1983, Review of Economics and Statistics 65(3)) estimates the location
    choices of new plants in this form. So choices spread over locations whose expected
    returns differ by less than the taste, the better ones chosen more often, instead of
    all going to the single best one. At taste 0 the rates are returned as they are, and
    nothing is drawn.
    """
    if taste <= 0:
        return rates
    return rates + rng.normal(0.0, taste, rates.size)


def seen_capital_tax(tax: np.ndarray, reference_tax: float, salience: float) -> np.ndarray:
    """The capital tax every location and investment decision reads.

    Tax salience scales how much of a tax difference capital sees: at 1 it sees each region's
    tax, at 0 it reads the starting tax everywhere and ignores policy altogether. Salience 0
    is the placebo of tax competition (Zodrow and Mieszkowski 1986; Wilson 1986): the race to
    the bottom they derive rests on capital answering to tax differences, so with salience 0
    no race may remain. Chetty, Looney and Kroft (2009) show salience is an empirical matter.
    """
    return reference_tax + salience * (np.asarray(tax, dtype=float) - reference_tax)


def public_capital_multiplier(per_worker: np.ndarray, reference: float,
                              elasticity: float) -> np.ndarray:
    """Productivity from regional public capital: Cobb-Douglas with a constant output elasticity.

    Output rises by `elasticity` per cent for each per cent more public capital per worker
    (Aschauer 1989; the elasticities in the schema follow the meta-analysis of Bom and Ligthart
    2014). Relative to the stock at start, so the multiplier starts at 1. A constant elasticity,
    unlike a saturating index, keeps public goods worth building at the margin, which is what
    lets them hold capital (Cohen and Rogers 1997, §5).
    """
    ratio = np.maximum(np.asarray(per_worker, dtype=float), 1e-6 * reference) / reference
    return ratio ** elasticity


def low_road_productivity(base: float, shock: np.ndarray, public_capital: np.ndarray
                          ) -> np.ndarray:
    """Output per low-road job: standard goods, little use for skill or regional supports.

    Cohen and Rogers (1997, §5): "Low-road firms compete chiefly by keeping prices down, which
    means keeping costs down - beginning, typically, with wages". `public_capital` is the
    multiplier of `public_capital_multiplier` at the low road's elasticity.
    """
    return base * shock * public_capital


def high_road_productivity(base: float, shock: np.ndarray, skill: np.ndarray,
                           skill_elasticity: float, public_capital: np.ndarray,
                           associative_capacity: np.ndarray,
                           associative_effect: float, agglomeration_index: np.ndarray,
                           agglomeration: float, training_share: float) -> np.ndarray:
    """Quality units per high-road job: rests on skill and on immobile regional supports.

    Cohen and Rogers (1997, §5): high-road firms "compete more on product or service quality"
    and need quasi-public goods that "firms will not provide on their own" (§1, §5), associative
    cooperation (§3) and the density of advanced firms nearby (§5). Training time is output
    forgone (the price of skill growth). `public_capital` is the multiplier of
    `public_capital_multiplier` at the high road's elasticity.
    """
    supports = (public_capital
                * (1.0 + associative_effect * associative_capacity)
                * (1.0 + agglomeration * agglomeration_index))
    return base * shock * np.maximum(skill, 1e-9) ** skill_elasticity * supports * (
        1.0 - training_share)
