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
:mod:`calculators.readers.encoding`); the delimiter (comma, tab or semicolon) is the one the
header line uses most, or the one of an Excel ``sep=`` first line. Excel workbooks
(.xlsx, .xlsm, .xls, .xlsb) are read by python-calamine through pandas: the header is
the row among the first :data:`HEADER_SCAN_ROWS` naming the most known columns, so
title rows above it are skipped. Dates are parsed in :mod:`calculators.columnar.dates`.
Borrower ids are 18-character unified social credit codes (GB 32100-2015) or 18-digit
resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2): check characters, and a
resident's birth date and place, are checked on whole columns by the same rules as
python-stdnum (see :mod:`calculators.columnar.ids`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import _progress
from .._errors import LedgerFileError
from .._i18n import _, os_reason
from ..columnar.ids import IdColumn, IdSet
from ..columnar.text import TEXT, TextColumn
from . import encoding as _encoding
from .columns import COLUMN_ALIASES as COLUMN_ALIASES  # the table lives there
from .columns import LEDGER_COLUMNS as LEDGER_COLUMNS

REQUIRED = ("loan_id", "borrower_id", "disbursement_date", "maturity_date")
CNY_ALIASES = ("CNY", "RMB", "人民币", "156", "")


def _normal_header(name: object) -> str:
    return "".join(str(name).replace("\ufeff", "").split()).lower()


_ALIAS_TO_CANONICAL: MappingProxyType[str, str] = MappingProxyType(
    {
        header: canonical
        for canonical, aliases in reversed(list(COLUMN_ALIASES.items()))
        for header in map(_normal_header, (canonical, *aliases))
    }
)  # a header two columns share goes to the first listed (借款人类别: borrower_category)


def _owners(header: str) -> tuple[str, ...]:
    """The columns whose aliases include ``header``, in table order."""
    return tuple(c for c, a in COLUMN_ALIASES.items() if header in map(_normal_header, a))


_SHARED_HEADERS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        header: _owners(header)
        for header in {_normal_header(a) for aliases in COLUMN_ALIASES.values() for a in aliases}
        if len(_owners(header)) > 1
    }
)
"""Headers two columns share (借款人类别: borrower_category of transport, borrower_kind of
buyback): a file read with one of them required gets that one."""


_UNIT = re.compile(r"^(.+?)[(（](?:单位[:：])?(?:人民币)?(万元|元)[)）]$")
"""A header naming its unit: ``贷款金额（元）``, ``发放金额(人民币元)``,
``贷款金额（单位：万元）``."""
_YUAN_COLUMNS = ("principal", "claimed", "loan_balance", "npl_balance", "balance")
"""The columns read in yuan, whose header may say so: ``(元)`` changes nothing."""


def _with_unit(key: str) -> str | None:
    """The canonical name of a cleaned header that names a unit after a known name:
    a yuan column's with ``(元)``; the principal's with ``(万元)`` is ``principal_wan``."""
    found = _UNIT.match(key)
    if found is None:
        return None
    base = _ALIAS_TO_CANONICAL.get(found[1])
    if base in _YUAN_COLUMNS and found[2] == "元":
        return base
    if base == "principal" and found[2] == "万元":
        return "principal_wan"
    return None


def canonical_name(column: object, among: Iterable[str] = LEDGER_COLUMNS) -> str | None:
    """The canonical name of a header (``借据号`` -> ``loan_id``) among the columns a
    file of its kind has (default: a ledger's), or None.

    A header that names its unit in brackets after a known name is that column in that
    unit: ``贷款金额（元）`` and ``发放金额(人民币元)`` are ``principal`` (yuan),
    ``贷款金额（万元）`` is ``principal_wan`` (read as 万元, 10,000 yuan each).
    """
    key = _normal_header(column)
    found = _ALIAS_TO_CANONICAL.get(key)
    if found is None:
        found = _with_unit(key)
    return found if found is not None and found in among else None


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


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # ZIP (.xlsx), OLE2 (.xls)
HEADER_SCAN_ROWS = 20
"""How many rows at the top of a sheet are searched for the header row."""
_TOTAL_ROW = r"^\s*(?:合|小|总)\s*计\s*(?::\s*)?(?:\([^()]*\)\s*)?(?::\s*)?$"
"""A total row's label after NFKC: 合计, 小计 or 总计 alone (spaces anywhere around and
between its two characters), or followed by a colon, a remark in parentheses, or both:
``合计``, ``合计：``, ``小计（元）``, ``总计(3笔):``. Anything else after the word
(``总计-2022-0002``, ``总计划通信科技有限公司``) makes the cell a loan's."""


