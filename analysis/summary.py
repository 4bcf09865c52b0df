"""The start-versus-end summary table printed after a run."""

from __future__ import annotations

import pandas as pd

SUMMARY = {
    "high_road_share": "High-road share of firms",
    "good_jobs_share": "Good-jobs share of workers",
    "wage_gini": "Wage Gini",
    "income_gini": "Income Gini",
    "unemployment": "Unemployment rate",
    "mean_capital_tax": "Mean capital tax",
    "public_goods_per_capita": "Public goods per head",
    "capital_flight": "Capital flight (share/quarter)",
    "regional_cv": "Between-region inequality (CV)",
}
#: Inequality measures, which read 0 (perfect equality) when nobody earns anything: in a
#: collapsed quarter (regions/plausibility.py) they are missing, not 0.
INEQUALITY = ("wage_gini", "income_gini", "wealth_gini", "regional_cv", "regional_theil")


def without_collapse(economy: pd.DataFrame) -> pd.DataFrame:
    """The economy rows with the inequality measures of collapsed quarters set to NaN."""
    if "collapsed" not in economy or not economy["collapsed"].any():
        return economy
    out = economy.copy()
    columns = [c for c in INEQUALITY if c in out]
    out[columns] = out[columns].astype(float)
    out.loc[out["collapsed"].astype(bool), columns] = float("nan")
    return out


def summary_table(economy: pd.DataFrame) -> pd.DataFrame:
    """Start (first recorded step) versus end (mean of the last quarter of the run).

    A run whose economy collapsed (nobody employed or nothing sold) gets a row saying in
    what share of the quarters it had collapsed, and no inequality figures for them.
    """
    economy = without_collapse(economy)
    last = economy.iloc[-max(1, len(economy) // 4):]
    rows = []
    for column, label in SUMMARY.items():
        start, end = float(economy[column].iloc[0]), float(last[column].mean())
        rows.append({"observable": label, "start": start, "end": end, "change": end - start})
    if "collapsed" in economy and economy["collapsed"].any():
        start = float(economy["collapsed"].iloc[0])
        end = float(last["collapsed"].astype(float).mean())
        rows.append({"observable": "COLLAPSED (share of quarters)", "start": start, "end": end,
                     "change": end - start})
    return pd.DataFrame(rows).set_index("observable")
