"""HighroadModel as Mesa's tools expect it; custom reporters, agent tables; numpy scalars."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

import highroad
from highroad.agents.firm import Firm
from highroad.errors import ScenarioError
from highroad.regions.region import Region

SMALL = {"n_regions": 3, "workers_per_region": 80, "firms_per_region": 4, "burn_in": 3}


def firm_count(model) -> int:
    return len(model.firms)


def test_builds_with_no_arguments():
    model = highroad.HighroadModel()
    assert model.params.name == "baseline"
    assert model.step_number == 0 and isinstance(model.seed, int)
    assert isinstance(model.datacollector, mesa.DataCollector)


def test_stepping_by_hand_equals_simulate():
    model = highroad.HighroadModel(rng=7, **SMALL, government={"capital_tax": 0.3},
                                   parameters={"capital.relocation_cost": 0.2},
                                   reporters={"firm_agents": firm_count})
    for _ in range(5):
        model.step()
    result = highroad.simulate("baseline", steps=5, seed=7, reporters={"firm_agents": firm_count},
                               overrides={**SMALL, "government.capital_tax": 0.3,
                                          "capital.relocation_cost": 0.2})
    pd.testing.assert_frame_equal(pd.DataFrame.from_records(model.records), result.economy)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["step"].tolist() == list(range(-3, 6))  # one row per Mesa step from 0
    assert frame.loc[frame["step"] < 0, "income_gini"].isna().all()
    recorded = frame[frame["step"] >= 0].reset_index(drop=True)[result.economy.columns]
    np.testing.assert_allclose(recorded.to_numpy(float), result.economy.to_numpy(float))
    firms = model.datacollector.get_agenttype_vars_dataframe(Firm)
    regions = model.datacollector.get_agenttype_vars_dataframe(Region)
    assert {"capital", "high", "employees"} <= set(firms.columns)
    assert len(regions.xs(model.steps, level="Step")) == 3


def test_keywords_spelled_every_way_agree():
    dotted = highroad.HighroadModel(rng=1, **SMALL, **{"government.capital_tax": 0.25})
    nested = highroad.HighroadModel(rng=1, **SMALL, government={"capital_tax": 0.25})
    mapping = highroad.HighroadModel(rng=1, parameters={**SMALL, "government.capital_tax": 0.25})
    assert {m.params.government.capital_tax for m in (dotted, nested, mapping)} == {0.25}
    assert dotted.records == nested.records == mapping.records


def test_bad_parameters_are_refused():
    with pytest.raises(ScenarioError, match="did you mean 'capital_mobility'"):
        highroad.HighroadModel(capital_mobilty=0.5)
    with pytest.raises(ScenarioError, match="both rng and seed"):
        highroad.HighroadModel(rng=1, seed=1, **SMALL)


def test_mesa_batch_run_works():
    results = mesa.batch_run(highroad.HighroadModel,
                             parameters={"capital_mobility": [0.2, 0.9], **SMALL,
                                         "government.capital_tax": 0.3},
                             iterations=2, max_steps=3 + 4, number_processes=1,
                             data_collection_period=1, display_progress=False)
    frame = pd.DataFrame(results)
    assert len(frame) == 2 * 2 * 8 and frame["RunId"].nunique() == 4
    last = frame[frame["Step"] == 7]
    assert (last["step"] == 4).all() and last["income_gini"].notna().all()
    # Different iterations draw different seeds, as Mesa's convention has it.
    assert last.groupby("capital_mobility")["income_gini"].nunique().min() == 2


def test_numpy_scalars_are_python_numbers():
    plain = highroad.simulate("baseline", steps=3, seed=2, overrides={**SMALL, "n_regions": 3})
    for n in (np.int64(3), 3.0, np.float64(3.0)):
        again = highroad.simulate("baseline", steps=np.int64(3), seed=np.int64(2),
                                  overrides={**SMALL, "n_regions": n,
                                             "capital_mobility": np.float32(0.5)})
        pd.testing.assert_frame_equal(again.economy, plain.economy)
    for bad in (3.5, np.float64(3.5)):
        with pytest.raises(ScenarioError, match="expected a whole number, got 3.5"):
            highroad.load_scenario("baseline", {"n_regions": bad})
    scen = highroad.load_scenario("baseline", {"policies.good_jobs.enabled": np.bool_(True)})
    assert scen.policies["good_jobs"].enabled is True


def test_reporters_and_agent_tables_change_nothing():
    plain = highroad.simulate("baseline", steps=6, seed=3, overrides=SMALL)
    rich = highroad.simulate("baseline", steps=6, seed=3, overrides=SMALL,
                             reporters={"firm_agents": f"{__name__}:firm_count"}, record_agents=3)
    pd.testing.assert_frame_equal(rich.economy.drop(columns="firm_agents"), plain.economy)
    per_step = rich.agents["firms"].groupby("step").size()
    assert per_step.index.tolist() == [0, 3, 6]
    counted = rich.economy.set_index("step").loc[[0, 3, 6], "firm_agents"]
    assert per_step.tolist() == counted.tolist()
    assert len(rich.agents["region_state"]) == 3 * 3
    assert len(rich.agents["workers"]) == 3 * 100
    assert rich.agents["firms"]["capital"].gt(0).all()


def test_reporter_reference_errors_name_the_key():
    with pytest.raises(ScenarioError, match="reporters.x.*no function"):
        highroad.simulate("baseline", steps=1, overrides=SMALL, reporters={"x": "math:nope"})
    with pytest.raises(ScenarioError, match="already an observable"):
        highroad.simulate("baseline", steps=1, overrides=SMALL,
                          reporters={"income_gini": firm_count})
