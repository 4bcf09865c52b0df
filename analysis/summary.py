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


def summary_table(economy: pd.DataFrame) -> pd.DataFrame:
    """Start (first recorded step) versus end (mean of the last quarter of the run)."""
    last = economy.iloc[-max(1, len(economy) // 4):]
    rows = []
    for column, label in SUMMARY.items():
        start, end = float(economy[column].iloc[0]), float(last[column].mean())
        rows.append({"observable": label, "start": start, "end": end, "change": end - start})
    return pd.DataFrame(rows).set_index("observable")
