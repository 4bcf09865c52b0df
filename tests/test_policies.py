"""The policy modules: each moves the observables its mechanism says it moves, on a small
world over several seeds (means over seeds, never one exact number), and a module that is
off leaves the run bit for bit as it was.

Where the papers leave an effect open (does the new-egalitarian package keep capital under
high mobility?), the tests check the mechanism — the lever moves in the stated direction —
not the answer.
"""

from __future__ import annotations

import copy
import functools
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL

from highroad.api import simulate
from highroad.policies import HOOKS, REGISTRY, PolicyParams
from highroad.policies import supra_regional as sr
from highroad.regions.model import RegionalEconomy
from highroad.scenarios.loader import load_scenario
from highroad.scenarios.schema import default_value

SEEDS = (0, 1, 2)
#: Where one seed's slump can swing a mean of three: the income-inequality and good-jobs
#: effects (measured per seed at the calibrated defaults: the social wage and the citizen
#: dividend lower the Gini at five of six seeds and raise it at seed 2, where the economy
#: slumps; the conditional subsidy raises the good-jobs share at five of six).
SIX_SEEDS = (0, 1, 2, 3, 4, 5)
TEN_SEEDS = tuple(range(10))
#: A world where capital moves and governments chase it: relocation, exit and policy
#: competition all happen, so every code path a module touches is exercised.
MOBILE = {"government_rule": "competitive", "capital_mobility": 0.9, "trade_openness": 0.5}
COUNTS = ("relocations", "exits_abroad", "bankruptcies")


@functools.cache
def _run(items: tuple[tuple[str, Any], ...], seed: int) -> pd.DataFrame:
    return simulate("baseline", seed=seed, overrides={**SMALL, **dict(items)}).economy


def run(overrides: dict[str, Any], seed: int) -> pd.DataFrame:
    return _run(tuple(sorted(overrides.items())), seed)


def outcome(overrides: dict[str, Any], last: int = 10,
            seeds: tuple[int, ...] = SEEDS) -> pd.Series:
    """Mean over seeds of each observable's mean over the last steps (counts: summed)."""
    rows = []
    for seed in seeds:
        frame = run(overrides, seed)
        row = frame.iloc[-last:].mean(numeric_only=True)
        for c in COUNTS:
            row[c] = frame[c].sum()
        rows.append(row)
    return pd.DataFrame(rows).mean()


def module(name: str, **params: Any) -> dict[str, Any]:
    """Overrides that switch module `name` on with `params`."""
    return {f"policies.{name}.enabled": True,
            **{f"policies.{name}.{k}": v for k, v in params.items()}}


def only(name: str, instrument: str, switches: tuple[str, ...], **params: Any) -> dict:
    """Switch module `name` on with one instrument of `switches` on and the others off."""
    flags = {s: s == instrument for s in switches}
    return module(name, **flags, **params)


# -- the contract every module keeps ------------------------------------------------------------

def test_every_module_is_registered_with_documented_params() -> None:
    assert set(REGISTRY) == {"social_democracy", "associative_governance", "quasi_public_goods",
                             "asset_redistribution", "supra_regional", "good_jobs",
                             "self_management", "capital_controls", "monitoring",
                             "training", "planning"}
    for name, cls in REGISTRY.items():
        assert cls.name == name
        assert issubclass(cls.Params, PolicyParams)
        assert cls.Params().enabled is False
        assert any(callable(getattr(cls, h, None)) for h in HOOKS)
        for f in cls.Params.__dataclass_fields__.values():
            assert f.metadata.get("doc") and f.metadata.get("unit"), (name, f.name)
            default_value(f)  # every field has a default
        assert cls.__doc__ and sys.modules[cls.__module__].__doc__


