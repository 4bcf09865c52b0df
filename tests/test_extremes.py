"""Extreme settings and long runs: each runs to the end or stops with one clear message.

`pytest --long` runs the long versions (2,000 quarters); CI runs shorter ones.
"""

from __future__ import annotations

import re
import signal
from dataclasses import MISSING, fields

import numpy as np
import pytest

import highroad
from highroad.errors import InvariantError
from highroad.policies import REGISTRY

SMALL = {"n_regions": 3, "workers_per_region": 120, "firms_per_region": 4, "burn_in": 2}
INVARIANT = re.compile(r"^step \d+, region [\w]+: .+: .+")


def every_module_at_its_maximum() -> dict:
    """Each module on, every bool instrument on, every number at the top of its range."""
    out = {}
    for name, module in REGISTRY.items():
        for f in fields(module.Params):
            key = f"policies.{name}.{f.name}"
            default = f.default if f.default is not MISSING else None
            if isinstance(default, bool):
                out[key] = True
            elif isinstance(default, int | float) and f.metadata.get("hi") is not None:
                out[key] = type(default)(f.metadata["hi"])
    return out


EXTREMES = {
    "immobile capital": {"capital_mobility": 0.0, "government_rule": "competitive"},
    "free capital": {"capital_mobility": 1.0, "government_rule": "competitive"},
    "closed economy": {"trade_openness": 0.0},
    "open economy": {"trade_openness": 1.0, "capital_mobility": 1.0},
    "one region": {"n_regions": 1, "government_rule": "democratic"},
    "one firm per region": {"firms_per_region": 1},
    "one worker per firm": {"workers_per_region": 4, "firms_per_region": 4},
    "very high volatility": {"volatility": 2.0},
    "every module at its maximum": every_module_at_its_maximum(),
}


@pytest.fixture
def deadline():
    """Fail instead of hanging: an alarm after two minutes."""
    def stop(signum, frame):
        raise TimeoutError("run did not finish within 120 s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extreme_settings_finish_or_stop_clearly(name, long_runs, deadline):
    steps = 2000 if long_runs else 80
    try:
        result = highroad.simulate("baseline", seed=1,
                                   overrides={**SMALL, **EXTREMES[name], "steps": steps})
    except InvariantError as exc:
        assert INVARIANT.match(str(exc)), str(exc)
        return
    numeric = result.economy.select_dtypes("number")
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()
    assert len(result.economy) == steps + 1
    assert (result.economy["accounting_residual"] < 1e-9).all()


def test_a_long_run_stays_bounded(long_runs, deadline):
    steps = 2000 if long_runs else 400
    e = highroad.simulate("race_to_bottom", seed=2, overrides={**SMALL, "steps": steps}).economy
    assert e["firms"].max() < 50 * SMALL["n_regions"] * SMALL["firms_per_region"]
    assert e["price_low"].max() < 100 and e["price_low"].min() > 0.01
    assert e["unemployment"].between(0, 1).all()