def is_workbook(path: str | Path, data: bytes | None = None) -> bool:
    """Whether ``path`` is an Excel workbook, by its suffix or its first bytes (those of
    ``data`` when given; a stream is never opened here: its bytes are read once)."""
    if Path(path).suffix.lower() in EXCEL_SUFFIXES:
        return True
    if data is not None:
        return data[:4] in _EXCEL_MAGIC
    if is_stream(path):
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in _EXCEL_MAGIC
    except OSError:
        return False  # the CSV reader names the OS's reason


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
        sheet does not exist or no row in its first :data:`HEADER_SCAN_ROWS` names a
        ledger column; a ``sheet`` for a CSV.

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

    Notes
    -----
    A total row is one whose loan-id cell or first cell is a total's label
    (:data:`_TOTAL_ROW`, read after NFKC so that ``：`` and ``（）`` count as ``:`` and
    ``()``) and whose borrower-id cell is blank: a row naming a borrower is a loan,
    whatever its id says, and is kept (and validated) as one.
    """
    if not len(frame.columns) or not len(frame):
        return frame, (), np.arange(len(frame))
    key = next((c for c in frame.columns if canonical_name(c) == "loan_id"), frame.columns[0])
    borrower = next((c for c in frame.columns if canonical_name(c) == "borrower_id"), None)
    marked = np.zeros(len(frame), dtype=bool)
    for column in dict.fromkeys((key, frame.columns[0])):
        text = TextColumn.of(frame[column]).filled().array
        if not pc.any(pc.match_substring(text, "计")).as_py():
            continue  # the usual ledger: no cell holds the word, no NFKC pass
        label = TextColumn.of(text).nfkc().array
        marked |= pc.match_substring_regex(label, _TOTAL_ROW).to_numpy(zero_copy_only=False)
    if marked.any() and borrower is not None:
        marked &= TextColumn.of(frame[borrower]).filled().stripped().lengths == 0
    if not marked.any():
        return frame, (), np.arange(len(frame))
    at = np.flatnonzero(marked)
    numbers = lines[at] if lines is not None else at + 2
    shown = ", ".join(str(int(n)) for n in numbers[:10])
    # TRANSLATORS: ends a list of line numbers: 3, 7 and 12 more
    more = _(" and {count} more").format(count=len(at) - 10) if len(at) > 10 else ""
    message = _(
        "{count} total row(s) (合计/小计/总计) left out of the ledger, not loans: "
        "{place} {shown}{more}"
    ).format(count=len(at), place=place, shown=shown, more=more)
    kept = np.flatnonzero(~marked)
    note = {"code": "total_rows_ignored", "message": message}
    return frame.iloc[kept].reset_index(drop=True), (note,), kept


@dataclass(frozen=True)
class SheetTable:
    """A sheet's table as text: the rows under its header row."""

    frame: pd.DataFrame
    lines: np.ndarray  # the sheet row (from 1) of each of the frame's rows
    place: str  # how a row is named in messages, before its number
    input_format: dict[str, Any]
    notes: tuple[dict[str, str], ...] = ()  # about the sheet read (hidden_sheet_read)


