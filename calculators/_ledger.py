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
resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2): check characters are
computed on whole columns of distinct ids, by the same rules as python-stdnum, which
also confirms the birth date and place of resident ids.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from stdnum.cn import ric

from ._errors import LedgerFileError
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
    """
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise LedgerFileError(
                "ledger", str(path), f"a readable .xlsx workbook ({exc})"
            ) from None
    else:
        frame = read_csv_text(data, str(path))
    return LedgerFile(frame, digest, str(path))


def detect_encoding(body: bytes) -> str | None:
    """``utf8`` or ``gb18030``, whichever decodes the whole file first, else None."""
    try:
        pa.array([body], pa.large_binary()).cast(pa.large_string())  # validates in C++
        return "utf8"
    except pa.ArrowInvalid:
        pass
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        for start in range(0, len(body), 1 << 24):
            decoder.decode(body[start : start + (1 << 24)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return "gb18030"


def read_csv_text(data: bytes, path: str, what: str = "ledger") -> pd.DataFrame:
    """Every cell of a CSV as text (empty cells as ``""``), read by Arrow's CSV reader.

    Notes
    -----
    UTF-8 (a BOM is skipped) is tried first, then GB18030; a file that is neither, has
    no header, or has rows with the wrong number of fields is refused.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    encoding = detect_encoding(body)
    if encoding is None:
        raise LedgerFileError(what, path, "a CSV in UTF-8 (with or without BOM) or GB18030")
    header = next(csv.reader([body.split(b"\n", 1)[0].decode(encoding).rstrip("\r")]), [])
    if not any(name.strip() for name in header):
        raise LedgerFileError(what, path, "a CSV with a header row")
    if len(set(header)) != len(header):
        raise LedgerFileError(what, path, "a header naming each column once")
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(encoding=encoding),
            convert_options=options,
        )
    except pa.ArrowInvalid as exc:
        first = str(exc).splitlines()[0]
        raise LedgerFileError(what, path, f"a well-formed CSV ({first})") from None
    return table.to_pandas(types_mapper={pa.string(): _PANDAS_TEXT}.get)


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
    Strings are checked against the accepted formats, rewritten to ``Y-M-D`` and split
    into year, month and day with Arrow kernels; a day past the month's end (30
    February) is invalid.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        # a datetime column: midnight values only, as in text (no time of day is guessed away)
        parsed = pd.Series(values).dt.tz_localize(None) if values.dt.tz else pd.Series(values)
        ok = (parsed.notna() & (parsed == parsed.dt.normalize())).to_numpy(dtype=bool)
        days = parsed.to_numpy(dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64)
        return np.where(ok, days, 0), ok
    text = pc.utf8_trim_whitespace(arrow_text(values))
    year, month, day, ok = _split_iso(text)
    rest = np.flatnonzero(~ok & pc.is_valid(text).to_numpy(zero_copy_only=False))
    if len(rest):
        y, m, d, other_ok = _split_other(pc.take(text, pa.array(rest)))
        year[rest], month[rest], day[rest], ok[rest] = y, m, d, other_ok
    days, valid = days_from_ymd(year, month, day)
    ok &= valid
    return np.where(ok, days, 0), ok


def _ints(parts: pa.Array, ok: pa.Array, fallback: str) -> np.ndarray:
    ints = pc.cast(pc.if_else(ok, parts, fallback), pa.int64())
    return np.array(ints.to_numpy(zero_copy_only=False))  # writable: other formats fill in


