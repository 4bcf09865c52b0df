"""A wheel that runs anywhere: built from a clean copy, installed (not editable) in a fresh
virtual environment, and run from another folder with only the packaged data files.

About a minute: `python -m build` (sdist, then the wheel from the sdist), a venv that reuses
the installed dependencies (`--system-site-packages`, so nothing is downloaded for them), the
wheel installed with `--no-deps`, and three commands run from an empty folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".git", ".ci", "out", "build", "dist", ".pytest_cache", ".ruff_cache", ".hypothesis",
        ".benchmarks", "__pycache__"}

pytestmark = pytest.mark.wheel


def copy_sources(target: Path) -> None:
    """The files a release is built from (git's tracked files when this is a checkout)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if shutil.which("git") and listed.returncode == 0 and listed.stdout:
        for name in listed.stdout.splitlines():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
        return
    shutil.copytree(ROOT, target, dirs_exist_ok=True, ignore=lambda folder, names: [
        n for n in names if n in SKIP or n.endswith(".egg-info")])


def see_the_running_environment(python: Path) -> None:
    """Let the new venv import the dependencies installed where the tests run. Its
    `--system-site-packages` reaches the base interpreter's, which is where they are only
    when the tests run outside a virtual environment (as in CI); run from one (as a user
    following the README in a venv does), they are in the venv's site-packages. A .pth file
    appends those folders after the new venv's own, so the wheel's copy of highroad is still
    the one imported (the .pth files in them, an editable install's among them, are not
    read)."""
    folders = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    target = subprocess.run([str(python), "-c", "import sysconfig; "
                             "print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    (Path(target) / "running_environment.pth").write_text("\n".join(sorted(folders)) + "\n")


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_wheel_installs_and_runs_from_another_folder(tmp_path):
    with (ROOT / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    src, dist, elsewhere = tmp_path / "src", tmp_path / "dist", tmp_path / "elsewhere"
    src.mkdir()
    elsewhere.mkdir()
    copy_sources(src)
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)], tmp_path, env)
    wheel = dist / f"highroad-{version}-py3-none-any.whl"
    assert wheel.is_file() and (dist / f"highroad-{version}.tar.gz").is_file()

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], tmp_path, env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    see_the_running_environment(python)
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--force-reinstall", str(wheel)], tmp_path, env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"

    # The wheel's copy is the one imported, at the wheel's version.
    where = run([str(python), "-c", "import highroad; print(highroad.__file__); "
                 "print(highroad.__version__)"], elsewhere, env).split()
    assert Path(where[0]).is_relative_to(venv) and where[1] == version

    highroad = str(bin_dir / "highroad")
    out = run([highroad, "run", "baseline", "--steps", "2", "--no-progress", "--out", "res"],
              elsewhere, env)
    assert "as run: 6 regions" in out
    assert (elsewhere / "res" / "baseline_economy.parquet").is_file()
    listed = run([highroad, "scenarios"], elsewhere, env)
    assert "race_to_bottom" in listed and "walzer_global_state" in listed
    claims_file = run([str(python), "-c", "from importlib.resources import files; "
                       "print(files('highroad.scenarios') / 'claims' / 'claims.toml')"],
                      elsewhere, env).strip()
    assert Path(claims_file).is_relative_to(venv)
    checked = run([highroad, "validate", claims_file], elsewhere, env)
    assert "claims.toml: valid (" in checked and " claims, " in checked
    sweep_file = Path(claims_file).parents[1] / "sweeps" / "small_grid.toml"
    assert "valid (sweep of" in run([highroad, "validate", str(sweep_file)], elsewhere, env)
