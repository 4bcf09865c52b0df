"""The classroom demo: a Solara page where the race to the bottom happens live.

Start it with `highroad demo` (or `solara run highroad.app`). Three kinds of control:

- *Run*: Reset, play/pause, step, a pace in quarters per second and the year play stops at
  (`RunControls`; the page's own loop, so the pace is what a teacher sets).
- *The world, acts now* (capital mobility, trade openness, government rule): the model reads
  these afresh every quarter, so the sidebar card changes the running economy and marks the
  moment on every chart (a slider counts once, when released).
- *Model parameters, apply at Reset* (Mesa's `ModelCreator` card): scenario, number of
  regions, capital's tax salience, one switch per policy package in
  `highroad.policies.REGISTRY`, and the seed; and the lesson's presets
  (`highroad.lesson.PRESETS`), which start a fresh run with the previous one as a ghost.

Charts are matplotlib PNGs rendered on the server: no JavaScript from a CDN, so the page
works on a classroom network with no internet.
"""

from __future__ import annotations

import io
import os
import threading
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
from highroad.lesson import PRESETS
from highroad.policies import REGISTRY
from highroad.regions.model import RegionalEconomy
from highroad.scenarios.loader import list_scenarios, load_scenario
from highroad.scenarios.schema import GOVERNMENT_RULES

with warnings.catch_warnings():
    # Mesa 3.3's own ComponentsView trips Solara's rules-of-hooks lint at import; harmless.
    warnings.filterwarnings("ignore", message=".*ComponentsView", category=UserWarning)
    from mesa.visualization.solara_viz import ModelCreator
    from mesa.visualization.utils import force_update, update_counter

#: Classroom scale: about 10,000 workers, shared evenly between the regions.
CLASSROOM_WORKERS = 10_000
#: World levers the running model reads every quarter (see `DemoEconomy.set_levers`).
LEVERS = ("capital_mobility", "trade_openness", "government_rule")
#: Pace of play, quarters per second: the default (a year a second) is slow enough to talk
#: over; the fastest is as fast as the machine steps and draws.
PACES = (1, 2, 4, 8, 16, 40)
DEFAULT_PACE = 4
#: Play stops at this year unless the teacher sets another ("run to year N").
DEFAULT_STOP_YEAR = 40
#: Shortest time between two redraws while playing (s): fast paces step several quarters
#: per redraw, so stepping is not held up by drawing.
REDRAW_SECONDS = 0.4
#: A redraw asked for and not drawn after this long (s) is asked for again (a page closed
#: mid-draw must not stop play redrawing for good).
REDRAW_GIVE_UP_SECONDS = 5.0
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
#: Region colours match between the line charts and the rings in the network; black is the
#: mean, grey dashes the previous run. Twelve hues (the page offers up to 12 regions), each
#: line also labelled R0, R1, ... at its end.
REGION_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                  "#e377c2", "#bcbd22", "#17becf", "#393b79", "#637939", "#ad494a")


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


class RedrawPacer:
    """When play may ask the page for a redraw: the last one has been drawn,
    `REDRAW_SECONDS` have passed since it was asked for, and the page has since been idle
    at least as long as that redraw took.

    Why the idle time: a redraw asked for while another thread is drawing is drawn by that
    thread in the same pass (reacton renders again for as long as the state keeps
    changing). When the lever handlers' thread is the one drawing and a redraw takes about
    `REDRAW_SECONDS`, it never gets back to the browser's messages, and a click on pause
    waited seconds, now and then over 20 s (4 charts, 10,000 workers, 2 cores).
    """

    def __init__(self) -> None:
        self.asked_at = self.drawn_at = -float("inf")
        self.took = 0.0  # how long the last redraw play asked for took to draw (s)

    @property
    def waiting(self) -> bool:
        """Asked for and not drawn yet."""
        return self.asked_at > self.drawn_at

    def due(self, now: float) -> bool:
        if self.waiting:
            return now - self.asked_at >= REDRAW_GIVE_UP_SECONDS
        return now - self.asked_at >= REDRAW_SECONDS and now - self.drawn_at >= self.took

    def asked(self, now: float) -> None:
        self.asked_at = now

    def drawn(self) -> None:
        """The page has drawn (every render, whoever asked for it)."""
        now = time.perf_counter()
        if self.waiting:
            self.took = now - self.asked_at
        self.drawn_at = now


