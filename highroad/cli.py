"""The command line: `highroad run|scenarios|validate|sweep|analyze|demo|claims|plot` (and
`run.py`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from highroad.allocator import keep_freed_memory
from highroad.errors import InvariantError, ScenarioError
from highroad.provenance import versions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="highroad",
        description="Agent-based simulation of regional political economies (Mesa).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run a scenario: summary table, tidy data, chart",
                         description="Run a scenario and write tidy data (Parquet, CSV), the "
                                     "resolved scenario and a four-panel chart to --out.")
    run.add_argument("scenario", nargs="?", default="baseline",
                     help="a scenario name from `highroad scenarios`, or a path to a .toml file")
    run.add_argument("--steps", type=int, help="recorded quarters (overrides the scenario)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="KEY=VALUE",
                     help="override a scenario key, e.g. --set capital_mobility=0.9 "
                          "--set government.capital_tax=0.3 (repeatable)")
    run.add_argument("--out", default="out", help="output folder (default out/)")
    run.add_argument("--reporter", dest="reporters", action="append", default=[],
                     metavar="NAME=MODULE:FUNCTION",
                     help="an extra economy column computed by your own function of the model, "
                          "e.g. --reporter firms_alive=mystudy.metrics:firms_alive (repeatable; "
                          "imports your module: name only code you trust)")
    run.add_argument("--record-agents", type=int, metavar="N",
                     help="also write firm, region-state and worker-sample tables every N steps")
    run.add_argument("--sample-workers", type=int, default=100, metavar="K",
                     help="workers sampled each time with --record-agents (default 100)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    sub.add_parser("scenarios", help="list the shipped scenarios",
                   description="List the shipped scenarios with their descriptions.")
    validate = sub.add_parser("validate", help="check a scenario, sweep or claims file",
                              description="Validate a scenario, sweep or claims file without "
                                          "running it; exit 2 on an error.")
    validate.add_argument("file", help="scenario name, or path of a scenario, sweep or claims "
                                       "file")
    add_sweep_parser(sub)
    add_demo_parser(sub)
    add_claims_parser(sub)
    add_plot_parser(sub)
    add_analyze_parser(sub)
    return parser


def add_analyze_parser(sub: Any) -> None:
    """The `analyze` subcommand: SALib indices or a PRIM box from a finished sweep."""
    analyze = sub.add_parser(
        "analyze", help="sensitivity indices (SALib) or scenario discovery (PRIM) of a sweep",
        description="Analyse a finished sweep with the method its design supports: sobol "
                    "(a Sobol design, first or second order), morris (a Morris design), delta "
                    "(lhs, sobol or morris designs) or prim (any design; needs --threshold and "
                    "the [ema] extra). Writes CSV with 95%% intervals and a figure to "
                    "SWEEP_DIR/analysis/. Exit 2 if the design cannot support the method.")
    analyze.add_argument("sweep_dir", help="a folder written by highroad sweep")
    analyze.add_argument("--method", required=True, choices=("sobol", "morris", "delta", "prim"))
    analyze.add_argument("--observable", default="income_gini",
                         help="end-of-run observable to analyse (default income_gini)")
    analyze.add_argument("--threshold", type=float,
                         help="prim: runs above this value are the cases of interest")
    analyze.add_argument("--below", action="store_true",
                         help="prim: the cases of interest are below --threshold")
    analyze.add_argument("--density", type=float, default=0.8,
                         help="prim: the share of cases of interest a box must reach (0.8)")
    analyze.add_argument("--format", choices=("png", "svg", "pdf"), default="png")


def add_claims_parser(sub: Any) -> None:
    """The `claims` subcommand: every claim decided by runs (docs/claims.md)."""
    claims = sub.add_parser(
        "claims", help="decide the claims of the internationalization debate by runs",
        description="Run every claim of scenarios/claims/claims.toml (conditions x replicates "
                    "through the sweep runner), compute effects with bootstrap 95%% intervals and "
                    "verdicts, and write claims.md, claims.csv and figures to --out.")
    claims.add_argument("--replicates", type=int, help="replicates per condition (default 10)")
    claims.add_argument("--steps", type=int, help="recorded quarters per run (default 80)")
    claims.add_argument("--workers", type=int, help="parallel runs (default: the core count)")
    claims.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a scenario key in every condition")
    claims.add_argument("--only", help="comma-separated claims, e.g. H1,C5,RS1,walzer")
    claims.add_argument("--sobol-samples", type=int,
                        help="base samples of the C5 Sobol design (default 64)")
    claims.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                        help="figure format (default png)")
    claims.add_argument("--out", default="out/claims", help="report folder (default out/claims)")
    claims.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    claims.add_argument("--quick", action="store_true",
                        help="a small world, short runs and a small map under two rules "
                             "(a few minutes; a check of the machinery, not an answer)")
    claims.add_argument("--no-maps", action="store_true",
                        help="skip the verdict maps (robust_share is then empty)")


def add_plot_parser(sub: Any) -> None:
    """The `plot` subcommand: charts from a run's or a sweep's results folder."""
    plot = sub.add_parser(
        "plot", help="publication-ready charts from a run or sweep folder",
        description="Draw a chart from the results of `highroad run` or `highroad sweep`.")
    plot.add_argument("results", help="a results folder (of highroad run or highroad sweep)")
    plot.add_argument("--kind", required=True,
                      choices=("timeseries", "heatmap", "tornado", "lorenz", "regions", "sobol"))
    plot.add_argument("--observable", default="income_gini",
                      help="what to plot (default income_gini; regions: capital_tax)")
    plot.add_argument("--by", help="timeseries: group runs by this factor")
    plot.add_argument("--x", help="heatmap: factor on the x axis")
    plot.add_argument("--y", help="heatmap: factor on the y axis")
    plot.add_argument("--scenario", help="run folders: which scenario's files (default: first)")
    plot.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    plot.add_argument("--out", help="output file (default RESULTS/plot_KIND_OBSERVABLE[_by_BY]"
                                    "[_X_vs_Y].FORMAT: two different plots never share one)")


def add_sweep_parser(sub: Any) -> None:
    """The `sweep` subcommand (docs/sweeps.md)."""
    sweep = sub.add_parser(
        "sweep", help="run a sweep file: many runs, tidy Parquet results",
        description="Run every run of a sweep file (design x replicates) and write economy, "
                    "regions and runs tables as Parquet, with the resolved sweep, to --out. "
                    "Exit 0 when all runs succeeded, 1 when some failed (they are recorded), "
                    "2 for a bad sweep file or option.")
    sweep.add_argument("file", help="a sweep .toml file, or the name of one in "
                                    "scenarios/sweeps/")
    sweep.add_argument("--workers", type=int,
                       help="parallel runs (default: the number of cores)")
    sweep.add_argument("--out", help="results folder (default out/sweeps/NAME)")
    sweep.add_argument("--resume", action="store_true",
                       help="finish a sweep in --out, running only the runs not yet saved")
    sweep.add_argument("--allow-version-mix", action="store_true",
                       help="with --resume: finish a sweep started under other versions of "
                            "highroad, Mesa, numpy or pandas (each run records its own)")
    sweep.add_argument("--replicates", type=int,
                       help="replicates per design point (overrides the file); with --resume "
                            "on a finished sweep, adds the missing ones, seeds following on")
    sweep.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local process pool (default) or a Dask cluster")
    sweep.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                         "(default with --engine dask: a LocalCluster)")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def main(argv: list[str] | None = None) -> int:
    keep_freed_memory()  # the command owns its process (highroad.allocator)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except InvariantError as exc:
        print(f"run stopped: {exc}", file=sys.stderr)
        return 1


def cmd_run(args: argparse.Namespace) -> int:
    from highroad.analysis.charts import save_figure, summary_figure
    from highroad.api import simulate
    from highroad.records import AgentRecording, resolve_reporters
    from highroad.scenarios.loader import load_scenario, parse_override

    overrides: dict[str, Any] = dict(parse_override(text) for text in args.overrides)
    if args.steps is not None:
        if args.steps < 1:
            raise ScenarioError("--steps", "steps", f"{args.steps} is out of range", ">= 1")
        overrides["steps"] = args.steps
    scenario = load_scenario(args.scenario, overrides)  # validate before anything is written
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", "out", f"{out} exists and is not a folder", "a folder path")
    reporters = dict(parse_reporter(text) for text in args.reporters)
    agents = (None if args.record_agents is None else
              AgentRecording(every=args.record_agents, workers=args.sample_workers))
    resolve_reporters(reporters, "--reporter", "")  # a bad reference: exit 2, nothing written
    result = simulate(scenario, seed=args.seed, progress=not args.no_progress,
                      keep_model=True, reporters=reporters, record_agents=agents)
    out.mkdir(parents=True, exist_ok=True)
    stem = scenario.name
    for name, frame in result.agents.items():
        write_frame(frame, out / f"{stem}_{name}")
    write_frame(result.economy, out / f"{stem}_economy")
    write_frame(result.regions, out / f"{stem}_regions")
    write_frame(households_frame(result.model), out / f"{stem}_households")
    write_text(out / f"{stem}_network.json", json.dumps(network_data(result.model)))
    resolved = {"scenario": scenario.to_dict(), "seed": args.seed, "overrides": overrides,
                "versions": versions(), "reporters": reporters,
                "record_agents": agents and agents.to_dict()}
    write_text(out / f"{stem}_scenario.json", json.dumps(resolved, indent=2, default=str))
    changed = ", ".join(f"{k}={v}" for k, v in overrides.items() if k != "steps")
    title = f"{stem}, seed {args.seed}" + (f": {changed}" if changed else "")
    fig = summary_figure(result.economy, result.regions, title[:110])
    save_figure(fig, out / f"{stem}_summary.png")
    table = result.summary()
    print("\n" + run_header(scenario, args.seed, overrides) + "\n")
    print(table.to_string(float_format=lambda v: f"{v:8.3f}"))
    print(f"\nwrote {out}/{stem}_economy.parquet|csv, {stem}_regions.parquet|csv, "
          f"{stem}_households.parquet|csv, {stem}_network.json, {stem}_scenario.json, "
          f"{stem}_summary.png" + "".join(f", {stem}_{name}.parquet|csv"
                                          for name in result.agents))
    return 0


def run_header(scenario: Any, seed: int, overrides: dict[str, Any]) -> str:
    """What is run, read off the resolved scenario (not only the file's description line).

    The description is the file's own words; with overrides it is labelled as such and the
    line below it says what actually runs: regions, government rule, mobility, openness and
    the policy modules switched on.
    """
    w = scenario.world
    changed = {k: v for k, v in overrides.items() if k != "steps"}
    if changed:
        settings = ", ".join(f"{k}={v}" for k, v in changed.items())
        first = f"{scenario.name} with {settings} (the file describes: {w.description})"
    else:
        first = f"{scenario.name}: {w.description}"
    modules = [name for name, p in scenario.policies.items() if p.enabled]
    as_run = (f"as run: {w.n_regions} region{'s' if w.n_regions != 1 else ''}, "
              f"{w.government_rule} government rule, capital mobility {w.capital_mobility:g}, "
              f"trade openness {w.trade_openness:g}, policy modules: "
              f"{', '.join(modules) if modules else 'none'}")
    return (f"{first}\n{as_run}\n"
            f"seed {seed}, {w.steps} quarters after a burn-in of {w.burn_in}")


def parse_reporter(text: str) -> tuple[str, str]:
    """One `--reporter NAME=MODULE:FUNCTION`."""
    name, sep, ref = text.partition("=")
    if not sep or not name.strip():
        raise ScenarioError("--reporter", text, "expected NAME=MODULE:FUNCTION",
                            "e.g. firms_alive=mystudy.metrics:firms_alive")
    return name.strip(), ref.strip()


def households_frame(model: Any) -> Any:
    """The last quarter's households: income, wealth, weight, region (for Lorenz curves)."""
    import pandas as pd

    wf = model.workforce
    invs = model.investor_list
    workers = pd.DataFrame({"kind": "worker", "region": wf.region, "income": wf.income,
                            "wealth": wf.wealth + wf.stake, "weight": 1.0})
    owners = pd.DataFrame({"kind": "investor", "region": [i.home for i in invs],
                           "income": [i.income / i.households for i in invs],
                           "wealth": [(i.cash + i.foreign_assets) / i.households for i in invs],
                           "weight": [i.households for i in invs]})
    return pd.concat([workers, owners], ignore_index=True)


def network_data(model: Any) -> dict[str, Any]:
    import networkx as nx

    return nx.node_link_data(model.network, edges="links")


def write_frame(frame: Any, base: Path) -> None:
    """Write Parquet and CSV atomically: temporary names first, then rename."""
    for suffix, writer in ((".parquet", frame.to_parquet), (".csv", frame.to_csv)):
        path = base.with_suffix(suffix)
        tmp = path.with_name(f".{path.name}.tmp")
        writer(tmp, index=False)
        tmp.replace(path)


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from highroad.scenarios.loader import list_scenarios

    for name, description in list_scenarios().items():
        print(f"{name:28s} {description}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from highroad.scenarios.loader import load_scenario, read_toml

    path = Path(args.file)
    doc = read_toml(path) if path.suffix == ".toml" and path.is_file() else {}
    if "claims" in doc:
        from highroad.analysis.claims import condition_overrides, load_claims

        spec = load_claims(path)
        for claim in spec.claims:  # every condition resolves to a valid scenario
            for cond in (claim.a, claim.b):
                condition_overrides(cond, spec.world)
        print(f"{spec.source}: valid ({len(spec.claims)} claims, {spec.replicates} "
              "replicates per condition)")
        return 0
    if "factors" in doc or "design" in doc:
        from highroad.scenarios.sweep import load_sweep

        sweep_spec = load_sweep(path)
        print(f"{sweep_spec.source}: valid (sweep of {sweep_spec.n_runs} runs)")
        return 0
    scenario = load_scenario(args.file)
    print(f"{scenario.source}: valid ({scenario.world.n_regions} regions, "
          f"{scenario.world.steps} steps, rule {scenario.world.government_rule})")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from highroad.scenarios.sweep import sweep

    try:
        result = sweep(args.file, workers=args.workers, out=args.out, resume=args.resume,
                       allow_version_mix=args.allow_version_mix,
                       engine=args.engine, address=args.address, progress=not args.no_progress,
                       replicates=args.replicates)
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are saved; finish with --resume", file=sys.stderr)
        return 130
    runs, failed = result.runs, result.failed
    print(f"\n{result.spec['name']}: {len(runs)} runs, {len(runs) - len(failed)} ok, "
          f"{len(failed)} failed; {runs['wall_time'].sum():.1f} s of run time")
    for row in failed.head(10).itertuples():
        print(f"  run {row.run_id} (seed {row.seed}) failed: {row.error}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more (see runs.parquet)")
    print(f"wrote {result.out}/economy.parquet, regions.parquet, runs.parquet, sweep.json, "
          "design.parquet")
    return 1 if len(failed) else 0


def add_demo_parser(sub: Any) -> None:
    """The `demo` subcommand: the classroom app (highroad/app.py, docs/teaching.md)."""
    demo = sub.add_parser(
        "demo", help="the classroom app in the browser (Mesa SolaraViz)",
        description="Start the interactive classroom app (a Mesa SolaraViz page served by "
                    "Solara) and print its address. Ctrl+C stops it.")
    demo.add_argument("--scenario", default="baseline",
                      help="scenario the app starts from (default baseline)")
    demo.add_argument("--port", type=int, default=8765,
                      help="port to serve on (default 8765; 0 picks a free one)")
    demo.add_argument("--host", default="127.0.0.1",
                      help="address to bind (default 127.0.0.1: this computer only; "
                           "0.0.0.0 lets other devices on the network connect)")


def cmd_demo(args: argparse.Namespace) -> int:
    import os
    import socket
    import subprocess

    from highroad.app import SCENARIO_ENV
    from highroad.scenarios.loader import load_scenario

    load_scenario(args.scenario)  # a bad name fails here, with the usual message and exit 2
    if not 0 <= args.port <= 65535:
        raise ScenarioError("--port", "port", f"{args.port} is out of range", "0 to 65535")
    port = args.port
    if port == 0:  # pick the port here, so the address printed is the real one
        with socket.socket() as probe:
            probe.bind((args.host, 0))
            port = probe.getsockname()[1]
    env = {**os.environ, SCENARIO_ENV: args.scenario}
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # a classroom phones no one
    # A closed tab's session (and its play loop) ends after a minute, not Solara's 24 hours.
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")
    # Solara's notice that plain-http cookies cannot be samesite=none: noise for a classroom.
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning:solara.server.starlette")
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"highroad demo: open http://{shown}:{port} in a browser (Ctrl+C stops it)",
          flush=True)
    command = [sys.executable, "-m", "solara", "run", "highroad.app", "--host", args.host,
               "--port", str(port), "--production", "--no-open"]
    server = subprocess.Popen(command, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the server too; let it finish
        server.wait()
        return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from highroad.analysis.report import run_claims
    from highroad.scenarios.loader import parse_override

    overrides = dict(parse_override(text) for text in args.overrides)
    for name in ("replicates", "steps", "workers", "sobol_samples"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError(f"--{name.replace('_', '-')}", name, f"{value} is out of range",
                                ">= 1")
    only = args.only.split(",") if args.only else None
    report = run_claims(out=args.out, replicates=args.replicates, steps=args.steps,
                        workers=args.workers, overrides=overrides, only=only,
                        sobol_samples=args.sobol_samples, progress=not args.no_progress,
                        fmt=args.format, quick=args.quick, maps=not args.no_maps)
    table = report.table[["claim", "observable", "effect", "ci_low", "ci_high",
                          "sceptic_verdict", "counter_verdict", "placebo_effect", "settled",
                          "fragile", "robust_share"]]
    print(table.to_string(index=False, float_format=lambda v: f"{v:+.4f}"))
    print(f"\nwrote {report.out}/claims.md, claims.csv, versions.json and figures/")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from highroad.analysis.plot_results import plot_results

    path = plot_results(args.results, args.kind, observable=args.observable, by=args.by,
                        x=args.x, y=args.y, scenario=args.scenario, fmt=args.format,
                        out=args.out)
    print(f"wrote {path}")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from highroad.analysis.analyze import analyze

    result = analyze(args.sweep_dir, args.method, args.observable, threshold=args.threshold,
                     below=args.below, density=args.density, fmt=args.format)
    print(result.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if result.second_order is not None:
        print("\nsecond order:")
        print(result.second_order.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\nwrote " + ", ".join(str(p) for p in result.files))
    return 0


COMMANDS = {"analyze": cmd_analyze, "run": cmd_run, "scenarios": cmd_scenarios,
            "validate": cmd_validate, "sweep": cmd_sweep, "demo": cmd_demo,
            "claims": cmd_claims, "plot": cmd_plot}


if __name__ == "__main__":
    sys.exit(main())
