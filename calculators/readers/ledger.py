"""Reading and validating loan ledgers (贷款台账).

A ledger is read as text, every cell a string, so that nothing is lost or guessed:
validation then turns each column into exact values (integer fen, dates as int64 days)
and gives every row one reason code. Problems with a row mark that row ``invalid``;
only problems with the file as a whole (unreadable, undecodable, a required column
missing) raise :class:`LedgerFileError`.

Notes
-----
Accepted encodings: UTF-8 with or without BOM, UTF-16, and GB18030 (which covers GBK
and GB2312 exports) when it reads so with confidence, else the one the user names (see
:mod:`calculators.readers.encoding`); the delimiter (comma, tab or semicolon) is the one
the header line uses most, or the one of an Excel ``sep=`` first line (see
:mod:`calculators.readers.csv_file`). Excel workbooks (.xlsx, .xlsm, .xls, .xlsb) are
read by python-calamine through pandas (see :mod:`calculators.readers.xlsx_file`): the
header is the row among the first :data:`~calculators.readers.columns.HEADER_SCAN_ROWS`
naming the most known columns, so title rows above it are skipped. Dates are parsed in
:mod:`calculators.columnar.dates`. Borrower ids are 18-character unified social credit
codes (GB 32100-2015) or 18-digit resident identity numbers (GB 11643-1999, ISO 7064
MOD 11-2): check characters, and a resident's birth date and place, are checked on
whole columns by the same rules as python-stdnum (see :mod:`calculators.columnar.ids`).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .._errors import LedgerFileError
from .._i18n import _
from ..columnar.text import TextColumn
from . import encoding as _encoding
from .columns import LEDGER_COLUMNS, canonical_name
from .csv_file import _csv_table, _mapped, _streamed_csv, is_stream, read_bytes
from .xlsx_file import SheetTable, is_workbook, read_workbook


@dataclass(frozen=True)
class LedgerFile:
    """A ledger as read from disk: every cell as text, plus the file's digest.

    Attributes
    ----------
    input_format : Mapping
        How the file was read: for a CSV ``kind``, ``encoding`` and ``delimiter`` (and
        ``header_line``, from 1, when the header is not the first line); for a workbook
        ``kind``, ``sheet`` and ``header_row`` (from 1, as Excel numbers rows).
    notes : tuple of dict
        Warnings about the file (``code`` and ``message``), e.g. ``total_rows_ignored``.
    """

    frame: pd.DataFrame
    sha256: str
    path: str
    input_format: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[dict[str, str], ...] = ()


_TOTAL_ROW = r"^\s*(?:合|小|总)\s*计\s*(?::\s*)?(?:\([^()]*\)\s*)?(?::\s*)?$"
"""A total row's label after NFKC: 合计, 小计 or 总计 alone (spaces anywhere around and
between its two characters), or followed by a colon, a remark in parentheses, or both:
``合计``, ``合计：``, ``小计（元）``, ``总计(3笔):``. Anything else after the word
(``总计-2022-0002``, ``总计划通信科技有限公司``) makes the cell a loan's."""


def read_ledger(
    path: str | Path,
    sheet: str | int | None = None,
    *,
    progress: bool = False,
    encoding: str | None = None,
) -> LedgerFile:
    """Read a ledger CSV or Excel workbook with every cell kept as text.

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        For a workbook: the sheet's name, or its position from 1 among all its sheets,
        hidden ones included (default: the first visible worksheet). A hidden sheet is
        read only when named, with the note ``hidden_sheet_read``.
    progress : bool, default False
        Show a bar on stderr, by bytes read, while a CSV takes more than two seconds.
    encoding : str, optional
        A CSV's encoding as a Python codec name (``big5``, ``shift_jis``), for a file
        that is not UTF-8, UTF-16 or GB18030 (which are found without it).

    Raises
    ------
    LedgerFileError
        If the file is missing, unreadable, not in UTF-8, UTF-16 or GB18030 with
        confidence (nor in ``encoding``), empty or not a table; for a workbook, if the
        sheet does not exist or no row in its first
        :data:`~calculators.readers.columns.HEADER_SCAN_ROWS` names a ledger column; a
        ``sheet`` for a CSV.

    Notes
    -----
    A UTF-8 CSV is streamed: Arrow's reader parses it a block at a time and each block
    is fed to the file's SHA-256 as it is read, so the file is read once and never
    held whole in memory (nor mapped into it: mapped pages count in the process's
    resident size). Any other file (UTF-16, GB18030, empty or malformed) is
    memory-mapped and read as before, the error naming what is wrong. Standard input
    (``-``) and pipes are read whole into memory first. Rows whose loan
    id or first cell is 合计, 小计 or 总计 (alone, or with a colon or a remark in
    brackets: :data:`_TOTAL_ROW`) and that name no borrower id are totals, not loans:
    they are left out of the ledger and the ``total_rows_ignored`` note says how many
    and on which lines. A password-protected workbook is refused as such.
    """
    forced = _encoding.normal_encoding(encoding)
    data = read_bytes(path) if is_stream(path) else None
    if is_workbook(path, data):
        data = read_bytes(path) if data is None else data
        table = read_workbook(data, str(path), sheet, LEDGER_COLUMNS)
        frame, notes, kept = _without_totals(table.frame, table.lines, table.place)
        notes = (*table.notes, *notes)
        lines = table.lines[kept]
        if not np.array_equal(lines, np.arange(2, len(lines) + 2)):
            notes = (*notes, _lines_note(table, lines))
        return LedgerFile(
            frame, hashlib.sha256(data).hexdigest(), str(path),
            MappingProxyType(dict(table.input_format)), notes,
        )  # fmt: skip
    if sheet is not None:
        raise LedgerFileError(
            "sheet",
            sheet,
            _("no sheet for the CSV {path}: --sheet applies to Excel workbooks").format(path=path),
        )
    streamed = _streamed_csv(path, progress, forced) if data is None else None
    if data is not None:
        frame, found, one_per_row = _csv_table(data, str(path), "ledger", progress, forced)
        hexdigest = hashlib.sha256(data).hexdigest()
    elif streamed is not None:
        frame, found, hexdigest, one_per_row = streamed
    else:
        with _mapped(path) as buffer, ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(lambda: hashlib.sha256(memoryview(buffer)).hexdigest())
            try:
                frame, found, one_per_row = _csv_table(
                    buffer, str(path), "ledger", progress, forced
                )
            finally:
                hexdigest = digest.result()
    # TRANSLATORS: a place in a note, followed by line numbers: ledger.csv, line 3, 7
    frame, notes, _kept = _without_totals(frame, None, _("{path}, line").format(path=path))
    if found.get("header_line", 1) != 1:
        notes = (*notes, _csv_lines_note(str(path), found["header_line"]))
    if not one_per_row:
        notes = (*notes, _rows_note(str(path)))
    return LedgerFile(frame, hexdigest, str(path), MappingProxyType(found), notes)