class DemoEconomy(RegionalEconomy):
    """`RegionalEconomy` built from the app's keyword controls, ready to watch.

    Reset rebuilds the model as `PageEconomy(**card values)`. A lever left at
    None takes the scenario's value; a policy switch (keyword named after a `REGISTRY` entry)
    turns that package on in addition to those the scenario enables. The scenario's burn-in is
    run here, so quarter 0 on screen is a settled economy and every later step records a row.
    """

    def __init__(self, scenario: str = "baseline", n_regions: int | None = None,
                 capital_mobility: float | None = None, trade_openness: float | None = None,
                 government_rule: str | None = None, tax_salience: float | None = None,
                 workers: int = CLASSROOM_WORKERS,
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
            "tax_salience": tax_salience, "workers": workers, "seed": seed, **kwargs}
        base = load_scenario(scenario)
        regions = base.world.n_regions if n_regions is None else int(n_regions)
        overrides: dict[str, Any] = {"n_regions": regions,
                                     "workers_per_region": max(1, round(workers / regions))}
        if regions != base.world.n_regions:
            overrides["region_sizes"] = []  # the scenario's sizes fit its own region count
        overrides.update({k: v for k, v in zip(LEVERS, (capital_mobility, trade_openness,
                                                        government_rule), strict=True)
                          if v is not None})
        if tax_salience is not None:
            overrides["capital.tax_salience"] = tax_salience
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
        # Play steps in a thread while the page changes levers: one at a time.
        self.lock = threading.RLock()
        super().__init__(scen, seed=parse_seed(seed))
        self.scenario_name = scenario
        self.notice = ""  # a message for the page (see PageEconomy)
        self.lever_changes: list[tuple[int, str]] = []  # (quarter, what changed)
        self.preset = ""  # the lesson preset this economy was built from, if any
        #: The previous run, drawn as grey dashes to compare experiments: (label, its rows).
        self.ghost: tuple[str, pd.DataFrame] | None = None
        self._step_times: deque[float] = deque(maxlen=21)
        self.redraws = RedrawPacer()  # paces play's redraws (see RunControls)
        self._history: tuple[int, pd.DataFrame, pd.DataFrame] | None = None
        for _ in range(self.params.world.burn_in):
            self.step()
        self._step_times.clear()

    @property
    def label(self) -> str:
        """What this run is, for the ghost line's legend."""
        if self.preset:
            return PRESETS[self.preset]["label"]
        lv = self.levers
        return (f"{self.scenario_name}, mobility {lv['capital_mobility']:g}, "
                f"{lv['government_rule']}")

    def step(self) -> None:
        with self.lock:
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
        params = load_scenario(self.params, changed)  # validated like any override
        with self.lock:  # between two quarters, never during one
            self.params = params
        self.settings.update(changed)
        text = ", ".join(f"{k.replace('_', ' ')} {v:g}" if isinstance(v, float)
                         else f"{k.replace('_', ' ')} {v}" for k, v in changed.items())
        self.lever_changes.append((self.quarter, text))

    def rebuilt(self, **settings: Any) -> DemoEconomy:
        """A fresh economy with these settings changed, everything else as this one."""
        return type(self)(**{**self.settings, **settings})

    def history(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole run from quarter 0: economy rows and region rows, built once per step."""
        if self._history is None or self._history[0] != len(self.records):
            n = len(self.records)  # a consistent cut, should a step run while we read
            eco = pd.DataFrame.from_records(self.records[:n])
            reg = pd.DataFrame.from_records(self.region_records[:n * self.n_regions])
            eco, reg = eco[eco["step"] >= 0], reg[reg["step"] >= 0]
            self._history = (n, eco.reset_index(drop=True), reg.reset_index(drop=True))
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
                 "government_rule", "tax_salience", "workers")


def page_scenarios() -> list[str]:
    """The scenarios the page offers: the one it started from, and every shipped one."""
    names = list(list_scenarios())
    start = start_scenario()
    return names if start in names else [start, *names]


# -- figures (plain functions of the model, so tests can call them without a browser) ------------

def _figure(rows: int, width: float, height: float) -> tuple[Figure, Any]:
    # Fixed margins, not a layout engine: it would halve the redraw rate, and the page
    # redraws every chart each time the model moves.
    fig = Figure(figsize=(width, height), dpi=90)
    fig.subplots_adjust(left=0.17, right=0.9, top=1 - 0.45 / height, bottom=0.45 / height,
                        hspace=0.14)
    return fig, fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]


def marker_rows(years: list[float], span: float, gap: float = 0.14, rows: int = 4) -> list[int]:
    """A text row for each lever mark's label, so that no two labels in a row are closer than
    `gap` of the axis `span`; -1 where every row is taken (that mark keeps its number only)."""
    last: list[float] = [-np.inf] * rows
    placed = []
    for x in years:
        row = next((r for r in range(rows) if x - last[r] >= gap * span), -1)
        if row >= 0:
            last[row] = x
        placed.append(row)
    return placed


def _finish(ax: Any, model: DemoEconomy, label: bool = True) -> None:
    """Years on x from 0 to the end of the run (at least `DEFAULT_STOP_YEAR`), so the whole
    run and every change stay in view; a dotted line where a world lever moved, numbered,
    with its label in the first free row, so the class sees the cause before the effect."""
    end = max(float(DEFAULT_STOP_YEAR), model.quarter / 4)
    ax.set_xlim(0, end)
    years = [q / 4 for q, _ in model.lever_changes]
    for k, ((_, text), x, row) in enumerate(zip(model.lever_changes, years,
                                                 marker_rows(years, end), strict=True)):
        ax.axvline(x, color="0.45", ls=":", lw=1.2)
        if label and row >= 0:
            ax.annotate(f"{k + 1} {text}", (x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -3 - 9 * row), textcoords="offset points",
                        va="top", fontsize=7, color="0.25")
        elif label:  # every row taken: the number only, above the plot, as a tick label
            ax.annotate(f"{k + 1}", (x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 2), textcoords="offset points", ha="center",
                        va="bottom", fontsize=6, color="0.25", annotation_clip=False)


def _direct_labels(ax: Any, ends: dict[int, float], span: float) -> None:
    """R0, R1, ... at the right end of each region's line, pushed apart to stay readable."""
    order = sorted(ends, key=lambda r: ends[r])
    placed: list[float] = []
    for r in order:
        y = ends[r] if not placed else max(ends[r], placed[-1] + 0.07 * span)
        placed.append(y)
        ax.annotate(f"R{r}", (1.0, y), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7,
                    color=region_colour(r), annotation_clip=False)


def _by_region(ax: Any, reg: pd.DataFrame, column: str, top: float) -> None:
    wide = reg.pivot(index="step", columns="region", values=column)
    for r in wide.columns:
        ax.plot(wide.index / 4, wide[r], color=region_colour(int(r)), lw=1.0)
    ax.plot(wide.index / 4, wide.mean(axis=1), color="black", lw=2.0, label="mean")
    if len(wide):
        _direct_labels(ax, {int(r): float(wide[r].iloc[-1]) for r in wide.columns}, top)


def _ghost(ax: Any, model: DemoEconomy, column: str, scale: float = 1.0,
           named: bool = True) -> None:
    if model.ghost is not None:
        label, rows = model.ghost
        ax.plot(rows["step"] / 4, scale * rows[column], color="0.5", ls="--", lw=1.6,
                label=f"previous run (mean): {label}" if named else "previous run")


#: The three panels of the lesson: column, y label with its unit, fixed y range where one fits.
LESSON_PANELS = (
    ("capital_tax", "mean_capital_tax", "capital tax\n(share of profit)", 0.65),
    ("labour_standard", "mean_labour_standard", "labour standard\n(floor / median wage)",
     1.05),
)


def lesson_figure(model: DemoEconomy) -> Figure:
    """The lesson's three charts in one picture: capital tax and labour standard by region
    (falling together is the race to the bottom) and capital flight, on one time axis."""
    eco, reg = model.history()
    fig, axes = _figure(3, 4.9, 5.8)
    for ax, (column, mean_column, ylabel, top) in zip(axes, LESSON_PANELS, strict=False):
        top = max(top, float(reg[column].max()) + 0.05) if len(reg) else top
        _by_region(ax, reg, column, top)
        _ghost(ax, model, mean_column)
        ax.set(ylabel=ylabel, ylim=(0, top))
    flight = axes[2]
    years = eco["step"] / 4
    flight.fill_between(years, 100 * eco["capital_flight"], color=PALETTE[1], alpha=0.35, lw=0)
    flight.plot(years, 100 * eco["capital_flight"], color=PALETTE[1], lw=1, label="this run")
    _ghost(flight, model, "capital_flight", 100.0)
    peak = max([2.0, *(100 * eco["capital_flight"]).tolist(),
                *([] if model.ghost is None else (100 * model.ghost[1]["capital_flight"]))])
    flight.set(ylim=(0, 1.1 * peak), ylabel="capital flight\n(% of capital a quarter)",
               xlabel="years since the start (1 year = 4 quarters)")
    axes[0].set_title("Policy by region (black: mean; R0, R1, ...: regions) and capital flight",
                      fontsize=9)
    if model.ghost is not None:
        flight.legend(frameon=False, fontsize=7, loc="upper right")
    for k, ax in enumerate(axes):
        _finish(ax, model, label=k == 0)
    return fig


def roads_figure(model: DemoEconomy) -> Figure:
    eco, _ = model.history()
    fig, (ax,) = _figure(1, 4.3, 2.3)
    years = eco["step"] / 4
    ax.plot(years, eco["high_road_share"], color=PALETTE[0], label="high-road firms")
    ax.plot(years, eco["high_road_employment_share"], color=PALETTE[0], ls="--",
            label="high-road employment")
    ax.plot(years, eco["good_jobs_share"], color=PALETTE[2], lw=2, label="good jobs")
    _ghost(ax, model, "good_jobs_share", named=False)
    ax.set(ylim=(0, 1), ylabel="share (0-1)", xlabel="years")
    ax.set_title("High road and good jobs", fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="lower left", ncol=2)
    _finish(ax, model, label=False)
    return fig


def inequality_figure(model: DemoEconomy) -> Figure:
    eco, _ = model.history()
    fig, (ax,) = _figure(1, 4.3, 2.3)
    years = eco["step"] / 4
    ax.plot(years, eco["wage_gini"], color=PALETTE[4], label="wage Gini")
    ax.plot(years, eco["income_gini"], color=PALETTE[3], lw=2, label="income Gini")
    _ghost(ax, model, "income_gini", named=False)
    top = max(0.6, float(eco[["wage_gini", "income_gini"]].max().max()) + 0.05)
    ax.set(ylim=(0, top), ylabel="Gini (0 = equal)", xlabel="years")
    ax.set_title("Inequality", fontsize=9)
    ax.legend(frameon=False, fontsize=7, loc="lower left", ncol=2)
    _finish(ax, model, label=False)
    return fig


def network_figure(model: DemoEconomy, observable: str = "capital_tax") -> Figure:
    """The regions where they sit: colour = the chosen observable, size = capital stock."""
    label, vmin, vmax = OBSERVABLES[observable]
    rows = model.region_records[-model.n_regions:]
    values = np.array([row[observable] for row in rows], dtype=float)
    capital = np.array([row["capital_stock"] for row in rows], dtype=float)
    size = 500 * capital / max(float(capital.mean()), 1e-9)
    graph = model.network
    pos = nx.get_node_attributes(graph, "pos")
    nodes = list(range(model.n_regions))
    fig = Figure(figsize=(4.3, 2.6), dpi=90)
    ax = fig.add_axes((0.02, 0.02, 0.74, 0.84))
    colour_bar = fig.add_axes((0.8, 0.1, 0.03, 0.7))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="0.75", width=1.5)
    drawn = nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=values,
                                   cmap="viridis", vmin=vmin, vmax=vmax,
                                   node_size=np.maximum(size, 30), ax=ax,
                                   edgecolors=[region_colour(r) for r in nodes], linewidths=3)
    for r in nodes:  # the name inside the disc, the value beside it: short labels, no overlap
        ax.annotate(f"R{r}", pos[r], ha="center", va="center", fontsize=7, color="white",
                    fontweight="bold")
    fig.colorbar(drawn, cax=colour_bar, label=label)
    fig.suptitle(f"Regions in quarter {model.quarter}: colour = {label}, size = capital",
                 fontsize=8, y=0.985)
    ax.margins(0.12)
    ax.set_axis_off()
    return fig


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    buffer = io.BytesIO()
    # Fast zlib level: the page re-encodes every chart each time it redraws.
    options = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
    fig.savefig(buffer, format=fmt, **options)
    return buffer.getvalue()


