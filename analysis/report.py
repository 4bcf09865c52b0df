"""The claims report: run every claim, write claims.md, claims.csv and the figures."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from highroad.analysis import plots
from highroad.analysis.claims import (
    ClaimsSpec,
    c5_result,
    claim_result,
    load_claims,
    run_conditions,
    walzer_result,
)
from highroad.analysis.verdicts import RULE
from highroad.errors import ScenarioError
from highroad.provenance import describe, versions
from highroad.resources import check_output_folder
from highroad.scenarios.sweep_spec import MAX_RUNS


@dataclass
class ClaimsReport:
    table: pd.DataFrame          # one row per claim (and per C5 observable)
    sobol: pd.DataFrame | None
    walzer: pd.DataFrame | None
    out: Path


def selected(spec: ClaimsSpec, only: list[str] | None) -> tuple[list, bool, bool]:
    """Which claims, and whether C5 and the Walzer comparison, `--only` asks for."""
    if not only:
        return list(spec.claims), bool(spec.c5), bool(spec.walzer)
    tokens = {t.strip().upper() for t in only if t.strip()}

    def wanted(claim_id: str) -> bool:
        parts = {claim_id.upper(), *claim_id.upper().split("/")}
        return bool(parts & tokens)

    claims = [c for c in spec.claims if wanted(c.id)]
    c5 = bool(spec.c5) and wanted(spec.c5.get("id", "H5/C5"))
    walzer = bool(spec.walzer) and "WALZER" in tokens
    known = {p for c in spec.claims for p in (c.id.upper(), *c.id.upper().split("/"))}
    known |= {"H5", "C5", "H5/C5", "WALZER"}
    unknown = sorted(tokens - known)
    if unknown:
        raise ScenarioError("--only", "only", f"unknown claim {', '.join(unknown)}",
                            ", ".join([c.id for c in spec.claims] + ["H5/C5", "walzer"]))
    return claims, c5, walzer


def run_claims(out: str | Path = "out/claims", replicates: int | None = None,
               steps: int | None = None, workers: int | None = None,
               overrides: dict[str, Any] | None = None, only: list[str] | None = None,
               sobol_samples: int | None = None, progress: bool = True,
               claims_file: str | Path | None = None, fmt: str = "png") -> ClaimsReport:
    """Decide every selected claim by runs and write the report to `out`."""
    from tqdm import tqdm

    spec = load_claims(claims_file)
    user = dict(overrides or {})
    if steps is not None:
        user["steps"] = steps
    reps = int(replicates or spec.replicates)
    if not 2 <= reps <= MAX_RUNS:
        raise ScenarioError("--replicates", "replicates", f"{reps} is out of range",
                            f">= 2 and <= {MAX_RUNS:,}")
    if sobol_samples is not None and not 1 <= sobol_samples <= MAX_RUNS:
        raise ScenarioError("--sobol-samples", "sobol_samples", f"{sobol_samples} is out of "
                            "range", f">= 1 and <= {MAX_RUNS:,}")
    claims, do_c5, do_walzer = selected(spec, only)
    out = check_output_folder(out, 100e6)  # the report; each sweep checks its own runs
    runs_dir = out / "runs"
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    rows, sections = [], []
    total = len(claims) + do_c5 + do_walzer
    with tqdm(total=total, desc="claims", unit="claim", disable=not progress) as bar:
        for claim in claims:
            bar.set_postfix_str(claim.id)
            name = claim.id.replace("/", "_")
            runs = run_conditions(name, [claim.a, claim.b], spec, user, reps, runs_dir, workers)
            row, values = claim_result(claim, runs)
            values = values.merge(runs.runs[["run_id"]], on="run_id")
            fig = plots.claim_figure(runs.economy, values, claim.observable,
                                     (claim.a.label, claim.b.label),
                                     f"{claim.id} {claim.title}")
            row["figure"] = plots.save(fig, figures / name, fmt).relative_to(out).as_posix()
            rows.append(row)
            sections.append((claim, row))
            bar.update()
        sobol = None
        if do_c5:
            bar.set_postfix_str("H5/C5")
            c5_rows, sobol = c5_result(spec, user, runs_dir, workers, sobol_samples)
            for r in c5_rows:
                obs = r["observable"].split(" ")[0]
                fig = plots.sobol_bars(sobol, obs)
                r["figure"] = plots.save(fig, figures / f"H5_C5_{obs}", fmt).relative_to(
                    out).as_posix()
            rows.extend(c5_rows)
            bar.update()
        walzer = None
        if do_walzer:
            bar.set_postfix_str("walzer")
            walzer = walzer_result(spec, user, runs_dir, reps, workers)
            plots.save(plots.regime_dots(walzer), figures / "walzer_regimes", fmt)
            bar.update()
    table = pd.DataFrame(rows)
    write_atomic(out / "claims.csv", table.to_csv(index=False))
    write_atomic(out / "versions.json", json.dumps(versions(), indent=1) + "\n")
    if sobol is not None:
        write_atomic(out / "sobol.csv", sobol.to_csv(index=False))
    if walzer is not None:
        write_atomic(out / "walzer.csv", walzer.to_csv(index=False))
    text = markdown(spec, table, sections, sobol, walzer, reps, user, fmt)
    write_atomic(out / "claims.md", text)
    return ClaimsReport(table, sobol, walzer, out)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _ci(row: pd.Series, digits: int = 3) -> str:
    return (f"{row['effect']:+.{digits}f} [{row['ci_low']:+.{digits}f}, "
            f"{row['ci_high']:+.{digits}f}]")


def markdown(spec: ClaimsSpec, table: pd.DataFrame, sections: list, sobol: pd.DataFrame | None,
             walzer: pd.DataFrame | None, reps: int, user: dict[str, Any], fmt: str) -> str:
    command = "highroad claims " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "claims" else "highroad.analysis.run_claims()"
    world = {**spec.world, **user}
    lines = [
        "# Claims report", "",
        f"Made by `{command}`: {reps} replicates per condition (common random numbers), "
        f"world {', '.join(f'{k}={v}' for k, v in world.items())}; each run summarised by the "
        "mean of the last quarter of its recorded steps.", "",
        f"Versions: {describe(versions())}, Python {versions()['python']} (also in "
        "`versions.json`, beside `claims.csv`).", "",
        "## The rule", "", RULE, "",
        f"The margin is {spec.margin:g} times |mean of A| unless a claim declares its own. "
        "`not_increase` and `not_decrease` are the unions of `no_change` with `decrease` or "
        "`increase`. H5/C5 compares the summed total-order Sobol indices of the policy "
        "factors (B) with those of the openness factors (A); its interval comes from SALib's "
        "bootstrap resamples.", "",
        "## Verdicts", "",
        "| claim | source | A → B | observable | effect B−A [95% CI] | ratio B/A "
        "| sceptic | Cohen-Rogers / the paper |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        ratio = "" if pd.isna(row["ratio"]) else f"{row['ratio']:.3f}"
        lines.append(
            f"| {row['claim']} {row['title']} | {row['source']} | {row['condition_a']} → "
            f"{row['condition_b']} | {row['observable']} | {_ci(row)} | {ratio} | "
            f"{row['sceptic_predicts']}: **{row['sceptic_verdict']}** | "
            f"{row['counter_predicts']}: **{row['counter_verdict']}** |")
    lines.append("")
    for claim, row in sections:
        lines += [
            f"## {claim.id}: {claim.title}", "",
            f"*{claim.source}*", "",
            f"- Sceptic: {claim.sceptic} Predicts **{claim.sceptic_predicts}** → "
            f"**{row['sceptic_verdict']}**.",
            f"- Counter-claim: {claim.counter} Predicts **{claim.counter_predicts}** → "
            f"**{row['counter_verdict']}**.",
            f"- A: {claim.a.label} (`{claim.a.scenario}` {claim.a.overrides or ''}).",
            f"- B: {claim.b.label} (`{claim.b.scenario}` {claim.b.overrides or ''}).",
            f"- {claim.observable}: A {row['mean_a']:.4f}, B {row['mean_b']:.4f}; effect "
            f"{_ci(row, 4)}; margin ±{row['margin']:.4f}.",
            f"- Mechanism at stake: {claim.mechanism}.", "",
            f"![{claim.id}]({row['figure']})", "",
        ]
    if sobol is not None:
        lines += ["## H5/C5: internationalization is secondary", "",
                  "Sobol indices (first order S1 and total ST, 95% intervals) of each observable "
                  "over the openness factors and the policy factors.", "",
                  "| observable | factor | group | S1 | ST |", "|---|---|---|---|---|"]
        for _, r in sobol.iterrows():
            lines.append(f"| {r['observable']} | {r['factor']} | {r['group']} | "
                         f"{r['S1']:.3f} ± {r['S1_conf']:.3f} | {r['ST']:.3f} ± "
                         f"{r['ST_conf']:.3f} |")
        lines.append("")
        for obs in dict.fromkeys(sobol["observable"]):
            lines += [f"![Sobol indices of {obs}](figures/H5_C5_{obs}.{fmt})", ""]
    if walzer is not None:
        lines += ["## Walzer's seven regimes on his own criteria", "",
                  "Mean of the last quarter per run, 95% bootstrap interval, and rank "
                  "(1 = best by Walzer's criterion).", "",
                  "| criterion | regime | mean [95% CI] | rank |", "|---|---|---|---|"]
        for _, r in walzer.iterrows():
            lines.append(f"| {r['criterion']} | {r['regime']} | {r['mean']:.4f} "
                         f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}] | {int(r['rank'])} |")
        lines += ["", f"![Walzer's regimes](figures/walzer_regimes.{fmt})", ""]
    return "\n".join(lines)
