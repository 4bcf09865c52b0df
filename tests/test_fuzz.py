"""Fuzzing the boundary: scenario and sweep files and the CLI get arbitrary input.

Every case must end either in a valid result or in `ScenarioError` (exit code 2 from the
CLI) with one message naming the file and the key — never a traceback, never a half-written
output folder.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highroad import app, outputs  # app first: importing it raises the recursion limit
from highroad.cli import main
from highroad.errors import ScenarioError
from highroad.scenarios import load_scenario, parse_override
from highroad.scenarios.sweep_spec import load_sweep

LONG = os.environ.get("HIGHROAD_LONG_TESTS") == "1"
ROOT = Path(__file__).resolve().parents[1]
KEYS = ["steps", "burn_in", "n_regions", "workers_per_region", "firms_per_region",
        "capital_mobility", "trade_openness", "government_rule", "agglomeration",
        "volatility", "region_sizes", "capital_mobilty", "firms", "government", "policies",
        "labour", "no_such_key", "description"]
SUB_KEYS = ["capital_tax", "labour_standard", "enabled", "review_probability",
            "bargaining_power", "regime", "membership", "tax_floor", "typo_key"]


def toml_value(value) -> str:
    """A small TOML writer for the fuzzer (scalars, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


scalars = st.one_of(
    st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["fixed", "competitive", "democratic", "federation",
                                           "voluntary"]))
values = st.one_of(scalars, st.lists(scalars, max_size=4),
                   st.dictionaries(st.sampled_from(SUB_KEYS), scalars, max_size=3),
                   st.dictionaries(st.sampled_from(["social_democracy", "supra_regional",
                                                    "nonexistent"]),
                                   st.dictionaries(st.sampled_from(SUB_KEYS), scalars,
                                                   max_size=2), max_size=2))
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)

FUZZ = settings(max_examples=1000 if LONG else 60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def write(tmp_path: Path, text: str, name: str = "fuzz.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(doc=documents)
def test_scenario_loader_accepts_or_names_the_key(tmp_path, doc):
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in doc.items())
    path = write(tmp_path, text)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc)
        assert "\n" not in str(exc)


@FUZZ
@given(text=st.text(max_size=200))
def test_malformed_text_is_a_clear_error(tmp_path, text):
    path = write(tmp_path, text.replace("\x00", ""))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(path) in str(exc)


@FUZZ
@given(expr=st.text(max_size=40))
def test_set_expressions_parse_or_fail_clearly(expr):
    try:
        key, value = parse_override(expr)
        load_scenario("baseline", {key: value})
    except ScenarioError as exc:
        assert exc.key or exc.source


@FUZZ
@given(doc=st.fixed_dictionaries({}, optional={
    "base": st.sampled_from(["baseline", "nope", 3]),
    "steps": st.one_of(st.integers(-5, 50), st.floats(allow_nan=True), st.text(max_size=3)),
    "replicates": st.one_of(st.integers(-2, 5), st.text(max_size=3)),
    "design": st.one_of(st.dictionaries(st.sampled_from(["method", "samples", "bogus"]),
                                        st.one_of(st.sampled_from(["grid", "sobol", "lhs",
                                                                   "morris", "bad"]),
                                                  st.integers(-3, 9)), max_size=2),
                        st.integers()),
    "factors": st.one_of(st.dictionaries(st.sampled_from(["capital_mobility", "nope",
                                                          "government.capital_tax"]),
                                         st.one_of(st.lists(st.floats(-1, 2), max_size=3),
                                                   st.fixed_dictionaries(
                                                       {"min": st.floats(-1, 2),
                                                        "max": st.floats(-1, 2)})),
                                         max_size=2),
                         st.text(max_size=3)),
}))
def test_sweep_loader_accepts_or_names_the_key(doc):
    try:
        load_sweep(doc)
    except ScenarioError as exc:
        assert "\n" not in str(exc)


def test_empty_huge_and_missing_files(tmp_path):
    for text in ["", "# only a comment\n", "steps = 5\n" + "# padding\n" * 200_000]:
        load_scenario(write(tmp_path, text))  # an empty file is the baseline's defaults
    huge = write(tmp_path, "region_sizes = [" + ", ".join(["1.0"] * 100_000) + "]\n")
    try:
        load_scenario(huge)
        raise AssertionError("100,000 sizes for 6 regions must be refused")
    except ScenarioError as exc:
        assert "region_sizes" in str(exc)
    assert main(["validate", str(tmp_path / "missing.toml")]) == 2
    assert main(["validate", "no_such_scenario"]) == 2


