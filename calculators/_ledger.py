"""Reading and validating loan ledgers (贷款台账).

A ledger is read as text, every cell a string, so that nothing is lost or guessed:
validation then turns each column into exact values (integer fen, dates as int64 days)
and gives every row one reason code. Problems with a row mark that row ``invalid``;
only problems with the file as a whole (unreadable, undecodable, a required column
missing) raise :class:`LedgerFileError`.

Notes
-----
Accepted encodings: UTF-8 with or without BOM, then GB18030 (which covers GBK and
GB2312 exports), and UTF-16 with a BOM; the delimiter (comma, tab or semicolon) is the
one the header line uses most. Excel workbooks (.xlsx, .xlsm, .xls, .xlsb) are read by
python-calamine through pandas: the header is the row among the first
:data:`HEADER_SCAN_ROWS` naming the most known columns, so title rows above it are
skipped. Dates are parsed in :mod:`calculators._dates`.
Borrower ids are 18-character unified social credit codes (GB 32100-2015) or 18-digit
resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2): check characters, and a
resident's birth date and place, are checked on whole columns by the same rules as
python-stdnum (see :mod:`calculators._ids`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
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

from . import _progress
from ._errors import LedgerFileError
from ._i18n import _, os_reason
from ._ids import IdColumn, IdSet
from ._text import TEXT, TextColumn

# canonical column -> aliases (compared after the header-cleaning rule of
# _normal_header): the one table for every file relend reads
COLUMN_ALIASES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        # loan ledgers (贷款台账)
        "loan_id": ("借据号", "贷款编号", "借据编号"),
        "borrower_id": ("统一社会信用代码", "借款人证件号码", "证件号码"),
        "borrower_name": ("借款人名称", "借款人", "企业名称"),
        "principal": ("贷款金额", "发放金额", "贷款本金", "本金"),
        "principal_fen": ("贷款金额_分", "本金_分"),
        "currency": ("币种",),
        "disbursement_date": ("发放日期", "放款日期", "发放日"),
        "maturity_date": ("到期日期", "到期日"),
        "borrower_category": ("借款人类型", "借款人类别"),
        # ledger columns of the programs that need one of their own
        "carbon_field": ("碳减排领域", "领域"),
        "loan_rate": ("贷款利率", "执行利率", "贷款年利率"),
        "first_loan": ("首贷", "是否首贷", "首次贷款"),
        "borrower_kind": ("借款人类别", "借款主体类别", "主体类别"),
        "service_field": ("服务消费领域", "消费领域", "服务领域"),
        # submitted claims (audit)
        "claimed": ("申报金额", "申请金额", "申请再贷款金额"),
        "claimed_fen": ("申报金额_分",),
        # NPL files
        "unit": ("机构", "分支机构"),
        "industry": ("行业",),
        "loan_balance": ("贷款余额",),
        "npl_balance": ("不良贷款余额",),
        "baseline_tolerance_pct": ("基准容忍度",),
        "uplift_pct": ("上调幅度",),
        # quarter-end balances (microloan incentive)
        "quarter": ("季度",),
        "balance": ("余额", "普惠小微贷款余额"),
    }
)
LEDGER_COLUMNS = (
    "loan_id", "borrower_id", "borrower_name", "principal", "principal_fen", "currency",
    "disbursement_date", "maturity_date", "borrower_category", "carbon_field", "loan_rate",
    "first_loan", "borrower_kind", "service_field",
)  # fmt: skip
"""The columns a ledger may have; other files name theirs (``among``)."""
REQUIRED = ("loan_id", "borrower_id", "disbursement_date", "maturity_date")
CNY_ALIASES = ("CNY", "RMB", "人民币", "156", "")

INVALID_REASONS = (
    "invalid_loan_id",
    "duplicate_loan_id",
    "invalid_borrower_id",
    "invalid_principal",
    "invalid_date",
    "maturity_not_after_disbursement",
)
EXCLUSION_REASONS = (
    "non_cny",
    "before_policy_start",
    "after_policy_end",
    "outside_period",
    "term_under_6_months",
    "category_not_eligible",
    "borrower_not_eligible",
    "borrower_dishonest",
)
REASONS = ("eligible", *EXCLUSION_REASONS, *INVALID_REASONS)


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


def canonical_name(column: object, among: Iterable[str] = LEDGER_COLUMNS) -> str | None:
    """The canonical name of a header (``借据号`` -> ``loan_id``) among the columns a
    file of its kind has (default: a ledger's), or None."""
    found = _ALIAS_TO_CANONICAL.get(_normal_header(column))
    return found if found is not None and found in among else None


@dataclass(frozen=True)
class LedgerFile:
    """A ledger as read from disk: every cell as text, plus the file's digest.

    Attributes
    ----------
    input_format : Mapping
        How the file was read: for a CSV ``kind``, ``encoding`` and ``delimiter``; for a
        workbook ``kind``, ``sheet`` and ``header_row`` (from 1, as Excel numbers rows).
    notes : tuple of dict
        Warnings about the file (``code`` and ``message``), e.g. ``total_rows_ignored``.
    """

    frame: pd.DataFrame
    sha256: str
    path: str
    input_format: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[dict[str, str], ...] = ()


def decode_bytes(data: bytes, path: str, what: str = "ledger") -> str:
    """Decode UTF-16 (by its BOM), UTF-8 (BOM or not), else GB18030; refuse anything else."""
    encodings = ("utf-16",) if data[:2] in _UTF16_BOMS else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(
        what, path, _("a CSV in UTF-8 (with or without BOM), GB18030 or UTF-16 (with BOM)")
    )


def read_bytes(path: str | Path, what: str = "ledger") -> bytes:
    """Read a file, turning OS errors into one-line :class:`LedgerFileError`."""
    try:
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
_TOTAL_ROW = r"^\s*(?:合\s*计|小\s*计|总\s*计)"


def is_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an Excel workbook, by its suffix or its first bytes."""
    if Path(path).suffix.lower() in EXCEL_SUFFIXES:
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in _EXCEL_MAGIC
    except OSError:
        return False  # the CSV reader names the OS's reason


def read_ledger(
    path: str | Path, sheet: str | int | None = None, *, progress: bool = False
) -> LedgerFile:
    """Read a ledger CSV or Excel workbook with every cell kept as text.

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        For a workbook: the sheet's name, or its position from 1 (default: the first).
    progress : bool, default False
        Show a bar on stderr, by bytes read, while a CSV takes more than two seconds.

    Raises
    ------
    LedgerFileError
        If the file is missing, unreadable, undecodable, empty or not a table; for a
        workbook, if the sheet does not exist or no row in its first
        :data:`HEADER_SCAN_ROWS` names a ledger column; a ``sheet`` for a CSV.

    Notes
    -----
    A UTF-8 CSV is streamed: Arrow's reader parses it a block at a time and each block
    is fed to the file's SHA-256 as it is read, so the file is read once and never
    held whole in memory (nor mapped into it: mapped pages count in the process's
    resident size). Any other file (UTF-16, GB18030, empty or malformed) is
    memory-mapped and read as before, the error naming what is wrong. Rows whose loan
    id or first cell says 合计, 小计 or 总计 are totals, not loans: they are left out of
    the ledger and the ``total_rows_ignored`` note says how many and on which lines.
    """
    if is_workbook(path):
        data = read_bytes(path)
        table = read_workbook(data, str(path), sheet, LEDGER_COLUMNS)
        frame, notes, kept = _without_totals(table.frame, table.lines, table.place)
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
    streamed = _streamed_csv(path, progress)
    if streamed is not None:
        frame, found, hexdigest = streamed
    else:
        with _mapped(path) as buffer, ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(lambda: hashlib.sha256(memoryview(buffer)).hexdigest())
            try:
                frame, found = read_csv_table(buffer, str(path), progress=progress)
            finally:
                hexdigest = digest.result()
    # TRANSLATORS: a place in a note, followed by line numbers: ledger.csv, line 3, 7
    frame, notes, _kept = _without_totals(frame, None, _("{path}, line").format(path=path))
    return LedgerFile(frame, hexdigest, str(path), MappingProxyType(found), notes)


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
    (the header is line 1), as the summary counts lines (blank lines not counted)."""
    if not len(frame.columns) or not len(frame):
        return frame, (), np.arange(len(frame))
    key = next((c for c in frame.columns if canonical_name(c) == "loan_id"), frame.columns[0])
    marked = np.zeros(len(frame), dtype=bool)
    for column in dict.fromkeys((key, frame.columns[0])):
        text = TextColumn.of(frame[column]).filled().array
        marked |= pc.match_substring_regex(text, _TOTAL_ROW).to_numpy(zero_copy_only=False)
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
        names = list(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
    except Exception:  # calamine raises its own types for a file it cannot open
        raise LedgerFileError(
            what, path, _("a readable Excel workbook (.xlsx, .xlsm, .xls or .xlsb)")
        ) from None
    name = _sheet_name(names, sheet, path)
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
    return SheetTable(
        frame, filled + at + 2, place,
        {"kind": "workbook", "sheet": name, "header_row": at + 1},
    )  # fmt: skip


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _sheet_name(names: list[str], sheet: str | int | None, path: str) -> str:
    """The sheet asked for: by name, else by position from 1 (default: the first)."""
    if sheet is None:
        if not names:
            raise LedgerFileError("ledger", path, _("a workbook with at least one sheet"))
        return names[0]
    given = str(sheet).strip()
    if given in names:
        return given
    accepted = _(
        "a sheet of {path} by name or by position from 1 to {count}; its sheets: {sheets}"
    ).format(path=path, count=len(names), sheets=", ".join(names))
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
    path: str | Path, progress: bool
) -> tuple[pd.DataFrame, dict[str, str], str] | None:
    """A UTF-8 CSV read as a stream: the frame, how it was read, and the file's SHA-256;
    None for a file the memory-mapped reader must take (not UTF-8, UTF-16, empty, or
    refused by Arrow's parser, whose error that reader words)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below; OSError named)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with handle:
        head = handle.read(1 << 20)
        skip = len(_BOM) if head.startswith(_BOM) else 0
        first = head[skip:].split(b"\n", 1)[0]
        if not first.strip() or head[:2] in _UTF16_BOMS or not _is_utf8(first):
            return None
        read, parse, convert = _csv_options(first, "utf8", str(path), "ledger")
        handle.seek(0)
        digest = hashlib.sha256()
        size = os.fstat(handle.fileno()).st_size
        with _progress.bar(size, _progress.reading(Path(path).name), progress, unit="B") as bar:
            source = _progress.DigestingReader(handle, digest, bar)
            source.read(skip)
            try:
                table = pacsv.read_csv(
                    source, read_options=read, parse_options=parse, convert_options=convert
                )
            except pa.ArrowInvalid:
                return None
            source.read()  # nothing is left after Arrow's last block; hashed if there were
    found = {"kind": "csv", "encoding": "utf-8", "delimiter": parse.delimiter}
    return _text_frame(table), found, digest.hexdigest()


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


def _is_utf8(data: bytes | pa.Buffer) -> bool:
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    ends = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, ends, buffer])
    try:
        whole.cast(pa.large_string())  # validates in C++, without copying
        return True
    except pa.ArrowInvalid:
        return False


def _is_gb18030(data: bytes | pa.Buffer) -> bool:
    view = memoryview(data)
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        for start in range(0, len(view), 1 << 24):
            decoder.decode(view[start : start + (1 << 24)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_BOM = b"\xef\xbb\xbf"
_CSV_BLOCK_BYTES = 1 << 24


def read_csv_text(data: bytes | pa.Buffer, path: str, what: str = "ledger") -> pd.DataFrame:
    """Every cell of a CSV as text (empty cells as ``""``); see :func:`read_csv_table`."""
    return read_csv_table(data, path, what)[0]


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (",", "\t", ";")


def sniff_delimiter(line: str) -> str:
    """The delimiter a header line uses: the one of comma, tab and semicolon that splits
    it into the most cells (comma on a tie), quotes respected."""
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        cells = len(next(csv.reader([line], delimiter=delimiter), []))
        if cells > most:
            best, most = delimiter, cells
    return best


def read_csv_table(
    data: bytes | pa.Buffer, path: str, what: str = "ledger", *, progress: bool = False
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every cell of a CSV as text (empty cells as ``""``), read by Arrow's CSV reader,
    and how it was read: ``kind``, ``encoding`` and ``delimiter``.

    Notes
    -----
    A UTF-16 BOM means UTF-16 (as Excel's "Unicode text" saves); otherwise UTF-8 (a BOM
    is skipped) is tried first, then GB18030; a file that is none of these, has no
    header, or has rows with the wrong number of fields is refused. The delimiter is
    the one the header line uses most (:func:`sniff_delimiter`). Arrow checks that
    UTF-8 is valid as it reads, so a UTF-8 file is read once. ``progress`` shows a bar
    by bytes read (see :mod:`calculators._progress`).
    """
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    head = buffer.slice(0, min(3, buffer.size)).to_pybytes()
    encoding = "utf-8"
    if head[:2] in _UTF16_BOMS:
        try:
            text = memoryview(buffer).tobytes().decode("utf-16")
        except UnicodeDecodeError:
            raise LedgerFileError(
                what, path, _("a UTF-16 CSV that decodes (it has a UTF-16 BOM)")
            ) from None
        buffer, encoding = pa.py_buffer(text.encode("utf-8")), "utf-16"
    elif head == _BOM:
        buffer = buffer.slice(3)
    first = buffer.slice(0, min(buffer.size, 1 << 20)).to_pybytes().split(b"\n", 1)[0]
    table = None
    if _is_utf8(first):
        table = _arrow_csv(buffer, first, "utf8", path, what, progress)
    if table is None:  # not UTF-8
        if not _is_gb18030(buffer):
            raise LedgerFileError(
                what, path, _("a CSV in UTF-8 (with or without BOM), GB18030 or UTF-16 (with BOM)")
            )
        table = _arrow_csv(buffer, first, "gb18030", path, what, progress)
        assert table is not None
        encoding = "gb18030"
    delimiter = sniff_delimiter(_decoded(first, encoding))
    found = {"kind": "csv", "encoding": encoding, "delimiter": delimiter}
    return _text_frame(table), found


def _decoded(first: bytes, encoding: str) -> str:
    return first.decode("gb18030" if encoding == "gb18030" else "utf-8").rstrip("\r")


def _csv_options(
    first: bytes, encoding: str, path: str, what: str
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """How Arrow reads a CSV whose header line is ``first``: every column as text
    (``large_string``, as pandas keeps it: no conversion after reading), empty cells
    as ``""``, the delimiter the header uses.

    Raises
    ------
    LedgerFileError
        A header with no names, or naming a column twice.
    """
    line = first.decode(encoding).rstrip("\r")
    delimiter = sniff_delimiter(line)
    header = next(csv.reader([line], delimiter=delimiter), [])
    if not any(name.strip() for name in header):
        raise LedgerFileError(what, path, _("a CSV with a header row"))
    if len(set(header)) != len(header):
        raise LedgerFileError(what, path, _("a header naming each column once"))
    convert = pacsv.ConvertOptions(
        column_types={name: pa.large_string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(encoding=encoding, block_size=_CSV_BLOCK_BYTES)
    return read, pacsv.ParseOptions(delimiter=delimiter), convert


def _arrow_csv(
    buffer: pa.Buffer, first: bytes, encoding: str, path: str, what: str, progress: bool = False
) -> pa.Table | None:
    """The CSV as an Arrow table of strings; None when it turns out not to be UTF-8."""
    read, parse, options = _csv_options(first, encoding, path, what)
    words = _progress.reading(Path(path).name)
    try:
        with _progress.bar(buffer.size, words, progress, unit="B") as bar:
            source = _progress.CountedReader(buffer, bar) if progress else pa.BufferReader(buffer)
            return pacsv.read_csv(
                source, read_options=read, parse_options=parse, convert_options=options,
            )  # fmt: skip
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if encoding == "utf8" and ("UTF8" in message or not _is_utf8(buffer)):
            return None  # another encoding may read it, or explain the error
        raise LedgerFileError(
            what, path, _("a well-formed CSV ({reason})").format(reason=message)
        ) from None


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
    out = frame.rename(columns=renamed)
    wanted = list(required)
    if "principal" in kinds and "principal" not in seen and "principal_fen" not in seen:
        wanted.append("principal")
    for name in wanted:
        if name not in out.columns:
            if name == "principal":
                # TRANSLATORS: starts a list of accepted column names, the Chinese ones follow
                names = _("principal (yuan), principal_fen, ") + ", ".join(COLUMN_ALIASES[name])
            else:
                names = ", ".join((name, *COLUMN_ALIASES.get(name, ())))
            raise LedgerFileError(
                "columns",
                present(frame),
                _("a {name} column, named one of: {names}").format(name=name, names=names),
            )
    return out


def read_id_list(
    source: str | Path | Iterable[str], what: str, *, allow_empty: bool = True
) -> IdSet:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an
    iterable: :func:`read_ids` without the file's digest."""
    return read_ids(source, what, allow_empty=allow_empty)[0]


def read_ids(
    source: str | Path | Iterable[str], what: str, *, allow_empty: bool = True
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
        text = decode_bytes(data, str(source), what)
        lines = re.split(r"\r\n|\r|\n", text)  # file lines as an editor counts them
        filled = [i for i, line in enumerate(lines) if line.strip()]
        header = _header_id_column(lines[filled[0]]) if filled else None
        if header is not None:
            frame = read_csv_text(data, str(source), what)
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
        raw = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=object)
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
    for record in reader:
        if record:
            if seen == k:
                return before + 1
            seen += 1
        before = reader.line_num
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
