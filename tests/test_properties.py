"""Property-based tests: invariants hold over random valid scenarios and module combinations.

The number of examples is bounded for CI; `pytest --long` runs many more (see conftest.py).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import highroad
from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario

# The labour share is wages over value added: above 1 in a quarter of losses (wages are
# bargained on expected prices), so it is only required to be finite and non-negative.
LONG = os.environ.get("HIGHROAD_LONG_TESTS") == "1"


def examples(ci: int) -> int:
    """Bounded in CI; 25 times more with `pytest --long`."""
    return ci * 25 if LONG else ci


SHARES = ["high_road_share", "high_road_employment_share", "good_jobs_share", "unemployment",
          "middle_class_share", "mean_capital_tax", "mean_labour_standard",
          "wage_gini", "income_gini", "wealth_gini", "local_capture", "capital_flight"]
COUNTS = ["firms", "relocations", "exits_abroad", "bankruptcies", "switches_to_high",
          "switches_to_low", "retirements", "entries", "migrants", "workers"]


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    """A random valid small scenario, with a random set of policy modules switched on."""
    n_regions = draw(st.integers(1, 4))
    overrides = {
        "n_regions": n_regions,
        "workers_per_region": draw(st.integers(20, 300)),
        "firms_per_region": draw(st.integers(1, 8)),
        "steps": draw(st.integers(3, 15)),
        "burn_in": draw(st.integers(0, 4)),
        "capital_mobility": draw(st.floats(0, 1)),
        "trade_openness": draw(st.floats(0, 1)),
        "government_rule": draw(st.sampled_from(["fixed", "competitive", "democratic"])),
        "agglomeration": draw(st.floats(0, 3)),
        "volatility": draw(st.floats(0, 0.5)),
        "government.capital_tax": draw(st.floats(0, 0.6)),
        "government.labour_standard": draw(st.floats(0, 1)),
        "firms.strategy_rule": draw(st.sampled_from(["profit", "imitation"])),
    }
    if draw(st.booleans()):
        overrides["region_sizes"] = draw(st.lists(st.floats(0.2, 5), min_size=n_regions,
                                                  max_size=n_regions))
    for name in sorted(REGISTRY):
        if draw(st.booleans()):
            overrides[f"policies.{name}.enabled"] = True
    return overrides


def check_invariants(economy: pd.DataFrame, regions: pd.DataFrame) -> None:
    numeric = economy
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()
    assert np.isfinite(regions.select_dtypes("number").to_numpy(dtype=float)).all()
    for col in SHARES:
        assert economy[col].between(0, 1).all(), col
    for col in COUNTS:
        assert (economy[col] >= 0).all(), col
    assert (economy["labour_share"] >= 0).all()
    assert (economy["accounting_residual"] < 1e-9).all()
    assert (economy["workers"] == economy["workers"].iloc[0]).all()
    assert (economy["retirements"] == economy["entries"]).all()
    assert (regions["workers"] >= 0).all() and (regions["capital_stock"] >= 0).all()
    assert regions["capital_flight"].between(0, 1).all()  # a share, not an amount
    per_step = regions.groupby("step")["workers"].sum()
    assert (per_step == economy.set_index("step")["workers"]).all()


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_for_random_scenarios(overrides, seed):
    result = highroad.simulate("baseline", seed=seed, overrides=overrides)
    check_invariants(result.economy, result.regions)


@settings(max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_same_seed_same_output_whatever_else_ran_in_the_process(overrides, seed):
    first = highroad.simulate("baseline", seed=seed, overrides=overrides)
    highroad.simulate("baseline", seed=seed + 1, overrides=overrides)  # something in between
    again = highroad.simulate("baseline", seed=seed, overrides=overrides)
    pd.testing.assert_frame_equal(first.economy, again.economy)
    pd.testing.assert_frame_equal(first.regions, again.regions)


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenarios(), seed=st.integers(0, 1000))
def test_capital_is_conserved_up_to_recorded_flows(overrides, seed):
    """The model checks this itself every quarter; here the record is read back too."""
    model = RegionalEconomy(load_scenario("baseline", overrides), seed=seed)
    for _ in range(overrides["burn_in"] + overrides["steps"]):
        before = model.total_capital
        model.step()
        acc = model.capital_account
        implied = (before + acc["investment"] - acc["depreciation"] - acc["switching"]
                   - acc["relocation_loss"] - acc["exported"] - acc["scrapped"])
        assert abs(model.total_capital - implied) <= 1e-9 * max(before, 1.0)


def extreme_settings() -> list[tuple[str, object, object]]:
    """Every bounded number of the mechanism groups: (dotted key, bottom, top of its range)."""
    from dataclasses import fields

    from highroad.scenarios.schema import GROUPS

    out = []
    for group, cls in GROUPS.items():
        for f in fields(cls):
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            if isinstance(f.default, int | float) and not isinstance(f.default, bool) \
                    and lo is not None and hi is not None:
                out.append((f"{group}.{f.name}", type(f.default)(lo), type(f.default)(hi)))
    return out


EXTREMES = extreme_settings()


@settings(max_examples=examples(10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.tuples(st.integers(0, len(EXTREMES) - 1), st.booleans()),
                      min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_values_at_their_extremes_stay_plausible_or_stop_clearly(picks, seed):
    """Of 250 such configurations, 6 reached wages or prices above 10^6
    and 15 a capital flight above 1, all exiting 0. Now each run stays inside the
    plausibility bounds or stops with step, region and quantity."""
    from highroad.errors import InvariantError
    from highroad.regions.plausibility import FACTOR

    overrides = {"n_regions": 3, "workers_per_region": 150, "firms_per_region": 4,
                 "burn_in": 2, "steps": 40}
    for index, top in picks:
        key, lo, hi = EXTREMES[index]
        overrides[key] = hi if top else lo
    try:
        result = highroad.simulate("baseline", seed=seed, overrides=overrides)
    except InvariantError as exc:
        assert str(exc).startswith(f"step {exc.step}, region {exc.region}: {exc.quantity}: ")
        event(f"stopped: {exc.quantity}")
        return
    except highroad.ScenarioError:  # a combination the loader refuses (e.g. min > max)
        event("refused by the loader")
        return
    economy = result.economy
    event("collapsed" if economy["collapsed"].any() else "ran to the end")
    for column in ("price_low", "price_high"):
        ratio = economy[column] / economy[column].iloc[0]
        assert ratio.between(1 / FACTOR**2, FACTOR**2).all(), column
    assert economy["capital_flight"].between(0, 1).all()
    assert result.regions["capital_flight"].between(0, 1).all()
