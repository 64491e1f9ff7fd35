"""The command's own process memory: glibc's allocator set up and trimmed between the
stages of a run (Linux with glibc only; elsewhere nothing is done)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h
ARENAS = 2
"""The most malloc arenas the command's threads share (glibc's own limit is eight per
core)."""

_LIBC: list[Any] = []  # glibc once loaded, or None where there is none


def _glibc() -> Any:
    """glibc's ``mallopt`` and ``malloc_trim``, or None (macOS, Windows, musl)."""
    if not _LIBC:
        found = None
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt"):
                    libc.malloc_trim.argtypes = [ctypes.c_size_t]
                    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
                    found = libc
            except OSError:
                found = None
        _LIBC.append(found)
    return _LIBC[0]


def limit_arenas() -> bool:
    """Let the run's threads share at most :data:`ARENAS` malloc arenas; whether glibc
    took the setting.

    Notes
    -----
    Each thread that allocates gets its own arena up to glibc's limit, and an arena
    keeps what its thread frees: the blocks classified on the worker threads left about
    70 MiB free in their arenas at 2 million rows, on top of what the main thread's
    arena keeps (``benchmarks/README.md``).
    """
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_ARENA_MAX, ARENAS))


def return_freed() -> bool:
    """Hand the memory freed in glibc's arenas back to the system (``malloc_trim``), so
    that the next stage of a run starts from what is in use; whether any was returned.

    Notes
    -----
    glibc gives back only the top of an arena by itself; what a stage freed below that
    (the reference list's and the ledger's reading, the classification's temporaries)
    stays resident, and the next stage's peak comes on top of it.
    """
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))
