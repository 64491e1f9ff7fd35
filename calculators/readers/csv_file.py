"""Reading CSV files as text: a file's bytes (standard input and pipes too), its
encoding (see :mod:`calculators.readers.encoding`), the header line and its delimiter,
and every cell as a string, by Arrow's CSV reader.

Notes
-----
The delimiter (comma, tab or semicolon) is the one the header line uses most, or the
one of an Excel ``sep=`` first line. A UTF-8 file is streamed and hashed as it is read;
any other is memory-mapped (see :func:`calculators.readers.ledger.read_ledger`).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import _progress
from .._errors import LedgerFileError
from .._i18n import _, os_reason
from ..columnar.text import TEXT
from . import encoding as _encoding
from .columns import _ALIAS_TO_CANONICAL, HEADER_SCAN_ROWS, _normal_header


def decode_bytes(data: bytes, path: str, what: str = "ledger", encoding: str | None = None) -> str:
    """Decode a file as :func:`calculators.readers.encoding.choose` decides (UTF-8, UTF-16,
    GB18030 with confidence, or the ``encoding`` named); refuse anything else."""
    chosen, skip = _encoding.choose(data, path, what, _encoding.normal_encoding(encoding))
    return bytes(memoryview(data)[skip:]).decode(chosen)


STDIN = "-"
"""The path that names standard input."""


def is_stream(path: str | Path) -> bool:
    """Whether ``path`` is standard input (``-``) or a pipe, FIFO or device rather than
    a regular file (``/dev/stdin`` from a pipe, a shell's ``<(...)``): it is read once,
    front to back, and cannot be mapped or read twice."""
    if str(path) == STDIN:
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False  # the reader names the OS's reason


def read_bytes(path: str | Path, what: str = "ledger") -> bytes:
    """Read a file (``-``: standard input), turning OS errors into one-line
    :class:`LedgerFileError`."""
    try:
        if str(path) == STDIN:
            return sys.stdin.buffer.read()
        return Path(path).read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc, what) from None


def _unreadable(path: str | Path, exc: OSError, what: str = "ledger") -> LedgerFileError:
    return LedgerFileError(
        what, str(path), _("a readable file ({reason})").format(reason=os_reason(exc))
    )


def utf8_layout(handle: Any, path: str | Path) -> tuple[int, _Layout] | None:
    """Where a UTF-8 CSV's rows start, from its first megabyte: the BOM's length and the
    header's layout; None for a file the memory-mapped reader must take (not UTF-8 by its
    first megabyte, UTF-16, empty, or the header alone)."""
    head = handle.read(_encoding.SAMPLE_BYTES)
    skip = len(_BOM) if head.startswith(_BOM) else 0
    body = head[skip:] if len(head) < _encoding.SAMPLE_BYTES else _encoding.cut(head[skip:])
    if (
        not body.strip()
        or head[:2] in _UTF16_BOMS
        or b"\x00" in head[:4096]
        or not _encoding.is_utf8(body)
    ):
        return None
    whole = len(head) < _encoding.SAMPLE_BYTES
    layout = _layout(body, "utf-8", str(path), "ledger", whole=whole)
    if layout is None or not layout.ends:
        return None
    return skip, layout


def open_file(path: str | Path, what: str = "ledger") -> Any:
    """A file opened for reading in binary, or the OS's reason as a :class:`LedgerFileError`."""
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _unreadable(path, exc, what) from None


def _streamed_csv(
    path: str | Path, progress: bool, encoding: str | None = None
) -> tuple[pd.DataFrame, dict[str, Any], str, bool] | None:
    """A UTF-8 CSV read as a stream: the frame, how it was read, the file's SHA-256, and
    whether each row is one line (see :class:`_LineEnds`);
    None for a file the memory-mapped reader must take (not UTF-8 by its first
    megabyte, UTF-16, another encoding forced, empty, or refused by Arrow's parser,
    whose error that reader words)."""
    if encoding not in (None, "utf-8"):
        return None
    with open_file(path) as handle:
        found_layout = utf8_layout(handle, path)
        if found_layout is None:
            return None
        skip, layout = found_layout
        digest = hashlib.sha256()
        size = os.fstat(handle.fileno()).st_size
        with _progress.bar(size, _progress.reading(Path(path).name), progress, unit="B") as bar:
            source, ends = counted_from_header(handle, skip + layout.offset, digest, bar)
            read, parse, convert = _arrow_options(layout, "utf8", _CSV_BLOCK_BYTES, False)
            try:
                table = pacsv.read_csv(
                    source, read_options=read, parse_options=parse, convert_options=convert
                )
            except pa.ArrowInvalid:
                return None
            source.read()  # nothing is left after Arrow's last block; hashed if there were
    found = layout.found("utf-8")
    return _text_frame(table), found, digest.hexdigest(), ends.one_per_row(table.num_rows)