def figure_png(fig: Figure) -> bytes:
    return figure_bytes(fig, "png")


def records_csv(model: DemoEconomy, regions: bool = False) -> bytes:
    """The run so far as CSV: one row per quarter (or per quarter and region)."""
    eco, reg = model.history()
    return (reg if regions else eco).to_csv(index=False).encode()


# -- components -------------------------------------------------------------------------------

@solara.component
def Chart(model: DemoEconomy, draw: Callable[[DemoEconomy], Figure]) -> None:
    """One figure, redrawn only when the model has moved (a step, a reset, a lever)."""
    update_counter.get()
    png = solara.use_memo(lambda: figure_png(draw(model)),
                          [model, model.steps, len(model.lever_changes)])
    solara.Image(png, format="png")
    solara.use_effect(model.redraws.drawn, None)  # after every render: play may ask again


@solara.component
def RegionNetwork(model: DemoEconomy) -> None:
    update_counter.get()
    observable, set_observable = solara.use_state("capital_tax")
    by_label = {label: key for key, (label, _, _) in OBSERVABLES.items()}
    with solara.Column(gap="0px"):
        solara.Select("Colour regions by", value=OBSERVABLES[observable][0],
                      values=list(by_label), dense=True,
                      on_value=lambda label: set_observable(by_label.get(label, observable)))
        png = solara.use_memo(lambda: figure_png(network_figure(model, observable)),
                              [model, model.steps, observable])
        solara.Image(png, format="png")


