"""Running whole-column work on a thread per core.

numpy, Arrow and pandas' hash tables release the GIL in their kernels, so blocks of
rows processed on threads use every core without copying the ledger between processes.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

BLOCK_ROWS = 1 << 18
"""Rows in a block of whole-column work (classification, the split, the compiled
kernels): large enough to amortise a call, small enough to spread over the cores and to
keep a block's temporaries (some 100 bytes a row, on each thread at once) small: a first
claim in a process maps and zeroes every byte of them it has not used before."""


def in_threads(work: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[work(item) for item in items]`` on a thread per core (numpy and Arrow release
    the GIL), the calling thread one of them.

    Notes
    -----
    The caller takes items as the other threads do, instead of waiting for a pool of a
    thread per core: one thread fewer is started, and the caller's share of the work
    goes to memory its own allocator already holds (a first claim of 2M rows in a
    process maps some 40 MB less). Every item runs; when some raise, the first of them
    in order is raised, as from ``ThreadPoolExecutor.map``.
    """
    if len(items) <= 1:
        return [work(item) for item in items]
    results: list[Any] = [None] * len(items)
    errors: dict[int, Exception] = {}
    taken, lock = iter(range(len(items))), threading.Lock()

    def run() -> None:
        while True:
            with lock:
                k = next(taken, None)
            if k is None:
                return
            try:
                results[k] = work(items[k])
            except Exception as error:  # raised below, the first in order
                errors[k] = error

    helpers = [threading.Thread(target=run) for _ in range(min(_cores(), len(items)) - 1)]
    for helper in helpers:
        helper.start()
    try:
        run()
    finally:
        for helper in helpers:
            helper.join()
    if errors:
        raise errors[min(errors)]
    return results


def in_thread_pipeline(work: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
    """``work(item)`` for each item, in order, on a thread per core, the next items
    computed while the caller uses the one given (writes a block of a file): at most a
    core's worth of results and one more are held at once.

    ``items`` may be an iterator (blocks read from a file): it is advanced on the
    caller's thread as results are taken.
    """
    if isinstance(items, list) and len(items) <= 1:
        yield from (work(item) for item in items)
        return
    ahead = _cores() + 1
    workers = min(_cores(), len(items)) if isinstance(items, list) else _cores()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[Any]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1
