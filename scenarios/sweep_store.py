"""The results folder of a sweep: durable per-run parts, resume, and the final tables.

Layout of `DIR` while a sweep runs:

    sweep.json                       the resolved sweep and the versions it started with
                                     (written before the first run)
    design.parquet                   the plan: one row per run (run_id, point, replicate, seed,
                                     factor values)
    parts/run-000012.economy.parquet one run's step-level rows
    parts/run-000012.regions.parquet
    parts/run-000012.json            the run's record; written last, so it marks the run done

and when it has finished:

    economy.parquet  regions.parquet  runs.parquet
    manifest.json    every file's size and checksum, the version, seed and completion time;
                     written last: it marks the sweep done, and readers refuse a sweep
                     folder without it (highroad/outputs.py)

One process at a time writes a sweep folder: `highroad.sweep` holds its lock
(`.highroad.lock`) from the first check to the end, and a second sweep or `--resume` on the
same folder is refused with exit code 2.

Every file is written to a temporary name, flushed to disk (fsync) and renamed, and the
folder is synced after the rename, so a kill (even `kill -9`) or a power cut leaves either
the whole file or nothing. A run counts as done only when its record exists, and the record
is written after its data; `--resume` re-runs every run without a record, so each run ends
up present exactly once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from highroad.errors import ScenarioError
from highroad.outputs import sync, write_manifest
from highroad.provenance import PACKAGES, describe, mismatch, versions
from highroad.scenarios.sweep_spec import SweepSpec

PART = re.compile(r"run-(\d+)\.json")
#: Written last when a sweep has finished; lists the files of the finished folder.
MANIFEST = "manifest.json"
FILES = ("sweep.json", "design.parquet", "economy.parquet", "regions.parquet", "runs.parquet")
TABLES = ("economy", "regions")
#: Rows gathered before the final tables get a new row group (bounds memory while merging).
ROWS_PER_GROUP = 200_000


def durable_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via `write(tmp)`, fsync it, rename it over `path`, then fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    sync(path.parent)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=1, default=str))


def write_text(path: Path, text: str) -> None:
    """Write a text file whole (temporary name, fsync, rename): never half-written."""
    durable_write(path, lambda tmp: tmp.write_text(text))


def check_results_folder(out: Path, marker: Path, fingerprint: str, resume: bool,
                         what: str) -> None:
    """Refuse `out` unless it is new, or holds this `what` (its `marker` file records the
    same fingerprint) and `resume` is set. Reads only."""
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", "out", f"{out} exists and is not a folder", "a folder path")
    if not marker.exists():
        return
    if not resume:
        raise ScenarioError("--out", "out", f"{out} already holds a {what}",
                            "--resume to finish or reuse it, or another --out folder")
    saved = json.loads(marker.read_text()).get("fingerprint")
    if saved != fingerprint:
        raise ScenarioError("--out", "out", f"{out} holds a different {what} "
                            f"(fingerprint {saved}, this one {fingerprint})",
                            f"the same {what} file to resume it, or another --out folder")


class SweepStore:
    """The files of one sweep in one folder."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.parts = self.out / "parts"

    def path(self, name: str) -> Path:
        return self.out / name

    def part(self, run_id: int, suffix: str) -> Path:
        return self.parts / f"run-{run_id:06d}.{suffix}"

    # -- before any run ---------------------------------------------------------------------

    def check(self, spec: SweepSpec, resume: bool, allow_version_mix: bool = False,
              replicates: int | None = None) -> SweepSpec:
        """Refuse a folder that is not ours to write; return the sweep to run in it.

        Read-only: nothing is written here. Refused: not a folder, another sweep, or (unless
        `allow_version_mix`) a sweep made under other versions. Resuming a sweep with more
        replicates than it holds (`replicates`, or a larger `replicates` in the file) extends
        it: the stored replicates stay as they are and the new ones follow on
        (`SweepSpec.with_blocks`).
        """
        if self.out.exists() and not self.out.is_dir():
            raise ScenarioError("--out", "out", f"{self.out} exists and is not a folder",
                                "a folder path")
        saved = self.path("sweep.json")
        if not saved.exists():
            return spec if replicates is None else spec.with_blocks((replicates,))
        if not resume:
            raise ScenarioError("--out", "out", f"{self.out} already holds a sweep",
                                "--resume to finish or reuse it, or another --out folder")
        stored = json.loads(saved.read_text())
        blocks = tuple(stored.get("replicate_blocks") or (stored["replicates"],))
        as_stored = spec.with_blocks(blocks)
        if stored.get("fingerprint") != as_stored.fingerprint:
            raise ScenarioError("--out", "out", f"{self.out} holds a different sweep "
                                f"(fingerprint {stored.get('fingerprint')}, this one "
                                f"{as_stored.fingerprint})",
                                "the same sweep file to resume it, or another --out folder")
        recorded = stored.get("versions")
        if not allow_version_mix and mismatch(recorded):
            then = describe(recorded) if recorded else "unrecorded versions"
            raise ScenarioError("--out", "out", f"{self.out} was started with {then}; this "
                                f"is {describe(versions())}", "the same versions to resume, "
                                "--allow-version-mix to mix them (each run records its own), "
                                "or another --out folder")
        target = replicates if replicates is not None else spec.replicates
        if target < sum(blocks):
            if replicates is not None:
                raise ScenarioError("--replicates", "replicates", f"{replicates} is fewer "
                                    f"than the {sum(blocks)} replicates already in {self.out}",
                                    f"a whole number >= {sum(blocks)}")
            return as_stored
        return spec.with_blocks(blocks + ((target - sum(blocks),) if target > sum(blocks)
                                          else ()))

    def reopen(self, spec: SweepSpec) -> None:
        """Make room for more replicates: the finished tables become `previous` parts.

        The manifest goes first (the sweep no longer counts as finished), then
        `runs.parquet` and the rest move; each step is a rename or removal, so a kill at any
        point leaves a state that `--resume` with the same replicates finishes. The new plan
        and resolved sweep are written last.
        """
        self.path(MANIFEST).unlink(missing_ok=True)
        sync(self.out)
        self.parts.mkdir(parents=True, exist_ok=True)
        for table in ("runs", *spec.tables):
            done = self.path(f"{table}.parquet")
            if done.exists() and not self.previous(table).exists():
                os.replace(done, self.previous(table))
        sync(self.parts)
        sync(self.out)
        durable_write(self.path("design.parquet"),
                      lambda tmp: spec.plan.to_parquet(tmp, index=False))
        started = json.loads(self.path("sweep.json").read_text()).get("versions")
        write_json(self.path("sweep.json"), {**spec.to_dict(), "versions": started})

    def previous(self, table: str) -> Path:
        """A table of the runs finished before the sweep was extended."""
        return self.parts / f"previous.{table}.parquet"

    def stored_fingerprint(self) -> str | None:
        saved = self.path("sweep.json")
        return json.loads(saved.read_text()).get("fingerprint") if saved.exists() else None

    def begin(self, spec: SweepSpec) -> None:
        """Create the folder, save the resolved sweep and the plan, clear half-written files."""
        self.parts.mkdir(parents=True, exist_ok=True)
        if not self.path("sweep.json").exists():
            durable_write(self.path("design.parquet"),
                          lambda tmp: spec.plan.to_parquet(tmp, index=False))
            write_json(self.path("sweep.json"), {**spec.to_dict(), "versions": versions()})
        for stray in self.parts.glob(".*.tmp"):
            stray.unlink()

    # -- while running ----------------------------------------------------------------------

    def finished(self) -> bool:
        return self.path(MANIFEST).exists()

    def done_runs(self, tables: tuple[str, ...] = TABLES) -> dict[int, str]:
        """Run id -> status of the runs whose record (and data, if it ran) is on disk."""
        if not self.parts.is_dir():
            return {}
        done = {}
        if self.previous("runs").exists():
            runs = pd.read_parquet(self.previous("runs"), columns=["run_id", "status"])
            done.update(zip(runs["run_id"].tolist(), runs["status"].tolist(), strict=True))
        for record in self.parts.glob("run-*.json"):
            run_id = int(PART.fullmatch(record.name).group(1))
            status = json.loads(record.read_text())["status"]
            if status != "ok" or all(self.part(run_id, f"{t}.parquet").exists() for t in tables):
                done[run_id] = status
        return done

    def write_run(self, record: dict[str, Any], frames: dict[str, pd.DataFrame]) -> None:
        """Save one finished run: its tables first, its record (the 'done' mark) last."""
        for table, frame in frames.items():
            durable_write(self.part(record["run_id"], f"{table}.parquet"),
                          lambda tmp, f=frame: f.to_parquet(tmp, index=False))
        write_json(self.part(record["run_id"], "json"), record)

    # -- at the end -------------------------------------------------------------------------

    def finish(self, spec: SweepSpec) -> None:
        """Merge the parts into economy/regions/runs.parquet (in run order), then drop them.

        A sweep extended with more replicates merges its earlier tables first.
        """
        earlier = (pd.read_parquet(self.previous("runs")) if self.previous("runs").exists()
                   else None)
        before = set() if earlier is None else set(earlier["run_id"].tolist())
        records = [json.loads(self.part(i, "json").read_text()) for i in range(spec.n_runs)
                   if i not in before]
        ok = [r["run_id"] for r in records if r["status"] == "ok"]
        for table in spec.tables:
            paths = [self.previous(table)] if self.previous(table).exists() else []
            paths += [self.part(i, f"{table}.parquet") for i in ok]
            durable_write(self.path(f"{table}.parquet"),
                          lambda tmp, p=paths: self._merge(p, tmp))
        runs = runs_table(records, spec) if records else None
        if earlier is not None:
            runs = earlier if runs is None else pd.concat([earlier, runs], ignore_index=True)
        started = json.loads(self.path("sweep.json").read_text()).get("versions")
        table = pa.Table.from_pandas(runs, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"highroad.versions": json.dumps(started)})
        durable_write(self.path("runs.parquet"), lambda tmp: pq.write_table(table, tmp))
        write_manifest(self.out, MANIFEST, list(FILES), sweep=spec.name, seed=spec.seed,
                       fingerprint=spec.fingerprint, runs=spec.n_runs,
                       failed=int((runs["status"] != "ok").sum()))
        shutil.rmtree(self.parts)

    def _merge(self, paths: list[Path], target: Path) -> None:
        """Stream the parts into one file, a few at a time, under one common schema."""
        if not paths:
            pd.DataFrame({"run_id": pd.Series(dtype="int64")}).to_parquet(target, index=False)
            return
        schema = pa.unify_schemas([pq.read_schema(p) for p in paths],
                                  promote_options="permissive")
        with pq.ParquetWriter(target, schema) as writer:
            for batch in _batches(paths, schema):
                writer.write_table(batch)


