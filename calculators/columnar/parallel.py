"""Running whole-column work on a thread per core.

numpy, Arrow and pandas' hash tables release the GIL in their kernels, so blocks of
rows processed on threads use every core without copying the ledger between processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

BLOCK_ROWS = 1 << 19
"""Rows in a block of whole-column work (classification, the split, the compiled
kernels): large enough to amortise a call, small enough to spread over the cores."""


def in_threads(work: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[work(item) for item in items]`` on a thread per core (numpy and Arrow release
    the GIL)."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(_cores(), len(items))) as pool:
        return list(pool.map(work, items))


def in_thread_batches(work: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
    """``work(item)`` for each item, in order, computed a core's worth of items at a time
    on a thread each: at most that many results are held at once (blocks of a file
    being written)."""
    step = _cores()
    for start in range(0, len(items), step):
        yield from in_threads(work, items[start : start + step])


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1
