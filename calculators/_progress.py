"""Progress bars on stderr for the long steps of a run: reading, classifying, writing.

A bar appears only once its step has run for :data:`DELAY_SECONDS` (short runs show
nothing), only when asked for (``progress=True`` in Python; on the command line when
stderr is a terminal and ``--quiet`` is not given), and it is removed when the step
ends. It advances once per block of rows or of bytes, never per row.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from ._i18n import _

DELAY_SECONDS = 2.0
"""How long a step runs before its bar is drawn."""


def reading(name: str) -> str:
    """The bar's words while a file is read."""
    return _("reading {file}").format(file=name)


def classifying() -> str:
    """The bar's words while the ledger's rows are classified."""
    return _("classifying rows")


def writing(name: str) -> str:
    """The bar's words while an output file is written."""
    return _("writing {file}").format(file=name)


def rows_unit() -> str:
    """The bar's unit when it counts rows (tqdm appends ``/s``)."""
    # TRANSLATORS: the unit of a progress bar counting rows, with its leading space
    return _(" rows")


PROGRESS_FILE = "RELEND_PROGRESS_FILE"
"""An environment variable: a file to which every step's progress is appended, one JSON
line (``step``, ``done``, ``total``) at most every :data:`_RECORD_SECONDS`, whether or
not a bar is drawn (the web app reads it for the run it started)."""

_RECORD_SECONDS = 0.25


def _step(words: str) -> str:
    """``reading``, ``classifying`` or ``writing``: which step a bar's words name."""
    for name, made in (("reading", reading("")), ("writing", writing("")),
                       ("classifying", classifying())):  # fmt: skip
        if words.startswith(made.strip()):
            return name
    return "other"


class _Hidden:
    """What :class:`Bar` asks of a bar never drawn: a total, and updates that do nothing
    (no tqdm is made: a first one takes a lock of ``multiprocessing``, importing it, some
    2 ms of a process's first claim)."""

    def __init__(self, total: int) -> None:
        self.total = total

    def update(self, n: int) -> None:
        """Nothing to draw."""


class Bar:
    """A tqdm bar that several threads may advance (each update under one lock)."""

    def __init__(self, bar: tqdm | _Hidden, step: str = "other") -> None:
        self._bar = bar
        self._lock = threading.Lock()
        self._record = os.environ.get(PROGRESS_FILE)
        self._step = step
        self._done = 0
        self._recorded = 0.0
        if self._record:
            self._write(force=True)

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self._record or (not force and now - self._recorded < _RECORD_SECONDS):
            return
        self._recorded = now
        line = json.dumps({"step": self._step, "done": self._done, "total": self._bar.total})
        try:
            with open(self._record, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError:
            self._record = None

    def update(self, n: int) -> None:
        """Advance the bar by ``n`` rows or bytes."""
        with self._lock:
            self._bar.update(n)
            self._done += n
            self._write()

    def extend(self, n: int) -> None:
        """Add ``n`` to the bar's total (more rows to write than first counted)."""
        with self._lock:
            self._bar.total = (self._bar.total or 0) + n


@contextlib.contextmanager
def bar(total: int, words: str, show: bool, unit: str | None = None) -> Iterator[Bar]:
    """A progress bar of ``total`` units on stderr, drawn after :data:`DELAY_SECONDS`
    when ``show``; with ``show`` False its updates draw nothing (they are still recorded
    in :data:`PROGRESS_FILE`)."""
    if not show:
        yield Bar(_Hidden(total), _step(words))
        return
    with tqdm(
        total=total, desc=f"relend: {words}", unit=unit or rows_unit(), unit_scale=True,
        disable=False, delay=DELAY_SECONDS, file=sys.stderr, leave=False,
    ) as drawn:  # fmt: skip
        yield Bar(drawn, _step(words))


class _Reader:
    """What Arrow asks of a Python file it reads: a position, and no writing."""

    def __init__(self, progress: Bar) -> None:
        self._progress = progress
        self._at = 0
        self.closed = False

    def tell(self) -> int:
        return self._at

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


class DigestingReader(_Reader):
    """A file read once, front to back, that feeds each block read to a hash and
    advances a bar by its size.

    Arrow's CSV reader takes its input a block at a time: the file's bytes are hashed
    as they are parsed, and are never all in memory at once.
    """

    def __init__(self, file: Any, digest: Any, progress: Bar) -> None:
        super().__init__(progress)
        self._file = file
        self._digest = digest

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all the rest when negative)."""
        data = self._file.read(-1 if size is None else size)
        self._digest.update(data)
        self._progress.update(len(data))
        self._at += len(data)
        return data

    def seekable(self) -> bool:
        return False


class CountedReader(_Reader):
    """A file-like view of an Arrow buffer that advances a bar by the bytes read from it.

    Arrow's CSV reader takes its input a block at a time, so the bar moves as the file
    is parsed; the blocks are slices of the buffer, not copies.
    """

    def __init__(self, buffer: pa.Buffer, progress: Bar) -> None:
        super().__init__(progress)
        self._view = memoryview(buffer)

    def read(self, size: int = -1) -> Any:
        """Up to ``size`` bytes (all the rest when negative), as a memoryview."""
        end = len(self._view) if size is None or size < 0 else min(self._at + size, len(self._view))
        out = self._view[self._at : end]
        self._progress.update(end - self._at)
        self._at = end
        return out

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._at, len(self._view))[whence]
        self._at = max(0, min(base + offset, len(self._view)))
        return self._at

    def seekable(self) -> bool:
        return True