def _hidden_note(path: str, sheet: str, state: str) -> dict[str, str]:
    """The note that the sheet read is one Excel does not show."""
    words = _("very hidden") if state == "very_hidden" else _("hidden")
    return {
        "code": "hidden_sheet_read",
        "message": _(
            "sheet {sheet} of {path} is {hidden} in Excel: it was read because it was "
            "named; a hidden sheet often holds an old ledger, check that it is the one "
            "to claim"
        ).format(sheet=repr(sheet), path=path, hidden=words),
    }


_ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")


def _is_encrypted_package(data: bytes) -> bool:
    """Whether ``data`` is a password-protected Office document: an OLE compound file
    (CFB) holding the ``EncryptionInfo`` and ``EncryptedPackage`` streams in which
    Excel saves an encrypted .xlsx (MS-OFFCRYPTO 2.3.4)."""
    if not data.startswith(_EXCEL_MAGIC[1]):
        return False
    try:
        import olefile  # only for a workbook calamine could not open
    except ImportError:  # a copy installed without it: the streams' names, as stored
        return all(name.encode("utf-16-le") in data for name in _ENCRYPTED_STREAMS)
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return all(ole.exists(stream) for stream in _ENCRYPTED_STREAMS)
    except Exception:  # not a well-formed compound file either: not this case
        return False


def _encrypted_error(path: str, what: str) -> LedgerFileError:
    return LedgerFileError(
        what,
        path,
        _(
            "a workbook without a password: this one is encrypted (password-protected); "
            "open it in Excel, remove the password (File > Info > Protect Workbook > "
            "Encrypt with Password) and save it, or save the sheet as CSV"
        ),
    )


