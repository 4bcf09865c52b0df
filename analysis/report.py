"""The claims report: run every claim, write claims.md, claims.csv and the figures."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from highroad.analysis import plots
from highroad.analysis.c5 import c5_result
from highroad.analysis.claims import ClaimsSpec, load_claims, series, walzer_result
from highroad.analysis.decide import checks, decide_claim
from highroad.analysis.settle import Rule, world_steps
from highroad.analysis.verdict_maps import prim_where_sceptics_win, robust_shares, verdict_map
from highroad.analysis.verdicts import RULE
from highroad.errors import ScenarioError
from highroad.provenance import describe, versions
from highroad.resources import check_output_folder
from highroad.scenarios.sweep_spec import MAX_RUNS
from highroad.scenarios.sweep_store import write_text

QUICK: dict[str, Any] = {
    "world": {"workers_per_region": 150, "firms_per_region": 8, "burn_in": 8},
    "replicates": 4, "steps": 32, "sobol_samples": 16,
    "maps": {"capital_mobility": [0.1, 0.9], "trade_openness": [0.5],
             "government_rule": ["fixed", "democratic"], "replicates": 3},
    "checks": {"settle_longest": 1.5},  # one chunk of continuation: the machinery, in minutes
}


@dataclass
class ClaimsReport:
    table: pd.DataFrame          # one row per claim (and per C5 observable)
    sobol: pd.DataFrame | None
    walzer: pd.DataFrame | None
    out: Path
    maps: pd.DataFrame | None = None
    doses: pd.DataFrame | None = None


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
               claims_file: str | Path | None = None, fmt: str = "png",
               maps: bool = True, map_replicates: int | None = None,
               quick: bool = False) -> ClaimsReport:
    """Decide every selected claim by runs and write the report to `out`.

    Each claim: its contrast, placebo, settledness, fragility and dose-response
    (`analysis/decide.py`), and with `maps` its verdict map (`analysis/verdict_maps.py`)."""
    from tqdm import tqdm

    spec = load_claims(claims_file)
    if quick:  # a small world, short runs, a 2-point map under two rules: minutes, no answer
        spec = replace(spec, maps={**spec.maps, **QUICK["maps"]},
                       checks={**spec.checks, **QUICK["checks"]})
        overrides = {**QUICK["world"], **(overrides or {})}
        replicates, steps = replicates or QUICK["replicates"], steps or QUICK["steps"]
        sobol_samples = sobol_samples or QUICK["sobol_samples"]
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
    rows, sections, cells, doses, prims = [], [], [], [], {}
    total = len(claims) + do_c5 + do_walzer
    with tqdm(total=total, desc="claims", unit="claim", disable=not progress) as bar:
        for claim in claims:
            bar.set_postfix_str(claim.id)
            name = claim.id.replace("/", "_")
            row, values, runs, dose = decide_claim(claim, spec, user, reps, runs_dir, workers)
            if dose is not None:
                doses.append(dose)
            if maps:
                grid = verdict_map(claim, spec, user, runs_dir, workers, map_replicates)
                row.update(robust_shares(grid, row))
                prims[claim.id] = prim_where_sceptics_win(grid)
                cells.append(grid)
                plots.save(plots.verdict_map(grid, f"{claim.id} {claim.title}"),
                           figures / f"{name}_map", fmt)
            else:
                row.update(robust_share=float("nan"), sceptic_share=float("nan"),
                           counter_share=float("nan"), map_cells=0)
            values = values.merge(runs.runs[["run_id"]], on="run_id")
            labels = tuple(c.label for c in claim.conditions)
            fig = plots.claim_figure(series(runs, claim.observable), values, claim.observable,
                                     labels,
                                     f"{claim.id} {claim.title}")
            row["figure"] = plots.save(fig, figures / name, fmt).relative_to(out).as_posix()
            rows.append(row)
            sections.append((claim, row))
            bar.update()
        sobol = None
        if do_c5:
            bar.set_postfix_str("H5/C5")
            c5_rows, sobol, convergence = c5_result(spec, user, runs_dir, workers,
                                                    sobol_samples)
            write_text(out / "sobol_convergence.csv", convergence.to_csv(index=False))
            for r in c5_rows:
                obs = r["observable"].split(" ")[0]
                fig = plots.sobol_bars(sobol, obs)
                r["figure"] = plots.save(fig, figures / f"H5_C5_{obs}", fmt).relative_to(
                    out).as_posix()
                plots.save(plots.sobol_convergence(convergence, obs),
                           figures / f"H5_C5_{obs}_convergence", fmt)
            rows.extend(c5_rows)
            bar.update()
        walzer = None
        if do_walzer:
            bar.set_postfix_str("walzer")
            walzer = walzer_result(spec, user, runs_dir, reps, workers)
            plots.save(plots.regime_dots(walzer), figures / "walzer_regimes", fmt)
            bar.update()
    table = pd.DataFrame(rows)
    map_table = pd.concat(cells, ignore_index=True) if cells else None
    dose_table = pd.concat(doses, ignore_index=True) if doses else None
    if map_table is not None:
        write_text(out / "verdict_maps.csv", map_table.to_csv(index=False))
        plots.save(plots.robust_summary(table), figures / "robust_shares", fmt)
    if dose_table is not None:
        write_text(out / "doses.csv", dose_table.to_csv(index=False))
    write_text(out / "claims.csv", table.to_csv(index=False))
    write_text(out / "versions.json", json.dumps(versions(), indent=1) + "\n")
    if sobol is not None:
        write_text(out / "sobol.csv", sobol.to_csv(index=False))
    if walzer is not None:
        write_text(out / "walzer.csv", walzer.to_csv(index=False))
    text = markdown(spec, table, sections, sobol, walzer, reps, user, fmt, dose_table, prims,
                    maps)
    write_text(out / "claims.md", text)
    return ClaimsReport(table, sobol, walzer, out, map_table, dose_table)


def readme_table(table: pd.DataFrame) -> str:
    """The verdicts as the README shows them (from a report's claims.csv)."""
    lines = ["| claim | observable | effect [95% CI] | SESOI | sceptic | counter-claim "
             "| placebo effect | settled | fragile | robust share |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for _, row in table.iterrows():
        lines.append(
            f"| {row['claim']} {row['title']} | {row['observable']} | {_ci(row)} | "
            f"{row['margin']:g} | {row['sceptic_predicts']}: **{row['sceptic_verdict']}** | "
            f"{row['counter_predicts']}: **{row['counter_verdict']}** | "
            f"{_num(row.get('placebo_effect'))}{_flag(row)} | {_text(row.get('settled'))} | "
            f"{_text(row.get('fragile'))} | {_num(row.get('robust_share'), 2)} |")
    return "\n".join(lines)


def _lengths(row: dict[str, Any]) -> str:
    """How long the claim's runs ran and whether each condition settled."""
    return f"{row['steps']} quarters; " + ", ".join(
        f"{x.upper()} " + ("settled" if row[f"settled_{x}"] else "not settled")
        for x in "abcd" if f"settled_{x}" in row)


def _text(value: Any) -> str:
    """A check's value as shown: 'n/a' where it does not apply (H5/C5) or is missing."""
    return "n/a" if value is None or (isinstance(value, float) and pd.isna(value)) \
        else str(value)


def _flag(row: pd.Series) -> str:
    return " ⚠" if row.get("survives_placebo") in (True,) else ""


def _num(value: Any, digits: int = 3) -> str:
    return "" if value is None or pd.isna(value) else f"{value:+.{digits}f}" \
        if digits != 2 else f"{value:.2f}"


def _ci(row: pd.Series, digits: int = 3) -> str:
    return (f"{row['effect']:+.{digits}f} [{row['ci_low']:+.{digits}f}, "
            f"{row['ci_high']:+.{digits}f}]")


def markdown(spec: ClaimsSpec, table: pd.DataFrame, sections: list, sobol: pd.DataFrame | None,
             walzer: pd.DataFrame | None, reps: int, user: dict[str, Any], fmt: str,
             doses: pd.DataFrame | None = None, prims: dict[str, str] | None = None,
             maps: bool = False) -> str:
    command = "highroad claims " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "claims" else "highroad.analysis.run_claims()"
    world = {**spec.world, **user}
    c = checks(spec)
    steps = world_steps(spec, user)
    ends = Rule.of(c).lengths(steps)
    lines = [
        "# Claims report", "",
        f"Made by `{command}`: {reps} replicates per condition (common random numbers), "
        f"world {', '.join(f'{k}={v}' for k, v in world.items())}; each run summarised by the "
        "mean of the last quarter of its recorded steps.", "",
        f"Versions: {describe(versions())}, Python {versions()['python']} (also in "
        "`versions.json`, beside `claims.csv`).", "",
        "## The rule", "", RULE, "",
        "Smallest effects of interest (`margin` in claims.csv):", "",
        *[f"- `{obs}`: {d:g}: {why}" for obs, (d, why) in spec.sesoi.items()], "",
        "## The checks", "",
        f"- **placebo**: the contrast again with the claim's mechanism switched off; flagged "
        f"(`survives_placebo`) when |placebo effect| is at least {c['placebo_share']:g} "
        "times |effect|.",
        f"- **settled**: a condition has settled when its replicate-mean path drifts (OLS "
        f"slope times window) by at most {c['settle_tolerance']:g} times the SESOI over the "
        f"last {c['settle_window']:.0%} of its recorded quarters. Each condition runs "
        f"{steps} quarters; while one of a claim's conditions has not settled, all of them "
        f"are continued in chunks of {ends[0] - steps if ends else 0} quarters (same seeds, "
        "so the contrast compares the same quarters), the test applied at the end of each, "
        f"up to {ends[-1] if ends else steps} quarters; they stop at the first chunk end "
        "where all pass (`settled` is False when one still has not: reported, not hidden). "
        "The verdict window is the last quarter of the run as it stopped (`steps`); the "
        "placebo, scaled and dose runs are as long; the verdict maps run "
        f"{steps} quarters.",
        f"- **fragile**: either verdict changes at {c['scale']:g} times the workers and firms "
        "per region.",
        "- **robust_share**: the share of the verdict map (capital_mobility x trade_openness "
        "x government rule, the axes the claim's contrast leaves free) where both headline "
        "verdicts hold; `sceptic_share` and `counter_share`: where each side's prediction is "
        "supported." + ("" if maps else " (maps not run: NaN)"), "",
        "## Verdicts", "", readme_table(table),
    ]
    lines += ["", "⚠: at least half the effect survives the placebo: the mechanism the claim "
              "names does not carry it.", ""]
    if maps:
        lines += [f"![Where each verdict holds](figures/robust_shares.{fmt})", ""]
    for claim, row in sections:
        design = (f"- C: {claim.c.label} (`{claim.c.scenario}` {claim.c.overrides or ''}).\n"
                  f"- D: {claim.d.label} (`{claim.d.scenario}` {claim.d.overrides or ''}).\n"
                  "- Effect: the difference-in-differences (B − A) − (D − C)."
                  if claim.c else "- Effect: B − A.")
        lines += [
            f"## {claim.id}: {claim.title}", "",
            f"*{claim.source}*", "",
            f"- Sceptic: {claim.sceptic} Predicts **{claim.sceptic_predicts}** → "
            f"**{row['sceptic_verdict']}**.",
            f"- Counter-claim: {claim.counter} Predicts **{claim.counter_predicts}** → "
            f"**{row['counter_verdict']}**.",
            f"- A: {claim.a.label} (`{claim.a.scenario}` {claim.a.overrides or ''}).",
            f"- B: {claim.b.label} (`{claim.b.scenario}` {claim.b.overrides or ''}).",
            design,
            f"- Observable `{claim.observable}`: {claim.why}",
            f"- Effect {_ci(row, 4)}, 90% interval [{row['ci90_low']:+.4f}, "
            f"{row['ci90_high']:+.4f}]; SESOI ±{row['margin']:g}; meaningful: "
            f"{row['meaningful']}.",
            f"- Mechanism at stake: {claim.mechanism}. Placebo ({claim.placebo_why}): effect "
            f"{_num(row.get('placebo_effect'), 4)}, verdicts "
            f"{row.get('placebo_sceptic_verdict')} / {row.get('placebo_counter_verdict')}.",
            f"- Settled: {row['settled']} ({_lengths(row)}; largest drift "
            f"{row['drift']:.4f}). At "
            f"{c['scale']:g}x workers and firms: effect {_num(row.get('scaled_effect'), 4)}, "
            f"verdicts {row.get('scaled_sceptic_verdict')} / "
            f"{row.get('scaled_counter_verdict')} (fragile: {row.get('fragile')}).",
        ]
        if claim.note:
            lines.append(f"- Note: {claim.note}")
        if maps:
            lines.append(f"- Map: robust share {_num(row.get('robust_share'), 2)}; sceptics' "
                         f"prediction supported in {_num(row.get('sceptic_share'), 2)}, "
                         f"the counter-claim's in {_num(row.get('counter_share'), 2)} of "
                         f"{row.get('map_cells')} cells. Where the sceptics win (PRIM): "
                         f"{(prims or {}).get(claim.id) or 'nowhere or everywhere'}.")
        if doses is not None and claim.dose is not None:
            lines += ["", f"Dose-response over `{claim.dose.key}` ({claim.dose.why}):", "",
                      "| dose | effect [95% CI] | sceptic | counter-claim |", "|---|---|---|---|"]
            for _, d in doses[doses["claim"] == claim.id].iterrows():
                lines.append(f"| {d['dose']:g} | {_ci(d)} | {d['sceptic_verdict']} | "
                             f"{d['counter_verdict']} |")
        lines += ["", f"![{claim.id}]({row['figure']})", ""]
        if maps:
            lines += [f"![{claim.id} map](figures/{claim.id.replace('/', '_')}_map.{fmt})", ""]
    if sobol is not None:
        lines += ["## H5/C5: internationalization is secondary", "",
                  "Grouped Sobol indices (first order S1 and total ST, 95% intervals) of each "
                  "observable over the openness group and the domestic-policy group, under the "
                  f"{spec.c5.get('overrides', {}).get('government_rule', 'fixed')} government "
                  "rule; the verdict compares the two groups' total indices (policy minus "
                  "openness) with the SESOI "
                  f"{spec.c5.get('sesoi')}. The convergence plots show the indices and the "
                  "interval of their difference against the number of base samples.", "",
                  "| observable | factor | group | S1 | ST |", "|---|---|---|---|---|"]
        for _, r in sobol.iterrows():
            lines.append(f"| {r['observable']} | {r['factor']} | {r['group']} | "
                         f"{r['S1']:.3f} ± {r['S1_conf']:.3f} | {r['ST']:.3f} ± "
                         f"{r['ST_conf']:.3f} |")
        lines.append("")
        aim = float(spec.c5.get("interval", 0.1))
        for _, r in table[table["claim"] == spec.c5.get("id")].iterrows():
            width = r["ci_half_width"]
            lines.append(f"- {r['observable']}: 95% interval of the difference "
                         f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}], half-width {width:.3f}: "
                         + (f"narrower than ±{aim:g}." if width < aim else
                            f"**wider than ±{aim:g}**, the precision aimed at: more base "
                            "samples are needed."))
        lines.append("")
        for obs in dict.fromkeys(sobol["observable"]):
            lines += [f"![Sobol indices of {obs}](figures/H5_C5_{obs}.{fmt})", "",
                      f"![Convergence for {obs}](figures/H5_C5_{obs}_convergence.{fmt})", ""]
    if walzer is not None:
        lines += ["## Walzer's seven regimes on outcomes their presets do not set", "",
                  "Mean of the last quarter per run, 95% bootstrap interval, and rank "
                  "(1 = best by Walzer's criterion).", "",
                  "| criterion | regime | mean [95% CI] | rank |", "|---|---|---|---|"]
        for _, r in walzer.iterrows():
            lines.append(f"| {r['criterion']} | {r['regime']} | {r['mean']:.4f} "
                         f"[{r['ci_low']:.4f}, {r['ci_high']:.4f}] | {int(r['rank'])} |")
        lines += ["", f"![Walzer's regimes](figures/walzer_regimes.{fmt})", ""]
    return "\n".join(lines)
