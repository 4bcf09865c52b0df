"""Publication-ready charts: one style, labelled axes with units, colour-blind-safe colours.

Every function returns a matplotlib Figure sized for a journal column (3.5 in wide; 7 in for
double-column figures); `save` writes PNG, SVG or PDF. The same functions serve
`highroad plot` and the claims report.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from highroad.analysis.charts import PALETTE  # noqa: E402

COLUMN = 3.5   # inches: one journal column
DOUBLE = 7.0   # inches: two columns
FORMATS = ("png", "svg", "pdf")

#: Axis labels with units for the observables a user is most likely to plot.
LABELS = {
    "high_road_share": "high-road share of firms",
    "high_road_employment_share": "high-road share of employment",
    "good_jobs_share": "good-jobs share of workers",
    "income_gini": "income Gini",
    "wage_gini": "wage Gini",
    "wealth_gini": "wealth Gini",
    "unemployment": "unemployment rate",
    "mean_capital_tax": "mean capital tax (share of profit)",
    "capital_tax": "capital tax (share of profit)",
    "labour_standard": "wage floor (share of median wage)",
    "mean_labour_standard": "mean wage floor (share of median wage)",
    "capital_flight": "capital flight (share of capital per quarter)",
    "regional_cv": "between-region CV of GDP per head",
    "public_goods_per_capita": "public goods per head (initial quarterly output)",
    "gdp_per_capita": "GDP per head (initial quarterly output)",
    "capital_mobility": "capital mobility (0-1)",
    "trade_openness": "trade openness (0-1)",
    "associative_capacity": "associative capacity (0-1)",
    "compliance": "share of firms complying",
    "local_capture": "share of demand met at home",
}

STYLE = {
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False,
    "axes.spines.right": False, "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.dpi": 150, "savefig.bbox": "tight", "lines.linewidth": 1.2,
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").replace(".", ": "))


@contextmanager
def style():
    with plt.rc_context(STYLE):
        yield


def save(fig: plt.Figure, path: Path, fmt: str = "png") -> Path:
    """Write atomically (temporary name, then rename) in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    path = path.with_suffix(f".{fmt}")
    tmp = path.with_name(f".{path.stem}.tmp.{fmt}")
    fig.savefig(tmp, format=fmt, bbox_inches="tight", dpi=200)
    tmp.replace(path)
    plt.close(fig)
    return path


def timeseries(economy: pd.DataFrame, observable: str, by: str | None = None,
               years: bool = True) -> plt.Figure:
    """Mean over replicates with a band from the 5th to the 95th percentile, per group."""
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.4))
        groups = economy.groupby(by) if by else [(None, economy)]
        for i, (key, frame) in enumerate(groups):
            stats = frame.groupby("step")[observable].agg(
                mean="mean", lo=lambda s: s.quantile(0.05), hi=lambda s: s.quantile(0.95))
            x = stats.index / 4 if years else stats.index
            color = PALETTE[i % len(PALETTE)]
            name = f"{label(by)} = {key}" if by else None
            ax.plot(x, stats["mean"], color=color, label=name)
            if "run_id" in frame and frame["run_id"].nunique() > 1:
                ax.fill_between(x, stats["lo"], stats["hi"], color=color, alpha=0.2, lw=0)
        ax.set(xlabel="years" if years else "quarters", ylabel=label(observable))
        if by:
            ax.legend(frameon=False)
        return fig


def heatmap(runs: pd.DataFrame, x: str, y: str, observable: str) -> plt.Figure:
    """Mean end-of-run value over two factors: the phase diagram of a sweep."""
    column = observable if observable in runs else f"end_{observable}"
    table = runs.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.8))
        mesh = ax.pcolormesh(np.arange(len(table.columns) + 1), np.arange(len(table.index) + 1),
                             table.to_numpy(), cmap="viridis", shading="flat")
        ax.set_xticks(np.arange(len(table.columns)) + 0.5,
                      [f"{v:.3g}" for v in table.columns])
        ax.set_yticks(np.arange(len(table.index)) + 0.5, [f"{v:.3g}" for v in table.index])
        ax.set(xlabel=label(x), ylabel=label(y))
        fig.colorbar(mesh, ax=ax, label=label(observable) + " (end of run)")
        return fig


def tornado(runs: pd.DataFrame, factors: Iterable[str], observable: str) -> plt.Figure:
    """Swing of the end-of-run observable between each factor's lowest and highest level."""
    column = observable if observable in runs else f"end_{observable}"
    rows = []
    for f in factors:
        means = runs.groupby(f)[column].mean()
        rows.append((f, means.iloc[0], means.iloc[-1]))
    rows.sort(key=lambda r: abs(r[2] - r[1]))
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 0.5 + 0.35 * len(rows)))
        centre = runs[column].mean()
        for i, (_, low, high) in enumerate(rows):
            ax.barh(i, low - centre, left=centre, color=PALETTE[0], label="lowest level"
                    if i == 0 else None)
            ax.barh(i, high - centre, left=centre, color=PALETTE[1], label="highest level"
                    if i == 0 else None)
        ax.axvline(centre, color="black", lw=0.8)
        ax.set_yticks(range(len(rows)), [label(r[0]) for r in rows])
        ax.set(xlabel=label(observable) + " (end of run)")
        ax.legend(frameon=False, loc="lower right")
        return fig


