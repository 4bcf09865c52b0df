"""Charts: the six-panel summary of a run, with replicate bands and a counterfactual."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Okabe-Ito: a colour-blind-safe palette.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]


#: The summary's panels: economy column, title, y label with unit, scale, y range from 0.
PANELS = (
    ("mean_capital_tax", "Capital tax", "share of profit", 1.0, "capital_tax"),
    ("mean_labour_standard", "Labour standard", "wage floor / median wage", 1.0,
     "labour_standard"),
    ("capital_flight", "Capital flight", "% of capital leaving per quarter", 100.0, None),
    ("good_jobs_share", "Good jobs", "share of workers", 1.0, None),
    ("income_gini", "Income inequality", "Gini of household income (0-1)", 1.0, None),
    ("unemployment", "Unemployment", "% of the labour force", 100.0, None),
)


def _band(ax: plt.Axes, runs: list[pd.DataFrame], column: str, scale: float, colour: str,
          label: str, ls: str = "-") -> None:
    """The median over replicates, with the band from the lowest to the highest."""
    wide = pd.concat([r.set_index("step")[column] for r in runs], axis=1) * scale
    years = wide.index / 4
    ax.plot(years, wide.median(axis=1), color=colour, lw=2, ls=ls, label=label)
    if len(runs) > 1:
        ax.fill_between(years, wide.min(axis=1), wide.max(axis=1), color=colour, alpha=0.2,
                        lw=0)


def summary_figure(runs: list[pd.DataFrame], regions: pd.DataFrame, title: str,
                   compare: list[pd.DataFrame] | None = None, label: str = "this run",
                   compare_label: str = "") -> plt.Figure:
    """Six panels, each with its own axis and unit: capital tax and labour standard (with
    the first run's regions as thin lines), capital flight, good jobs, income inequality and
    unemployment. `runs` are replicates (economy frames): their median is drawn, and the
    band from lowest to highest when there are several; `compare`, the runs of a
    counterfactual, drawn dashed the same way."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    n = len(runs)
    for ax, (column, name, unit, scale, by_region) in zip(axes.flat, PANELS, strict=True):
        if by_region is not None:
            for r, group in regions.groupby("region"):
                ax.plot(group["step"] / 4, group[by_region], color="0.75", lw=0.7,
                        label="regions (first seed)" if r == 0 else None)
        _band(ax, runs, column, scale, PALETTE[0],
              label + (f" (median, band: {n} seeds)" if n > 1 else ""))
        if compare:
            _band(ax, compare, column, scale, PALETTE[1], compare_label, ls="--")
        ax.set_title(name, fontsize=11)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("years")
    axes[0, 0].legend(frameon=False, fontsize=8)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


def save_figure(fig: plt.Figure, path: Path, dpi: int = 150) -> None:
    """Write atomically: to a temporary name first, then rename; the format is the suffix's."""
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=dpi)
    tmp.replace(path)
    plt.close(fig)