#: The charts, in page order: the lesson's three panels first, as one picture.
CHARTS: tuple[Callable[[DemoEconomy], Figure], ...] = (lesson_figure, roads_figure,
                                                       inequality_figure)


@solara.component
def Charts(model: DemoEconomy) -> None:
    """The lesson picture on the left (it fits a 1280×720 screen whole), the rest beside it."""
    with solara.Row(gap="8px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        Chart(model, lesson_figure)
        # A fixed width: a long "Colour regions by" choice must not push this column below.
        with solara.Column(gap="4px", style={"width": "392px"}):
            RegionNetwork(model)
            Chart(model, roads_figure)
            Chart(model, inequality_figure)


ABOUT = (
    "What the agents do. Each region has firms, investors and about 10,000 workers shared "
    "between the regions. Firms hire, pay wages, invest and choose the low road (cheap "
    "labour) or the high road (quality, skill, training); investors move capital to the "
    "region with the best after-tax return, as far as capital mobility lets them. Each "
    "region's government sets a capital tax and a labour standard once a year.",
    "The levers. Capital mobility: 0 = capital cannot move, 1 = relocation and exit cost "
    "nothing. Trade openness: how much goods cross regions. Government rule: fixed (policy "
    "stays as set); competitive (maximises its residents' welfare, taking the other "
    "regions' policy as given, with what it has learned about how capital answers to "
    "taxes); democratic (the median-income resident's best policy); leviathan (maximises "
    "revenue); reactive (the old reflex rule: cut when capital leaves). Capital sees taxes "
    "(tax salience, applies at Reset): 1 = capital compares after-tax returns, 0 = capital "
    "ignores taxes (the placebo).",
    "Reading the charts. Capital tax in share of profit; labour standard as the wage floor "
    "over the median wage; capital flight as % of capital leaving its region per quarter. "
    "Dotted numbered lines mark lever changes; grey dashes are the previous run.",
)


@solara.component
def About(model: DemoEconomy) -> None:
    """'About this model': what the agents do, the levers, and what to notice now."""
    notice = (PRESETS[model.preset]["notice"] if model.preset
              else model.params.world.description or "")
    with solara.Details(summary="About this model, and what to notice", expand=False), \
            solara.Column(gap="6px", style={"max-width": "900px"}):
        solara.Text("What to notice now: " + notice, style={"font-weight": "bold"})
        for paragraph in ABOUT:
            solara.Text(paragraph)


#: Tooltips of the levers (hover or focus).
TIPS = {
    "capital_mobility": "0 = capital cannot move; 1 = relocation and exit cost nothing. "
                        "Acts from the next quarter; marked on the charts.",
    "trade_openness": "0 = each region buys its own goods; 1 = goods cross regions freely. "
                      "Acts from the next quarter.",
    "government_rule": "How each region sets its capital tax and labour standard: fixed, "
                       "competitive, democratic, leviathan, or reactive (the reflex rule).",
    "pace": "Quarters of model time per second while playing (4 = one year a second).",
    "stop": "Play pauses when the run reaches this year; raise it to go on.",
}


@solara.component
def LeverSlider(label: str, value: float, on_release: Callable[[float], None],
                tip: str) -> None:
    """A 0-1 slider that shows its value beside it and reports it once, on release (mouse
    up or key press), so one drag is one change on the charts."""
    shown, set_shown = solara.use_state(value)
    solara.use_effect(lambda: set_shown(value), [value])  # a preset or a new scenario
    with solara.Row(gap="4px", style={"align-items": "center"}):
        with solara.Tooltip(tip):
            slider = solara.v.Slider(label=label, v_model=shown, on_v_model=set_shown,
                                     min=0.0, max=1.0, step=0.05, hide_details=True,
                                     thumb_label=True, style_="min-width: 170px")
        solara.Text(f"{shown:.2f}", style={"font-weight": "bold"})

    def released(*args: Any) -> None:
        on_release(args[-1])

    solara.v.use_event(slider, "change", released)


@solara.component
def WorldLevers(model: solara.Reactive[DemoEconomy]) -> None:
    """Sidebar card: world levers acting on the running economy, and a live readout."""
    update_counter.get()
    levers, set_levers = solara.use_state(model.value.levers)  # initial value only
    scenario_seen = solara.use_ref(model.value.scenario_name)

    def carry_over() -> None:
        # A Reset builds the model from the parameter card only: a new scenario or a preset
        # brings its own world; otherwise rebuild once so the live levers hold from quarter 0
        # (and burn-in).
        fresh = model.value
        if fresh.scenario_name != scenario_seen.current or fresh.preset:
            scenario_seen.current = fresh.scenario_name
            set_levers(fresh.levers)
        elif fresh.levers != levers:
            rebuilt = fresh.rebuilt(**levers)
            rebuilt.ghost = fresh.ghost
            model.set(rebuilt)

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
        force_update()

    m = model.value
    with solara.Card("The world: acts now", margin=0):
        LeverSlider("Capital mobility", levers["capital_mobility"],
                    lambda v: set_lever("capital_mobility", v), TIPS["capital_mobility"])
        LeverSlider("Trade openness", levers["trade_openness"],
                    lambda v: set_lever("trade_openness", v), TIPS["trade_openness"])
        with solara.Tooltip(TIPS["government_rule"]):
            solara.Text("Government rule")
        solara.ToggleButtonsSingle(value=levers["government_rule"],
                                   values=list(GOVERNMENT_RULES), dense=True,
                                   style={"flex-wrap": "wrap"},
                                   on_value=lambda v: set_lever("government_rule", v))
        # Text, not Markdown: Markdown pulls KaTeX from a CDN, which a classroom may not reach.
        for text in filter(None, (m.notice, notice)):
            solara.Text(text, style={"color": "#b00020", "font-weight": "bold"})
        solara.Text(f"In effect: capital mobility {m.levers['capital_mobility']:.2f}, "
                    f"trade openness {m.levers['trade_openness']:.2f}, rule "
                    f"{m.levers['government_rule']}, capital sees taxes "
                    f"{m.params.capital.tax_salience:g}; packages on: "
                    f"{', '.join(m.policies_on) or 'none'}. Changes marked on the charts: "
                    f"{len(m.lever_changes)}.", style={"font-size": "12px"})


@solara.component
def RunControls(model: solara.Reactive[DemoEconomy], on_reset: Callable[[], None]) -> None:
    """Reset, play/pause, step, the pace in quarters per second and the year play stops at.

    Play steps the model in a thread at the chosen pace and redraws at most every
    `REDRAW_SECONDS` (and no faster than the page draws, `RedrawPacer`), so a slow pace
    shows every quarter, a fast one is not held up by drawing, and the buttons answer while
    it plays. One loop, no "Use Threads" switch: the pace is the only speed control.
    """
    update_counter.get()
    playing = solara.use_reactive(False)
    pace = solara.use_reactive(DEFAULT_PACE)
    stop_year = solara.use_reactive(DEFAULT_STOP_YEAR)
    failure = solara.use_reactive("")

    def play() -> None:
        # Quarter k of this play is due at start + k / pace: a redraw that takes longer
        # than a quarter's share is caught up by stepping without sleep until on time.
        start, done, rate = time.perf_counter(), 0, pace.value
        while playing.value:
            m = model.value
            if m.quarter >= 4 * stop_year.value or not m.running:
                break
            if pace.value != rate:  # a new pace counts from now
                start, done, rate = time.perf_counter(), 0, pace.value
            time.sleep(max(0.0, start + done / rate - time.perf_counter()))
            try:
                m.step()
            except Exception as exc:  # shown on the page, not lost in a thread
                failure.set(f"The run stopped at quarter {m.quarter}: {exc}")
                break
            done += 1
            if m.redraws.due(now := time.perf_counter()):
                m.redraws.asked(now)
                force_update()
        playing.set(False)
        force_update()

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step() -> None:
        model.value.step()
        force_update()

    m = model.value
    speed = m.steps_per_second
    with solara.Card("Run", margin=0):
        with solara.Row(gap="6px"):
            solara.Button("Reset", color="primary", on_click=lambda: (playing.set(False),
                                                                       on_reset()))
            solara.Button("❚❚" if playing.value else "▶", color="primary",
                          on_click=lambda: (failure.set(""), playing.set(not playing.value)))
            solara.Button("Step", color="primary", on_click=step, disabled=playing.value)
        with solara.Tooltip(TIPS["pace"]):
            solara.ToggleButtonsSingle(value=pace.value, values=list(PACES), dense=True,
                                       on_value=lambda v: pace.set(v if v in PACES
                                                                   else DEFAULT_PACE))
        solara.Text("quarters per second", style={"font-size": "12px"})
        with solara.Tooltip(TIPS["stop"]):
            solara.InputInt("Stop at year", value=stop_year.value, dense=True,
                            on_value=lambda v: stop_year.set(max(1, min(int(v), 1000)))
                            if isinstance(v, int) else None)
        # Lines of fixed content, so the sidebar does not move under a teacher's mouse.
        shown = f"{speed:.1f} quarters/s" if speed and playing.value else "paused"
        with solara.Column(gap="2px"):
            solara.Text(f"Quarter {m.quarter} (year {m.quarter / 4:.1f}) · {shown}",
                        style={"font-weight": "bold"})
            solara.Text(f"{len(m.workforce):,} workers · {m.n_regions} regions",
                        style={"font-size": "12px"})
            if failure.value:
                solara.Text(failure.value, style={"color": "#b00020", "font-weight": "bold"})
            if not playing.value and m.quarter >= 4 * stop_year.value:
                solara.Text(f"Paused at year {stop_year.value}: raise 'Stop at year' to go "
                            "on.", style={"color": "#8a4b00"})


def start_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "baseline")


