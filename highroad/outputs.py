"""Results folders as one unit: a lock per folder, a private staging folder, a manifest last.

A run (or a finished sweep) is complete when its manifest exists and every file it lists
has the size and SHA-256 checksum recorded there. The manifest is written after every
file it lists, and removed before any of them is replaced, so a kill or a full disk at any
moment leaves either a complete unit or one that readers refuse (`verify`). One writer at a
time per folder: `locked` takes an exclusive lock (`fcntl.flock`, released by the kernel if
the process dies) and refuses a second writer with exit code 2 instead of mixing files.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highroad.errors import ScenarioError
from highroad.provenance import package_version

LOCK = ".highroad.lock"
STAGING = ".staging-"


@contextlib.contextmanager
def locked(folder: Path, option: str = "--out") -> Iterator[None]:
    """Hold the folder's lock for the block; refuse (ScenarioError) if another process has it."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise ScenarioError(option, option.lstrip("-"), f"{folder} is in use by another "
                                f"highroad process (pid {holder})",
                                "wait for it to finish, or another folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A private folder inside `folder` to write into; removed afterwards whatever happens.

    Call under `locked(folder)`: stale staging folders of killed runs are removed first.
    """
    for stale in folder.glob(f"{STAGING}*"):
        shutil.rmtree(stale, ignore_errors=True)
    private = Path(tempfile.mkdtemp(prefix=STAGING, dir=folder))
    try:
        yield private
    finally:
        shutil.rmtree(private, ignore_errors=True)


def checksum(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def write_manifest(folder: Path, name: str, files: list[str], **facts: Any) -> Path:
    """Write `name` listing `files` of `folder` (sizes, checksums) with version, time, `facts`."""
    manifest = {
        "highroad_version": package_version("highroad"),
        **facts,
        "completed": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {f: {"bytes": (folder / f).stat().st_size, "sha256": checksum(folder / f)}
                  for f in files},
    }
    path = folder / name
    tmp = path.with_name(f".{name}.tmp")
    with tmp.open("w") as fh:
        json.dump(manifest, fh, indent=1, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    sync(folder)
    return path


def publish(private: Path, folder: Path, files: list[str], manifest: str,
            **facts: Any) -> None:
    """Move `files` from the staging folder into `folder` as one unit, the manifest last."""
    (folder / manifest).unlink(missing_ok=True)  # from now on, the old unit is incomplete
    sync(folder)
    for name in files:
        os.replace(private / name, folder / name)
    sync(folder)
    write_manifest(folder, manifest, files, **facts)


def verify(folder: Path, manifest: str) -> dict[str, Any]:
    """The manifest of a complete unit; ScenarioError if it is missing or a file differs."""
    path = folder / manifest
    allowed = "a folder whose run or sweep finished (rerun it, or --resume a sweep)"
    try:
        data = json.loads(path.read_text())
        files = data["files"]
    except FileNotFoundError:
        raise ScenarioError(str(folder), "", f"{manifest} is missing: the results are "
                            "incomplete (a run killed or failed while writing)", allowed) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise ScenarioError(str(folder), "", f"{manifest} is unreadable", allowed) from None
    for name, facts in files.items():
        file = folder / name
        if not file.is_file():
            raise ScenarioError(str(folder), name, "is listed in the manifest but missing",
                                allowed)
        if file.stat().st_size != facts["bytes"] or checksum(file) != facts["sha256"]:
            raise ScenarioError(str(folder), name, "differs from the manifest (changed or "
                                "corrupt since the run finished)", allowed)
    return data


def sync(folder: Path) -> None:
    """Make renames in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