def counted_from_header(
    handle: Any, header: int, digest: Any, bar: Any
) -> tuple[_CountingReader, _LineEnds]:
    """A reader of ``handle`` from the file's first byte that hashes every byte into
    ``digest`` and counts the line ends from the header on (at byte ``header``, where it
    is left)."""
    handle.seek(0)
    ends = _LineEnds()
    source = _CountingReader(handle, digest, bar, None)
    source.read(header)
    source.ends = ends
    return source, ends


class _CountingReader(_progress.DigestingReader):
    """A :class:`~calculators._progress.DigestingReader` that also counts the line ends
    of what it reads once ``ends`` is set."""

    def __init__(self, file: Any, digest: Any, bar: Any, ends: _LineEnds | None) -> None:
        super().__init__(file, digest, bar)
        self.ends = ends

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        if self.ends is not None:
            self.ends.add(data)
        return data


def _text_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table of text columns as a DataFrame of pandas' ``str`` columns, sharing
    the table's buffers."""
    return table.to_pandas(types_mapper={pa.large_string(): TEXT, pa.string(): TEXT}.get)


@contextlib.contextmanager
def _mapped(path: str | Path, what: str = "ledger") -> Iterator[pa.Buffer]:
    """A file's bytes, memory-mapped (an empty file gives an empty buffer)."""
    try:
        with open(path, "rb"):  # the OS's own reason when the file cannot be read
            pass
        source = pa.memory_map(str(path))
    except OSError as exc:
        raise _unreadable(path, exc, what) from None
    try:
        yield source.read_buffer()
    finally:
        source.close()


_BOM = _encoding.UTF8_BOM
_CSV_BLOCK_BYTES = 1 << 24
_CSV_MAX_BLOCK_BYTES = 1 << 30  # Arrow's blocks are at most 2 GiB
_SEP_HINT = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)
_LINE_END = re.compile(rb"\r\n|\r|\n")


def read_csv_text(
    data: bytes | pa.Buffer, path: str, what: str = "ledger", *, encoding: str | None = None
) -> pd.DataFrame:
    """Every cell of a CSV as text (empty cells as ``""``); see :func:`read_csv_table`."""
    return read_csv_table(data, path, what, encoding=encoding)[0]


_UTF16_BOMS = _encoding.UTF16_BOMS
_DELIMITERS = (",", "\t", ";")


def _cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line, quotes respected (a cell past the csv module's size limit
    is split on the delimiter alone)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return line.split(delimiter)


def sniff_delimiter(line: str) -> str:
    """The delimiter a header line uses: the one of comma, tab and semicolon that splits
    it into the most cells (comma on a tie), quotes respected."""
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        cells = len(_cells(line, delimiter))
        if cells > most:
            best, most = delimiter, cells
    return best


@dataclass(frozen=True)
class _Layout:
    """Where a CSV's header is and how its rows are split.

    Attributes
    ----------
    offset : int
        The byte where the header line starts (after a BOM, ``sep=`` hint, title rows
        and blank lines).
    names : tuple of str
        The header's cells.
    delimiter : str
    header_line : int
        The header's line in the file, from 1.
    ends : bool
        Whether a line end follows the header (else the file is the header alone).
    """

    offset: int
    names: tuple[str, ...]
    delimiter: str
    header_line: int
    ends: bool

    def found(self, encoding: str) -> dict[str, Any]:
        """How the file was read, for ``input_format``."""
        found: dict[str, Any] = {"kind": "csv", "encoding": encoding, "delimiter": self.delimiter}
        if self.header_line != 1:
            found["header_line"] = self.header_line
        return found


