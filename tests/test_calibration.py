"""The calibration: recovers parameters from data the model made, resumes, refuses bad files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from highroad.analysis.facts import measure_replicate
from highroad.analysis.facts_report import load_facts, replicate_seeds
from highroad.cli import main
from highroad.scenarios.calibration import (
    CALIBRATION_DIR,
    SHIPPED_CALIBRATION,
    calibrate,
    global_design,
    load_calibration,
    to_theta,
)
from highroad.scenarios.loader import build_scenario, load_scenario, read_toml

#: A small world, a few years: each run takes a fraction of a second. Twelve firms a region:
#: with six, one firm's fate swings the moments enough that a chance match, not the truth,
#: fits best once pay varies by worker within every firm.
#: The test is about the estimator recovering parameters where the moments identify them, so
#: its world is one where they do: random firm closures (forced exits, closure for losses)
#: off, whose noise in 40 quarters of two regions swamps what separations do, and a labour
#: market slow enough to match (efficiency 0.3, the benefit alone as outside option) that
#: unemployment answers to separations rather than only to bargaining power.
SMALL = {"n_regions": 2, "workers_per_region": 600, "firms_per_region": 12, "steps": 40,
         "burn_in": 8, "firms.exit_shock": 0.0, "firms.loss_closure": False,
         "labour.matching_efficiency": 0.3, "labour.search_weight": 0.0}
TRUTH = {"labour.separation_rate": 0.05, "labour.bargaining_power": 0.45}
ROOT = Path(__file__).resolve().parents[1]
BOUNDS = {"labour.separation_rate": (0.01, 0.10), "labour.bargaining_power": (0.2, 0.7)}
#: Separations move job destruction and unemployment; bargaining power the labour share.
MOMENTS = ("unemployment", "labour_share", "job_destruction")
#: Recovery tolerance: a tenth of each parameter's search range.
TOLERANCE = 0.10


def model_data(seed: int, replicates: int) -> dict[str, float]:
    """The moments the model itself makes at TRUTH (the 'data' to recover TRUTH from)."""
    spec = load_facts()
    scenario = load_scenario("baseline", SMALL | TRUTH)
    reps = [measure_replicate(scenario, s, spec.window, spec.convergence_years)
            for s in replicate_seeds(seed, replicates)]
    return {k: float(np.mean([r.facts[k] for r in reps])) for k in MOMENTS}


def write_file(folder: Path, targets: dict[str, float], samples: int = 16,
               local: int = 30, replicates: int = 2) -> Path:
    lines = ['description = "recovery test"', 'scenario = "baseline"', "seed = 0",
             f"replicates = {replicates}", "", "[settings]"]
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in SMALL.items()]
    lines += ["", "[global]", 'method = "sobol"', f"samples = {samples}", "", "[local]",
              f"max_evaluations = {local}"]
    for key, (low, high) in BOUNDS.items():
        lines += ["", "[[parameters]]", f'key = "{key}"', f"low = {low}", f"high = {high}"]
    for fact, value in targets.items():
        lines += ["", "[[targets]]", f'fact = "{fact}"', f"value = {value!r}"]
    path = folder / "cal.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def data() -> dict[str, float]:
    return model_data(seed=0, replicates=2)


def test_calibration_recovers_the_parameters_that_made_the_data(tmp_path, data):
    result = calibrate(write_file(tmp_path, data), out=tmp_path / "out", workers=1)
    for key, true in TRUTH.items():
        low, high = BOUNDS[key]
        assert abs(result.estimates[key] - true) <= TOLERANCE * (high - low), (key, result)
    # Identification: each parameter moves the moment it should, strongly.
    scaled = result.jacobian.set_index(["moment", "parameter"])["scaled"]
    assert abs(scaled["labour_share", "labour.bargaining_power"]) > 1
    # Separations are mostly refilled within the quarter, so they show in unemployment more
    # than in firms' net job losses.
    assert abs(scaled["unemployment", "labour.separation_rate"]) > 1
    out = result.out
    for name in ("calibration.md", "estimates.json", "identification.csv", "evaluations.csv",
                 "calibrated.toml"):
        assert (out / name).stat().st_size > 0
    calibrated = load_scenario(out / "calibrated.toml")
    for key, value in result.estimates.items():
        assert calibrated.get(key) == pytest.approx(value)
    assert calibrated.world.workers_per_region == SMALL["workers_per_region"]
    assert result.ran == len(list((out / "evaluations").glob("eval-*.json")))


def test_resume_after_a_kill_reuses_the_saved_evaluations(tmp_path, data):
    path = write_file(tmp_path, data, samples=16, local=10)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "highroad.cli", "calibrate", str(path),
                             "--out", str(out), "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while len(list((out / "evaluations").glob("eval-*.json"))) < 5:
            assert proc.poll() is None and time.time() < deadline, "no evaluations saved"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = len(list((out / "evaluations").glob("eval-*.json")))
    assert main(["calibrate", str(path), "--out", str(out)]) == 2  # not without --resume
    resumed = calibrate(path, out=out, resume=True, workers=1)
    assert resumed.reused == saved
    fresh = calibrate(path, out=tmp_path / "fresh", workers=1)
    assert resumed.ran + saved == fresh.ran
    assert resumed.estimates == fresh.estimates and resumed.distance == fresh.distance
    assert json.loads((out / "estimates.json").read_text())["estimates"] == fresh.estimates


@pytest.mark.parametrize(("text", "key"), [
    ('[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.2\nhigh = 0.1\n'
     '[[targets]]\nfact = "unemployment"\n', "parameters[0].low"),
    ('[[parameters]]\nkey = "labour.separation_rat"\nlow = 0.1\nhigh = 0.2\n'
     '[[targets]]\nfact = "unemployment"\n', "labour.separation_rat"),
    ('[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.1\nhigh = 0.2\n'
     '[[targets]]\nfact = "unemploymnt"\n', "targets[0].fact"),
    ('[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.1\nhigh = 2.0\n'
     '[[targets]]\nfact = "unemployment"\n', "labour.separation_rate"),
    ('replicates = 0\n[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.1\n'
     'high = 0.2\n[[targets]]\nfact = "unemployment"\n', "replicates"),
    ('[global]\nmethod = "grid"\n', "global.method"),
    ('[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.1\nhigh = 0.2\n'
     '[global.start]\n"labour.separation_rate" = 0.3\n[[targets]]\nfact = "unemployment"\n',
     "global.start.labour.separation_rate"),
    ('[[parameters]]\nkey = "labour.separation_rate"\nlow = 0.1\nhigh = 0.2\n'
     '[global.start]\n"labour.matching_efficiency" = 0.3\n[[targets]]\nfact = "unemployment"\n',
     "global.start"),
    ('[objective]\nkind = "band"\n', "objective.kind"),
    ('[objective]\nkind = "range"\npull = -1\n', "objective.pull"),
    ('[objective]\nkind = "range"\nmargin = 0.5\n', "objective.margin"),
    ('[objective]\nkind = "point"\nmargin = 0.1\n', "objective.margin"),
])
def test_bad_calibration_file_exits_2_naming_file_and_key(tmp_path, capsys, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and key in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_declared_start_point_joins_the_global_stage(tmp_path):
    """`[global.start]` (e.g. the previous estimate) is evaluated after the design's points,
    so a re-run starts its local stage no worse than it."""
    path = write_file(tmp_path, {"unemployment": 0.05}, samples=8)
    plain = global_design(load_calibration(path))
    path.write_text(path.read_text().replace(
        "samples = 8", 'samples = 8\n[global.start]\n"labour.separation_rate" = 0.04\n'
        '"labour.bargaining_power" = 0.5'))
    spec = load_calibration(path)
    design = global_design(spec)
    np.testing.assert_array_equal(design[:-1], plain)
    np.testing.assert_allclose(to_theta(spec, design[-1]), [0.04, 0.5])


@pytest.mark.parametrize("name", sorted(p.name for p in CALIBRATION_DIR.glob("*.toml")))
def test_shipped_calibration_files_are_valid_and_hold_out_four_facts(name):
    spec = load_calibration(CALIBRATION_DIR / name)
    held_out = set(load_facts().facts) - set(spec.targets)
    assert {"zipf_exponent", "beveridge_correlation", "wage_curve_elasticity",
            "beta_convergence"} <= held_out


def test_the_defaults_are_the_shipped_calibrations_estimate_and_settings():
    """scenarios/schema.py's defaults are the estimate of SHIPPED_CALIBRATION, as its run
    (docs/calibration/) wrote it, to four significant digits, with that file's settings."""
    spec = load_calibration()
    assert Path(spec.source).name == SHIPPED_CALIBRATION
    run = ROOT / "docs" / "calibration" / f"{Path(SHIPPED_CALIBRATION).stem}_calibrated.toml"
    estimated = build_scenario(read_toml(run), str(run), "calibrated")
    defaults = load_scenario("baseline")
    for p in spec.parameters:
        assert float(f"{estimated.get(p.key):.4g}") == defaults.get(p.key), p.key
    for key, value in spec.settings.items():
        assert defaults.get(key) == value, key