def lorenz(households: pd.DataFrame, column: str = "income",
           by: str | None = None) -> plt.Figure:
    """Lorenz curves of household income or wealth (weights: households per row)."""
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, COLUMN))
        groups = households.groupby(by) if by else [(None, households)]
        for i, (key, frame) in enumerate(groups):
            order = np.argsort(frame[column].to_numpy())
            x = np.maximum(frame[column].to_numpy()[order], 0)
            w = frame["weight"].to_numpy()[order]
            pop = np.r_[0, np.cumsum(w)] / w.sum()
            share = np.r_[0, np.cumsum(x * w)] / max((x * w).sum(), 1e-12)
            ax.plot(pop, share, color=PALETTE[i % len(PALETTE)],
                    label=f"{by} {key}" if by else column)
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="equality")
        ax.set(xlabel="cumulative share of households", ylabel=f"cumulative share of {column}",
               xlim=(0, 1), ylim=(0, 1))
        ax.legend(frameon=False)
        return fig


def region_network(network: dict[str, Any], regions: pd.DataFrame,
                   observable: str) -> plt.Figure:
    """The region network, nodes coloured by an observable and sized by capital stock."""
    graph = nx.node_link_graph(network, edges="links")
    last = regions[regions["step"] == regions["step"].max()].set_index("region")
    pos = {n: tuple(graph.nodes[n]["pos"]) for n in graph.nodes}
    nodes = sorted(graph.nodes)
    values = last.loc[nodes, observable].to_numpy()
    capital = last.loc[nodes, "capital_stock"].to_numpy()
    sizes = 100 + 900 * capital / max(capital.max(), 1e-12)
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, COLUMN))
        nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="grey", width=0.8)
        drawn = nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=values,
                                       node_size=sizes, cmap="viridis", ax=ax)
        nx.draw_networkx_labels(graph, pos, ax=ax, font_size=7, font_color="white")
        fig.colorbar(drawn, ax=ax, label=label(observable), shrink=0.8)
        ax.set_axis_off()
        ax.set_title("regions (size: capital stock)")
        return fig


def sobol_bars(indices: pd.DataFrame, observable: str) -> plt.Figure:
    """First-order and total Sobol indices with their 95% intervals, side by side."""
    frame = indices[indices["observable"] == observable].reset_index(drop=True)
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 0.6 + 0.4 * len(frame)))
        y = np.arange(len(frame))
        ax.barh(y - 0.18, frame["S1"], xerr=frame["S1_conf"], height=0.35, color=PALETTE[0],
                label="first order (S1)", error_kw={"lw": 0.8})
        ax.barh(y + 0.18, frame["ST"], xerr=frame["ST_conf"], height=0.35, color=PALETTE[1],
                label="total (ST)", error_kw={"lw": 0.8})
        names = [f"{label(f)} [{g}]" for f, g in zip(frame["factor"], frame["group"],
                                                     strict=True)]
        ax.set_yticks(y, names)
        ax.axvline(0, color="black", lw=0.6)
        ax.set(xlabel=f"Sobol index of {label(observable)}")
        ax.legend(frameon=False)
        return fig


def claim_figure(economy: pd.DataFrame, values: pd.DataFrame, observable: str,
                 labels: tuple[str, str], title: str) -> plt.Figure:
    """A claim's two conditions: the observable over time (bands) and per-run end values."""
    with style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(DOUBLE, 2.4),
                                          gridspec_kw={"width_ratios": [2.2, 1]})
        for i, cond in enumerate(("A", "B")):
            runs = values.loc[values["condition"] == cond, "run_id"]
            color = PALETTE[i]
            if not observable.startswith("regions:"):
                frame = economy[economy["run_id"].isin(runs)]
                stats = frame.groupby("step")[observable].agg(
                    mean="mean", lo=lambda s: s.quantile(0.05), hi=lambda s: s.quantile(0.95))
                left.plot(stats.index / 4, stats["mean"], color=color,
                          label=f"{cond}: {labels[i]}")
                left.fill_between(stats.index / 4, stats["lo"], stats["hi"], color=color,
                                  alpha=0.2, lw=0)
            v = values.loc[values["condition"] == cond, "value"]
            jitter = np.linspace(-0.08, 0.08, len(v))
            right.scatter(np.full(len(v), i) + jitter, v, color=color, s=10)
            right.errorbar(i + 0.25, v.mean(), yerr=1.96 * v.std(ddof=1) / np.sqrt(len(v)),
                           fmt="o", color="black", ms=3, capsize=2)
        left.set(xlabel="years", ylabel=label(observable.split(":")[-2]
                                               if observable.startswith("regions:")
                                               else observable))
        left.legend(frameon=False, fontsize=6)
        right.set_xticks([0, 1], ["A", "B"])
        right.set(ylabel="last-quarter mean per run", xlim=(-0.5, 1.5))
        fig.suptitle(title, fontsize=8)
        fig.tight_layout()
        return fig


def regime_dots(walzer: pd.DataFrame) -> plt.Figure:
    """Walzer's regimes on each criterion: means with 95% intervals."""
    criteria = list(dict.fromkeys(walzer["criterion"]))
    with style():
        fig, axes = plt.subplots(1, len(criteria), figsize=(DOUBLE, 2.6), sharey=True)
        for ax, criterion in zip(np.atleast_1d(axes), criteria, strict=False):
            frame = walzer[walzer["criterion"] == criterion].reset_index(drop=True)
            y = np.arange(len(frame))
            ax.errorbar(frame["mean"], y, xerr=[frame["mean"] - frame["ci_low"],
                                                frame["ci_high"] - frame["mean"]],
                        fmt="o", color=PALETTE[0], ms=3, capsize=2)
            ax.set_yticks(y, [r.replace("_", " ") for r in frame["regime"]])
            ax.set_title(f"{criterion}\n({frame['better'].iloc[0]} is better)", fontsize=7)
        fig.tight_layout()
        return fig
