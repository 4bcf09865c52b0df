"""Which versions produced a result: highroad's own and those of Mesa, numpy and pandas.

Every output the command line writes records them (a run's resolved scenario JSON, a sweep's
`sweep.json`, run records and `runs.parquet` metadata, the claims report), so a number can be
traced to the code that made it, and `highroad sweep --resume` can refuse to mix versions.
"""

from __future__ import annotations

import platform
from importlib import metadata

#: The distributions whose versions a result records, in this order.
PACKAGES = ("highroad", "mesa", "numpy", "pandas")


def package_version(name: str) -> str:
    """The installed version of distribution `name`, or "unknown" if it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    """{"highroad": ..., "mesa": ..., "numpy": ..., "pandas": ..., "python": ...}."""
    out = {name: package_version(name) for name in PACKAGES}
    out["python"] = platform.python_version()
    return out


def describe(recorded: dict[str, str]) -> str:
    """'highroad 0.2.0, mesa 3.3.1, numpy 2.1.0, pandas 2.2.3' (Python left out)."""
    return ", ".join(f"{name} {recorded.get(name, '?')}" for name in PACKAGES)


def mismatch(recorded: dict[str, str] | None) -> bool:
    """True when `recorded` names other versions of highroad, Mesa, numpy or pandas than
    this process has (a record without versions counts as different)."""
    if not recorded:
        return True
    now = versions()
    return any(recorded.get(name) != now[name] for name in PACKAGES)
