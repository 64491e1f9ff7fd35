"""Reading and validating loan ledgers (贷款台账).

A ledger is read as text, every cell a string, so that nothing is lost or guessed:
validation then turns each column into exact values (integer fen, dates as int64 days)
and gives every row one reason code. Problems with a row mark that row ``invalid``;
only problems with the file as a whole (unreadable, undecodable, a required column
missing) raise :class:`LedgerFileError`.

Notes
-----
Accepted encodings: UTF-8 with or without BOM, then GB18030 (which covers GBK and
GB2312 exports). Accepted dates: ``2022-04-01``, ``2022/04/01``, ``20220401``,
``2022年4月1日``, each optionally followed by a midnight time ``00:00:00``.
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
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._bytes import contiguous, may_need_trimming, pair, rows_of_width
from ._errors import LedgerFileError
from ._ids import IdColumn, IdSet, normalized
from ._text import TEXT, arrow_text

# canonical column -> aliases (compared after stripping spaces and lower-casing)
COLUMN_ALIASES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "loan_id": ("借据号", "贷款编号", "借据编号"),
        "borrower_id": ("统一社会信用代码", "借款人证件号码", "证件号码"),
        "borrower_name": ("借款人名称", "借款人", "企业名称"),
        "principal": ("贷款金额", "发放金额", "贷款本金", "本金"),
        "principal_fen": ("贷款金额_分", "本金_分"),
        "currency": ("币种",),
        "disbursement_date": ("发放日期", "放款日期", "发放日"),
        "maturity_date": ("到期日期", "到期日"),
        "borrower_category": ("借款人类型", "借款人类别"),
    }
)
_PANDAS_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str"
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


_ALIAS_TO_CANONICAL = MappingProxyType(
    {
        _normal_header(alias): canonical
        for canonical, aliases in COLUMN_ALIASES.items()
        for alias in (canonical, *aliases)
    }
)


def canonical_name(column: object) -> str | None:
    """The canonical name of a ledger header (``借据号`` -> ``loan_id``), or None."""
    return _ALIAS_TO_CANONICAL.get(_normal_header(column))


@dataclass(frozen=True)
class LedgerFile:
    """A ledger as read from disk: every cell as text, plus the file's digest."""

    frame: pd.DataFrame
    sha256: str
    path: str


def decode_bytes(data: bytes, path: str, what: str = "ledger") -> str:
    """Decode UTF-8 (BOM or not), else GB18030; refuse anything else."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(what, path, "a CSV in UTF-8 (with or without BOM) or GB18030")


def read_bytes(path: str | Path, what: str = "ledger") -> bytes:
    """Read a file, turning OS errors into one-line :class:`LedgerFileError`."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise LedgerFileError(
            what, str(path), f"a readable file ({exc.strerror or type(exc).__name__})"
        ) from None


def read_ledger(path: str | Path) -> LedgerFile:
    """Read a ledger CSV (or .xlsx) with every cell kept as text.

    Raises
    ------
    LedgerFileError
        If the file is missing, unreadable, undecodable, empty or not a table.

    Notes
    -----
    A CSV is memory-mapped, not copied: Arrow's reader parses the mapped bytes while
    the file's SHA-256 is computed on another thread.
    """
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        data = read_bytes(path)
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise LedgerFileError(
                "ledger", str(path), f"a readable .xlsx workbook ({exc})"
            ) from None
        return LedgerFile(frame, hashlib.sha256(data).hexdigest(), str(path))
    with _mapped(path) as buffer, ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(memoryview(buffer)).hexdigest())
        try:
            frame = read_csv_text(buffer, str(path))
        finally:
            hexdigest = digest.result()
    return LedgerFile(frame, hexdigest, str(path))


