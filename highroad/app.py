"""The classroom demo: a Mesa `SolaraViz` page where the race to the bottom happens live.

Start it with `highroad demo` (or `solara run highroad.app`). Two kinds of control:

- *The world, acts now* (capital mobility, trade openness, government rule): the model reads
  these afresh every quarter, so the sidebar card below changes the running economy and marks
  the moment on every chart. Mesa's own parameter card only applies values at Reset, which
  would hide the point of the lesson: "free capital now, watch what governments do".
- *Model parameters, apply at Reset* (Mesa's card): scenario, number of regions, one switch per
  policy package in `highroad.policies.REGISTRY` (added to the packages the scenario already
  enables), and the seed.

Charts are matplotlib PNGs rendered on the server: no JavaScript from a CDN, so the page
works on a classroom network with no internet.
"""

from __future__ import annotations

import io
import os
import time
import warnings
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from highroad.analysis.charts import PALETTE
from highroad.errors import HighroadError, ScenarioError
from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios.loader import list_scenarios, load_scenario
from highroad.scenarios.schema import GOVERNMENT_RULES

with warnings.catch_warnings():
    # Mesa 3.3's own ComponentsView trips Solara's rules-of-hooks lint at import; harmless.
    warnings.filterwarnings("ignore", message=".*ComponentsView", category=UserWarning)
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter

#: Classroom scale: about 10,000 workers, shared evenly between the regions.
CLASSROOM_WORKERS = 10_000
#: World levers the running model reads every quarter (see `DemoEconomy.set_levers`).
LEVERS = ("capital_mobility", "trade_openness", "government_rule")
#: Quarters shown on the time charts (100 years); older quarters scroll off.
WINDOW = 400
#: Environment variable through which `highroad demo --scenario` picks the starting scenario.
SCENARIO_ENV = "HIGHROAD_DEMO_SCENARIO"
#: Region observables the network can be coloured by: label and fixed colour range (None:
#: scale to the values), fixed where possible so colours mean the same thing all run long.
OBSERVABLES: dict[str, tuple[str, float | None, float | None]] = {
    "capital_tax": ("capital tax rate", 0.0, 0.6),
    "labour_standard": ("labour standard (floor / median wage)", 0.0, 1.0),
    "high_road_share": ("high-road share of firms", 0.0, 1.0),
    "good_jobs_share": ("good-jobs share of workers", 0.0, 1.0),
    "unemployment": ("unemployment rate", 0.0, 0.3),
    "associative_capacity": ("associative capacity", 0.0, 1.0),
    "mean_wage": ("mean wage", None, None),
    "gdp_per_capita": ("output per worker", None, None),
    "public_goods_per_capita": ("quasi-public goods per worker", None, None),
}
#: What a switch sets besides `enabled`, for packages whose defaults do nothing: a
#: supra-regional institution with no floor is no floor. Applied only where the scenario
#: leaves the key at its default; the numbers are those of scenarios/new_egalitarian.toml.
SWITCH_SETTINGS: dict[str, dict[str, Any]] = {
    "supra_regional": {"tax_floor": 0.1, "labour_standard_floor": 0.4},
}
#: Region colours match between the line charts and the rings in the network; black is the mean.
REGION_COLOURS = PALETTE[:7]


#: Regions the page's slider offers (Mesa's parameter card).
PAGE_REGIONS = (2, 12)
#: Longest seed text read from the browser; longer text is refused.
SEED_CHARACTERS = 200


def parse_seed(seed: int | str) -> int:
    """The seed box holds text: a whole number from 0 to 2^64 - 1 is used as is, any other
    text (a negative number, a longer one, "²", words) is hashed stably to a seed."""
    text = str(seed).strip()
    # NumPy takes non-negative seeds only; "-5" is hashed like any other text. `isdigit`
    # alone also accepts "²", and int() refuses numbers of over 4,300 digits.
    if text.isascii() and text.isdigit() and int(text[:21]) < 2**64:
        return int(text)
    return zlib.crc32(text.encode(errors="replace"))