def _changed_params(name: str) -> dict[str, Any]:
    """Every non-switch parameter of a module set away from its default, module still off."""
    out: dict[str, Any] = {}
    for f in REGISTRY[name].Params.__dataclass_fields__.values():
        if f.name == "enabled":
            continue
        value, meta = default_value(f), f.metadata
        if isinstance(value, bool):
            value = not value
        elif isinstance(value, str):
            value = next(c for c in meta["choices"] if c != value)
        elif isinstance(value, int):
            value = int(meta["hi"]) if value != meta["hi"] else int(meta["lo"])
        else:
            value = (value + meta["hi"]) / 2 if value != meta["hi"] else (value + meta["lo"]) / 2
        out[f"policies.{name}.{f.name}"] = value
    return out


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_module_off_restores_baseline_bit_for_bit(name: str) -> None:
    """An explicit `enabled = false` table, even with every other key changed, is no table."""
    base = simulate("baseline", seed=3, overrides={**SMALL, **MOBILE})
    off = simulate("baseline", seed=3, overrides={**SMALL, **MOBILE,
                                                  f"policies.{name}.enabled": False,
                                                  **_changed_params(name)})
    pd.testing.assert_frame_equal(base.economy, off.economy)
    pd.testing.assert_frame_equal(base.regions, off.regions)


def test_off_modules_are_not_instantiated() -> None:
    model = RegionalEconomy(load_scenario("baseline", {**SMALL}), seed=0)
    assert model.policy_modules == []
    on = RegionalEconomy(load_scenario("baseline", {**SMALL, **module("capital_controls")}), 0)
    assert [m.name for m in on.policy_modules] == ["capital_controls"]


@pytest.mark.parametrize("name,switches", [
    ("asset_redistribution", ("citizen_dividend", "worker_ownership", "tax_universalism",
                              "early_life")),
    ("good_jobs", ("employer_training", "conditional_subsidy", "labour_friendly_innovation",
                   "safeguard")),
])
def test_module_with_every_instrument_off_is_the_baseline(name: str, switches: tuple) -> None:
    base = run(MOBILE, 0)
    empty = run({**MOBILE, **only(name, "", switches)}, 0)
    pd.testing.assert_frame_equal(base, empty)


# -- social_democracy (Cohen and Rogers 1997, §2) -----------------------------------------------

SD_PARTS = dict(coverage=0.0, transfer_rate=0.0, demand_support=0.0)


def test_centralised_bargaining_compresses_wages() -> None:
    on = outcome(module("social_democracy", transfer_rate=0.0, demand_support=0.0))
    assert on.wage_gini < outcome({}).wage_gini - 0.02


@pytest.mark.parametrize(("design", "margin"), [("universal", 0.02), ("means_tested", 0.005)])
def test_social_wage_lowers_income_inequality(design: str, margin: float) -> None:
    """Over six seeds the universal social wage lowers the income Gini by 0.048, the
    means-tested one, paid to fewer, by 0.018 (measured at today's defaults)."""
    on = outcome(module("social_democracy", coverage=0.0, demand_support=0.0,
                        transfer_design=design), seeds=SIX_SEEDS)
    assert on.income_gini < outcome({}, seeds=SIX_SEEDS).income_gini - margin


def _stimulus_leakage(openness: float, seed: int) -> float:
    """Extra imports per unit of demand support, one quarter, twin worlds from one state."""
    model = RegionalEconomy(load_scenario("baseline", {**SMALL, "trade_openness": openness}),
                            seed=seed)
    for _ in range(8):
        model.step()
    twin = copy.deepcopy(model)
    cls = REGISTRY["social_democracy"]
    stimulus = cls(cls.Params(enabled=True, coverage=0.0, transfer_rate=0.0,
                              unemployment_target=0.0, demand_support=2.0))
    stimulus.on_setup(twin)
    twin.policy_modules.append(stimulus)
    model.step()
    twin.step()
    assert twin.flows["demand_support"] > 0
    return (twin.flows["imports"] - model.flows["imports"]) / twin.flows["demand_support"]


def test_demand_support_leaks_abroad_as_openness_grows() -> None:
    """Cohen and Rogers (1997, §2): openness qualifies how much of a stimulus domestic firms
    capture."""
    for seed in (0, 1):
        leak = [_stimulus_leakage(o, seed) for o in (0.0, 0.4, 0.9)]
        assert leak[0] == pytest.approx(0.0, abs=1e-9)
        assert leak[0] < leak[1] < leak[2]


