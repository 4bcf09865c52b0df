"""Charts: the four-panel summary of a run (more kinds come with the claims report)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Okabe-Ito: a colour-blind-safe palette.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]


def summary_figure(economy: pd.DataFrame, regions: pd.DataFrame, title: str) -> plt.Figure:
    """Four panels: roads and good jobs; inequality; capital tax by region; capital flight."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
    years = economy["step"] / 4
    ax = axes[0, 0]
    ax.plot(years, economy["high_road_share"], color=PALETTE[0], label="high-road firms")
    ax.plot(years, economy["high_road_employment_share"], color=PALETTE[0], ls="--",
            label="high-road employment")
    ax.plot(years, economy["good_jobs_share"], color=PALETTE[2], label="good jobs")
    ax.set(ylabel="share", ylim=(0, 1), title="Roads and good jobs")
    ax.legend(frameon=False, fontsize=8)
    ax = axes[0, 1]
    for i, (col, label) in enumerate([("wage_gini", "wage"), ("income_gini", "income"),
                                      ("unemployment", "unemployment rate")]):
        ax.plot(years, economy[col], color=PALETTE[i + 1], label=label)
    ax.set(ylabel="Gini / rate", ylim=(0, 1), title="Inequality and unemployment")
    ax.legend(frameon=False, fontsize=8)
    ax = axes[1, 0]
    for r, group in regions.groupby("region"):
        ax.plot(group["step"] / 4, group["capital_tax"], color=PALETTE[r % len(PALETTE)], lw=1,
                label=f"region {r}" if r < 8 else None)
    ax.plot(years, economy["mean_capital_tax"], color="black", lw=2, label="mean")
    ax.set(xlabel="years", ylabel="capital tax rate", title="Capital tax by region")
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax = axes[1, 1]
    ax.plot(years, economy["capital_flight"], color=PALETTE[1], lw=1)
    ax.set(xlabel="years", ylabel="share of capital per quarter", title="Capital flight")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def save_figure(fig: plt.Figure, path: Path) -> None:
    """Write atomically: to a temporary name first, then rename."""
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=150)
    tmp.replace(path)
    plt.close(fig)
