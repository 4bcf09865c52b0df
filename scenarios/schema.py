"""The scenario schema: every parameter in one typed place, with default, unit and range.

A scenario file (TOML) sets any subset of these; everything else takes the default below.
Following the EMA Workbench split (Kwakkel 2017), the top-level keys are *the world*
(uncertainties: mobility, openness, volatility, size) plus the government rule, the tables
hold the mechanisms' parameters, and `[policies.<module>]` holds *the levers*.

Units: one step is one quarter. Money is measured in units of the initial quarterly output of
one worker, so a wage of 0.6 means 60% of what an average worker produced at the start.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

GOVERNMENT_RULES = ("fixed", "competitive", "democratic", "leviathan", "reactive")
STRATEGY_RULES = ("profit", "imitation")
TFP_DISTRIBUTIONS = ("pareto", "lognormal")
WEALTH_BASES = ("net_worth", "cash")
BENEFIT_BASES = ("previous_wage", "regional_mean_wage")
THREAT_POINTS = ("job_finding", "unemployment")


def spec(default: Any, unit: str, doc: str, lo: float | None = None, hi: float | None = None,
         choices: tuple[str, ...] | None = None, optional: bool = False) -> Any:
    """A dataclass field carrying the metadata the loader validates against."""
    meta = {"unit": unit, "doc": doc, "lo": lo, "hi": hi, "choices": choices,
            "optional": optional}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class FirmParams:
    initial_high_road_share: float = spec(0.3, "share of firms", "Firms on the high road at start.", 0, 1)
    capital_per_job: float = spec(10.0, "money per job", "Capital a job needs (capital-output ratio of 10 quarters).", 0.5, 100)
    low_road_productivity: float = spec(1.05, "units per worker-quarter", "Output of a low-road job at the starting public capital.", 0.01, 100)
    high_road_productivity: float = spec(1.3, "quality units per worker-quarter", "Output of a high-road job at mean skill and the starting public capital, before associative and agglomeration supports.", 0.01, 100)
    skill_elasticity: float = spec(0.8, "1", "Elasticity of high-road output to the workforce's skill.", 0, 3)
    public_goods_effect_high: float = spec(0.15, "1", "Output elasticity of regional public capital for high-road firms. Bom and Ligthart (2014): 0.083 short run, 0.122 long run, about double for regional core infrastructure; the high road leans on regional supports, so it takes the upper part of that range.", 0, 1)
    public_goods_effect_low: float = spec(0.08, "1", "Output elasticity of regional public capital for low-road firms. Bom and Ligthart (2014): short-run meta-estimate 0.083.", 0, 1)
    associative_effect: float = spec(0.2, "1", "Productivity gain of high-road firms at full associative capacity.", 0, 5)
    training_share: float = spec(0.05, "share of working time", "Time high-road jobs spend training (output forgone).", 0, 0.5)
    transition_cost: float = spec(0.10, "share of capital", "One-off cost of switching from the low to the high road.", 0, 1)
    downgrade_cost: float = spec(0.03, "share of capital", "One-off cost of switching from the high to the low road.", 0, 1)
    review_probability: float = spec(0.05, "per quarter", "Chance a firm reviews its strategy and location in a quarter.", 0, 1)
    strategy_rule: str = spec("profit", "-", "How firms pick a road: compare expected profits, or imitate a more profitable peer.", choices=STRATEGY_RULES)
    decision_noise: float = spec(0.002, "profit rate per quarter", "Standard deviation of noise on perceived profit-rate differences.", 0, 1)
    horizon: float = spec(40.0, "quarters", "Horizon over which firms weigh a rate gain against a one-off cost.", 1, 400)
    depreciation: float = spec(0.015, "per quarter", "Depreciation of firm capital.", 0, 0.5)
    tfp_dispersion: float = spec(0.2873, "log points", "Standard deviation of log firm productivity (mean productivity 1). Under the Pareto option the tail's shape is its inverse (below 1 there): 0.33 gives shape 3, the estimate from firm sizes in Chaney (2008, §III). Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 2)
    tfp_distribution: str = spec("pareto", "-", "Distribution of firm productivity at birth (regions/tfp.py draw_tfp): a Pareto tail (Axtell 2001; Luttmer 2007) or the thin-tailed lognormal. Calibrated (scenarios/calibration/baseline.toml; docs/validation.md).", choices=TFP_DISTRIBUTIONS)
    investment_response: float = spec(2.0, "1", "Net investment rate per unit of after-tax return above the world return.", 0, 50)
    max_growth: float = spec(0.03, "per quarter", "Highest net growth of a firm's capital in a quarter.", 0, 1)
    cash_buffer: float = spec(0.05, "share of capital", "Cash a firm keeps before paying out dividends.", 0, 2)
    bankruptcy_threshold: float = spec(0.3, "share of capital", "A firm whose debt exceeds this share of its capital closes.", 0, 10)
    # Demand-constrained production, entry and exit on expected profits. Each mechanism has a
    # switch; off is the model before them (hiring to capacity, entry where workers are
    # unemployed, no closure for losses short of bankruptcy). The calibrated defaults switch
    # production on sales and closure for losses on and leave entry on profits off
    # (docs/validation.md says why).
    demand_constrained: bool = spec(True, "-", "Firms plan hiring and reinvestment on expected sales, and only what sells earns revenue (Dosi, Fagiolo and Roventini 2010, §2.2); off: they hire to capacity and the pool's money is shared by output. Calibrated (scenarios/calibration/baseline.toml; docs/validation.md).")
    profit_entry: bool = spec(False, "-", "Investors found firms on the entrant's expected profit margin (Hopenhayn 1992, §2), sized by `entrant_size`; off: wherever workers are unemployed, sized to half of them.")
    loss_closure: bool = spec(True, "-", "Firms that keep losing money close (`closure_patience`, `closure_rate`; Jovanovic 1982); off: only bankruptcy closes a firm at home. Calibrated (scenarios/calibration/baseline.toml; docs/validation.md).")
    sales_expectation_weight: float = spec(0.4497, "1", "Weight of the newest quarter's demand in a firm's adaptive expectation of the units it can sell, which sets its target jobs and utilisation (Dosi, Fagiolo and Roventini 2010, §2.2: production planned on adaptive demand expectations); as the price expectations. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0.01, 1)
    desired_inventory: float = spec(0.1, "share of expected sales", "Output a firm plans beyond its expected sales (Dosi, Fagiolo and Roventini 2010, §2.2 and Table 1: desired inventories 0.1 of expected demand); unsold output is lost, so this is a buffer that lets firms find out whether demand would take more. Assumed, not calibrated: most of the model's vacancies are these jobs, and the held-out Beveridge correlation and beta-convergence depend on it strongly (docs/validation.md, Choices made along the way; scenarios/calibration/vacancies.toml estimates it from the vacancy rate).", 0, 1)
    demand_volatility: float = spec(0.2866, "log points per quarter", "Standard deviation of the quarterly innovation to each firm's idiosyncratic demand (Foster, Haltiwanger and Syverson 2008: persistent plant-level demand differences). Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 2)
    demand_persistence: float = spec(0.7931, "1", "AR(1) persistence of each firm's idiosyncratic demand. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 0.999)
    entry_margin_full: float = spec(0.01, "profit rate per quarter", "Margin of an entrant's expected after-tax rate over the world return plus the entry hurdle at which an investor founds a firm every quarter; below it the chance of founding is the margin over this (free entry: Hopenhayn 1992, §2; Pissarides 2000, ch. 1).", 0.0001, 1)
    entrant_size: float = spec(0.3, "share of the median firm's capital", "Capital of a new firm, at most what its investor can invest (never under 5 jobs): entrants are small (Haltiwanger, Jarmin and Miranda 2013, §IV: young firms are small and either exit or grow fast).", 0.01, 10)
    closure_patience: int = spec(8, "quarters", "Consecutive loss-making quarters after which a firm closes (selection: Jovanovic 1982; Hopenhayn 1992, §3).", 1, 400)
    exit_shock: float = spec(0.01216, "per quarter", "Chance a firm is forced to close in a quarter whatever its profits (Melitz 2003, §2; Hopenhayn and Rogerson 1993): the exogenous part of firm exit, beside closure for losses. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 0.5)
    exit_size_elasticity: float = spec(0.1847, "1", "How fast the chance of a forced exit (`exit_shock`, the chance of a firm of the mean size) falls with a firm's staff relative to the mean: that chance times (staff / mean staff) to the power -this (Dunne, Roberts and Samuelson 1989: plants' failure rates fall with size); 0 = the same chance for every firm (Melitz 2003, §2), the model before it (regions/relocation.py exit_shock_chances). Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 2)
    closure_rate: float = spec(-0.0281, "profit rate per quarter", "A firm whose smoothed after-tax profit rate falls below this closes at once (the exit threshold of Hopenhayn 1992, §3). Calibrated (scenarios/calibration/baseline.toml; docs/validation.md).", -1, 0.5)


@dataclass(frozen=True)
class LabourParams:
    bargaining_power: float = spec(0.363, "1", "Workers' Nash bargaining weight. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 1)
    separation_rate: float = spec(0.1, "per quarter", "Exogenous job separations. Shimer (2005, AER 95(1), §I): separation into unemployment about 3.4% a month in the United States, so about 10% a quarter; set from that measurement, not calibrated.", 0, 1)
    matching_efficiency: float = spec(0.6409, "1", "Scale of the Cobb-Douglas matching function. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 5)
    matching_elasticity: float = spec(0.5, "1", "Elasticity of matches to unemployment.", 0, 1)
    matching_rounds: int = spec(1, "rounds per quarter", "Rounds of matching within a quarter (regions/labour_market.py match_in_rounds): seekers and jobs left unmatched meet again, as they would in the weeks of a quarter. One round a quarter leaves every job a round does not fill open for the whole quarter, more than a survey read at a point in time finds (time aggregation: Shimer 2012, Review of Economic Dynamics 15(2)); 3 is a monthly round. `matching_efficiency` is per round.", 1, 13)
    skill_growth_high: float = spec(0.012, "per quarter", "Skill growth on a high-road job (toward the maximum).", 0, 1)
    skill_growth_low: float = spec(0.002, "per quarter", "Skill growth on a low-road job.", 0, 1)
    skill_decay: float = spec(0.01, "per quarter", "Skill loss while unemployed.", 0, 1)
    skill_max: float = spec(3.0, "mean initial skill = 1", "Upper bound of skill.", 1, 100)
    low_road_pay_elasticity: float = spec(0.3, "1", "Elasticity of a low-road worker's pay to her skill relative to her firm's mean (high-road firms use firms.skill_elasticity). Card, Heining and Kline (2013, QJE 128(3), §V): worker effects explain about half of wage variance in every kind of firm, so de-skilled jobs reward skill less, not at all.", 0, 3)
    tenure_return: float = spec(0.01, "per year of tenure", "Rise of the bargained rent per year with the employer, up to tenure_cap. Altonji and Shakotko (1987, RES 54(3)): about 1% a year; Topel (1991, JPE 99(1)): up to 2.5%.", 0, 0.2)
    tenure_cap: float = spec(40.0, "quarters", "Tenure beyond which pay no longer rises with it.", 0, 400)
    search_weight: float = spec(0.2725, "1", "Weight of the value of search in the outside option: 1 = the full threat point of `labour.threat_point` (the benefit plus the chance of finding work times the expected gain: Layard, Nickell and Jackman 1991, ch. 2; Pissarides 2000, ch. 1); 0 = the benefit alone, as when a broken-off bargain means delay rather than search (Hall and Milgrom 2008, AER 98(4), §I). Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 1)
    outside_skill_elasticity: float = spec(0.404, "1", "Elasticity of a worker's outside option to her skill relative to her region's employed mean (regions/labour.py market_skill_factor): the threat point is her own market value (Cahuc, Postel-Vinay and Robin 2006, Econometrica 74(2), §2). 0 = one outside option per region. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 3)
    threat_point: str = spec("unemployment", "-", "What weights the value of search in the outside option: the region's unemployment rate u, as 1 - u (Layard, Nickell and Jackman 1991, ch. 2; Blanchflower and Oswald 1994, ch. 3; regions/returns.py unemployment_threat), or its job-finding rate f, as f / (r + s + f) (Pissarides 2000, ch. 1; regions/returns.py search_value). A setting of the calibration (scenarios/calibration/baseline.toml; docs/validation.md says why).", choices=THREAT_POINTS)
    discount_rate: float = spec(0.01, "per quarter", "Workers' discount rate in the value of search (4% a year).", 0, 1)
    skill_min: float = spec(0.2, "mean initial skill = 1", "Lower bound of skill.", 0.001, 1)
    firm_rent_share: float = spec(1.0, "0-1", "Weight of the firm's own revenue per worker in the rent its workers bargain over (regions/returns.py bargained_revenue); the rest is its region's mean on the same road, as under sectoral bargaining. 1 = firm-level bargaining (each firm's rents, so wages follow firm productivity); Card, Cardoso, Heining and Kline (2018, JOLE 36(S1), Table 1) measure rent-sharing elasticities of 0.05-0.15.", 0, 1)
    benefit_replacement: float = spec(0.4, "share of the benefit base", "Unemployment benefit, a share of `benefit_base`.", 0, 1.5)
    benefit_duration: int = spec(0, "quarters", "Quarters of unemployment the benefit pays its full rate (`benefit_replacement`) of the claimant's `benefit_base`; from the next quarter on it pays `long_term_benefit_ratio` of that rate on the region's median wage, as unemployment insurance gives way to flat-rate assistance (regions/incomes.py phased_benefit_rates, assistance_bases). 0 = no limit: the benefit replaces the last wage for as long as the spell lasts.", 0, 400)
    long_term_benefit_ratio: float = spec(0.64, "share of the full benefit", "The benefit of the long-term unemployed, a share of the full benefit, once `benefit_duration` has run out. OECD (2024), Society at a Glance, ch. 6: the average net replacement rate of a single person at the average wage is 58% at the start of a spell and 37% once long-term unemployed; 0.37 / 0.58 = 0.64.", 0, 1)
    benefit_base: str = spec("previous_wage", "-", "What the benefit replaces (regions/incomes.py benefit_bases): each worker's wage in her last quarter employed, the region's median wage for one never employed (as unemployment insurance is defined, OECD 2007, Benefits and Wages), or the region's mean wage of the employed for all (the placebo: as firms close, the survivors' higher wages raise every benefit).", choices=BENEFIT_BASES)
    labour_tax: float = spec(0.2, "share of wage", "Tax on wages.", 0, 0.9)
    good_job_wage: float = spec(0.667, "share of regional median wage", "Wage a good job must pay at least.", 0, 3)
    good_job_tenure: float = spec(4.0, "quarters", "Tenure a good job must have reached (security).", 0, 400)


@dataclass(frozen=True)
class GoodsParams:
    consumption_income: float = spec(0.9, "1", "Households' propensity to consume out of disposable income.", 0, 1)
    consumption_wealth: float = spec(0.025, "per quarter", "Households' propensity to consume out of wealth.", 0, 1)
    quality_preference: float = spec(0.6, "1", "Weight on quality goods of a household at the initial mean income.", 0.001, 100)
    quality_income_elasticity: float = spec(1.0, "1", "How fast the weight on quality rises with income.", 0, 5)
    substitution_elasticity: float = spec(2.5, "1", "Elasticity of substitution between quality and standard goods.", 1.01, 20)
    nontradable_share: float = spec(0.6, "share of demand", "Demand that must be met within the region.", 0, 1)
    import_exposure_low: float = spec(0.8, "1", "Share of tradable standard-good demand contestable by imports at full openness.", 0, 1)
    import_exposure_high: float = spec(0.2, "1", "Share of tradable quality-good demand contestable by imports at full openness.", 0, 1)
    export_demand_low: float = spec(0.15, "share of initial tradable output", "World demand for standard goods at full openness.", 0, 5)
    export_demand_high: float = spec(0.4, "share of initial tradable output", "World demand for quality goods at full openness.", 0, 5)
    world_price_low: float = spec(0.75, "share of initial domestic price", "Price of standard goods from low-wage suppliers.", 0.01, 10)
    world_price_high: float = spec(1.1, "share of initial domestic price", "World price of quality goods.", 0.01, 10)
    trade_price_elasticity: float = spec(1.5, "1", "Price elasticity of import shares and export demand.", 0, 10)
    redirect_unmet_demand: bool = spec(True, "-", "Buyers a sold-out firm turns away buy from the same pool's firms with goods left (Delli Gatti, Desiderio, Gaffeo, Cirillo and Gallegati 2011, ch. 3), only with `firms.demand_constrained`; off: their demand goes unmet and only bids up the price of what sells.")
    local_price_bound: float = spec(1.5, "ratio to the expected national price", "Highest price a local pool pays: local spending its sellers cannot absorb below this multiple of the good's expected national price buys from the national pool instead (an iceberg trade cost, Samuelson 1954, Economic Journal 64(254)). Bounds thin local markets, where a few sellers would otherwise set any price; 0 = no bound. Default 1.5, a trade cost of 50%, is an assumption of that order (Anderson and van Wincoop 2004, Journal of Economic Literature 42(3), §1, put transport at 21% and wholesale and retail distribution at 55% of the producer price); without a bound a region left with a few sellers can see its prices, wages and then its firms' losses explode (docs/validation.md).", 0, 100)
    price_expectation_weight: float = spec(0.3, "1", "Weight of the newest price in the adaptive price expectations buyers and firms act on.", 0.01, 1)
    public_quality_share: float = spec(0.5, "1", "Share of public and investment purchases that buy quality goods.", 0, 1)


@dataclass(frozen=True)
class GovernmentParams:
    capital_tax: float = spec(0.25, "share of profit", "Regional capital (profit) tax at start; what the fixed rule keeps.", 0, 0.9)
    labour_standard: float = spec(0.5, "share of regional median wage", "Wage floor (Kaitz index) at start; what the fixed rule keeps.", 0, 1)
    enforcement: float = spec(0.8, "probability", "Chance a firm complies with the wage floor in a quarter.", 0, 1)
    deviant_tax: float = spec(0.0, "share of profit", "Region 0 starts with (and under the fixed rule keeps) capital_tax plus this: one region deviating from the others in taxation.", -0.9, 0.9)
    deviant_standard: float = spec(0.0, "share of regional median wage", "Region 0 starts with (and under the fixed rule keeps) labour_standard plus this: one region deviating in regulation.", -1, 1)
    public_goods_share: float = spec(0.15, "1", "Share of discretionary spending that builds public capital. OECD general government: gross fixed capital formation about 3% of GDP beside final consumption about 18% (OECD, Government at a Glance 2021), so 3/21.", 0, 1)
    public_goods_depreciation: float = spec(0.0125, "per quarter", "Depreciation of the public capital stock (5% a year: a public investment of 3% of GDP keeps a stock of 60% of GDP, as IMF (2021) measures for advanced economies).", 0, 1)
    initial_public_capital: float = spec(2.4, "quarters of initial output per worker", "Public capital per worker at start: 60% of annual output (IMF (2021), Investment and Capital Stock Dataset, advanced economies); productivity is relative to this level.", 0.01, 100)
    public_consumption_weight: float = spec(0.3, "1", "Weight of public consumption per head beside private income in resident welfare (log utility; with Cobb-Douglas preferences the optimal ratio of public to private consumption equals it: OECD government final consumption 18% of GDP against household consumption about 60%).", 0, 5)
    debt_correction: float = spec(0.05, "per quarter", "Share of the government's balance spent (or repaid) each quarter.", 0, 1)
    review_interval: int = spec(4, "quarters", "Quarters between two policy reviews of the competitive, democratic and leviathan rules.", 1, 400)
    policy_inertia: float = spec(0.5, "1", "Weight on the current policy when a review adopts the chosen one (partial adjustment).", 0, 1)
    tax_grid: int = spec(31, "points", "Capital taxes a government compares at a review, evenly spaced from min_capital_tax to max_capital_tax.", 2, 1001)
    standard_grid: int = spec(11, "points", "Labour standards a government compares at a review, evenly spaced from 0 to 1.", 1, 1001)
    min_capital_tax: float = spec(0.0, "share of profit", "Lowest capital tax a rule may set.", 0, 0.9)
    max_capital_tax: float = spec(0.6, "share of profit", "Highest capital tax a rule may set.", 0, 0.9)
    elasticity_prior: float = spec(0.5, "1", "Prior belief, at capital_mobility 1, about the elasticity of the region's capital to its net-of-tax share; scaled by capital_mobility (governments know the legal mobility of capital, not its response).", 0, 100)
    prior_weight: float = spec(8.0, "quarters of data", "How many quarters of observations the prior belief is worth.", 0.01, 10_000)
    elasticity_memory: float = spec(0.99, "per quarter", "Forgetting factor of the recursive least squares that learns the capital response (1 = never forget).", 0.5, 1)
    planning_horizon: float = spec(20.0, "quarters", "Quarters a government expects a return gap to keep moving capital: the believed stock elasticity is the learned flow response times this.", 1, 400)
    adjustment_speed: float = spec(0.5, "1", "Reactive rule: policy change per unit of capital-flight share.", 0, 100)
    recovery_speed: float = spec(0.01, "per quarter", "Reactive rule: return toward the starting policy without flight.", 0, 1)


@dataclass(frozen=True)
class CapitalParams:
    world_return: float = spec(0.0125, "per quarter", "After-tax return available in the rest of the world.", 0, 0.5)
    relocation_cost: float = spec(0.5, "share of capital", "Capital lost when capital moves region or leaves, at mobility just above 0; falls linearly to 0 at mobility 1 (at mobility 0 capital cannot move).", 0, 1)
    relocation_hurdle: float = spec(0.002, "per quarter", "Return gap a firm needs before it moves.", 0, 1)
    exit_hurdle: float = spec(0.003, "per quarter", "Shortfall below the world return that makes capital exit.", 0, 1)
    entry_hurdle: float = spec(0.003, "per quarter", "Premium over the world return that makes investors found a firm.", 0, 1)
    investor_household_share: float = spec(0.1182, "share of population", "Households that own investor capital. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0.001, 0.5)
    investor_consumption_income: float = spec(0.6, "1", "Investors' propensity to consume out of income.", 0, 1)
    investor_consumption_wealth: float = spec(0.01, "per quarter", "Investors' propensity to consume out of wealth (0.01 a quarter: 4 cents a year per unit, inside the measured range of Poterba 2000, JEP 14(2)).", 0, 1)
    investor_wealth_base: str = spec("net_worth", "-", "What investors' wealth is when they consume out of it (agents/investor.py investor_spending): net worth (cash, foreign assets and their equity in the firms they own; Ando and Modigliani 1963) or their cash alone (the placebo: savings that are neither invested nor spent pile up as idle cash).", choices=WEALTH_BASES)
    repatriation_rate: float = spec(0.02, "per quarter", "Share of foreign assets brought home when domestic returns beat the world.", 0, 1)
    smoothing: float = spec(0.8, "1", "Weight on the past in smoothed profit rates and flows.", 0, 0.99)
    tax_salience: float = spec(1.0, "0-1", "How much of a regional tax difference every location and investment decision sees: 1 = all of it, 0 = capital ignores taxes (the placebo of tax competition: decisions read the starting tax everywhere).", 0, 1)
    exit_threats: bool = spec(True, "-", "Investors threaten exit before governments review policy; a threat moves a government's belief only as far as it is credible.")
    location_taste: float = spec(0.002066, "profit rate per quarter", "Standard deviation of a firm's own valuation of each location, drawn afresh at each review (and, with `founding_taste`, at each founding) and added to the expected rates it compares (random utility: McFadden 1974; firm location choice as in Carlton 1983, REStat 65(3)); tax-blind, so it moves capital both ways. Calibrated (scenarios/calibration/exit_by_size_focused.toml; docs/validation.md).", 0, 1)
    founding_taste: bool = spec(True, "-", "An investor founding a firm compares the regions' expected rates plus its own valuation of each (`location_taste`, regions/returns.py with_location_taste), as a relocating firm does: Carlton (1983) estimates exactly such choices of new plants. Off (the placebo): every investor founds in the single region with the best expected rate, so a quarter's new firms all go to one region and a region a little behind gets none for as long as it stays behind.")
    threat_tax_step: float = spec(0.05, "share of profit", "The tax rise a threat answers to: the threatening firm would leave if the tax rose this much.", 0.001, 0.5)


@dataclass(frozen=True)
class DemographyParams:
    retirement_rate: float = spec(1 / 160, "per quarter", "Chance a worker retires (a 40-year career on average).", 0, 1)
    skill_persistence: float = spec(0.3, "1", "Weight of the parent's income rank in an entrant's skill.", 0, 1)
    entrant_skill_dispersion: float = spec(0.4, "log points", "Dispersion of entrants' skill.", 0, 2)
    migration_rate: float = spec(0.002, "per quarter", "Chance an unemployed worker considers moving region.", 0, 1)
    initial_wealth: float = spec(3.0, "quarters of income", "Mean household wealth at start.", 0, 100)
    region_skill_dispersion: float = spec(0.1, "log points", "Dispersion of mean skill between regions at start.", 0, 2)


@dataclass(frozen=True)
class AssociationParams:
    initial_capacity: float = spec(0.1, "0-1", "Associative capacity of regions at start.", 0, 1)
    growth_from_high_road: float = spec(0.02, "per quarter", "Growth of capacity with the high-road employment share.", 0, 1)
    decay: float = spec(0.01, "per quarter", "Decay of capacity.", 0, 1)
    enforcement_effect: float = spec(0.15, "probability", "Compliance gain at full capacity (monitoring as a by-product).", 0, 1)
    transition_cost_relief: float = spec(0.5, "1", "Share of the transition cost removed at full capacity.", 0, 1)


@dataclass(frozen=True)
class ShockParams:
    persistence: float = spec(0.9, "1", "AR(1) persistence of regional productivity shocks.", 0, 0.999)
    common_share: float = spec(0.6, "share of variance", "Share of each region's quarterly productivity innovation common to all regions (regional_innovations): regional cycles share a national component beside region-specific shocks (Clark 1998, Journal of Labor Economics 16(1)); 0: independent regions. Default 0.6 is measured, not fitted: Clark finds roughly 40% of the variance of the cyclical innovation in a US region's employment growth particular to that region, the rest national or industry-wide (the model has no industries). Set in the calibration's settings (scenarios/calibration/baseline.toml).", 0, 1)


GROUPS: dict[str, type] = {
    "firms": FirmParams,
    "labour": LabourParams,
    "goods": GoodsParams,
    "government": GovernmentParams,
    "capital": CapitalParams,
    "demography": DemographyParams,
    "associations": AssociationParams,
    "shocks": ShockParams,
}


@dataclass(frozen=True)
class WorldParams:
    """The top-level keys: size and the world the regions face (uncertainties)."""

    description: str = spec("", "-", "One line saying what the scenario stands for.")
    source: str = spec("", "-", "The passage of the source papers the scenario stands for.")
    steps: int = spec(200, "quarters", "Recorded steps after the burn-in.", 1, 100_000)
    burn_in: int = spec(20, "quarters", "Steps run with policy held fixed before recording starts.", 0, 10_000)
    n_regions: int = spec(6, "regions", "Number of regions.", 1, 1000)
    workers_per_region: int = spec(2000, "workers", "Workers in a region of relative size 1.", 1, 10_000_000)
    firms_per_region: int = spec(20, "firms", "Firms in a region of relative size 1.", 1, 100_000)
    region_sizes: list = spec([], "relative size", "Optional relative sizes, one per region.", 0.001, 1000, optional=True)
    capital_mobility: float = spec(0.5, "0-1", "0 = immobile capital; 1 = relocation and exit are free.", 0, 1)
    trade_openness: float = spec(0.3, "0-1", "Share of the contestable demand open to imports and exports.", 0, 1)
    government_rule: str = spec("fixed", "-", "How regional governments set policy.", choices=GOVERNMENT_RULES)
    agglomeration: float = spec(0.3, "1", "High-road productivity gain per unit of nearby high-road employment share.", 0, 10)
    volatility: float = spec(0.02, "log points per quarter", "Standard deviation of regional productivity shocks.", 0, 2)


def field_specs(cls: type) -> dict[str, Any]:
    """Name -> dataclass field of a parameter class."""
    return {f.name: f for f in fields(cls)}


def default_value(f: Any) -> Any:
    """The default of a dataclass field, whether given as a value or a factory."""
    return f.default_factory() if f.default is MISSING else f.default
