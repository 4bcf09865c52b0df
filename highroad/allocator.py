"""Keep freed scratch memory for reuse instead of handing it back to the kernel (glibc).

A quarter allocates and frees a few hundred temporary arrays of one number per worker
(1.6 MB at 200,000 workers, 8 MB at 1,000,000). With glibc's default settings an
allocation that large gets a fresh mapping, or reuses heap memory that was handed back
to the kernel when the top of the heap was freed, and either way every page is faulted in
again: measured 1,500 to 3,600 page faults per quarter at 200,000 workers, 1 to 5 ms of a
quarter of about 50 ms, and the largest source of run-to-run variation in the benchmark
(docs/performance.md). Raising glibc's thresholds (`mallopt`) keeps up to about 100 MB of
freed memory in the process for reuse.

This is a setting of the whole process's allocator, so highroad applies it only where it
owns the process: the `highroad` command, the worker processes a sweep starts, and the
benchmarks. Building a model never applies it, so a notebook or another program (EMA
Workbench, say) that runs highroad keeps its allocator as it was. Such a program can opt in
explicitly, once, before running big worlds:

    >>> import highroad
    >>> highroad.keep_freed_memory()  # True where glibc took the setting
    True

`HIGHROAD_KEEP_FREED_MEMORY=0` refuses it everywhere. Nothing changes on systems without
glibc. Results do not depend on it, only speed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
#: Allocations below this come from the heap (glibc's largest allowed value on 64 bits).
MMAP_THRESHOLD = 32 * 1024 * 1024

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds once per process; True if they are set.

    Called by the CLI, sweep worker processes and the benchmarks; library users call it
    themselves if they want it. Returns False (and changes nothing) when the environment
    variable HIGHROAD_KEEP_FREED_MEMORY is "0", off Linux, or when glibc is not found.
    """
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("HIGHROAD_KEEP_FREED_MEMORY", "1") == "0" or sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _applied = all(mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD),
        (M_TOP_PAD, MMAP_THRESHOLD),
    ))
    return _applied