CLI_CASES = [
    ["run", "baseline", "--set", "capital_mobility=nan"],
    ["run", "baseline", "--set", "=3"],
    ["run", "baseline", "--set", "policies.nope.enabled=true"],
    ["run", "baseline", "--set", "government_rule=[1,2]"],
    ["run", "baseline", "--steps", "0"],
    ["run", "nonexistent"],
    ["sweep", "nonexistent_sweep"],
    ["claims", "--only", "H99"],
    ["claims", "--replicates", "0"],
    ["plot", "/nonexistent/folder", "--kind", "timeseries"],
    ["validate", "/nonexistent.toml"],
    # runs that must stop or be refused
    ["run", "baseline", "--seed", "-1"],
    ["run", "baseline", "--set", "n_regions=1000", "--set", "workers_per_region=10000000"],
    ["run", "baseline", "--set", "steps=3\nsteps=4"],
    ["claims", "--replicates", "1000000000"],
    ["demo", "--host", "no-such-host.invalid"],
]


def test_cli_bad_input_exits_2_without_traceback_or_output(tmp_path):
    for args in CLI_CASES:
        out = tmp_path / "out"
        extra = ["--out", str(out)] if args[0] in ("run", "sweep", "claims") else []
        done = subprocess.run([sys.executable, "-m", "highroad.cli", *args, *extra],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert len([ln for ln in done.stderr.splitlines() if ln.strip()]) == 1, done.stderr
        assert not out.exists() or not any(out.iterdir()), args


def test_inputs_are_data_never_code():
    """No source file evaluates or unpickles user input."""
    pattern = re.compile(r"\b(eval|exec)\(|pickle\.loads?\(|yaml\.load\(")
    for folder in ("highroad", "agents", "regions", "policies", "scenarios", "analysis"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


@FUZZ
@given(controls=st.dictionaries(
    st.sampled_from(["scenario", "n_regions", "seed", "capital_mobility", "government_rule",
                     "social_democracy", "supra_regional", "bogus", "workers"]),
    st.one_of(scalars, st.sampled_from(["/etc/passwd", "../baseline", "baseline", "parecon"]),
              st.integers(-10**5, 10**5), st.text(min_size=4000, max_size=4400,
                                                  alphabet="0123456789²")), max_size=5))
def test_browser_controls_are_checked_without_raising(controls):
    """Whatever a browser sends, the page's check answers, never raises;
    and it never lets a scenario through that the page does not offer."""
    problem = app.page_problem(controls)
    assert problem is None or isinstance(problem, str)
    if problem is None:
        assert controls.get("scenario", "baseline") in app.page_scenarios()
    seed = controls.get("seed")
    if isinstance(seed, str):
        assert app.parse_seed(seed) >= 0


@FUZZ
@given(cut=st.integers(0, 10_000), flip=st.integers(0, 255), action=st.sampled_from(
    ["truncate", "flip", "append", "delete"]))
def test_a_manifest_catches_any_change_to_its_files(tmp_path_factory, cut, flip, action):
    """Readers refuse a run folder that differs from its manifest."""
    folder = tmp_path_factory.mktemp("unit")
    data = bytes(range(256)) * 40
    for name in ("a.parquet", "b.csv"):
        (folder / name).write_bytes(data)
    outputs.write_manifest(folder, "m.json", ["a.parquet", "b.csv"], seed=0)
    target = folder / "a.parquet"
    i = cut % len(data)
    if action == "truncate":
        target.write_bytes(data[:i])
    elif action == "flip":
        changed = bytearray(data)
        changed[i] ^= flip or 1
        target.write_bytes(bytes(changed))
    elif action == "append":
        target.write_bytes(data + b"x")
    else:
        target.unlink()
    try:
        outputs.verify(folder, "m.json")
        raise AssertionError(f"{action} at {i} was not noticed")
    except ScenarioError as exc:
        assert "a.parquet" in str(exc)