def read_workbook(
    data: bytes, path: str, sheet: str | int | None, among: Iterable[str], what: str = "ledger"
) -> SheetTable:
    """One sheet of an Excel workbook, every cell as text, under its header row.

    Notes
    -----
    The header is the row among the first :data:`HEADER_SCAN_ROWS` whose cells name the
    most columns of ``among`` (the first such row on a tie). Wholly empty rows are
    skipped as a CSV reader skips blank lines. Number cells become their shortest exact
    decimal (``333.33``; ``1000000``), beyond 15 digits in scientific notation
    (``9.111010850119459e+17``: Excel keeps 15 digits, so such an id has lost some and is
    shown as the number it became); date cells become ``YYYY-MM-DD``.
    """
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        shown = python_calamine.SheetVisibleEnum
        sheets = [
            (one.name,
             "hidden" if one.visible == shown.Hidden
             else "very_hidden" if one.visible == shown.VeryHidden else "visible",
             one.typ == python_calamine.SheetTypeEnum.WorkSheet)
            for one in book.sheets_metadata
        ]  # fmt: skip
    except python_calamine.PasswordError:  # an .xls whose records are encrypted
        raise _encrypted_error(path, what) from None
    except Exception:  # calamine raises its own types for a file it cannot open
        if _is_encrypted_package(data):
            raise _encrypted_error(path, what) from None
        raise LedgerFileError(
            what, path, _("a readable Excel workbook (.xlsx, .xlsm, .xls or .xlsb)")
        ) from None
    names = [one[0] for one in sheets]
    name = _sheet_name(sheets, sheet, path)
    state = next(one[1] for one in sheets if one[0] == name)
    try:
        raw = pd.read_excel(
            io.BytesIO(data), engine="calamine", sheet_name=name, header=None, dtype=object
        )
    except Exception:
        raise LedgerFileError(
            what,
            path,
            _("a readable Excel workbook; sheet {sheet} could not be read").format(
                sheet=repr(name)
            ),
        ) from None
    text = pd.DataFrame({k: _cells_as_text(raw[k]) for k in raw.columns})
    kinds = tuple(among)
    top = text.iloc[:HEADER_SCAN_ROWS]
    counts = [
        sum(canonical_name(cell, kinds) is not None for cell in row)
        for row in top.itertuples(index=False)
    ]  # at most 20 rows: the loop is over header candidates, not ledger rows
    if not counts or max(counts) == 0:
        known = ", ".join(f"{k} ({'/'.join(COLUMN_ALIASES.get(k, ())[:2])})" for k in kinds[:4])
        raise LedgerFileError(
            "sheet", name,
            _("a header row within the first {rows} rows naming columns such as "
              "{known}; the workbook's sheets: {sheets} (choose one with --sheet)").format(
                rows=HEADER_SCAN_ROWS, known=known, sheets=", ".join(names)),
        )  # fmt: skip
    at = counts.index(max(counts))
    header = [str(c).strip() for c in text.iloc[at]]
    body = text.iloc[at + 1 :]
    filled = np.flatnonzero((body != "").any(axis=1).to_numpy())
    body = body.iloc[filled]
    keep = [i for i, h in enumerate(header) if h or (body.iloc[:, i] != "").any()]
    named = [header[i] or f"column_{_column_letter(i)}" for i in keep]
    if len(set(named)) != len(named):
        raise LedgerFileError(
            what,
            path,
            _("a header naming each column once (sheet {sheet})").format(sheet=repr(name)),
        )
    frame = pd.DataFrame(
        {n: body.iloc[:, i].to_numpy() for n, i in zip(named, keep, strict=True)}
    ).astype(TEXT)
    # TRANSLATORS: a place in a note, followed by row numbers of the sheet
    place = _("{path}, sheet {sheet}, row").format(path=path, sheet=repr(name))
    hidden = [one[0] for one in sheets if one[1] != "visible"]
    found = {"kind": "workbook", "sheet": name, "header_row": at + 1, "sheets": names,
             "hidden_sheets": hidden}  # fmt: skip
    notes: tuple[dict[str, str], ...] = ()
    if state != "visible":
        notes = (_hidden_note(path, name, state),)
    return SheetTable(frame, filled + at + 2, place, found, notes)


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _sheet_name(sheets: list[tuple[str, str, bool]], sheet: str | int | None, path: str) -> str:
    """The sheet asked for: by name, else by position from 1 among all the workbook's
    sheets, hidden ones included (default: the first visible worksheet).

    ``sheets`` holds each sheet's name, visibility (``visible``, ``hidden``,
    ``very_hidden``) and whether it is a worksheet (not a chart or macro sheet).

    Notes
    -----
    A clerk's workbook often keeps an old ledger on a hidden first sheet: what Excel
    shows on opening is the visible one, so that is the one read by default. A hidden
    sheet is read only when named (with a note, see :func:`_hidden_note`).
    """
    names = [one[0] for one in sheets]
    shown = [
        _("{sheet} (hidden)").format(sheet=one[0]) if one[1] != "visible" else one[0]
        for one in sheets
    ]
    if sheet is None:
        if not names:
            raise LedgerFileError("ledger", path, _("a workbook with at least one sheet"))
        visible = [one[0] for one in sheets if one[1] == "visible" and one[2]]
        if not visible:
            raise LedgerFileError(
                "ledger", path,
                _("a workbook with a visible worksheet, or --sheet naming the sheet to read; "
                  "its sheets: {sheets}").format(sheets=", ".join(shown)),
            )  # fmt: skip
        return visible[0]
    given = str(sheet).strip()
    if given in names:
        return given
    accepted = _(
        "a sheet of {path} by name or by position from 1 to {count}; its sheets: {sheets}"
    ).format(path=path, count=len(names), sheets=", ".join(shown))
    if given.isdigit() and 1 <= int(given) <= len(names):
        return names[int(given) - 1]
    raise LedgerFileError("sheet", sheet, accepted)