def model_params(scenario: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parameter card (applied at Reset): scenario, regions, capital's tax salience,
    policy switches, seed; values from `settings` (a model's) where given."""
    settings = settings or {}
    scenario = settings.get("scenario", scenario)
    base = load_scenario(scenario)
    names = list(list_scenarios())
    regions = settings.get("n_regions") or base.world.n_regions
    salience = settings.get("tax_salience")
    params: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario, "label": "Scenario",
                     "values": names if scenario in names else [scenario, *names]},
        "n_regions": {"type": "SliderInt", "value": regions,
                      "min": PAGE_REGIONS[0], "max": PAGE_REGIONS[1],
                      "step": 1, "label": "Number of regions"},
        "tax_salience": {"type": "SliderFloat",
                         "value": base.capital.tax_salience if salience is None else salience,
                         "min": 0.0, "max": 1.0, "step": 0.5,
                         "label": "Capital sees taxes (0 = placebo)"},
    }
    for name in sorted(REGISTRY):
        extra = ", ".join(f"{k.replace('_', ' ')} {v:g}"
                          for k, v in SWITCH_SETTINGS.get(name, {}).items())
        params[name] = {"type": "Checkbox", "value": bool(settings.get(name, False)),
                        "label": "+ " + name.replace("_", " ") + (f" ({extra})" if extra else "")}
    params["seed"] = {"type": "InputText", "value": str(settings.get("seed", "0")),
                      "label": "Seed"}
    return params