def _batches(paths: list[Path], schema: pa.Schema) -> Iterator[pa.Table]:
    """Parts read one by one, conformed to `schema`, joined into row groups."""
    pending: list[pa.Table] = []
    rows = 0
    for path in paths:
        table = _conform(pq.read_table(path), schema)
        pending.append(table)
        rows += table.num_rows
        if rows >= ROWS_PER_GROUP:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Add the columns a part lacks (a policy module off in this run) as nulls; cast."""
    for name in schema.names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, schema.field(name).type))
    return table.select(schema.names).cast(schema)


def runs_table(records: list[dict[str, Any]], spec: SweepSpec) -> pd.DataFrame:
    """One row per run: ids, seed, factors, status, error, wall time, end-of-run values."""
    rows = []
    for record in records:
        row = {k: record[k] for k in ("run_id", "point", "replicate", "seed")}
        row.update(record["factors"])
        row.update({k: record[k] for k in ("status", "error", "traceback", "wall_time",
                                           "command")})
        ran_with = record.get("versions") or {}
        row.update({f"{name}_version": ran_with.get(name) for name in PACKAGES})
        summary = record.get("summary") or {}
        row["collapsed"] = bool(summary.get("collapsed", 0.0) > 0)  # regions/plausibility.py
        row.update({f"end_{k}": v for k, v in summary.items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    plan = spec.plan
    for key in spec.factor_keys:  # keep each factor's type, even when every run failed
        frame[key] = frame[key].astype(plan[key].dtype)
    frame[["error", "traceback"]] = frame[["error", "traceback"]].astype("string")
    return frame.sort_values("run_id", ignore_index=True)