def _cells_as_text(column: pd.Series) -> np.ndarray:
    """A column of calamine's cell values as text (empty cells as "").

    Notes
    -----
    Text cells are kept as they are; numbers and dates are converted by numpy, a whole
    kind at a time (numpy writes the shortest decimal that reads back as the same
    double); only rarer cells (booleans, times) go through :func:`_cell_text`.
    """
    values = column.to_numpy(dtype=object)
    kinds = column.map(type)
    out = values.copy()
    floats = np.flatnonzero(kinds.isin([float]).to_numpy())
    if len(floats):
        number = values[floats].astype(np.float64)
        out[floats] = _numbers_as_text(number)
    ints = np.flatnonzero(kinds.isin([int]).to_numpy())
    if len(ints):
        out[ints] = _numbers_as_text(values[ints].astype(np.float64), values[ints])
    stamps = np.flatnonzero(kinds.isin([dt.datetime, pd.Timestamp]).to_numpy())
    if len(stamps):
        moments = pd.DatetimeIndex(values[stamps]).to_numpy()
        days = moments.astype("datetime64[D]")
        midnight = days == moments
        text = np.where(midnight, days.astype(str), np.datetime_as_string(moments, unit="s"))
        out[stamps] = np.char.replace(text.astype(str), "T", " ").astype(object)
    rest = np.flatnonzero(~kinds.isin([str, float, int, dt.datetime, pd.Timestamp]).to_numpy())
    if len(rest):
        out[rest] = pd.Series(values[rest], dtype=object).map(_cell_text).to_numpy()
    return out


def _numbers_as_text(number: np.ndarray, exact: np.ndarray | None = None) -> np.ndarray:
    """Number cells as text: whole numbers below 10**15 as integers, others (and whole
    numbers past Excel's 15 digits) as numpy's shortest decimal, NaN (empty) as ""."""
    whole = np.isfinite(number) & (np.floor(number) == number) & (np.abs(number) < 1e15)
    text = number.astype(str).astype(object)
    if whole.any():
        given = exact[whole] if exact is not None else number[whole]
        text[whole] = given.astype(np.int64).astype(str).astype(object)
    text[np.isnan(number)] = ""
    return text


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else repr(float(value))
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


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
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below; OSError named)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with handle:
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
        handle.seek(0)
        digest = hashlib.sha256()
        size = os.fstat(handle.fileno()).st_size
        with _progress.bar(size, _progress.reading(Path(path).name), progress, unit="B") as bar:
            ends = _LineEnds()
            source = _CountingReader(handle, digest, bar, None)
            source.read(skip + layout.offset)
            source.ends = ends
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


def present(frame: pd.DataFrame, most: int = 8) -> str:
    """The frame's column names for a message, shortened past ``most``."""
    names = [str(c) for c in frame.columns]
    shown = ", ".join(names[:most])
    # TRANSLATORS: ends a shortened list of column names
    more = _(", ... ({count} in all)").format(count=len(names)) if len(names) > most else ""
    return shown + more


def canonical_columns(
    frame: pd.DataFrame, required: Iterable[str], among: Iterable[str] = LEDGER_COLUMNS
) -> pd.DataFrame:
    """Rename aliased headers to canonical names and check the required ones.

    Parameters
    ----------
    frame : pandas.DataFrame
    required : iterable of str
    among : iterable of str
        The columns a file of this kind has (default: a ledger's, of which a principal
        in yuan or in fen is required too); other headers are left as they are.

    Raises
    ------
    LedgerFileError
        If a required column is missing or two headers name the same column.
    """
    renamed: dict[object, str] = {}
    seen: dict[str, object] = {}
    kinds = tuple(among)
    needed = set(required)
    for column in frame.columns:
        canonical = canonical_name(column, kinds)
        if canonical is None:
            continue
        shared = _SHARED_HEADERS.get(_normal_header(column), ())
        canonical = next((c for c in shared if c in needed), canonical)
        if canonical in seen:
            raise LedgerFileError(
                "column",
                str(column),
                _("one column for {name}; {other} is too").format(
                    name=canonical, other=seen[canonical]
                ),
            )
        seen[canonical] = column
        renamed[column] = canonical
    if "principal" in seen and "principal_wan" in seen:  # one amount, in two units
        raise LedgerFileError(
            "column",
            str(seen["principal_wan"]),
            _("one column for {name}; {other} is too").format(
                name="principal", other=seen["principal"]
            ),
        )
    out = frame.rename(columns=renamed)
    wanted = list(required)
    if "principal" in kinds and not {"principal", "principal_fen", "principal_wan"} & set(seen):
        wanted.append("principal")
    for name in wanted:
        if name not in out.columns:
            if name == "principal":
                # TRANSLATORS: starts a list of accepted column names, the Chinese ones follow
                names = _("principal (yuan), principal_fen, ") + _(", ").join(
                    (*COLUMN_ALIASES[name], *COLUMN_ALIASES["principal_wan"])
                )
            else:
                names = _(", ").join((name, *COLUMN_ALIASES.get(name, ())))
            raise LedgerFileError(
                "columns",
                present(frame),
                _("a {name} column, named one of: {names}").format(name=name, names=names),
            )
    return out