def test_demand_support_cuts_unemployment_in_a_slump() -> None:
    closed = {"trade_openness": 0.05}
    on = outcome({**closed, **module("social_democracy", coverage=0.0, transfer_rate=0.0)})
    assert on.unemployment < outcome(closed).unemployment - 0.05


# -- associative_governance (Cohen and Rogers 1997, §3) -----------------------------------------

#: Firms alike (productivity 1 at birth, no forced exits): what a module does to output per
#: worker is then not lost in which firms the productivity draws make large. At the
#: calibrated defaults (a Pareto draw) three seeds of this small world do not show it.
ALIKE = {"firms.tfp_dispersion": 0.0, "firms.exit_shock": 0.0}


def test_associative_support_builds_capacity_that_monitors_and_spreads_practice() -> None:
    off, on = outcome({}), outcome(module("associative_governance"))
    assert on.associative_capacity > off.associative_capacity + 0.1
    assert on.compliance > off.compliance + 0.05          # monitoring as a by-product (§3)
    # Practice spreads between firms: over ten seeds (measured +0.041 output per worker on
    # average; single seeds of this small world swing by +-0.15 either way).
    assert (outcome({**ALIKE, **module("associative_governance")}, seeds=TEN_SEEDS).productivity
            > outcome(ALIKE, seeds=TEN_SEEDS).productivity)
    assert on.public_goods_per_capita < off.public_goods_per_capita  # support is not free


def test_support_not_tied_to_public_service_does_less() -> None:
    tied = outcome(module("associative_governance"))
    untied = outcome(module("associative_governance", public_service=False))
    assert untied.compliance < tied.compliance


def test_associations_cheapen_the_high_road_transition() -> None:
    scen = load_scenario("baseline", {**SMALL, **module("associative_governance")})
    model = RegionalEconomy(scen, seed=0)
    model.step()
    before = model.switching_cost(0, to_high=True)
    model.region_column("associative_capacity")[0] = 1.0
    model.step()
    assert model.switching_cost(0, to_high=True) < before


# -- quasi_public_goods (Cohen and Rogers 1997, §5) ---------------------------------------------

def test_quasi_public_goods_build_the_stock_and_raise_productivity() -> None:
    off, on = outcome({}), outcome(module("quasi_public_goods"))
    assert on.public_goods_per_capita > off.public_goods_per_capita + 0.2
    assert (outcome({**ALIKE, **module("quasi_public_goods")}).productivity
            > outcome(ALIKE).productivity)


def test_quasi_public_goods_need_jointness() -> None:
    """Cohen and Rogers (1997, §5): below the participation threshold part of the levy does not
    build the stock."""
    easy = outcome(module("quasi_public_goods", jointness=0.0))
    hard = outcome(module("quasi_public_goods", jointness=1.0))
    assert hard.public_goods_per_capita < easy.public_goods_per_capita


# -- asset_redistribution (Cohen and Rogers 1997, §4) -------------------------------------------

ASSETS = ("citizen_dividend", "worker_ownership", "tax_universalism", "early_life")


def test_citizen_dividend_lowers_income_inequality() -> None:
    """Measured at the calibrated defaults: the Gini falls by 0.029 over seeds 0-9 (per seed
    from -0.106 to +0.045; over seeds 0-5 alone by 0.0095), so ten seeds."""
    on = outcome(only("asset_redistribution", "citizen_dividend", ASSETS), seeds=TEN_SEEDS)
    assert on.income_gini < outcome({}, seeds=TEN_SEEDS).income_gini - 0.02


def test_tax_universalism_compresses_incomes_within_the_budget() -> None:
    """Cohen and Rogers (1997, §4): one progressive schedule over all income lowers the Gini of
    what households keep.

    Tested on one quarter's incomes: over whole runs the compression of workers' incomes
    (about a point of Gini) is smaller than the spread between runs.
    """
    from highroad.analysis.metrics import gini
    from highroad.policies.asset_redistribution import tax_all_income

    model = RegionalEconomy(load_scenario("baseline", SMALL), seed=0)
    for _ in range(8):
        model.step()
    before_income = model.workforce.income.copy()
    before_cash = model.region_column("cash").copy()
    params = REGISTRY["asset_redistribution"].Params(enabled=True, progressivity=0.3)
    tax_all_income(model, params)
    assert gini(model.workforce.income) < gini(before_income) - 0.02
    np.testing.assert_allclose(model.region_column("cash"), before_cash, atol=1e-9)


