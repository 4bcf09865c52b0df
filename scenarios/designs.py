"""Experimental designs for sweeps: which factor values each design point takes.

`grid` is the full factorial of the listed levels; `lhs`, `sobol` and `morris` come from
SALib's samplers (never hand-written), so a Sobol or Morris sweep can be analysed directly
with `SALib.analyze.sobol.analyze(problem, Y)` / `SALib.analyze.morris.analyze(problem, X, Y)`
using `salib_problem` and the design points in their sampled order. A design may also be any
table of factor values (CSV or Parquet): one row per point, one column per dotted key.

A factor is either a numeric range (`{min, max}`) or a discrete set of levels (a list, or
`{values = [...]}`). A sampler sees a discrete factor as the range `[0, n_levels)` and the
point takes level `floor(x)`: the standard way to put categorical factors into Sobol and
Morris designs. An integer parameter sampled from `{min, max}` is drawn on
`[min - 0.5, max + 0.5]` and rounded, so every whole number in the range is equally likely.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("grid", "lhs", "sobol", "morris", "table")
SAMPLED = ("lhs", "sobol", "morris")


@dataclass(frozen=True)
class Factor:
    """One dotted scenario key varied by the design, with its levels or its range.

    `kind` is the Python type of the scenario parameter (float, int, bool or str): every
    value is converted to it, so a column keeps one type across all runs.
    """

    key: str
    kind: type
    levels: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None

    def bounds(self) -> list[float]:
        """The interval a SALib sampler draws this factor from."""
        if self.levels is not None:
            return [0.0, float(len(self.levels))]
        if self.kind is int:
            return [float(self.low) - 0.5, float(self.high) + 0.5]
        return [float(self.low), float(self.high)]

    def value_at(self, x: float) -> Any:
        """Map a sampled number onto this factor's value."""
        if self.levels is not None:
            return self.levels[min(int(math.floor(x)), len(self.levels) - 1)]
        if self.kind is int:
            return int(min(max(math.floor(x + 0.5), self.low), self.high))
        return float(x)

    def describe(self) -> dict[str, Any]:
        """Plain data for the resolved sweep spec."""
        if self.levels is not None:
            return {"kind": self.kind.__name__, "values": list(self.levels)}
        if self.low is None:
            return {"kind": self.kind.__name__, "from": "design table"}
        return {"kind": self.kind.__name__, "min": self.low, "max": self.high}


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """The SALib problem definition matching a sampled design."""
    return {"num_vars": len(factors), "names": [f.key for f in factors],
            "bounds": [f.bounds() for f in factors]}


def grid_points(factors: tuple[Factor, ...]) -> pd.DataFrame:
    """Full factorial in the order the factors are listed (the last varies fastest)."""
    rows = list(itertools.product(*(f.levels for f in factors)))
    return pd.DataFrame(rows, columns=[f.key for f in factors])


def sampled_points(method: str, factors: tuple[Factor, ...], samples: int, seed: int,
                   options: dict[str, Any]) -> pd.DataFrame:
    """Draw an `lhs`, `sobol` or `morris` design with SALib and map it onto the factors.

    Sizes follow SALib: `lhs` gives `samples` points, `sobol` gives `samples * (2D + 2)`
    (or `samples * (D + 2)` without second-order indices), `morris` gives
    `samples * (D + 1)` (trajectories of D + 1 points), for D factors.
    """
    unit = salib_sample(method, factors, samples, seed, options)
    columns = {f.key: [f.value_at(x) for x in unit[:, j]] for j, f in enumerate(factors)}
    return pd.DataFrame(columns)


def salib_sample(method: str, factors: tuple[Factor, ...], samples: int, seed: int,
                 options: dict[str, Any]) -> np.ndarray:
    """SALib's own sample matrix (in the problem's bounds) for a sampled design."""
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(factors)
    if method == "lhs":
        return latin.sample(problem, samples, seed=seed)
    if method == "sobol":
        return sobol.sample(problem, samples, seed=seed,
                            calc_second_order=options.get("calc_second_order", True))
    if method == "morris":
        return morris.sample(problem, samples, num_levels=options.get("num_levels", 4),
                             seed=seed)
    raise ValueError(f"not a sampled design: {method}")


def read_table(path: Path) -> pd.DataFrame:
    """A design table from CSV or Parquet: one row per point, one column per dotted key."""
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def to_python(value: Any) -> Any:
    """A numpy scalar as the plain Python value (for JSON, TOML and the scenario loader)."""
    return value.item() if isinstance(value, np.generic) else value