@contextlib.contextmanager
def _mapped(path: str | Path, what: str = "ledger") -> Iterator[pa.Buffer]:
    """A file's bytes, memory-mapped (an empty file gives an empty buffer)."""
    try:
        with open(path, "rb"):  # the OS's own reason when the file cannot be read
            pass
        source = pa.memory_map(str(path))
    except OSError as exc:
        raise LedgerFileError(
            what, str(path), f"a readable file ({exc.strerror or type(exc).__name__})"
        ) from None
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
    """Every cell of a CSV as text (empty cells as ``""``), read by Arrow's CSV reader.

    Notes
    -----
    UTF-8 (a BOM is skipped) is tried first, then GB18030; a file that is neither, has
    no header, or has rows with the wrong number of fields is refused. Arrow checks
    that UTF-8 is valid as it reads, so a UTF-8 file is read once.
    """
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    if buffer.slice(0, min(3, buffer.size)).to_pybytes() == _BOM:
        buffer = buffer.slice(3)
    first = buffer.slice(0, min(buffer.size, 1 << 20)).to_pybytes().split(b"\n", 1)[0]
    table = _arrow_csv(buffer, first, "utf8", path, what) if _is_utf8(first) else None
    if table is None:  # not UTF-8
        if not _is_gb18030(buffer):
            raise LedgerFileError(what, path, "a CSV in UTF-8 (with or without BOM) or GB18030")
        table = _arrow_csv(buffer, first, "gb18030", path, what)
        assert table is not None
    return table.to_pandas(types_mapper={pa.string(): _PANDAS_TEXT}.get)


def _arrow_csv(
    buffer: pa.Buffer, first: bytes, encoding: str, path: str, what: str
) -> pa.Table | None:
    """The CSV as an Arrow table of strings; None when it turns out not to be UTF-8."""
    header = next(csv.reader([first.decode(encoding).rstrip("\r")]), [])
    if not any(name.strip() for name in header):
        raise LedgerFileError(what, path, "a CSV with a header row")
    if len(set(header)) != len(header):
        raise LedgerFileError(what, path, "a header naming each column once")
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(encoding=encoding, block_size=_CSV_BLOCK_BYTES)
    try:
        return pacsv.read_csv(pa.BufferReader(buffer), read_options=read, convert_options=options)
    except pa.ArrowInvalid as exc:
        message = str(exc).splitlines()[0]
        if encoding == "utf8" and ("UTF8" in message or not _is_utf8(buffer)):
            return None  # another encoding may read it, or explain the error
        raise LedgerFileError(what, path, f"a well-formed CSV ({message})") from None


def present(frame: pd.DataFrame, most: int = 8) -> str:
    """The frame's column names for a message, shortened past ``most``."""
    names = [str(c) for c in frame.columns]
    shown = ", ".join(names[:most])
    return shown + (f", ... ({len(names)} in all)" if len(names) > most else "")


def canonical_columns(frame: pd.DataFrame, required: Iterable[str]) -> pd.DataFrame:
    """Rename aliased headers to canonical names and check the required ones.

    Raises
    ------
    LedgerFileError
        If a required column is missing or two headers name the same column.
    """
    renamed: dict[object, str] = {}
    seen: dict[str, object] = {}
    for column in frame.columns:
        canonical = _ALIAS_TO_CANONICAL.get(_normal_header(column))
        if canonical is None:
            continue
        if canonical in seen:
            raise LedgerFileError(
                "column", str(column), f"one column for {canonical}; {seen[canonical]!s} is too"
            )
        seen[canonical] = column
        renamed[column] = canonical
    out = frame.rename(columns=renamed)
    wanted = list(required)
    if "principal" not in seen and "principal_fen" not in seen:
        wanted.append("principal")
    for name in wanted:
        if name not in out.columns:
            if name == "principal":
                names = "principal (yuan), principal_fen, " + ", ".join(COLUMN_ALIASES[name])
            else:
                names = ", ".join((name, *COLUMN_ALIASES[name]))
            raise LedgerFileError(
                "columns", present(frame), f"a {name} column, named one of: {names}"
            )
    return out


_DATE_RE = (
    r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{8}|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:[ T]00:00(?::00)?)?$"
)


def parse_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates to int64 days since 1970-01-01, vectorized, with validity.

    Strings in the accepted formats, ``datetime64`` columns and ``datetime.date``
    objects are accepted; anything else is invalid (never guessed).

    Notes
    -----
    ``YYYY-MM-DD`` strings (the common case) are read from the column's bytes; the other
    formats are checked against the accepted patterns, rewritten to ``Y-M-D`` and split
    with Arrow kernels. A day past the month's end (30 February) is invalid.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        # a datetime column: midnight values only, as in text (no time of day is guessed away)
        parsed = pd.Series(values).dt.tz_localize(None) if values.dt.tz else pd.Series(values)
        ok = (parsed.notna() & (parsed == parsed.dt.normalize())).to_numpy(dtype=bool)
        days = parsed.to_numpy(dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64)
        return np.where(ok, days, 0), ok
    text = contiguous(arrow_text(values))
    if may_need_trimming(text):
        text = contiguous(pc.utf8_trim_whitespace(text))
    year, month, day, ok = _split_iso(text)
    rest = np.flatnonzero(~ok & pc.is_valid(text).to_numpy(zero_copy_only=False))
    if len(rest):
        y, m, d, other_ok = _split_other(pc.take(text, pa.array(rest)))
        year[rest], month[rest], day[rest], ok[rest] = y, m, d, other_ok
    days, valid = days_from_ymd(year, month, day)
    ok &= valid
    return days, ok


