"""The classroom demo without a browser: the model factory, the figures and the components.

Components are rendered with Solara's test renderer inside an AppLayout (the sidebar cards
only exist under one) and driven through their widgets, as a browser would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara

from highroad import app
from highroad.errors import ScenarioError
from highroad.policies import REGISTRY, PolicyModule, PolicyParams

SMALL = 2000  # workers: enough for every mechanism, quick to build


def small(**kwargs: object) -> app.DemoEconomy:
    return app.DemoEconomy(workers=SMALL, **kwargs)


def test_factory_runs_the_burn_in_and_records_every_step() -> None:
    model = small()
    assert model.quarter == 0
    assert len(model.records) == 1 and model.records[0]["step"] == 0
    assert len(model.region_records) == model.n_regions
    model.step()
    model.step()
    assert [row["step"] for row in model.records] == [0, 1, 2]
    assert len(model.region_records) == 3 * model.n_regions


def test_classroom_scale_by_default() -> None:
    model = app.DemoEconomy()
    assert model.n_regions == 6
    assert abs(len(model.workforce) - app.CLASSROOM_WORKERS) < 10


def test_controls_override_the_scenario() -> None:
    model = small(n_regions=4, capital_mobility=0.9, trade_openness=0.1,
                  government_rule="competitive", seed="7")
    world = model.params.world
    assert (world.n_regions, world.capital_mobility, world.trade_openness,
            world.government_rule) == (4, 0.9, 0.1, "competitive")
    assert model.seed == 7
    assert model.levers == {"capital_mobility": 0.9, "trade_openness": 0.1,
                            "government_rule": "competitive"}
    assert abs(len(model.workforce) - SMALL) < 4


def test_levers_left_unset_take_the_scenarios_values() -> None:
    model = small()
    base = app.load_scenario("baseline").world
    assert model.levers == {k: getattr(base, k) for k in app.LEVERS}


def test_same_controls_and_seed_give_the_same_run() -> None:
    a, b, c = small(seed=3), small(seed="3"), small(seed=4)
    for m in (a, b, c):
        for _ in range(5):
            m.step()
    frames = [pd.DataFrame.from_records(m.records) for m in (a, b, c)]
    pd.testing.assert_frame_equal(frames[0], frames[1])  # NaN-aware, unlike ==
    assert not frames[0].equals(frames[2])


@pytest.mark.parametrize("text, expected", [("42", 42), (" 7 ", 7), (5, 5)])
def test_seed_box_reads_whole_numbers(text: str | int, expected: int) -> None:
    assert app.parse_seed(text) == expected


def test_seed_box_hashes_other_text_stably() -> None:
    assert app.parse_seed("class 3B") == app.parse_seed("class 3B") != app.parse_seed("3C")
    assert app.parse_seed("-5") >= 0  # NumPy refuses negative seeds
    assert small(seed="-5").quarter == 0


def test_a_scenario_file_given_at_launch_is_in_the_picker(tmp_path) -> None:
    own = tmp_path / "mine.toml"
    own.write_text("capital_mobility = 0.7\n")
    picker = app.model_params(str(own))["scenario"]
    assert picker["value"] == str(own) and str(own) in picker["values"]
    assert "baseline" in picker["values"]


def test_unknown_switch_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown policy switch"):
        small(no_such_package=True)


@dataclass(frozen=True)
class DummyParams(PolicyParams):
    rate: float = 0.1


class DummyPackage(PolicyModule):
    """A package with one hook, registered only for these tests."""

    name = "dummy_package"
    Params = DummyParams

    def on_policy(self, model: object) -> None:
        self.calls = getattr(self, "calls", 0) + 1


@pytest.fixture
def dummy_registered(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(REGISTRY, DummyPackage.name, DummyPackage)
    return DummyPackage.name


def test_a_switch_per_registered_package(dummy_registered: str) -> None:
    params = app.model_params("baseline")
    assert params[dummy_registered]["type"] == "Checkbox"
    assert {name for name, p in params.items() if p.get("type") == "Checkbox"} == set(REGISTRY)
    on = small(**{dummy_registered: True})
    off = small(**{dummy_registered: False})
    assert on.policies_on == [dummy_registered] and off.policies_on == []
    on.step()
    assert on.policy_modules[0].calls == app.load_scenario("baseline").world.burn_in + 1


def test_a_switch_brings_its_settings_unless_the_scenario_has_its_own(
        dummy_registered: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setitem(app.SWITCH_SETTINGS, dummy_registered, {"rate": 0.3})
    assert "(rate 0.3)" in app.model_params("baseline")[dummy_registered]["label"]
    assert small(**{dummy_registered: True}).params.policies[dummy_registered].rate == 0.3
    own = tmp_path / "own_rate.toml"
    own.write_text(f"[policies.{dummy_registered}]\nrate = 0.2\n")
    model = small(scenario=str(own), **{dummy_registered: True})
    assert model.params.policies[dummy_registered].rate == 0.2


@pytest.mark.skipif("supra_regional" not in REGISTRY, reason="no supra_regional package yet")
def test_the_supra_regional_switch_is_a_floor() -> None:
    supra = small(supra_regional=True).params.policies["supra_regional"]
    assert supra.enabled and supra.tax_floor > 0 and supra.labour_standard_floor > 0


def test_every_registered_package_runs_from_its_switch() -> None:
    for name in sorted(REGISTRY):
        model = small(**{name: True})
        for _ in range(3):
            model.step()
        assert name in model.policies_on


def test_mesa_accepts_the_parameter_card(dummy_registered: str) -> None:
    # Imported here, after `app`, which silences a harmless lint warning Mesa's import raises.
    from mesa.visualization.solara_viz import _check_model_params

    params = app.model_params("baseline")
    _check_model_params(app.DemoEconomy.__init__, params)  # Mesa's own check, raises if wrong
    values = {k: p["value"] for k, p in params.items()}
    assert values["scenario"] in app.list_scenarios()
    assert app.DemoEconomy(**values, workers=SMALL).quarter == 0


def test_set_levers_changes_the_running_economy() -> None:
    model = small()
    for _ in range(4):
        model.step()
    model.set_levers(capital_mobility=1.0, government_rule="competitive")
    assert model.params.world.capital_mobility == 1.0
    assert model.params.world.government_rule == "competitive"
    assert model.lever_changes == [(4, "capital mobility 1, government rule competitive")]
    model.set_levers(capital_mobility=1.0)  # no change, no mark
    assert len(model.lever_changes) == 1
    model.step()
    assert model.quarter == 5


def test_set_levers_validates() -> None:
    model = small()
    with pytest.raises(TypeError, match="not a live lever"):
        model.set_levers(n_regions=3)
    with pytest.raises(ScenarioError, match="capital_mobility"):
        model.set_levers(capital_mobility=2.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_freeing_capital_mid_run_starts_flight_and_governments_learn_it(seed: int) -> None:
    """The live lever reaches the mechanism (Cohen and Rogers 1997, §1, the sceptics'
    mechanism): set mid-run, mobility 1 starts capital flight, and competitive governments
    learn from it that capital answers to their taxes; at mobility 0 nothing leaves. (Where
    taxes end is the lesson's and the verification's question, not this test's.)"""
    flight, belief = [], []
    for mobility in (0.0, 1.0):
        model = small(government_rule="competitive", seed=seed)
        model.set_levers(capital_mobility=mobility)
        for _ in range(40):
            model.step()
        flight.append(sum(r["capital_flight"] for r in model.records[-20:]))
        belief.append(model.records[-1]["mean_perceived_elasticity"])
    assert flight[0] == 0.0 and flight[1] > 0.0
    assert belief[1] > 1.0 and belief[1] > 5 * belief[0]


def test_rebuilt_keeps_everything_but_what_changes() -> None:
    model = small(n_regions=3, seed=2)
    fresh = model.rebuilt(capital_mobility=0.8)
    assert fresh.n_regions == 3 and fresh.seed == 2 and fresh.quarter == 0
    assert fresh.levers["capital_mobility"] == 0.8


def test_history_keeps_the_whole_run() -> None:
    model = small(n_regions=3)
    for _ in range(8):
        model.step()
    eco, reg = model.history()
    assert list(eco["step"]) == list(range(9))
    assert sorted(reg["step"].unique()) == list(range(9)) and len(reg) == 27


@pytest.mark.parametrize("years, rows", [
    ([5.0, 5.25, 5.5, 30.0], [0, 1, 2, 0]),
    ([1.0] * 6, [0, 1, 2, 3, -1, -1]),
])
def test_marker_labels_never_share_a_row_when_close(years, rows) -> None:
    assert app.marker_rows(years, span=40.0) == rows


# -- figures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def played() -> app.DemoEconomy:
    model = app.DemoEconomy(workers=SMALL, n_regions=4, seed=1)
    for _ in range(6):
        model.step()
    model.set_levers(capital_mobility=1.0)
    for _ in range(6):
        model.step()
    return model


def test_lesson_figure_has_a_line_per_region_the_mean_and_units(
        played: app.DemoEconomy) -> None:
    fig = app.lesson_figure(played)
    tax, standard, flight = fig.axes
    series = [[line for line in ax.lines if line.get_linestyle() != ":"] for ax in (tax,
                                                                                  standard)]
    assert len(series[0]) == len(series[1]) == played.n_regions + 1
    assert len(tax.lines) == len(series[0]) + 1  # and one dotted line: the lever mark
    assert "share of profit" in tax.get_ylabel()
    assert "median wage" in standard.get_ylabel()
    assert "% of capital" in flight.get_ylabel() and "years" in flight.get_xlabel()
    assert [line.get_color() for line in series[0][:-1]] == [
        app.region_colour(r) for r in range(played.n_regions)]
    assert any("capital mobility 1" in t.get_text() for t in tax.texts)  # the lever mark
    assert {f"R{r}" for r in range(played.n_regions)} <= {t.get_text() for t in tax.texts}
    eco, _ = played.history()
    assert any(np.allclose(line.get_ydata(), 100 * eco["capital_flight"])
               for line in flight.lines)
    assert tax.get_xlim() == (0.0, app.DEFAULT_STOP_YEAR)  # the whole run stays in view


def test_twelve_regions_get_twelve_colours() -> None:
    assert len({app.region_colour(r) for r in range(12)}) == 12


def test_the_previous_run_is_drawn_as_a_ghost(played: app.DemoEconomy) -> None:
    eco, _ = played.history()
    played.ghost = ("before", eco.assign(mean_capital_tax=0.123))
    try:
        tax = app.lesson_figure(played).axes[0]
    finally:
        played.ghost = None
    dashed = [line for line in tax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_ydata(), 0.123)


@pytest.mark.parametrize("draw, columns", [
    (app.roads_figure, ["high_road_share", "high_road_employment_share", "good_jobs_share"]),
    (app.inequality_figure, ["wage_gini", "income_gini"]),
])
def test_economy_figures_plot_the_records(played: app.DemoEconomy, draw, columns) -> None:
    (ax,) = draw(played).axes
    data = [line.get_ydata() for line in ax.lines]
    eco, _ = played.history()
    for column in columns:
        assert any(np.allclose(y, eco[column]) for y in data), column


def test_export_formats(played: app.DemoEconomy) -> None:
    assert app.figure_bytes(app.lesson_figure(played), "svg").lstrip().startswith(b"<?xml")
    table = pd.read_csv(__import__("io").BytesIO(app.records_csv(played)))
    assert list(table["step"]) == list(range(played.quarter + 1))
    regions = pd.read_csv(__import__("io").BytesIO(app.records_csv(played, regions=True)))
    assert len(regions) == (played.quarter + 1) * played.n_regions


@pytest.mark.parametrize("observable", list(app.OBSERVABLES))
def test_network_colours_by_any_observable(played: app.DemoEconomy, observable: str) -> None:
    fig = app.network_figure(played, observable)
    nodes = fig.axes[0].collections[-1]
    latest = played.region_records[-played.n_regions:]
    assert np.allclose(nodes.get_array(), [row[observable] for row in latest])
    sizes = nodes.get_sizes()
    capital = np.array([row["capital_stock"] for row in latest])
    assert np.argmax(sizes) == np.argmax(capital)  # size follows the capital stock
    assert fig.axes[1].get_ylabel() == app.OBSERVABLES[observable][0]  # the colour bar


def test_figure_png_is_a_png(played: app.DemoEconomy) -> None:
    assert app.figure_png(app.roads_figure(played)).startswith(b"\x89PNG")


# -- components -----------------------------------------------------------------------------

@solara.component
def InLayout(child: solara.Element) -> None:
    with solara.AppLayout():
        solara.Column(children=[child])


def drag(rc, label: str, values: list[float]) -> None:
    """What a mouse drag sends: a value per move, then one `change` on release."""
    slider = rc.find(v.Slider, label=label).widget
    for value in values:
        slider.v_model = value
    slider.fire_event("change", values[-1])


def test_world_levers_act_on_the_running_model() -> None:
    model = solara.reactive(small())
    _, rc = solara.render(InLayout(app.WorldLevers(model)), handle_error=False)
    rc.find(v.Slider, label="Capital mobility").widget.v_model = 0.95
    assert model.value.levers["capital_mobility"] != 0.95  # moving is not releasing
    drag(rc, "Capital mobility", [0.95])
    assert model.value.levers["capital_mobility"] == 0.95
    rc.find(v.BtnToggle).widget.v_model = app.GOVERNMENT_RULES.index("competitive")
    assert model.value.levers["government_rule"] == "competitive"
    drag(rc, "Trade openness", [0.6])
    assert model.value.levers["trade_openness"] == 0.6
    assert len(model.value.lever_changes) == 3
    rc.close()


def test_world_levers_carry_over_a_reset() -> None:
    model = solara.reactive(small())
    _, rc = solara.render(InLayout(app.WorldLevers(model)), handle_error=False)
    drag(rc, "Capital mobility", [0.85])
    model.value = small(seed=5)  # what Mesa's Reset does: built from its own card only
    assert model.value.levers["capital_mobility"] == 0.85  # rebuilt under the live levers
    assert model.value.seed == 5 and model.value.quarter == 0
    rc.close()


def test_a_new_scenario_brings_its_own_world(tmp_path) -> None:
    model = solara.reactive(small())
    _, rc = solara.render(InLayout(app.WorldLevers(model)), handle_error=False)
    drag(rc, "Capital mobility", [0.85])
    open_world = tmp_path / "open_world.toml"
    open_world.write_text("capital_mobility = 0.95\ngovernment_rule = \"competitive\"\n")
    model.value = small(scenario=str(open_world))  # Reset with another scenario picked
    assert model.value.levers["capital_mobility"] == 0.95  # its world, not the slider's
    assert rc.find(v.Slider, label="Capital mobility").widget.v_model == 0.95
    assert rc.find(v.BtnToggle).widget.v_model == app.GOVERNMENT_RULES.index("competitive")
    rc.close()


def test_a_mouse_drag_is_one_change() -> None:
    model = solara.reactive(small())
    _, rc = solara.render(InLayout(app.WorldLevers(model)), handle_error=False)
    drag(rc, "Capital mobility", [0.55, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert model.value.lever_changes == [(0, "capital mobility 1")]
    rc.close()


def test_page_steps_and_redraws() -> None:
    _, rc = solara.render(InLayout(app.Page()), handle_error=False)
    images = rc.find(ipywidgets.Image)
    assert len(images) == len(app.CHARTS) + 1  # and the network
    before = [img.widget.value for img in images]
    rc.find(v.Btn, children=["Step"]).widget.click()
    after = [img.widget.value for img in rc.find(ipywidgets.Image)]
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert rc.find(v.Slider, label="Capital mobility")
    assert {"Scenario", "Seed"} <= {w.widget.label for w in rc.find(v.Select)} | {
        w.widget.label for w in rc.find(v.TextField)}
    rc.close()


def test_play_asks_for_no_redraw_while_one_is_drawing_nor_before_the_page_had_its_turn(
) -> None:
    # Regression: redraws asked for faster than the page drew kept the thread that draws
    # for the lever handlers drawing, and a click on pause waited up to 20 s and more.
    pacer = app.RedrawPacer()
    assert pacer.due(100.0)
    pacer.asked(100.0)
    assert not pacer.due(100.0 + app.REDRAW_SECONDS + 1.0)  # not drawn yet
    pacer.drawn_at, pacer.took = 100.9, 0.9  # drawn: it took 0.9 s
    assert not pacer.due(101.0)  # drawn, but the page has been idle 0.1 s of 0.9
    assert pacer.due(101.85)
    pacer.took = 0.0  # a quick draw: REDRAW_SECONDS since it was asked for still apply
    pacer.drawn_at = 100.05
    assert not pacer.due(100.0 + app.REDRAW_SECONDS - 0.01)
    assert pacer.due(100.0 + app.REDRAW_SECONDS)
    pacer.asked(200.0)  # a page closed mid-draw does not stop play redrawing for good
    assert not pacer.due(200.0 + app.REDRAW_GIVE_UP_SECONDS - 0.01)
    assert pacer.due(200.0 + app.REDRAW_GIVE_UP_SECONDS)


def test_a_rendered_page_tells_play_its_redraw_was_drawn() -> None:
    model = solara.reactive(small())
    model.value.redraws.asked(time.perf_counter())
    _, rc = solara.render(InLayout(app.Charts(model.value)), handle_error=False)
    assert not model.value.redraws.waiting and model.value.redraws.took > 0
    rc.close()


def test_network_observable_picker() -> None:
    model = small()
    _, rc = solara.render(InLayout(app.RegionNetwork(model)), handle_error=False)
    before = rc.find(ipywidgets.Image).widget.value
    label = app.OBSERVABLES["good_jobs_share"][0]
    rc.find(v.Select, label="Colour regions by").widget.v_model = label
    assert rc.find(ipywidgets.Image).widget.value != before
    rc.close()


# -- a browser is not trusted ----------------------------------------------

@pytest.mark.parametrize("text", ["²", "9" * 4301, "-1", "1" * 30, "٣"])
def test_any_seed_text_gives_a_seed(text: str) -> None:
    seed = app.parse_seed(text)
    assert 0 <= seed < 2**64 and seed == app.parse_seed(text)


def test_zero_regions_is_refused_cleanly() -> None:
    with pytest.raises(ScenarioError, match="n_regions"):
        app.DemoEconomy(n_regions=0)


@pytest.mark.parametrize("controls, word", [
    ({"scenario": "/etc/passwd"}, "Scenario"),
    ({"scenario": "../../etc/passwd"}, "Scenario"),
    ({"n_regions": 0}, "Number of regions"),
    ({"n_regions": "6; rm -rf /"}, "Number of regions"),
    ({"seed": "9" * 5000}, "Seed"),
    ({"social_democracy": "yes"}, "social_democracy"),
    ({"no_such_control": 1}, "not a control"),
    ({"capital_mobility": 7.0}, "capital_mobility"),
])
def test_the_page_checks_every_browser_value(monkeypatch, controls, word) -> None:
    read = []
    real = app.load_scenario

    def watched(name, *args, **kwargs):
        read.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(app, "load_scenario", watched)
    model = app.PageEconomy(workers=SMALL, **controls)
    assert model.notice.startswith("Not applied") and word in model.notice
    assert model.scenario_name == app.start_scenario() and model.quarter == 0
    assert not any("passwd" in str(name) for name in read)  # no path from a browser is read


def test_the_page_takes_good_values_without_a_notice() -> None:
    model = app.PageEconomy(workers=SMALL, scenario="race_to_bottom", n_regions=3, seed="²")
    assert model.notice == "" and model.n_regions == 3
    assert model.rebuilt(seed="1").__class__ is app.PageEconomy


def test_a_forged_lever_value_is_a_message_in_the_page() -> None:
    model = solara.reactive(small())
    _, rc = solara.render(InLayout(app.WorldLevers(model)), handle_error=False)
    drag(rc, "Capital mobility", [5.0])
    assert model.value.levers["capital_mobility"] != 5.0
    texts = " ".join(str(found.widget.children) for found in rc.find(v.Html))
    assert "Not applied" in texts and "capital_mobility" in texts
    drag(rc, "Capital mobility", [0.9])  # a good value clears it
    assert model.value.levers["capital_mobility"] == 0.9
    assert "Not applied" not in " ".join(str(f.widget.children) for f in rc.find(v.Html))
    rc.close()


def test_a_forged_network_observable_is_ignored() -> None:
    _, rc = solara.render(InLayout(app.RegionNetwork(small())), handle_error=False)
    rc.find(v.Select, label="Colour regions by").widget.v_model = "/etc/passwd"
    assert rc.find(ipywidgets.Image).widget.value
    rc.close()


def page_text(rc) -> str:
    return " ".join(str(found.widget.children) for found in rc.find(v.Html))


def test_page_reads_quarter_0_at_the_start_and_has_no_threads_switch() -> None:
    _, rc = solara.render(InLayout(app.Page()), handle_error=False)
    assert "Quarter 0 (year 0.0)" in page_text(rc)
    assert not rc.find(v.Checkbox, label="Use Threads")
    rc.close()


def test_a_preset_starts_its_experiment_with_the_previous_run_as_ghost() -> None:
    _, rc = solara.render(InLayout(app.Page()), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=[app.PRESETS["placebo"]["label"]]).widget.click()
    text = page_text(rc)
    assert "Quarter 0 " in text and "capital sees taxes 0" in text
    assert "rule competitive" in text and "mobility 0.90" in text
    assert "Press Reset" not in text  # the card shows the preset's values
    rc.close()


def test_a_card_change_shows_it_waits_for_reset() -> None:
    model = small()
    card = {k: spec["value"] for k, spec in app.model_params("baseline", model.settings).items()}
    assert app.pending(card, model) == []
    assert app.pending({**card, "seed": "7", "supra_regional": True}, model) == [
        "supra regional", "seed"]


def test_every_preset_builds_and_every_lever_has_a_tooltip() -> None:
    for name, preset in app.PRESETS.items():
        assert app.page_problem(preset["controls"]) is None, name
        assert preset["notice"]
    assert {"capital_mobility", "trade_openness", "government_rule", "pace"} <= set(app.TIPS)