def region_colour(region: int) -> str:
    return REGION_COLOURS[region % len(REGION_COLOURS)]


class DemoEconomy(RegionalEconomy):
    """`RegionalEconomy` built from the app's keyword controls, ready to watch.

    Mesa's SolaraViz rebuilds the model as `DemoEconomy(**controls)` on Reset. A lever left at
    None takes the scenario's value; a policy switch (keyword named after a `REGISTRY` entry)
    turns that package on in addition to those the scenario enables. The scenario's burn-in is
    run here, so quarter 0 on screen is a settled economy and every later step records a row.
    """

    def __init__(self, scenario: str = "baseline", n_regions: int | None = None,
                 capital_mobility: float | None = None, trade_openness: float | None = None,
                 government_rule: str | None = None, workers: int = CLASSROOM_WORKERS,
                 seed: int | str = 0, **kwargs: bool) -> None:
        # Mesa checks extra model parameters against a var-keyword literally named `kwargs`.
        unknown = sorted(set(kwargs) - set(REGISTRY))
        if unknown:
            raise TypeError(f"unknown policy switch {unknown}; known: {sorted(REGISTRY)}")
        for name, value in (("n_regions", n_regions), ("workers", workers)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ScenarioError("demo", name, f"{value!r} is out of range",
                                    "a whole number >= 1")
        self.settings: dict[str, Any] = {
            "scenario": scenario, "n_regions": n_regions, "capital_mobility": capital_mobility,
            "trade_openness": trade_openness, "government_rule": government_rule,
            "workers": workers, "seed": seed, **kwargs}
        base = load_scenario(scenario)
        regions = base.world.n_regions if n_regions is None else int(n_regions)
        overrides: dict[str, Any] = {"n_regions": regions,
                                     "workers_per_region": max(1, round(workers / regions))}
        if regions != base.world.n_regions:
            overrides["region_sizes"] = []  # the scenario's sizes fit its own region count
        overrides.update({k: v for k, v in zip(LEVERS, (capital_mobility, trade_openness,
                                                        government_rule), strict=True)
                          if v is not None})
        for name in (name for name, on in kwargs.items() if on):
            overrides[f"policies.{name}.enabled"] = True
            params = base.policies[name]
            defaults = type(params)()
            overrides.update({f"policies.{name}.{key}": value
                              for key, value in SWITCH_SETTINGS.get(name, {}).items()
                              if getattr(params, key) == getattr(defaults, key)})
        try:
            scen = load_scenario(base, overrides)
        except ScenarioError as exc:  # name the control, not `--set`
            raise ScenarioError("demo", exc.key, exc.problem, exc.allowed) from None
        super().__init__(scen, seed=parse_seed(seed))
        self.scenario_name = scenario
        self.notice = ""  # a message for the page (see PageEconomy)
        self.lever_changes: list[tuple[int, str]] = []  # (quarter, what changed)
        self._step_times: deque[float] = deque(maxlen=21)
        self._history: tuple[int, pd.DataFrame, pd.DataFrame] | None = None
        for _ in range(self.params.world.burn_in):
            self.step()
        self._step_times.clear()

    def step(self) -> None:
        super().step()
        self._step_times.append(time.perf_counter())

    @property
    def quarter(self) -> int:
        """Quarters since the burn-in (the `step` column of the records)."""
        return int(self.steps - self.params.world.burn_in)

    @property
    def levers(self) -> dict[str, Any]:
        world = self.params.world
        return {name: getattr(world, name) for name in LEVERS}

    @property
    def policies_on(self) -> list[str]:
        return sorted(name for name, p in self.params.policies.items() if p.enabled)

    @property
    def steps_per_second(self) -> float | None:
        """Quarters per second over the last 20 steps, as the app runs them (None if paused)."""
        t = self._step_times
        if len(t) < 3 or time.perf_counter() - t[-1] > 2.0:
            return None
        return (len(t) - 1) / (t[-1] - t[0])

    def set_levers(self, **levers: Any) -> None:
        """Change world levers on the running economy; the next quarter runs under them."""
        unknown = sorted(set(levers) - set(LEVERS))
        if unknown:
            raise TypeError(f"not a live lever: {unknown}; live levers: {list(LEVERS)}")
        changed = {k: v for k, v in levers.items() if self.levers[k] != v}
        if not changed:
            return
        self.params = load_scenario(self.params, changed)  # validated like any override
        self.settings.update(changed)
        text = ", ".join(f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float)
                         else f"{k.replace('_', ' ')} {v}" for k, v in changed.items())
        self.lever_changes.append((self.quarter, text))

    def rebuilt(self, **settings: Any) -> DemoEconomy:
        """A fresh economy with these settings changed, everything else as this one."""
        return type(self)(**{**self.settings, **settings})

    def history(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The last `WINDOW` quarters: economy rows and region rows, built once per step."""
        if self._history is None or self._history[0] != len(self.records):
            # Slices first: with Mesa's "Use Threads" the lists grow while we read.
            eco = pd.DataFrame.from_records(self.records[-WINDOW:])
            reg = pd.DataFrame.from_records(self.region_records[-WINDOW * self.n_regions:])
            reg = reg[reg["step"] >= eco["step"].iloc[0]] if len(eco) else reg
            self._history = (len(self.records), eco, reg)
        return self._history[1], self._history[2]


class PageEconomy(DemoEconomy):
    """What the page builds: every value from the browser checked on the server.

    A browser can send anything (a forged form, a script), so the controls are checked here
    against what the page offers: a scenario from the picker (never a path from the
    browser), a region count in the slider's range, policy switches true or false, seed text
    of at most `SEED_CHARACTERS` characters. A bad value, or a setting the model refuses,
    builds the starting scenario instead and leaves a message (`notice`) for the page: the
    page never shows a traceback.
    """

    def __init__(self, **kwargs: Any) -> None:
        # Named `kwargs`: Mesa checks the parameter card against a var-keyword of that name.
        problem = page_problem(kwargs)
        if problem is None:
            try:
                super().__init__(**kwargs)
                return
            except HighroadError as exc:
                problem = str(exc)
        super().__init__(scenario=start_scenario())
        self.notice = f"Not applied: {problem}. Showing {start_scenario()} instead."


def page_problem(controls: dict[str, Any]) -> str | None:
    """What is wrong with controls sent by a browser, or None if they are as the page offers."""
    allowed = page_scenarios()
    scenario = controls.get("scenario", "baseline")
    if not isinstance(scenario, str) or scenario not in allowed:
        return f"Scenario {str(scenario)[:60]!r} is not one of {', '.join(allowed)}"
    low, high = PAGE_REGIONS
    regions = controls.get("n_regions")
    if regions is not None and (isinstance(regions, bool) or not isinstance(regions, int)
                                or not low <= regions <= high):
        return f"Number of regions {str(regions)[:20]!r} is not a whole number {low} to {high}"
    seed = controls.get("seed", "0")
    if not isinstance(seed, str | int) or isinstance(seed, bool) or \
            len(str(seed)) > SEED_CHARACTERS:
        return f"Seed: at most {SEED_CHARACTERS} characters"
    for name, value in controls.items():
        if name in REGISTRY and not isinstance(value, bool):
            return f"{name}: {str(value)[:20]!r} is not on or off"
        if name not in REGISTRY and name not in PAGE_CONTROLS:
            return f"{name[:40]!r} is not a control of this page"
    return None


#: Controls the page's cards send besides the policy switches.
PAGE_CONTROLS = ("scenario", "n_regions", "seed", "capital_mobility", "trade_openness",
                 "government_rule", "workers")


def page_scenarios() -> list[str]:
    """The scenarios the page offers: the one it started from, and every shipped one."""
    names = list(list_scenarios())
    start = start_scenario()
    return names if start in names else [start, *names]


# -- figures (plain functions of the model, so tests can call them without a browser) ------------

def _figure(rows: int = 1, height: float = 3.2) -> tuple[Figure, Any]:
    # Fixed margins, not a layout engine: it would halve the redraw rate, and the page
    # redraws every chart each time the model moves.
    fig = Figure(figsize=(6.0, height), dpi=90)
    fig.subplots_adjust(left=0.12, right=0.97, top=1 - 0.3 / height, bottom=0.45 / height,
                        hspace=0.12)
    return fig, fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]


def _finish(ax: Any, model: DemoEconomy, label: bool = True) -> None:
    """Years on x (at least ten, so lines grow from the left) and a dotted line where a world
    lever moved, so the class sees the cause before the effect."""
    first = max(0, model.quarter - WINDOW + 1)
    ax.set_xlim(first / 4, max(first / 4 + 10, model.quarter / 4))
    for k, (quarter, text) in enumerate(model.lever_changes):
        if quarter >= first:
            ax.axvline(quarter / 4, color="0.45", ls=":", lw=1.2)
            if label:  # staggered, so marks close in time stay readable
                ax.annotate(text, (quarter / 4, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(3, -3 - 9 * (k % 3)), textcoords="offset points",
                            va="top", fontsize=7, color="0.3")


def _by_region(ax: Any, reg: pd.DataFrame, column: str) -> None:
    wide = reg.pivot(index="step", columns="region", values=column)
    for r in wide.columns:
        ax.plot(wide.index / 4, wide[r], color=region_colour(int(r)), lw=1.1)
    ax.plot(wide.index / 4, wide.mean(axis=1), color="black", lw=2.0, label="mean")


def race_figure(model: DemoEconomy) -> Figure:
    """Capital tax and labour standard by region: falling together is the race to the bottom."""
    eco, reg = model.history()
    fig, (top, bottom) = _figure(2, 4.2)
    _by_region(top, reg, "capital_tax")
    _by_region(bottom, reg, "labour_standard")
    top.set(ylabel="capital tax", ylim=(0, max(0.4, float(reg["capital_tax"].max()) + 0.05)),
            title="Race to the bottom? Policy by region (black: mean)")
    bottom.set(ylabel="labour standard", xlabel="years",
               ylim=(0, max(0.7, float(reg["labour_standard"].max()) + 0.05)))
    _finish(top, model)
    _finish(bottom, model, label=False)
    return fig


def roads_figure(model: DemoEconomy) -> Figure:
    eco, _ = model.history()
    fig, (ax,) = _figure()
    years = eco["step"] / 4
    ax.plot(years, eco["high_road_share"], color=PALETTE[0], label="high-road firms")
    ax.plot(years, eco["high_road_employment_share"], color=PALETTE[0], ls="--",
            label="high-road employment")
    ax.plot(years, eco["good_jobs_share"], color=PALETTE[2], lw=2, label="good jobs")
    ax.set(ylim=(0, 1), ylabel="share", xlabel="years", title="High road and good jobs")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _finish(ax, model)
    return fig


def inequality_figure(model: DemoEconomy) -> Figure:
    eco, _ = model.history()
    fig, (ax,) = _figure()
    years = eco["step"] / 4
    ax.plot(years, eco["wage_gini"], color=PALETTE[1], label="wage Gini")
    ax.plot(years, eco["income_gini"], color=PALETTE[3], lw=2, label="income Gini")
    top = max(0.6, float(eco[["wage_gini", "income_gini"]].max().max()) + 0.05)
    ax.set(ylim=(0, top), ylabel="Gini", xlabel="years", title="Inequality")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    _finish(ax, model)
    return fig


def flight_figure(model: DemoEconomy) -> Figure:
    eco, _ = model.history()
    fig, (ax,) = _figure()
    years = eco["step"] / 4
    ax.fill_between(years, 100 * eco["capital_flight"], color=PALETTE[1], alpha=0.35, lw=0)
    ax.plot(years, 100 * eco["capital_flight"], color=PALETTE[1], lw=1)
    ax.set(ylim=(0, max(2.0, 100 * float(eco["capital_flight"].max()) * 1.1)), xlabel="years",
           ylabel="% of capital", title="Capital flight: capital leaving its region per quarter")
    _finish(ax, model)
    return fig


def network_figure(model: DemoEconomy, observable: str = "capital_tax") -> Figure:
    """The regions where they sit: colour = the chosen observable, size = capital stock."""
    label, vmin, vmax = OBSERVABLES[observable]
    rows = model.region_records[-model.n_regions:]
    values = np.array([row[observable] for row in rows], dtype=float)
    capital = np.array([row["capital_stock"] for row in rows], dtype=float)
    size = 900 * capital / max(float(capital.mean()), 1e-9)
    graph = model.network
    pos = nx.get_node_attributes(graph, "pos")
    nodes = list(range(model.n_regions))
    fig = Figure(figsize=(6.0, 3.6), dpi=90)
    ax = fig.add_axes((0.02, 0.02, 0.78, 0.88))
    colour_bar = fig.add_axes((0.84, 0.1, 0.03, 0.72))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="0.75", width=1.5)
    drawn = nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=values,
                                   cmap="viridis", vmin=vmin, vmax=vmax,
                                   node_size=np.maximum(size, 30), ax=ax,
                                   edgecolors=[region_colour(r) for r in nodes], linewidths=3)
    for r in nodes:
        ax.annotate(f"R{r}: {values[r]:.2f}", pos[r], xytext=(0, -6 - np.sqrt(size[r]) / 2),
                    textcoords="offset points", ha="center", va="top", fontsize=8)
    fig.colorbar(drawn, cax=colour_bar, label=label)
    fig.suptitle(f"Regions in quarter {model.quarter}: colour = {label}, size = capital",
                 fontsize=10, y=0.985)
    ax.margins(0.15)
    ax.set_axis_off()
    return fig


def figure_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # Fast zlib level: the page re-encodes every chart each time it redraws.
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


# -- components -------------------------------------------------------------------------------

@solara.component
def Chart(model: DemoEconomy, draw: Callable[[DemoEconomy], Figure]) -> None:
    """One figure, redrawn only when the model has moved (a step, a reset, a lever)."""
    update_counter.get()
    png = solara.use_memo(lambda: figure_png(draw(model)),
                          [model, model.steps, len(model.lever_changes)])
    solara.Image(png, format="png")


def RaceChart(model: DemoEconomy) -> solara.Element:
    return Chart(model, race_figure)


def RoadsChart(model: DemoEconomy) -> solara.Element:
    return Chart(model, roads_figure)


def InequalityChart(model: DemoEconomy) -> solara.Element:
    return Chart(model, inequality_figure)


def FlightChart(model: DemoEconomy) -> solara.Element:
    return Chart(model, flight_figure)


@solara.component
def RegionNetwork(model: DemoEconomy) -> None:
    update_counter.get()
    observable, set_observable = solara.use_state("capital_tax")
    by_label = {label: key for key, (label, _, _) in OBSERVABLES.items()}
    with solara.Column(gap="0px"):
        solara.Select("Colour regions by", value=OBSERVABLES[observable][0],
                      values=list(by_label),
                      on_value=lambda label: set_observable(by_label.get(label, observable)))
        png = solara.use_memo(lambda: figure_png(network_figure(model, observable)),
                              [model, model.steps, observable])
        solara.Image(png, format="png")


COMPONENTS = [RaceChart, RegionNetwork, RoadsChart, InequalityChart, FlightChart]


@solara.component
def WorldLevers(model: solara.Reactive[DemoEconomy]) -> None:
    """Sidebar card: world levers acting on the running economy, and a live readout."""
    update_counter.get()
    levers, set_levers = solara.use_state(model.value.levers)  # initial value only
    scenario_seen = solara.use_ref(model.value.scenario_name)

    def carry_over() -> None:
        # Mesa's Reset builds the model from its own card only: a new scenario brings its own
        # world; otherwise rebuild once so the live levers hold from quarter 0 (and burn-in).
        fresh = model.value
        if fresh.scenario_name != scenario_seen.current:
            scenario_seen.current = fresh.scenario_name
            set_levers(fresh.levers)
        elif fresh.levers != levers:
            model.set(fresh.rebuilt(**levers))

    solara.use_effect(carry_over, [model.value])

    notice, set_notice = solara.use_state("")

    def set_lever(name: str, value: Any) -> None:
        try:  # a value the model refuses (a forged message) is reported, never raised
            model.value.set_levers(**{name: value})
        except (ScenarioError, TypeError, ValueError) as exc:
            set_notice(f"Not applied: {exc}")
            return
        set_notice("")
        set_levers({**levers, name: value})

    m = model.value
    speed = m.steps_per_second
    with solara.Sidebar(), solara.Card("The world: acts now"):
        solara.SliderFloat("Capital mobility", value=levers["capital_mobility"],
                           on_value=lambda v: set_lever("capital_mobility", v),
                           min=0.0, max=1.0, step=0.05)
        solara.SliderFloat("Trade openness", value=levers["trade_openness"],
                           on_value=lambda v: set_lever("trade_openness", v),
                           min=0.0, max=1.0, step=0.05)
        solara.Text("Government rule")
        solara.ToggleButtonsSingle(value=levers["government_rule"],
                                   values=list(GOVERNMENT_RULES),
                                   on_value=lambda v: set_lever("government_rule", v))
        pace = f" · {speed:.1f} quarters/s" if speed else ""
        # Text, not Markdown: Markdown pulls KaTeX from a CDN, which a classroom may not reach.
        with solara.Column(gap="6px"):
            solara.Text(f"Quarter {m.quarter} (year {m.quarter / 4:.1f}) · "
                        f"{len(m.workforce):,} workers · {m.n_regions} regions{pace}",
                        style={"font-weight": "bold"})
            for text in filter(None, (m.notice, notice)):
                solara.Text(text, style={"color": "#b00020", "font-weight": "bold"})
            solara.Text(f"In effect: capital mobility {m.levers['capital_mobility']:.2f}, "
                        f"trade openness {m.levers['trade_openness']:.2f}, rule "
                        f"{m.levers['government_rule']}; packages on: "
                        f"{', '.join(m.policies_on) or 'none'}.")


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "baseline")


def model_params(scenario: str) -> dict[str, Any]:
    """Mesa's parameter card (applied at Reset): scenario, regions, policy switches, seed."""
    base = load_scenario(scenario)
    names = list(list_scenarios())
    params: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario, "label": "Scenario",
                     "values": names if scenario in names else [scenario, *names]},
        "n_regions": {"type": "SliderInt", "value": base.world.n_regions,
                      "min": PAGE_REGIONS[0], "max": PAGE_REGIONS[1],
                      "step": 1, "label": "Number of regions"},
    }
    for name in sorted(REGISTRY):
        extra = ", ".join(f"{k.replace('_', ' ')} {v:g}"
                          for k, v in SWITCH_SETTINGS.get(name, {}).items())
        params[name] = {"type": "Checkbox", "value": False,
                        "label": "+ " + name.replace("_", " ") + (f" ({extra})" if extra else "")}
    params["seed"] = {"type": "InputText", "value": "0", "label": "Seed"}
    return params


@solara.component
def Page() -> None:
    scenario = start_scenario()
    # One economy per browser session, built once (not on every render).
    first = solara.use_memo(lambda: PageEconomy(scenario=scenario), [])
    model = solara.use_reactive(first)

    def stop_when_closed() -> Callable[[], None]:
        # When the session ends (tab closed, kernel culled) Mesa's play loop would go on
        # stepping in its thread; it stops on `model.running`.
        def stop() -> None:
            model.value.running = False
        return stop

    solara.use_effect(stop_when_closed, [])
    WorldLevers(model)
    SolaraViz(model, components=COMPONENTS, model_params=model_params(scenario),
              name="highroad: can egalitarianism survive mobile capital?",
              play_interval=1, render_interval=9)
