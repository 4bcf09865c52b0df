"""The figures of `highroad facts`: Beveridge curve, wage curve, firm sizes, convergence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from highroad.analysis.charts import save_figure  # noqa: E402
from highroad.analysis.facts import Replicate  # noqa: E402

if TYPE_CHECKING:
    from highroad.analysis.facts_report import FactsSpec


def write_figures(replicates: list[Replicate], spec: FactsSpec, folder: Path,
                  model: dict[str, float]) -> list[Path]:
    """Draw the four figures into `folder` (`model`: each fact's estimate); their paths."""
    paths = []
    for name, draw in (("beveridge_curve", beveridge), ("wage_curve", wage_curve),
                       ("firm_sizes", firm_sizes), ("convergence", convergence)):
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
        draw(ax, replicates, spec, model)
        fig.tight_layout()
        path = folder / f"{name}.png"
        save_figure(fig, path)
        paths.append(path)
    return paths


def _pooled(replicates: list[Replicate], key: str) -> np.ndarray:
    return np.concatenate([np.asarray(r.figures[key], dtype=float) for r in replicates])


def _fit_line(ax: plt.Axes, x: np.ndarray, slope: float, label: str) -> None:
    if x.size and np.isfinite(slope):
        grid = np.linspace(x.min(), x.max(), 2)
        ax.plot(grid, slope * grid, color="black", lw=1.5, label=label)
        ax.legend(frameon=False)


def beveridge(ax: plt.Axes, replicates: list[Replicate], spec: FactsSpec,
              model: dict[str, float]) -> None:
    """Vacancy rate against unemployment rate over the window, the first replicate's path."""
    first = replicates[0]
    u, v = first.figures["unemployment"], first.figures["vacancy"]
    ax.plot(100 * u, 100 * v, "-o", ms=2, lw=0.6, color="tab:blue")
    corr = first.facts["beveridge_correlation"]
    ax.set(xlabel="unemployment rate (%)", ylabel="vacancy rate (%)",
           title=f"Beveridge curve (seed {first.seed}; corr {corr:.2f})")


def wage_curve(ax: plt.Axes, replicates: list[Replicate], spec: FactsSpec,
               model: dict[str, float]) -> None:
    """Log regional wage against log regional unemployment, region and year effects out."""
    x, y = _pooled(replicates, "wage_x"), _pooled(replicates, "wage_y")
    ax.scatter(x, y, s=4, alpha=0.3, color="tab:blue")
    slope = model["wage_curve_elasticity"]
    fact = spec.facts["wage_curve_elasticity"]
    _fit_line(ax, x, slope, f"elasticity {slope:.3f} (data {fact.low} to {fact.high})")
    ax.set(xlabel="log regional unemployment (within)",
           ylabel="log regional wage at given skill and tenure (within)",
           title="Regional wage curve")


def firm_sizes(ax: plt.Axes, replicates: list[Replicate], spec: FactsSpec,
               model: dict[str, float]) -> None:
    """Share of firms with at least s employees against s, log-log, every replicate."""
    for r in replicates:
        s = np.sort(np.asarray(r.figures["firm_sizes"], dtype=float))
        s = s[s > 0]
        if s.size:
            ax.loglog(s[::-1], np.arange(1, s.size + 1) / s.size, lw=0.8, alpha=0.5,
                      color="tab:blue")
    alpha = model["zipf_exponent"]
    ax.loglog([], [], color="tab:blue", label=f"model (Zipf exponent {alpha:.2f})")
    sizes = _pooled(replicates, "firm_sizes")
    sizes = sizes[sizes > 0]
    if sizes.size:
        grid = np.geomspace(np.median(sizes), sizes.max(), 20)
        ax.loglog(grid, 0.5 * np.median(sizes) / grid, "k--", lw=1, label="Zipf (exponent 1)")
    ax.legend(frameon=False)
    ax.set(xlabel="employees s", ylabel="share of firms with at least s",
           title="Firm-size distribution (last quarter)")


def convergence(ax: plt.Axes, replicates: list[Replicate], spec: FactsSpec,
                model: dict[str, float]) -> None:
    """Annual growth of GDP per head against its initial log, period effects out."""
    x, y = _pooled(replicates, "convergence_x"), _pooled(replicates, "convergence_y")
    ax.scatter(x, y, s=6, alpha=0.4, color="tab:blue")
    beta = model["beta_convergence"]
    T = spec.convergence_years
    slope = -(1 - np.exp(-beta * T)) / T if np.isfinite(beta) else float("nan")
    _fit_line(ax, x, slope, f"beta {100 * beta:.1f}% a year")
    ax.set(xlabel="initial log GDP per head (within period)",
           ylabel="annual growth (within period)",
           title=f"Regional beta-convergence ({T}-year periods)")
