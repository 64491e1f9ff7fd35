"""A ledger CSV read a block of rows at a time, as many times as a run needs, never held
whole in memory: for a command whose ledger is larger than what it keeps of each row.

The first reading (:meth:`CsvLedger.first_pieces`, the file opened by
:func:`open_ledger`) reads the file as :func:`~calculators.readers.ledger.read_ledger`
does (UTF-8, the header found the same way, total rows left out with the same note, the
file's SHA-256 and line ends counted as it is read) and gives its blocks to the caller as
they are read; each later one (:meth:`LedgerBlocks.pieces`) gives the same rows again, in
the same blocks. A block is read from the file as bytes ending at a line end
(:class:`Piece`) and parsed by whichever thread takes it, so that the cores parse and
classify while the file is read. A file that changed between two readings is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import _progress
from .._errors import LedgerFileError
from .._i18n import _
from .columns import canonical_name
from .csv_file import (
    _arrow_options,
    _Layout,
    _LineEnds,
    _text_frame,
    counted_from_header,
    is_stream,
    open_file,
    utf8_layout,
)
from .ledger import _csv_lines_note, _rows_note, total_rows, totals_note
from .xlsx_file import is_workbook

BLOCK_BYTES = 1 << 22
"""The bytes of the file read as one block of rows (about 60,000 rows of a usual ledger):
a few blocks are held at once, as read and as classified, whatever the file's size."""

_PARSE_BYTES = 1 << 20  # Arrow's own blocks within one block

_Stamp = tuple[int, int, int, int]


