"""Scenario files: loading, overrides and the clear errors a user meets."""

from __future__ import annotations

from pathlib import Path

import pytest

from highroad.errors import ScenarioError
from highroad.scenarios import list_scenarios, load_scenario, parse_override


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_baseline_loads_with_the_required_keys():
    s = load_scenario("baseline")
    for key in ["steps", "n_regions", "workers_per_region", "firms_per_region", "region_sizes",
                "capital_mobility", "trade_openness", "government_rule", "agglomeration",
                "volatility"]:
        assert hasattr(s.world, key)
    assert s.capital_mobility == s.world.capital_mobility
    assert "baseline" in list_scenarios()


def test_overrides_use_dotted_keys_and_typed_values():
    s = load_scenario("baseline", {"capital_mobility": 0.9, "government.capital_tax": 0.4})
    assert s.world.capital_mobility == 0.9 and s.government.capital_tax == 0.4
    assert parse_override("government.capital_tax=0.3") == ("government.capital_tax", 0.3)
    assert parse_override("government_rule=competitive") == ("government_rule", "competitive")
    assert parse_override("region_sizes=[1, 2]") == ("region_sizes", [1, 2])


def test_a_loaded_scenario_round_trips_through_its_dict():
    s = load_scenario("baseline", {"n_regions": 2, "region_sizes": [1.0, 3.0]})
    again = load_scenario(s, {"steps": 5})
    assert again.world.region_sizes == [1.0, 3.0] and again.world.steps == 5


@pytest.mark.parametrize("text, key, fragment", [
    ("capital_mobilty = 0.5", "capital_mobilty", "did you mean 'capital_mobility'"),
    ("capital_mobility = 1.5", "capital_mobility", "out of range"),
    ("capital_mobility = 'high'", "capital_mobility", "expected a number"),
    ("steps = 2.5", "steps", "whole number"),
    ("capital_mobility = nan", "capital_mobility", "not finite"),
    ("government_rule = 'competitve'", "government_rule", "did you mean 'competitive'"),
    ("[firms]\nreview_probabilty = 0.1", "firms.review_probabilty", "did you mean"),
    ("firms = 3", "firms", "must be a table"),
    ("n_regions = 2\nregion_sizes = [1.0]", "region_sizes", "1 entries for 2 regions"),
    ("[policies.no_such_module]\nenabled = true", "policies.no_such_module", "unknown key"),
    ("[government]\nmin_capital_tax = 0.5\nmax_capital_tax = 0.2",
     "government.min_capital_tax", "exceeds"),
])
def test_bad_values_name_file_key_and_what_is_allowed(tmp_path, text, key, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message and f"key '{key}'" in message and fragment in message


def test_malformed_toml_and_missing_files(tmp_path):
    with pytest.raises(ScenarioError, match="malformed TOML"):
        load_scenario(write(tmp_path, "steps = = 3"))
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="did you mean 'baseline'"):
        load_scenario("baselin")


def test_bad_override_expression():
    with pytest.raises(ScenarioError, match="expected key=value"):
        parse_override("capital_mobility")
    with pytest.raises(ScenarioError, match="out of range"):
        load_scenario("baseline", {"trade_openness": -1})


# -- bad values and nesting -------------------------------------------------------------------

def test_a_table_set_merges_into_the_scenarios_table():
    base = load_scenario("new_egalitarian")
    assert base.policies["supra_regional"].tax_floor > 0
    key, value = parse_override("policies.supra_regional={enabled=true}")
    merged = load_scenario("new_egalitarian", {key: value})
    assert merged.policies["supra_regional"] == base.policies["supra_regional"]
    key, value = parse_override("policies.supra_regional={tax_floor=0.05}")
    changed = load_scenario("new_egalitarian", {key: value}).policies["supra_regional"]
    assert changed.tax_floor == 0.05
    assert changed.labour_standard_floor == base.policies["supra_regional"].labour_standard_floor


@pytest.mark.parametrize("text", ["steps=3\nsteps=4", "government.capital_tax=0.3\r0.5",
                                  "description=\"a\nb\""])
def test_a_multi_line_set_is_refused(text):
    with pytest.raises(ScenarioError, match="several lines") as info:
        parse_override(text)
    assert str(info.value).startswith("--set")


def test_an_error_caused_by_set_names_set_not_the_file():
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", {"labour.benefit_replacement": 9.0})
    assert str(info.value).startswith("--set: key 'labour.benefit_replacement'")
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", {"policies.supra_regional": {"tax_flor": 0.1}})
    assert str(info.value).startswith("--set: key 'policies.supra_regional.tax_flor'")


@pytest.mark.parametrize("depth", [450, 5000, 50_000])
def test_deeply_nested_toml_is_a_clear_error(tmp_path, depth):
    # Regression: a RecursionError traceback. Whether Python's parser manages a given
    # depth depends on the recursion limit (importing the demo raises it); either way the
    # answer is one ScenarioError: "nested too deeply", or the key that is wrong.
    nested = "{a = " * depth + "1" + "}" * depth
    with pytest.raises(ScenarioError, match="nested too deeply|unknown key"):
        load_scenario(write(tmp_path, f"policies = {nested}"))
    with pytest.raises(ScenarioError, match="^--set: key 'policies.*(nested too deeply|unknown)"):
        load_scenario("baseline", dict([parse_override(f"policies={nested}")]))