def pending(card: dict[str, Any], model: DemoEconomy) -> list[str]:
    """Card values that differ from the running model's: they wait for Reset."""
    now = {key: spec["value"] for key, spec in model_params(model.scenario_name,
                                                             model.settings).items()}
    now["tax_salience"] = model.params.capital.tax_salience
    now["n_regions"] = model.n_regions
    return [key.replace("_", " ") for key, value in card.items()
            if key in now and value != now[key]]


@solara.component
def Presets(model: solara.Reactive[DemoEconomy], load: Callable[[str], None]) -> None:
    """One button per experiment of the lesson; hover for what it shows."""
    with solara.Card("Lesson presets (start a fresh run)", margin=0), \
            solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
        for name, preset in PRESETS.items():
            with solara.Tooltip(preset["notice"]):
                solara.Button(preset["label"], small=True, outlined=True,
                              color="primary" if model.value.preset == name else None,
                              on_click=lambda name=name: load(name))


@solara.component
def Export(model: DemoEconomy) -> None:
    update_counter.get()
    with solara.Card("Export", margin=0), solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
        for fmt in ("png", "svg"):
            solara.FileDownload(lambda fmt=fmt: figure_bytes(lesson_figure(model), fmt),
                                filename=f"highroad_lesson_q{model.quarter}.{fmt}",
                                label=f"Charts {fmt.upper()}")
        solara.FileDownload(lambda: records_csv(model),
                            filename=f"highroad_economy_q{model.quarter}.csv",
                            label="Data CSV", mime_type="text/csv")
        solara.FileDownload(lambda: records_csv(model, regions=True),
                            filename=f"highroad_regions_q{model.quarter}.csv",
                            label="Regions CSV", mime_type="text/csv")


