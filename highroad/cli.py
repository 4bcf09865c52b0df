"""The command line: `highroad run|scenarios|validate|sweep|demo|claims|plot` (and `run.py`)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from highroad.errors import InvariantError, ScenarioError


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
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    sub.add_parser("scenarios", help="list the shipped scenarios",
                   description="List the shipped scenarios with their descriptions.")
    validate = sub.add_parser("validate", help="check a scenario file without running it",
                              description="Validate a scenario file; exit 2 on an error.")
    validate.add_argument("file", help="scenario name or path")
    add_sweep_parser(sub)
    add_demo_parser(sub)
    add_claims_parser(sub)
    add_plot_parser(sub)
    return parser


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
    plot.add_argument("--out", help="output file (default RESULTS/plot_KIND.FORMAT)")


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
    sweep.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local process pool (default) or a Dask cluster")
    sweep.add_argument("--address", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                         "(default with --engine dask: a LocalCluster)")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def main(argv: list[str] | None = None) -> int:
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
    from highroad.scenarios.loader import load_scenario, parse_override

    overrides: dict[str, Any] = dict(parse_override(text) for text in args.overrides)
    if args.steps is not None:
        if args.steps < 1:
            raise ScenarioError("--steps", "steps", f"{args.steps} is out of range", ">= 1")
        overrides["steps"] = args.steps
    check_seed(args.seed)
    scenario = load_scenario(args.scenario, overrides)  # validate before anything is written
    resources.check_memory(resources.run_memory(scenario), "this run", scenario.source,
                           "workers_per_region")
    out = resources.check_output_folder(args.out, resources.run_output(scenario))
    with outputs.locked(out), outputs.staging(out) as private:
        result = simulate(scenario, seed=args.seed, progress=not args.no_progress,
                          keep_model=True)
        files = write_run(result, overrides, private)
        outputs.publish(private, out, files, f"{scenario.name}_manifest.json",
                        scenario=scenario.name, seed=args.seed, overrides=overrides)
    table = result.summary()
    print(f"\n{scenario.name}: {scenario.world.description}")
    print(f"seed {args.seed}, {scenario.world.steps} quarters after a burn-in of "
          f"{scenario.world.burn_in}\n")
    print(table.to_string(float_format=lambda v: f"{v:8.3f}"))
    if "COLLAPSED (share of quarters)" in table.index:
        print("\nthe economy COLLAPSED (nobody employed or nothing sold): inequality "
              "measures of those quarters are left out")
    print(f"\nwrote {out}/{', '.join(files)} and {scenario.name}_manifest.json")
    return 0


def write_run(result: Any, overrides: dict[str, Any], folder: Path) -> list[str]:
    """Write a run's tables, network, resolved scenario and chart to `folder`; their names."""
    from highroad.analysis.charts import save_figure, summary_figure

    scenario, seed = result.scenario, result.seed
    stem = scenario.name
    write_frame(result.economy, folder / f"{stem}_economy")
    write_frame(result.regions, folder / f"{stem}_regions")
    write_frame(households_frame(result.model), folder / f"{stem}_households")
    (folder / f"{stem}_network.json").write_text(json.dumps(network_data(result.model)))
    resolved = {"scenario": scenario.to_dict(), "seed": seed, "overrides": overrides}
    (folder / f"{stem}_scenario.json").write_text(json.dumps(resolved, indent=2, default=str))
    changed = ", ".join(f"{k}={v}" for k, v in overrides.items() if k != "steps")
    title = f"{stem}, seed {seed}" + (f": {changed}" if changed else "")
    fig = summary_figure(result.economy, result.regions, title[:110])
    save_figure(fig, folder / f"{stem}_summary.png")
    return [f"{stem}_{name}" for name in (
        "economy.parquet", "economy.csv", "regions.parquet", "regions.csv",
        "households.parquet", "households.csv", "network.json", "scenario.json", "summary.png")]


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
    from highroad.scenarios.loader import load_scenario

    scenario = load_scenario(args.file)
    print(f"{scenario.source}: valid ({scenario.world.n_regions} regions, "
          f"{scenario.world.steps} steps, rule {scenario.world.government_rule})")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from highroad.scenarios.sweep import sweep

    try:
        result = sweep(args.file, workers=args.workers, out=args.out, resume=args.resume,
                       engine=args.engine, address=args.address, progress=not args.no_progress)
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
                        fmt=args.format)
    table = report.table[["claim", "observable", "effect", "ci_low", "ci_high",
                          "sceptic_verdict", "counter_verdict"]]
    print(table.to_string(index=False, float_format=lambda v: f"{v:+.4f}"))
    print(f"\nwrote {report.out}/claims.md, claims.csv and figures/")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from highroad.analysis.plot_results import plot_results

    path = plot_results(args.results, args.kind, observable=args.observable, by=args.by,
                        x=args.x, y=args.y, scenario=args.scenario, fmt=args.format,
                        out=args.out)
    print(f"wrote {path}")
    return 0


COMMANDS = {"run": cmd_run, "scenarios": cmd_scenarios, "validate": cmd_validate,
            "sweep": cmd_sweep, "demo": cmd_demo, "claims": cmd_claims, "plot": cmd_plot}


if __name__ == "__main__":
    sys.exit(main())