def test_the_facts_help_names_the_shipped_calibration(capsys):
    """The CLI keeps heavy imports out of start-up, so its help names the file in words: it
    must be the one `SHIPPED_CALIBRATION` names."""
    with pytest.raises(SystemExit):
        main(["facts", "--help"])
    assert f"scenarios/calibration/{SHIPPED_CALIBRATION}" in capsys.readouterr().out


def test_the_benefit_variant_is_the_baseline_calibration_with_one_more_setting():
    """docs/validation.md reports the variant as the baseline calibration with benefits that
    run out after four quarters, and nothing else changed."""
    base, variant = (load_calibration(CALIBRATION_DIR / n).to_dict()
                     for n in ("baseline.toml", "benefit_duration.toml"))
    assert variant["settings"] == {**base["settings"], "labour.benefit_duration": 4}
    for key in ("targets", "parameters", "objective", "replicates", "seed", "scenario"):
        assert variant[key] == base[key], key


def test_the_vacancy_variant_is_the_baseline_calibration_plus_the_vacancy_rate():
    """docs/validation.md reports the variant as the baseline calibration with one more
    target and one more parameter; anything else that differed would be a second change."""
    base, variant = (load_calibration(CALIBRATION_DIR / n).to_dict()
                     for n in ("baseline.toml", "vacancies.toml"))
    assert set(variant["targets"]) - set(base["targets"]) == {"vacancy_rate"}
    assert set(base["targets"]) <= set(variant["targets"])
    added = [p for p in variant["parameters"] if p not in base["parameters"]]
    assert [p["key"] for p in added] == ["firms.desired_inventory"]
    for key in ("settings", "objective", "replicates", "seed", "scenario"):
        assert variant[key] == base[key], key


