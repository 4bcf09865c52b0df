"""Regenerate the tables of docs/verification.md: `python docs/verification.py [--seeds N]`.

Each row runs the baseline world at a small size (6 regions, 500 workers and 10 firms per
region, 80 recorded quarters) over several seeds and reports the mean capital tax, labour
standard, unemployment and resident welfare over the last 20 quarters, with the spread over
seeds. The tests in tests/test_government.py assert the same comparisons on fewer seeds.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import highroad

SMALL = {"workers_per_region": 500, "firms_per_region": 10, "steps": 80}
IDENTICAL = {"volatility": 0.0, "demography.region_skill_dispersion": 0.0,
             "firms.tfp_dispersion": 0.0}
BLIND = {"capital.tax_salience": 0.0}

ALL_ROWS: list[tuple[str, dict]] = [
    ("competitive, mobility 0", {"government_rule": "competitive", "capital_mobility": 0.0}),
    ("competitive, mobility 1", {"government_rule": "competitive", "capital_mobility": 1.0}),
    ("competitive, mobility 1, tax-blind capital (salience 0)",
     {"government_rule": "competitive", "capital_mobility": 1.0, **BLIND}),
    ("competitive, mobility 0, tax-blind capital",
     {"government_rule": "competitive", "capital_mobility": 0.0, **BLIND}),
    ("competitive, mobility 1, tax-blind, identical regions",
     {"government_rule": "competitive", "capital_mobility": 1.0, **BLIND, **IDENTICAL}),
    ("competitive, mobility 1, no exit threats",
     {"government_rule": "competitive", "capital_mobility": 1.0, "capital.exit_threats": False}),
    ("democratic, mobility 0", {"government_rule": "democratic", "capital_mobility": 0.0}),
    ("democratic, mobility 1", {"government_rule": "democratic", "capital_mobility": 1.0}),
    ("democratic, mobility 1, tax-blind",
     {"government_rule": "democratic", "capital_mobility": 1.0, **BLIND}),
    ("leviathan, mobility 0", {"government_rule": "leviathan", "capital_mobility": 0.0}),
    ("leviathan, mobility 1", {"government_rule": "leviathan", "capital_mobility": 1.0}),
    ("leviathan, mobility 1, tax-blind",
     {"government_rule": "leviathan", "capital_mobility": 1.0, **BLIND}),
    ("reactive, mobility 0", {"government_rule": "reactive", "capital_mobility": 0.0}),
    ("reactive, mobility 1", {"government_rule": "reactive", "capital_mobility": 1.0}),
    ("reactive, mobility 1, tax-blind",
     {"government_rule": "reactive", "capital_mobility": 1.0, **BLIND}),
    ("fixed, mobility 1", {"government_rule": "fixed", "capital_mobility": 1.0}),
]
ROWS = ALL_ROWS
COLUMNS = ("mean_capital_tax", "mean_labour_standard", "unemployment", "resident_welfare",
           "mean_perceived_elasticity")


def end_means(overrides: dict, seed: int, scenario: str = "baseline") -> dict[str, float]:
    """Means of the last 20 recorded quarters of one run."""
    e = highroad.simulate(scenario, seed=seed, overrides={**SMALL, **overrides}).economy
    tail = e.iloc[-20:]
    return {c: float(tail[c].mean()) for c in COLUMNS}


def _run(job: tuple[dict, int]) -> dict[str, float]:
    return end_means(*job)


def table(seeds: int, workers: int) -> str:
    jobs = [(o, s) for _, o in ROWS for s in range(seeds)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(_run, jobs))
    lines = ["| configuration | capital tax | labour standard | unemployment | resident welfare "
             "| perceived elasticity |", "|---|---|---|---|---|---|"]
    for k, (name, _) in enumerate(ROWS):
        runs = results[k * seeds:(k + 1) * seeds]
        cells = []
        for c in COLUMNS:
            v = np.array([r[c] for r in runs])
            cells.append(f"{v.mean():.3f} ± {v.std(ddof=1) if v.size > 1 else 0:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    text = table(args.seeds, args.workers)
    out = Path(__file__).with_name("verification_table.md")
    out.write_text(f"<!-- made by python docs/verification.py --seeds {args.seeds} -->\n{text}\n")
    print(text)


if __name__ == "__main__":
    main()