#: Page chrome: a narrower sidebar, tight cards, no gaps between chart rows.
CSS = """
.v-card__title { padding: 4px 8px !important; font-size: 15px !important; }
.v-card { padding: 2px 8px !important; }
.v-btn-toggle .v-btn { min-width: 36px !important; padding: 0 8px !important; }
.v-expansion-panel-header { min-height: 36px !important; padding: 6px 16px !important; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""


@solara.component
def Page() -> None:
    scenario = start_scenario()
    # One economy per browser session, built once (not on every render).
    first = solara.use_memo(lambda: PageEconomy(scenario=scenario), [])
    model = solara.use_reactive(first)
    card = solara.use_reactive({})  # the parameter card's values (Mesa's ModelCreator)
    generation = solara.use_reactive(0)  # a new card after a preset, showing its values

    def stop_when_closed() -> Callable[[], None]:
        # When the session ends (tab closed, kernel culled) the play loop would go on
        # stepping in its thread; it stops on `model.running`.
        def stop() -> None:
            model.value.running = False
        return stop

    solara.use_effect(stop_when_closed, [])

    def fresh(economy: DemoEconomy) -> None:
        economy.ghost = (model.value.label, model.value.history()[0])
        model.set(economy)
        force_update()

    def reset() -> None:
        economy = PageEconomy(**card.value) if card.value else model.value.rebuilt()
        fresh(economy)

    def load(name: str) -> None:
        economy = PageEconomy(**PRESETS[name]["controls"], seed=model.value.settings["seed"])
        economy.preset = name
        fresh(economy)
        card.set({key: spec["value"] for key, spec in
                  model_params(scenario, economy.settings).items()})
        generation.set(generation.value + 1)

    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("highroad: can egalitarianism survive mobile capital?")
    with solara.Sidebar(), solara.Column(gap="6px"):
        RunControls(model, reset)
        WorldLevers(model)
        Presets(model, load)
        with solara.Card("Model parameters: apply at Reset", margin=0):
            waiting = pending(card.value, model.value)
            if waiting:
                solara.Text(f"⟳ Press Reset to apply: {', '.join(waiting)}",
                            style={"color": "#8a4b00", "font-weight": "bold"})
            ModelCreator(model, model_params(scenario, model.value.settings),
                         model_parameters=card).key(f"card-{generation.value}")
        Export(model.value)
    About(model.value)
    Charts(model.value)
