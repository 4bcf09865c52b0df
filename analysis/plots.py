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
    "observed_compliance": "share of the employed paid at least the floor",
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


def outside_legend(ax: Any, **kwargs: Any) -> None:
    """A legend to the right of the axes, where it cannot cover data."""
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              **kwargs)


def timeseries(economy: pd.DataFrame, observable: str, by: str | None = None,
               years: bool = True, order: list[Any] | None = None) -> plt.Figure:
    """Mean over runs with a band from the 5th to the 95th percentile of runs, per group.

    Runs are pooled within a group: with `by`, over the other factors and the replicates;
    without it, over everything. The legend says so.
    """
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.4))
        if by:
            levels = order or sorted(economy[by].unique())
            groups = [(key, economy[economy[by] == key]) for key in levels]
        else:
            groups = [(None, economy)]
        banded = False
        for i, (key, frame) in enumerate(groups):
            stats = frame.groupby("step")[observable].agg(
                mean="mean", lo=lambda s: s.quantile(0.05), hi=lambda s: s.quantile(0.95))
            x = stats.index / 4 if years else stats.index
            color = PALETTE[i % len(PALETTE)]
            name = f"{label(by)} = {key}" if by else "mean over runs"
            ax.plot(x, stats["mean"], color=color, label=name)
            if "run_id" in frame and frame["run_id"].nunique() > 1:
                ax.fill_between(x, stats["lo"], stats["hi"], color=color, alpha=0.2, lw=0)
                banded = True
        if banded:
            pooled = "other factors and replicates pooled" if by else "all runs pooled"
            ax.fill_between([], [], [], color="grey", alpha=0.3, lw=0,
                            label=f"5-95% of runs ({pooled})")
        ax.set(xlabel="years" if years else "quarters", ylabel=label(observable))
        if by or banded:
            outside_legend(ax)
        return fig


def _tick(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def heatmap(runs: pd.DataFrame, x: str, y: str, observable: str,
            orders: dict[str, list[Any]] | None = None) -> plt.Figure:
    """Mean end-of-run value over two factors: the phase diagram of a sweep.

    Levels are drawn in `orders` (the order the sweep file lists them), else sorted; text
    and true/false levels are labelled as they are.
    """
    column = observable if observable in runs else f"end_{observable}"
    orders = orders or {}
    table = runs.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
    table = table.reindex(index=orders.get(y, table.index), columns=orders.get(x, table.columns))
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.8))
        mesh = ax.pcolormesh(np.arange(len(table.columns) + 1), np.arange(len(table.index) + 1),
                             table.to_numpy(dtype=float), cmap="viridis", shading="flat")
        ax.set_xticks(np.arange(len(table.columns)) + 0.5, [_tick(v) for v in table.columns])
        ax.set_yticks(np.arange(len(table.index)) + 0.5, [_tick(v) for v in table.index])
        ax.set(xlabel=label(x), ylabel=label(y))
        fig.colorbar(mesh, ax=ax, label=label(observable) + " (end of run)")
        return fig


#: A numeric factor with more distinct values than this is summarised by its outer fifths.
MANY_LEVELS = 10


def factor_levels(runs: pd.DataFrame, factor: str, column: str,
                  order: list[Any] | None) -> pd.Series:
    """Mean of `column` per level of `factor`, in level order.

    Listed levels keep the sweep file's order (text levels have no natural order); a numeric
    factor sampled over a range is summarised by the runs in its lowest and highest fifth.
    """
    values = runs[factor]
    if order is None and pd.api.types.is_numeric_dtype(values) and values.dtype != bool \
            and values.nunique() > MANY_LEVELS:
        low, high = values.quantile([0.2, 0.8])
        return pd.Series({f"lowest fifth (<= {low:.3g})": runs.loc[values <= low, column].mean(),
                          f"highest fifth (>= {high:.3g})": runs.loc[values >= high,
                                                                   column].mean()})
    means = runs.groupby(factor)[column].mean()
    return means.reindex(order) if order is not None else means.sort_index()