def _layout(head: bytes, encoding: str, path: str, what: str, *, whole: bool) -> _Layout | None:
    """The header of a CSV whose first bytes (after any BOM) are ``head``, in an
    ASCII-compatible ``encoding``: after an Excel ``sep=`` line if there is one, the
    line among the first :data:`HEADER_SCAN_ROWS` filled ones naming the most known
    columns (the first filled line when none does); None when ``head`` holds no
    complete line and more of the file follows (``whole`` False).

    Raises
    ------
    LedgerFileError
        A header with no names, or naming a column twice.
    """
    lines: list[tuple[int, int, str]] = []  # start, line number, text
    start = 0
    for number, end in enumerate(_LINE_END.finditer(head), start=1):
        lines.append((start, number, head[start : end.start()].decode(encoding, "replace")))
        start = end.end()
        if len(lines) > HEADER_SCAN_ROWS + 1:
            break
    else:
        if start < len(head) and whole:
            lines.append((start, len(lines) + 1, head[start:].decode(encoding, "replace")))
        elif not lines and not whole:
            return None
    hint = None
    if lines and (match := _SEP_HINT.match(lines[0][2])):
        hint = match.group(1)
        lines = lines[1:]
    filled = [line for line in lines if line[2].strip()][:HEADER_SCAN_ROWS]
    if not filled:
        raise LedgerFileError(what, path, _("a CSV with a header row"))
    scores = []
    for _start, _number, text in filled:
        cells = _cells(text, hint or sniff_delimiter(text))
        scores.append(sum(_normal_header(c) in _ALIAS_TO_CANONICAL for c in cells))
    offset, header_line, text = filled[scores.index(max(scores))]
    delimiter = hint or sniff_delimiter(text)
    header = _cells(text, delimiter)
    if not any(name.strip() for name in header):
        raise LedgerFileError(what, path, _("a CSV with a header row"))
    if len(set(header)) != len(header):
        raise LedgerFileError(what, path, _("a header naming each column once"))
    after = head[offset:]
    ends = _LINE_END.search(after) is not None
    return _Layout(offset, tuple(header), delimiter, header_line, ends)


def read_csv_table(
    data: bytes | pa.Buffer,
    path: str,
    what: str = "ledger",
    *,
    progress: bool = False,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every cell of a CSV as text (empty cells as ``""``), read by Arrow's CSV reader,
    and how it was read: ``kind``, ``encoding`` and ``delimiter`` (and ``header_line``
    when the header is not line 1).

    Parameters
    ----------
    data : bytes or pyarrow.Buffer
    path : str
        The file's name in messages.
    what : str
        What the file is, in messages (``ledger``, ``npl``).
    progress : bool
        A bar by bytes read (see :mod:`calculators._progress`).
    encoding : str, optional
        The file's encoding (a Python codec name: ``big5``, ``shift_jis``), instead of
        the one :func:`calculators.readers.encoding.choose` finds.

    Notes
    -----
    The encoding is UTF-8 (a BOM skipped), UTF-16 (by its BOM, or its NUL bytes), or
    GB18030 with confidence (see :mod:`calculators.readers.encoding`); anything else is
    refused, naming the likely encoding and the first line that does not decode. The
    header is the line after an Excel ``sep=`` hint, or the line among the first
    :data:`HEADER_SCAN_ROWS` naming the most known columns (title rows above it are
    skipped); the delimiter is the hint's, else the one the header uses most
    (:func:`sniff_delimiter`). Line ends may be LF, CRLF or CR; cells may hold line
    ends when quoted.
    """
    frame, found, _rows_are_lines = _csv_table(data, path, what, progress, encoding)
    return frame, found


def _csv_table(
    data: bytes | pa.Buffer, path: str, what: str, progress: bool, encoding: str | None
) -> tuple[pd.DataFrame, dict[str, Any], bool]:
    """:func:`read_csv_table`, and whether each row is one line of the file (no blank
    line nor cell over several lines before the last row)."""
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    chosen, skip = _encoding.choose(buffer, path, what, _encoding.normal_encoding(encoding))
    if not _encoding.ascii_compatible(chosen):  # UTF-16: read as UTF-8 text
        text = memoryview(buffer)[skip:].tobytes().decode(chosen)
        body, arrow = pa.py_buffer(text.encode("utf-8")), "utf8"
    else:
        body, arrow = buffer.slice(skip), ("utf8" if chosen == "utf-8" else chosen)
    head = _head_lines(body)
    layout = _layout(
        head, "utf-8" if arrow == "utf8" else chosen, path, what, whole=len(head) == body.size
    )
    assert layout is not None  # the head holds the first line whole
    found = layout.found(chosen)
    if not layout.ends:  # the header alone, without a line end
        table = pa.table({name: pa.array([], pa.large_string()) for name in layout.names})
        return _text_frame(table), found, True
    rows = body.slice(layout.offset)
    table = _arrow_csv(rows, layout, arrow, path, what, progress)
    ends = _LineEnds()
    for start in range(0, rows.size, _CSV_BLOCK_BYTES):
        ends.add(rows.slice(start, min(_CSV_BLOCK_BYTES, rows.size - start)))
    return _text_frame(table), found, ends.one_per_row(table.num_rows)


class _LineEnds:
    """The line ends of a CSV from its header on, counted block by block as it is read
    (LF, or CR in a file without LF), those at the very end of the file left out."""

    def __init__(self) -> None:
        self.lf = self.cr = 0
        self.tail = b""

    def add(self, block: Any) -> None:
        """Count the line ends of the next block of the file (bytes or a buffer), by
        numpy's comparison (several times faster than ``bytes.count``); CRs only while
        no LF has been seen."""
        view = memoryview(block).cast("B")
        if not len(view):
            return
        codes = np.frombuffer(view, dtype=np.uint8)
        self.lf += int(np.count_nonzero(codes == 0x0A))
        if not self.lf:
            self.cr += int(np.count_nonzero(codes == 0x0D))
        self.tail = (self.tail + view[-4096:].tobytes())[-4096:]

    def one_per_row(self, rows: int) -> bool:
        """Whether a file of a header and ``rows`` rows has no line end beyond one after
        each row but the last: no blank line nor cell over several lines among them."""
        trailing = self.tail[len(self.tail.rstrip(b"\r\n")) :]
        lines = self.lf - trailing.count(b"\n") if self.lf else self.cr - trailing.count(b"\r")
        return lines <= rows


def _head_lines(body: pa.Buffer) -> bytes:
    """The first megabyte of a file, or up to the end of its first line when that is
    longer (a very wide header)."""
    head = body.slice(0, min(body.size, _encoding.SAMPLE_BYTES)).to_pybytes()
    if _LINE_END.search(head):
        return head
    ends = np.flatnonzero(np.isin(np.frombuffer(memoryview(body), dtype=np.uint8), (10, 13)))
    return body.slice(0, int(ends[0]) + 1 if len(ends) else body.size).to_pybytes()


def _arrow_options(
    layout: _Layout, encoding: str, block: int, newlines: bool
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """How Arrow reads a CSV from its header line on: the header's names as given
    (the header line itself skipped), every column as text (``large_string``, as pandas
    keeps it: no conversion after reading), empty cells as ``""``."""
    convert = pacsv.ConvertOptions(
        column_types={name: pa.large_string() for name in layout.names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(
        encoding=encoding, block_size=block, column_names=list(layout.names), skip_rows=1
    )
    parse = pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=newlines)
    return read, parse, convert


def _arrow_csv(
    body: pa.Buffer, layout: _Layout, encoding: str, path: str, what: str, progress: bool = False
) -> pa.Table:
    """The CSV (``body`` starts at its header line) as an Arrow table of strings.

    Notes
    -----
    A row larger than Arrow's block is read again with blocks four times larger (up
    to 1 GiB); cells holding line ends, again with Arrow's slower quote-aware
    chunking. Arrow's refusals are put in the user's words: the line of a row with the
    wrong number of fields, as an editor counts lines.
    """
    words = _progress.reading(Path(path).name)
    block, newlines = _CSV_BLOCK_BYTES, False
    while True:
        read, parse, convert = _arrow_options(layout, encoding, block, newlines)
        try:
            with _progress.bar(body.size, words, progress, unit="B") as bar:
                source = _progress.CountedReader(body, bar) if progress else pa.BufferReader(body)
                return pacsv.read_csv(
                    source, read_options=read, parse_options=parse, convert_options=convert
                )
        except pa.ArrowInvalid as exc:
            message = str(exc)
        if "straddl" in message and block < _CSV_MAX_BLOCK_BYTES:
            block *= 4
        elif "chunker" in message and not newlines:
            newlines = True
        elif "columns, got" in message:
            raise _field_count_error(body, layout, encoding, path, what) from None
        else:
            raise LedgerFileError(what, path, _csv_refusal(message)) from None


def _csv_refusal(message: str) -> str:
    """What is accepted, for an Arrow refusal other than a row's field count."""
    if "straddl" in message:
        return _("a CSV whose rows are each under 1 GiB")
    return _("a well-formed CSV: quoted cells closed, the same number of fields on every row")