def test_worker_stakes_anchor_capital_and_spread_wealth() -> None:
    """Cohen and Rogers (1997, §5): worker-held capital does not move; a firm that leaves takes
    only its investors'."""
    off = outcome(MOBILE)
    on = outcome({**MOBILE, **only("asset_redistribution", "worker_ownership", ASSETS,
                                   stake_target=0.5, stake_accrual=0.1)})
    assert on.relocations + on.exits_abroad < 0.5 * (off.relocations + off.exits_abroad)
    assert on.wealth_gini < off.wealth_gini


def _parent_skill_link(overrides: dict[str, Any], seed: int) -> float:
    """Correlation of entrants' parental income rank with their log skill."""
    churn = {**SMALL, "demography.retirement_rate": 0.05}
    model = RegionalEconomy(load_scenario("baseline", {**churn, **overrides}), seed=seed)
    for _ in range(20):
        model.step()
    wf = model.workforce
    entrants = np.isfinite(wf.origin_rank)
    return float(np.corrcoef(wf.origin_rank[entrants], np.log(wf.skill[entrants]))[0, 1])


def test_early_life_investment_weakens_the_parental_link() -> None:
    """Cohen and Rogers (1997, §4): chances set "before income is earned"; needs many entrants, so
    faster turnover.

    Checked on skill, where the mechanism acts; the income rank-rank correlation it feeds
    (observable `rank_correlation`) is too noisy in a world this small to test.
    """
    early = only("asset_redistribution", "early_life", ASSETS)
    off = np.mean([_parent_skill_link({}, s) for s in SEEDS])
    on = np.mean([_parent_skill_link(early, s) for s in SEEDS])
    assert on < off - 0.03


# -- supra_regional (Cohen and Rogers 1997, §5; Walzer 2000) ------------------------------------

def test_floors_bind_on_members() -> None:
    floors = module("supra_regional", tax_floor=0.45, labour_standard_floor=0.5)
    for seed in SEEDS:
        regions = simulate("baseline", seed=seed,
                           overrides={**SMALL, **MOBILE, **floors}).regions
        assert (regions.capital_tax >= 0.45 - 1e-12).all()
        assert (regions.labour_standard >= 0.5 - 1e-12).all()
    assert outcome({**MOBILE, **floors}).mean_capital_tax > outcome(MOBILE).mean_capital_tax


def test_equalisation_transfers_and_narrows_fiscal_gaps() -> None:
    """Equalisation evens out what regions can spend per head (fiscal capacity): at rate 0.5,
    uncapped, each member's revenue per head after transfers is half as far from the
    members' mean as before.

    What regions then spend is an outcome, not the mechanism: it also answers to each
    government's policy and to regional booms and busts. In this small world at the
    calibrated defaults the gap in public spending per head (its coefficient of variation
    over the regions, last ten quarters) narrowed at one seed of three (0.40 against 0.75)
    and widened at the others (0.71 against 0.36, 0.85 against 0.80), so it is not
    asserted; whether GDP per head converges is likewise open.
    """
    off = outcome(MOBILE)
    equalising = {**MOBILE, **module("supra_regional", equalisation_rate=0.5)}
    on = outcome(equalising)
    assert on.supra_transfers > 0 and off.supra_transfers == 0
    model = RegionalEconomy(load_scenario("baseline", {**SMALL, **equalising}), seed=0)
    model.step()
    revenue = np.array([30.0, 10.0, 20.0])
    model.region_table.view("revenue")[:3] = revenue
    workers = np.maximum(model.workers_by_region, 1.0)
    settings = sr.resolve(model.params.policies["supra_regional"])
    net = sr.equalise(model, settings, np.ones(3, dtype=bool))
    before = revenue / workers
    after = (revenue + net) / workers
    mean = revenue.sum() / workers.sum()
    np.testing.assert_allclose(after - mean, 0.5 * (before - mean))
    assert net.sum() == pytest.approx(0.0, abs=1e-9)