def _stamp(handle: Any) -> _Stamp:
    """The open file as the system sees it: device, inode, size, modification time."""
    found = os.fstat(handle.fileno())
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _changed(path: str) -> LedgerFileError:
    return LedgerFileError(
        "ledger",
        path,
        _("a file that does not change while relend reads it (it changed between two "
          "readings: run the claim again)"),
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Piece:
    """A block of a ledger's rows as the file's bytes, parsed by :meth:`frame`.

    Attributes
    ----------
    start : int
        The ledger's row of the block's first row (total rows left out).
    rows : int or None
        Its rows, as the first reading found them (None: in the first reading).
    checked : bool
        Whether the first reading checked the file's text as UTF-8 (it is not checked
        again).
    """

    data: bytes = field(repr=False)
    first: bool
    start: int
    rows: int | None
    layout: _Layout = field(repr=False)
    path: str
    checked: bool = False

    def parsed(self, columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
        """The block's rows without its total rows, every cell as text (only ``columns``,
        headers as given, if given), and which of its rows as read were totals."""
        names = self.layout.names
        loan_id = next((c for c in names if canonical_name(c) == "loan_id"), names[0])
        borrower = [c for c in names if canonical_name(c) == "borrower_id"][:1]
        wanted = list(names) if columns is None else list(dict.fromkeys(columns))
        read, parse, convert = _arrow_options(self.layout, "utf8", _PARSE_BYTES, False)
        # the columns a total row is told by are read with those asked for
        told = {*wanted, loan_id, names[0], *borrower}
        convert.include_columns = [c for c in names if c in told]
        read.skip_rows = 1 if self.first else 0  # the header line
        # the blocks are parsed on a thread per core already: Arrow's own threads as well
        # cost a 2M-row ledger some 0.25 s on 2 cores
        read.use_threads = False
        convert.check_utf8 = not self.checked
        frame = _text_frame(pacsv.read_csv(pa.py_buffer(self.data), read, parse, convert))
        marked = total_rows(frame)
        if marked.any():
            frame = frame.iloc[np.flatnonzero(~marked)].reset_index(drop=True)
        if self.rows is not None and len(frame) != self.rows:
            raise _changed(self.path)
        return frame[wanted], marked

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The block's rows (see :meth:`parsed`)."""
        return self.parsed(columns)[0]


def _pieces(source: Any, block_bytes: int) -> Iterator[bytes]:
    """The file from ``source``'s position on, in pieces of about ``block_bytes`` that
    end at a line end (a longer line makes a longer piece).

    Notes
    -----
    Each piece is parsed with the options of the whole file's reading
    (:func:`~calculators.readers.csv_file._arrow_options`: no line end within a cell, so
    that a line end ends a row wherever it is). Arrow's own streaming reader was not
    used: it reads up to 32 of its blocks ahead of the rows taken.
    """
    tail = b""
    while True:
        data = source.read(block_bytes)
        if not data:
            if tail:
                yield tail
            return
        given = tail + data
        cut = given.rfind(b"\n") + 1 or given.rfind(b"\r") + 1
        if not cut:
            tail = given
            continue
        tail = given[cut:]
        yield given[:cut]


@dataclass(frozen=True)
class LedgerBlocks:
    """A UTF-8 ledger CSV whose rows are read again a block at a time.

    Attributes
    ----------
    source : CsvLedger
        The file as opened.
    rows : int
        The ledger's rows (total rows left out).
    sha256 : str
        SHA-256 of the file's bytes.
    input_format : Mapping
        How the file was read (as :class:`~calculators.readers.ledger.LedgerFile` says).
    notes : tuple of dict
        The file's notes (``total_rows_ignored``, ``lines_count_from_header``,
        ``lines_count_rows``), as :func:`~calculators.readers.ledger.read_ledger` gives
        them.
    block_rows : tuple of int
        The rows of each block.
    """

    source: CsvLedger
    rows: int
    sha256: str
    input_format: MappingProxyType[str, Any]
    notes: tuple[dict[str, str], ...]
    block_rows: tuple[int, ...] = field(repr=False)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def columns(self) -> tuple[str, ...]:
        """The header's names, as given."""
        return self.source.layout.names

    @property
    def meta(self) -> pd.DataFrame:
        """No rows, the ledger's columns as text."""
        return self.source.meta

    def pieces(self) -> Iterator[Piece]:
        """The ledger's blocks in order, as read from the file (parse each with
        :meth:`Piece.frame`, on any thread).

        Raises
        ------
        LedgerFileError
            The file changed since it was first read (here, or when a block's rows are
            not those first found).
        """
        source = self.source
        with source.unchanged() as handle:
            handle.seek(source.skip + source.layout.offset)
            start = count = 0
            for count, data in enumerate(_pieces(handle, source.block_bytes), start=1):
                if count > len(self.block_rows):
                    raise _changed(self.path)
                rows = self.block_rows[count - 1]
                yield Piece(data, count == 1, start, rows, source.layout, self.path, True)
                start += rows
            if count != len(self.block_rows):
                raise _changed(self.path)


class FirstReading:
    """What the first reading of a ledger found, block by block, as its blocks are taken
    in order: the file's SHA-256 and line ends, each block's rows, the total rows."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.ends = _LineEnds()
        self.block_rows: list[int] = []
        self.read = 0  # rows as read, total rows among them
        self.totals: list[np.ndarray] = []  # each block's total rows, by line

    @property
    def rows(self) -> int:
        """The ledger's rows so far (total rows left out)."""
        return self.read - sum(len(t) for t in self.totals)

    def add(self, rows: int, marked: np.ndarray) -> int:
        """Take the next block: ``rows`` rows kept, ``marked`` its rows as read that were
        totals; return the ledger's row of the block's first row."""
        start = sum(self.block_rows)
        self.block_rows.append(rows)
        self.totals.append(np.flatnonzero(marked) + self.read + 2)
        self.read += len(marked)
        return start


@dataclass(frozen=True)
class CsvLedger:
    """A UTF-8 ledger CSV to be read block by block (see :func:`open_ledger`)."""

    path: str
    skip: int = field(repr=False)
    layout: _Layout = field(repr=False)
    stamp: _Stamp = field(repr=False)
    block_bytes: int = field(default=BLOCK_BYTES, repr=False)

    @property
    def meta(self) -> pd.DataFrame:
        """No rows, the ledger's columns as text."""
        return _text_frame(
            pa.table({n: pa.array([], pa.large_string()) for n in self.layout.names})
        )

    @contextlib.contextmanager
    def unchanged(self) -> Iterator[Any]:
        """The file opened for reading, refused (:class:`LedgerFileError`) when it is not
        the file :func:`open_ledger` opened, before it is read and after."""
        with open_file(self.path) as handle:
            if _stamp(handle) != self.stamp:
                raise _changed(self.path)
            yield handle
            if _stamp(handle) != self.stamp:
                raise _changed(self.path)

    def first_pieces(self, reading: FirstReading, progress: bool = False) -> Iterator[Piece]:
        """The ledger's blocks as first read: the file hashed and its line ends counted
        into ``reading`` as it is read (take each block's rows into it with
        :meth:`FirstReading.add`, in order).

        Raises
        ------
        LedgerFileError
            The file changed since it was opened.
        """
        words = _progress.reading(Path(self.path).name)
        with (
            self.unchanged() as handle,
            _progress.bar(self.stamp[2], words, progress, unit="B") as bar,
        ):
            header = self.skip + self.layout.offset
            source, reading.ends = counted_from_header(handle, header, reading.digest, bar)
            for number, data in enumerate(_pieces(source, self.block_bytes)):
                yield Piece(data, number == 0, -1, None, self.layout, self.path)
            source.read()  # nothing is left after the last piece; hashed if there were

    def read_again(self, reading: FirstReading) -> LedgerBlocks:
        """The ledger as its first reading (done) found it, to be read again."""
        notes: tuple[dict[str, str], ...] = ()
        count = reading.read - reading.rows
        if count:
            # TRANSLATORS: a place in a note, followed by line numbers: ledger.csv, line 3, 7
            place = _("{path}, line").format(path=self.path)
            notes += (totals_note(np.concatenate(reading.totals)[:10], count, place),)
        if self.layout.header_line != 1:
            notes += (_csv_lines_note(self.path, self.layout.header_line),)
        if not reading.ends.one_per_row(reading.read):
            notes += (_rows_note(self.path),)
        return LedgerBlocks(
            self, reading.rows, reading.digest.hexdigest(),
            MappingProxyType(self.layout.found("utf-8")), notes, tuple(reading.block_rows),
        )  # fmt: skip


def open_ledger(
    path: str | Path, keep: str = "loan_id", *, block_bytes: int = BLOCK_BYTES
) -> CsvLedger | None:
    """A ledger CSV to read block by block, from its header; None for a ledger that
    :func:`~calculators.readers.ledger.read_ledger` must read whole: standard input or a
    pipe, a workbook, a file not in UTF-8 by its first megabyte, the header alone, or no
    column ``keep`` (a canonical name)."""
    if is_stream(path) or is_workbook(path):
        return None
    with open_file(path) as handle:
        found = utf8_layout(handle, path)
        if found is None:
            return None
        skip, layout = found
        if not any(canonical_name(c) == keep for c in layout.names):
            return None
        return CsvLedger(str(path), skip, layout, _stamp(handle), block_bytes)