def tornado(runs: pd.DataFrame, factors: Iterable[str], observable: str,
            orders: dict[str, list[Any]] | None = None) -> plt.Figure:
    """How far the end-of-run observable moves across each factor's levels.

    Each row spans the lowest to the highest level mean, every level is marked and named
    (first and last level in the sweep's order are coloured), and rows are sorted by span.
    """
    column = observable if observable in runs else f"end_{observable}"
    orders = orders or {}
    rows = [(f, factor_levels(runs, f, column, orders.get(f))) for f in factors]
    rows.sort(key=lambda r: r[1].max() - r[1].min())
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 0.9 + 0.55 * len(rows)))
        centre = runs[column].mean()
        for i, (_, means) in enumerate(rows):
            ax.barh(i, means.max() - means.min(), left=means.min(), height=0.5,
                    color="lightgrey", label="range of level means" if i == 0 else None)
            ax.scatter(means.to_numpy(), np.full(len(means), i), color="dimgrey", s=8, zorder=3)
            rank = means.rank(method="first").astype(int) - 1  # stagger names along x
            for j, (level, value) in enumerate(means.items()):
                colour = PALETTE[0] if j == 0 else PALETTE[1] if j == len(means) - 1 else None
                if colour is not None:
                    ax.scatter([value], [i], color=colour, s=18, zorder=4,
                               label=("first level" if j == 0 else "last level")
                               if i == 0 else None)
                ax.annotate(_tick(level), (value, i), xytext=(0, 5 + 6 * (rank[level] % 3)),
                            textcoords="offset points", ha="center", fontsize=5)
        ax.axvline(centre, color="black", lw=0.8, label="mean of all runs")
        ax.set_yticks(range(len(rows)), [label(r[0]) for r in rows])
        ax.set_ylim(-0.6, len(rows) - 0.2)
        ax.margins(x=0.08)
        ax.set(xlabel=label(observable) + " (end of run)")
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2)
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


def sobol_bars(indices: pd.DataFrame, observable: str,
               legend: tuple[str, str] = ("first order (S1)", "total (ST)"),
               what: str = "Sobol index") -> plt.Figure:
    """First-order and total Sobol indices with their 95% intervals, side by side."""
    frame = indices[indices["observable"] == observable].reset_index(drop=True)
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 0.6 + 0.4 * len(frame)))
        y = np.arange(len(frame))
        ax.barh(y - 0.18, frame["S1"], xerr=frame["S1_conf"], height=0.35, color=PALETTE[0],
                label=legend[0], error_kw={"lw": 0.8})
        ax.barh(y + 0.18, frame["ST"], xerr=frame["ST_conf"], height=0.35, color=PALETTE[1],
                label=legend[1], error_kw={"lw": 0.8})
        if "group" in frame:
            names = [f"{label(f)} [{g}]" for f, g in zip(frame["factor"], frame["group"],
                                                         strict=True)]
        else:
            names = [label(f) for f in frame["factor"]]
        ax.set_yticks(y, names)
        ax.axvline(0, color="black", lw=0.6)
        ax.set(xlabel=f"{what} of {label(observable)} (95% intervals)")
        outside_legend(ax)
        return fig


def morris_dots(indices: pd.DataFrame, observable: str) -> plt.Figure:
    """Morris screening: mean absolute elementary effect (mu*) against its spread (sigma)."""
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.6))
        ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"],
                    fmt="o", color=PALETTE[0], ms=3, capsize=2, lw=0.8)
        for i, row in enumerate(indices.sort_values("mu_star").itertuples()):
            ax.annotate(label(row.factor), (row.mu_star, row.sigma), xytext=(3, 3 + 7 * (i % 2)),
                        textcoords="offset points", fontsize=6)
        ax.set(xlabel=f"mu* of {label(observable)} (95% interval)", ylabel="sigma")
        return fig


def delta_bars(indices: pd.DataFrame, observable: str) -> plt.Figure:
    """Borgonovo's delta and the first-order index with their 95% intervals."""
    frame = indices.rename(columns={"delta": "ST", "delta_conf": "ST_conf"})
    return sobol_bars(frame.assign(observable=observable), observable,
                      legend=("first order (S1)", "delta (moment-independent)"),
                      what="sensitivity")