def test_learning_spreads_what_works() -> None:
    off = outcome(MOBILE)
    on = outcome({**MOBILE, **module("supra_regional", learning=0.5)})
    assert on.capital_tax_dispersion < off.capital_tax_dispersion


def test_voluntary_membership_lets_the_rich_leave() -> None:
    """Cohen and Rogers (1997, §5), the balkanization spiral: with voluntary membership net payers
    withdraw."""
    unequal = {"demography.region_skill_dispersion": 0.4, **MOBILE}
    compulsory = outcome({**unequal, **module("supra_regional", equalisation_rate=0.5)})
    voluntary = outcome({**unequal, **module("supra_regional", equalisation_rate=0.5,
                                             membership="voluntary", tolerance=0.01)})
    assert compulsory.member_share == 1.0
    assert voluntary.member_share < 0.9


def test_leavers_are_net_payers() -> None:
    over = {**SMALL, **MOBILE, "demography.region_skill_dispersion": 0.4,
            **module("supra_regional", equalisation_rate=0.5, membership="voluntary",
                     tolerance=0.01)}
    model = RegionalEconomy(load_scenario("baseline", over), seed=1)
    supra = model.policy_modules[0]
    leavers = 0
    for _ in range(30):
        before = model.region_column("member").copy()
        model.step()
        left = before & ~model.region_column("member")
        assert (supra.net_benefit[left] < -supra.settings.tolerance).all()
        leavers += left.sum()
    assert leavers > 0


def test_conditional_support_skips_undercutting_members() -> None:
    model = RegionalEconomy(load_scenario("baseline", {
        **SMALL, **module("supra_regional", conditional_support=0.1)}), seed=0)
    for _ in range(3):
        model.step()
    settings = model.policy_modules[0].settings
    model.region_column("capital_tax")[:] = [0.05, 0.3, 0.3]
    member = model.region_column("member").copy()
    received, paid = sr.support_conditionally(model, settings, member)
    assert received[0] == 0 and (received[1:] > 0).all()
    assert paid[0] > 0
    assert received.sum() == pytest.approx(paid.sum())


def test_empire_tribute_flows_to_the_hegemon() -> None:
    model = RegionalEconomy(load_scenario("baseline", {
        **SMALL, **module("supra_regional", regime="empire")}), seed=0)
    for _ in range(3):
        model.step()
    supra = model.policy_modules[0]
    net = sr.pay_tribute(model, supra.settings, model.region_column("member").copy(),
                         supra.hegemon)
    others = np.arange(model.n_regions) != supra.hegemon
    assert net[supra.hegemon] > 0 and (net[others] < 0).all()
    assert net.sum() == pytest.approx(0.0, abs=1e-9)


def test_regime_presets_and_explicit_keys() -> None:
    params = sr.Params(enabled=True, regime="federation")
    eff = sr.resolve(params)
    assert eff.equalisation_rate == sr.PRESETS["federation"]["equalisation_rate"]
    assert eff.exit_levy == 1.0
    eff = sr.resolve(sr.Params(enabled=True, regime="federation", membership="voluntary"))
    assert eff.membership == "voluntary" and eff.oligarchic_cap == 0.05
    custom = sr.Params(enabled=True, tax_floor=0.1)
    assert sr.resolve(custom) is custom
    assert set(sr.PRESETS) == set(sr.REGIMES) - {"custom"}


WALZER = {"government_rule": "competitive", "capital_mobility": 0.8, "trade_openness": 0.5}


def test_walzer_regimes_differ_as_encoded() -> None:
    """Walzer's continuum: one policy at the centre, none above anarchy, no exit from the
    global state or the federation; the encodings, not his verdict on them."""
    out = {r: outcome({**WALZER, **module("supra_regional", regime=r)}) for r in
           ("global_state", "federation", "first_degree_pluralism", "anarchy")}
    off = outcome(WALZER)
    assert out["global_state"].capital_tax_dispersion < 1e-9
    assert out["global_state"].capital_tax_dispersion < off.capital_tax_dispersion
    assert out["global_state"].exits_abroad == out["federation"].exits_abroad == 0
    assert out["federation"].supra_transfers > 0
    assert out["first_degree_pluralism"].supra_transfers == 0
    assert out["anarchy"].member_share == 0
    # Anarchy has no supra-regional agent: the economy is the one without the module.
    anarchy = run({**WALZER, **module("supra_regional", regime="anarchy")}, 0)
    plain = run(WALZER, 0)
    same = [c for c in plain.columns if c != "member_share"]
    pd.testing.assert_frame_equal(anarchy[same], plain[same])


