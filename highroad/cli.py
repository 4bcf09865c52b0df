"""The command line: `highroad run|scenarios|validate|sweep|analyze|demo|claims|plot|facts|
calibrate` (and `run.py`)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
                                     "resolved scenario and a six-panel chart to --out.")
    run.add_argument("scenario", nargs="?", default="baseline",
                     help="a scenario name from `highroad scenarios`, or a path to a .toml file")
    run.add_argument("--steps", type=int, help="recorded quarters (overrides the scenario)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="KEY=VALUE",
                     help="override a scenario key, e.g. --set capital_mobility=0.9 "
                          "--set government.capital_tax=0.3 (repeatable)")
    run.add_argument("--out", default="out", help="output folder (default out/)")
    run.add_argument("--replicates", type=int, default=1, metavar="N",
                     help="seeds SEED..SEED+N-1 on the chart: their median and the band from "
                          "lowest to highest (the data files are SEED's run; default 1)")
    run.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE",
                     help="a counterfactual drawn dashed on the chart: the same run with this "
                          "override too, e.g. --compare capital_mobility=0 (repeatable)")
    run.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                     help="chart format (default png, at 200 dpi)")
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
    add_facts_parser(sub)
    add_calibrate_parser(sub)
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


def add_facts_parser(sub: Any) -> None:
    """The `facts` subcommand: the default economy beside measured stylised facts."""
    facts = sub.add_parser(
        "facts", help="measure the stylised facts of the default economy over replicates",
        description="Run the default economy over replicates and measure each stylised fact of "
                    "scenarios/facts/facts.toml as its source defines it; write facts.csv, "
                    "facts.md and figures to --out (docs/validation.md).")
    facts.add_argument("--scenario", default="baseline",
                       help="scenario to measure (default baseline)")
    facts.add_argument("--replicates", type=int, help="replicates (default 100; --quick 4)")
    facts.add_argument("--quick", action="store_true", help="4 replicates (under 2 minutes)")
    facts.add_argument("--seed", type=int, default=0,
                       help="base seed of the replicates' SeedSequence (default 0)")
    facts.add_argument("--workers", type=int, help="parallel runs (default: the core count)")
    facts.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE", help="override a scenario key (repeatable)")
    facts.add_argument("--calibration", help="calibration file whose targets are the "
                                             "'calibrated' facts (default: the shipped "
                                             "scenarios/calibration/exit_by_size_focused.toml)")
    facts.add_argument("--out", default="out/facts", help="report folder (default out/facts)")


def add_calibrate_parser(sub: Any) -> None:
    """The `calibrate` subcommand: the method of simulated moments over a calibration file."""
    cal = sub.add_parser(
        "calibrate", help="method of simulated moments over a calibration file",
        description="Estimate the parameters a calibration file declares by the method of "
                    "simulated moments (global Sobol/LHS stage, then Nelder-Mead), with common "
                    "random numbers; every evaluation is saved, so --resume continues after a "
                    "kill. Writes calibration.md, estimates.json, identification.csv, "
                    "evaluations.csv and calibrated.toml to --out.")
    cal.add_argument("file", help="a calibration .toml file, or the name of one in "
                                  "scenarios/calibration/ (e.g. baseline)")
    cal.add_argument("--resume", action="store_true",
                     help="continue the calibration in --out, re-using its evaluations")
    cal.add_argument("--workers", type=int, help="parallel runs (default: the core count)")
    cal.add_argument("--out", help="results folder (default out/calibration/NAME)")


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
                        help="base samples of the C5 Sobol design (default: c5.samples in "
                             "scenarios/claims/claims.toml, 1024)")
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
    with terminate_as_interrupt():
        try:
            return COMMANDS[args.command](args)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except InvariantError as exc:
            print(f"run stopped: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as exc:
            kept = {"run": "; nothing of it was written",
                    "claims": "; its finished runs are kept: the same command goes on"}
            print(f"\ninterrupted: the {args.command} did not finish"
                  f"{kept.get(args.command, '')}", file=sys.stderr)
            return 128 + getattr(exc, "signum", signal.SIGINT)
        except OSError as exc:  # a disk that filled up or went away while writing
            print(f"error: {exc}; nothing of the unfinished {args.command} was kept",
                  file=sys.stderr)
            return 1


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cluster's time limit, `kill`), handled like Ctrl-C."""

    signum = signal.SIGTERM


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises `Terminated` (like Ctrl-C's KeyboardInterrupt)."""
    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_run(args: argparse.Namespace) -> int:
    from highroad import outputs, resources
    from highroad.api import check_seed, simulate
    from highroad.records import AgentRecording, resolve_reporters
    from highroad.scenarios.loader import load_scenario, parse_override

    overrides: dict[str, Any] = dict(parse_override(text) for text in args.overrides)
    if args.steps is not None:
        if args.steps < 1:
            raise ScenarioError("--steps", "steps", f"{args.steps} is out of range", ">= 1")
        overrides["steps"] = args.steps
    check_seed(args.seed)
    if args.replicates < 1:
        raise ScenarioError("--replicates", "replicates", f"{args.replicates} is out of range",
                            ">= 1")
    compare: dict[str, Any] = dict(parse_override(text) for text in args.compare)
    scenario = load_scenario(args.scenario, overrides)  # validate before anything is written
    if compare:
        load_scenario(args.scenario, {**overrides, **compare})
    reporters = dict(parse_reporter(text) for text in args.reporters)
    agents = (None if args.record_agents is None else
              AgentRecording(every=args.record_agents, workers=args.sample_workers))
    resolve_reporters(reporters, "--reporter", "")  # a bad reference: exit 2, nothing written
    resources.check_memory(resources.run_memory(scenario), "this run", scenario.source,
                           "workers_per_region")
    out = resources.check_output_folder(args.out, resources.run_output(scenario))
    with outputs.locked(out), outputs.staging(out) as private:
        result = simulate(scenario, seed=args.seed, progress=not args.no_progress,
                          keep_model=True, reporters=reporters, record_agents=agents)
        files = write_run(result, overrides, private, reporters, agents)
        files.append(write_chart(result, args, overrides, compare, private))
        outputs.publish(private, out, files, f"{scenario.name}_manifest.json",
                        scenario=scenario.name, seed=args.seed, overrides=overrides)
    table = result.summary()
    print("\n" + run_header(scenario, args.seed, overrides) + "\n")
    print(table.to_string(float_format=lambda v: f"{v:8.3f}"))
    if "COLLAPSED (share of quarters)" in table.index:
        print("\nthe economy COLLAPSED (nobody employed or nothing sold): inequality "
              "measures of those quarters are left out")
    print(f"\nwrote {out}/{', '.join(files)} and {scenario.name}_manifest.json")
    return 0


def write_run(result: Any, overrides: dict[str, Any], folder: Path,
              reporters: dict[str, str] | None = None, agents: Any = None) -> list[str]:
    """Write a run's tables, agent tables, network and resolved scenario (with the versions
    that made it) to `folder`; return their names (the chart: `write_chart`)."""
    scenario, seed = result.scenario, result.seed
    stem = scenario.name
    for name, frame in result.agents.items():
        write_frame(frame, folder / f"{stem}_{name}")
    write_frame(result.economy, folder / f"{stem}_economy")
    write_frame(result.regions, folder / f"{stem}_regions")
    write_frame(households_frame(result.model), folder / f"{stem}_households")
    (folder / f"{stem}_network.json").write_text(json.dumps(network_data(result.model)))
    resolved = {"scenario": scenario.to_dict(), "seed": seed, "overrides": overrides,
                "versions": versions(), "reporters": reporters or {},
                "record_agents": agents and agents.to_dict()}
    (folder / f"{stem}_scenario.json").write_text(json.dumps(resolved, indent=2, default=str))
    tables = [*result.agents, "economy", "regions", "households"]
    return [f"{stem}_{name}.{ext}" for name in tables for ext in ("parquet", "csv")] + [
        f"{stem}_network.json", f"{stem}_scenario.json"]


def plain_title(scenario: Any) -> str:
    """The chart's title in words: what was run, from the resolved scenario."""
    w = scenario.world
    modules = [name.replace("_", " ") for name, p in scenario.policies.items() if p.enabled]
    salience = scenario.capital.tax_salience
    return (f"{w.n_regions} regions, {w.government_rule} governments, capital mobility "
            f"{w.capital_mobility:g}" + ("" if salience == 1 else
                                         f", capital sees {salience:g} of tax differences")
            + (f", with {', '.join(modules)}" if modules else ""))


def write_chart(result: Any, args: argparse.Namespace, overrides: dict[str, Any],
                compare: dict[str, Any], folder: Path) -> str:
    """The summary chart: SEED's run (and the replicates' band), and the counterfactual."""
    from highroad.analysis.charts import save_figure, summary_figure
    from highroad.api import simulate

    seeds = range(args.seed, args.seed + args.replicates)
    runs = [result.economy] + [simulate(result.scenario, seed=s).economy for s in seeds[1:]]
    others = None
    label = "as run"
    if compare:
        settings = {**overrides, **compare}
        others = [simulate(args.scenario, seed=s, overrides=settings).economy for s in seeds]
        label = ", ".join(f"{k}={v}" for k, v in compare.items())
    seed_text = (f"seed {args.seed}" if args.replicates == 1 else
                 f"seeds {args.seed}-{args.seed + args.replicates - 1}")
    title = f"{plain_title(result.scenario)} ({seed_text})"
    fig = summary_figure(runs, result.regions, title, others, "as run", f"dashed: {label}")
    name = f"{result.scenario.name}_summary.{args.format}"
    save_figure(fig, folder / name, dpi=200)
    return name


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
    """Write Parquet and CSV (into a run's private staging folder)."""
    frame.to_parquet(base.with_suffix(".parquet"), index=False)
    frame.to_csv(base.with_suffix(".csv"), index=False)


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
    except KeyboardInterrupt as exc:
        import shlex

        again = ["highroad", "sweep", args.file, "--resume"]
        if args.out:
            again += ["--out", args.out]
        if args.workers:
            again += ["--workers", str(args.workers)]
        print(f"\ninterrupted: the finished runs are saved; finish the sweep with: "
              f"{shlex.join(again)}", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
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
        "demo", help="the classroom app in the browser (Solara, Mesa)",
        description="Start the interactive classroom app (a Solara page with Mesa's "
                    "parameter card) and print its address. Ctrl+C stops it.")
    demo.add_argument("--scenario", default="baseline",
                      help="scenario the app starts from (default baseline)")
    demo.add_argument("--port", type=int, default=8765,
                      help="port to serve on (default 8765; 0 picks a free one)")
    demo.add_argument("--host", default="127.0.0.1",
                      help="address to bind (default 127.0.0.1: this computer only; "
                           "0.0.0.0 lets other devices on the network connect)")


def cmd_demo(args: argparse.Namespace) -> int:
    import os
    import subprocess

    from highroad.app import SCENARIO_ENV
    from highroad.scenarios.loader import load_scenario

    load_scenario(args.scenario)  # a bad name fails here, with the usual message and exit 2
    if not 0 <= args.port <= 65535:
        raise ScenarioError("--port", "port", f"{args.port} is out of range", "0 to 65535")
    port, shown = serving_address(args.host, args.port)
    env = {**os.environ, SCENARIO_ENV: args.scenario}
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # a classroom phones no one
    # A closed tab's session (and its play loop) ends after a minute, not Solara's 24 hours.
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")
    # Solara's notice that plain-http cookies cannot be samesite=none: noise for a classroom.
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning:solara.server.starlette")
    print(f"highroad demo: open http://{shown}:{port} in a browser (Ctrl+C stops it)",
          flush=True)
    command = [sys.executable, "-m", "solara", "run", "highroad.app", "--host", args.host,
               "--port", str(port), "--production", "--no-open"]
    server = subprocess.Popen(command, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt as exc:  # Ctrl+C (which reaches the server too) or SIGTERM
        server.terminate()  # SIGTERM reaches only us: pass it on, so the port is freed
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 0 if getattr(exc, "signum", signal.SIGINT) == signal.SIGINT else 128 + exc.signum


def serving_address(host: str, port: int) -> tuple[int, str]:
    """Check `--host` and `--port` can be served; the port (a free one for 0) and the
    address to print. A host other than loopback gets a warning on stderr."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ScenarioError("--host", "host", f"cannot resolve {host!r} ({exc})",
                            "127.0.0.1 (this computer), 0.0.0.0 (every interface), or an "
                            "address of this computer") from None
    family, _, _, _, address = infos[0]
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind(address[:2] if family == socket.AF_INET else address)
            port = probe.getsockname()[1]  # picked here for 0, so the address printed is real
    except OSError as exc:
        raise ScenarioError("--host", "host", f"cannot serve on {host}:{port} ({exc})",
                            "an address of this computer and a free port") from None
    ip = ipaddress.ip_address(address[0])
    if ip.is_loopback:
        return port, host
    shown = outward_address() if ip.is_unspecified else address[0]
    where = "every network interface" if ip.is_unspecified else f"{address[0]}"
    print(f"warning: --host {host} serves the demo on {where}: anyone who can reach this "
          f"computer can use it (at http://{shown}:{port}); --host 127.0.0.1 keeps it on "
          "this computer", file=sys.stderr, flush=True)
    return port, shown


def outward_address() -> str:
    """This computer's address on its network (no packet is sent), else its host name."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a route lookup only
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


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


def _positive(args: argparse.Namespace, *names: str) -> None:
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError(f"--{name}", name, f"{value} is out of range", ">= 1")


def cmd_facts(args: argparse.Namespace) -> int:
    from highroad.analysis.facts_report import facts
    from highroad.scenarios.loader import parse_override

    _positive(args, "replicates", "workers")
    overrides = dict(parse_override(text) for text in args.overrides)
    report = facts(args.scenario, replicates=args.replicates, quick=args.quick, out=args.out,
                   overrides=overrides, seed=args.seed, workers=args.workers,
                   calibration=args.calibration)
    table = report.table[["fact", "model", "ci_low", "ci_high", "low", "high", "within",
                          "role"]]
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"\n{int(table['within'].sum())} of {len(table)} facts inside their range; wrote "
          f"{report.out}/facts.csv, facts.md, replicates.csv and figures/")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from highroad.scenarios.calibration import calibrate

    _positive(args, "workers")
    try:
        result = calibrate(args.file, out=args.out, resume=args.resume, workers=args.workers)
    except KeyboardInterrupt:
        print("\ninterrupted: finished evaluations are saved; continue with --resume",
              file=sys.stderr)
        return 130
    for key, value in result.estimates.items():
        print(f"{key:40s} {value:.6g}")
    print(f"distance {result.distance:.6g}; {result.ran} evaluations run, {result.reused} "
          f"re-used\nwrote {result.out}/calibration.md, estimates.json, identification.csv, "
          "evaluations.csv, calibrated.toml")
    return 0


COMMANDS = {"analyze": cmd_analyze, "run": cmd_run, "scenarios": cmd_scenarios,
            "validate": cmd_validate, "sweep": cmd_sweep, "demo": cmd_demo,
            "claims": cmd_claims, "plot": cmd_plot, "facts": cmd_facts, "calibrate": cmd_calibrate}


if __name__ == "__main__":
    sys.exit(main())