def _rows_note(path: str) -> dict[str, str]:
    """Say that lines named in the summary count rows, not the file's lines, when blank
    lines or cells over several lines come before the last row."""
    return {
        "code": "lines_count_rows",
        "message": _(
            "{path} has blank lines or cells over several lines among its rows: a line "
            "named in this summary counts the header and one line per row, so it can be "
            "above the line an editor shows"
        ).format(path=path),
    }


def _csv_lines_note(path: str, header: int) -> dict[str, str]:
    """Say how the lines of invalid rows map to the file's lines when the header is not
    on line 1 (an Excel ``sep=`` line, title rows or blank lines above it)."""
    return {
        "code": "lines_count_from_header",
        "message": _(
            "{path}: the header is on line {header} (lines above it skipped: an Excel "
            "sep= line, title rows or blank lines); a line named in this summary counts "
            "from it (the header is line 1): line 2 is line {row} of the file or later"
        ).format(path=path, header=header, row=header + 1),
    }


def _lines_note(table: SheetTable, lines: np.ndarray) -> dict[str, str]:
    """Say how the lines of invalid rows map to the sheet's rows when they differ."""
    sheet, header = table.input_format["sheet"], table.input_format["header_row"]
    return {
        "code": "lines_count_from_header",
        "message": (
            _(
                "sheet {sheet}: the header is on row {header}; a line named in this summary "
                "counts from it (the header is line 1), blank and total rows not counted: "
                "line 2 is row {row} of the sheet"
            ).format(
                sheet=repr(sheet),
                header=header,
                row=int(lines[0]) if len(lines) else header + 1,
            )
        ),
    }


def _without_totals(
    frame: pd.DataFrame, lines: np.ndarray | None, place: str
) -> tuple[pd.DataFrame, tuple[dict[str, str], ...], np.ndarray]:
    """The frame without its 合计/小计/总计 rows, a note naming them (none: no note), and
    the positions of the rows kept.

    ``lines`` gives each row's sheet row; without it a row's line is its position + 2
    (the header is line 1), as the summary counts lines (blank lines not counted).
    """
    marked = total_rows(frame)
    if not marked.any():
        return frame, (), np.arange(len(frame))
    at = np.flatnonzero(marked)
    numbers = lines[at] if lines is not None else at + 2
    kept = np.flatnonzero(~marked)
    note = totals_note(numbers[:10], len(at), place)
    return frame.iloc[kept].reset_index(drop=True), (note,), kept


def total_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows of a ledger are totals, not loans.

    Notes
    -----
    A total row is one whose loan-id cell or first cell is a total's label
    (:data:`_TOTAL_ROW`, read after NFKC so that ``：`` and ``（）`` count as ``:`` and
    ``()``) and whose borrower-id cell is blank: a row naming a borrower is a loan,
    whatever its id says, and is kept (and validated) as one.
    """
    marked = np.zeros(len(frame), dtype=bool)
    if not len(frame.columns) or not len(frame):
        return marked
    key = next((c for c in frame.columns if canonical_name(c) == "loan_id"), frame.columns[0])
    borrower = next((c for c in frame.columns if canonical_name(c) == "borrower_id"), None)
    for column in dict.fromkeys((key, frame.columns[0])):
        text = TextColumn.of(frame[column]).filled().array
        if not pc.any(pc.match_substring(text, "计")).as_py():
            continue  # the usual ledger: no cell holds the word, no NFKC pass
        label = TextColumn.of(text).nfkc().array
        marked |= pc.match_substring_regex(label, _TOTAL_ROW).to_numpy(zero_copy_only=False)
    if marked.any() and borrower is not None:
        marked &= TextColumn.of(frame[borrower]).filled().stripped().lengths == 0
    return marked


def totals_note(first: np.ndarray, count: int, place: str) -> dict[str, str]:
    """The note ``total_rows_ignored``: ``count`` total rows left out, the ``first`` ten
    of them by line."""
    shown = ", ".join(str(int(n)) for n in first[:10])
    # TRANSLATORS: ends a list of line numbers: 3, 7 and 12 more
    more = _(" and {count} more").format(count=count - 10) if count > 10 else ""
    message = _(
        "{count} total row(s) (合计/小计/总计) left out of the ledger, not loans: "
        "{place} {shown}{more}"
    ).format(count=count, place=place, shown=shown, more=more)
    return {"code": "total_rows_ignored", "message": message}