def test_a_candidate_whose_run_stops_is_a_bad_fit_not_a_crash(monkeypatch):
    """A candidate whose economy leaves the plausible region (an InvariantError in one
    replicate) gets an undefined distance; the error also survives a process pool."""
    import pickle

    import highroad.analysis.facts as facts_module
    from highroad.errors import InvariantError
    from highroad.scenarios.calibration import UNDEFINED, distance, measure_candidate

    stop = InvariantError(153, "4", "mean wage", "1.15e+04 is 1.65e+04 times its first value")
    again = pickle.loads(pickle.dumps(stop))
    assert (again.step, again.region, again.quantity, str(again)) == (
        153, "4", "mean wage", str(stop))

    def stopping(*args, **kwargs):
        raise stop

    monkeypatch.setattr(facts_module, "measure_replicate", stopping)
    message = measure_candidate(load_scenario("baseline"), 0, 120, 10)
    assert message == str(stop)
    spec = load_calibration("baseline")
    assert distance({}, spec.targets) == UNDEFINED


def test_the_range_objective_counts_only_what_lies_outside_the_measured_range():
    """Under the range objective a moment inside its measured range adds only the small pull
    toward its target; outside, its squared distance to the range counts in full; the point
    objective counts every miss of the target."""
    from highroad.scenarios.calibration import Target, distance

    t = {"u": Target("u", 0.065, 1600.0, 0.04, 0.09)}
    inside, edge, outside = {"u": 0.085}, {"u": 0.09}, {"u": 0.10}
    assert distance(inside, t, "range", 0.0) == 0.0 == distance(edge, t, "range", 0.0)
    assert distance(outside, t, "range", 0.0) == pytest.approx(1600 * 0.01**2)
    assert distance(inside, t, "range", 0.05) == pytest.approx(0.05 * 1600 * 0.02**2)
    assert distance(inside, t) == pytest.approx(1600 * 0.02**2)  # point: a miss is a miss


def test_a_margin_narrows_each_range_so_the_fit_aims_inside():
    """With `margin` a moment within that share of its range's width of an edge counts as
    outside by what it lacks of the buffer; deep inside nothing changes, and margin 0 is
    the plain range objective."""
    from highroad.scenarios.calibration import Target, distance

    t = {"u": Target("u", 0.065, 1600.0, 0.04, 0.09)}  # width 0.05: a 0.1 margin is 0.005
    near_edge, deep = {"u": 0.088}, {"u": 0.07}
    assert distance(near_edge, t, "range", 0.0) == 0.0
    assert distance(near_edge, t, "range", 0.0, 0.1) == pytest.approx(1600 * 0.003**2)
    assert distance(deep, t, "range", 0.0, 0.1) == 0.0
    assert distance({"u": 0.041}, t, "range", 0.0, 0.1) == pytest.approx(1600 * 0.004**2)