def prim_tradeoff(trajectory: pd.DataFrame, observable: str) -> plt.Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by restricted factors."""
    with style():
        fig, ax = plt.subplots(figsize=(COLUMN, 2.6))
        points = ax.scatter(trajectory["coverage"], trajectory["density"],
                            c=trajectory["res_dim"], cmap="viridis", s=10)
        fig.colorbar(points, ax=ax, label="factors restricted",
                     ticks=sorted(set(trajectory["res_dim"].astype(int))))
        last = trajectory.iloc[-1]
        ax.scatter([last["coverage"]], [last["density"]], s=60, facecolors="none",
                   edgecolors="black", lw=0.8, label="the box found")
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2))
        ax.set(xlabel="coverage (share of runs of interest in the box)",
               ylabel="density (share of the box's runs of interest)",
               title=f"PRIM boxes for {label(observable)}", xlim=(0, 1.02), ylim=(0, 1.02))
        return fig


def claim_figure(paths: pd.DataFrame, values: pd.DataFrame, observable: str,
                 labels: tuple[str, ...], title: str) -> plt.Figure:
    """A claim's conditions (A, B and, for a difference-in-differences, C, D): the observable
    over time (`paths`: run_id, step, value; bands) and per-run end values."""
    with style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(DOUBLE, 2.4),
                                          gridspec_kw={"width_ratios": [2.2, 1]})
        conds = "ABCD"[:len(labels)]
        for i, cond in enumerate(conds):
            runs = values.loc[values["condition"] == cond, "run_id"]
            color = PALETTE[i]
            frame = paths[paths["run_id"].isin(runs)]
            stats = frame.groupby("step")["value"].agg(
                mean="mean", lo=lambda s: s.quantile(0.05), hi=lambda s: s.quantile(0.95))
            left.plot(stats.index / 4, stats["mean"], color=color, label=f"{cond}: {labels[i]}")
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
        right.set_xticks(range(len(conds)), list(conds))
        right.set(ylabel="last-quarter mean per run", xlim=(-0.5, len(conds) - 0.5))
        fig.suptitle(title, fontsize=8)
        fig.tight_layout()
        return fig


def sobol_convergence(convergence: pd.DataFrame, observable: str) -> plt.Figure:
    """Grouped total Sobol indices (95% intervals) and the interval of their difference
    against the number of base samples."""
    frame = convergence[convergence["observable"] == observable]
    with style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(DOUBLE, 2.2))
        for i, group in enumerate(("openness", "policy")):
            left.errorbar(frame["base_samples"], frame[f"ST_{group}"],
                          yerr=frame[f"ST_{group}_conf"], color=PALETTE[i], marker="o", ms=3,
                          capsize=2, label=f"{group} (total index)")
        right.plot(frame["base_samples"], frame["difference"], color="black", marker="o", ms=3)
        right.fill_between(frame["base_samples"], frame["diff_low"], frame["diff_high"],
                           color="grey", alpha=0.3, lw=0)
        right.axhline(0, color="black", lw=0.6)
        for ax in (left, right):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("base samples")
        left.set_ylabel(f"Sobol index of {label(observable)}")
        right.set_ylabel("policy minus openness (95%)")
        left.legend(frameon=False, fontsize=6)
        fig.tight_layout()
        return fig


VERDICT_CODES = {"supported": 1.0, "inconclusive": 0.0, "refuted": -1.0}


def verdict_map(cells: pd.DataFrame, title: str) -> plt.Figure:
    """A claim's verdicts over capital_mobility x trade_openness, one panel per government
    rule: the counter-claim's verdict as colour (green supported, yellow inconclusive, red
    refuted), the sceptics' as a letter (S supported, r refuted, ? inconclusive)."""
    rules = list(dict.fromkeys(cells["government_rule"])) if "government_rule" in cells \
        else ["(rule set by the claim)"]
    x = "capital_mobility" if "capital_mobility" in cells else None
    y = "trade_openness" if "trade_openness" in cells else None
    with style():
        fig, axes = plt.subplots(1, len(rules), figsize=(min(DOUBLE, 1.5 * len(rules) + 0.6),
                                                         1.9), squeeze=False)
        for ax, rule in zip(axes[0], rules, strict=True):
            sub = cells if "government_rule" not in cells else cells[
                cells["government_rule"] == rule]
            xs = sorted(sub[x].unique()) if x else [0]
            ys = sorted(sub[y].unique()) if y else [0]
            grid = np.full((len(ys), len(xs)), np.nan)
            for _, r in sub.iterrows():
                i = ys.index(r[y]) if y else 0
                j = xs.index(r[x]) if x else 0
                grid[i, j] = VERDICT_CODES.get(r["counter_verdict"], np.nan)
                ax.text(j, i, {"supported": "S", "refuted": "r"}.get(r["sceptic_verdict"], "?"),
                        ha="center", va="center", fontsize=6)
            ax.imshow(grid, cmap="RdYlGn", vmin=-1, vmax=1, origin="lower", aspect="auto")
            ax.set_xticks(range(len(xs)), [_tick(v) for v in xs])
            ax.set_yticks(range(len(ys)), [_tick(v) for v in ys])
            ax.set_title(rule, fontsize=6)
            ax.set_xlabel(label(x) if x else "", fontsize=6)
        axes[0][0].set_ylabel(label(y) if y else "", fontsize=6)
        fig.suptitle(f"{title}: counter-claim (colour), sceptics (letter)", fontsize=7)
        fig.tight_layout()
        return fig


def robust_summary(table: pd.DataFrame) -> plt.Figure:
    """Per claim, the share of its verdict map where each side's prediction is supported and
    where both headline verdicts hold."""
    rows = table[table["robust_share"].notna()] if "robust_share" in table else table.iloc[:0]
    with style():
        fig, ax = plt.subplots(figsize=(DOUBLE, 2.6))
        y = np.arange(len(rows))
        for k, (col, name) in enumerate((("sceptic_share", "sceptics supported"),
                                         ("counter_share", "counter-claim supported"),
                                         ("robust_share", "headline verdicts hold"))):
            ax.barh(y + (k - 1) * 0.27, rows[col], height=0.27, color=PALETTE[k], label=name)
        ax.set_yticks(y, rows["claim"])
        ax.invert_yaxis()
        ax.set(xlabel="share of the verdict map", xlim=(0, 1))
        outside_legend(ax)
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
