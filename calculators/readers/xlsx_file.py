"""Reading Excel workbooks as text: which files are workbooks, the sheet to read
(the first visible worksheet unless one is named), its header row among the first
:data:`~calculators.readers.columns.HEADER_SCAN_ROWS`, and every cell as a string.

Notes
-----
Workbooks (.xlsx, .xlsm, .xls, .xlsb) are read by python-calamine through pandas; a
password-protected one is refused as such.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import LedgerFileError
from .._i18n import _
from ..columnar.text import TEXT
from .columns import COLUMN_ALIASES, HEADER_SCAN_ROWS, canonical_name
from .csv_file import is_stream

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # ZIP (.xlsx), OLE2 (.xls)


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