def read_id_list(
    source: str | Path | Iterable[str],
    what: str,
    *,
    allow_empty: bool = True,
    encoding: str | None = None,
) -> IdSet:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an
    iterable: :func:`read_ids` without the file's digest."""
    return read_ids(source, what, allow_empty=allow_empty, encoding=encoding)[0]


def read_ids(
    source: str | Path | Iterable[str],
    what: str,
    *,
    allow_empty: bool = True,
    encoding: str | None = None,
) -> tuple[IdSet, str | None]:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an
    iterable, and the file's SHA-256 (None for an iterable).

    Parameters
    ----------
    source : path or iterable of str
    what : str
        The list's name for messages (``eligible-borrowers``, ``dishonest``).
    allow_empty : bool, default True
        Whether a list without a single id is accepted.
    encoding : str, optional
        A CSV list's encoding (a Python codec name) when it is not UTF-8, UTF-16 or
        GB18030, which are found without it.

    Raises
    ------
    LedgerFileError
        If the file cannot be read, holds an id with a wrong check character (the
        message names the file, the line, header and blank lines counted, and the id;
        for an iterable the item's position from 1), or holds no id and ``allow_empty``
        is False.
    """
    digest: str | None = None
    if isinstance(source, str | Path) and is_workbook(source):
        data = read_bytes(source, what)
        given, place = _workbook_ids(data, source, what)
        origin: str | None = str(source)
        digest = hashlib.sha256(data).hexdigest()
    elif isinstance(source, str | Path):
        data = read_bytes(source, what)
        digest = hashlib.sha256(data).hexdigest()
        text = decode_bytes(data, str(source), what, encoding)
        lines = re.split(r"\r\n|\r|\n", text)  # file lines as an editor counts them
        filled = [i for i, line in enumerate(lines) if line.strip()]
        header = _header_id_column(lines[filled[0]]) if filled else None
        if header is not None:
            frame = read_csv_text(data, str(source), what, encoding=encoding)
            given = TextColumn.of(frame[frame.columns[header]])

            def place(k: int) -> str:
                return _("{path}, line {line}").format(path=source, line=_csv_record_line(text, k))
        else:
            given = TextColumn.of([lines[i].strip() for i in filled])

            def place(k: int) -> str:
                return _("{path}, line {line}").format(path=source, line=filled[k] + 1)

        origin = str(source)
    else:
        given = _text_column(source)
        origin = None

        def place(k: int) -> str:
            return _("item {number} of the {what} list").format(number=k + 1, what=what)

    ids = given.normalized()
    if not len(ids) and not allow_empty:
        raise empty_list_error(what, origin)
    column = IdColumn.of(ids)
    if not column.ok.all():
        if not column.ok.any():
            _refuse_names(ids, given, what, origin, place)
        k = int(np.flatnonzero(~column.ok)[0])
        raise LedgerFileError(
            what,
            given[k],  # as written, before stripping and upper-casing
            _(
                "18-character unified social credit codes or resident ids with valid check "
                "characters ({place})"
            ).format(place=place(k)),
        )
    return IdSet.of(column, ids), digest


_ID_SHAPED = r"^[0-9A-Z]{18}$"
_HAN = r"\p{Han}"


def _refuse_names(
    ids: TextColumn, given: TextColumn, what: str, origin: str | None, place: Any
) -> None:
    """Refuse a list of names (a column of company names, no id at all) as such.

    Called when not one item is a valid id: when none even has an id's shape (18
    letters and digits) and some hold Chinese characters, the list is names, and the
    message says that ids are needed rather than naming a check character.
    """
    if pc.any(pc.match_substring_regex(ids.array, _ID_SHAPED)).as_py():
        return  # ids with wrong check characters: the caller names the first
    named = np.flatnonzero(pc.match_substring_regex(given.array, _HAN).to_numpy(
        zero_copy_only=False))  # fmt: skip
    if not len(named):
        return
    k = int(named[1] if len(named) > 1 else named[0])  # past a header, when there is one
    raise LedgerFileError(
        what,
        origin or given[k],
        _(
            "a list of borrower ids: 18-character unified social credit codes or resident "
            "ids, one per line or in a column headed 统一社会信用代码 or 证件号码; this list "
            "holds names such as {name} ({place}) and not one id"
        ).format(name=repr(given[k]), place=place(k)),
    )


def empty_list_error(what: str, origin: str | None) -> LedgerFileError:
    """The error for a list without a single id where one is required (``origin``: the
    file, None for an iterable)."""
    return LedgerFileError(
        what, origin or [], _("a list with at least one borrower id; it has none")
    )


def _workbook_ids(data: bytes, source: str | Path, what: str) -> tuple[TextColumn, Any]:
    """The ids of a list workbook's first sheet (its bytes ``data``): the column headed
    as a borrower id (title rows above it skipped), else the first column, one id per
    filled cell."""
    try:
        table = read_workbook(data, str(source), None, ("borrower_id",), what)
        ids = canonical_columns(table.frame, ("borrower_id",), among=("borrower_id",))
        cells, lines = ids["borrower_id"], table.lines
    except LedgerFileError as exc:
        if exc.parameter != "sheet":  # not the missing header: the file itself
            raise
        raw = pd.read_excel(  # the sheet read_workbook chose (the first visible one)
            io.BytesIO(data), engine="calamine", sheet_name=exc.value, header=None, dtype=object
        )
        first = pd.Series(_cells_as_text(raw[raw.columns[0]]) if len(raw.columns) else [])
        filled = np.flatnonzero((first.astype(str).str.strip() != "").to_numpy())
        cells, lines = first.iloc[filled].astype(TEXT), filled + 1
    filled_cells = TextColumn.of(cells).filled()

    def place(k: int) -> str:
        return f"{source}, row {int(lines[k])}"

    return filled_cells, place


def _csv_record_line(text: str, k: int) -> int:
    """The file line (from 1, header included) on which data record ``k`` (from 0) of a
    CSV starts, blank lines skipped as Arrow's reader skips them. Only read on an error."""
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    before, seen = 0, -1  # the header is record -1
    try:
        for record in reader:
            if record:
                if seen == k:
                    return before + 1
                seen += 1
            before = reader.line_num
    except csv.Error:  # a cell past the csv module's size limit: count on whole arrays
        return int(_encoding.record_lines(text.encode(), np.array([k + 2]))[0])
    return before


def _text_column(values: Iterable[str]) -> TextColumn:
    """An iterable of ids as text (directly when every item is a str or None)."""
    items = values if isinstance(values, np.ndarray | list) else list(values)
    try:
        return TextColumn.of(pa.array(items, type=pa.large_string()))
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return TextColumn.of(pd.Series(list(items), dtype=TEXT))


def _header_id_column(line: str) -> int | None:
    cells = [_normal_header(c) for c in line.split(sniff_delimiter(line))]
    for i, cell in enumerate(cells):
        if _ALIAS_TO_CANONICAL.get(cell) == "borrower_id":
            return i
    return None