def _split_iso(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of ``YYYY-MM-DD`` strings, read from the column's bytes.

    Rows of another shape come back not ok, for the general parser; their year, month
    and day are then meaningless.
    """
    rows, matrix = rows_of_width(text, 10)
    century, decade = pair(matrix, 0), pair(matrix, 2)
    month, day = pair(matrix, 5), pair(matrix, 8)
    good = (matrix[:, 4] == ord("-")) & (matrix[:, 7] == ord("-"))
    good &= (century >= 0) & (decade >= 0) & (month >= 0) & (day >= 0)
    year = century.astype(np.int32) * 100 + decade
    if len(rows) == len(text):
        return year, month.astype(np.int32), day.astype(np.int32), good
    n = len(text)
    parts = (np.zeros(n, np.int32), np.zeros(n, np.int32), np.zeros(n, np.int32),
             np.zeros(n, dtype=bool))  # fmt: skip
    for whole, found in zip(parts, (year, month, day, good), strict=True):
        whole[rows] = found
    return parts


def _split_other(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of the other accepted formats, by regular expressions."""
    ok = pc.fill_null(pc.match_substring_regex(text, _DATE_RE), False)
    text = pc.replace_substring_regex(text, r"[ T]00:00(?::00)?$", "")
    text = pc.replace_substring_regex(text, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    text = pc.replace_substring_regex(pc.replace_substring(text, "日", ""), "[/年月]", "-")
    text = pc.if_else(ok, text, "1970-1-1")
    parts = pc.extract_regex(text, r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
    year, month, day = (
        pc.cast(parts.field(name), pa.int32()).to_numpy(zero_copy_only=False)
        for name in ("y", "m", "d")
    )
    return year, month, day, ok.to_numpy(zero_copy_only=False)


def month_length(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each month of the proleptic Gregorian calendar."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.where(month == 2, 28 + leap, 30 + ((month + (month >= 8)) % 2))


def _civil_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """H. Hinnant's ``days_from_civil`` on int64 columns (no validity check)."""
    year, month, day = (np.asarray(a, dtype=np.int64) for a in (year, month, day))
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# month index year * 12 + month - 1, years 0..9999 -> first day's number and length
_TABLE_YEARS = 10_000
_YEARS, _MONTHS = np.divmod(np.arange(_TABLE_YEARS * 12), 12)
_MONTH_START = _civil_days(_YEARS, _MONTHS + 1, np.ones_like(_YEARS)).astype(np.int32)
_MONTH_LENGTH = month_length(_YEARS, _MONTHS + 1).astype(np.int8)
del _YEARS, _MONTHS


def days_from_ymd(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers from year, month and day columns, and whether each date exists.

    Notes
    -----
    Years 1 to 9999 are read from tables of month starts and lengths (computed once
    by H. Hinnant's ``days_from_civil``, integer arithmetic only); later years, which
    only month arithmetic can reach, use the formula itself.
    """
    year = np.asarray(year)
    month = np.asarray(month)
    day = np.asarray(day)
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    in_table = valid & (year < _TABLE_YEARS)
    index = np.where(in_table, year * 12 + month - 1, 0)
    days = _MONTH_START[index].astype(np.int64) + day - 1
    valid &= np.where(in_table, day <= _MONTH_LENGTH[index], True)
    beyond = np.flatnonzero(valid & ~in_table)
    if len(beyond):
        y, m, d = year[beyond], month[beyond], day[beyond]
        valid[beyond] = d <= month_length(y, m)
        days[beyond] = _civil_days(y, m, d)
    return np.where(valid, days, 0), valid


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """H. Hinnant's ``civil_from_days`` on an int64 column."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + np.where(mp < 10, 3, -9)
    return yoe + era * 400 + (month <= 2), month, day


# day numbers from 1900-01-01 to 2199-12-31 -> year * 512 + month * 32 + day
_DAY_TABLE_FIRST = int(_civil_days(np.array([1900]), np.array([1]), np.array([1]))[0])
_DAY_TABLE_END = int(_civil_days(np.array([2200]), np.array([1]), np.array([1]))[0])
_Y, _M, _D = _civil_from_days(np.arange(_DAY_TABLE_FIRST, _DAY_TABLE_END))
_PACKED_YMD = (_Y * 512 + _M * 32 + _D).astype(np.int32)
del _Y, _M, _D


def ymd_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of day numbers.

    Notes
    -----
    Days from 1900 to 2199 are read from a table computed once by H. Hinnant's
    ``civil_from_days`` (integer arithmetic only); other days use the formula.
    """
    days = np.asarray(days, dtype=np.int64)
    in_table = (days >= _DAY_TABLE_FIRST) & (days < _DAY_TABLE_END)
    packed = _PACKED_YMD[np.where(in_table, days - _DAY_TABLE_FIRST, 0)]
    year, month, day = packed >> 9, (packed >> 5) & 15, packed & 31
    outside = np.flatnonzero(~in_table)
    if len(outside):
        year, month, day = (a.astype(np.int64) for a in (year, month, day))
        year[outside], month[outside], day[outside] = _civil_from_days(days[outside])
    return year, month, day


def epoch_days(day: dt.date) -> int:
    """Days since 1970-01-01, the integer form dates take in ledger columns."""
    return (day - dt.date(1970, 1, 1)).days


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Add calendar months to int64 day numbers, clamping to the month's end.

    Notes
    -----
    2022-08-31 + 6 months is 2023-02-28 (February has no 31st); 2023-08-31 + 6 months
    is 2024-02-29.
    """
    year, month, day = ymd_from_days(days)
    index = year * 12 + (month - 1) + months  # the target month, as in the tables
    in_table = (index >= 12) & (index < _TABLE_YEARS * 12)
    if in_table.all():
        return _MONTH_START[index] + np.minimum(day, _MONTH_LENGTH[index]).astype(np.int64) - 1
    year, month = index // 12, index % 12 + 1
    shifted, _ = days_from_ymd(year, month, np.minimum(day, month_length(year, month)))
    return shifted


def read_id_list(source: str | Path | Iterable[str], what: str) -> IdSet:
    """Borrower ids from a list file (CSV with an id column, or one id per line) or an iterable.

    Parameters
    ----------
    source : path or iterable of str
    what : str
        The list's name for messages (``eligible-borrowers``, ``dishonest``).

    Raises
    ------
    LedgerFileError
        If the file cannot be read or holds an id with a wrong check character.
    """
    if isinstance(source, str | Path):
        data = read_bytes(source, what)
        text = decode_bytes(data, str(source), what)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and _header_id_column(lines[0]) is not None:
            frame = read_csv_text(data, str(source), what)
            column = frame.columns[_header_id_column(lines[0]) or 0]
            raw = frame[column]
        else:
            raw = pd.Series(lines, dtype=TEXT)
        origin = str(source)
    else:
        raw = _text_array(source)
        origin = what
    ids = normalized(raw if isinstance(raw, pa.Array) else arrow_text(raw))
    column = IdColumn.of(ids)
    if not column.ok.all():
        bad = ids[int(np.flatnonzero(~column.ok)[0])].as_py()
        raise LedgerFileError(
            what,
            bad,
            f"18-character unified social credit codes or resident ids with valid check "
            f"characters ({origin})",
        )
    return IdSet.of(column, ids)


def _text_array(values: Iterable[str]) -> pa.Array | pd.Series:
    """An iterable of ids as Arrow text (directly when every item is a str or None)."""
    items = values if isinstance(values, np.ndarray | list) else list(values)
    try:
        return pa.array(items, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pd.Series(list(items), dtype=TEXT)


def _header_id_column(line: str) -> int | None:
    cells = [_normal_header(c) for c in line.split(",")]
    for i, cell in enumerate(cells):
        if _ALIAS_TO_CANONICAL.get(cell) == "borrower_id":
            return i
    return None