# -- good_jobs (Rodrik-Stantcheva) -------------------------------------------------------------

JOBS = ("employer_training", "conditional_subsidy", "labour_friendly_innovation", "safeguard")


def test_trainees_are_hired_into_the_jobs_that_value_skill() -> None:
    """Training moves trainees up the assortative queue (labour_market.match): among those
    hired next quarter, trainees land on the high road more often than other seekers. (Who
    is hired at all is drawn at random: training is not modelled as raising the number of
    matches, and its effect on unemployment through productivity and investment is not
    robust across seeds, so it is not asserted.)"""
    from highroad.policies.good_jobs import train_unemployed

    model = RegionalEconomy(load_scenario("baseline", {
        **MOBILE, "n_regions": 4, "workers_per_region": 5000, "firms_per_region": 50,
        **only("good_jobs", "employer_training", JOBS)}), seed=0)
    for _ in range(3):
        model.step()
    p = type(model.policy_modules[0].params)(enabled=True, training_coverage=0.5,
                                             training_gain=0.3)
    wf = model.workforce
    before = wf.skill.copy()
    seekers = np.flatnonzero(~wf.employed)
    train_unemployed(model, p)
    trained = np.zeros(len(wf), dtype=bool)
    trained[seekers] = wf.skill[seekers] > before[seekers]
    model.clear_labour_market()
    hired = seekers[wf.employer[seekers] != -1]
    high = model.firm_table.view("high")[wf.employer[hired]]
    assert trained[hired].any() and (~trained[hired]).any()
    assert high[trained[hired]].mean() > high[~trained[hired]].mean()


def test_trainees_gain_skill_and_the_region_pays() -> None:
    from highroad.policies.good_jobs import train_unemployed

    model = RegionalEconomy(load_scenario("baseline", {
        **SMALL, **only("good_jobs", "employer_training", JOBS)}), seed=0)
    model.step()
    p = model.policy_modules[0].params
    p = type(p)(enabled=True, training_coverage=1.0, training_gain=0.1)
    wf = model.workforce
    seekers = np.flatnonzero(~wf.employed)
    before = wf.skill[seekers].copy()
    bill = train_unemployed(model, p)
    assert (wf.skill[seekers] >= before).all() and (wf.skill[seekers] > before).any()
    assert bill.sum() > 0


def test_conditional_subsidy_buys_good_jobs_that_stay() -> None:
    off = outcome(MOBILE, seeds=SIX_SEEDS)
    on = outcome({**MOBILE, **only("good_jobs", "conditional_subsidy", JOBS)}, seeds=SIX_SEEDS)
    assert on.good_jobs_share > off.good_jobs_share + 0.1
    assert on.relocations < off.relocations


def test_labour_friendly_innovation_raises_productivity() -> None:
    off = outcome({**MOBILE, **ALIKE})
    on = outcome({**MOBILE, **ALIKE, **only("good_jobs", "labour_friendly_innovation", JOBS)})
    assert on.productivity > off.productivity


def _imports_with_safeguard(violation: float, seed: int) -> tuple[float, float]:
    """Imports in one quarter of twin worlds from one state: without the module, and with
    only its safeguard against a partner of the given rights-violation index."""
    model = RegionalEconomy(load_scenario("baseline", {**SMALL, **MOBILE}), seed=seed)
    for _ in range(8):
        model.step()
    twin = copy.deepcopy(model)
    cls = REGISTRY["good_jobs"]
    guard = cls(cls.Params(enabled=True, **{s: s == "safeguard" for s in JOBS},
                           partner_violation=violation))
    guard.on_setup(twin)
    twin.policy_modules.append(guard)
    model.step()
    twin.step()
    return model.flows["imports"], twin.flows["imports"]


