"""`highroad plot`: read a run's or a sweep's results folder and draw one chart kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from highroad import outputs
from highroad.analysis import plots
from highroad.errors import ScenarioError
from highroad.resources import check_output_folder
from highroad.scenarios.sweep_store import MANIFEST as SWEEP_MANIFEST

KINDS = ("timeseries", "heatmap", "tornado", "lorenz", "regions", "sobol")


class Results:
    """A results folder: a sweep's (runs.parquet, sweep.json) or a run's (NAME_*.parquet)."""

    def __init__(self, folder: str | Path, scenario: str | None = None) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ScenarioError(str(folder), "", "no such results folder",
                                "a folder written by highroad run or highroad sweep")
        self.is_sweep = any((self.folder / name).exists() for name in ("runs.parquet",
                                                                         "sweep.json"))
        if self.is_sweep:
            outputs.verify(self.folder, SWEEP_MANIFEST)
            self.spec = json.loads((self.folder / "sweep.json").read_text())
            return
        stems = sorted(p.name.removesuffix("_economy.parquet")
                       for p in self.folder.glob("*_economy.parquet"))
        if not stems:
            raise ScenarioError(str(folder), "", "holds no run or sweep results",
                                "a folder written by highroad run or highroad sweep")
        if scenario is not None and scenario not in stems:
            raise ScenarioError(str(folder), "scenario", f"no results for '{scenario}'",
                                ", ".join(stems))
        self.stem = scenario or stems[0]
        outputs.verify(self.folder, f"{self.stem}_manifest.json")

    def table(self, name: str) -> pd.DataFrame:
        stem = "" if self.is_sweep else f"{self.stem}_"
        path = self.folder / f"{stem}{name}.parquet"
        if not path.exists():
            raise ScenarioError(str(self.folder), name, f"{path.name} is missing",
                                "results of `highroad run` from this version")
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ScenarioError(str(path), "", f"not a readable Parquet file ({exc})",
                                "a table written by highroad run or highroad sweep") from None

    def need_sweep(self, kind: str) -> None:
        if not self.is_sweep:
            raise ScenarioError(str(self.folder), "kind", f"'{kind}' needs a sweep's results",
                                "timeseries, lorenz, regions for a run folder")

    def factors(self) -> list[str]:
        return list(self.spec.get("factors", {}))

    def orders(self) -> dict[str, list[Any]]:
        """Each listed factor's levels in the order the sweep file gives them."""
        return {key: d["values"] for key, d in self.spec.get("factors", {}).items()
                if "values" in d}


def plot_results(folder: str | Path, kind: str, observable: str = "income_gini",
                 by: str | None = None, x: str | None = None, y: str | None = None,
                 scenario: str | None = None, fmt: str = "png",
                 out: str | Path | None = None) -> Path:
    """Draw `kind` from the results in `folder`; return the file written."""
    if kind not in KINDS:
        raise ScenarioError("--kind", "kind", f"'{kind}' is not a chart kind", ", ".join(KINDS))
    res = Results(folder, scenario)
    target = Path(out).with_suffix("") if out else res.folder / default_name(kind, observable,
                                                                             by, x, y)
    check_output_folder(target.parent, 50e6)
    fig = draw(res, kind, observable, by, x, y)
    return plots.save(fig, target, fmt)


def default_name(kind: str, observable: str, by: str | None, x: str | None,
                 y: str | None) -> str:
    """`plot_KIND_OBSERVABLE[_by_BY][_X_vs_Y]`: two different plots never share a file."""
    name = f"plot_{kind}_{observable}"
    if kind == "timeseries" and by:
        name += f"_by_{by}"
    if kind == "heatmap":
        name += f"_{x}_vs_{y}"
    return name


def draw(res: Results, kind: str, observable: str, by: str | None, x: str | None,
         y: str | None) -> Any:
    if kind == "timeseries":
        economy = res.table("economy")
        _need_column(res, economy, observable)
        if by is not None:
            _need_column(res, economy, by)
        order = res.orders().get(by) if by and res.is_sweep else None
        return plots.timeseries(economy, observable, by=by, order=order)
    if kind == "lorenz":
        if res.is_sweep:
            raise ScenarioError(str(res.folder), "kind", "'lorenz' needs a run's households",
                                "a folder written by highroad run")
        column = observable if observable in ("income", "wealth") else "income"
        return plots.lorenz(res.table("households"), column)
    if kind == "regions":
        if res.is_sweep:
            raise ScenarioError(str(res.folder), "kind", "'regions' needs a run's network",
                                "a folder written by highroad run")
        regions = res.table("regions")
        column = observable if observable in regions else "capital_tax"
        network = json.loads((res.folder / f"{res.stem}_network.json").read_text())
        return plots.region_network(network, regions, column)
    res.need_sweep(kind)
    runs = res.table("runs")
    factors = res.factors()
    if kind == "heatmap":
        if x is None or y is None:
            raise ScenarioError("--x/--y", "x", "a heatmap needs two factors",
                                ", ".join(factors))
        for name in (x, y):
            _need_column(res, runs, name)
        return plots.heatmap(runs, x, y, observable, res.orders())
    if kind == "tornado":
        return plots.tornado(runs, factors, observable, res.orders())
    from highroad.analysis.analyze import analysis_figure, analyze

    # The indices `highroad analyze --method sobol` computes (and writes beside the sweep).
    return analysis_figure(analyze(res.folder, "sobol", observable))


def _need_column(res: Results, frame: pd.DataFrame, name: str) -> None:
    if name not in frame and f"end_{name}" not in frame:
        raise ScenarioError(str(res.folder), name, "is not a column of these results",
                            ", ".join(c for c in frame.columns if not c.startswith("end_"))[:300])