def _field_count_error(
    body: pa.Buffer, layout: _Layout, encoding: str, path: str, what: str
) -> LedgerFileError:
    """The refusal of a row with the wrong number of fields, naming its line: the file
    is parsed again on one thread, which numbers the rows (only on this error)."""
    bad: list[Any] = []

    def first(row: Any) -> str:
        bad.append(row)
        return "error"

    read, parse, convert = _arrow_options(layout, encoding, _CSV_MAX_BLOCK_BYTES, True)
    read.use_threads = False
    parse.invalid_row_handler = first
    with contextlib.suppress(pa.ArrowInvalid):
        pacsv.read_csv(pa.BufferReader(body), read, parse, convert)
    if not bad or bad[0].number is None:
        return LedgerFileError(what, path, _csv_refusal(""))
    row = bad[0]
    line = int(_encoding.record_lines(body, np.array([row.number]))[0]) + layout.header_line - 1
    return LedgerFileError(
        what,
        path,
        _(
            "line {line} has {got} field(s) where the header has {expected}: a CSV whose "
            "rows have the header's fields (a cell holding the delimiter {delimiter} or a "
            "line end in quotes, quotes closed)"
        ).format(
            line=line, got=row.actual_columns, expected=row.expected_columns,
            delimiter=repr(layout.delimiter),
        ),
    )  # fmt: skip