def test_safeguard_cuts_imports_from_rights_violators() -> None:
    """The quarter it is triggered, the safeguard cuts imports (twin worlds from one state:
    over the whole of a small world's run, where the economy goes after it swings imports
    either way by more than the safeguard moves them)."""
    for seed in (0, 1, 2):
        off, on = _imports_with_safeguard(0.5, seed)
        assert on < 0.8 * off  # measured: 55-62% of the imports without it
        assert _imports_with_safeguard(0.1, seed)[1] == off  # below the trigger: nothing


def test_safeguard_never_fires_on_low_wages_alone() -> None:
    """Rodrik and Stantcheva (2021, §VI): cheap imports from a compliant supplier are left alone."""
    cheap = {**MOBILE, "goods.world_price_low": 0.3}
    guarded = {**cheap, **only("good_jobs", "safeguard", JOBS, partner_violation=0.1)}
    pd.testing.assert_frame_equal(run(cheap, 0), run(guarded, 0))


# -- self_management (Wetzel) ------------------------------------------------------------------

SELF = dict(self_managed_share=1.0, private_capital=False)


def test_hierarchy_breeds_a_coordinator_class() -> None:
    """Wetzel (n.d., "Balanced Jobs"): empowering tasks concentrate skill and pay.

    Coordinators hold `coordinator_share` (17%) of a hierarchical firm's jobs; as a share of
    all households the class is that times the share of households employed, so between
    half of it and all of it wherever most households work (measured at the calibrated
    defaults, seeds 0-2: 0.097)."""
    off = outcome(MOBILE)
    on = outcome({**MOBILE, **module("self_management", self_managed_share=0.0)})
    assert 0.5 * 0.17 < on.class_share_coordinators <= 0.17
    assert on.coordinator_pay_ratio > 1.2
    assert on.wage_gini > off.wage_gini
    assert on.skill_dispersion > off.skill_dispersion
    assert off.class_share_coordinators == 0 and off.coordinator_pay_ratio == 1


def test_job_balancing_closes_the_skill_gap() -> None:
    balanced = outcome({**MOBILE, **module("self_management", **SELF)})
    formal = outcome({**MOBILE, **module("self_management", **SELF, job_balancing=False)})
    assert balanced.class_share_coordinators == 0
    assert formal.class_share_coordinators > 0.1   # Mondragon: assemblies are not enough
    assert balanced.skill_dispersion < formal.skill_dispersion


def test_self_managed_capital_does_not_exit() -> None:
    on = outcome({**MOBILE, **module("self_management", **SELF)})
    assert on.relocations == 0 and on.exits_abroad == 0
    assert outcome(MOBILE).relocations > 0


def test_pay_by_effort_follows_effort() -> None:
    equal = outcome(module("self_management", **SELF, remuneration="equal"))
    effort = outcome(module("self_management", **SELF, remuneration="effort",
                            effort_dispersion=0.5))
    assert effort.wage_gini > equal.wage_gini + 0.05


def test_equal_sharing_keeps_each_firms_pay_bill() -> None:
    from highroad.policies.self_management import share_pay

    model = RegionalEconomy(load_scenario("baseline", {
        **SMALL, **module("self_management", **SELF)}), seed=0)
    model.step()
    wf = model.workforce
    emp = np.flatnonzero(wf.employed)
    bill = np.bincount(wf.employer[emp], weights=wf.wage[emp])
    share_pay(model, "equal", np.ones(len(wf)))
    after = np.bincount(wf.employer[emp], weights=wf.wage[emp])
    np.testing.assert_allclose(after, bill)
    firm = wf.employer[emp[0]]
    assert np.ptp(wf.wage[emp][wf.employer[emp] == firm]) < 1e-12


# -- capital_controls (robustness control) -----------------------------------------------------

def test_capital_controls_tax_and_bar_exit() -> None:
    off = outcome(MOBILE)
    taxed = outcome({**MOBILE, **module("capital_controls")})
    barred = outcome({**MOBILE, **module("capital_controls", relocation_tax=1.0, exit_tax=1.0)})
    assert taxed.relocations + taxed.exits_abroad < off.relocations + off.exits_abroad
    assert barred.relocations == barred.exits_abroad == 0
    assert barred.foreign_assets == 0