def _split_iso(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of fixed-width ``YYYY-MM-DD`` strings (the common case), fast."""
    y = pc.utf8_slice_codeunits(text, 0, 4)
    m = pc.utf8_slice_codeunits(text, 5, 7)
    d = pc.utf8_slice_codeunits(text, 8, 10)
    checks = [
        pc.equal(pc.utf8_length(text), 10),
        pc.equal(pc.utf8_slice_codeunits(text, 4, 5), "-"),
        pc.equal(pc.utf8_slice_codeunits(text, 7, 8), "-"),
        pc.ascii_is_decimal(y),
        pc.ascii_is_decimal(m),
        pc.ascii_is_decimal(d),
    ]
    ok = checks[0]
    for check in checks[1:]:
        ok = pc.and_(ok, check)
    ok = pc.fill_null(ok, False)
    return (
        _ints(y, ok, "1970"),
        _ints(m, ok, "1"),
        _ints(d, ok, "1"),
        ok.to_numpy(zero_copy_only=False).copy(),
    )


def _split_other(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of the other accepted formats, by regular expressions."""
    ok = pc.fill_null(pc.match_substring_regex(text, _DATE_RE), False)
    text = pc.replace_substring_regex(text, r"[ T]00:00(?::00)?$", "")
    text = pc.replace_substring_regex(text, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    text = pc.replace_substring_regex(pc.replace_substring(text, "日", ""), "[/年月]", "-")
    text = pc.if_else(ok, text, "1970-1-1")
    parts = pc.extract_regex(text, r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
    year, month, day = (
        pc.cast(parts.field(name), pa.int64()).to_numpy(zero_copy_only=False)
        for name in ("y", "m", "d")
    )
    return year, month, day, ok.to_numpy(zero_copy_only=False)


def month_length(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each month of the proleptic Gregorian calendar."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.where(month == 2, 28 + leap, 30 + ((month + (month >= 8)) % 2))


def days_from_ymd(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers from year, month and day columns, and whether each date exists.

    Notes
    -----
    Integer arithmetic only (H. Hinnant's ``days_from_civil``): years are shifted to
    start in March so that the leap day ends the year.
    """
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    valid &= day <= month_length(year, np.where(valid, month, 1))
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.where(valid, era * 146097 + doe - 719468, 0), valid


def ymd_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of day numbers (H. Hinnant's ``civil_from_days``)."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + np.where(mp < 10, 3, -9)
    return yoe + era * 400 + (month <= 2), month, day


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
    total = year * 12 + (month - 1) + months
    year, month = total // 12, total % 12 + 1
    shifted, _ = days_from_ymd(year, month, np.minimum(day, month_length(year, month)))
    return shifted


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
_USCC_VALUE[[ord(c) for c in _USCC_ALPHABET]] = np.arange(len(_USCC_ALPHABET))
_RIC_VALUE = np.full(256, -1, dtype=np.int64)
_RIC_VALUE[[ord(c) for c in "0123456789X"]] = np.arange(11)


def _ric_confirmed(text: str) -> bool:
    """stdnum's resident-id check; a region stdnum cannot place counts as unconfirmed.

    (python-stdnum 2.2 raises ``KeyError`` for some prefecture-level region codes.)
    """
    try:
        return bool(ric.is_valid(text))
    except (KeyError, ValueError):
        return False


def _fixed_width_bytes(ids: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose id is exactly ``width`` ASCII characters, and their bytes as a matrix."""
    ascii_ok = pc.and_(pc.equal(pc.binary_length(ids), width), pc.equal(pc.utf8_length(ids), width))
    rows = np.flatnonzero(pc.fill_null(ascii_ok, False).to_numpy(zero_copy_only=False))
    picked = pc.take(ids, pa.array(rows, type=pa.int64())).cast(pa.large_string())
    picked = pa.concat_arrays([picked])  # a fresh array: offsets start at 0
    raw = np.frombuffer(picked.buffers()[2] or b"", dtype=np.uint8)[: width * len(rows)]
    return rows, raw.reshape(-1, width)


def valid_id_mask(ids: pa.Array | np.ndarray | list[str]) -> np.ndarray:
    """Which ids are valid USCCs or resident ids, vectorized over a column of str.

    Notes
    -----
    The same rules as ``stdnum.cn.uscc.is_valid`` (18 characters, the first 8 digits,
    the rest from the code alphabet, the GB 32100-2015 mod-31 check character) and
    ``stdnum.cn.ric.is_valid`` (17 digits and the ISO 7064 MOD 11-2 check character),
    computed on the ids' bytes; ids that pass the resident-id checksum are then
    confirmed by ``stdnum.cn.ric`` (birth date and place), once per distinct id. The
    tests hold this function to stdnum's answers.
    """
    if not isinstance(ids, pa.Array):
        ids = pa.array(list(ids), type=pa.string())
    ok = np.zeros(len(ids), dtype=bool)
    rows, points = _fixed_width_bytes(ids, 18)
    if not len(rows):
        return ok
    uscc_values = _USCC_VALUE[points]
    uscc_ok = (uscc_values >= 0).all(axis=1) & (uscc_values[:, :8] <= 9).all(axis=1)
    uscc_check = (31 - (uscc_values[:, :17] @ _USCC_WEIGHTS) % 31) % 31
    uscc_ok &= uscc_values[:, 17] == uscc_check
    ric_values = _RIC_VALUE[points]
    ric_ok = ((ric_values[:, :17] >= 0) & (ric_values[:, :17] <= 9)).all(axis=1)
    ric_ok &= ric_values[:, 17] >= 0
    ric_ok &= ric_values[:, 17] == (12 - (ric_values[:, :17] @ _RIC_WEIGHTS) % 11) % 11
    candidates = np.flatnonzero(ric_ok & ~uscc_ok)
    for i in candidates:  # resident ids: few distinct people; stdnum checks date and place
        ric_ok[i] = _ric_confirmed(ids[int(rows[i])].as_py())
    ok[rows] = uscc_ok | ric_ok
    return ok


def validate_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, pa.Array]:
    """Normalized ids (stripped, upper case), their validity, and their factorization.

    Returns
    -------
    ids, ok, codes, uniques
        ``ids[i] == uniques[codes[i]]`` (``uniques`` an Arrow array); each distinct id
        is checked once.
    """
    ids = values.astype(TEXT).fillna("").str.strip().str.upper()
    encoded = pc.dictionary_encode(arrow_text(ids))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = encoded.dictionary
    ok = valid_id_mask(uniques)[codes] if len(codes) else np.zeros(0, dtype=bool)
    return ids, ok, codes, uniques


def read_id_list(source: str | Path | Iterable[str], what: str) -> frozenset[str]:
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
        raw = pd.Series(list(source), dtype=TEXT)
        origin = what
    ids, ok, _, _ = validate_ids(raw)
    if not ok.all():
        bad = ids[~ok].iloc[0]
        raise LedgerFileError(
            what,
            bad,
            f"18-character unified social credit codes or resident ids with valid check "
            f"characters ({origin})",
        )
    return frozenset(ids.tolist())


def _header_id_column(line: str) -> int | None:
    cells = [_normal_header(c) for c in line.split(",")]
    for i, cell in enumerate(cells):
        if _ALIAS_TO_CANONICAL.get(cell) == "borrower_id":
            return i
    return None
